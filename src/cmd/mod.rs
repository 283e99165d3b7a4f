//! One module per subcommand.

pub mod kernel;
pub mod validate;
pub mod workload;
