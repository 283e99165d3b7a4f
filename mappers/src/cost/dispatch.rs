//! Work on every unit but the PE array's products, through `arch::work` — the dispatch
//! layer (`Platform::candidate_units`, `Platform::estimate`).
//!
//! **Translation** ([`to_arch`]): products become `Gemm { act, weight }` or, with
//! quantised weights, `QuantGemm` (fused dequantisation); the `batch` independent products
//! of attention are one product stacked along the side of the larger operand (FLOPs
//! exact, the smaller operand read once instead of `batch` times); softmax, fused
//! attention (K and V at the cache's width and scale groups) and the scan map one to one; norms become `Norm`; add, multiply, SiLU, GELU
//! and exp become `Elementwise` with their inputs; data movement a copy. Element-wise
//! functions the dispatch layer has no class for (rotary, ReLU, quantise, dequantise,
//! conv1d, pooling, token merging/pruning) are marked inexact: on the nonlinear unit and a
//! PE array in element-wise mode they are costed by [`super::vector`] from `arch`'s
//! closed forms; elsewhere (GPU, CPU, in-memory units) they go as a multiply with the
//! operator's inputs per element (memory-bound work: the bytes are right, the few
//! operations per element are not).
//!
//! **Adjustments** ([`cost`]): energy lines `"unit.action"` are split, a device's DRAM
//! line is reported under `dram`; on a GPU with CUDA graphs the launch overhead is taken
//! out of the kernel ([`super::OpCost::launch_time`] keeps it); on GPUs and CPUs the
//! memory time and DRAM traffic are floored at the weights or KV cache the work must read
//! in a whole-model step (the CPU model assumes a working set that fits the last-level
//! cache was left there by the previous kernel — true for activations, not for a layer's
//! weights).

use arch::work::{self as aw, DType, EstimateOptions, EwOp};
use sim_core::Time;

use super::{Bound, EnergyItem, OpCost, PlatformCosts, UnitKind, secs};
use crate::MapError;
use crate::options::GpuLaunch;
use crate::work::{GemmWork, Operand, VecFn, Work};

/// The `arch` unit of a unit kind (`None` for the DMA engine and the links).
pub fn arch_unit(u: UnitKind) -> Option<aw::Unit> {
    Some(match u {
        UnitKind::PeArray => aw::Unit::PeArray,
        UnitKind::Nonlinear => aw::Unit::Nonlinear,
        UnitKind::Gpu => aw::Unit::Gpu,
        UnitKind::Cpu => aw::Unit::Cpu,
        UnitKind::Crossbar => aw::Unit::Crossbar,
        UnitKind::AssocProcessor => aw::Unit::AssocProcessor,
        UnitKind::Pim => aw::Unit::Pim,
        UnitKind::Dma | UnitKind::Interconnect | UnitKind::HostLink => return None,
    })
}

/// The unit kind of an `arch` unit.
pub fn kind(u: aw::Unit) -> UnitKind {
    match u {
        aw::Unit::PeArray => UnitKind::PeArray,
        aw::Unit::Nonlinear => UnitKind::Nonlinear,
        aw::Unit::Gpu => UnitKind::Gpu,
        aw::Unit::Cpu => UnitKind::Cpu,
        aw::Unit::Crossbar => UnitKind::Crossbar,
        aw::Unit::AssocProcessor => UnitKind::AssocProcessor,
        aw::Unit::Pim => UnitKind::Pim,
    }
}

/// The format of an operand width.
pub fn dtype(bits: u32) -> DType {
    match bits {
        32.. => DType::Fp32,
        9..=31 => DType::Fp16,
        5..=8 => DType::Int8,
        _ => DType::Int4,
    }
}

fn gemm(g: &GemmWork) -> aw::Work {
    let batch = g.batch.max(1);
    let (a_total, b_total) = (g.m * g.k, g.k * g.n);
    let (m, n) = if batch == 1 {
        (g.m, g.n)
    } else if g.b_role == Operand::Weight || a_total > b_total {
        (g.m * batch, g.n)
    } else {
        (g.m, g.n * batch)
    };
    let act = match dtype(g.a_bits.max(8)) {
        DType::Fp32 => DType::Fp16,
        d => d,
    };
    if g.quantized || g.b_bits < g.a_bits {
        aw::Work::QuantGemm {
            m,
            k: g.k,
            n,
            act,
            weight_bits: g.b_bits.clamp(1, 8),
            group_size: if g.b_group > 0 { g.b_group } else { g.k },
            fused_dequant: true,
        }
    } else {
        aw::Work::Gemm {
            m,
            k: g.k,
            n,
            act,
            weight: dtype(g.b_bits),
        }
    }
}

