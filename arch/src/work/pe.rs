//! Work on the PE array and the nonlinear unit, through [`crate::kernel`].
//!
//! * `Gemm`, `QuantGemm` → [`run_gemm`] (`m = 1`: [`run_gemv`]) at the array's operand
//!   width; quantised weights are streamed at that width too (the packed format and its
//!   scales are not modelled on PE arrays).
//! * `Softmax` → [`run_softmax_on`]; `Elementwise` → [`run_elementwise_on`] (one operation
//!   with its usual inputs) or a fused chain ([`run_vector_chain`]): GELU as mul, SiLU,
//!   mul; a copy as no operation.
//! * `Norm` → a chain per element — RMSNorm: mul (square), add (sum), mul (× 1/rms), mul
//!   (× γ); LayerNorm: add (sum), add (− mean), mul (square), add (sum), mul (× 1/std), mul
//!   (× γ), add (+ β) — reading `x` and `γ` (and `β`), writing the output; the per-row
//!   reciprocal square root is not counted.
//! * `Scan` → a chain per (batch, step, channel, state) element: mul (Δ·A), exp, mul
//!   (Δ·B), mul (· u), mul + add (h = dA·h + dBu), mul + add (y += C·h) — with the steps
//!   dependent (one step's `batch·d_inner·d_state` elements at a time); reads u, Δ
//!   (`b·L·d_inner` each), B, C (`b·L·d_state` each) and A (`d_inner·d_state`), writes y
//!   (`b·L·d_inner`); the state stays on chip. This is how MARCA runs the scan on its
//!   reconfigured PEs.
//! * `Attention` → decomposed (see [`super`]).

use sim_core::Time;

use super::support::softmax_unit;
use super::{Backend, Bound, Estimate, EstimateOptions, EwOp, Fidelity, NormKind, Unit, Work};
use crate::ArchError;
use crate::gpu::{AttentionShape, DType};
use crate::kernel::{
    Fidelity as KernelFidelity, GemmOptions, KernelReport, VectorChain, VectorUnit,
    run_elementwise_on, run_gemm, run_gemv, run_softmax_on, run_vector_chain, vector_elem_bytes,
};
use crate::nonlinear::ElementwiseOp as Op;
use crate::pe_array::GemmShape;
use crate::platform::Platform;
use crate::tech::Arithmetic;

/// Scan operations per state element (see the module docs).
const SCAN_OPS: [Op; 8] = [
    Op::Mul,
    Op::Exp,
    Op::Mul,
    Op::Mul,
    Op::Mul,
    Op::Add,
    Op::Mul,
    Op::Add,
];
const RMS_OPS: [Op; 4] = [Op::Mul, Op::Add, Op::Mul, Op::Mul];
const LAYER_OPS: [Op; 7] = [
    Op::Add,
    Op::Add,
    Op::Mul,
    Op::Add,
    Op::Mul,
    Op::Mul,
    Op::Add,
];
const GELU_OPS: [Op; 3] = [Op::Mul, Op::Silu, Op::Mul];

