//! The Slurm path end to end on a real one-node cluster (`tests/slurm/local-cluster.sh`,
//! Debian's Slurm): a 4-shard job array merges to the local run's bytes; a shard
//! cancelled mid-run is the only one `resume` resubmits, and the sweep then completes.
//! The tasks run the `synthetic-sweep` example (its `sweep SPEC --out DIR` form), which
//! can sleep per point so a shard is still running when it is cancelled. Skipped, with a
//! message, only where the script cannot install Slurm (not root, no package registry).

use std::path::Path;
use std::time::{Duration, Instant};

use sweeps::slurm::{
    Commands, SbatchOptions, SubmitRequest, SweepStatus, SystemCommands, TaskArg, submit,
    sweep_status,
};
use sweeps::synthetic::SyntheticEvaluator;
use sweeps::{RunOptions, Spec, merge, run_sweep};

/// 12 × 6 × 2 = 144 points: 36 per shard.
const SPEC: &str = r#"
metrics = ["latency_s", "energy_j", "area_mm2"]
[base]
arch = "synthetic"
[base.workload]
m = 256
[[axis]]
key = "arch.pe_array.rows"
linear = { start = 8, stop = 96, step = 8 }
[[axis]]
key = "arch.pe_array.cols"
geometric = { start = 8, stop = 256, factor = 2 }
[[axis]]
key = "arch.dram.channels"
values = [4, 16]
"#;

#[path = "../../../tests/slurm/cluster.rs"]
mod cluster;
use cluster::Cluster;

/// Starts the repository's local cluster.
fn start() -> Option<Cluster> {
    Cluster::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/slurm/local-cluster.sh"))
}

/// Commands that talk to this cluster.
fn commands(c: &Cluster) -> SystemCommands {
    SystemCommands { env: c.env.clone() }
}

/// Polls the sweep every 0.25 s until no task is pending or running; panics after 60 s.
fn wait(dir: &Path, commands: &dyn Commands) -> SweepStatus {
    let t0 = Instant::now();
    loop {
        let st = sweep_status(dir, Some(commands)).unwrap();
        assert!(st.slurm_note.is_none(), "{st}");
        if !st.shards.iter().any(|s| s.active()) {
            return st;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "still running after 60 s:\n{st}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn request<'a>(
    spec: &'a Spec,
    spec_path: &'a Path,
    dir: &'a Path,
    sleep_ms: u64,
) -> SubmitRequest<'a> {
    SubmitRequest {
        spec,
        spec_path,
        dir,
        program: Path::new(env!("CARGO_BIN_EXE_synthetic-sweep")),
        task_args: ["--threads", "1", "--sleep-ms", &sleep_ms.to_string()]
            .map(|s| TaskArg::Literal(s.to_string()))
            .to_vec(),
        options: SbatchOptions {
            shards: Some(4),
            ..SbatchOptions::default()
        },
        resume: false,
        dry_run: false,
    }
}

fn rows(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("results.csv"))
        .map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn sweep_as_a_slurm_job_array() {
    let Some(cluster) = start() else {
        return;
    };
    let commands = commands(&cluster);
    let work = tempfile::tempdir().unwrap();
    let spec_path = work.path().join("spec.toml");
    std::fs::write(&spec_path, SPEC).unwrap();
    let spec = Spec::from_file(&spec_path).unwrap();
    assert_eq!(spec.n_points(), 144);
    let local = work.path().join("local");
    run_sweep(
        &spec,
        &SyntheticEvaluator::default(),
        &local,
        &RunOptions::default(),
    )
    .unwrap();
    let local_csv = std::fs::read(local.join("results.csv")).unwrap();

    // 1. Four shards in one array, merged: the local run's bytes.
    let t0 = Instant::now();
    let dir = work.path().join("array");
    let out = submit(&request(&spec, &spec_path, &dir, 0), &commands).unwrap();
    assert_eq!(out.submitted, [0, 1, 2, 3]);
    let st = wait(&dir, &commands);
    assert!(st.complete(), "{st}");
    assert_eq!(st.done(), 144);
    merge(std::slice::from_ref(&dir), &dir).unwrap();
    assert_eq!(std::fs::read(dir.join("results.csv")).unwrap(), local_csv);
    eprintln!(
        "4-shard array done and merged in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 2. Cancel shard 1 mid-run (36 points at 30 ms ≈ 1.1 s), then resume.
    let t0 = Instant::now();
    let dir = work.path().join("cancelled");
    let out = submit(&request(&spec, &spec_path, &dir, 30), &commands).unwrap();
    let job = out.submission.unwrap().job_id;
    let shard1 = dir.join("shard-1");
    while rows(&shard1) < 3 {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "shard 1 wrote no rows"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancel = commands.run("scancel", &[format!("{job}_1")]).unwrap();
    assert!(cancel.success(), "{cancel:?}");
    let st = wait(&dir, &commands);
    eprintln!("{st}");
    assert_eq!(st.failed(), [1], "{st}");
    assert!((3..36).contains(&st.shards[1].done()), "{st}");
    let mut again = request(&spec, &spec_path, &dir, 0);
    again.resume = true;
    again.options.shards = None;
    let out = submit(&again, &commands).unwrap();
    assert_eq!((out.submitted, out.finished), (vec![1], vec![0, 2, 3]));
    let st = wait(&dir, &commands);
    assert!(st.complete(), "{st}");
    merge(std::slice::from_ref(&dir), &dir).unwrap();
    assert_eq!(std::fs::read(dir.join("results.csv")).unwrap(), local_csv);
    eprintln!(
        "cancel and resume done in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
