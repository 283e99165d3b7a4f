//! One module per subcommand.

pub mod kernel;
mod kernel_out;
pub mod presets;
pub mod run;
pub mod validate;
pub mod workload;