pub(super) fn estimate(
    p: &Platform,
    unit: Unit,
    work: &Work,
    opts: &EstimateOptions,
) -> Result<Estimate, ArchError> {
    let vu = match unit {
        Unit::Nonlinear => VectorUnit::Nonlinear,
        _ => VectorUnit::PeArray,
    };
    let f = opts.fidelity;
    let mut notes = Vec::new();
    let report = match *work {
        Work::Gemm { m, k, n, .. } | Work::QuantGemm { m, k, n, .. } => {
            format_note(p, unit, work, &mut notes);
            if let Work::QuantGemm { weight_bits, .. } = *work {
                notes.push(format!(
                    "{weight_bits}-bit weights streamed at the array's operand width (packing \
                     and scales not modelled on PE arrays)"
                ));
            }
            let g = GemmOptions {
                dataflow: opts.dataflow,
                tiling: opts.tiling,
                fidelity: f,
            };
            if m == 1 {
                run_gemv(p, k, n, &g)?
            } else {
                run_gemm(p, GemmShape::new(m, k, n), &g)?
            }
        }
        Work::Softmax {
            rows, len, integer, ..
        } => {
            format_note(p, unit, work, &mut notes);
            if integer {
                notes.push("integer softmax costed as the unit's softmax".into());
            }
            run_softmax_on(p, Some(vu), rows, len, f)?
        }
        Work::Elementwise {
            elements,
            op,
            n_inputs,
            ..
        } => {
            format_note(p, unit, work, &mut notes);
            let single = match op {
                EwOp::Add | EwOp::Sub => Some(Op::Add),
                EwOp::Mul => Some(Op::Mul),
                EwOp::Exp => Some(Op::Exp),
                EwOp::Silu => Some(Op::Silu),
                EwOp::Gelu | EwOp::Copy => None,
            };
            match single {
                Some(o) if u64::from(n_inputs) == o.inputs() => {
                    run_elementwise_on(p, Some(vu), elements, o, f)?
                }
                _ => {
                    let ops: &[Op] = match (op, single) {
                        (EwOp::Gelu, _) => &GELU_OPS,
                        (EwOp::Copy, _) => &[],
                        (_, Some(Op::Add)) => &[Op::Add],
                        (_, Some(Op::Mul)) => &[Op::Mul],
                        (_, Some(Op::Exp)) => &[Op::Exp],
                        _ => &[Op::Silu],
                    };
                    let eb = vector_elem_bytes(p, Some(vu))?;
                    let chain = VectorChain {
                        kernel: format!("elementwise {} {elements}", op.name()),
                        ops,
                        rows: elements,
                        row_len: 1,
                        dependent_rows: false,
                        inputs: u64::from(n_inputs),
                        bytes_in: u64::from(n_inputs) * elements * eb,
                        bytes_out: elements * eb,
                    };
                    run_vector_chain(p, Some(vu), &chain, f)?
                }
            }
        }
        Work::Norm {
            rows, len, kind, ..
        } => {
            format_note(p, unit, work, &mut notes);
            notes.push("per-row reciprocal square root not counted".into());
            let eb = vector_elem_bytes(p, Some(vu))?;
            let (ops, params): (&[Op], u64) = match kind {
                NormKind::Rms => (&RMS_OPS, 1),
                NormKind::Layer => (&LAYER_OPS, 2),
            };
            let n = rows * len;
            let chain = VectorChain {
                kernel: work.label(),
                ops,
                rows: n,
                row_len: 1,
                dependent_rows: false,
                inputs: 1,
                bytes_in: (n + params * len) * eb,
                bytes_out: n * eb,
            };
            run_vector_chain(p, Some(vu), &chain, f)?
        }
        Work::Scan {
            batch,
            seq_len,
            d_inner,
            d_state,
            ..
        } => {
            format_note(p, unit, work, &mut notes);
            notes.push(
                "selective scan as a fused element-wise chain, one step after another, state \
                 kept on chip"
                    .into(),
            );
            let eb = vector_elem_bytes(p, Some(vu))?;
            let steps = batch * seq_len;
            let chain = VectorChain {
                kernel: work.label(),
                ops: &SCAN_OPS,
                rows: seq_len,
                row_len: batch * d_inner * d_state,
                dependent_rows: true,
                inputs: 2,
                bytes_in: (steps * (2 * d_inner + 2 * d_state) + d_inner * d_state) * eb,
                bytes_out: steps * d_inner * eb,
            };
            run_vector_chain(p, Some(vu), &chain, f)?
        }
        Work::Attention(_) => return attention(p, work, opts),
    };
    from_report(p, unit, work, report, notes)
}

/// The DType a PE array computes in (`None` for formats [`DType`] has no name for).
pub(super) fn pe_dtype(p: &Platform) -> Option<DType> {
    let pe = p.pe_array.as_ref()?;
    match (pe.arithmetic, pe.operand_bits) {
        (Arithmetic::Int, 8) => Some(DType::Int8),
        (Arithmetic::Int, 4) => Some(DType::Int4),
        (Arithmetic::Fp, 8) => Some(DType::Fp8),
        (Arithmetic::Fp, 16) => Some(DType::Fp16),
        (Arithmetic::Fp, 32) => Some(DType::Fp32),
        _ => None,
    }
}

