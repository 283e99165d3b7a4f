//! `silica` — the command-line front end of the Silica simulator.
//!
//! Thin by design: parse arguments, call the library crates, print.

mod cmd;
mod eval;
mod validate;

use clap::{Parser, Subcommand};

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
    /// Estimate one kernel (gemm, gemv, qgemv, elementwise, softmax, norm, attention, scan)
    /// on any platform preset or file.
    Kernel(cmd::kernel::KernelArgs),
    /// List the platform presets (class, units, source), or print one as TOML.
    Presets(cmd::presets::PresetsArgs),
    /// Build a model's operator graph and report FLOPs, bytes, intensity, parameters and
    /// KV-cache size.
    Workload(cmd::workload::WorkloadArgs),
    /// Run a design-space sweep from a TOML spec: every point in parallel, resumable,
    /// shardable; results.csv and the spec's plots.
    Sweep(cmd::sweep::SweepArgs),
    /// Join the result folders of a sweep's shards.
    Merge(cmd::merge::MergeArgs),
    /// Draw a results CSV (scatter, bars), an energy breakdown or a roofline.
    Plot(cmd::plot::PlotArgs),
    /// Write REPORT.md for a sweep folder: best points, Pareto table, plots.
    Report(cmd::report::ReportArgs),
    /// Score the GPU model against measured kernel times (per-case error, MAPE per class,
    /// claims as ratios, a predicted-vs-measured plot); `--fit` calibrates a preset.
    Validate(cmd::validate::ValidateArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Kernel(args)) => cmd::kernel::run(&args),
        Some(Command::Presets(args)) => cmd::presets::run(&args),
        Some(Command::Workload(args)) => cmd::workload::run(&args),
        Some(Command::Sweep(args)) => cmd::sweep::run(&args),
        Some(Command::Merge(args)) => cmd::merge::run(&args),
        Some(Command::Plot(args)) => cmd::plot::run(&args),
        Some(Command::Report(args)) => cmd::report::run(&args),
        Some(Command::Validate(args)) => cmd::validate::run(&args),
        None => Ok(()),
    };
    if let Err(e) = result {
        // `{:#}` prints the whole context chain on one line: what was being done, then why.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
