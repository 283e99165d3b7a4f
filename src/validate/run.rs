//! One validation run: the platform of every case, the predictions, and (with `--fit`)
//! the calibration, as plain data for the CLI to print and write.

use std::collections::BTreeMap;

use anyhow::Context;
use arch::Platform;
use arch::gpu::GpuEfficiencySpec;
use arch::overrides::parse_assignment;

use super::data::{Case, Measured};
use super::fit::{self, Fit, Model, Param};
use super::predict::Composition;
use super::score::{self, CaseResult};

/// Parameters fitted by `--fit`: every [`Param`] but `alu` — no class of the harness
/// isolates CUDA-core throughput (the scan is latency-bound, the softmax memory-bound,
/// attention bound by tensor cores and the SFU), so the data cannot tell `alu` from the
/// class efficiencies it would trade against.
pub fn fitted_params() -> Vec<Param> {
    Param::ALL
        .into_iter()
        .filter(|p| *p != Param::Alu)
        .collect()
}

/// Loads platform `name` (preset or `.toml`) with `--set` overrides as a [`Model`]. With
/// `uncalibrated`, the platform's own `[gpu.efficiency]` values are dropped — the model's
/// defaults (`arch::gpu` `DEFAULT_*`) apply — except the keys `set` gives.
pub fn model_of(
    name: &str,
    set: &[String],
    comp: Composition,
    uncalibrated: bool,
) -> anyhow::Result<Model> {
    let overrides = set
        .iter()
        .map(|s| parse_assignment(s))
        .collect::<Result<Vec<_>, _>>()?;
    let p =
        Platform::load(name, &overrides).with_context(|| format!("loading platform `{name}`"))?;
    let pname = p.name.clone();
    let mut gpu = p.gpu.ok_or_else(|| {
        anyhow::anyhow!("platform `{name}` has no [gpu] section; `silica validate` needs a GPU")
    })?;
    if uncalibrated {
        let mut spec = gpu.spec().clone();
        let keys: Vec<&str> = overrides
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("gpu.efficiency."))
            .collect();
        spec.efficiency = only_keys(&spec.efficiency, &keys);
        gpu = spec
            .validate("gpu")
            .with_context(|| format!("platform `{name}` with default efficiencies"))?;
    }
    Ok(Model::new(&gpu.named(&pname), comp))
}

/// The values of `e` named in `keys`; the others unset (defaults).
fn only_keys(e: &GpuEfficiencySpec, keys: &[&str]) -> GpuEfficiencySpec {
    let keep = |k: &str, v: Option<f64>| if keys.contains(&k) { v } else { None };
    GpuEfficiencySpec {
        tensor: keep("tensor", e.tensor),
        attention: keep("attention", e.attention),
        alu: keep("alu", e.alu),
        mem_bandwidth: keep("mem_bandwidth", e.mem_bandwidth),
        launch_overhead_us: keep("launch_overhead_us", e.launch_overhead_us),
        stream_launch_overhead_us: keep("stream_launch_overhead_us", e.stream_launch_overhead_us),
        scan_step_cycles: keep("scan_step_cycles", e.scan_step_cycles),
        stepwise_scan_step_cycles: keep("stepwise_scan_step_cycles", e.stepwise_scan_step_cycles),
        dequant_alu: keep("dequant_alu", e.dequant_alu),
        mem_latency_cycles: keep("mem_latency_cycles", e.mem_latency_cycles),
        softmax_bandwidth: keep("softmax_bandwidth", e.softmax_bandwidth),
        blas_bandwidth: keep("blas_bandwidth", e.blas_bandwidth),
    }
}

/// Predictions of every case of a file.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The measured rows.
    pub measured: Measured,
    /// Platform each case was predicted on (`--arch`, or the row's `device`).
    pub platform: Vec<String>,
    /// One result per case, in file order.
    pub results: Vec<CaseResult>,
}

impl Evaluation {
    /// MAPE per group: (group, cases, MAPE %).
    pub fn by_group(&self) -> Vec<(String, usize, f64)> {
        score::mape_by_group(&self.results)
    }
    /// MAPE over every case, percent.
    pub fn overall(&self) -> f64 {
        score::mape(&self.results.iter().collect::<Vec<_>>())
    }
}

