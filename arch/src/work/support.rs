//! Which unit runs which class of work, and in which order a mapper should try them.
//!
//! Preference orders (a unit is listed only if the platform has it and it runs the work):
//!
//! | class | order |
//! |---|---|
//! | gemm, quant_gemm | pe_array, gpu, cpu, crossbar, pim |
//! | softmax | nonlinear, assoc_processor (integer only), pe_array (tree bypassed), gpu, cpu, pim (softmax unit) |
//! | elementwise | nonlinear, pe_array (tree bypassed), gpu, cpu, assoc_processor, pim (add, sub, mul) |
//! | norm | nonlinear, pe_array (tree bypassed), gpu, cpu |
//! | attention | gpu, pim (decode offload), pe_array (decomposed), cpu |
//! | scan | gpu, cpu, pe_array (tree bypassed, MARCA), nonlinear |
//!
//! A PE array whose reduction tree can be bypassed (MARCA) is the platform's vector
//! engine: for softmax, element-wise work and norms it comes before a `[nonlinear]` unit
//! beside it, which then runs only what the PEs cannot — exp, SiLU, GELU and softmax when
//! the tree says `nonlinear_on_pes = false` ([`order`]). No shipped preset has both, so
//! the table above is every preset's order.
//!
//! Capabilities of the fixed-function units (crossbar, associative processor, PIM) are
//! checked by asking the unit itself for a one-element kernel of the class, so a device
//! without a softmax unit or a PIM without an attention path is reported with the unit's
//! own reason.

use super::{EwOp, Unit, Work};
use crate::ArchError;
use crate::imc::kernel::{ActivationFn, AttentionShape, ElementwiseOp, Kernel};
use crate::platform::Platform;

/// The preference order for `work`'s class.
pub(super) fn preference(work: &Work) -> &'static [Unit] {
    use Unit::*;
    match work {
        Work::Gemm { .. } | Work::QuantGemm { .. } => &[PeArray, Gpu, Cpu, Crossbar, Pim],
        Work::Softmax { .. } => &[Nonlinear, AssocProcessor, PeArray, Gpu, Cpu, Pim],
        Work::Elementwise { .. } => &[Nonlinear, PeArray, Gpu, Cpu, AssocProcessor, Pim],
        Work::Norm { .. } => &[Nonlinear, PeArray, Gpu, Cpu],
        Work::Attention(_) => &[Gpu, Pim, PeArray, Cpu],
        Work::Scan { .. } => &[Gpu, Cpu, PeArray, Nonlinear],
    }
}

/// The preference order for `work` on `p`: [`preference`], with a bypassable PE array
/// moved before the nonlinear unit for softmax, element-wise work and norms (module docs).
pub(super) fn order(p: &Platform, work: &Work) -> Vec<Unit> {
    let mut v = preference(work).to_vec();
    let vector_class = matches!(
        work,
        Work::Softmax { .. } | Work::Elementwise { .. } | Work::Norm { .. }
    );
    if vector_class
        && pe_vector(p)
        && let (Some(pe), Some(nl)) = (
            v.iter().position(|u| *u == Unit::PeArray),
            v.iter().position(|u| *u == Unit::Nonlinear),
        )
        && pe > nl
    {
        let u = v.remove(pe);
        v.insert(nl, u);
    }
    v
}

/// Whether the PE array in element-wise mode also runs exp and SiLU (MARCA).
pub(super) fn pe_nonlinear(p: &Platform) -> bool {
    p.pe_array.as_ref().is_some_and(|pe| pe.nonlinear_capable())
}

/// The IMC/PIM element-wise operation for `op` (add, sub and mul only).
pub(super) fn imc_op(op: EwOp) -> Option<ElementwiseOp> {
    match op {
        EwOp::Add => Some(ElementwiseOp::Add),
        EwOp::Sub => Some(ElementwiseOp::Sub),
        EwOp::Mul => Some(ElementwiseOp::Mul),
        _ => None,
    }
}

/// The IMC/PIM kernel of `n` element-wise `op`s: add, sub and mul as binary operations,
/// GELU as an activation (run only by PIM devices with an activation-function unit,
/// GDDR6-AiM); `None` for the rest (exp, SiLU, copy).
pub(super) fn imc_elementwise(op: EwOp, n: u64) -> Option<Kernel> {
    match (imc_op(op), op) {
        (Some(op), _) => Some(Kernel::Elementwise { op, n }),
        (None, EwOp::Gelu) => Some(Kernel::Activation {
            func: ActivationFn::Gelu,
            n,
        }),
        _ => None,
    }
}

