//! `silica sweep spec.toml --out dir/`: run every point of a sweep spec (or one shard)
//! with the Silica evaluator, then draw the spec's `[[plot]]`s into the folder.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use sweeps::{Evaluator, RunOptions, RunSummary, Shard, Spec, run_sweep};

use super::plot::draw_spec_plots;
use crate::eval::SilicaEvaluator;

const EXAMPLES: &str = "\
Examples:
  silica sweep sweeps/specs/gemm-pe-array-10k.toml --out out/gemm
  silica sweep sweeps/specs/llama2-7b-decode-pe-dse.toml --out out/dse --threads 2
  silica sweep spec.toml --out out/ --resume          # complete an interrupted run
  silica sweep spec.toml --out out/shard-3 --shard 3/8  # one of 8 cluster jobs
  silica merge out/ --out out/                        # then join out/shard-*
  silica sweep spec.toml --out /scratch/dse --slurm --shards 20  # a Slurm job array
  silica status /scratch/dse                          # its shards and tasks
  silica sweep spec.toml --out out/ --dry-run         # check the spec and count points

The spec format (axes, zip, random/LHS sampling, constraints, objectives, plots) is in
sweeps/README.md; the workload keys (kind = \"kernel\" or \"model\") too. Results:
out/results.csv (one row per point, sorted by point id), out/spec.toml (resolved spec),
out/meta.json, out/pareto.csv, and the spec's plots.";

/// Arguments of `silica sweep` (a struct other front ends — e.g. a cluster launcher —
/// can embed with `#[command(flatten)]` and add flags to).
#[derive(Debug, Args, Clone)]
#[command(after_help = EXAMPLES)]
pub struct SweepArgs {
    /// The sweep spec (TOML).
    pub spec: PathBuf,
    /// Output folder (created if missing; refused if it holds a run, unless --resume).
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (0: all cores, or RAYON_NUM_THREADS).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Complete an interrupted run in --out: keep its rows, evaluate the rest.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of N (points with id % N == i), e.g. 3/8.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<Shard>,
    /// Do not draw the spec's plots at the end.
    #[arg(long)]
    pub no_plots: bool,
    /// No progress bar or progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Check the spec and the first point of each architecture/workload (keys, names,
    /// overrides), print the number of points, and run nothing (with --slurm: also write
    /// the batch script).
    #[arg(long)]
    pub dry_run: bool,
    /// Run on a Slurm cluster: --slurm and its flags (src/cmd/slurm.rs).
    #[command(flatten)]
    pub cluster: super::slurm::SlurmArgs,
}

impl SweepArgs {
    /// The run options these arguments ask for.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            threads: self.threads,
            resume: self.resume,
            shard: self.shard,
            progress: !self.quiet,
        }
    }
}

/// Reads the spec and builds its evaluator, checking that the evaluator gives every
/// metric the spec records and accepts the first point.
pub fn prepare(spec_path: &std::path::Path) -> Result<(Spec, SilicaEvaluator)> {
    let spec = Spec::from_file(spec_path)?;
    let evaluator = SilicaEvaluator::new(spec.dir());
    let given = SilicaEvaluator::metrics_for(spec.base_workload())
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{}: [base.workload]", spec_path.display()))?;
    for m in spec.metrics() {
        let gives = SilicaEvaluator::gives(spec.base_workload(), m).map_err(anyhow::Error::msg)?;
        if !gives {
            let hint = arch::suggest::closest(m, given.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let families =
                if SilicaEvaluator::gives(spec.base_workload(), "op_x_s").unwrap_or(false) {
                    ", op_<operator>_s"
                } else {
                    ""
                };
            bail!(
                "{}: metrics: `{m}` is not modelled for this workload{hint}; available: {}{families}",
                spec_path.display(),
                given.join(", ")
            );
        }
    }
    Ok((spec, evaluator))
}

/// For `--dry-run`: checks with `evaluator` the first point of each distinct
/// architecture and workload (at most 32 of them; `run_sweep` itself checks only the
/// first point), so a typo in any value of an `arch` or `workload.` axis shows at once.
pub fn check_points(spec: &Spec, evaluator: &SilicaEvaluator) -> Result<usize> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for id in 0..spec.n_points() {
        let p = spec.point(id).map_err(anyhow::Error::msg)?;
        let key = (p.arch.clone(), p.workload.to_string());
        if seen.contains(&key) {
            continue;
        }
        if let Err(message) = evaluator.check(&p) {
            let at = spec
                .locate(&message)
                .unwrap_or_else(|| spec.file().to_string());
            return Err(anyhow::Error::msg(message).context(format!("{at}: point {id}")));
        }
        seen.push(key);
        if seen.len() == 32 {
            break;
        }
    }
    Ok(seen.len())
}

/// Runs `silica sweep`.
pub fn run(args: &SweepArgs) -> Result<()> {
    if args.cluster.slurm {
        return super::slurm::run(args);
    }
    let (spec, evaluator) = prepare(&args.spec)?;
    if args.dry_run {
        let checked = check_points(&spec, &evaluator)?;
        outln!(
            "{}: {} points ({checked} distinct architecture/workload pairs checked), columns: {}",
            args.spec.display(),
            spec.n_points(),
            spec.header().join(",")
        );
        return Ok(());
    }
    let summary = run_sweep(&spec, &evaluator, &args.out, &args.run_options())
        .with_context(|| format!("sweep {} into {}", args.spec.display(), args.out.display()))?;
    print_summary(&summary);
    if args.shard.is_some() {
        outln!(
            "shard written; when every shard is done: silica merge <folders or parent> --out <dir>"
        );
    } else if !args.no_plots {
        for p in draw_spec_plots(&spec, &args.out) {
            outln!("wrote {}", p.display());
        }
    }
    Ok(())
}

fn print_summary(s: &RunSummary) {
    let c = &s.counts;
    let secs = s.elapsed.as_secs_f64();
    outln!(
        "{} points ({} resumed, {} evaluated): {} ok, {} error, {} skipped, {} infeasible in {:.2} s ({:.0} points/s)",
        s.points,
        s.resumed,
        s.evaluated,
        c.ok,
        c.error,
        c.skipped,
        c.infeasible,
        secs,
        s.evaluated as f64 / secs.max(1e-9)
    );
}
