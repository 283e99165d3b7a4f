//! Reading single-run JSON files for stacked breakdowns and rooflines.
//!
//! Today: the `KernelReport` that `silica kernel … --json` prints (`kernel`, `seconds`,
//! `macs`, `elements`, `dram_bytes_read`, `dram_bytes_written`, `energy` lines of `unit`,
//! `action`, `pj`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// One energy line of a run, pJ.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyLine {
    /// Unit (`pe_array`, `dram`…).
    pub unit: String,
    /// Action (`mac`, `read`, `leakage`…).
    pub action: String,
    /// Energy, pJ.
    pub pj: f64,
}

/// What a stacked plot or a roofline needs from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonRun {
    /// Name of the bar or point (the kernel, e.g. `gemm 512x4096x4096`).
    pub label: String,
    /// Simulated time, s.
    pub seconds: f64,
    /// Arithmetic work, FLOPs (2 per MAC; one per element operation).
    pub flops: f64,
    /// Off-chip bytes moved.
    pub bytes: f64,
    /// Energy by unit and action.
    pub energy: Vec<EnergyLine>,
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// Reads one kernel-report JSON file.
pub fn read_json_run(path: &Path) -> Result<JsonRun> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let Some(kernel) = v.get("kernel").and_then(Value::as_str) else {
        bail!(
            "{}: expected the JSON of `silica kernel … --json` (a `kernel` field, `seconds`, \
             `energy` lines)",
            path.display()
        );
    };
    let energy = v
        .get("energy")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .map(|l| EnergyLine {
                    unit: l.get("unit").and_then(Value::as_str).unwrap_or("?").into(),
                    action: l
                        .get("action")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .into(),
                    pj: num(l, "pj"),
                })
                .collect()
        })
        .unwrap_or_default();
    let macs = num(&v, "macs");
    let flops = if macs > 0.0 {
        2.0 * macs
    } else {
        num(&v, "elements")
    };
    Ok(JsonRun {
        label: kernel.to_string(),
        seconds: num(&v, "seconds"),
        flops,
        bytes: num(&v, "dram_bytes_read") + num(&v, "dram_bytes_written"),
        energy,
    })
}

/// Reads every file; labels that repeat get the file name appended.
pub fn read_json_runs(paths: &[PathBuf]) -> Result<Vec<JsonRun>> {
    let mut runs: Vec<JsonRun> = paths
        .iter()
        .map(|p| read_json_run(p))
        .collect::<Result<_>>()?;
    let repeated: Vec<bool> = runs
        .iter()
        .map(|a| runs.iter().filter(|b| b.label == a.label).count() > 1)
        .collect();
    for i in 0..runs.len() {
        if repeated[i] {
            let stem = paths[i]
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            runs[i].label = format!("{} ({stem})", runs[i].label);
        }
    }
    Ok(runs)
}