/// Whether the platform has `unit`.
pub(super) fn present(p: &Platform, unit: Unit) -> bool {
    match unit {
        Unit::PeArray => p.pe_array.is_some(),
        Unit::Nonlinear => p.nonlinear.is_some(),
        Unit::Gpu => p.gpu.is_some(),
        Unit::Cpu => p.cpu.is_some(),
        Unit::Crossbar => p.crossbar.is_some(),
        Unit::AssocProcessor => p.assoc_processor.is_some(),
        Unit::Pim => p.pim.is_some(),
    }
}

/// Whether the PE array can run element-wise work (a bypassable reduction tree).
pub(super) fn pe_vector(p: &Platform) -> bool {
    p.pe_array
        .as_ref()
        .is_some_and(|pe| pe.elementwise_capable())
}

/// The vector unit that runs the softmax of a decomposed attention: the nonlinear unit,
/// else the PE array in bypass mode when its PEs run exp.
pub(super) fn softmax_unit(p: &Platform) -> Option<Unit> {
    if p.nonlinear.is_some() {
        Some(Unit::Nonlinear)
    } else if pe_nonlinear(p) {
        Some(Unit::PeArray)
    } else {
        None
    }
}

/// `Ok` when `unit` runs `work` on `p`; else [`ArchError::Unsupported`] with the reason
/// and the platform's units that can run it instead.
pub(super) fn check(p: &Platform, unit: Unit, work: &Work) -> Result<(), ArchError> {
    match why_not(p, unit, work) {
        None => Ok(()),
        Some(reason) => Err(unsupported(p, unit, work, &reason)),
    }
}

fn unsupported(p: &Platform, unit: Unit, work: &Work, reason: &str) -> ArchError {
    let others: Vec<&str> = order(p, work)
        .iter()
        .filter(|u| **u != unit && why_not(p, **u, work).is_none())
        .map(|u| u.name())
        .collect();
    let instead = if others.is_empty() {
        format!(
            "no unit of this {} platform (units: {}) runs {}",
            p.class(),
            listing(&p.units()),
            work.class()
        )
    } else {
        format!("on this platform it runs on: {}", others.join(", "))
    };
    ArchError::Unsupported {
        unit: format!("{} {}", p.name, unit.name()),
        class: work.class().to_string(),
        reason: format!("{reason}; {instead}"),
    }
}

/// How to give `p` a unit for vector work, as keys and values: a bypassable reduction
/// tree on the PE array (`fan_in` = one tree per PE row, `cols` products each, as MARCA's
/// preset), or a `[nonlinear]` unit when the platform has none (16 lanes of 16 bits,
/// 4 cycles: a small example, not a sized design).
fn how_to_add_a_vector_unit(p: &Platform) -> String {
    let fan_in = p.pe_array.as_ref().map_or(16, |pe| pe.cols.max(1));
    let tree = format!(
        ": add one (in the file `[pe_array.reduction_tree]` with `fan_in = {fan_in}` and \
         `bypass = true`, or `--set pe_array.reduction_tree.fan_in={fan_in} --set \
         pe_array.reduction_tree.bypass=true`)"
    );
    if p.nonlinear.is_some() {
        return tree;
    }
    format!(
        "{tree}, or a [nonlinear] unit (`[nonlinear]` with `lanes = 16`, `data_bits = 16`, \
         `latency_cycles = 4`, or `--set nonlinear.lanes=16 --set nonlinear.data_bits=16 \
         --set nonlinear.latency_cycles=4`)"
    )
}

