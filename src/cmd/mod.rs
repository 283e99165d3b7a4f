//! One module per subcommand.

#[macro_use]
pub mod out;

pub mod breakdown;
pub mod kernel;
mod kernel_out;
pub mod merge;
pub mod plot;
pub mod presets;
pub mod report;
pub mod reproduce;
pub mod run;
pub mod slurm;
pub mod status;
pub mod sweep;
pub mod validate;
pub mod workload;
