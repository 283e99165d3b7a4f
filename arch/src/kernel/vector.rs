//! Element-wise kernels and softmax at level 2 (chunks on sim-core) and level 3.
//!
//! **Where they run.** On the PE array in element-wise mode when its reduction tree can be
//! bypassed (MARCA: exp and SiLU as pieces of multiplies and adds, see
//! [`crate::nonlinear::ElementwiseOp::pieces`]); otherwise on the nonlinear unit (one pass
//! per op, `lanes` elements per cycle); otherwise the platform cannot run them.
//!
//! **Chunks.** Inputs and output of a chunk must fit the buffer's per-tile capacity; a chunk
//! is loaded, computed, and stored (its own output block), double-buffered like GEMM tiles.
//! Softmax chunks hold whole rows. On the PE array, softmax takes `4 + exp passes` per
//! element (max, subtract, exp, sum, scale); on the nonlinear unit three streaming passes per
//! row.
//!
//! **Fused chains** ([`super::run_vector_chain`]): a fixed sequence of element-wise operations per
//! element with the intermediates kept on chip (a Mamba selective scan on MARCA's PEs, a
//! normalisation), whose off-chip bytes are given by the caller. On the PE array it takes
//! `Σ passes` per element, on the nonlinear unit one pass per operation. Steps that depend
//! on each other (`dependent_rows`) run one after the other: `rows · passes ·
//! ⌈row_len/lanes⌉ + latency` cycles instead of `passes · ⌈n/lanes⌉ + latency`. Its level-3
//! compute bound counts the passes (`passes · ⌈n/lanes⌉`).
//!
//! **Choosing the unit.** The `*_on` functions take a [`VectorUnit`] (`None`: the PE array
//! when it can, else the nonlinear unit, as above).
//!
//! **SRAM-only platforms** ([`crate::sram_only`]) reject a kernel whose inputs and output
//! exceed the on-chip SRAM ([`crate::ArchError::OnChipCapacity`]).

use super::pipeline::{TileSpec, run_pipeline};
use super::{Energy, Fidelity, KernelReport};
use crate::ArchError;
use crate::nonlinear::ElementwiseOp;
use crate::pe_array::OperandCounts;
use crate::platform::Platform;

/// Exp polynomial degree used when element-wise work runs on PEs.
pub(super) const PE_EXP_DEGREE: u32 = 2;

/// A unit that runs vector (element-wise, softmax) kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VectorUnit {
    /// The PE array in element-wise mode (reduction tree bypassed, MARCA).
    PeArray,
    /// The nonlinear-function unit.
    Nonlinear,
}

pub(super) enum Unit<'a> {
    Pe(&'a crate::pe_array::PeArray),
    Nl(&'a crate::nonlinear::NonlinearUnit),
}

pub(super) fn pick_unit<'a>(
    p: &'a Platform,
    class: &str,
    want: Option<VectorUnit>,
) -> Result<Unit<'a>, ArchError> {
    let pe = p.pe_array.as_ref().filter(|pe| pe.elementwise_capable());
    match want {
        Some(VectorUnit::PeArray) => {
            return pe.map(Unit::Pe).ok_or_else(|| ArchError::Unsupported {
                unit: format!("{} pe_array", p.name),
                class: class.into(),
                reason: "element-wise work needs a PE array with a bypassable \
                         [pe_array.reduction_tree] (bypass = true)"
                    .into(),
            });
        }
        Some(VectorUnit::Nonlinear) => {
            return p
                .nonlinear
                .as_ref()
                .map(Unit::Nl)
                .ok_or_else(|| ArchError::Unsupported {
                    unit: format!("{} nonlinear", p.name),
                    class: class.into(),
                    reason: "the platform has no [nonlinear] unit".into(),
                });
        }
        None => {}
    }
    if let Some(pe) = pe {
        return Ok(Unit::Pe(pe));
    }
    if let Some(nl) = &p.nonlinear {
        return Ok(Unit::Nl(nl));
    }
    Err(ArchError::Unsupported {
        unit: p.name.clone(),
        class: class.into(),
        reason: "it has no [nonlinear] unit and its PE array has no bypassable \
                 [pe_array.reduction_tree] (bypass = true)"
            .into(),
    })
}

pub(super) struct Plan {
    pub(super) unit: String,
    pub(super) lanes: u64,
    pub(super) elem_bytes: u64,
    /// Compute cycles of a chunk of `n` elements (`rows` rows for softmax).
    pub(super) cycles: Box<dyn Fn(u64, u64) -> u64>,
    /// Passes per element counted by the level-3 compute bound.
    pub(super) roof_passes: u64,
}

/// One vector kernel to run through [`finish`].
pub(super) struct Job {
    pub(super) kernel: String,
    /// Elements in total.
    pub(super) n: u64,
    /// Rows (elements for element-wise kernels).
    pub(super) rows: u64,
    /// Input operands per element (for the buffer's operand counts).
    pub(super) inputs: u64,
    /// Off-chip bytes read and written in all.
    pub(super) bytes_in: u64,
    pub(super) bytes_out: u64,
    /// Rows per chunk.
    pub(super) chunk_rows: u64,
    /// Elements per row.
    pub(super) row_len: u64,
    pub(super) fidelity: Fidelity,
}