/// Notes when the work's format differs from the unit's datapath.
fn format_note(p: &Platform, unit: Unit, work: &Work, notes: &mut Vec<String>) {
    let (bits, native) = match (unit, &p.pe_array, &p.nonlinear) {
        (Unit::Nonlinear, _, Some(nl)) => (nl.data_bits, format!("{}-bit", nl.data_bits)),
        (_, Some(pe), _) => (
            pe.operand_bits,
            pe_dtype(p).map_or_else(|| format!("{}-bit", pe.operand_bits), |d| d.name().into()),
        ),
        _ => return,
    };
    let want = work.dtype();
    let weights = match *work {
        Work::Gemm { act, weight, .. } if act != weight => format!(" with {weight} weights"),
        _ => String::new(),
    };
    if want.bits() != bits || !weights.is_empty() {
        notes.push(format!(
            "computed in the unit's {native} format (the work asks for {want}{weights})"
        ));
    }
}

/// Peak off-chip bandwidth as [`Platform::memory`] reports it, bytes/s, without building
/// the memory model: the SRAM-only bandwidth, else the DRAM's peak (after an FPGA's port
/// limit), else the ideal stand-in.
pub(super) fn offchip_peak(p: &Platform) -> f64 {
    if let Some(s) = &p.sram_only {
        return s.bandwidth_bytes_per_s as f64;
    }
    let dram = p
        .dram_config
        .as_ref()
        .map_or(crate::platform::NO_DRAM_BYTES_PER_S as f64, |c| {
            c.peak_bytes_per_s()
        });
    match p.fpga.as_ref().and_then(|f| f.mem_bandwidth_bytes_per_s) {
        Some(cap) => dram.min(cap as f64),
        None => dram,
    }
}

/// An [`Estimate`] from a kernel report.
fn from_report(
    p: &Platform,
    unit: Unit,
    work: &Work,
    r: KernelReport,
    mut notes: Vec<String>,
) -> Result<Estimate, ArchError> {
    let peak = offchip_peak(p).max(1.0);
    let bytes = (r.dram_bytes_read + r.dram_bytes_written) as f64;
    let memory_time = Time::from_ps((bytes * 1e12 / peak).ceil() as u64);
    let compute_time = p.clock.cycles_to_time(r.compute_cycles);
    let fidelity = match r.fidelity {
        KernelFidelity::TileEvents => Fidelity::TileEvents,
        KernelFidelity::Roofline => Fidelity::Roofline,
    };
    notes.insert(0, format!("{} on {}", r.kernel, r.unit));
    Ok(Estimate {
        unit,
        kernel: work.label(),
        time: Time::from_ps(r.total_ps),
        compute_time,
        memory_time,
        flops: work.flops(),
        dram_bytes_read: r.dram_bytes_read,
        dram_bytes_written: r.dram_bytes_written,
        onchip_bytes: r.sram_bytes_read + r.sram_bytes_written,
        energy_pj: r.energy_pj,
        energy: crate::kernel::fold_dram_lines(&r.energy),
        fidelity,
        bound: if compute_time >= memory_time {
            Bound::Compute
        } else {
            Bound::Memory
        },
        detail: notes.join("; "),
        backend: Backend::Kernel(Box::new(r)),
    })
}

