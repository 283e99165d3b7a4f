//! Kill -9 mid-sweep, then resume: the final file equals an uninterrupted run's.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{read, tmp};
use sweeps::synthetic::SyntheticEvaluator;
use sweeps::{RunOptions, Spec, run_sweep};

const SPEC: &str = r#"
metrics = ["latency_s", "energy_j", "area_mm2"]
[base]
arch = "synthetic"
[base.workload]
m = 256
[[axis]]
key = "arch.pe_array.rows"
linear = { start = 4, stop = 80, step = 4 }
[[axis]]
key = "arch.pe_array.cols"
geometric = { start = 8, stop = 256, factor = 2 }
[[axis]]
key = "arch.dram.channels"
values = [4, 16]
"#;

fn rows_written(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("results.csv"))
        .map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn killed_sweep_resumes_to_the_uninterrupted_result() {
    let work = tmp();
    let spec_path = work.path().join("spec.toml");
    std::fs::write(&spec_path, SPEC).unwrap();
    let (whole, killed) = (work.path().join("whole"), work.path().join("killed"));
    let spec = Spec::from_file(&spec_path).unwrap();
    assert_eq!(spec.n_points(), 20 * 6 * 2);
    run_sweep(
        &spec,
        &SyntheticEvaluator::default(),
        &whole,
        &RunOptions::default(),
    )
    .unwrap();

    // 240 points at 20 ms on 2 threads take ≈ 2.4 s; kill once 20 rows are written.
    let exe = env!("CARGO_BIN_EXE_synthetic-sweep");
    let mut child = Command::new(exe)
        .args(["run", spec_path.to_str().unwrap(), killed.to_str().unwrap()])
        .args(["--threads", "2", "--sleep-ms", "20"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while rows_written(&killed) < 20 {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the child wrote no rows"
        );
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done = rows_written(&killed);
    assert!(
        (20..240).contains(&done),
        "{done} rows written before the kill"
    );
    assert!(
        sweeps::meta::Meta::read(&killed)
            .unwrap()
            .unwrap()
            .finished
            .is_none()
    );

    let out = Command::new(exe)
        .args(["run", spec_path.to_str().unwrap(), killed.to_str().unwrap()])
        .args(["--threads", "2", "--resume"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.starts_with("240 points ("), "{summary}");
    assert_eq!(read(&killed, "results.csv"), read(&whole, "results.csv"));
    assert_eq!(read(&killed, "spec.toml"), read(&whole, "spec.toml"));
}
