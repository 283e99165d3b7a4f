//! Subcommands of the `silica` binary, one module each.

pub mod workload;
