//! Joining the folders of shards (or of any runs of one spec) into one.
//!
//! A folder that contains `shard-*` subfolders stands for those subfolders, so
//! `merge(&["sweep/"], "sweep/")` joins `sweep/shard-0 … sweep/shard-N-1` into `sweep/`
//! itself — what a Slurm job array writes. Every folder must hold `meta.json`,
//! `spec.toml` and `results.csv` of the same spec (same hash); together they must hold
//! every point of the sweep exactly once. The merged `results.csv` is sorted by point id,
//! so it is byte-identical to the one an unsharded run writes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::SweepError;
use crate::engine::{id_ranges, missing_ids};
use crate::meta::{Counts, Meta, utc_now};
use crate::pareto::write_pareto;
use crate::results::{Row, read_results, render, write_atomically};
use crate::spec::Spec;

/// What a merge did.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeSummary {
    /// The folders merged, in order.
    pub dirs: Vec<PathBuf>,
    /// Points written.
    pub points: u64,
    /// Rows by status.
    pub counts: Counts,
}

/// The `shard-<i>` subfolders of `parent`, ordered by `i` (then by name).
pub fn find_shard_dirs(parent: &Path) -> Result<Vec<PathBuf>, SweepError> {
    let entries = fs::read_dir(parent).map_err(|e| SweepError::io(parent, &e))?;
    let mut dirs: Vec<(u64, String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SweepError::io(parent, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(suffix) = name.strip_prefix("shard-") else {
            continue;
        };
        if entry.path().is_dir() {
            dirs.push((suffix.parse().unwrap_or(u64::MAX), name, entry.path()));
        }
    }
    dirs.sort();
    Ok(dirs.into_iter().map(|(_, _, p)| p).collect())
}

struct Input {
    dir: PathBuf,
    meta: Meta,
    rows: Vec<Row>,
}

fn merge_err(message: String) -> SweepError {
    SweepError::Merge { message }
}

/// Merges the result folders `inputs` (a folder with `shard-*` subfolders stands for
/// them) into `out`, checking that they come from one spec and hold every point once.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeSummary, SweepError> {
    let mut dirs = Vec::new();
    for d in inputs {
        let shards = find_shard_dirs(d)?;
        if shards.is_empty() {
            dirs.push(d.clone());
        } else {
            dirs.extend(shards);
        }
    }
    if dirs.is_empty() {
        return Err(merge_err("no folders given".into()));
    }
    let first_spec = dirs[0].join("spec.toml");
    let spec = Spec::from_file(&first_spec)?;
    let mut loaded = Vec::new();
    for dir in &dirs {
        let meta = Meta::read(dir)?.ok_or_else(|| {
            merge_err(format!(
                "{} holds no meta.json: not a sweep output folder",
                dir.display()
            ))
        })?;
        let results = read_results(&dir.join("results.csv"))?;
        let rows = results.map(|r| r.rows).unwrap_or_default();
        loaded.push(Input {
            dir: dir.clone(),
            meta,
            rows,
        });
    }
    if loaded.iter().any(|i| i.meta.spec_hash != spec.hash()) {
        let list: Vec<String> = loaded
            .iter()
            .map(|i| format!("{} has {}", i.dir.display(), i.meta.spec_hash))
            .collect();
        return Err(merge_err(format!(
            "the folders come from different specs (hash of {}: {}): {}",
            first_spec.display(),
            spec.hash(),
            list.join("; ")
        )));
    }
    let total = spec.n_points();
    let mut by_id: BTreeMap<u64, (usize, &Row)> = BTreeMap::new();
    let mut doubled: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (n, input) in loaded.iter().enumerate() {
        for r in &input.rows {
            if r.id >= total {
                return Err(merge_err(format!(
                    "{} holds point {} but the spec has {total} points",
                    input.dir.display(),
                    r.id
                )));
            }
            if let Some((first, _)) = by_id.get(&r.id) {
                doubled.entry(r.id).or_insert_with(|| vec![*first]).push(n);
            } else {
                by_id.insert(r.id, (n, r));
            }
        }
    }
    let present: BTreeSet<u64> = by_id.keys().copied().collect();
    let missing = missing_ids(0..total, &present);
    if !missing.is_empty() || !doubled.is_empty() {
        return Err(merge_err(problems(&loaded, &missing, &doubled)));
    }
    let header = spec.header();
    let rows: Vec<&Row> = by_id.values().map(|(_, r)| *r).collect();
    let mut counts = Counts::default();
    rows.iter().for_each(|r| counts.add(r.status));
    fs::create_dir_all(out).map_err(|e| SweepError::io(out, &e))?;
    // A folder submitted to Slurm holds the record of its jobs (no results): the merge
    // keeps it.
    let old = Meta::read(out)?;
    if let Some(m) = &old
        && m.merged_from.is_empty()
        && m.slurm.is_none()
    {
        return Err(SweepError::Output {
            dir: out.display().to_string(),
            message: "holds a sweep run, not a merge: merge into another folder".into(),
        });
    }
    write_atomically(&out.join("results.csv"), &render(&header, &rows))?;
    write_atomically(&out.join("spec.toml"), spec.to_toml().as_bytes())?;
    write_pareto(&spec, &header, &rows, out)?;
    let started = loaded
        .iter()
        .map(|i| i.meta.started.clone())
        .min()
        .unwrap_or_else(utc_now);
    Meta {
        sweeps_version: env!("CARGO_PKG_VERSION").to_string(),
        name: spec.name().map(str::to_string),
        spec_hash: spec.hash().to_string(),
        seed: spec.seed(),
        points_total: total,
        shard: None,
        points: total,
        started,
        finished: Some(utc_now()),
        runs: 1,
        threads: 0,
        counts: Some(counts),
        merged_from: dirs.iter().map(|d| d.display().to_string()).collect(),
        slurm: old.and_then(|m| m.slurm),
    }
    .write(out)?;
    Ok(MergeSummary {
        dirs,
        points: total,
        counts,
    })
}

