//! What `meta.json` of a sweep folder records about its Slurm jobs.

use serde::{Deserialize, Serialize};

/// The Slurm side of a sweep folder: the script and every submission of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmRecord {
    /// The batch script, relative to the folder (`slurm/sweep.sbatch`).
    pub script: String,
    /// Number of shards (array tasks `0..shards`).
    pub shards: u64,
    /// Submissions, oldest first: the first covers every shard, resubmissions
    /// (`--resume`) the unfinished ones.
    pub submissions: Vec<Submission>,
}

/// One `sbatch` of the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The array job id `sbatch --parsable` printed (task `i` is `<job_id>_<i>`).
    pub job_id: String,
    /// The cluster, when `sbatch` named one (federations, `--clusters`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The `--array` list submitted (`0-3`, `1,3`).
    pub array: String,
    /// The shards submitted (the array task ids).
    pub shards: Vec<u64>,
    /// When it was submitted (UTC, ISO 8601).
    pub submitted: String,
    /// The `#SBATCH` settings it was submitted with (a resubmission keeps them unless the
    /// command line gives new ones).
    #[serde(default)]
    pub settings: Settings,
}

/// The `#SBATCH` settings of one submission, as resolved from the command line and the
/// spec's `[slurm]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `--partition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `--time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `--cpus-per-task`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus_per_task: Option<u32>,
    /// Further directives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

impl SlurmRecord {
    /// The latest submission that ran shard `index`, if any.
    pub fn latest_for(&self, index: u64) -> Option<&Submission> {
        self.submissions
            .iter()
            .rev()
            .find(|s| s.shards.contains(&index))
    }
}
