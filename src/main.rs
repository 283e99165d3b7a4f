//! `silica` — the command-line front end of the Silica simulator.
//!
//! Thin by design: parse arguments, call the library crates, print.

use clap::Parser;

/// Cycle-accurate, discrete-event simulator and design-space explorer for ML inference
/// hardware.
#[derive(Parser, Debug)]
#[command(name = "silica", version, about)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
