//! Running Slurm's commands (`sbatch`, `squeue`, `scontrol`) behind a trait, so the logic
//! around them is tested with recorded outputs and no cluster.

use std::process::{Command, Stdio};

use super::SlurmError;

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The exit status (`None`: ended by a signal).
    pub status: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Whether the command exited with status 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }
}

/// Runs external commands. [`SystemCommands`] runs them for real; tests hand in fakes.
pub trait Commands {
    /// Runs `program` with `args` (standard input empty) and waits for it. `Err` when it
    /// cannot be started (not installed); a non-zero exit is an `Ok` [`Output`].
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Output>;
}

/// Runs commands with [`std::process::Command`], found on `PATH`, in the caller's
/// environment (so `SLURM_CONF` and the like apply) plus `env`.
#[derive(Debug, Clone, Default)]
pub struct SystemCommands {
    /// Variables set for every command (e.g. `SLURM_CONF` of a test cluster).
    pub env: Vec<(String, String)>,
}

impl Commands for SystemCommands {
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Output> {
        let out = Command::new(program)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()?;
        Ok(Output {
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// `program args…` as one line, for messages.
pub(crate) fn command_line(program: &str, args: &[String]) -> String {
    std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command that must succeed: its standard output, or an error naming the command
/// with its exit status and standard error.
pub(crate) fn run_ok(
    commands: &dyn Commands,
    program: &str,
    args: &[String],
) -> Result<String, SlurmError> {
    let err = |message: String| SlurmError::Command {
        command: command_line(program, args),
        message,
    };
    let out = commands.run(program, args).map_err(|e| {
        err(if e.kind() == std::io::ErrorKind::NotFound {
            format!("cannot be run: `{program}` is not installed here (not a Slurm login node?)")
        } else {
            format!("cannot be run: {e}")
        })
    })?;
    if !out.success() {
        let status = out
            .status
            .map_or_else(|| "was killed".to_string(), |c| format!("exited with {c}"));
        let stderr = out.stderr.trim();
        let mut message = if stderr.is_empty() {
            status
        } else {
            format!(
                "{status}: {}",
                stderr.lines().collect::<Vec<_>>().join(" | ")
            )
        };
        if no_cluster(stderr) {
            message.push_str(
                " (no Slurm cluster is reachable from here: run on the cluster's login node, \
                 or set SLURM_CONF to its slurm.conf",
            );
            message.push_str(if program == "sbatch" {
                "; or pass --dry-run to only write the script)"
            } else {
                ")"
            });
        }
        return Err(err(message));
    }
    Ok(out.stdout)
}

/// Whether a Slurm command's standard error says it found no cluster: no configuration
/// (`Could not establish a configuration source`, Slurm ≥ 21.08 without `slurm.conf`) or
/// no controller answering.
fn no_cluster(stderr: &str) -> bool {
    [
        "Could not establish a configuration source",
        "Unable to contact slurm controller",
        "Unable to establish controller machine",
    ]
    .iter()
    .any(|m| stderr.contains(m))
}
