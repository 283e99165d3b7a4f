//! Fusion of element-wise operators into their producer.
//!
//! **Where the unit allows:**
//! - on a GPU or CPU, element-wise work (add, multiply, SiLU, GELU, ReLU, exp, rotary)
//!   after a matrix product runs in the product's epilogue (cuBLASLt/CUTLASS epilogues,
//!   TensorRT-LLM's fused kernels);
//! - on an accelerator, a unary activation (SiLU, GELU, ReLU, exp) assigned to the
//!   nonlinear unit is applied to the PE array's outputs as they drain (TPU-style
//!   activation pipeline), overlapping the product.
//!
//! **Conditions:** the producer is a matrix product whose only consumer is the operator,
//! and the units match one of the pairs above. The fused operator's other inputs (the
//! residual of an add, the up-projection of a gated multiply) are read by the producer.
//!
//! **Effect:** the intermediate is neither written nor read back — its bytes, and the
//! fused operator's own write (the producer now writes the final result instead), are
//! counted as saved; the producer reads the other inputs (their time at the achieved
//! bandwidth is added), takes the fused operator's arithmetic energy, and on the
//! accelerator lasts at least the nonlinear unit's compute time.

use super::Schedule;
use crate::cost::{EnergyItem, PlatformCosts, UnitKind, secs};
use crate::work::{VecFn, Work};

fn epilogue_fn(f: VecFn) -> bool {
    matches!(
        f,
        VecFn::Add
            | VecFn::Mul
            | VecFn::Silu
            | VecFn::Gelu
            | VecFn::Relu
            | VecFn::Exp
            | VecFn::Rotary
    )
}

fn activation_fn(f: VecFn) -> bool {
    matches!(f, VecFn::Silu | VecFn::Gelu | VecFn::Relu | VecFn::Exp)
}

/// Fuses what can be fused (see the module docs).
pub fn fuse(s: &mut Schedule, costs: &PlatformCosts<'_>) {
    let read_bw = dram_read_rate(costs);
    for ci in 0..s.tasks.len() {
        let c = &s.tasks[ci];
        let Some(Work::Vector(v)) = c.work else {
            continue;
        };
        if !c.alive {
            continue;
        }
        // The latest product among its inputs that has no other consumer.
        let producer = c.deps.iter().rev().copied().find(|&pi| {
            let p = &s.tasks[pi];
            let pair_ok = match (p.unit, c.unit) {
                (UnitKind::Gpu, UnitKind::Gpu) | (UnitKind::Cpu, UnitKind::Cpu) => {
                    epilogue_fn(v.func)
                }
                (UnitKind::PeArray, UnitKind::Nonlinear) => activation_fn(v.func),
                _ => false,
            };
            p.alive
                && pair_ok
                && matches!(p.work, Some(Work::Gemm(_)))
                && s.tasks
                    .iter()
                    .filter(|t| t.alive && t.deps.contains(&pi))
                    .count()
                    == 1
        });
        let Some(pi) = producer else {
            continue;
        };
        let consumer = s.tasks[ci].clone();
        let other_bytes = v.read_bytes.saturating_sub(s.tasks[pi].out_bytes);
        let saved =
            (consumer.cost.dram_read + consumer.cost.dram_written).saturating_sub(other_bytes);
        let p = &mut s.tasks[pi];
        p.cost.dram_read += other_bytes;
        if consumer.unit == UnitKind::Nonlinear {
            p.cost.time = p.cost.time.max(consumer.cost.compute_time);
        } else {
            p.cost.time += secs(other_bytes as f64 / read_bw.max(1.0));
        }
        p.cost.energy.extend(
            consumer
                .cost
                .energy
                .iter()
                .filter(|e| {
                    !matches!(e.unit.as_str(), "dram" | "global_buffer")
                        && !matches!(e.action.as_str(), "leakage" | "idle")
                })
                .cloned(),
        );
        p.cost.energy.push(EnergyItem::new(
            "dram",
            "access",
            costs.mem.energy_pj(other_bytes, 0),
        ));
        p.out_bytes = consumer.out_bytes;
        p.flops += consumer.flops;
        p.fused.push(consumer.name.clone());
        for d in consumer.deps.iter().filter(|&&d| d != pi) {
            if !p.deps.contains(d) {
                p.deps.push(*d);
            }
        }
        p.deps.sort_unstable();
        s.tasks[ci].alive = false;
        for t in s.tasks.iter_mut() {
            if t.deps.contains(&ci) {
                t.deps.retain(|&d| d != ci);
                if !t.deps.contains(&pi) {
                    t.deps.push(pi);
                }
                t.deps.sort_unstable();
            }
        }
        s.fused_ops += 1;
        s.fusion_saved_bytes += saved;
    }
}

/// The rate at which the platform reads DRAM, bytes/s (a GPU's or CPU's achievable rate,
/// else the probed one).
pub fn dram_read_rate(costs: &PlatformCosts<'_>) -> f64 {
    let p = costs.platform;
    if let Some(g) = &p.gpu {
        g.achievable_mem_bytes_per_s()
    } else if let Some(c) = &p.cpu {
        c.achievable_mem_bytes_per_s()
    } else {
        costs.mem.read_bytes_per_s
    }
}