fn listing(v: &[&str]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The reason `unit` cannot run `work`, or `None` when it can.
pub(super) fn why_not(p: &Platform, unit: Unit, work: &Work) -> Option<String> {
    if !present(p, unit) {
        return Some(format!(
            "the {} platform has no [{}] section",
            p.class(),
            unit.name()
        ));
    }
    let class = work.class();
    match unit {
        Unit::Gpu | Unit::Cpu => None,
        Unit::PeArray => match work {
            Work::Gemm { .. } | Work::QuantGemm { .. } => None,
            Work::Attention(_) => softmax_unit(p).is_none().then(|| {
                "attention is decomposed into gemm, softmax and gemm, but the platform has \
                 no unit for the softmax (no [nonlinear] unit, and the PE array's reduction \
                 tree cannot be bypassed)"
                    .to_string()
            }),
            _ if !pe_vector(p) => Some(format!(
                "{class} runs on the PE array only in element-wise mode, which needs a \
                 bypassable [pe_array.reduction_tree] (bypass = true){}",
                how_to_add_a_vector_unit(p)
            )),
            _ if pe_nonlinear(p) => None,
            Work::Softmax { .. }
            | Work::Elementwise {
                op: EwOp::Exp | EwOp::Silu | EwOp::Gelu,
                ..
            } => Some(format!(
                "the PEs do not run exp and SiLU ([pe_array.reduction_tree] nonlinear_on_pes = \
                 false): {class} with them needs the [nonlinear] unit"
            )),
            Work::Scan { .. } if p.nonlinear.is_none() => Some(
                "the scan's exp(Δ·A) does not run on the PEs ([pe_array.reduction_tree] \
                 nonlinear_on_pes = false) and the platform has no [nonlinear] unit to stream \
                 it through"
                    .into(),
            ),
            _ => None,
        },
        Unit::Nonlinear => match work {
            Work::Softmax { .. }
            | Work::Elementwise { .. }
            | Work::Norm { .. }
            | Work::Scan { .. } => None,
            _ => Some(format!(
                "the nonlinear unit runs vector work (softmax, elementwise, norm, scan), not {class}"
            )),
        },
        Unit::Crossbar | Unit::AssocProcessor | Unit::Pim => {
            // First whether the unit has the class at all (its own reason if not), then
            // the specifics of this work (operation, decode shape, integer softmax).
            let ask = |k: &Kernel| -> Option<String> {
                let answer = match unit {
                    Unit::Crossbar => p.crossbar.as_ref().map(|c| c.estimate(k)),
                    Unit::AssocProcessor => p.assoc_processor.as_ref().map(|a| a.estimate(k)),
                    _ => p.pim.as_ref().map(|m| m.estimate(k)),
                };
                match answer {
                    Some(Err(ArchError::Unsupported { reason, .. })) => Some(reason),
                    _ => None,
                }
            };
            let class_probe = match class_probe(work) {
                Ok(k) => k,
                Err(reason) => return Some(reason),
            };
            if let Some(reason) = ask(&class_probe) {
                return Some(reason);
            }
            if unit == Unit::AssocProcessor && matches!(work, Work::Softmax { integer: false, .. })
            {
                return Some(
                    "the associative processor runs SoftmAP's integer-only softmax; ask for \
                     the integer form (`integer: true`, the `int_softmax` transform)"
                        .into(),
                );
            }
            match probe(work) {
                Ok(k) => ask(&k),
                Err(reason) => Some(reason),
            }
        }
    }
}

/// A one-element kernel of `work`'s class for the in-memory units (add for element-wise
/// work, a decode step for attention), or why they have no such class.
fn class_probe(work: &Work) -> Result<Kernel, String> {
    match *work {
        Work::Elementwise {
            elements,
            n_inputs,
            dtype,
            ..
        } => probe(&Work::Elementwise {
            elements,
            op: EwOp::Add,
            n_inputs,
            dtype,
        }),
        Work::Attention(_) => Ok(Kernel::Attention(AttentionShape {
            batch: 1,
            heads: 1,
            kv_heads: 1,
            seq_len: 1,
            head_dim: 1,
            kv_bits: None,
            kv_group: 0,
        })),
        _ => probe(work),
    }
}

/// A one-element kernel of `work`'s class for the in-memory units, or why they have no
/// such class.
fn probe(work: &Work) -> Result<Kernel, String> {
    Ok(match *work {
        Work::Gemm { .. } | Work::QuantGemm { .. } => Kernel::Gemv { k: 1, n: 1 },
        Work::Softmax { .. } => Kernel::Softmax { rows: 1, len: 1 },
        Work::Elementwise { op, .. } => match imc_elementwise(op, 1) {
            Some(k) => k,
            None => {
                return Err(format!(
                    "in-memory units run add, sub and mul element-wise (and gelu on PIM \
                     devices with an activation-function unit), not {}",
                    op.name()
                ));
            }
        },
        Work::Attention(crate::gpu::AttentionShape { q_len, .. }) => {
            if q_len != 1 {
                return Err(format!(
                    "in-memory attention is modelled for decode steps (q_len = 1), not \
                     q_len = {q_len}"
                ));
            }
            Kernel::Attention(AttentionShape {
                batch: 1,
                heads: 1,
                kv_heads: 1,
                seq_len: 1,
                head_dim: 1,
                kv_bits: None,
                kv_group: 0,
            })
        }
        Work::Norm { .. } | Work::Scan { .. } => {
            return Err(format!(
                "in-memory units have no {} kernel in this model; run it on a digital unit",
                work.class()
            ));
        }
    })
}