pub(super) fn finish(
    p: &Platform,
    job: Job,
    plan: &Plan,
    energy: &dyn Fn(&mut Energy, sim_core::Time),
) -> Result<KernelReport, ArchError> {
    let Job {
        kernel,
        n,
        rows,
        inputs,
        bytes_in,
        bytes_out,
        chunk_rows,
        row_len,
        fidelity,
    } = job;
    let compute_cycles = (plan.cycles)(n, rows);
    p.check_fits_on_chip(&kernel, bytes_in + bytes_out)?;
    let mem = p.memory()?;
    let peak = mem.peak_bytes_per_s();
    let roof_compute = p.clock.cycles_to_time(
        plan.roof_passes
            .saturating_mul(n.div_ceil(plan.lanes.max(1))),
    );
    let roof = roof_compute.max(sim_core::Time::from_ps(
        ((bytes_in + bytes_out) as f64 * 1e12 / peak.max(1.0)).floor() as u64,
    ));
    let roofline_cycles = p.clock.next_edge_cycle(roof);
    let mut sram = OperandCounts {
        a_reads: n,
        a_writes: n,
        c_reads: n,
        c_writes: n,
        ..Default::default()
    };
    if inputs > 1 {
        sram.b_reads = n;
        sram.b_writes = n;
    }
    let (end, bytes_r, bytes_w, (mem_lines, mem_pj), background, tiles) =
        if fidelity == Fidelity::Roofline {
            // The roofline counts no DRAM commands: only what the bytes moved cost.
            let counts = Default::default();
            (
                roof,
                bytes_in,
                bytes_out,
                (
                    mem.energy_breakdown_pj(&counts, bytes_in, bytes_out),
                    mem.energy_pj(&counts, bytes_in, bytes_out),
                ),
                0.0,
                0,
            )
        } else {
            let buf = p
                .global_buffer
                .as_ref()
                .ok_or_else(|| ArchError::Unsupported {
                    unit: p.name.clone(),
                    class: "a level-2 vector kernel".into(),
                    reason: "the platform has no [global_buffer] (use the roofline level)".into(),
                })?;
            let mut specs = Vec::new();
            let (mut done_rows, mut block) = (0u64, 0u64);
            // Bytes of the first `r` rows, so that the chunks add up to the totals exactly.
            let share = |total: u64, r: u64| {
                (u128::from(total) * u128::from(r) / u128::from(rows.max(1))) as u64
            };
            while done_rows < rows {
                let r = chunk_rows.min(rows - done_rows);
                let elems = r * row_len;
                specs.push(TileSpec {
                    load_bytes: share(bytes_in, done_rows + r) - share(bytes_in, done_rows),
                    compute_cycles: (plan.cycles)(elems, r),
                    block,
                    store_bytes: share(bytes_out, done_rows + r) - share(bytes_out, done_rows),
                    first_of_block: true,
                });
                done_rows += r;
                block += 1;
            }
            let background = mem.background_mw();
            let tiles = specs.len() as u64;
            let run = run_pipeline(specs, if buf.double_buffered { 2 } else { 1 }, p.clock, mem)?;
            (
                run.end,
                run.bytes_read,
                run.bytes_written,
                (run.mem_lines, run.mem_pj),
                background,
                tiles,
            )
        };
    let mut e = Energy::default();
    energy(&mut e, end);
    if let (Some(buf), Fidelity::TileEvents) = (&p.global_buffer, fidelity) {
        e.action(
            "global_buffer",
            "read",
            buf.words(bytes_in + bytes_out),
            buf.read_pj,
        );
        e.action(
            "global_buffer",
            "write",
            buf.words(bytes_in + bytes_out),
            buf.write_pj,
        );
        e.leakage("global_buffer", buf.leakage_mw, end);
    }
    e.memory("dram", &mem_lines, mem_pj);
    e.leakage("dram", background, end);
    let (energy, energy_pj) = e.finish();
    let total_cycles = p.clock.next_edge_cycle(end);
    Ok(KernelReport {
        kernel,
        platform: p.name.clone(),
        unit: plan.unit.clone(),
        fidelity,
        fidelity_level: fidelity.level(),
        compute_cycles,
        total_cycles,
        total_ps: end.as_ps(),
        seconds: end.as_secs_f64(),
        utilization: n as f64 / (plan.lanes as f64 * total_cycles.max(1) as f64),
        macs: 0,
        elements: n,
        sram,
        sram_bytes_read: bytes_in + bytes_out,
        sram_bytes_written: bytes_in + bytes_out,
        dram_bytes_read: bytes_r,
        dram_bytes_written: bytes_w,
        tiles,
        tiling: None,
        roofline_cycles,
        energy_pj,
        energy,
    })
}

