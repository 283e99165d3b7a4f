//! `silica` — the command-line front end of the Silica simulator.
//!
//! Thin by design: parse arguments, call the library crates, print.

use clap::{Parser, Subcommand};

mod cmd;

/// Cycle-accurate, discrete-event simulator and design-space explorer for ML inference
/// hardware.
#[derive(Parser, Debug)]
#[command(name = "silica", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
enum Command {
    /// Build a model's operator graph and report FLOPs, bytes, intensity, parameters and
    /// KV-cache size.
    Workload(cmd::workload::WorkloadArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Workload(args)) => cmd::workload::run(&args),
        None => Ok(()),
    }
}
