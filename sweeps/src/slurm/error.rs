//! Errors of submitting a sweep to Slurm and of reading its state.

use thiserror::Error;

use crate::SweepError;

/// A problem submitting a sweep to Slurm or reading its state.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SlurmError {
    /// The spec, an output folder or a results file (see [`SweepError`]).
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A Slurm command could not be started, or failed: the message holds its standard
    /// error. Check that this is a Slurm login node (`sinfo` works) or use a dry run.
    #[error("`{command}` {message}")]
    Command {
        /// The command line run (`sbatch --parsable …`).
        command: String,
        /// What went wrong: its exit status and standard error, or why it did not start.
        message: String,
    },
    /// The request cannot be carried out as given (a shard count that does not match the
    /// folder's, a path Slurm cannot take, a folder submitted before…). The message says
    /// what to do instead.
    #[error("{message}")]
    Request {
        /// What is wrong and what to do.
        message: String,
    },
}

impl SlurmError {
    pub(crate) fn request(message: impl Into<String>) -> Self {
        SlurmError::Request {
            message: message.into(),
        }
    }
}
