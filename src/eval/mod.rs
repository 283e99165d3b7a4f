//! The evaluator `silica sweep` hands to `sweeps::run_sweep`: loads each point's platform
//! (`arch::Platform::load` with the point's `arch.` overrides) and runs its workload.
//!
//! It lives in the CLI because it joins crates that do not know each other: `sweeps`
//! (which takes any [`sweeps::Evaluator`]), `arch`, `workloads` and `mappers`.
//!
//! The workload table's `kind` picks the path:
//! - `kind = "kernel"` — one kernel (GEMM, GEMV, quantised GEMV, element-wise, softmax,
//!   norm, attention, scan) on any platform through `arch::Platform::estimate`
//!   ([`kernel`] lists the keys and metrics);
//! - `kind = "model"` (the default) — a whole model's step, built by `workloads`
//!   ([`model`] lists the keys) and simulated by `mappers`.
//!
//! [`SilicaEvaluator::check`] (run on the first point before anything is written) parses
//! the workload with every key checked, and loads the platform with the overrides, so a
//! typo stops the sweep at once with the key and the closest valid name.

pub mod kernel;
pub mod keys;
pub mod model;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arch::{ArchError, Platform};
use sweeps::{Evaluator, ResolvedPoint};
use toml::Value;

use self::kernel::KernelWork;
use self::model::ModelWork;

/// Totals a model workload gives (from `mappers::Report`, and the memory footprint from
/// `mappers::footprint`); [`model_metric_names`] adds the time per part and operator
/// category.
pub const MODEL_METRICS: [&str; 16] = [
    "latency_s",
    "energy_j",
    "edp_js",
    "power_w",
    "tokens_per_s",
    "tokens_per_j",
    "ttft_s",
    "dram_bytes",
    "utilization",
    "cycles",
    "flops",
    "fidelity_level",
    "weight_bytes",
    "kv_cache_bytes",
    "memory_bytes",
    "max_batch",
];

/// Metric families of model workloads, as (prefix, suffix): `op_<operator>_s` — seconds
/// spent in the operators of that name (`op_q_proj_s`, `op_softmax_s`, `op_ffn_down_s`…,
/// summed over layers; an operator fused into another counts in its host). A name the
/// run lacks is a missing metric (the point's row says so). Category and part times have
/// fixed names: [`model_metric_names`].
pub const MODEL_METRIC_FAMILIES: [(&str, &str); 1] = [("op_", "_s")];

/// Model parts with time metrics of their own (`vision_s`, `vision_attention_s`, …).
pub const PARTS: [&str; 3] = ["vision", "projector", "language"];

/// Task categories beyond the operator categories of `workloads`: tensor-parallel
/// all-reduces and the CUDA-graph launch.
const TASK_CATEGORIES: [&str; 2] = ["communication", "launch"];

/// Every metric a model workload gives: [`MODEL_METRICS`], then the unit time (s, Σ task
/// durations per device) of each model part (`<part>_s`), of each category over the
/// step (`<category>_s`: `linear_s`, `attention_s`, …, `token_reduction_s`,
/// `communication_s`, `launch_s`) and of each category within each part
/// (`<part>_<category>_s`: `language_attention_s`, `vision_linear_s`, …).
pub fn model_metric_names() -> Vec<String> {
    let cats: Vec<&str> = workloads::Category::ALL
        .iter()
        .map(|c| c.name())
        .chain(TASK_CATEGORIES)
        .collect();
    let mut v: Vec<String> = MODEL_METRICS.iter().map(|m| m.to_string()).collect();
    v.extend(PARTS.iter().map(|p| format!("{p}_s")));
    v.extend(cats.iter().map(|c| format!("{c}_s")));
    for p in PARTS {
        v.extend(cats.iter().map(|c| format!("{p}_{c}_s")));
    }
    v
}

/// What a point's workload is.
enum Work {
    Kernel(KernelWork),
    Model(Box<ModelWork>),
}

