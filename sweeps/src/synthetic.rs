//! A toy evaluator for examples, tests and benchmarks: a GEMM on a PE array with a global
//! buffer and DRAM channels, in closed form. Its numbers are illustrative only — Silica's
//! real evaluator simulates the model through `mappers`.
//!
//! Architecture keys (overrides on an empty table, defaults in brackets):
//! `pe_array.rows` [32], `pe_array.cols` [32], `global_buffer.size_kib` [512],
//! `dram.channels` [8]; any other `arch.` key is an error that suggests the closest one.
//! Workload keys: `m` [512], `k` [4096], `n` [4096] (GEMM `M×K · K×N`, 2-byte values).
//!
//! Model at 1 GHz: compute `⌈M/R⌉·⌈N/C⌉·K` cycles; DRAM bytes `2(MK + KN + MN)`, the
//! `M×K` input re-read once per buffer-full of weights (`⌈2KN / buffer⌉` times); DRAM
//! moves `16 B/cycle` per channel; cycles = max(compute, memory) + R + C. Energy: 0.3 pJ
//! per MAC, 30 pJ per DRAM byte, leakage 0.05 mW per PE and 0.01 mW per KiB. Area:
//! 0.0012 mm² per PE, 0.0045 mm² per KiB, 1.5 mm² per channel.

use std::collections::BTreeMap;
use std::time::Duration;

use arch::suggest::closest;
use toml::Value;

use crate::Evaluator;
use crate::point::ResolvedPoint;

const KEYS: [&str; 4] = [
    "pe_array.rows",
    "pe_array.cols",
    "global_buffer.size_kib",
    "dram.channels",
];

/// The toy GEMM evaluator (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct SyntheticEvaluator {
    /// Time to sleep per point, to imitate a slow simulation (0: none).
    pub sleep: Duration,
}

fn positive(v: &Value, what: &str) -> Result<f64, String> {
    let x = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Err(format!(
                "`{what}` must be a number, not {}",
                other.type_str()
            ));
        }
    };
    if x >= 1.0 {
        Ok(x)
    } else {
        Err(format!("`{what}` = {x}: must be ≥ 1"))
    }
}

fn key_index(k: &str) -> Result<usize, String> {
    KEYS.iter().position(|x| *x == k).ok_or_else(|| {
        let hint = closest(k, KEYS)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        format!("the synthetic evaluator has no key `{k}`{hint}")
    })
}

impl SyntheticEvaluator {
    fn arch(&self, p: &ResolvedPoint) -> Result<[f64; 4], String> {
        let mut vals = [32.0, 32.0, 512.0, 8.0];
        for (k, v) in &p.arch_overrides {
            vals[key_index(k)?] = positive(v, k)?;
        }
        Ok(vals)
    }
}

impl Evaluator for SyntheticEvaluator {
    fn evaluate(&self, p: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String> {
        if !self.sleep.is_zero() {
            std::thread::sleep(self.sleep);
        }
        let [r, c, kib, ch] = self.arch(p)?;
        let dim = |k: &str, d: f64| p.workload.get(k).map_or(Ok(d), |v| positive(v, k));
        let (m, k, n) = (dim("m", 512.0)?, dim("k", 4096.0)?, dim("n", 4096.0)?);
        let compute = (m / r).ceil() * (n / c).ceil() * k;
        let buffer = kib * 1024.0;
        let refetch = (2.0 * k * n / buffer).ceil().max(1.0);
        let dram_bytes = 2.0 * (m * k * refetch + k * n + m * n);
        let memory = dram_bytes / (16.0 * ch);
        let cycles = compute.max(memory) + r + c;
        let latency_s = cycles * 1e-9;
        let leak_w = (0.05 * r * c + 0.01 * kib) * 1e-3;
        let energy_j = m * k * n * 0.3e-12 + dram_bytes * 30e-12 + leak_w * latency_s;
        let area_mm2 = 0.0012 * r * c + 0.0045 * kib + 1.5 * ch;
        Ok(BTreeMap::from([
            ("cycles".to_string(), cycles),
            ("latency_s".to_string(), latency_s),
            ("energy_j".to_string(), energy_j),
            ("edp_js".to_string(), energy_j * latency_s),
            ("area_mm2".to_string(), area_mm2),
            ("utilization".to_string(), m * k * n / (r * c * cycles)),
        ]))
    }

    /// Refuses unknown architecture keys (values are checked per point).
    fn check(&self, p: &ResolvedPoint) -> Result<(), String> {
        p.arch_overrides
            .iter()
            .try_for_each(|(k, _)| key_index(k).map(|_| ()))
    }
}
