//! `silica` — the command-line front end of the Silica simulator.
//!
//! Thin by design: parse arguments, call the library crates, print.

mod cmd;
mod eval;
#[allow(dead_code, unused_imports)] // until the reproductions register themselves (issue 9)
mod reproduce;
mod validate;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  silica run                                  # Llama-2-7B decode on the generic-os-128 accelerator
  silica run --arch h100-sxm5-80gb --model llama2-7b --phase prefill --prompt 2048
  silica workload llama2-7b --phase decode --context 4096
  silica kernel gemm --arch generic-os-128 --m 4096 --k 4096 --n 4096";

/// Cycle-accurate, discrete-event simulator and design-space explorer for ML inference
/// hardware.
#[derive(Parser, Debug)]
#[command(name = "silica", version, about, after_help = EXAMPLES)]
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
    /// Simulate one inference step of a model on a platform (default: Llama-2-7B decode,
    /// batch 1, context 1024, on generic-os-128).
    Run(Box<cmd::run::RunArgs>),
    /// Run a design-space sweep from a TOML spec: every point in parallel, resumable,
    /// shardable; results.csv and the spec's plots.
    Sweep(cmd::sweep::SweepArgs),
    /// Join the result folders of a sweep's shards.
    Merge(cmd::merge::MergeArgs),
    /// Draw a results CSV (scatter, bars), an energy breakdown or a roofline.
    Plot(cmd::plot::PlotArgs),
    /// Write REPORT.md for a sweep folder: best points, Pareto table, plots.
    Report(cmd::report::ReportArgs),
    /// Show how far a sweep folder is: points done per shard, Slurm task states, failed
    /// shards.
    Status(cmd::status::StatusArgs),
    /// Re-derive a seed paper's claims (MARCA, SoftmAP, the survey, FrameFusion, MBQ, CSKV)
    /// and print them next to the paper's figures.
    Reproduce(cmd::reproduce::ReproduceArgs),
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
        Some(Command::Run(args)) => cmd::run::run(&args),
        Some(Command::Sweep(args)) => cmd::sweep::run(&args),
        Some(Command::Merge(args)) => cmd::merge::run(&args),
        Some(Command::Plot(args)) => cmd::plot::run(&args),
        Some(Command::Report(args)) => cmd::report::run(&args),
        Some(Command::Status(args)) => cmd::status::run(&args),
        Some(Command::Validate(args)) => cmd::validate::run(&args),
        Some(Command::Reproduce(args)) => cmd::reproduce::run(&args),
        None => {
            // No subcommand: show what there is rather than nothing.
            let _ = <Cli as clap::CommandFactory>::command().print_help();
            Ok(())
        }
    };
    if let Err(e) = result {
        // `{:#}` prints the whole context chain on one line: what was being done, then why.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