/// Attention decomposed into QKᵀ, softmax and PV per KV head (see [`super`]).
fn attention(p: &Platform, work: &Work, opts: &EstimateOptions) -> Result<Estimate, ArchError> {
    let Work::Attention(AttentionShape {
        batch,
        heads,
        kv_heads,
        q_len,
        kv_len,
        head_dim,
        causal,
        dtype,
        kv_dtype,
        kv_group,
    }) = *work
    else {
        return Err(ArchError::Invalid {
            key: "work".into(),
            message: "expected attention".into(),
        });
    };
    let sm_unit = softmax_unit(p).ok_or_else(|| ArchError::Unsupported {
        unit: format!("{} pe_array", p.name),
        class: "attention".into(),
        reason: "no unit runs the softmax of the decomposition".into(),
    })?;
    let rows = heads / kv_heads.max(1) * q_len;
    // K (or V) is the products' second operand, at the cache's format: an integer cache
    // with scales is a fused dequantising product (QKᵀ: groups along the head's channels,
    // as stored; PV: along the keys, the same count of scales when both divide).
    let gemm = |m, k, n| {
        if kv_dtype != dtype && matches!(kv_dtype, DType::Int8 | DType::Int4) {
            Work::QuantGemm {
                m,
                k,
                n,
                act: dtype,
                weight_bits: kv_dtype.bits(),
                group_size: if kv_group > 0 { kv_group } else { k },
                fused_dequant: true,
            }
        } else {
            Work::Gemm {
                m,
                k,
                n,
                act: dtype,
                weight: kv_dtype,
            }
        }
    };
    // Tilings are per shape: a caller's tiling does not apply to the parts.
    let part_opts = EstimateOptions {
        tiling: None,
        ..*opts
    };
    let parts = vec![
        estimate(p, Unit::PeArray, &gemm(rows, head_dim, kv_len), &part_opts)?,
        estimate(
            p,
            sm_unit,
            &Work::Softmax {
                rows,
                len: kv_len,
                dtype,
                integer: false,
            },
            &part_opts,
        )?,
        estimate(p, Unit::PeArray, &gemm(rows, kv_len, head_dim), &part_opts)?,
    ];
    let instances = batch * kv_heads;
    let sum_t = |f: &dyn Fn(&Estimate) -> Time| {
        Time::from_ps(
            parts
                .iter()
                .map(|e| f(e).as_ps())
                .sum::<u64>()
                .saturating_mul(instances),
        )
    };
    let sum_u =
        |f: &dyn Fn(&Estimate) -> u64| parts.iter().map(f).sum::<u64>().saturating_mul(instances);
    let mut energy: Vec<(String, f64)> = Vec::new();
    for e in &parts {
        for (k, v) in &e.energy {
            match energy.iter_mut().find(|l| &l.0 == k) {
                Some(l) => l.1 += v * instances as f64,
                None => energy.push((k.clone(), v * instances as f64)),
            }
        }
    }
    let compute_time = sum_t(&|e| e.compute_time);
    let memory_time = sum_t(&|e| e.memory_time);
    let fidelity = parts
        .iter()
        .map(|e| e.fidelity)
        .max()
        .unwrap_or(Fidelity::TileEvents);
    let detail = format!(
        "decomposed per KV head, {instances} instances (batch {batch} x kv_heads {kv_heads}) back \
         to back: QK^T gemm {rows}x{head_dim}x{kv_len} on pe_array, softmax {rows}x{kv_len} on \
         {sm_unit}, PV gemm {rows}x{kv_len}x{head_dim} on pe_array; scores go through off-chip \
         memory (not fused){}",
        if causal {
            "; causal mask not exploited (full score matrix)"
        } else {
            ""
        }
    );
    Ok(Estimate {
        unit: Unit::PeArray,
        kernel: work.label(),
        time: sum_t(&|e| e.time),
        compute_time,
        memory_time,
        flops: work.flops(),
        dram_bytes_read: sum_u(&|e| e.dram_bytes_read),
        dram_bytes_written: sum_u(&|e| e.dram_bytes_written),
        onchip_bytes: sum_u(&|e| e.onchip_bytes),
        energy_pj: parts.iter().map(|e| e.energy_pj).sum::<f64>() * instances as f64,
        energy,
        fidelity,
        bound: if compute_time >= memory_time {
            Bound::Compute
        } else {
            Bound::Memory
        },
        detail,
        backend: Backend::Parts { parts, instances },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offchip_peak_is_the_memory_models() {
        for name in crate::preset_names() {
            let Ok(p) = Platform::load(name, &[]) else {
                continue;
            };
            if p.pe_array.is_some() {
                let m = p.memory().map(|m| m.peak_bytes_per_s()).unwrap_or(-1.0);
                assert_eq!(offchip_peak(&p), m, "{name}");
            }
        }
    }
}