/// A message naming the missing and doubled points, and the shards they belong to.
fn problems(loaded: &[Input], missing: &[u64], doubled: &BTreeMap<u64, Vec<usize>>) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        let mut s = format!(
            "{} point(s) missing: {}",
            missing.len(),
            id_ranges(missing, 20)
        );
        let counts: BTreeSet<u64> = loaded
            .iter()
            .filter_map(|i| i.meta.shard.map(|s| s.count))
            .collect();
        if let (1, Some(&n)) = (counts.len(), counts.first()) {
            let owners: BTreeSet<u64> = missing.iter().map(|id| id % n).collect();
            let owners: Vec<String> = owners.iter().map(|i| format!("shard-{i}")).collect();
            s.push_str(&format!(" (of {} of {n})", owners.join(", ")));
        }
        let unfinished: Vec<String> = loaded
            .iter()
            .filter(|i| i.meta.finished.is_none())
            .map(|i| i.dir.display().to_string())
            .collect();
        if !unfinished.is_empty() {
            s.push_str(&format!(
                "; unfinished (resume them): {}",
                unfinished.join(", ")
            ));
        }
        parts.push(s);
    }
    if !doubled.is_empty() {
        let ids: Vec<u64> = doubled.keys().copied().collect();
        let (id, holders) = doubled
            .iter()
            .next()
            .map_or((0, &[][..]), |(k, v)| (*k, v.as_slice()));
        let names: Vec<String> = holders
            .iter()
            .filter_map(|n| loaded.get(*n))
            .map(|i| i.dir.display().to_string())
            .collect();
        parts.push(format!(
            "{} point(s) appear more than once: {} (point {id} is in {})",
            ids.len(),
            id_ranges(&ids, 20),
            names.join(" and ")
        ));
    }
    parts.join("; ")
}
