//! Reading single-run JSON files for stacked breakdowns and rooflines, and the
//! breakdown of runs into stacked segments (each bar adds up to the run's whole energy or
//! time: what no line names is an unattributed segment).
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
use reports::Breakdown;
use serde_json::Value;

use super::plot::By;

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
    /// Total energy, J (the run's `energy_j`; a kernel's energy lines summed). Category
    /// lines can add up to less: static and idle energy belongs to no operator.
    pub energy_j: f64,
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
    let energy: Vec<EnergyLine> = array(v, "energy_by_action")
        .iter()
        .map(|l| EnergyLine {
            unit: text(l, "unit").into(),
            action: text(l, "action").into(),
            pj: num(l, "joules") * 1e12,
        })
        .collect();
    // Older reports lack `energy_j`: the action lines are the whole energy.
    let energy_j = v
        .get("energy_j")
        .and_then(Value::as_f64)
        .unwrap_or_else(|| energy.iter().map(|l| l.pj * 1e-12).sum());
    JsonRun {
        label: format!("{} on {}", text(v, "model"), text(v, "platform")),
        seconds: num(v, "seconds"),
        energy_j,
        flops: num(v, "flops"),
        bytes: num(&traffic, "dram_read_bytes") + num(&traffic, "dram_written_bytes"),
        energy,
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
    let energy: Vec<EnergyLine> = v
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
        energy_j: energy.iter().map(|l| l.pj * 1e-12).sum(),
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

/// Energy (J) of each run split by unit, action or both; or energy or time (`value` =
/// `energy_j` or `latency_s`) split by operator category.
pub fn json_breakdown(runs: &[JsonRun], by: By, value: &str) -> Result<Breakdown> {
    if !matches!(value, "energy_j" | "latency_s") {
        bail!("--y `{value}`: a breakdown of JSON runs shows energy_j or latency_s");
    }
    if value == "latency_s" && by != By::Category {
        bail!("--y latency_s: time is broken down by operator category only (--by category)");
    }
    let mut segments: Vec<String> = Vec::new();
    let mut values: Vec<Vec<(usize, f64)>> = Vec::new();
    for run in runs {
        let parts: Vec<(String, f64)> = match by {
            By::Category => {
                if run.categories.is_empty() {
                    bail!(
                        "`{}` has no operator categories (a kernel report): use --by unit or action",
                        run.label
                    );
                }
                run.categories
                    .iter()
                    .map(|c| {
                        let v = if value == "latency_s" {
                            c.seconds
                        } else {
                            c.energy_j
                        };
                        (c.category.clone(), v)
                    })
                    .collect()
            }
            _ => run
                .energy
                .iter()
                .map(|l| {
                    let seg = match by {
                        By::Action => l.action.clone(),
                        By::UnitAction => format!("{}.{}", l.unit, l.action),
                        _ => l.unit.clone(),
                    };
                    (seg, l.pj * 1e-12)
                })
                .collect(),
        };
        let parts = with_unattributed(parts, total_of(run, value));
        let mut row = Vec::new();
        for (seg, v) in parts {
            let i = segments.iter().position(|s| *s == seg).unwrap_or_else(|| {
                segments.push(seg);
                segments.len() - 1
            });
            row.push((i, v));
        }
        values.push(row);
    }
    let mut matrix: Vec<Vec<f64>> = values
        .into_iter()
        .map(|row| {
            let mut v = vec![0.0; segments.len()];
            row.into_iter().for_each(|(i, x)| v[i] += x);
            v
        })
        .collect();
    // The unattributed segment goes on top of every bar.
    if let Some(u) = segments.iter().position(|s| s == UNATTRIBUTED) {
        let name = segments.remove(u);
        segments.push(name);
        for v in &mut matrix {
            let x = v.remove(u);
            v.push(x);
        }
    }
    let categories = runs.iter().map(|r| r.label.clone()).collect();
    Ok(Breakdown::new(value, categories, segments, matrix)?)
}

/// Name of the segment that holds what no line of a breakdown names (static and idle
/// energy, time no operator category accounts for).
pub const UNATTRIBUTED: &str = "static / unattributed";

/// The run's whole `value` (`energy_j` or `latency_s`): the height every bar must reach.
fn total_of(run: &JsonRun, value: &str) -> f64 {
    if value == "latency_s" {
        run.seconds
    } else {
        run.energy_j
    }
}

/// `parts` plus an [`UNATTRIBUTED`] segment of `total` minus their sum, when that is
/// positive beyond rounding (more than 1e-9 of the total), so the bar adds up to the run.
/// Parts that add up to more than the total (categories that overlap in time) are left
/// as they are.
fn with_unattributed(mut parts: Vec<(String, f64)>, total: f64) -> Vec<(String, f64)> {
    let rest = total - parts.iter().map(|(_, v)| v).sum::<f64>();
    if rest > 1e-9 * total.abs() {
        parts.push((UNATTRIBUTED.to_string(), rest));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(energy_j: f64, seconds: f64, categories: &[(&str, f64, f64)]) -> JsonRun {
        JsonRun {
            label: "m on p".into(),
            seconds,
            energy_j,
            flops: 0.0,
            bytes: 0.0,
            energy: Vec::new(),
            categories: categories
                .iter()
                .map(|&(c, s, e)| CategoryLine {
                    category: c.into(),
                    seconds: s,
                    energy_j: e,
                })
                .collect(),
            operators: Vec::new(),
        }
    }

    #[test]
    fn category_bars_add_up_to_the_run_energy() {
        // By hand: 1.240 J in all, categories 0.700 + 0.164 = 0.864 J, so the
        // unattributed segment is 1.240 - 0.864 = 0.376 J and the bar totals 1.240 J.
        let r = run(
            1.240,
            0.0075,
            &[("linear", 0.006, 0.700), ("attention", 0.001, 0.164)],
        );
        let b = json_breakdown(&[r], By::Category, "energy_j").unwrap();
        assert_eq!(b.segments, ["linear", "attention", UNATTRIBUTED]);
        assert!((b.values[0][2] - 0.376).abs() < 1e-12);
        assert!((b.values[0].iter().sum::<f64>() - 1.240).abs() < 1e-12);
        // Time: 7.5 ms in all, categories 6 + 1 = 7 ms, so 0.5 ms is unattributed.
        let r = run(
            1.240,
            0.0075,
            &[("linear", 0.006, 0.700), ("attention", 0.001, 0.164)],
        );
        let b = json_breakdown(&[r], By::Category, "latency_s").unwrap();
        assert!((b.values[0][2] - 0.0005).abs() < 1e-15);
    }

    #[test]
    fn the_unattributed_segment_is_on_top_of_every_bar() {
        // Run a: 0.5 (linear) + 0.5 unattributed = 1 J; run b: 0.25 (linear) + 0.25
        // (norm, a category a lacks) + 0.5 unattributed = 1 J.
        let a = run(1.0, 1.0, &[("linear", 0.5, 0.5)]);
        let b = run(1.0, 1.0, &[("linear", 0.5, 0.25), ("norm", 0.5, 0.25)]);
        let br = json_breakdown(&[a, b], By::Category, "energy_j").unwrap();
        assert_eq!(br.segments, ["linear", "norm", UNATTRIBUTED]);
        assert_eq!(br.values, [vec![0.5, 0.0, 0.5], vec![0.25, 0.25, 0.5]]);
    }

    #[test]
    fn no_unattributed_segment_when_the_parts_are_the_whole() {
        // 0.25 + 0.75 = 1.0 J exactly; overlapping time (0.6 + 0.6 > 1 s) is left as is.
        let r = run(1.0, 1.0, &[("linear", 0.6, 0.25), ("attention", 0.6, 0.75)]);
        let b = json_breakdown(std::slice::from_ref(&r), By::Category, "energy_j").unwrap();
        assert_eq!(b.segments, ["linear", "attention"]);
        let b = json_breakdown(&[r], By::Category, "latency_s").unwrap();
        assert_eq!(b.segments, ["linear", "attention"]);
    }
}
