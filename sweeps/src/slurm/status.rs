//! How far a sweep folder is: points done per shard (from the shards' `results.csv` and
//! `meta.json`), and the state of each shard's Slurm array task when the folder was
//! submitted with `--slurm` and Slurm can be asked.
//!
//! A shard is **finished** when its `meta.json` says so and its `results.csv` holds all
//! its points; **failed** when it is not finished and its task is no longer pending or
//! running (it failed, was cancelled, timed out, or Slurm has forgotten it). Failed and
//! never-started shards are what `--resume` resubmits.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::SlurmError;
use super::commands::Commands;
use super::job::{JobQuery, TaskState, query_job};
use super::record::SlurmRecord;
use crate::engine::Shard;
use crate::merge::find_shard_dirs;
use crate::meta::{Counts, Meta};
use crate::results::read_results;

/// One shard of a sweep folder (or the folder itself for an unsharded run).
#[derive(Debug, Clone, PartialEq)]
pub struct ShardStatus {
    /// The shard (`None`: an unsharded run).
    pub shard: Option<Shard>,
    /// Its folder.
    pub dir: PathBuf,
    /// Points it is responsible for.
    pub points: u64,
    /// Rows written so far, by status.
    pub counts: Counts,
    /// Whether its run finished with every point written.
    pub finished: bool,
    /// Something wrong with the folder (another spec's results, an unreadable file).
    pub problem: Option<String>,
    /// Its Slurm task, `<job>_<i>` (`None`: never submitted).
    pub task: Option<String>,
    /// The task's state, when Slurm still knows it.
    pub state: Option<TaskState>,
    /// Slurm was asked and no longer lists the task (finished, or forgotten).
    pub gone: bool,
}

impl ShardStatus {
    /// Rows written.
    pub fn done(&self) -> u64 {
        self.counts.total()
    }

    /// Not finished, and its task will not finish it: failed, cancelled, timed out, or
    /// no longer known to Slurm.
    pub fn failed(&self) -> bool {
        !self.finished
            && self.task.is_some()
            && (self.gone || self.state.as_ref().is_some_and(|s| !s.is_active()))
    }

    /// Its task is pending or running.
    pub fn active(&self) -> bool {
        self.state.as_ref().is_some_and(TaskState::is_active)
    }

    /// The folder name (`shard-2`, or `.` for an unsharded run).
    pub fn name(&self) -> String {
        self.shard.map_or_else(|| ".".to_string(), |s| s.dir_name())
    }
}

/// The state of a sweep folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepStatus {
    /// The folder.
    pub dir: PathBuf,
    /// The spec's name, if any.
    pub name: Option<String>,
    /// Points in the whole sweep.
    pub points_total: u64,
    /// Every shard, by index (one entry for an unsharded run).
    pub shards: Vec<ShardStatus>,
    /// The Slurm submissions, for a folder submitted with `--slurm`.
    pub slurm: Option<SlurmRecord>,
    /// Why task states are missing (Slurm could not be asked), if so.
    pub slurm_note: Option<String>,
    /// Whether the folder holds the merged results.
    pub merged: bool,
}

impl SweepStatus {
    /// Rows written over all shards.
    pub fn done(&self) -> u64 {
        self.shards.iter().map(ShardStatus::done).sum()
    }

    /// Indices of the shards not finished.
    pub fn unfinished(&self) -> Vec<u64> {
        self.indices(|s| !s.finished)
    }

    /// Indices of the failed shards (see [`ShardStatus::failed`]).
    pub fn failed(&self) -> Vec<u64> {
        self.indices(ShardStatus::failed)
    }

    /// Whether every shard finished.
    pub fn complete(&self) -> bool {
        self.shards.iter().all(|s| s.finished)
    }

    fn indices(&self, keep: impl Fn(&ShardStatus) -> bool) -> Vec<u64> {
        self.shards
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.shard.map_or(0, |x| x.index))
            .collect()
    }
}

/// Reads the state of the sweep folder `dir`. With `commands`, asks Slurm for the tasks
/// of the submitted jobs; without, or when Slurm cannot be reached, task states are
/// left out (and [`SweepStatus::slurm_note`] says why).
pub fn sweep_status(
    dir: &Path,
    commands: Option<&dyn Commands>,
) -> Result<SweepStatus, SlurmError> {
    status_with(dir, commands, None)
}

