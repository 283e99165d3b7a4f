//! Element-wise kernels and fused element-wise chains (see [`super::vector`] for the model
//! and how chunks move).

use super::vector::{Job, PE_EXP_DEGREE, Plan, Unit, chunk_elems, finish, pick_unit};
use super::{Energy, Fidelity, KernelReport, VectorUnit};
use crate::ArchError;
use crate::nonlinear::ElementwiseOp;
use crate::platform::Platform;

/// Element-wise `op` over `n` elements (on the PE array when it can, else the nonlinear
/// unit).
pub fn run_elementwise(
    p: &Platform,
    n: u64,
    op: ElementwiseOp,
    fidelity: Fidelity,
) -> Result<KernelReport, ArchError> {
    run_elementwise_on(p, None, n, op, fidelity)
}

/// Element-wise `op` over `n` elements on `unit` (`None`: the PE array when it can, else
/// the nonlinear unit).
pub fn run_elementwise_on(
    p: &Platform,
    unit: Option<VectorUnit>,
    n: u64,
    op: ElementwiseOp,
    fidelity: Fidelity,
) -> Result<KernelReport, ArchError> {
    if n == 0 {
        return Err(ArchError::Invalid {
            key: "n".into(),
            message: "is 0; expected >= 1 elements".into(),
        });
    }
    let eb = elem_bytes(pick_unit(p, "element-wise operations", unit)?);
    let chain = VectorChain {
        kernel: format!("elementwise {} {n}", op_name(op)),
        ops: &[op],
        rows: n,
        row_len: 1,
        dependent_rows: false,
        inputs: op.inputs(),
        bytes_in: op.inputs() * n * eb,
        bytes_out: n * eb,
    };
    chain_on(p, unit, &chain, fidelity, 1)
}

/// A fused chain of element-wise operations (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorChain<'a> {
    /// Kernel name for the report, e.g. `selective_scan 1x16x1536x16`.
    pub kernel: String,
    /// Operations per element, in order (may be empty: a copy).
    pub ops: &'a [ElementwiseOp],
    /// Rows (steps); the elements are `rows × row_len`.
    pub rows: u64,
    /// Elements per row.
    pub row_len: u64,
    /// Whether row `i + 1` needs row `i` (a recurrence): rows then run one after another.
    pub dependent_rows: bool,
    /// Input operands per element (for the buffer's operand counts).
    pub inputs: u64,
    /// Off-chip bytes read, in all.
    pub bytes_in: u64,
    /// Off-chip bytes written, in all.
    pub bytes_out: u64,
}

/// Bytes per element on the unit: the PE array's operand width or the nonlinear unit's
/// datapath width.
fn elem_bytes(u: Unit<'_>) -> u64 {
    match u {
        Unit::Pe(pe) => pe.operand_bytes(),
        Unit::Nl(nl) => u64::from(nl.data_bits / 8),
    }
}

/// Bytes per element of the vector unit `unit` would pick (`None` as in
/// [`run_elementwise_on`]); callers size [`VectorChain`] bytes with it.
pub fn vector_elem_bytes(p: &Platform, unit: Option<VectorUnit>) -> Result<u64, ArchError> {
    Ok(elem_bytes(pick_unit(p, "element-wise operations", unit)?))
}

/// Runs a fused element-wise chain on `unit` (`None`: the PE array when it can, else the
/// nonlinear unit).
pub fn run_vector_chain(
    p: &Platform,
    unit: Option<VectorUnit>,
    chain: &VectorChain<'_>,
    fidelity: Fidelity,
) -> Result<KernelReport, ArchError> {
    if chain.rows == 0 || chain.row_len == 0 {
        return Err(ArchError::Invalid {
            key: "rows/row_len".into(),
            message: format!("{}: expected >= 1 rows of >= 1 elements", chain.kernel),
        });
    }
    chain_on(p, unit, chain, fidelity, 0)
}

