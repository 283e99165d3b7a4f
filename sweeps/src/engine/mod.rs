//! Running a sweep: every point of the spec (or of one shard) in parallel, rows appended
//! as they finish, resumable after a kill, sorted at the end.
//!
//! Output folder:
//! - `results.csv` — one row per point (see [`crate::results`]), appended and flushed per
//!   point while running (one `write` each: a kill, even `kill -9`, loses at most the
//!   points in flight and leaves at most one partial last line), rewritten sorted by point
//!   id at the end (temporary file + rename). The final file depends only on the spec and
//!   the evaluator: byte-identical for any thread count, and for shards merged.
//! - `spec.toml` — the resolved spec ([`Spec::to_toml`]).
//! - `meta.json` — see [`crate::meta::Meta`].
//! - `pareto.csv` — the rows on the Pareto front of the objectives (if any).
//!
//! With `resume`, rows already in `results.csv` (any status) are kept, a partial last line
//! is dropped, and only the missing points are evaluated. Without it, a folder that already
//! holds a run is refused.

mod progress;
mod row;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::progress::Progress;
pub(crate) use self::row::evaluate_row;
use crate::SweepError;
use crate::meta::{Counts, Meta, utc_now};
use crate::pareto::write_pareto;
use crate::point::ResolvedPoint;
use crate::results::{Row, csv_line, read_results, render, write_atomically};
use crate::spec::Spec;

/// Evaluates one design point: returns metric name → value (units in the names). `Err`
/// or a panic becomes the point's `error` row; the sweep goes on. Must be deterministic
/// in the point (use [`ResolvedPoint::seed`] for any randomness) so that results do not
/// depend on the thread count or on sharding.
pub trait Evaluator: Sync {
    /// Evaluates `point`. Metrics not modelled for this point may be `f64::NAN`.
    fn evaluate(&self, point: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String>;

    /// Checks, before anything runs, that points of this spec can be evaluated (the
    /// architecture loads and takes the overrides, the workload is known…), so a typo
    /// stops the sweep at once instead of filling every row with the same error. Called on
    /// the first point to evaluate. The default accepts everything.
    fn check(&self, point: &ResolvedPoint) -> Result<(), String> {
        let _ = point;
        Ok(())
    }
}

impl<F> Evaluator for F
where
    F: Fn(&ResolvedPoint) -> Result<BTreeMap<String, f64>, String> + Sync,
{
    fn evaluate(&self, point: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String> {
        self(point)
    }
}

/// Shard `index` of `count`: the points whose id `% count == index` (round-robin, so
/// each shard gets a share of every region of the design space and similar run time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// This shard, `0 ≤ index < count`.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// Shard `index` of `count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, SweepError> {
        if count == 0 || index >= count {
            return Err(SweepError::Options {
                message: format!("shard {index}/{count}: need 0 ≤ i < N (e.g. `0/4` … `3/4`)"),
            });
        }
        Ok(Shard { index, count })
    }

    /// Whether point `id` belongs to this shard.
    pub fn contains(&self, id: u64) -> bool {
        id % self.count == self.index
    }

