//! `silica merge dir1 dir2 … --out dir`: join the folders of a sweep's shards (or a
//! folder holding `shard-*` subfolders) into one, then draw the spec's plots there.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use sweeps::{Spec, merge};

use super::plot::draw_spec_plots;

const EXAMPLES: &str = "\
Examples:
  silica merge out/shard-0 out/shard-1 out/shard-2 --out out/all
  silica merge out/ --out out/          # finds out/shard-* itself

The folders must come from the same spec (same hash in meta.json) and hold every point
exactly once; otherwise the error names the missing or doubled points and their folders.
The merged results.csv is byte-identical to an unsharded run's.";

/// Arguments of `silica merge`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct MergeArgs {
    /// Result folders of shards, or a folder holding `shard-*` folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Do not draw the spec's plots.
    #[arg(long)]
    pub no_plots: bool,
}

/// Runs `silica merge`.
pub fn run(args: &MergeArgs) -> Result<()> {
    let s = merge(&args.dirs, &args.out).context("merging sweep folders")?;
    let c = &s.counts;
    outln!(
        "merged {} folders into {}: {} points ({} ok, {} error, {} skipped, {} infeasible)",
        s.dirs.len(),
        args.out.display(),
        s.points,
        c.ok,
        c.error,
        c.skipped,
        c.infeasible
    );
    if !args.no_plots {
        let spec = Spec::from_file(&args.out.join("spec.toml"))?;
        for p in draw_spec_plots(&spec, &args.out) {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}