/// [`sweep_status`], taking the Slurm jobs from `recovered` when `dir/meta.json` records
/// none (a script submitted by hand, whose job ids [`super::submit`] reads from the
/// tasks' log names).
pub(crate) fn status_with(
    dir: &Path,
    commands: Option<&dyn Commands>,
    recovered: Option<SlurmRecord>,
) -> Result<SweepStatus, SlurmError> {
    if !dir.is_dir() {
        return Err(SlurmError::request(format!(
            "{}: no such folder",
            dir.display()
        )));
    }
    let meta = Meta::read(dir)?;
    let record = meta.as_ref().and_then(|m| m.slurm.clone()).or(recovered);
    // Ask Slurm before reading any shard's files: a task that Slurm reports ended has
    // written all it will, so the files read next are at least as new as its state. (Read
    // the other way round, a task ending between the two reads showed as ended with the
    // rows it had before its last write: a finished shard reported as failed.)
    let mut queries: BTreeMap<String, JobQuery> = BTreeMap::new();
    if let (Some(record), Some(commands)) = (&record, commands) {
        for index in 0..record.shards {
            if let Some(sub) = record.latest_for(index) {
                queries
                    .entry(sub.job_id.clone())
                    .or_insert_with(|| query_job(commands, &sub.job_id));
            }
        }
    }
    let shard_dirs = find_shard_dirs(dir)?;
    let mut shard_metas: BTreeMap<u64, (PathBuf, Option<Meta>)> = BTreeMap::new();
    let mut count = record.as_ref().map(|r| r.shards);
    for d in &shard_dirs {
        let m = Meta::read(d)?;
        let shard = m.as_ref().and_then(|m| m.shard);
        let index = match shard {
            Some(s) => {
                count.get_or_insert(s.count);
                s.index
            }
            None => dir_index(d).unwrap_or(u64::MAX),
        };
        shard_metas.insert(index, (d.clone(), m));
    }
    if count.is_none() && !shard_dirs.is_empty() {
        count = Some(shard_dirs.len() as u64);
    }
    let reference = meta
        .clone()
        .or_else(|| shard_metas.values().find_map(|(_, m)| m.clone()));
    let Some(reference) = reference else {
        return Err(SlurmError::request(format!(
            "{}: not a sweep folder (no meta.json, no shard-* folders with one)",
            dir.display()
        )));
    };
    let points_total = reference.points_total;
    let spec_hash = reference.spec_hash.clone();
    let mut shards = Vec::new();
    match count {
        None => {
            // An unsharded run (or a merge without its shards).
            shards.push(read_shard(
                dir,
                None,
                meta.as_ref(),
                points_total,
                &spec_hash,
            )?);
        }
        Some(n) => {
            for i in 0..n {
                let shard = Shard::new(i, n)?;
                let (d, m) = shard_metas
                    .remove(&i)
                    .unwrap_or_else(|| (dir.join(shard.dir_name()), None));
                let own = points_total / n + u64::from(i < points_total % n);
                let mut s = read_shard(&d, Some(shard), m.as_ref(), own, &spec_hash)?;
                if let Some(m) = &m
                    && m.shard != Some(shard)
                {
                    s.problem = Some(format!(
                        "holds {} (meta.json), not shard {shard}",
                        m.shard.map_or_else(
                            || "an unsharded run".to_string(),
                            |x| format!("shard {x}")
                        )
                    ));
                }
                shards.push(s);
            }
        }
    }
    let mut slurm_note = None;
    if let (Some(record), Some(commands)) = (&record, commands) {
        for s in &mut shards {
            let Some(index) = s.shard.map(|x| x.index) else {
                continue;
            };
            let Some(sub) = record.latest_for(index) else {
                continue;
            };
            s.task = Some(format!("{}_{index}", sub.job_id));
            // A shard beyond the record's count (a folder changed by hand) is asked late.
            let q = queries
                .entry(sub.job_id.clone())
                .or_insert_with(|| query_job(commands, &sub.job_id));
            match q {
                JobQuery::Known(states) => match states.get(&index) {
                    Some(st) => s.state = Some(st.clone()),
                    None => s.gone = true,
                },
                JobQuery::Forgotten => s.gone = true,
                JobQuery::Unreachable(why) => slurm_note = Some(why.clone()),
            }
        }
    } else if let Some(record) = &record {
        for s in &mut shards {
            if let Some(index) = s.shard.map(|x| x.index)
                && let Some(sub) = record.latest_for(index)
            {
                s.task = Some(format!("{}_{index}", sub.job_id));
            }
        }
        slurm_note = Some("Slurm was not asked".into());
    }
    Ok(SweepStatus {
        dir: dir.to_path_buf(),
        name: reference.name.clone(),
        points_total,
        shards,
        slurm: record,
        slurm_note,
        merged: meta.as_ref().is_some_and(|m| !m.merged_from.is_empty()),
    })
}