/// The evaluator of `silica sweep`.
#[derive(Debug, Clone, Default)]
pub struct SilicaEvaluator {
    /// The spec's folder: relative architecture and model paths are resolved against it.
    pub spec_dir: Option<PathBuf>,
}

impl SilicaEvaluator {
    /// An evaluator for a spec in `spec_dir`.
    pub fn new(spec_dir: Option<&Path>) -> SilicaEvaluator {
        SilicaEvaluator {
            spec_dir: spec_dir.map(Path::to_path_buf),
        }
    }

    /// The metric names a workload of this kind gives; an error for an unknown kind.
    pub fn metrics_for(workload: &toml::Table) -> Result<Vec<String>, String> {
        Ok(match kind(workload)? {
            "kernel" => kernel::METRICS.iter().map(|m| m.to_string()).collect(),
            _ => model_metric_names(),
        })
    }

    /// Whether a workload of this kind gives `metric`: one of [`Self::metrics_for`], or
    /// (model workloads) a name in one of the [`MODEL_METRIC_FAMILIES`].
    pub fn gives(workload: &toml::Table, metric: &str) -> Result<bool, String> {
        if Self::metrics_for(workload)?.iter().any(|n| n == metric) {
            return Ok(true);
        }
        Ok(kind(workload)? == "model"
            && MODEL_METRIC_FAMILIES.iter().any(|(pre, suf)| {
                metric
                    .strip_prefix(pre)
                    .and_then(|rest| rest.strip_suffix(suf))
                    .is_some_and(|name| !name.is_empty())
            }))
    }

    fn work(&self, p: &ResolvedPoint) -> Result<Work, String> {
        match kind(&p.workload)? {
            "kernel" => KernelWork::parse(&p.workload).map(Work::Kernel),
            _ => ModelWork::parse(&p.workload, self.spec_dir.as_deref())
                .map(|m| Work::Model(Box::new(m))),
        }
    }

    /// The preset name, or the architecture file resolved against the spec's folder.
    fn arch_name(&self, arch: &str) -> String {
        if arch::platform::preset_toml(arch).is_some() {
            return arch.to_string();
        }
        let looks_like_path = arch.ends_with(".toml") || arch.contains('/') || arch.contains('\\');
        match &self.spec_dir {
            Some(d) if looks_like_path && Path::new(arch).is_relative() => {
                d.join(arch).display().to_string()
            }
            _ => arch.to_string(),
        }
    }

    fn load(&self, p: &ResolvedPoint) -> Result<Platform, ArchError> {
        Platform::load(&self.arch_name(&p.arch), &p.arch_overrides)
    }

    fn platform(&self, p: &ResolvedPoint) -> Result<Platform, String> {
        self.load(p).map_err(|e| format!("arch `{}`: {e}", p.arch))
    }

    /// Loads the point's platform for [`Evaluator::check`]: a problem with a key, a name
    /// or a file is refused; a value the validation rejects (a buffer too small for a
    /// tile…) is left to the point's own row, since other points may be fine.
    fn check_platform(&self, p: &ResolvedPoint) -> Result<(), String> {
        match self.load(p) {
            Err(e) if !is_value_problem(&e) => Err(format!("arch `{}`: {e}", p.arch)),
            _ => Ok(()),
        }
    }
}

/// Whether `e` is about a value of one design point (validation), not about a key, name
/// or file of the spec.
fn is_value_problem(e: &ArchError) -> bool {
    match e {
        ArchError::Invalid { .. }
        | ArchError::Unsupported { .. }
        | ArchError::OnChipCapacity { .. }
        | ArchError::Sim(_) => true,
        ArchError::Many(all) => all.iter().all(is_value_problem),
        _ => false,
    }
}

