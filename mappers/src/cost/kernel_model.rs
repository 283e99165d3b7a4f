//! Work on a GPU or a CPU through `arch::gpu::KernelModel` (level 3: analytical
//! SM/core-level estimates).
//!
//! **Requests.** A product with `m ≤ arch::gpu::GEMV_MAX_M` rows is a GEMV, else a GEMM;
//! weights narrower than the activations are a quantised GEMV/GEMM with fused
//! dequantisation. The `batch` independent products of attention (one per sequence and KV
//! head) are one request stacked along `n` (B side: per-product K or V) or along `m` (A
//! side), whichever keeps the larger operand's bytes exact: FLOPs are exact, the smaller
//! operand is read once instead of `batch` times. Softmax, fused attention and the
//! selective scan are their own requests; element-wise work and norms are element-wise
//! requests with the operator's FLOPs per element and inputs per element; data movement
//! is an element-wise request with no arithmetic.
//!
//! **Launch.** With `GpuLaunch::Graph` (default) a GPU kernel's launch overhead is taken
//! out of its time ([`OpCost::launch_time`] keeps it) and the schedule pays one launch per
//! step; CPU overheads always stay.

use arch::gpu::{DType, GEMV_MAX_M, KernelEstimate, KernelModel, KernelRequest};

use super::{Bound, EnergyItem, OpCost, PlatformCosts, UnitKind};
use crate::MapError;
use crate::options::GpuLaunch;
use crate::work::{GemmWork, Work};

/// The GPU format of an operand width.
pub fn dtype(bits: u32) -> DType {
    match bits {
        32 => DType::Fp32,
        9..=16 => DType::Fp16,
        5..=8 => DType::Int8,
        _ => DType::Int4,
    }
}

fn gemm_request(g: &GemmWork) -> KernelRequest {
    let act = dtype(g.a_bits.max(8));
    let batch = g.batch.max(1);
    let a_total = g.m * g.k;
    let b_total = g.k * g.n;
    let (m, n) = if batch == 1 {
        (g.m, g.n)
    } else if g.b_role == crate::work::Operand::Weight || a_total > b_total {
        // Shared weights, or A is the larger operand: stack the rows.
        (g.m * batch, g.n)
    } else {
        (g.m, g.n * batch)
    };
    if g.quantized || g.b_bits < g.a_bits {
        let group_size = if g.b_group > 0 { g.b_group } else { g.k };
        let weight_bits = g.b_bits.clamp(1, 8);
        let act = if matches!(act, DType::Fp32 | DType::Tf32 | DType::Int4) {
            DType::Fp16
        } else {
            act
        };
        if m <= GEMV_MAX_M {
            KernelRequest::QuantGemv {
                m,
                n,
                k: g.k,
                weight_bits,
                group_size,
                act,
                fused_dequant: true,
            }
        } else {
            KernelRequest::QuantGemm {
                m,
                n,
                k: g.k,
                weight_bits,
                group_size,
                act,
                fused_dequant: true,
            }
        }
    } else if m <= GEMV_MAX_M {
        KernelRequest::Gemv {
            m,
            n,
            k: g.k,
            dtype: act,
        }
    } else {
        KernelRequest::Gemm {
            m,
            n,
            k: g.k,
            dtype: act,
        }
    }
}

/// The request for `w` (see the module docs).
pub fn request(w: &Work) -> KernelRequest {
    match *w {
        Work::Gemm(g) => gemm_request(&g),
        Work::Softmax(s) if !s.integer => KernelRequest::Softmax {
            rows: s.rows,
            len: s.len,
            dtype: dtype(s.bits),
        },
        Work::Softmax(s) => KernelRequest::Elementwise {
            elements: s.rows * s.len,
            flops_per_element: workloads::ops::INT_SOFTMAX_OPS as u32,
            dtype: DType::Int8,
            n_inputs: 1,
        },
        Work::Attention(a) => KernelRequest::Attention {
            batch: a.batch,
            heads: a.heads,
            kv_heads: a.kv_heads,
            q_len: a.q_len,
            kv_len: a.kv_len,
            head_dim: a.head_dim,
            causal: a.causal,
            dtype: dtype(a.act_bits),
        },
        Work::Scan(s) => KernelRequest::SelectiveScan {
            batch: s.batch,
            seq_len: s.len,
            d_inner: s.d_inner,
            d_state: s.d_state,
            dtype: dtype(s.bits),
        },
        Work::Vector(v) => {
            let d = dtype(v.out_bits.max(8));
            let per = (d.bytes() * v.elements as f64).max(1.0);
            let n_inputs = ((v.read_bytes as f64 / per).round() as u32).max(1);
            let flops: u64 = super::vector::ops(v.func).iter().map(|x| x.1).sum();
            KernelRequest::Elementwise {
                elements: v.elements.max(1),
                flops_per_element: flops.min(u64::from(u32::MAX)) as u32,
                dtype: d,
                n_inputs,
            }
        }
        Work::Move(m) => KernelRequest::Elementwise {
            elements: (m.write_bytes / 2).max(1),
            flops_per_element: 0,
            dtype: DType::Fp16,
            n_inputs: ((m.read_bytes as f64 / m.write_bytes.max(1) as f64).round() as u32).max(1),
        },
    }
}

