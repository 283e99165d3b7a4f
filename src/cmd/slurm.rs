//! `silica sweep spec.toml --out dir/ --slurm`: submit the sweep to Slurm as a job array
//! (task `i` runs `silica sweep spec.toml --shard i/N --out dir/shard-i --resume`) and
//! return at once; with `--resume`, resubmit only the unfinished shards. The logic lives
//! in `sweeps::slurm`; this file holds the flags and the messages.

use anyhow::{Context, Result};
use clap::Args;
use sweeps::slurm::{
    SbatchOptions, SubmitRequest, SystemCommands, TaskArg, check_time, format_index_list,
    normalize_directive, submit,
};

use super::sweep::{SweepArgs, check_points, prepare};

/// The Slurm flags of `silica sweep` (defaults from the spec's `[slurm]` table).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Slurm (see sweeps/README.md, \"Running on a Slurm cluster\")")]
pub struct SlurmArgs {
    /// Submit the sweep to Slurm as a job array, one task per shard, and return at once
    /// (with --dry-run: only write DIR/slurm/sweep.sbatch). With --resume: resubmit the
    /// shards that are neither finished nor pending/running.
    #[arg(long, conflicts_with = "shard")]
    pub slurm: bool,
    /// Number of shards = array tasks (default: the spec's [slurm] shards, else one per
    /// 1 000 points, 1 to 100).
    #[arg(long, value_name = "N", requires = "slurm", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,
    /// Slurm partition (queue) to submit to.
    #[arg(long, value_name = "P", requires = "slurm")]
    pub partition: Option<String>,
    /// Time limit of each task: minutes (90), H:MM:SS (1:30:00) or D-HH:MM:SS.
    #[arg(long, value_name = "T", requires = "slurm", value_parser = parse_time)]
    pub time: Option<String>,
    /// CPUs per task; each task runs that many worker threads.
    #[arg(long, value_name = "C", requires = "slurm", value_parser = clap::value_parser!(u32).range(1..))]
    pub cpus_per_task: Option<u32>,
    /// One more #SBATCH directive, e.g. --sbatch-extra=--mem=8G (repeatable).
    #[arg(long, value_name = "LINE", requires = "slurm", allow_hyphen_values = true, value_parser = parse_directive)]
    pub sbatch_extra: Vec<String>,
}

fn parse_time(s: &str) -> Result<String, String> {
    check_time(s).map(|()| s.to_string())
}

fn parse_directive(s: &str) -> Result<String, String> {
    normalize_directive(s)
}

fn list(ids: &[u64]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        format_index_list(ids)
    }
}

/// Runs `silica sweep … --slurm`.
pub fn run(args: &SweepArgs) -> Result<()> {
    let (spec, evaluator) = prepare(&args.spec)?;
    // Catch a typo here, not in every task on the cluster.
    check_points(&spec, &evaluator)?;
    let program = std::env::current_exe().context("finding the silica binary to submit")?;
    let s = &args.cluster;
    let request = SubmitRequest {
        spec: &spec,
        spec_path: &args.spec,
        dir: &args.out,
        program: &program,
        task_args: vec![TaskArg::Literal("--threads".into()), TaskArg::Cpus],
        options: SbatchOptions {
            shards: s.shards,
            job_name: None,
            partition: s.partition.clone(),
            time: s.time.clone(),
            cpus_per_task: s.cpus_per_task,
            extra: s.sbatch_extra.clone(),
        },
        resume: args.resume,
        dry_run: args.dry_run,
    };
    let out = submit(&request, &SystemCommands::default()).with_context(|| {
        format!(
            "submitting {} to Slurm into {}",
            args.spec.display(),
            args.out.display()
        )
    })?;
    let dir = out.dir.display();
    outln!(
        "wrote {} ({} points in {} shards)",
        out.script.display(),
        spec.n_points(),
        out.shards
    );
    if args.resume {
        outln!(
            "finished: {}; still pending or running: {}",
            list(&out.finished),
            list(&out.active)
        );
    }
    match (&out.submission, args.dry_run) {
        (_, true) => outln!(
            "dry run: nothing submitted; would submit shards {} (sbatch {})",
            list(&out.submitted),
            out.script.display()
        ),
        (Some(sub), false) => {
            outln!(
                "submitted Slurm job {}: shards {} (array {})",
                sub.job_id,
                list(&sub.shards),
                sub.array
            );
            outln!(
                "follow it with `silica status {dir}`; when every shard is finished: \
                 `silica merge {dir} --out {dir}`"
            );
        }
        (None, false) => outln!(
            "nothing to submit: every shard is finished or still queued (`silica status {dir}`)"
        ),
    }
    Ok(())
}
