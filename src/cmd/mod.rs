//! One module per subcommand.

pub mod kernel;
pub mod run;
pub mod workload;
