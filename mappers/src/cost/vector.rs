//! Softmax, element-wise work, norms and the selective scan on a vector unit: the
//! nonlinear-function unit, or a PE array in element-wise mode (reduction tree bypassed,
//! MARCA), at level 2.
//!
//! **Operation mix.** Each function is a count of unit operations per output element
//! ([`ops`]): add/compare, multiply, exp, SiLU (the nonlinear unit's native functions;
//! a PE array builds exp and SiLU from multiplies and adds, `ElementwiseOp::pe_passes`),
//! plus one reciprocal (square root) per row for norms, per-row quantisation and integer
//! softmax. RMSNorm: square-accumulate (1 mul, 1 add), scale by the reciprocal and by the
//! weight (2 mul); LayerNorm: mean (add), variance (mul, add), centre (add), scale (mul),
//! affine (mul, add) → 4 add, 3 mul; rotary: 4 multiplies and 2 adds per pair = 2 mul,
//! 1 add per element; quantise: min, max, round (3 add/compare), scale (mul); dequantise:
//! add, mul; GELU: a SiLU-like sigmoid and a multiply (`x·σ(1.702x)`, an approximation of
//! the tanh form); conv1d with `k` taps: `k` mul, `k` add; scan (per state element):
//! `exp(Δ·A)`, 4 multiplies, 2 adds, and per (token, channel) 3 mul, 3 add (softplus,
//! `D·x`); anything else: its FLOPs split into multiplies and adds.
//!
//! **Cycles** come from `arch`'s closed forms: nonlinear unit `passes·⌈n/lanes⌉ +
//! latency` (float softmax: `rows · 3⌈len/lanes⌉ + latency`); PE array `passes·⌈n/(R·C)⌉ +
//! 1` (float softmax: `4 + exp passes` per element). A reciprocal is one pass on the
//! nonlinear unit and [`PE_DIV_PASSES`] on PEs (Newton–Raphson).
//!
//! **Level 2.** The work is cut into chunks whose inputs and outputs fit the global
//! buffer (whole rows for row-wise functions) and run load → compute → store through
//! `arch::kernel::pipeline::run_pipeline`, double-buffered like GEMM tiles. The bytes are
//! the operator's own (`OpKind::io`), at the graph's types.

use arch::kernel::pipeline::{TileSpec, run_pipeline};
use arch::nonlinear::ElementwiseOp;
use sim_core::Time;

use super::{Bound, EnergyItem, OpCost, PlatformCosts, UnitKind, secs};
use crate::MapError;
use crate::work::{ScanWork, SoftmaxWork, VecFn, VectorWork, Work};

/// Degree of the exp polynomial when PEs build exp (as in `arch::kernel`).
pub const PE_EXP_DEGREE: u32 = 2;

/// PE passes of one reciprocal or reciprocal square root (Newton–Raphson: a seed and
/// three iterations of two multiply(-add)s, plus a final multiply).
pub const PE_DIV_PASSES: u64 = 8;

/// Most chunks simulated per operator (larger chunks beyond it; keeps events bounded).
pub const MAX_CHUNKS: u64 = 2048;

/// Operations per output element: (op, count).
pub fn ops(f: VecFn) -> Vec<(ElementwiseOp, u64)> {
    use ElementwiseOp::{Add, Exp, Mul, Silu};
    match f {
        VecFn::Add | VecFn::Relu => vec![(Add, 1)],
        VecFn::Mul => vec![(Mul, 1)],
        VecFn::Silu => vec![(Silu, 1)],
        VecFn::Gelu => vec![(Silu, 1), (Mul, 1)],
        VecFn::Exp => vec![(Exp, 1)],
        VecFn::Quantize => vec![(Add, 3), (Mul, 1)],
        VecFn::Dequantize => vec![(Add, 1), (Mul, 1)],
        VecFn::Rotary => vec![(Mul, 2), (Add, 1)],
        VecFn::RmsNorm => vec![(Mul, 3), (Add, 1)],
        VecFn::LayerNorm => vec![(Add, 4), (Mul, 3)],
        VecFn::Conv1d(k) => vec![(Mul, k), (Add, k)],
        VecFn::Generic(f) => vec![(Mul, f.div_ceil(2)), (Add, f / 2)],
    }
}

/// Whether the function needs one reciprocal per row.
pub fn per_row_reciprocal(f: VecFn) -> bool {
    matches!(f, VecFn::RmsNorm | VecFn::LayerNorm | VecFn::Quantize)
}

/// A vector job: totals over the whole operator.
#[derive(Clone, Debug, PartialEq)]
struct Job {
    /// Output elements (chunking unit).
    elements: u64,
    /// Rows (chunks hold whole rows).
    rows: u64,
    read_bytes: u64,
    write_bytes: u64,
    /// (op, total count).
    ops: Vec<(ElementwiseOp, u64)>,
    /// Reciprocals in total.
    divs: u64,
    /// Float softmax rows of `len` (the unit's softmax timing).
    softmax_len: Option<u64>,
}

