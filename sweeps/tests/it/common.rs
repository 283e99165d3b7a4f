//! Shared helpers: specs, evaluators, temporary folders.

use std::collections::BTreeMap;
use std::path::Path;

use sweeps::{ResolvedPoint, RunOptions, RunSummary, Spec, run_sweep};

/// A temporary folder removed at the end of the test.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn spec(text: &str) -> Spec {
    Spec::parse(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

pub fn spec_err(text: &str) -> String {
    Spec::parse(text, "test.toml").unwrap_err().to_string()
}

/// A 4 × 3 × 2 grid (24 points), a constraint that skips rows·cols > 4096 (the 128×64
/// points: 2 of them per `bits` value… see the tests), a metric constraint.
pub const GRID: &str = r#"
seed = 11
metrics = ["area_mm2", "latency_s"]
constraints = ["arch.rows * arch.cols <= 4096"]
metric_constraints = ["area_mm2 <= 8"]
[base]
arch = "toy"
[base.workload]
model = "tiny"
batch = 4
[[axis]]
key = "arch.rows"
values = [16, 32, 64, 128]
[[axis]]
key = "arch.cols"
values = [16, 32, 64]
[[axis]]
key = "workload.bits"
values = [4, 8]
[[objective]]
metric = "area_mm2"
sense = "minimize"
[[objective]]
metric = "latency_s"
sense = "minimize"
"#;

fn int(p: &ResolvedPoint, k: &str) -> i64 {
    p.axis_value(k).and_then(toml::Value::as_integer).unwrap()
}

/// area = rows·cols·bits/1000 mm², latency = 1/(rows·cols) s; fails when rows = 32 and
/// bits = 4, panics when rows = 16, cols = 64, bits = 8.
pub fn toy(p: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String> {
    let (r, c, b) = (
        int(p, "arch.rows"),
        int(p, "arch.cols"),
        int(p, "workload.bits"),
    );
    if r == 32 && b == 4 {
        return Err("no legal mapping\nfor 32 rows".into());
    }
    if r == 16 && c == 64 && b == 8 {
        panic!("toy evaluator panics on purpose");
    }
    Ok(BTreeMap::from([
        ("area_mm2".to_string(), (r * c * b) as f64 / 1000.0),
        ("latency_s".to_string(), 1.0 / (r * c) as f64),
        ("unused".to_string(), 0.0),
    ]))
}

pub fn run(spec: &Spec, dir: &Path, options: RunOptions) -> RunSummary {
    run_sweep(spec, &toy, dir, &options).unwrap_or_else(|e| panic!("{e}"))
}

pub fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// Rows of a results file as cells (header first).
pub fn cells(text: &str) -> Vec<Vec<String>> {
    text.lines().map(sweeps::results::parse_cells).collect()
}