/// The platform of each case: `arch`, or the row's `device` (which must name a preset or
/// a file).
fn platforms(m: &Measured, arch: Option<&str>) -> Vec<String> {
    m.cases
        .iter()
        .map(|c| arch.map_or_else(|| c.device.clone(), str::to_string))
        .collect()
}

/// Predicts every case of `m` (see [`Evaluation`]; `uncalibrated` as in [`model_of`]).
pub fn evaluate(
    m: Measured,
    arch: Option<&str>,
    set: &[String],
    comp: Composition,
    uncalibrated: bool,
) -> anyhow::Result<Evaluation> {
    let platform = platforms(&m, arch);
    let mut models: BTreeMap<&str, Model> = BTreeMap::new();
    let mut results = Vec::with_capacity(m.cases.len());
    for (c, p) in m.cases.iter().zip(&platform) {
        if !models.contains_key(p.as_str()) {
            // With --arch the error names the platform already; else it names the row.
            let model = match arch {
                Some(_) => model_of(p, set, comp, uncalibrated)?,
                None => model_of(p, set, comp, uncalibrated).with_context(|| {
                    format!(
                        "{}:{} (case `{}`): its `device` must name a GPU preset or file, \
                         or pass --arch",
                        m.file, c.line, c.id
                    )
                })?,
            };
            models.insert(p, model);
        }
        let model = &models[p.as_str()];
        let r = model
            .predict(std::slice::from_ref(c))
            .with_context(|| format!("{}:{} (case `{}`)", m.file, c.line, c.id))?;
        results.extend(r);
    }
    Ok(Evaluation {
        measured: m,
        platform,
        results,
    })
}

/// A calibration run (`--fit`).
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The seed of the split.
    pub seed: u64,
    /// Whether each case trained.
    pub train: Vec<bool>,
    /// The starting model.
    pub start: Model,
    /// The fit.
    pub fit: Fit,
    /// Predictions of every case before the fit.
    pub before: Vec<CaseResult>,
    /// Predictions of every case after the fit.
    pub after: Vec<CaseResult>,
}

impl Calibration {
    fn subset(&self, rs: &[CaseResult], train: bool) -> Vec<CaseResult> {
        rs.iter()
            .zip(&self.train)
            .filter(|(_, t)| **t == train)
            .map(|(r, _)| r.clone())
            .collect()
    }
    /// Held-out MAPE per group: (group, cases, before %, after %).
    pub fn held_out(&self) -> Vec<(String, usize, f64, f64)> {
        let b = score::mape_by_group(&self.subset(&self.before, false));
        let a = score::mape_by_group(&self.subset(&self.after, false));
        b.into_iter()
            .zip(a)
            .map(|((g, n, x), (_, _, y))| (g, n, x, y))
            .collect()
    }
    /// Training MAPE per group: (group, cases, before %, after %).
    pub fn training(&self) -> Vec<(String, usize, f64, f64)> {
        let b = score::mape_by_group(&self.subset(&self.before, true));
        let a = score::mape_by_group(&self.subset(&self.after, true));
        b.into_iter()
            .zip(a)
            .map(|((g, n, x), (_, _, y))| (g, n, x, y))
            .collect()
    }
    /// Held-out MAPE over every held-out case: (before %, after %).
    pub fn held_out_overall(&self) -> (f64, f64) {
        self.overall(false)
    }
    /// Training MAPE over every training case: (before %, after %).
    pub fn training_overall(&self) -> (f64, f64) {
        self.overall(true)
    }
    fn overall(&self, train: bool) -> (f64, f64) {
        let b = self.subset(&self.before, train);
        let a = self.subset(&self.after, train);
        (
            score::mape(&b.iter().collect::<Vec<_>>()),
            score::mape(&a.iter().collect::<Vec<_>>()),
        )
    }
}

/// Splits `m` with `seed`, fits [`fitted_params`] of `start` on the training half and
/// predicts every case before and after.
pub fn calibrate(m: &Measured, start: &Model, seed: u64) -> anyhow::Result<Calibration> {
    let train = fit::split(&m.cases, seed);
    let train_cases: Vec<Case> = m
        .cases
        .iter()
        .zip(&train)
        .filter(|(_, t)| **t)
        .map(|(c, _)| c.clone())
        .collect();
    let f = fit::fit(start, &train_cases, &fitted_params())?;
    Ok(Calibration {
        seed,
        before: start.predict(&m.cases)?,
        after: f.model.predict(&m.cases)?,
        train,
        start: start.clone(),
        fit: f,
    })
}
