//! Reading single-run JSON files for stacked breakdowns and rooflines.
//!
//! Two shapes are read:
//! - the `KernelReport` that `silica kernel … --json` prints (`kernel`, `seconds`, `macs`,
//!   `elements`, `dram_bytes_read`, `dram_bytes_written`, `energy` lines of `unit`,
//!   `action`, `pj`): one bar or one roofline point;
//! - the run `Report` of `mappers` (`silica run --json`: `model`, `platform`, `seconds`,
//!   `flops`, `traffic`, `energy_by_action` of `unit`, `action`, `joules`, `by_category`
//!   of `category`, `seconds`, `energy_j`, and `operators` of `name`, `seconds`, `flops`,
//!   `dram_bytes`): one bar, split by unit, action or operator category, and one roofline
//!   point per operator.

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

/// Time and energy of one operator category of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryLine {
    /// Category (`linear`, `attention`…).
    pub category: String,
    /// Time, s.
    pub seconds: f64,
    /// Energy, J.
    pub energy_j: f64,
}

/// One operator of a run placed on a roofline.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorLine {
    /// Operator name.
    pub name: String,
    /// Time, s.
    pub seconds: f64,
    /// FLOPs.
    pub flops: f64,
    /// Off-chip bytes.
    pub bytes: f64,
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
    /// Time and energy by operator category (run reports only).
    pub categories: Vec<CategoryLine>,
    /// Operators (run reports only; a kernel is its own single operator).
    pub operators: Vec<OperatorLine>,
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("?")
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A `mappers` run report.
fn run_report(v: &Value) -> JsonRun {
    let traffic = v.get("traffic").cloned().unwrap_or_default();
    JsonRun {
        label: format!("{} on {}", text(v, "model"), text(v, "platform")),
        seconds: num(v, "seconds"),
        flops: num(v, "flops"),
        bytes: num(&traffic, "dram_read_bytes") + num(&traffic, "dram_written_bytes"),
        energy: array(v, "energy_by_action")
            .iter()
            .map(|l| EnergyLine {
                unit: text(l, "unit").into(),
                action: text(l, "action").into(),
                pj: num(l, "joules") * 1e12,
            })
            .collect(),
        categories: array(v, "by_category")
            .iter()
            .map(|c| CategoryLine {
                category: text(c, "category").into(),
                seconds: num(c, "seconds"),
                energy_j: num(c, "energy_j"),
            })
            .collect(),
        operators: array(v, "operators")
            .iter()
            .map(|o| OperatorLine {
                name: text(o, "name").into(),
                seconds: num(o, "seconds"),
                flops: num(o, "flops"),
                bytes: num(o, "dram_bytes"),
            })
            .collect(),
    }
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
    if v.get("energy_by_action").is_some() {
        return Ok(run_report(&v));
    }
    let Some(kernel) = v.get("kernel").and_then(Value::as_str) else {
        bail!(
            "{}: expected the JSON of `silica kernel … --json` (a `kernel` field, `seconds`, \
             `energy` lines) or of a run report (`energy_by_action`, `by_category`, \
             `operators`)",
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
    // `flops` (dispatch estimates); older reports: 2 per MAC, else one per element.
    let macs = num(&v, "macs");
    let flops = if num(&v, "flops") > 0.0 {
        num(&v, "flops")
    } else if macs > 0.0 {
        2.0 * macs
    } else {
        num(&v, "elements")
    };
    let seconds = num(&v, "seconds");
    let bytes = num(&v, "dram_bytes_read") + num(&v, "dram_bytes_written");
    Ok(JsonRun {
        label: kernel.to_string(),
        seconds,
        flops,
        bytes,
        energy,
        categories: Vec::new(),
        operators: vec![OperatorLine {
            name: kernel.to_string(),
            seconds,
            flops,
            bytes,
        }],
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