/// The metrics of a model run (see [`model_metric_names`]): the report's, and the footprint's
/// `weight_bytes` (as stored), `kv_cache_bytes` (KV cache and state after the step, all
/// sequences), `memory_bytes` (all devices; NaN when unbounded) and `max_batch` (the
/// largest batch whose weights and cache fit; NaN when unbounded).
fn model_metrics(
    r: &mappers::Report,
    f: &mappers::schedule::fit::Footprint,
) -> BTreeMap<String, f64> {
    let opt = |x: Option<u64>| x.map_or(f64::NAN, |v| v as f64);
    let pairs = [
        ("latency_s", r.seconds),
        ("energy_j", r.energy_j),
        ("edp_js", r.energy_j * r.seconds),
        ("power_w", r.average_power_w),
        ("tokens_per_s", r.tokens_per_s),
        ("tokens_per_j", r.tokens_per_j),
        ("ttft_s", r.ttft_s.unwrap_or(f64::NAN)),
        (
            "dram_bytes",
            (r.traffic.dram_read_bytes + r.traffic.dram_written_bytes) as f64,
        ),
        ("utilization", r.compute_utilization.unwrap_or(f64::NAN)),
        ("cycles", r.cycles as f64),
        ("flops", r.flops as f64),
        ("fidelity_level", f64::from(r.fidelity.level)),
        ("weight_bytes", f.weight_bytes as f64),
        ("kv_cache_bytes", f.kv_state_bytes as f64),
        (
            "memory_bytes",
            opt(f.device_bytes.map(|b| b * u64::from(f.devices))),
        ),
        ("max_batch", opt(f.max_batch)),
    ];
    let mut m: BTreeMap<String, f64> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    // Part and category times: every name exists (0 when the step has no such task).
    for name in model_metric_names().into_iter().skip(MODEL_METRICS.len()) {
        m.insert(name, 0.0);
    }
    for row in &r.by_part {
        let secs = row.seconds;
        for name in [
            format!("{}_s", row.part),
            format!("{}_s", row.category),
            format!("{}_{}_s", row.part, row.category),
        ] {
            if let Some(v) = m.get_mut(&name) {
                *v += secs;
            }
        }
    }
    for o in &r.operators {
        *m.entry(format!("op_{}_s", o.name)).or_default() += o.seconds;
    }
    m
}

/// `kind` of a workload table: `"kernel"` or `"model"` (default).
fn kind(workload: &toml::Table) -> Result<&'static str, String> {
    match workload.get("kind") {
        None => Ok("model"),
        Some(Value::String(s)) if s == "model" => Ok("model"),
        Some(Value::String(s)) if s == "kernel" => Ok("kernel"),
        Some(v) => {
            let hint = v
                .as_str()
                .and_then(|s| arch::suggest::closest(s, ["kernel", "model"]))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Err(format!(
                "workload.kind: `{v}` is not `kernel` or `model`{hint}"
            ))
        }
    }
}

impl Evaluator for SilicaEvaluator {
    fn evaluate(&self, p: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String> {
        match self.work(p)? {
            Work::Kernel(k) => {
                let platform = self.platform(p)?;
                let (work, estimate) = k.run(&platform)?;
                Ok(KernelWork::metrics(&platform, &work, &estimate))
            }
            Work::Model(m) => {
                let platform = self.platform(p)?;
                let graph = m.graph()?;
                let on =
                    |e: mappers::MapError| format!("{} on {}: {e}", m.model.name, platform.name);
                let report = mappers::simulate(&platform, &graph, &m.options).map_err(on)?;
                let footprint = mappers::footprint(&platform, &graph).map_err(on)?;
                Ok(model_metrics(&report, &footprint))
            }
        }
    }

    /// Parses the workload (every key checked) and loads the platform with the point's
    /// overrides; see [`SilicaEvaluator::check_platform`] for what is refused.
    fn check(&self, p: &ResolvedPoint) -> Result<(), String> {
        match self.work(p)? {
            Work::Kernel(_) => self.check_platform(p),
            Work::Model(_) => self.check_platform(p),
        }
    }
}