/// Whether `f` has an exact `arch::work` class.
pub fn exact_vector(f: VecFn) -> bool {
    matches!(
        f,
        VecFn::Add
            | VecFn::Mul
            | VecFn::Silu
            | VecFn::Gelu
            | VecFn::Exp
            | VecFn::RmsNorm
            | VecFn::LayerNorm
    )
}

/// The `arch::work` form of `w`, and whether it is exact (see the module docs).
pub fn to_arch(w: &Work) -> (aw::Work, bool) {
    match *w {
        Work::Gemm(g) => (gemm(&g), true),
        Work::Softmax(s) => (
            aw::Work::Softmax {
                rows: s.rows,
                len: s.len,
                dtype: if s.integer {
                    DType::Int8
                } else {
                    dtype(s.bits)
                },
                integer: s.integer,
            },
            true,
        ),
        Work::Attention(a) => (
            aw::Work::Attention(aw::AttentionShape {
                batch: a.batch,
                heads: a.heads,
                kv_heads: a.kv_heads,
                q_len: a.q_len,
                kv_len: a.kv_len,
                head_dim: a.head_dim,
                causal: a.causal,
                dtype: dtype(a.act_bits),
                kv_dtype: dtype(a.kv_bits),
                kv_group: a.kv_group,
            }),
            !a.integer_softmax,
        ),
        Work::Scan(s) => (
            aw::Work::Scan {
                batch: s.batch,
                seq_len: s.len,
                d_inner: s.d_inner,
                d_state: s.d_state,
                dtype: dtype(s.bits),
            },
            true,
        ),
        Work::Vector(v) => {
            let d = dtype(v.out_bits.max(8));
            if matches!(v.func, VecFn::RmsNorm | VecFn::LayerNorm) {
                return (
                    aw::Work::Norm {
                        rows: v.rows,
                        len: v.elements.div_ceil(v.rows.max(1)).max(1),
                        kind: if v.func == VecFn::RmsNorm {
                            aw::NormKind::Rms
                        } else {
                            aw::NormKind::Layer
                        },
                        dtype: d,
                    },
                    true,
                );
            }
            let per = (d.bytes() * v.elements as f64).max(1.0);
            let inputs = ((v.read_bytes as f64 / per).round() as u32).max(1);
            let (op, exact) = match v.func {
                VecFn::Add => (EwOp::Add, true),
                VecFn::Mul => (EwOp::Mul, true),
                VecFn::Silu => (EwOp::Silu, true),
                VecFn::Gelu => (EwOp::Gelu, true),
                VecFn::Exp => (EwOp::Exp, true),
                _ => (EwOp::Mul, false),
            };
            (
                aw::Work::Elementwise {
                    elements: v.elements.max(1),
                    op,
                    n_inputs: if exact { op.inputs() } else { inputs },
                    dtype: d,
                },
                exact,
            )
        }
        Work::Move(m) => (
            aw::Work::Elementwise {
                elements: (m.write_bytes / 2).max(1),
                op: EwOp::Copy,
                n_inputs: ((m.read_bytes as f64 / m.write_bytes.max(1) as f64).round() as u32)
                    .max(1),
                dtype: DType::Fp16,
            },
            true,
        ),
    }
}

/// The units `arch` offers for `w`, preferred first.
pub fn candidates(pc: &PlatformCosts<'_>, w: &Work) -> Vec<UnitKind> {
    let (a, _) = to_arch(w);
    pc.platform
        .candidate_units(&a)
        .into_iter()
        .map(kind)
        .collect()
}

