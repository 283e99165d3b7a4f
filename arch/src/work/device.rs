//! Work on a GPU or CPU, through [`crate::gpu::KernelModel`].
//!
//! * `Gemm` with `act == weight` → `KernelRequest::Gemm` in that format. On a GPU a format
//!   without a tensor-core rate (other than FP32) runs the GEMV kernel on CUDA cores when
//!   `m ≤` [`GEMV_MAX_M`] (`KernelRequest::Gemv`); for larger `m` the model's error names
//!   the formats it has. Both models already take the cheaper of the tiled kernel and the
//!   GEMV kernel for `m ≤ GEMV_MAX_M`.
//! * `Gemm` with integer weights (`int8`, `int4`) and floating-point activations → a fused
//!   weight-only quantised product with one scale per output channel (`group_size = k`);
//!   any other mix → a dense product in the wider format. `detail` says which.
//! * `QuantGemm` → `QuantGemm` (GPU: `QuantGemv` when the activation format has no tensor
//!   rate and `m ≤ GEMV_MAX_M`).
//! * `Softmax` (integer or not), `Attention`, `Elementwise`, `Scan` → the request of the
//!   same name; `Norm` → an element-wise kernel of 4 (RMS) or 7 (Layer) operations per
//!   element reading one tensor.
//! * On a `[system]` platform the estimate is for one device.
//!
//! The models give total DRAM bytes; the written share is taken as the output tensor.

use super::{Backend, Estimate, EstimateOptions, Fidelity, Unit, Work};
use crate::ArchError;
use crate::gpu::{DType, GEMV_MAX_M, KernelEstimate, KernelModel, KernelRequest};
use crate::kernel::Fidelity as KernelFidelity;
use crate::platform::Platform;

pub(super) fn estimate(
    p: &Platform,
    unit: Unit,
    work: &Work,
    opts: &EstimateOptions,
) -> Result<Estimate, ArchError> {
    let mut notes = Vec::new();
    let (model, has_tensor): (&dyn KernelModel, Box<dyn Fn(DType) -> bool + '_>) =
        match (unit, &p.gpu, &p.cpu) {
            (Unit::Gpu, Some(g), _) => (
                g,
                Box::new(|d: DType| d == DType::Fp32 || g.tensor_peak_ops(d).is_some()),
            ),
            (Unit::Cpu, _, Some(c)) => (c, Box::new(|_| true)),
            _ => {
                return Err(ArchError::Unsupported {
                    unit: format!("{} {}", p.name, unit.name()),
                    class: work.class().into(),
                    reason: format!("the platform has no [{}] section", unit.name()),
                });
            }
        };
    let req = request(work, &*has_tensor, &mut notes);
    if let Some(s) = &p.system {
        notes.push(format!(
            "one of {} devices (multi-device splits: arch::system)",
            s.devices()
        ));
    }
    if opts.fidelity == KernelFidelity::Roofline {
        notes.push(format!(
            "{} has one model (no roofline level); it was used",
            unit.name()
        ));
    }
    let e = model.estimate(&req)?;
    notes.insert(0, format!("{} on {}", req.class(), model.name()));
    Ok(convert(unit, work, e, notes))
}

/// The request for `work`; `has_tensor(d)`: whether the matrix unit runs format `d`.
fn request(
    work: &Work,
    has_tensor: &dyn Fn(DType) -> bool,
    notes: &mut Vec<String>,
) -> KernelRequest {
    match *work {
        Work::Gemm {
            m,
            k,
            n,
            act,
            weight,
        } => {
            let int_w = matches!(weight, DType::Int8 | DType::Int4);
            let float_a = matches!(act, DType::Fp16 | DType::Bf16 | DType::Fp8);
            if act != weight && int_w && float_a {
                notes.push(format!(
                    "{weight} weights with {act} activations run as a fused weight-only \
                     quantised product, one scale per output channel"
                ));
                let q = Work::QuantGemm {
                    m,
                    k,
                    n,
                    act,
                    weight_bits: weight.bits(),
                    group_size: k,
                    fused_dequant: true,
                };
                return request(&q, has_tensor, notes);
            }
            let d = if weight.bits() > act.bits() {
                weight
            } else {
                act
            };
            if act != weight {
                notes.push(format!("{act} x {weight} computed in {d}"));
            }
            if !has_tensor(d) && m <= GEMV_MAX_M {
                notes.push(format!("no matrix-unit rate for {d}: GEMV kernel"));
                KernelRequest::Gemv { m, n, k, dtype: d }
            } else {
                KernelRequest::Gemm { m, n, k, dtype: d }
            }
        }
        Work::QuantGemm {
            m,
            k,
            n,
            act,
            weight_bits,
            group_size,
            fused_dequant,
        } => {
            if !has_tensor(act) && m <= GEMV_MAX_M {
                KernelRequest::QuantGemv {
                    m,
                    n,
                    k,
                    weight_bits,
                    group_size,
                    act,
                    fused_dequant,
                }
            } else {
                KernelRequest::QuantGemm {
                    m,
                    n,
                    k,
                    weight_bits,
                    group_size,
                    act,
                    fused_dequant,
                }
            }
        }
        Work::Softmax { integer, .. } => {
            if integer {
                notes.push("integer softmax costed as the float softmax kernel".into());
            }
            work.request(DType::Fp16)
        }
        Work::Norm { .. } => {
            notes.push("normalisation as one element-wise kernel".into());
            work.request(DType::Fp16)
        }
        _ => work.request(DType::Fp16),
    }
}

/// An [`Estimate`] from a GPU/CPU estimate.
fn convert(unit: Unit, work: &Work, e: KernelEstimate, notes: Vec<String>) -> Estimate {
    let total = e.bytes_hbm.max(0.0);
    let written = work.output_bytes().min(total);
    let name = unit.name();
    Estimate {
        unit,
        kernel: work.label(),
        time: e.time,
        compute_time: e.compute_time,
        memory_time: e.memory_time,
        flops: e.flops,
        dram_bytes_read: (total - written).round() as u64,
        dram_bytes_written: written.round() as u64,
        onchip_bytes: 0,
        energy_pj: e.energy_j * 1e12,
        energy: vec![
            (format!("{name}.idle"), e.energy.idle_j * 1e12),
            (format!("{name}.compute"), e.energy.compute_j * 1e12),
            (format!("{name}.dram"), e.energy.memory_j * 1e12),
        ],
        fidelity: Fidelity::Analytical,
        bound: e.bound,
        detail: notes.join("; "),
        backend: Backend::Device(e),
    }
}
