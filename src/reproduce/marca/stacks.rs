//! MARCA's decode lead over the A100 under slower A100 software stacks
//! (`marca-baseline.toml`: CUDA graph, or eager launches with a fixed per-kernel overhead).

use anyhow::Result;

use super::super::rows::Rows;
use super::{MARCA, MODELS};

/// MARCA's decode lead over the A100 under one software stack.
#[derive(Clone, Debug)]
pub struct Stack {
    /// `graph` or `eager N µs`.
    pub label: String,
    /// Per-kernel overhead, µs (NaN for the graph).
    pub overhead_us: f64,
    /// Max over sizes of A100 ÷ MARCA decode latency.
    pub max_speedup: f64,
    /// Max over sizes of MARCA ÷ A100 decode tokens/J.
    pub max_efficiency: f64,
    /// Per model: A100 ÷ MARCA decode latency, in [`MODELS`] order.
    pub speedups: Vec<f64>,
}

pub(super) fn speedups(b: &Rows, d: &Rows) -> Result<Vec<Stack>> {
    let mut out: Vec<Stack> = Vec::new();
    for r in b.iter() {
        let launch = r.text("workload.gpu_launch")?;
        let us = r.num("arch.gpu.efficiency.launch_overhead_us")?;
        let model = r.text("workload.model")?;
        let Some(mi) = MODELS.iter().position(|m| *m == model) else {
            continue;
        };
        let key = [("arch", MARCA), ("workload.model", MODELS[mi])];
        let sp = r.num("latency_s")? / d.value(&key, "latency_s")?;
        let ee = d.value(&key, "tokens_per_j")? / r.num("tokens_per_j")?;
        let (label, overhead) = if launch == "graph" {
            ("CUDA graph".to_string(), f64::NAN)
        } else {
            (format!("eager {us} µs"), us)
        };
        let i = match out.iter().position(|s| s.label == label) {
            Some(i) => i,
            None => {
                out.push(Stack {
                    label,
                    overhead_us: overhead,
                    max_speedup: 0.0,
                    max_efficiency: 0.0,
                    speedups: vec![f64::NAN; MODELS.len()],
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.speedups[mi] = sp;
        s.max_speedup = s.max_speedup.max(sp);
        s.max_efficiency = s.max_efficiency.max(ee);
    }
    Ok(out)
}

/// The eager per-kernel overhead (µs) at which the maximum speed-up reaches `target`,
/// interpolated linearly between the simulated overheads (NaN when it is not reached).
pub(super) fn implied_overhead(stacks: &[Stack], target: f64) -> f64 {
    let eager: Vec<(f64, f64)> = stacks
        .iter()
        .filter(|s| s.overhead_us.is_finite())
        .map(|s| (s.overhead_us, s.max_speedup))
        .collect();
    for w in eager.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if (y0..=y1).contains(&target) && y1 > y0 {
            return x0 + (target - y0) * (x1 - x0) / (y1 - y0);
        }
    }
    f64::NAN
}
