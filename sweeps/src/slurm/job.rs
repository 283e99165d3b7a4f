//! The state of a job array's tasks, read from `scontrol -o show job JOB` (every task
//! Slurm still remembers, finished ones included for `MinJobAge` seconds — default 300)
//! or, where `scontrol` fails, `squeue -h -r -j JOB -o %K|%T` (pending and running ones
//! only). Neither needs accounting (`sacct`), which many small clusters lack.

use std::collections::BTreeMap;
use std::fmt;

use super::commands::{Commands, command_line};

/// A Slurm job state (`JobState=` of `scontrol`, `%T` of `squeue`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskState {
    /// Waiting for resources (`PENDING`).
    Pending,
    /// Running (`RUNNING`, also `CONFIGURING`, `SUSPENDED`, `REQUEUED`, `RESIZING`…).
    Running,
    /// Finished, cleaning up (`COMPLETING`).
    Completing,
    /// Exited with status 0 (`COMPLETED`).
    Completed,
    /// Exited with a non-zero status (`FAILED`).
    Failed,
    /// Cancelled by a user or an administrator (`CANCELLED`).
    Cancelled,
    /// Reached its time limit (`TIMEOUT`): raise `--time` and resume.
    Timeout,
    /// Exceeded its memory (`OUT_OF_MEMORY`).
    OutOfMemory,
    /// Its node failed (`NODE_FAIL`, `BOOT_FAIL`).
    NodeFail,
    /// Preempted by a higher-priority job (`PREEMPTED`).
    Preempted,
    /// Another terminal state (`DEADLINE`, `REVOKED`, `SPECIAL_EXIT`…), as Slurm wrote it.
    Other(String),
}

impl TaskState {
    /// The state for Slurm's word (long or short form, `CANCELLED by 0` accepted).
    pub fn parse(word: &str) -> TaskState {
        let w = word.split_whitespace().next().unwrap_or("");
        match w.trim_end_matches('+') {
            "PENDING" | "PD" => TaskState::Pending,
            "RUNNING" | "R" | "CONFIGURING" | "CF" | "SUSPENDED" | "S" | "REQUEUED" | "RQ"
            | "REQUEUE_FED" | "REQUEUE_HOLD" | "RESIZING" | "RS" | "SIGNALING" | "SI"
            | "STAGE_OUT" | "SO" | "RESV_DEL_HOLD" | "RD" => TaskState::Running,
            "COMPLETING" | "CG" => TaskState::Completing,
            "COMPLETED" | "CD" => TaskState::Completed,
            "FAILED" | "F" => TaskState::Failed,
            "CANCELLED" | "CA" => TaskState::Cancelled,
            "TIMEOUT" | "TO" => TaskState::Timeout,
            "OUT_OF_MEMORY" | "OOM" => TaskState::OutOfMemory,
            "NODE_FAIL" | "NF" | "BOOT_FAIL" | "BF" => TaskState::NodeFail,
            "PREEMPTED" | "PR" => TaskState::Preempted,
            other => TaskState::Other(other.to_string()),
        }
    }

    /// Whether the task may still write to its shard (pending, running or completing):
    /// such a shard must not be resubmitted.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            TaskState::Pending | TaskState::Running | TaskState::Completing
        )
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            TaskState::Pending => "PENDING",
            TaskState::Running => "RUNNING",
            TaskState::Completing => "COMPLETING",
            TaskState::Completed => "COMPLETED",
            TaskState::Failed => "FAILED",
            TaskState::Cancelled => "CANCELLED",
            TaskState::Timeout => "TIMEOUT",
            TaskState::OutOfMemory => "OUT_OF_MEMORY",
            TaskState::NodeFail => "NODE_FAIL",
            TaskState::Preempted => "PREEMPTED",
            TaskState::Other(s) => s,
        };
        f.write_str(s)
    }
}

/// Parses an array index list as Slurm writes it: `0-3`, `1,3,5-7`, `[2-3]`, with an
/// optional throttle `%N` (ignored).
pub fn parse_index_list(s: &str) -> Result<Vec<u64>, String> {
    let body = s.split('%').next().unwrap_or("");
    let body = body.trim().trim_start_matches('[').trim_end_matches(']');
    let bad = || format!("`{s}` is not an array index list such as `0-3` or `1,3`");
    let mut out = Vec::new();
    for part in body.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (u64, u64) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        if b < a || b - a > 1_000_000 {
            return Err(bad());
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Formats sorted indices as Slurm's `--array` list: `0-3`, `1,3,5-7`.
pub fn format_index_list(indices: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The value of `Key=` among the space-separated fields of one `scontrol -o` line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// Task states of array job `job_id` from `scontrol -o show job` output (one line per
/// task, pending tasks grouped as `ArrayTaskId=2-3`). Lines of other jobs are ignored.
pub fn parse_scontrol(text: &str, job_id: &str) -> BTreeMap<u64, TaskState> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if field(line, "ArrayJobId") != Some(job_id) {
            continue;
        }
        let (Some(tasks), Some(state)) = (field(line, "ArrayTaskId"), field(line, "JobState"))
        else {
            continue;
        };
        if let Ok(ids) = parse_index_list(tasks) {
            for id in ids {
                out.insert(id, TaskState::parse(state));
            }
        }
    }
    out
}

/// Task states from `squeue -h -r -o %K|%T` output (`2|RUNNING` per line; `%K` is the
/// array task id, a list for grouped pending tasks).
pub fn parse_squeue(text: &str) -> BTreeMap<u64, TaskState> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some((tasks, state)) = line.trim().split_once('|') else {
            continue;
        };
        if let Ok(ids) = parse_index_list(tasks) {
            for id in ids {
                out.insert(id, TaskState::parse(state));
            }
        }
    }
    out
}

