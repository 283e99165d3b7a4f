//! A one-node Slurm cluster for tests, started by `local-cluster.sh` in a temporary folder
//! and stopped on drop (also when a test fails). Shared by the `sweeps` crate's test and
//! the CLI's test, which include this file with `#[path]`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A running cluster.
pub struct Cluster {
    script: PathBuf,
    dir: tempfile::TempDir,
    /// `SLURM_CONF` and friends, for every Slurm command and task.
    pub env: Vec<(String, String)>,
}

impl Cluster {
    /// Starts the cluster with `script` (`tests/slurm/local-cluster.sh`); `None` (after
    /// printing why) where Slurm cannot be installed (the script exits with 77).
    pub fn start(script: &Path) -> Option<Cluster> {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Instant::now();
        let out = Command::new("bash")
            .arg(script)
            .arg("start")
            .env("SILICA_SLURM_DIR", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => {}
            Some(77) => {
                eprintln!(
                    "SKIPPED: the Slurm test needs Slurm, and it cannot be installed here: {stderr}"
                );
                return None;
            }
            _ => panic!("local-cluster.sh start failed: {stderr}"),
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let (k, v) = l.strip_prefix("export ")?.split_once('=')?;
                Some((k.to_string(), v.trim_matches('\'').to_string()))
            })
            .collect::<Vec<_>>();
        assert!(
            env.iter().any(|(k, _)| k == "SLURM_CONF"),
            "no SLURM_CONF in {env:?}"
        );
        eprintln!("slurm cluster up in {:.1} s", t0.elapsed().as_secs_f64());
        Some(Cluster {
            script: script.to_path_buf(),
            dir,
            env,
        })
    }

    /// `program args…` with this cluster's environment.
    #[allow(dead_code)] // used by one of the two including tests
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .env("SILICA_SLURM_DIR", self.dir.path())
            .output();
        if let Ok(o) = out
            && !o.status.success()
        {
            eprintln!(
                "local-cluster.sh stop: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