/// Elements per chunk: what fits the per-tile capacity, rounded down to whole lane groups.
pub(super) fn chunk_elems(p: &Platform, per_elem_bytes: u64, lanes: u64) -> Result<u64, ArchError> {
    let cap = p
        .global_buffer
        .as_ref()
        .map_or(u64::MAX, |b| b.tile_capacity_bytes());
    let fit = cap / per_elem_bytes.max(1);
    if fit == 0 {
        return Err(ArchError::Invalid {
            key: "global_buffer.size_kib".into(),
            message: format!(
                "the buffer cannot hold one element's operands ({per_elem_bytes} bytes)"
            ),
        });
    }
    Ok(if fit >= lanes {
        fit / lanes * lanes
    } else {
        fit
    })
}

/// Softmax over `rows` rows of `len` elements (on the PE array when it can, else the
/// nonlinear unit).
pub fn run_softmax(
    p: &Platform,
    rows: u64,
    len: u64,
    fidelity: Fidelity,
) -> Result<KernelReport, ArchError> {
    run_softmax_on(p, None, rows, len, fidelity)
}

/// Softmax over `rows` rows of `len` elements on `unit` (`None` as in [`run_softmax`]).
pub fn run_softmax_on(
    p: &Platform,
    unit: Option<VectorUnit>,
    rows: u64,
    len: u64,
    fidelity: Fidelity,
) -> Result<KernelReport, ArchError> {
    if rows == 0 || len == 0 {
        return Err(ArchError::Invalid {
            key: "rows/len".into(),
            message: "expected rows >= 1 and len >= 1".into(),
        });
    }
    let n = rows * len;
    // PEs that do not run exp (`nonlinear_on_pes = false`) leave softmax to the nonlinear
    // unit.
    let pe_exp = p.pe_array.as_ref().is_some_and(|pe| pe.nonlinear_capable());
    let unit = match unit {
        None if !pe_exp && p.nonlinear.is_some() => Some(VectorUnit::Nonlinear),
        u => u,
    };
    let (plan, pe_parts, nl_parts) = match pick_unit(p, "softmax", unit)? {
        Unit::Nl(nl) => {
            let nl2 = nl.clone();
            (
                Plan {
                    unit: "nonlinear (softmax pipeline)".into(),
                    lanes: nl.lanes,
                    elem_bytes: u64::from(nl.data_bits / 8),
                    cycles: Box::new(move |_, r| nl2.softmax_cycles(r, len)),
                    roof_passes: 1,
                },
                None,
                Some(nl.energy),
            )
        }
        Unit::Pe(pe) => {
            if !pe.nonlinear_capable() {
                return Err(ArchError::Unsupported {
                    unit: format!("{} pe_array", p.name),
                    class: "softmax".into(),
                    reason: "the PEs do not run exp ([pe_array.reduction_tree] \
                             nonlinear_on_pes = false): softmax needs a [nonlinear] unit"
                        .into(),
                });
            }
            let passes = 4 + ElementwiseOp::Exp.pe_passes(PE_EXP_DEGREE);
            let pe2 = pe.clone();
            (
                Plan {
                    unit: "pe_array (element-wise softmax, tree bypassed)".into(),
                    lanes: pe.n_pes(),
                    elem_bytes: pe.operand_bytes(),
                    cycles: Box::new(move |n, _| pe2.elementwise_cycles(n, passes)),
                    roof_passes: 1,
                },
                Some(pe.energy),
                None,
            )
        }
    };
    let row_bytes = 2 * len * plan.elem_bytes;
    let cap = p
        .global_buffer
        .as_ref()
        .map_or(u64::MAX, |b| b.tile_capacity_bytes());
    if fidelity == Fidelity::TileEvents && row_bytes > cap {
        return Err(ArchError::Invalid {
            key: "global_buffer.size_kib".into(),
            message: format!(
                "one softmax row of {len} elements needs {row_bytes} bytes; the buffer holds {cap} per tile"
            ),
        });
    }
    let chunk_rows = (cap / row_bytes.max(1)).clamp(1, rows);
    let (em, ea) = ElementwiseOp::Exp.pieces(PE_EXP_DEGREE);
    let energy = move |e: &mut Energy, t: sim_core::Time| {
        if let Some(pe) = pe_parts {
            e.action("pe_array", "mul", n * (em + 1), pe.mul_pj);
            e.action("pe_array", "add", n * (ea + 3), pe.add_pj);
            e.leakage("pe_array", pe.leakage_mw, t);
        }
        if let Some(nl) = nl_parts {
            e.action("nonlinear", "compare", n, nl.add_pj);
            e.action("nonlinear", "exp", n, nl.exp_pj);
            e.action("nonlinear", "add", 2 * n, nl.add_pj);
            e.action("nonlinear", "mul", n, nl.mul_pj);
            e.action("nonlinear", "div", rows, nl.div_pj);
            e.leakage("nonlinear", nl.leakage_mw, t);
        }
    };
    let job = Job {
        kernel: format!("softmax {rows}x{len}"),
        n,
        rows,
        inputs: 1,
        bytes_in: n * plan.elem_bytes,
        bytes_out: n * plan.elem_bytes,
        chunk_rows,
        row_len: len,
        fidelity,
    };
    finish(p, job, &plan, &energy)
}