/// `shard-<i>` → `i`.
fn dir_index(d: &Path) -> Option<u64> {
    d.file_name()?
        .to_str()?
        .strip_prefix("shard-")?
        .parse()
        .ok()
}

fn read_shard(
    dir: &Path,
    shard: Option<Shard>,
    meta: Option<&Meta>,
    points: u64,
    spec_hash: &str,
) -> Result<ShardStatus, SlurmError> {
    let mut status = ShardStatus {
        shard,
        dir: dir.to_path_buf(),
        points: meta.map_or(points, |m| m.points),
        counts: Counts::default(),
        finished: false,
        problem: None,
        task: None,
        state: None,
        gone: false,
    };
    let Some(meta) = meta else {
        return Ok(status);
    };
    if meta.spec_hash != spec_hash {
        status.problem = Some(format!(
            "holds results of another spec (hash {}, the sweep's {spec_hash})",
            meta.spec_hash
        ));
        return Ok(status);
    }
    match read_results(&dir.join("results.csv")) {
        Ok(Some(r)) => r.rows.iter().for_each(|row| status.counts.add(row.status)),
        Ok(None) => {}
        Err(e) => status.problem = Some(e.to_string()),
    }
    status.finished = meta.finished.is_some() && status.done() == status.points;
    Ok(status)
}

impl fmt::Display for SweepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let title = self
            .name
            .as_ref()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default();
        write!(
            f,
            "{}{title}: {} of {} points done",
            self.dir.display(),
            self.done(),
            self.points_total
        )?;
        if self.shards.len() > 1 || self.shards.first().is_some_and(|s| s.shard.is_some()) {
            write!(f, " in {} shards", self.shards.len())?;
        }
        writeln!(f)?;
        if let Some(r) = &self.slurm {
            for (k, s) in r.submissions.iter().enumerate() {
                let what = if k == 0 { "submitted" } else { "resubmitted" };
                writeln!(
                    f,
                    "Slurm job {} {what} {} (array {})",
                    s.job_id, s.submitted, s.array
                )?;
            }
        }
        let rows: Vec<[String; 8]> = self
            .shards
            .iter()
            .map(|s| {
                let task = match (&s.task, &s.state) {
                    (Some(t), Some(st)) => format!("{t} {st}"),
                    (Some(t), None) if s.gone => format!("{t} gone"),
                    (Some(t), None) => t.clone(),
                    (None, _) => String::new(),
                };
                let mark = if s.finished {
                    "finished"
                } else if s.failed() {
                    "FAILED"
                } else if s.state == Some(TaskState::Pending) {
                    "pending"
                } else if s.done() > 0 || s.active() {
                    "running"
                } else {
                    "not started"
                };
                let mut last = format!("{mark:<11} {task}");
                if let Some(p) = &s.problem {
                    last.push_str(&format!(" ({p})"));
                }
                [
                    s.name(),
                    s.points.to_string(),
                    s.done().to_string(),
                    s.counts.ok.to_string(),
                    s.counts.error.to_string(),
                    s.counts.skipped.to_string(),
                    s.counts.infeasible.to_string(),
                    last.trim_end().to_string(),
                ]
            })
            .collect();
        let header = [
            "shard",
            "points",
            "done",
            "ok",
            "error",
            "skipped",
            "infeasible",
            "state",
        ]
        .map(str::to_string);
        let mut widths = header.clone().map(|h| h.len());
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        for r in std::iter::once(&header).chain(&rows) {
            let mut line = format!("{:<w$}", r[0], w = widths[0]);
            for (c, w) in r[1..7].iter().zip(&widths[1..7]) {
                line.push_str(&format!("  {c:>w$}"));
            }
            line.push_str(&format!("  {}", r[7]));
            writeln!(f, "{}", line.trim_end())?;
        }
        if let Some(note) = &self.slurm_note {
            writeln!(f, "task states unknown: {note}")?;
        }
        let failed: Vec<String> = self
            .shards
            .iter()
            .filter(|s| s.failed())
            .map(|s| s.name())
            .collect();
        if !failed.is_empty() {
            writeln!(
                f,
                "failed: {} — resubmit the unfinished shards with `--slurm --resume`",
                failed.join(", ")
            )?;
        }
        if self.merged {
            writeln!(f, "merged into {}", self.dir.join("results.csv").display())?;
        } else if self.complete() && self.shards.len() > 1 {
            writeln!(
                f,
                "every shard finished: merge them (`silica merge {0} --out {0}`)",
                self.dir.display()
            )?;
        }
        Ok(())
    }
}
