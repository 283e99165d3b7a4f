//! Submitting a sweep as a job array, and resubmitting its unfinished shards.
//!
//! A first submission writes `dir/slurm/sweep.sbatch`, runs `sbatch --parsable` on it and
//! writes `dir/meta.json` with the job id (a [`SlurmRecord`]); it returns at once. With
//! `resume`, the shards that are neither finished nor pending/running are resubmitted
//! as one array of just those indices (`sbatch --array=1,3`); each task resumes its own
//! folder, so points already written are kept. A resubmission keeps the `#SBATCH`
//! settings of the previous submission (recorded in [`Submission::settings`]) except those
//! the command line gives anew.
//!
//! A folder whose script was submitted by hand (`--dry-run`, then `sbatch`) has `shard-*`
//! folders but no record: `resume` takes the shard count from the shards' `meta.json`,
//! the job ids from the tasks' log names (`slurm/shard-i.job-J.out`), and resubmits the
//! unfinished shards of that count like any other resume; without `resume` it is refused.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::commands::{Commands, run_ok};
use super::record::{Settings, SlurmRecord, Submission};
use super::script::{
    SCRIPT_NAME, SbatchOptions, TaskArg, TaskCommand, default_shards, normalize_directive,
    render_sbatch,
};
use super::status::{status_with, sweep_status};
use super::{SlurmError, format_index_list};
use crate::SweepError;
use crate::merge::find_shard_dirs;
use crate::meta::{Meta, utc_now};
use crate::spec::Spec;

/// A sweep to submit.
#[derive(Debug, Clone)]
pub struct SubmitRequest<'a> {
    /// The checked spec.
    pub spec: &'a Spec,
    /// Its file: the tasks read it (made absolute).
    pub spec_path: &'a Path,
    /// The sweep folder; shard `i` writes `dir/shard-i` (made absolute, created).
    pub dir: &'a Path,
    /// The `silica` program the tasks run (made absolute).
    pub program: &'a Path,
    /// Arguments after `sweep SPEC --shard i/N --out DIR/shard-i --resume`.
    pub task_args: Vec<TaskArg>,
    /// `#SBATCH` settings (unset ones from the spec's `[slurm]`).
    pub options: SbatchOptions,
    /// Resubmit the unfinished shards of a folder submitted before.
    pub resume: bool,
    /// Write the script, submit nothing, record nothing.
    pub dry_run: bool,
}

/// What [`submit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitOutcome {
    /// The sweep folder, absolute.
    pub dir: PathBuf,
    /// The batch script written.
    pub script: PathBuf,
    /// The number of shards of the sweep.
    pub shards: u64,
    /// The shards submitted (or that a dry run would submit).
    pub submitted: Vec<u64>,
    /// The submission (`None` for a dry run or when there was nothing to submit).
    pub submission: Option<Submission>,
    /// Unfinished shards left alone because their task is still pending or running.
    pub active: Vec<u64>,
    /// Shards already finished.
    pub finished: Vec<u64>,
}

fn absolute(p: &Path) -> Result<PathBuf, SlurmError> {
    std::path::absolute(p).map_err(|e| SweepError::io(p, &e).into())
}

