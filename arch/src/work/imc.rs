//! Work on the in-memory units (crossbar, associative processor, PIM), through
//! [`crate::imc::kernel::Kernel`].
//!
//! * `Gemm` / `QuantGemm` → `Kernel::Gemv` (`m = 1`) or `Kernel::Gemm`, at the unit's own
//!   weight and input widths (a quantised format is noted, not modelled).
//! * `Softmax` → `Kernel::Softmax` (the associative processor: integer only; PIM: where
//!   the device has a softmax unit).
//! * `Elementwise` add, sub, mul → `Kernel::Elementwise` (two inputs, one output); gelu →
//!   `Kernel::Activation` (one input; PIM devices with an activation-function unit).
//! * `Attention` with `q_len = 1` → `Kernel::Attention` (PIM decode offload); a KV cache
//!   narrower than the work's format is streamed at its own width (`kv_dtype`, scales).
//!
//! Fields: compute and access coincide in memory, so `compute_time = memory_time = time`,
//! and `bound` is memory for PIM (it streams its banks) and compute for the crossbar and
//! the associative processor. DRAM bytes are the PIM's reads of its DRAM arrays
//! (`internal_bytes`, UPMEM's `mram_bytes`); on-chip bytes are the IMC buffers' traffic
//! (`buffer_read_bytes + buffer_write_bytes`, the AP's `io_bytes`).

use super::support::imc_elementwise;
use super::{Backend, Bound, DType, Estimate, EstimateOptions, Fidelity, Unit, Work};
use crate::ArchError;
use crate::imc::kernel::{AttentionShape, Fidelity as ImcFidelity, Kernel};
use crate::kernel::Fidelity as KernelFidelity;
use crate::platform::Platform;

pub(super) fn estimate(
    p: &Platform,
    unit: Unit,
    work: &Work,
    opts: &EstimateOptions,
) -> Result<Estimate, ArchError> {
    let mut notes = Vec::new();
    let kernel = kernel(work, &mut notes)?;
    let e = match unit {
        Unit::Crossbar => p.crossbar.as_ref().map(|c| c.estimate(&kernel)),
        Unit::AssocProcessor => p.assoc_processor.as_ref().map(|a| a.estimate(&kernel)),
        _ => p.pim.as_ref().map(|m| m.estimate(&kernel)),
    }
    .ok_or_else(|| ArchError::Unsupported {
        unit: format!("{} {}", p.name, unit.name()),
        class: work.class().into(),
        reason: format!("the platform has no [{}] section", unit.name()),
    })??;
    if opts.fidelity == KernelFidelity::Roofline {
        notes.push(format!(
            "{} has one model (no roofline level); it was used",
            unit.name()
        ));
    }
    let ext = e.count("external_bytes") + e.count("host_link_bytes") + e.count("transfer_bytes");
    if ext > 0 {
        notes.push(format!("{ext} bytes over the host/channel interface"));
    }
    notes.insert(
        0,
        format!("{} on {} ({} cycles)", kernel.class(), e.unit, e.cycles),
    );
    let dram = e.count("internal_bytes") + e.count("mram_bytes");
    let onchip = e.count("buffer_read_bytes") + e.count("buffer_write_bytes") + e.count("io_bytes");
    Ok(Estimate {
        unit,
        kernel: work.label(),
        time: e.time,
        compute_time: e.time,
        memory_time: e.time,
        flops: work.flops(),
        dram_bytes_read: dram,
        dram_bytes_written: 0,
        onchip_bytes: onchip,
        energy_pj: e.energy_pj(),
        energy: e
            .energy
            .rows
            .iter()
            .map(|r| (format!("{}.{}", r.component, r.action), r.pj))
            .collect(),
        fidelity: match e.fidelity {
            ImcFidelity::CycleStepped => Fidelity::CycleStepped,
            ImcFidelity::TileLevel => Fidelity::TileLevel,
            ImcFidelity::Analytical => Fidelity::Analytical,
        },
        bound: if unit == Unit::Pim {
            Bound::Memory
        } else {
            Bound::Compute
        },
        detail: notes.join("; "),
        backend: Backend::InMemory(Box::new(e)),
    })
}

/// The in-memory kernel for `work` (classes the units lack were rejected by the support
/// check; they are errors here too).
fn kernel(work: &Work, notes: &mut Vec<String>) -> Result<Kernel, ArchError> {
    let unsupported = |why: &str| ArchError::Unsupported {
        unit: "in-memory units".into(),
        class: work.class().into(),
        reason: why.into(),
    };
    Ok(match *work {
        Work::Gemm { m, k, n, .. } | Work::QuantGemm { m, k, n, .. } => {
            notes.push("weights and inputs at the unit's own widths".into());
            if m == 1 {
                Kernel::Gemv { k, n }
            } else {
                Kernel::Gemm { m, k, n }
            }
        }
        Work::Softmax { rows, len, .. } => Kernel::Softmax { rows, len },
        Work::Elementwise {
            elements,
            op,
            n_inputs,
            ..
        } => {
            let kernel = imc_elementwise(op, elements)
                .ok_or_else(|| unsupported("only add, sub, mul and (PIM with an AF unit) gelu"))?;
            let reads = if matches!(kernel, Kernel::Activation { .. }) {
                1
            } else {
                2
            };
            if n_inputs != reads {
                notes.push(format!(
                    "{n_inputs} inputs given; the unit reads {}",
                    if reads == 1 { "one" } else { "two" }
                ));
            }
            kernel
        }
        Work::Attention(crate::gpu::AttentionShape {
            batch,
            heads,
            kv_heads,
            q_len,
            kv_len,
            head_dim,
            dtype,
            kv_dtype,
            kv_group,
            ..
        }) => {
            if q_len != 1 {
                return Err(unsupported("decode steps only (q_len = 1)"));
            }
            // A cache in the work's own format is read at the unit's width (as before);
            // a narrower one at its own.
            let narrower = kv_dtype.bits() < dtype.bits();
            Kernel::Attention(AttentionShape {
                batch,
                heads,
                kv_heads,
                seq_len: kv_len,
                head_dim,
                kv_bits: narrower.then(|| kv_dtype.bits()),
                kv_group: if narrower && matches!(kv_dtype, DType::Int8 | DType::Int4) {
                    kv_group
                } else {
                    0
                },
            })
        }
        Work::Norm { .. } | Work::Scan { .. } => {
            return Err(unsupported("no such kernel on in-memory units"));
        }
    })
}
