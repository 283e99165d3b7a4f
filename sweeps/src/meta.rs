//! `meta.json`: what produced an output folder (crate version, spec hash, seed, shard,
//! times, counts). Written when a run starts and rewritten when it ends, each time
//! atomically.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::SweepError;
use crate::engine::Shard;
use crate::results::write_atomically;

/// Counts of rows by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Rows with status `ok`.
    pub ok: u64,
    /// Rows with status `error`.
    pub error: u64,
    /// Rows with status `skipped`.
    pub skipped: u64,
    /// Rows with status `infeasible`.
    pub infeasible: u64,
}

impl Counts {
    /// Adds one row of `status`.
    pub fn add(&mut self, status: crate::Status) {
        match status {
            crate::Status::Ok => self.ok += 1,
            crate::Status::Error => self.error += 1,
            crate::Status::Skipped => self.skipped += 1,
            crate::Status::Infeasible => self.infeasible += 1,
        }
    }

    /// All rows.
    pub fn total(&self) -> u64 {
        self.ok + self.error + self.skipped + self.infeasible
    }
}

/// The content of `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Version of the `sweeps` crate that wrote the folder.
    pub sweeps_version: String,
    /// The spec's name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// [`crate::Spec::hash`] of the spec.
    pub spec_hash: String,
    /// The sweep seed.
    pub seed: u64,
    /// Points in the whole sweep.
    pub points_total: u64,
    /// This folder's shard (`None`: the whole sweep, or a merge).
    pub shard: Option<Shard>,
    /// Points this folder is responsible for.
    pub points: u64,
    /// When the first run into this folder started (UTC, ISO 8601).
    pub started: String,
    /// When the last run finished (`None` while running or after a kill).
    pub finished: Option<String>,
    /// Number of runs into this folder (1 + resumes).
    pub runs: u32,
    /// Worker threads of the last run.
    pub threads: usize,
    /// Rows by status, once finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    /// For a merged folder: the folders merged, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// For a sweep submitted to Slurm (`silica sweep --slurm`): the jobs, kept through
    /// the merge of its shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm: Option<crate::slurm::SlurmRecord>,
}

impl Meta {
    /// Reads `dir/meta.json`; `Ok(None)` if absent.
    pub fn read(dir: &Path) -> Result<Option<Meta>, SweepError> {
        let path = dir.join("meta.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SweepError::io(&path, &e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| SweepError::Results {
                file: path.display().to_string(),
                line: Some(e.line()),
                message: e.to_string(),
            })
    }

    /// Writes `dir/meta.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        let path = dir.join("meta.json");
        let mut text = serde_json::to_string_pretty(self).map_err(|e| SweepError::Results {
            file: path.display().to_string(),
            line: None,
            message: e.to_string(),
        })?;
        text.push('\n');
        write_atomically(&path, text.as_bytes())
    }
}

/// The current time, UTC, as `YYYY-MM-DDThh:mm:ssZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_iso8601(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian calendar;
/// days to civil date by Howard Hinnant's `civil_from_days`).
pub fn utc_iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(utc_iso8601(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 12:34:56 UTC = 951 827 696 s (a leap day in a century leap year).
        assert_eq!(utc_iso8601(951_827_696), "2000-02-29T12:34:56Z");
        // 2024-12-31 23:59:59 UTC = 1 735 689 599 s.
        assert_eq!(utc_iso8601(1_735_689_599), "2024-12-31T23:59:59Z");
    }
}