/// Writes the batch script and submits it (see the module docs). `commands` runs
/// `sbatch` (and `scontrol`/`squeue` when resuming).
pub fn submit(
    req: &SubmitRequest<'_>,
    commands: &dyn Commands,
) -> Result<SubmitOutcome, SlurmError> {
    let spec = req.spec;
    std::fs::create_dir_all(req.dir).map_err(|e| SweepError::io(req.dir, &e))?;
    let dir = absolute(req.dir)?;
    let spec_path = absolute(req.spec_path)?;
    let program = absolute(req.program)?;
    let old = Meta::read(&dir)?;
    let by_hand = match &old {
        None => by_hand(&dir, req, spec.hash())?,
        Some(_) => None,
    };
    let record = match &old {
        None => None,
        Some(m) => {
            let Some(r) = &m.slurm else {
                return Err(SlurmError::request(format!(
                    "{}: holds a sweep run that was not submitted to Slurm: choose another folder",
                    dir.display()
                )));
            };
            if m.spec_hash != spec.hash() {
                return Err(SlurmError::request(format!(
                    "{}: was submitted with another spec (hash {}, {} has {}): choose another \
                     folder, or restore that spec",
                    dir.display(),
                    m.spec_hash,
                    spec_path.display(),
                    spec.hash()
                )));
            }
            if !req.resume {
                let job = r.submissions.last().map_or("?", |s| s.job_id.as_str());
                return Err(SlurmError::request(format!(
                    "{}: already submitted (Slurm job {job}): add `--resume` to resubmit its \
                     unfinished shards, or choose another folder",
                    dir.display()
                )));
            }
            if let Some(n) = req.options.shards
                && n != r.shards
            {
                return Err(SlurmError::request(format!(
                    "{}: was submitted in {} shards, not {n}: resume without `--shards`",
                    dir.display(),
                    r.shards
                )));
            }
            Some(r.clone())
        }
    };
    // A resubmission keeps the previous settings unless the command line gives new ones;
    // a first submission takes the spec's `[slurm]` defaults.
    let previous = record.as_ref().and_then(|r| r.submissions.last());
    let options = match previous {
        None => req.options.or_defaults(spec.slurm()),
        Some(p) => {
            let p = &p.settings;
            SbatchOptions {
                shards: None,
                job_name: req.options.job_name.clone(),
                partition: req
                    .options
                    .partition
                    .clone()
                    .or_else(|| p.partition.clone()),
                time: req.options.time.clone().or_else(|| p.time.clone()),
                cpus_per_task: req.options.cpus_per_task.or(p.cpus_per_task),
                extra: if req.options.extra.is_empty() {
                    p.extra.clone()
                } else {
                    req.options.or_defaults(spec.slurm()).extra
                },
            }
        }
    };
    let points = spec.n_points();
    let n = match (&record, &by_hand) {
        (Some(r), _) | (None, Some(r)) => r.shards,
        (None, None) => options.shards.unwrap_or_else(|| default_shards(points)),
    };
    if n == 0 || n > points {
        return Err(SlurmError::request(format!(
            "{n} shards for {points} points: choose between 1 and {points}"
        )));
    }

    let (mut submitted, mut active, mut finished) = ((0..n).collect::<Vec<u64>>(), vec![], vec![]);
    if record.is_some() || by_hand.is_some() {
        let status = match &by_hand {
            // Nothing recorded and no task log: the shards ran elsewhere; nothing to ask.
            Some(r) if r.submissions.is_empty() => status_with(&dir, None, None)?,
            Some(r) => status_with(&dir, Some(commands), Some(r.clone()))?,
            None => sweep_status(&dir, Some(commands))?,
        };
        if let Some(bad) = status.shards.iter().find(|s| s.problem.is_some()) {
            return Err(SlurmError::request(format!(
                "{}: {}",
                bad.dir.display(),
                bad.problem.as_deref().unwrap_or_default()
            )));
        }
        if let (Some(note), false) = (&status.slurm_note, req.dry_run) {
            return Err(SlurmError::request(format!(
                "cannot tell which shards are still pending or running, so nothing was \
                 resubmitted: {note}"
            )));
        }
        submitted.clear();
        for s in &status.shards {
            let i = s.shard.map_or(0, |x| x.index);
            if s.finished {
                finished.push(i);
            } else if s.active() {
                active.push(i);
            } else {
                submitted.push(i);
            }
        }
    }

    let command = TaskCommand::silica_sweep(&program, &spec_path, req.task_args.clone());
    let script_text = render_sbatch(&dir, n, &options, &command)?;
    let slurm_dir = dir.join("slurm");
    std::fs::create_dir_all(&slurm_dir).map_err(|e| SweepError::io(&slurm_dir, &e))?;
    let script = slurm_dir.join(SCRIPT_NAME);
    std::fs::write(&script, script_text).map_err(|e| SweepError::io(&script, &e))?;
    let mut outcome = SubmitOutcome {
        dir: dir.clone(),
        script: script.clone(),
        shards: n,
        submitted,
        submission: None,
        active,
        finished,
    };
    if req.dry_run || outcome.submitted.is_empty() {
        return Ok(outcome);
    }

    let array = format_index_list(&outcome.submitted);
    let mut args = vec!["--parsable".to_string()];
    if outcome.submitted.len() as u64 != n {
        args.push(format!("--array={array}"));
    }
    args.push(script.display().to_string());
    let stdout = run_ok(commands, "sbatch", &args)?;
    let line = stdout
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let (job_id, cluster) = match line.split_once(';') {
        Some((j, c)) => (j.to_string(), Some(c.to_string())),
        None => (line.to_string(), None),
    };
    if job_id.is_empty() || !job_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(SlurmError::Command {
            command: format!("sbatch {}", args.join(" ")),
            message: format!("printed `{}`, not a job id", stdout.trim()),
        });
    }
    let submission = Submission {
        job_id,
        cluster,
        array,
        shards: outcome.submitted.clone(),
        submitted: utc_now(),
        settings: Settings {
            partition: options.partition.clone(),
            time: options.time.clone(),
            cpus_per_task: options.cpus_per_task,
            extra: options
                .extra
                .iter()
                .filter_map(|l| normalize_directive(l).ok())
                .collect(),
        },
    };
    let meta = match old {
        Some(mut m) => {
            m.runs += 1;
            m.finished = None;
            if let Some(r) = m.slurm.as_mut() {
                r.submissions.push(submission.clone());
            }
            m
        }
        None => Meta {
            sweeps_version: env!("CARGO_PKG_VERSION").to_string(),
            name: spec.name().map(str::to_string),
            spec_hash: spec.hash().to_string(),
            seed: spec.seed(),
            points_total: points,
            shard: None,
            points,
            started: submission.submitted.clone(),
            finished: None,
            runs: 1,
            threads: 0,
            counts: None,
            merged_from: Vec::new(),
            slurm: Some(SlurmRecord {
                script: format!("slurm/{SCRIPT_NAME}"),
                shards: n,
                submissions: vec![submission.clone()],
            }),
        },
    };
    meta.write(&dir).map_err(|e| {
        SlurmError::request(format!(
            "submitted Slurm job {}, but could not record it ({e}): cancel it with `scancel {}` \
             and submit again",
            submission.job_id, submission.job_id
        ))
    })?;
    outcome.submission = Some(submission);
    Ok(outcome)
}

