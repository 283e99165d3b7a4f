//! `silica sweep --slurm`, `silica status` and `silica merge` on a real one-node Slurm
//! cluster (`tests/slurm/local-cluster.sh`, Debian's Slurm, started and stopped here):
//! a 4-shard array merges to the bytes of the same sweep run locally; a shard cancelled
//! mid-run is the only one `--resume` resubmits, and the sweep then completes. Skipped
//! with a message only where the script cannot have Slurm (not root, no registry).

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use super::cli::silica;

/// GEMMs of 512 and 640 rows on a 16 × 16 output-stationary array with every DRAM
/// transfer simulated burst by burst (`dram.fast_path_min_bytes` above any transfer):
/// ≈ 0.1–0.2 s a point here, so a shard of 12 points runs for seconds and can be
/// cancelled mid-run. 4 buffer sizes × 3 channel counts × 2 clock rates × 2 row counts
/// = 48 points.
const SPEC: &str = r#"
name = "slurm test"
metrics = ["latency_s", "energy_j", "utilization"]
[base]
arch = "generic-os-128"
[base.arch_set]
"pe_array.rows" = 16
"pe_array.cols" = 16
"pe_array.dataflow" = "os"
"dram.fast_path_min_bytes" = 1073741824
[base.workload]
kind = "kernel"
op = "gemm"
m = 512
k = 512
n = 512
[[axis]]
key = "arch.global_buffer.size_kib"
values = [64, 128, 256, 512]
[[axis]]
key = "arch.dram.channels"
values = [4, 8, 16]
[[axis]]
key = "arch.clock_mhz"
values = [500.0, 1000.0]
[[axis]]
key = "workload.m"
values = [512, 640]
"#;

#[path = "../slurm/cluster.rs"]
mod cluster;
use cluster::Cluster;

/// Starts the repository's local cluster.
fn start() -> Option<Cluster> {
    Cluster::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/local-cluster.sh"))
}

/// `silica args…` with the cluster's environment; its standard output.
fn silica_on(cluster: &Cluster, args: &[&str]) -> String {
    let mut c = silica();
    c.envs(cluster.env.iter().map(|(k, v)| (k, v)));
    ok(c.args(args).output().unwrap())
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The job id in a `submitted Slurm job J: …` line.
fn job_id(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("submitted Slurm job "))
        .and_then(|r| r.split(':').next())
        .unwrap_or_else(|| panic!("no job id in {stdout}"))
        .to_string()
}

/// Polls `squeue -h -j JOB` every 0.25 s until the job has left the queue (60 s at most).
fn wait_for_job(cluster: &Cluster, job: &str) {
    let t0 = Instant::now();
    loop {
        let out = cluster
            .command("squeue")
            .args(["-h", "-j", job])
            .output()
            .unwrap();
        if out.status.success() && out.stdout.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "job {job} still queued after 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn rows(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("results.csv"))
        .map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn sweep_on_slurm_merges_to_the_local_result_and_resumes_a_cancelled_shard() {
    let Some(cluster) = start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let spec = work.path().join("spec.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    let dir = |name: &str| work.path().join(name).to_str().unwrap().to_string();

    let local = dir("local");
    ok(silica()
        .args([
            "sweep",
            spec,
            "--out",
            &local,
            "--quiet",
            "--no-plots",
            "--threads",
            "2",
        ])
        .output()
        .unwrap());
    let local_csv = std::fs::read(Path::new(&local).join("results.csv")).unwrap();
    assert_eq!(rows(Path::new(&local)), 48);

    // 1. --dry-run writes the script only.
    let dry = dir("dry");
    let out = silica_on(
        &cluster,
        &[
            "sweep",
            spec,
            "--out",
            &dry,
            "--slurm",
            "--shards",
            "4",
            "--dry-run",
        ],
    );
    assert!(
        out.contains("dry run: nothing submitted; would submit shards 0-3"),
        "{out}"
    );
    let script = std::fs::read_to_string(Path::new(&dry).join("slurm/sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-3\n"), "{script}");
    assert!(!Path::new(&dry).join("meta.json").exists());

    // 2. Four shards as one array, merged: the local run's bytes.
    let t0 = Instant::now();
    let array = dir("array");
    let out = silica_on(
        &cluster,
        &["sweep", spec, "--out", &array, "--slurm", "--shards", "4"],
    );
    wait_for_job(&cluster, &job_id(&out));
    let status = silica_on(&cluster, &["status", &array]);
    assert!(
        status.contains("48 of 48 points done in 4 shards"),
        "{status}"
    );
    assert_eq!(status.matches(" finished ").count(), 4, "{status}");
    let merged = silica_on(&cluster, &["merge", &array, "--out", &array, "--no-plots"]);
    assert!(merged.contains("48 points"), "{merged}");
    assert_eq!(
        std::fs::read(Path::new(&array).join("results.csv")).unwrap(),
        local_csv
    );
    eprintln!(
        "4-shard Slurm sweep and merge: {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 3. Cancel shard 1 after its first row, resume: only shard 1 is resubmitted.
    let t0 = Instant::now();
    let cancelled = dir("cancelled");
    let out = silica_on(
        &cluster,
        &[
            "sweep", spec, "--out", &cancelled, "--slurm", "--shards", "4",
        ],
    );
    let job = job_id(&out);
    let shard1 = Path::new(&cancelled).join("shard-1");
    while rows(&shard1) < 1 {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "shard 1 wrote no row"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let scancel = cluster
        .command("scancel")
        .arg(format!("{job}_1"))
        .output()
        .unwrap();
    assert!(scancel.status.success(), "{scancel:?}");
    wait_for_job(&cluster, &job);
    let status = silica_on(&cluster, &["status", &cancelled]);
    assert!(status.contains(&format!("{job}_1 CANCELLED")), "{status}");
    assert!(status.contains("failed: shard-1 "), "{status}");
    let done = rows(&shard1);
    assert!(
        (1..12).contains(&done),
        "shard 1 wrote {done} of its 12 rows before the cancel"
    );

    let out = silica_on(
        &cluster,
        &["sweep", spec, "--out", &cancelled, "--slurm", "--resume"],
    );
    assert!(
        out.contains("finished: 0,2-3; still pending or running: none"),
        "{out}"
    );
    assert!(out.contains(": shards 1 (array 1)"), "{out}");
    wait_for_job(&cluster, &job_id(&out));
    let merged = silica_on(
        &cluster,
        &["merge", &cancelled, "--out", &cancelled, "--no-plots"],
    );
    assert!(merged.contains("48 points"), "{merged}");
    assert_eq!(
        std::fs::read(Path::new(&cancelled).join("results.csv")).unwrap(),
        local_csv
    );
    let log = std::fs::read_dir(Path::new(&cancelled).join("slurm"))
        .unwrap()
        .count();
    assert_eq!(log, 1 + 2 * 5, "the script and .out/.err of 4 + 1 tasks");
    eprintln!(
        "cancel, resume and merge: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
