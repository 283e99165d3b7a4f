//! Running a sweep on a Slurm cluster: one job-array task per shard.
//!
//! Researchers' clusters run Slurm; Silica uses it as it is rather than a scheduler of its
//! own. A sweep folder `dir/` submitted with `silica sweep spec.toml --out dir/ --slurm`
//! holds:
//!
//! ```text
//! dir/meta.json              the sweep (spec hash, points) and its Slurm jobs (SlurmRecord)
//! dir/slurm/sweep.sbatch     the job array: task i runs `silica sweep spec --shard i/N
//!                            --out dir/shard-i --resume`
//! dir/slurm/shard-i.job-J.{out,err}   each task's output
//! dir/shard-0/ … shard-N-1/  each shard's results.csv, meta.json (written by the tasks)
//! ```
//!
//! [`submit`] writes the script and calls `sbatch --parsable`, then returns; the tasks
//! run when the cluster schedules them. [`sweep_status`] reads the shards' progress from
//! their files and the tasks' states from `scontrol`/`squeue`; [`submit`] with `resume`
//! resubmits only the shards that are neither finished nor still queued; once every shard
//! finished, [`crate::merge`] joins `dir/shard-*` into `dir/`. Slurm's commands go
//! through the [`Commands`] trait, so all of this is tested against recorded outputs;
//! `tests/slurm/local-cluster.sh` starts a real one-node cluster for the end-to-end test.

mod commands;
mod error;
mod job;
mod record;
mod script;
mod status;
mod submit;

pub use self::commands::{Commands, Output, SystemCommands};
pub use self::error::SlurmError;
pub use self::job::{
    JobQuery, TaskState, format_index_list, parse_index_list, parse_scontrol, parse_squeue,
    query_job,
};
pub use self::record::{Settings, SlurmRecord, Submission};
pub use self::script::{
    SCRIPT_NAME, SbatchOptions, TaskArg, TaskCommand, check_time, default_shards,
    normalize_directive, render_sbatch,
};
pub use self::status::{ShardStatus, SweepStatus, sweep_status};
pub use self::submit::{SubmitOutcome, SubmitRequest, submit};
