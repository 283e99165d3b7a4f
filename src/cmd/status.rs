//! `silica status dir/`: how far a sweep folder is — points done per shard (from the
//! shards' files) and, for a sweep submitted with `--slurm`, each array task's state
//! (from `scontrol`/`squeue`, when Slurm answers); failed shards are named.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use sweeps::slurm::{Commands, SystemCommands, sweep_status};

const EXAMPLES: &str = "\
Examples:
  silica status out/dse              # after `silica sweep spec.toml --out out/dse --slurm`
  silica status out/dse --no-slurm   # progress from the files only

A shard is failed when it is not finished and its task is no longer pending or running
(FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, or forgotten by Slurm): resubmit the
unfinished shards with `silica sweep spec.toml --out out/dse --slurm --resume`.";

/// Arguments of `silica status`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct StatusArgs {
    /// A sweep folder: one submitted with --slurm, a folder of shard-* folders, or a run.
    pub dir: PathBuf,
    /// Do not ask Slurm for the tasks' states.
    #[arg(long)]
    pub no_slurm: bool,
}

/// Runs `silica status`.
pub fn run(args: &StatusArgs) -> Result<()> {
    let system = SystemCommands::default();
    let commands: Option<&dyn Commands> = if args.no_slurm { None } else { Some(&system) };
    let status = sweep_status(&args.dir, commands).context("reading the state of the sweep")?;
    out!("{status}");
    Ok(())
}