/// `roof_passes = 0`: count the chain's passes in the level-3 bound; else use it.
fn chain_on(
    p: &Platform,
    unit: Option<VectorUnit>,
    c: &VectorChain<'_>,
    fidelity: Fidelity,
    roof_passes: u64,
) -> Result<KernelReport, ArchError> {
    let n = c.rows.saturating_mul(c.row_len);
    let (rows, row_len, dependent) = (c.rows, c.row_len, c.dependent_rows);
    let class = if c.ops.len() == 1 && !dependent {
        "element-wise operations"
    } else {
        "fused element-wise work"
    };
    let (plan, pieces, nl_lines) = match pick_unit(p, class, unit)? {
        Unit::Pe(pe) => {
            // Without `nonlinear_on_pes`, exp and SiLU stream through the nonlinear unit
            // beside the PEs' passes (see `crate::reduction`).
            let (pe_ops, nl_ops): (Vec<ElementwiseOp>, Vec<ElementwiseOp>) =
                if pe.nonlinear_capable() {
                    (c.ops.to_vec(), Vec::new())
                } else {
                    c.ops.iter().partition(|o| !is_nonlinear(**o))
                };
            let helper = match (nl_ops.is_empty(), &p.nonlinear) {
                (true, _) => None,
                (false, Some(nl)) if !pe_ops.is_empty() => Some(nl.clone()),
                (false, nl) => {
                    return Err(ArchError::Unsupported {
                        unit: format!("{} pe_array", p.name),
                        class: class.into(),
                        reason: format!(
                            "the PEs do not run exp and SiLU ([pe_array.reduction_tree] \
                             nonlinear_on_pes = false); {}",
                            if nl.is_some() {
                                "run the operation on the [nonlinear] unit"
                            } else {
                                "the platform has no [nonlinear] unit for them"
                            }
                        ),
                    });
                }
            };
            let passes: u64 = pe_ops.iter().map(|o| o.pe_passes(PE_EXP_DEGREE)).sum();
            let nl_passes = nl_ops.len() as u64;
            let (muls, adds) = pe_ops.iter().fold((0, 0), |(m, a), o| {
                let (om, oa) = o.pieces(PE_EXP_DEGREE);
                (m + om, a + oa)
            });
            let pe2 = pe.clone();
            let helper2 = helper.clone();
            let lanes = pe.n_pes();
            let lines = helper
                .as_ref()
                .map(|nl| (nonlinear_lines(&nl_ops, nl), nl.energy.leakage_mw));
            (
                Plan {
                    unit: if helper.is_some() {
                        "pe_array (element-wise, tree bypassed) + nonlinear (exp, silu)".into()
                    } else {
                        "pe_array (element-wise, tree bypassed)".into()
                    },
                    lanes,
                    elem_bytes: pe.operand_bytes(),
                    cycles: Box::new(move |n, r| {
                        let pe_row = |len: u64| pe2.elementwise_cycles(len, passes).max(1) - 1;
                        let nl_row = |len: u64| {
                            helper2.as_ref().map_or(0, |nl| {
                                nl.stream_cycles(len, nl_passes)
                                    .saturating_sub(nl.latency_cycles)
                            })
                        };
                        // One register stage leaves through the bypass; with the nonlinear
                        // unit beside the PEs, its pipeline latency instead.
                        let tail = helper2.as_ref().map_or(1, |nl| nl.latency_cycles.max(1));
                        let body = if n == 0 {
                            0
                        } else if dependent {
                            r.saturating_mul(pe_row(row_len).max(nl_row(row_len)))
                        } else {
                            pe_row(n).max(nl_row(n))
                        };
                        if body == 0 { 0 } else { body + tail }
                    }),
                    // The PEs' passes alone: a lower bound also when the nonlinear unit
                    // is the slower of the two.
                    roof_passes: if roof_passes > 0 { roof_passes } else { passes },
                },
                Some((
                    (muls, adds),
                    pe.energy.mul_pj,
                    pe.energy.add_pj,
                    pe.energy.leakage_mw,
                )),
                lines,
            )
        }
        Unit::Nl(nl) => {
            let passes = c.ops.len() as u64;
            let nl2 = nl.clone();
            let lines = nonlinear_lines(c.ops, nl);
            (
                Plan {
                    unit: "nonlinear".into(),
                    lanes: nl.lanes,
                    elem_bytes: u64::from(nl.data_bits / 8),
                    cycles: Box::new(move |n, r| {
                        if dependent && n > 0 && passes > 0 {
                            r.saturating_mul(
                                nl2.stream_cycles(row_len, passes) - nl2.latency_cycles,
                            ) + nl2.latency_cycles
                        } else {
                            nl2.stream_cycles(n, passes)
                        }
                    }),
                    roof_passes: if roof_passes > 0 { roof_passes } else { passes },
                },
                None,
                Some((lines, nl.energy.leakage_mw)),
            )
        }
    };
    let per_row = (c.bytes_in + c.bytes_out).div_ceil(rows).max(1);
    let chunk_rows = if dependent {
        let cap = p
            .global_buffer
            .as_ref()
            .map_or(u64::MAX, |b| b.tile_capacity_bytes());
        (cap / per_row).clamp(1, rows)
    } else {
        chunk_elems(p, per_row, plan.lanes)?
    };
    let energy = move |e: &mut Energy, t: sim_core::Time| {
        if let Some(((muls, adds), mul_pj, add_pj, leak)) = pieces {
            e.action("pe_array", "mul", muls * n, mul_pj);
            e.action("pe_array", "add", adds * n, add_pj);
            e.leakage("pe_array", leak, t);
        }
        if let Some((lines, leak)) = &nl_lines {
            for (name, count, pj) in lines {
                e.action("nonlinear", name, count * n, *pj);
            }
            e.leakage("nonlinear", *leak, t);
        }
    };
    let job = Job {
        kernel: c.kernel.clone(),
        n,
        rows,
        inputs: c.inputs,
        bytes_in: c.bytes_in,
        bytes_out: c.bytes_out,
        chunk_rows,
        row_len,
        fidelity,
    };
    finish(p, job, &plan, &energy)
}

/// Whether `op` is one of the functions MARCA builds on its PEs (exp, SiLU).
fn is_nonlinear(op: ElementwiseOp) -> bool {
    matches!(op, ElementwiseOp::Exp | ElementwiseOp::Silu)
}

/// Energy lines of `ops` on the nonlinear unit: one per distinct operation, in first-use
/// order, as (name, uses per element, pJ).
fn nonlinear_lines(
    ops: &[ElementwiseOp],
    nl: &crate::nonlinear::NonlinearUnit,
) -> Vec<(&'static str, u64, f64)> {
    let mut lines: Vec<(&'static str, u64, f64)> = Vec::new();
    for o in ops {
        match lines.iter_mut().find(|l| l.0 == op_name(*o)) {
            Some(l) => l.1 += 1,
            None => lines.push((op_name(*o), 1, nl.op_pj(*o))),
        }
    }
    lines
}

fn op_name(op: ElementwiseOp) -> &'static str {
    match op {
        ElementwiseOp::Mul => "mul",
        ElementwiseOp::Add => "add",
        ElementwiseOp::Exp => "exp",
        ElementwiseOp::Silu => "silu",
    }
}