/// For a folder without `meta.json` that holds `shard-*` folders (a script submitted by
/// hand, or shards run with `--shard`): the record of those shards — their count (from
/// their `meta.json`) and, as submissions of every shard, the jobs named by the tasks'
/// logs `slurm/shard-i.job-J.out` (oldest first). `None` for an empty folder. Refuses
/// without `resume`, with another spec or with another `--shards`.
fn by_hand(
    dir: &Path,
    req: &SubmitRequest<'_>,
    spec_hash: &str,
) -> Result<Option<SlurmRecord>, SlurmError> {
    if find_shard_dirs(dir)?.is_empty() {
        return Ok(None);
    }
    let status = sweep_status(dir, None)?;
    let n = status.shards.len() as u64;
    if let Some(hash) = status
        .shards
        .iter()
        .filter_map(|s| Meta::read(&s.dir).ok().flatten())
        .map(|m| m.spec_hash)
        .find(|h| h != spec_hash)
    {
        return Err(SlurmError::request(format!(
            "{}: its shard folders hold another spec's results (hash {hash}, {} has \
             {spec_hash}): choose another folder, or restore that spec",
            dir.display(),
            req.spec_path.display()
        )));
    }
    if !req.resume {
        return Err(SlurmError::request(format!(
            "{}: holds the folders of a sweep in {n} shards but no record of a Slurm job (was \
             slurm/sweep.sbatch submitted by hand?): add `--resume` to resubmit only its \
             unfinished shards, or choose another folder",
            dir.display()
        )));
    }
    if let Some(m) = req.options.shards
        && m != n
    {
        return Err(SlurmError::request(format!(
            "{}: its shard folders are of a sweep in {n} shards, not {m}: resume without \
             `--shards`",
            dir.display()
        )));
    }
    let mut jobs: BTreeSet<u64> = BTreeSet::new();
    let logs = dir.join("slurm");
    if let Ok(entries) = std::fs::read_dir(&logs) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let job = name
                .strip_prefix("shard-")
                .and_then(|r| r.split_once(".job-"))
                .and_then(|(_, r)| r.strip_suffix(".out").or_else(|| r.strip_suffix(".err")))
                .and_then(|j| j.parse::<u64>().ok());
            jobs.extend(job);
        }
    }
    let all: Vec<u64> = (0..n).collect();
    Ok(Some(SlurmRecord {
        script: format!("slurm/{SCRIPT_NAME}"),
        shards: n,
        submissions: jobs
            .into_iter()
            .map(|j| Submission {
                job_id: j.to_string(),
                cluster: None,
                array: format_index_list(&all),
                shards: all.clone(),
                submitted: String::new(),
                settings: Settings::default(),
            })
            .collect(),
    }))
}
