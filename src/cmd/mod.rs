//! One module per subcommand.

pub mod breakdown;
pub mod kernel;
pub mod merge;
pub mod plot;
pub mod report;
pub mod sweep;
pub mod workload;