/// Cost of `w` on the platform's GPU or CPU.
pub fn cost(pc: &PlatformCosts<'_>, unit: UnitKind, w: &Work) -> Result<OpCost, MapError> {
    let p = pc.platform;
    let req = request(w);
    let est: KernelEstimate = match unit {
        UnitKind::Gpu => match &p.gpu {
            Some(g) => g.estimate(&req)?,
            None => return Err(no_unit(p, "gpu")),
        },
        _ => match &p.cpu {
            Some(c) => c.estimate(&req)?,
            None => return Err(no_unit(p, "cpu")),
        },
    };
    let est = floor_persistent(p, unit, w, est);
    let graph = unit == UnitKind::Gpu && pc.opts.gpu_launch == GpuLaunch::Graph;
    let time = if graph {
        est.time.saturating_sub(est.launch_time)
    } else {
        est.time
    };
    let total = est.time.as_secs_f64().max(1e-18);
    let kept = time.as_secs_f64() / total;
    let name = unit.name();
    let bytes = est.bytes_hbm.max(0.0) as u64;
    let energy = vec![
        EnergyItem::new(name, "idle", est.energy.idle_j * 1e12 * kept),
        EnergyItem::new(name, "compute", est.energy.compute_j * 1e12),
        EnergyItem::new("dram", "access", est.energy.memory_j * 1e12),
    ]
    .into_iter()
    .filter(|e| e.pj > 0.0)
    .collect();
    Ok(OpCost {
        unit,
        time,
        compute_time: est.compute_time,
        memory_time: est.memory_time,
        launch_time: est.launch_time,
        roofline: est.compute_time.max(est.memory_time).min(time),
        dram_read: bytes.saturating_sub(w_written(w)),
        dram_written: w_written(w).min(bytes),
        onchip_bytes: 0,
        energy,
        fidelity: 3,
        bound: match est.bound {
            arch::gpu::Bound::Compute => Bound::Compute,
            arch::gpu::Bound::Memory => Bound::Memory,
            arch::gpu::Bound::Latency => Bound::Latency,
        },
        mapping: None,
    })
}

/// Bytes of weights and KV cache a piece of work must read from DRAM in a whole-model
/// step (a layer's weights are not left in a cache by the operator before it).
pub fn persistent_bytes(w: &Work) -> u64 {
    match *w {
        Work::Gemm(g) => match g.b_role {
            crate::work::Operand::Weight => g.b_block_bytes(g.k, g.n),
            crate::work::Operand::KvCache => g.batch * g.b_block_bytes(g.k, g.n),
            crate::work::Operand::Activation => 0,
        },
        Work::Attention(a) => {
            let s = a.scores();
            2 * s.batch * s.b_block_bytes(s.k, s.n)
        }
        _ => 0,
    }
}

/// The CPU model assumes a kernel whose working set fits the last-level cache finds its
/// operands there (left by the previous operator). That holds for activations but not for
/// a layer's weights or KV cache in a whole-model step, so memory time and DRAM traffic
/// are floored at those bytes at the device's achievable bandwidth (a no-op when the
/// estimate already streams them).
fn floor_persistent(
    p: &arch::Platform,
    unit: UnitKind,
    w: &Work,
    mut est: KernelEstimate,
) -> KernelEstimate {
    let persistent = persistent_bytes(w) as f64;
    if persistent <= est.bytes_hbm {
        return est;
    }
    let (bw, pj) = match (unit, &p.gpu, &p.cpu) {
        (UnitKind::Gpu, Some(g), _) => (g.achievable_mem_bytes_per_s(), g.spec().mem_pj_per_byte),
        (UnitKind::Cpu, _, Some(c)) => (c.achievable_mem_bytes_per_s(), c.spec().mem_pj_per_byte),
        _ => return est,
    };
    let extra = persistent - est.bytes_hbm;
    let mem = super::secs(persistent / bw.max(1.0));
    est.memory_time = est.memory_time.max(mem);
    let body = est.time.saturating_sub(est.launch_time);
    if mem > body {
        est.time = est.launch_time + mem;
        est.bound = arch::gpu::Bound::Memory;
    }
    est.bytes_hbm = persistent;
    est.energy.memory_j += extra * pj * 1e-12;
    est.energy_j = est.energy.total_j();
    est
}

/// Bytes the work writes (outputs), to split a DRAM total into reads and writes.
fn w_written(w: &Work) -> u64 {
    match *w {
        Work::Gemm(g) => g.batch * g.c_block_bytes(g.m, g.n),
        Work::Softmax(s) => (s.rows * s.len * u64::from(s.bits)).div_ceil(8),
        Work::Attention(a) => {
            let s = a.scores();
            s.batch * s.a_block_bytes(s.m, a.head_dim)
        }
        Work::Scan(s) => s.write_bytes,
        Work::Vector(v) => v.write_bytes,
        Work::Move(m) => m.write_bytes,
    }
}

fn no_unit(p: &arch::Platform, unit: &str) -> MapError {
    MapError::CannotRun {
        platform: p.name.clone(),
        op: "work".into(),
        kind: unit.into(),
        reason: format!("the platform has no [{unit}]"),
    }
}