    /// The folder name of this shard inside a sweep folder: `shard-<index>` (what
    /// [`crate::merge`] looks for; a Slurm array task `i` writes `dir/shard-i`).
    pub fn dir_name(&self) -> String {
        format!("shard-{}", self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = SweepError;
    /// Parses `i/N`.
    fn from_str(s: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Options {
            message: format!("shard `{s}`: expected `i/N` with 0 ≤ i < N, e.g. `2/8`"),
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n)
    }
}

/// How to run a sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Worker threads; 0 = rayon's default (`RAYON_NUM_THREADS` or the number of cores).
    pub threads: usize,
    /// Complete an interrupted run in the same folder instead of refusing it.
    pub resume: bool,
    /// Run only this shard (write each shard to its own folder).
    pub shard: Option<Shard>,
    /// Show progress on stderr (a bar on a terminal, plain lines otherwise).
    pub progress: bool,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Points in the whole sweep.
    pub points_total: u64,
    /// Points of this run's share (all, or the shard's).
    pub points: u64,
    /// Points found already done (resume).
    pub resumed: u64,
    /// Points evaluated by this run.
    pub evaluated: u64,
    /// Whether a partial last line (a kill mid-write) was dropped.
    pub dropped_partial: bool,
    /// Rows by status in the final file.
    pub counts: Counts,
    /// Wall time of this run.
    pub elapsed: Duration,
}

struct Writer {
    file: fs::File,
    rows: Vec<Row>,
    error: Option<std::io::Error>,
}

/// Runs `spec` with `evaluator` into `out_dir` (created if missing). See the module docs.
pub fn run_sweep<E: Evaluator + ?Sized>(
    spec: &Spec,
    evaluator: &E,
    out_dir: &Path,
    options: &RunOptions,
) -> Result<RunSummary, SweepError> {
    let start = Instant::now();
    let total = spec.n_points();
    let shard = options.shard;
    let own = |id: u64| shard.is_none_or(|s| s.contains(id));
    let own_count = match shard {
        None => total,
        Some(s) => total / s.count + u64::from(s.index < total % s.count),
    };
    let dir_s = out_dir.display().to_string();
    let out_err = |message: String| SweepError::Output {
        dir: dir_s.clone(),
        message,
    };
    let results_path = out_dir.join("results.csv");
    let old_meta = Meta::read(out_dir)?;
    let existing = read_results(&results_path)?;
    if !options.resume && (old_meta.is_some() || existing.is_some()) {
        return Err(out_err(
            "already holds a sweep run: resume it, or choose another folder".into(),
        ));
    }
    if let Some(m) = &old_meta {
        if m.spec_hash != spec.hash() {
            return Err(out_err(format!(
                "holds results of another spec (hash {}, this spec {}): choose another folder",
                m.spec_hash,
                spec.hash()
            )));
        }
        if m.shard != shard {
            let show = |s: Option<Shard>| {
                s.map_or("the whole sweep".to_string(), |s| format!("shard {s}"))
            };
            return Err(out_err(format!(
                "holds {}, not {}",
                show(m.shard),
                show(shard)
            )));
        }
    }
    let header = spec.header();
    let mut done: BTreeMap<u64, Row> = BTreeMap::new();
    let (valid_len, dropped_partial) = match &existing {
        None => (None, false),
        Some(f) => {
            if f.header != header {
                return Err(out_err(
                    "results.csv has other columns than this spec's: choose another folder".into(),
                ));
            }
            for r in &f.rows {
                if r.id >= total || !own(r.id) {
                    return Err(out_err(format!(
                        "results.csv holds point {} which is not part of this run",
                        r.id
                    )));
                }
                if let Some(prev) = done.get(&r.id)
                    && prev.line != r.line
                {
                    return Err(out_err(format!(
                        "results.csv holds point {} twice, with different values",
                        r.id
                    )));
                }
                done.insert(r.id, r.clone());
            }
            (Some(f.valid_len), f.dropped_partial)
        }
    };
    let todo: Vec<u64> = (0..total)
        .filter(|id| own(*id) && !done.contains_key(id))
        .collect();

    // Check the first point that will be evaluated before writing anything.
    if let Some(first) = todo.iter().find(|id| {
        matches!(
            spec.check_point(&spec.axis_values(**id)),
            Ok(crate::spec::Verdict::Pass)
        )
    }) && let Ok(p) = spec.point(*first)
    {
        evaluator.check(&p).map_err(|message| SweepError::Check {
            location: spec
                .locate(&message)
                .map(|at| format!("{at}: "))
                .unwrap_or_default(),
            point: *first,
            message,
        })?;
    }

    fs::create_dir_all(out_dir).map_err(|e| SweepError::io(out_dir, &e))?;
    write_atomically(&out_dir.join("spec.toml"), spec.to_toml().as_bytes())?;
    let threads = if options.threads == 0 {
        rayon::current_num_threads()
    } else {
        options.threads
    };
    let mut meta = Meta {
        sweeps_version: env!("CARGO_PKG_VERSION").to_string(),
        name: spec.name().map(str::to_string),
        spec_hash: spec.hash().to_string(),
        seed: spec.seed(),
        points_total: total,
        shard,
        points: own_count,
        started: old_meta
            .as_ref()
            .map_or_else(utc_now, |m| m.started.clone()),
        finished: None,
        runs: old_meta.as_ref().map_or(1, |m| m.runs + 1),
        threads,
        counts: None,
        merged_from: Vec::new(),
        slurm: None,
    };
    meta.write(out_dir)?;

    let file = open_for_append(&results_path, valid_len, &header)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError::Options {
            message: format!("cannot start {threads} worker threads: {e}"),
        })?;
    let progress = Progress::new(options.progress, todo.len() as u64, done.len() as u64);
    let writer = Mutex::new(Writer {
        file,
        rows: Vec::with_capacity(todo.len()),
        error: None,
    });
    pool.install(|| {
        todo.par_iter().for_each(|id| {
            let row = evaluate_row(spec, evaluator, *id);
            if let Ok(mut w) = writer.lock() {
                if w.error.is_none()
                    && let Err(e) = w.file.write_all(row.line.as_bytes())
                {
                    w.error = Some(e);
                }
                w.rows.push(row);
            }
            progress.tick();
        });
    });
    progress.finish();
    let w = writer.into_inner().map_err(|_| SweepError::Options {
        message: "a worker thread died while writing results".into(),
    })?;
    if let Some(e) = w.error {
        return Err(SweepError::io(&results_path, &e));
    }
    drop(w.file);
    let evaluated = w.rows.len() as u64;
    for r in w.rows {
        done.insert(r.id, r);
    }
    let rows: Vec<&Row> = done.values().collect();
    let mut counts = Counts::default();
    rows.iter().for_each(|r| counts.add(r.status));
    let resumed = done.len() as u64 - evaluated;
    write_atomically(&results_path, &render(&header, &rows))?;
    write_pareto(spec, &header, &rows, out_dir)?;
    meta.finished = Some(utc_now());
    meta.counts = Some(counts);
    meta.write(out_dir)?;
    Ok(RunSummary {
        points_total: total,
        points: own_count,
        resumed,
        evaluated,
        dropped_partial,
        counts,
        elapsed: start.elapsed(),
    })
}

