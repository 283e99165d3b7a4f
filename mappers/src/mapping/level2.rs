//! Running the winning mapping at level 2 (tile events on `sim-core`).
//!
//! With `DramTiming::Detailed` (default), when `arch::kernel::run_gemm` can express the
//! mapping —
//! operands and output at the array's own width, no quantisation metadata, and its loop
//! order (`m → n → k` over the array's coordinates) — the winner runs there with the
//! mapping's `GemmTiling`, forced dataflow and buffering, against the platform's
//! bank-level DRAM model. Otherwise (quantised weights, 16-bit outputs of an 8-bit array,
//! another loop order, or `DramTiming::Calibrated`, whose memory is
//! [`crate::cost::probe::CalibratedMemory`]) this module builds the tile sequence itself
//! and runs it on the same engine, `arch::kernel::pipeline::run_pipeline`: each tile
//! loads the operand tiles that changed since the previous tile (and reloads partial sums
//! on a revisit of an output tile), computes for its closed-form cycles, and the last tile
//! of each output visit stores the output (or partial sums). A test checks both paths
//! agree where both apply.
//!
//! `batch` independent products run back to back: time, traffic and energy × `batch`.

use arch::kernel::pipeline::{TileSpec, run_pipeline};
use arch::kernel::{Fidelity, GemmOptions, GemmTiling, run_gemm};
use arch::pe_array::{GemmShape, LinearMode};
use sim_core::Time;

use super::cost::{self, array_shape};
use super::legality::tiles;
use super::space::PeCtx;
use super::{ArrayMode, DataflowName, Dim, Mapping};
use crate::MapError;
use crate::cost::EnergyItem;
use crate::work::GemmWork;

/// A level-2 result of a whole [`GemmWork`] (all its products).
#[derive(Clone, Debug, PartialEq)]
pub struct Level2 {
    /// Simulated time.
    pub time: Time,
    /// Level-1 compute cycles (array or buffer ports; all products).
    pub compute_cycles: u64,
    /// Off-chip bytes read.
    pub dram_read: u64,
    /// Off-chip bytes written.
    pub dram_written: u64,
    /// Buffer bytes read.
    pub sram_read: u64,
    /// Buffer bytes written.
    pub sram_written: u64,
    /// Energy by unit and action.
    pub energy: Vec<EnergyItem>,
    /// Level-3 (roofline) time of the same work.
    pub roofline: Time,
    /// Tiles simulated per product.
    pub tiles: u64,
    /// Which engine ran it (`arch::kernel::run_gemm` or `tile pipeline`).
    pub via: &'static str,
}

