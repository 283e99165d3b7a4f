//! One module per subcommand.

pub mod kernel;
pub mod workload;