/// Opens `results.csv` for appending: cut to its complete lines when resuming, created
/// with the header otherwise.
fn open_for_append(
    path: &Path,
    valid_len: Option<u64>,
    header: &[String],
) -> Result<fs::File, SweepError> {
    let io = |e: std::io::Error| SweepError::io(path, &e);
    match valid_len {
        Some(len) => {
            let f = OpenOptions::new().write(true).open(path).map_err(io)?;
            f.set_len(len).map_err(io)?;
            drop(f);
            OpenOptions::new().append(true).open(path).map_err(io)
        }
        None => {
            let mut f = fs::File::create(path).map_err(io)?;
            f.write_all(csv_line(header).as_bytes()).map_err(io)?;
            Ok(f)
        }
    }
}

/// Ids that `rows` should hold but do not (`expected` minus present), for messages.
pub(crate) fn missing_ids(
    expected: impl Iterator<Item = u64>,
    present: &BTreeSet<u64>,
) -> Vec<u64> {
    expected.filter(|id| !present.contains(id)).collect()
}

/// `0, 1, 2, 5, 7, 8` → `0–2, 5, 7–8`, at most `limit` items then `…`.
pub(crate) fn id_ranges(ids: &[u64], limit: usize) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            ids[i].to_string()
        } else {
            format!("{}–{}", ids[i], ids[j])
        });
        i = j + 1;
    }
    let more = parts.len() > limit;
    parts.truncate(limit);
    let mut s = parts.join(", ");
    if more {
        s.push_str(", …");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(id_ranges(&[0, 1, 2, 5, 7, 8], 10), "0–2, 5, 7–8");
        assert_eq!(id_ranges(&[1, 3, 5], 2), "1, 3, …");
        assert_eq!(id_ranges(&[], 2), "");
    }

    #[test]
    fn shards() {
        assert_eq!(
            "2/8".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 8 }
        );
        assert!("8/8".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        assert!(Shard::new(1, 3).unwrap().contains(7));
    }
}