/// What Slurm says about one job array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobQuery {
    /// The states of the tasks Slurm knows. A task missing from the map has left Slurm's
    /// memory (finished more than `MinJobAge` ago) or, with `squeue`, simply finished.
    Known(BTreeMap<u64, TaskState>),
    /// Slurm answered that it does not know the job: it finished long ago (or was never
    /// submitted to this cluster).
    Forgotten,
    /// Slurm could not be asked (no `scontrol`/`squeue`, no controller): the message says
    /// why.
    Unreachable(String),
}

/// Asks Slurm for the states of the tasks of array job `job_id`: `scontrol -o show job`,
/// then `squeue` if `scontrol` cannot be run.
pub fn query_job(commands: &dyn Commands, job_id: &str) -> JobQuery {
    let args: Vec<String> = ["-o", "show", "job", job_id].map(str::to_string).to_vec();
    let why = match commands.run("scontrol", &args) {
        Ok(out) if out.success() => return JobQuery::Known(parse_scontrol(&out.stdout, job_id)),
        Ok(out) if out.stderr.contains("Invalid job id") => return JobQuery::Forgotten,
        Ok(out) => format!(
            "`{}` failed: {}",
            command_line("scontrol", &args),
            out.stderr.trim()
        ),
        Err(e) => format!("`scontrol` cannot be run: {e}"),
    };
    let args: Vec<String> = ["-h", "-r", "-j", job_id, "-o", "%K|%T"]
        .map(str::to_string)
        .to_vec();
    match commands.run("squeue", &args) {
        Ok(out) if out.success() => JobQuery::Known(parse_squeue(&out.stdout)),
        Ok(out) if out.stderr.contains("Invalid job id") => JobQuery::Forgotten,
        _ => JobQuery::Unreachable(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as `scontrol -o show job 7` prints them on Slurm 22.05 for a 4-task array
    /// with task 0 done, 1 running, 2 cancelled, 3 pending (fields shortened).
    const SCONTROL: &str = "\
JobId=8 ArrayJobId=7 ArrayTaskId=0 JobName=silica-dse UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0
JobId=9 ArrayJobId=7 ArrayTaskId=1 JobName=silica-dse UserId=root(0) JobState=RUNNING Reason=None ExitCode=0:0
JobId=10 ArrayJobId=7 ArrayTaskId=2 JobName=silica-dse UserId=root(0) JobState=CANCELLED Reason=None ExitCode=0:15
JobId=7 ArrayJobId=7 ArrayTaskId=3%2 JobName=silica-dse UserId=root(0) JobState=PENDING Reason=JobArrayTaskLimit
JobId=12 ArrayJobId=11 ArrayTaskId=0 JobName=other JobState=RUNNING
";

    #[test]
    fn scontrol_lines() {
        let states = parse_scontrol(SCONTROL, "7");
        assert_eq!(
            states.into_iter().collect::<Vec<_>>(),
            [
                (0, TaskState::Completed),
                (1, TaskState::Running),
                (2, TaskState::Cancelled),
                (3, TaskState::Pending),
            ]
        );
    }

    #[test]
    fn squeue_lines() {
        let states = parse_squeue("1|RUNNING\n[2-3]|PENDING\n");
        assert_eq!(states.len(), 3);
        assert_eq!(states[&3], TaskState::Pending);
        assert!(states[&1].is_active());
    }

    #[test]
    fn index_lists() {
        assert_eq!(parse_index_list("0-3").unwrap(), [0, 1, 2, 3]);
        assert_eq!(parse_index_list("[1,3,5-6]%2").unwrap(), [1, 3, 5, 6]);
        assert!(parse_index_list("3-1").is_err());
        assert!(parse_index_list("a").is_err());
        assert_eq!(format_index_list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(format_index_list(&[1, 3, 5, 6, 7]), "1,3,5-7");
        assert_eq!(format_index_list(&[]), "");
    }

    #[test]
    fn states() {
        assert_eq!(TaskState::parse("CANCELLED by 0"), TaskState::Cancelled);
        assert_eq!(TaskState::parse("CA+"), TaskState::Cancelled);
        assert_eq!(TaskState::parse("TIMEOUT"), TaskState::Timeout);
        assert_eq!(
            TaskState::parse("DEADLINE"),
            TaskState::Other("DEADLINE".into())
        );
        assert!(!TaskState::Failed.is_active());
        assert_eq!(TaskState::OutOfMemory.to_string(), "OUT_OF_MEMORY");
    }
}