fn job(w: &Work) -> Option<Job> {
    match *w {
        Work::Vector(VectorWork {
            func,
            elements,
            rows,
            read_bytes,
            write_bytes,
            ..
        }) => Some(Job {
            elements,
            rows,
            read_bytes,
            write_bytes,
            ops: ops(func)
                .into_iter()
                .map(|(o, c)| (o, c * elements))
                .collect(),
            divs: if per_row_reciprocal(func) { rows } else { 0 },
            softmax_len: None,
        }),
        Work::Softmax(SoftmaxWork {
            rows,
            len,
            bits,
            integer,
        }) => {
            let n = rows * len;
            let bytes = (n * u64::from(bits)).div_ceil(8);
            Some(Job {
                elements: n,
                rows,
                read_bytes: bytes,
                write_bytes: bytes,
                ops: if integer {
                    ops(VecFn::Generic(workloads::ops::INT_SOFTMAX_OPS))
                        .into_iter()
                        .map(|(o, c)| (o, c * n))
                        .collect()
                } else {
                    vec![
                        (ElementwiseOp::Add, 3 * n),
                        (ElementwiseOp::Exp, n),
                        (ElementwiseOp::Mul, n),
                    ]
                },
                divs: rows,
                softmax_len: (!integer).then_some(len),
            })
        }
        Work::Scan(ScanWork {
            batch,
            len,
            d_inner,
            d_state,
            read_bytes,
            write_bytes,
            ..
        }) => {
            let chans = batch * len * d_inner;
            let states = chans * d_state;
            Some(Job {
                elements: chans,
                rows: chans,
                read_bytes,
                write_bytes,
                ops: vec![
                    (ElementwiseOp::Exp, states),
                    (ElementwiseOp::Mul, 4 * states + 3 * chans),
                    (ElementwiseOp::Add, 2 * states + 3 * chans),
                ],
                divs: 0,
                softmax_len: None,
            })
        }
        _ => None,
    }
}

