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
//! **SRAM-only platforms** ([`crate::sram_only`]) reject a kernel whose inputs and output
//! exceed the on-chip SRAM ([`crate::ArchError::OnChipCapacity`]).

use super::pipeline::{TileSpec, run_pipeline};
use super::{Energy, Fidelity, KernelReport};
use crate::ArchError;
use crate::nonlinear::ElementwiseOp;
use crate::pe_array::OperandCounts;
use crate::platform::Platform;

/// Exp polynomial degree used when element-wise work runs on PEs.
const PE_EXP_DEGREE: u32 = 2;

enum Unit<'a> {
    Pe(&'a crate::pe_array::PeArray),
    Nl(&'a crate::nonlinear::NonlinearUnit),
}

fn pick_unit<'a>(p: &'a Platform, class: &str) -> Result<Unit<'a>, ArchError> {
    if let Some(pe) = p.pe_array.as_ref().filter(|pe| pe.elementwise_capable()) {
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

struct Plan {
    unit: String,
    lanes: u64,
    elem_bytes: u64,
    /// Compute cycles of a chunk of `n` elements (`rows` rows for softmax).
    cycles: Box<dyn Fn(u64, u64) -> u64>,
}

/// One vector kernel to run through [`finish`].
struct Job {
    kernel: String,
    /// Elements in total.
    n: u64,
    /// Rows (elements for element-wise kernels).
    rows: u64,
    /// Input operands per element.
    inputs: u64,
    /// Rows per chunk.
    chunk_rows: u64,
    /// Elements per row.
    row_len: u64,
    fidelity: Fidelity,
}

fn finish(
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
        chunk_rows,
        row_len,
        fidelity,
    } = job;
    let eb = plan.elem_bytes;
    let compute_cycles = (plan.cycles)(n, rows);
    let bytes_in = inputs * n * eb;
    let bytes_out = n * eb;
    p.check_fits_on_chip(&kernel, bytes_in + bytes_out)?;
    let mem = p.memory()?;
    let peak = mem.peak_bytes_per_s();
    let roof_compute = p.clock.cycles_to_time(n.div_ceil(plan.lanes.max(1)));
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
    let (end, bytes_r, bytes_w, mem_pj, background, tiles) = if fidelity == Fidelity::Roofline {
        (
            roof,
            bytes_in,
            bytes_out,
            mem.energy_pj(&Default::default(), bytes_in, bytes_out),
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
        while done_rows < rows {
            let r = chunk_rows.min(rows - done_rows);
            let elems = r * row_len;
            specs.push(TileSpec {
                load_bytes: inputs * elems * eb,
                compute_cycles: (plan.cycles)(elems, r),
                block,
                store_bytes: elems * eb,
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
            run.mem_pj,
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
            buf.words((inputs + 1) * n * eb),
            buf.read_pj,
        );
        e.action(
            "global_buffer",
            "write",
            buf.words((inputs + 1) * n * eb),
            buf.write_pj,
        );
        e.leakage("global_buffer", buf.leakage_mw, end);
    }
    e.total("dram", "access", mem_pj);
    e.leakage("dram", background, end);
    let energy = e.finish();
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
        sram_bytes_read: (inputs + 1) * n * eb,
        sram_bytes_written: (inputs + 1) * n * eb,
        dram_bytes_read: bytes_r,
        dram_bytes_written: bytes_w,
        tiles,
        tiling: None,
        roofline_cycles,
        energy_pj: energy.iter().map(|l| l.pj).sum(),
        energy,
    })
}

/// Elements per chunk: what fits the per-tile capacity, rounded down to whole lane groups.
fn chunk_elems(p: &Platform, per_elem_bytes: u64, lanes: u64) -> Result<u64, ArchError> {
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

/// Element-wise `op` over `n` elements.
pub fn run_elementwise(
    p: &Platform,
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
    let inputs = op.inputs();
    let unit = pick_unit(p, "element-wise operations")?;
    let (plan, pieces, nl_pj) = match unit {
        Unit::Pe(pe) => {
            let passes = op.pe_passes(PE_EXP_DEGREE);
            let pe2 = pe.clone();
            (
                Plan {
                    unit: "pe_array (element-wise, tree bypassed)".into(),
                    lanes: pe.n_pes(),
                    elem_bytes: pe.operand_bytes(),
                    cycles: Box::new(move |n, _| pe2.elementwise_cycles(n, passes)),
                },
                Some((
                    op.pieces(PE_EXP_DEGREE),
                    pe.energy.mul_pj,
                    pe.energy.add_pj,
                    pe.energy.leakage_mw,
                )),
                None,
            )
        }
        Unit::Nl(nl) => {
            let nl2 = nl.clone();
            (
                Plan {
                    unit: "nonlinear".into(),
                    lanes: nl.lanes,
                    elem_bytes: u64::from(nl.data_bits / 8),
                    cycles: Box::new(move |n, _| nl2.stream_cycles(n, 1)),
                },
                None,
                Some((nl.op_pj(op), nl.energy.leakage_mw)),
            )
        }
    };
    let chunk = chunk_elems(p, (inputs + 1) * plan.elem_bytes, plan.lanes)?;
    // Treat the vector as `n` rows of one element so chunks are whole lane groups.
    let energy = move |e: &mut Energy, t: sim_core::Time| {
        if let Some(((muls, adds), mul_pj, add_pj, leak)) = pieces {
            e.action("pe_array", "mul", muls * n, mul_pj);
            e.action("pe_array", "add", adds * n, add_pj);
            e.leakage("pe_array", leak, t);
        }
        if let Some((pj, leak)) = nl_pj {
            e.action("nonlinear", op_name(op), n, pj);
            e.leakage("nonlinear", leak, t);
        }
    };
    let job = Job {
        kernel: format!("elementwise {} {n}", op_name(op)),
        n,
        rows: n,
        inputs,
        chunk_rows: chunk,
        row_len: 1,
        fidelity,
    };
    finish(p, job, &plan, &energy)
}

fn op_name(op: ElementwiseOp) -> &'static str {
    match op {
        ElementwiseOp::Mul => "mul",
        ElementwiseOp::Add => "add",
        ElementwiseOp::Exp => "exp",
        ElementwiseOp::Silu => "silu",
    }
}

/// Softmax over `rows` rows of `len` elements.
pub fn run_softmax(
    p: &Platform,
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
    let unit = pick_unit(p, "softmax")?;
    let (plan, pe_parts, nl_parts) = match unit {
        Unit::Nl(nl) => {
            let nl2 = nl.clone();
            (
                Plan {
                    unit: "nonlinear (softmax pipeline)".into(),
                    lanes: nl.lanes,
                    elem_bytes: u64::from(nl.data_bits / 8),
                    cycles: Box::new(move |_, r| nl2.softmax_cycles(r, len)),
                },
                None,
                Some(nl.energy),
            )
        }
        Unit::Pe(pe) => {
            let passes = 4 + ElementwiseOp::Exp.pe_passes(PE_EXP_DEGREE);
            let pe2 = pe.clone();
            (
                Plan {
                    unit: "pe_array (element-wise softmax, tree bypassed)".into(),
                    lanes: pe.n_pes(),
                    elem_bytes: pe.operand_bytes(),
                    cycles: Box::new(move |n, _| pe2.elementwise_cycles(n, passes)),
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
        chunk_rows,
        row_len: len,
        fidelity,
    };
    finish(p, job, &plan, &energy)
}