/// Whether `run_gemm` can run `m` for `w` unchanged (see the module docs).
pub fn run_gemm_compatible(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> bool {
    let ob = ctx.pe.operand_bits;
    let order = if m.transpose {
        [Dim::N, Dim::M, Dim::K]
    } else {
        [Dim::M, Dim::N, Dim::K]
    };
    w.a_bits == ob
        && w.b_bits == ob
        && w.out_bits == ob
        && w.b_group == 0
        && m.order.0 == order
        && (m.mode != ArrayMode::Tree || ctx.pe.linear_mode() == LinearMode::Tree)
}

/// Runs `m` for `w` at level 2.
pub fn run(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> Result<Level2, MapError> {
    let one = if ctx.detailed_dram && run_gemm_compatible(ctx, w, m) {
        via_run_gemm(ctx, w, m)?
    } else {
        via_pipeline(ctx, w, m)?
    };
    Ok(scale(one, w.batch.max(1)))
}

fn scale(mut r: Level2, b: u64) -> Level2 {
    if b == 1 {
        return r;
    }
    r.time = Time::from_ps(r.time.as_ps().saturating_mul(b));
    r.roofline = Time::from_ps(r.roofline.as_ps().saturating_mul(b));
    r.compute_cycles = r.compute_cycles.saturating_mul(b);
    r.dram_read *= b;
    r.dram_written *= b;
    r.sram_read *= b;
    r.sram_written *= b;
    for e in &mut r.energy {
        e.pj *= b as f64;
    }
    r
}

/// The kernel's energy lines as schedule items, its DRAM actions folded back into one
/// `dram.access` item (the schedule's on-chip buffering takes saved DRAM energy out of it).
fn schedule_items(lines: &[arch::kernel::EnergyLine]) -> Vec<EnergyItem> {
    arch::kernel::fold_dram_lines(lines)
        .iter()
        .map(|(k, pj)| {
            let (unit, action) = k.split_once('.').unwrap_or((k.as_str(), ""));
            EnergyItem::new(unit, action, *pj)
        })
        .collect()
}

/// Runs one product through `arch::kernel::run_gemm`.
pub fn via_run_gemm(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> Result<Level2, MapError> {
    let shape = array_shape(m.transpose, w.m, w.k, w.n);
    let (tm, tn) = if m.transpose {
        (m.tile.n, m.tile.m)
    } else {
        (m.tile.m, m.tile.n)
    };
    let native = match ctx.pe.linear_mode() {
        LinearMode::Tree => ArrayMode::Tree,
        LinearMode::Systolic(d) => ArrayMode::Systolic(DataflowName::of(d)),
    };
    let dataflow = match m.mode {
        ArrayMode::Systolic(d) if m.mode != native => Some(d.dataflow()),
        _ => None,
    };
    let opts = GemmOptions {
        dataflow,
        tiling: Some(GemmTiling {
            tile_m: tm,
            tile_k: m.tile.k,
            tile_n: tn,
        }),
        fidelity: Fidelity::TileEvents,
    };
    let r = if m.double_buffered == ctx.buffer.double_buffered {
        run_gemm(ctx.platform, shape, &opts)?
    } else {
        let mut p = ctx.platform.clone();
        if let Some(b) = p.global_buffer.as_mut() {
            b.double_buffered = m.double_buffered;
        }
        run_gemm(&p, shape, &opts)?
    };
    Ok(Level2 {
        time: Time::from_ps(r.total_ps),
        compute_cycles: r.compute_cycles,
        dram_read: r.dram_bytes_read,
        dram_written: r.dram_bytes_written,
        sram_read: r.sram_bytes_read,
        sram_written: r.sram_bytes_written,
        energy: schedule_items(&r.energy),
        roofline: ctx.platform.clock.cycles_to_time(r.roofline_cycles),
        tiles: r.tiles,
        via: "arch::kernel::run_gemm",
    })
}

/// Runs one product through the tile pipeline with this module's tile sequence.
pub fn via_pipeline(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> Result<Level2, MapError> {
    let acc = ctx.acc_bytes();
    let kt = w.k.div_ceil(m.tile.k.max(1));
    let ts = tiles(w, m);
    let mut cycles_of: Vec<(GemmShape, u64, u64)> = Vec::new();
    let mut specs = Vec::with_capacity(ts.len());
    let (mut prev_a, mut prev_b, mut prev_c) = (None, None, None);
    let mut block = 0u64;
    let (mut compute, mut array_bytes) = (0u64, 0u64);
    for (i, t) in ts.iter().enumerate() {
        let (tm, tk, tn) = (t.m.1 - t.m.0, t.k.1 - t.k.0, t.n.1 - t.n.0);
        let (a, b, c) = ((t.m.0, t.k.0), (t.k.0, t.n.0), (t.m.0, t.n.0));
        let ki = t.k.0 / m.tile.k.max(1);
        let new_block = prev_c != Some(c);
        if new_block && i > 0 {
            block += 1;
        }
        let mut load = 0;
        if prev_a != Some(a) {
            load += w.a_block_bytes(tm, tk);
        }
        if prev_b != Some(b) {
            load += w.b_block_bytes(tk, tn);
        }
        if new_block && ki > 0 {
            load += tm * tn * acc; // partial sums of earlier k tiles come back
        }
        let shape = array_shape(m.transpose, tm, tk, tn);
        let (cyc, bytes) = match cycles_of.iter().find(|x| x.0 == shape) {
            Some(x) => (x.1, x.2),
            None => {
                let (c, b) = cost::tile_cycles(ctx, m.mode, shape);
                cycles_of.push((shape, c, b));
                (c, b)
            }
        };
        compute += cyc;
        array_bytes += bytes;
        let last_of_block = ts
            .get(i + 1)
            .is_none_or(|n| (n.m.0, n.n.0) != (t.m.0, t.n.0));
        let store = if !last_of_block {
            0
        } else if ki + 1 == kt {
            w.c_block_bytes(tm, tn)
        } else {
            tm * tn * acc
        };
        specs.push(TileSpec {
            load_bytes: load,
            compute_cycles: cyc,
            block,
            store_bytes: store,
            first_of_block: new_block,
        });
        (prev_a, prev_b, prev_c) = (Some(a), Some(b), Some(c));
    }
    let n_tiles = specs.len() as u64;
    let mem = ctx.mem.memory(ctx.platform, ctx.detailed_dram)?;
    let slots = if m.double_buffered { 2 } else { 1 };
    let run = run_pipeline(specs, slots, ctx.platform.clock, mem)?;
    let buf = ctx.buffer;
    let sram_read = array_bytes + run.bytes_written;
    let sram_written = run.bytes_read + w.m * w.n * acc;
    let mut energy = Vec::new();
    let fixed = cost::fixed_energy_pj(ctx, w, m.mode, m.transpose);
    energy.push(EnergyItem::new("pe_array", "compute", fixed));
    energy.push(EnergyItem::new(
        "global_buffer",
        "read",
        buf.words(sram_read) as f64 * buf.read_pj,
    ));
    energy.push(EnergyItem::new(
        "global_buffer",
        "write",
        buf.words(sram_written) as f64 * buf.write_pj,
    ));
    energy.push(EnergyItem::new("dram", "access", run.mem_pj));
    let leak = |mw: f64| mw * run.end.as_ps() as f64 * 1e-3;
    energy.push(EnergyItem::new(
        "pe_array",
        "leakage",
        leak(ctx.pe.energy.leakage_mw),
    ));
    if let Some(t) = &ctx.pe.reduction_tree {
        energy.push(EnergyItem::new(
            "reduction_tree",
            "leakage",
            leak(t.leakage_mw),
        ));
    }
    energy.push(EnergyItem::new(
        "global_buffer",
        "leakage",
        leak(buf.leakage_mw),
    ));
    energy.push(EnergyItem::new(
        "dram",
        "leakage",
        leak(ctx.mem.background_mw),
    ));
    energy.retain(|e| e.pj > 0.0);
    Ok(Level2 {
        time: run.end,
        compute_cycles: compute,
        dram_read: run.bytes_read,
        dram_written: run.bytes_written,
        sram_read,
        sram_written,
        energy,
        roofline: roofline(ctx, w),
        tiles: n_tiles,
        via: "tile pipeline",
    })
}

/// Level-3 time of one product: `max(⌈MACs / (PEs · sparse)⌉ cycles, compulsory bytes /
/// peak bandwidth)`.
pub fn roofline(ctx: &PeCtx<'_>, w: &GemmWork) -> Time {
    let macs = w.m * w.k * w.n;
    let cycles = (macs.div_ceil(ctx.pe.n_pes()) as f64 / ctx.sparse).ceil() as u64;
    let compute = ctx.platform.clock.cycles_to_time(cycles);
    let one = GemmWork { batch: 1, ..*w };
    let bytes = one.min_bytes();
    let mem =
        Time::from_ps((bytes as f64 * 1e12 / ctx.mem.peak_bytes_per_s.max(1.0)).floor() as u64);
    compute.max(mem)
}