/// Bytes of weights and KV cache `w` must read from DRAM in a whole-model step.
pub fn persistent_bytes(w: &Work) -> u64 {
    match *w {
        Work::Gemm(g) => match g.b_role {
            Operand::Weight => g.b_block_bytes(g.k, g.n),
            Operand::KvCache | Operand::HeadWeights => g.batch * g.b_block_bytes(g.k, g.n),
            Operand::Activation => 0,
        },
        Work::Attention(a) => {
            let s = a.scores();
            2 * s.batch * s.b_block_bytes(s.k, s.n)
        }
        _ => 0,
    }
}

/// Cost of `w` on `unit` through `Platform::estimate` (see the module docs).
pub fn cost(pc: &PlatformCosts<'_>, unit: UnitKind, w: &Work) -> Result<OpCost, MapError> {
    let p = pc.platform;
    let Some(au) = arch_unit(unit) else {
        return Err(MapError::CannotRun {
            platform: p.name.clone(),
            op: w.class().into(),
            kind: w.class().into(),
            reason: format!("{} is not a compute unit", unit.name()),
        });
    };
    let (a, _) = to_arch(w);
    let est = p.estimate(au, &a, &EstimateOptions::default())?;
    let mut energy: Vec<EnergyItem> = est
        .energy
        .iter()
        .map(|(k, pj)| {
            let (u, act) = k.split_once('.').unwrap_or((k.as_str(), "total"));
            if act == "dram" {
                EnergyItem::new("dram", "access", *pj)
            } else {
                EnergyItem::new(u, act, *pj)
            }
        })
        .filter(|e| e.pj != 0.0)
        .collect();
    let (launch, roofline) = match &est.backend {
        aw::Backend::Device(k) => (k.launch_time, k.compute_time.max(k.memory_time)),
        aw::Backend::Kernel(r) => (Time::ZERO, p.clock.cycles_to_time(r.roofline_cycles)),
        _ => (Time::ZERO, est.compute_time.max(est.memory_time)),
    };
    let mut c = OpCost {
        unit,
        time: est.time,
        compute_time: est.compute_time,
        memory_time: est.memory_time,
        launch_time: launch,
        roofline: roofline.min(est.time),
        dram_read: est.dram_bytes_read,
        dram_written: est.dram_bytes_written,
        onchip_bytes: est.onchip_bytes,
        energy: Vec::new(),
        fidelity: est.fidelity.level(),
        bound: match est.bound {
            aw::Bound::Compute => Bound::Compute,
            aw::Bound::Memory => Bound::Memory,
            aw::Bound::Latency => Bound::Latency,
        },
        mapping: None,
    };
    if matches!(unit, UnitKind::Gpu | UnitKind::Cpu) {
        floor_persistent(pc, unit, w, &mut c, &mut energy);
        if unit == UnitKind::Gpu && pc.opts.gpu_launch == GpuLaunch::Graph && launch > Time::ZERO {
            let total = c.time.as_secs_f64().max(1e-18);
            c.time = c.time.saturating_sub(launch);
            let kept = c.time.as_secs_f64() / total;
            for e in energy.iter_mut().filter(|e| e.action == "idle") {
                e.pj *= kept;
            }
        }
    }
    c.energy = energy;
    Ok(c)
}

/// Floors a GPU's or CPU's memory time and DRAM bytes at the work's weights and KV cache.
fn floor_persistent(
    pc: &PlatformCosts<'_>,
    unit: UnitKind,
    w: &Work,
    c: &mut OpCost,
    energy: &mut Vec<EnergyItem>,
) {
    let p = pc.platform;
    let persistent = persistent_bytes(w);
    let moved = c.dram_read + c.dram_written;
    if persistent <= moved {
        return;
    }
    let (bw, pj) = match (unit, &p.gpu, &p.cpu) {
        (UnitKind::Gpu, Some(g), _) => (g.achievable_mem_bytes_per_s(), g.spec().mem_pj_per_byte),
        (UnitKind::Cpu, _, Some(cpu)) => {
            (cpu.achievable_mem_bytes_per_s(), cpu.spec().mem_pj_per_byte)
        }
        _ => return,
    };
    let extra = persistent - moved;
    let mem = secs(persistent as f64 / bw.max(1.0));
    c.memory_time = c.memory_time.max(mem);
    if c.launch_time + mem > c.time {
        c.time = c.launch_time + mem;
        c.bound = Bound::Memory;
    }
    c.dram_read += extra;
    energy.push(EnergyItem::new("dram", "access", extra as f64 * pj));
}