/// Cost of `w` on the vector unit `unit` (see the module docs).
pub fn cost(pc: &PlatformCosts<'_>, unit: UnitKind, w: &Work) -> Result<OpCost, MapError> {
    let p = pc.platform;
    let Some(j) = job(w) else {
        return Err(MapError::CannotRun {
            platform: p.name.clone(),
            op: w.class().into(),
            kind: w.class().into(),
            reason: format!("{} runs only vector work", unit.name()),
        });
    };
    let pe = p.pe_array.as_ref().filter(|pe| pe.elementwise_capable());
    let nl = p.nonlinear.as_ref();
    let (lanes, use_pe) = match (unit, pe, nl) {
        (UnitKind::PeArray, Some(pe), _) => (pe.n_pes(), true),
        (UnitKind::Nonlinear, _, Some(nl)) => (nl.lanes.max(1), false),
        _ => {
            return Err(arch::ArchError::Unsupported {
                unit: p.name.clone(),
                class: format!("{} work on its {}", w.class(), unit.name()),
                reason: "no [nonlinear] unit and no bypassable [pe_array.reduction_tree]".into(),
            }
            .into());
        }
    };
    // Cycles of a fraction `num/den` of the job holding `rows` rows.
    let cycles = |num: u64, den: u64, rows: u64| -> u64 {
        let part = |c: u64| (c as u128 * num as u128).div_ceil(den.max(1) as u128) as u64;
        if let Some(len) = j.softmax_len {
            return match (use_pe, pe, nl) {
                (true, Some(pe), _) => pe.elementwise_cycles(
                    rows * len,
                    4 + ElementwiseOp::Exp.pe_passes(PE_EXP_DEGREE),
                ),
                (_, _, Some(nl)) => nl.softmax_cycles(rows, len),
                _ => 0,
            };
        }
        let mut c = 0u64;
        for &(op, count) in &j.ops {
            let n = part(count);
            if n == 0 {
                continue;
            }
            let passes = if use_pe {
                op.pe_passes(PE_EXP_DEGREE)
            } else {
                1
            };
            c += passes * n.div_ceil(lanes);
        }
        let d = part(j.divs);
        if d > 0 {
            c += if use_pe { PE_DIV_PASSES } else { 1 } * d.div_ceil(lanes);
        }
        c + if use_pe {
            1
        } else {
            nl.map_or(0, |n| n.latency_cycles)
        }
    };
    // Chunks of whole rows fitting the buffer.
    let row_len = j.elements.div_ceil(j.rows.max(1)).max(1);
    let per_elem = (j.read_bytes + j.write_bytes)
        .div_ceil(j.elements.max(1))
        .max(1);
    let cap = p.global_buffer.as_ref().map_or(u64::MAX, |b| {
        let reserved = if pc.opts.inter_op_buffering {
            b.size_bytes / crate::schedule::buffer::RESERVED_DEN
        } else {
            0
        };
        let free = b.size_bytes - reserved;
        if b.double_buffered { free / 2 } else { free }
    });
    let rows_per_chunk = (cap / per_elem.saturating_mul(row_len).max(1))
        .max(1)
        .max(j.rows.div_ceil(MAX_CHUNKS))
        .min(j.rows.max(1));
    let mut specs = Vec::new();
    let mut done = 0u64;
    let mut compute = 0u64;
    let total_rows = j.rows.max(1);
    while done < total_rows {
        let r = rows_per_chunk.min(total_rows - done);
        let c = cycles(r, total_rows, r);
        compute += c;
        let share = |b: u64| (b as u128 * r as u128).div_ceil(total_rows as u128) as u64;
        specs.push(TileSpec {
            load_bytes: share(j.read_bytes),
            compute_cycles: c,
            block: specs.len() as u64,
            store_bytes: share(j.write_bytes),
            first_of_block: true,
        });
        done += r;
    }
    let slots = if p.global_buffer.as_ref().is_none_or(|b| b.double_buffered) {
        2
    } else {
        1
    };
    let mem = pc
        .mem
        .memory(p, pc.opts.dram == crate::options::DramTiming::Detailed)?;
    let run = run_pipeline(specs, slots, p.clock, mem)?;
    let mut energy = Vec::new();
    let uname = unit.name();
    match (use_pe, pe, nl) {
        (true, Some(pe), _) => {
            let (mut muls, mut adds) = (0u64, 0u64);
            for &(op, count) in &j.ops {
                let (m, a) = op.pieces(PE_EXP_DEGREE);
                muls += m * count;
                adds += a * count;
            }
            muls += PE_DIV_PASSES * j.divs;
            if let Some(len) = j.softmax_len {
                // arch's PE softmax: exp pieces + 1 mul, exp pieces + 3 adds per element.
                let n = j.rows * len;
                let (em, ea) = ElementwiseOp::Exp.pieces(PE_EXP_DEGREE);
                muls = n * (em + 1);
                adds = n * (ea + 3);
            }
            energy.push(EnergyItem::new(
                uname,
                "mul",
                muls as f64 * pe.energy.mul_pj,
            ));
            energy.push(EnergyItem::new(
                uname,
                "add",
                adds as f64 * pe.energy.add_pj,
            ));
            energy.push(EnergyItem::new(
                uname,
                "leakage",
                pe.energy.leakage_mw * run.end.as_ps() as f64 * 1e-3,
            ));
        }
        (_, _, Some(nl)) => {
            for &(op, count) in &j.ops {
                let name = match op {
                    ElementwiseOp::Add => "add",
                    ElementwiseOp::Mul => "mul",
                    ElementwiseOp::Exp => "exp",
                    ElementwiseOp::Silu => "silu",
                };
                energy.push(EnergyItem::new(uname, name, count as f64 * nl.op_pj(op)));
            }
            energy.push(EnergyItem::new(
                uname,
                "div",
                j.divs as f64 * nl.energy.div_pj,
            ));
            energy.push(EnergyItem::new(
                uname,
                "leakage",
                nl.energy.leakage_mw * run.end.as_ps() as f64 * 1e-3,
            ));
        }
        _ => {}
    }
    let onchip = 2 * (j.read_bytes + j.write_bytes);
    if let Some(b) = &p.global_buffer {
        let words = b.words(j.read_bytes + j.write_bytes) as f64;
        energy.push(EnergyItem::new("global_buffer", "read", words * b.read_pj));
        energy.push(EnergyItem::new(
            "global_buffer",
            "write",
            words * b.write_pj,
        ));
    }
    energy.push(EnergyItem::new("dram", "access", run.mem_pj));
    energy.retain(|e| e.pj > 0.0);
    let compute_time = p.clock.cycles_to_time(compute);
    let memory_time = secs(pc.mem.seconds(run.bytes_read, run.bytes_written));
    // Level 3: the whole job as one chunk, memory infinitely fast.
    let roof_compute = p.clock.cycles_to_time(cycles(1, 1, total_rows));
    let roof_mem = secs((j.read_bytes + j.write_bytes) as f64 / pc.mem.peak_bytes_per_s.max(1.0));
    Ok(OpCost {
        unit,
        time: run.end,
        compute_time,
        memory_time,
        launch_time: Time::ZERO,
        roofline: roof_compute.max(roof_mem),
        dram_read: run.bytes_read,
        dram_written: run.bytes_written,
        onchip_bytes: if p.global_buffer.is_some() { onchip } else { 0 },
        energy,
        fidelity: 2,
        bound: if compute_time >= memory_time {
            Bound::Compute
        } else {
            Bound::Memory
        },
        mapping: None,
    })
}
