//! Closed-form cost of a mapping (used inside the search; the winner runs at level 2).
//!
//! **Compute.** The tile grid has at most 8 distinct tile shapes (full tiles and the
//! remainders along each dimension). Each shape's cycles are `arch`'s level-1 closed form
//! for the array mode (`PeArray::linear_cycles`, divided by a sparse factor), or the
//! global-buffer port time of the bytes the array reads and writes, whichever is longer —
//! exactly the per-tile time `arch::kernel::run_gemm` uses. Compute cycles = Σ count ×
//! cycles.
//!
//! **Traffic** (per product, see [`super`] for the rule): operand X is fetched
//! `f(X)` times, `f(X)` = the product of the trip counts of the loops outside X's
//! innermost non-trivial loop that X does not depend on. C is written once at the output
//! width when `k` is inside its loops; otherwise each of its `f(C) − 1` extra visits
//! stores and reloads partial sums at the accumulator width.
//!
//! **Time.** Double-buffered: `max(compute, memory) + first load + last store` (loads
//! overlap compute, the pipeline fills and drains once); single-buffered:
//! `compute + memory`. Memory time uses the achieved bandwidths of
//! [`crate::cost::probe::MemProbe`].
//!
//! **Energy.** MACs (or multiplies + tree adds) and register accesses as in
//! `arch::kernel::run_gemm`, buffer words read and written, DRAM bytes at the probed
//! pJ/byte, and leakage of array, trees, buffer and DRAM background over the time.

use arch::pe_array::GemmShape;

use super::space::PeCtx;
use super::{ArrayMode, Dim, LoopOrder, Mapping, Tile};
use crate::options::Objective;
use crate::work::GemmWork;

/// The closed-form cost of one mapping of one product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MappingCost {
    /// Σ tile cycles (array or buffer ports), cycles.
    pub compute_cycles: u64,
    /// Estimated time, s.
    pub seconds: f64,
    /// Off-chip bytes read.
    pub dram_read: u64,
    /// Off-chip bytes written.
    pub dram_written: u64,
    /// Buffer bytes read.
    pub sram_read: u64,
    /// Buffer bytes written.
    pub sram_written: u64,
    /// Energy, pJ.
    pub energy_pj: f64,
    /// Tiles.
    pub tiles: u64,
}

impl MappingCost {
    /// The objective's score.
    pub fn score(&self, o: Objective) -> f64 {
        o.score(self.seconds, self.energy_pj)
    }
}

/// The part of a mapping's cost that depends only on mode, transposition and tile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TilingCost {
    /// Σ tile cycles.
    pub compute_cycles: u64,
    /// Buffer bytes the array reads and writes (operands at the array's width, partial
    /// sums at the accumulator width).
    pub array_bytes: u64,
    /// Tiles.
    pub tiles: u64,
}

/// Trip counts (m, k, n) of `tile` over `w`.
pub fn trips(w: &GemmWork, t: &Tile) -> (u64, u64, u64) {
    (
        w.m.div_ceil(t.m.max(1)),
        w.k.div_ceil(t.k.max(1)),
        w.n.div_ceil(t.n.max(1)),
    )
}

/// `(size, count)` of the full tiles and the remainder along a dimension.
pub fn edge_classes(total: u64, tile: u64) -> [(u64, u64); 2] {
    let tile = tile.max(1).min(total.max(1));
    let count = total.div_ceil(tile);
    let rem = total - (count - 1) * tile;
    if rem == tile {
        [(tile, count), (0, 0)]
    } else {
        [(tile, count - 1), (rem, 1)]
    }
}

/// Cycles of one tile (array coordinates) on the array of `mode`.
pub fn tile_cycles(ctx: &PeCtx<'_>, mode: ArrayMode, shape: GemmShape) -> (u64, u64) {
    let Some(pe) = ctx.array(mode) else {
        return (u64::MAX, 0);
    };
    let acc = pe.linear_accesses(shape);
    let (ob, ab) = (pe.operand_bytes(), pe.acc_bytes());
    let bytes = (acc.a_reads + acc.b_reads) * ob + (acc.c_reads + acc.c_writes) * ab;
    let lin = pe.linear_cycles(shape);
    let lin = if ctx.sparse > 1.0 {
        (lin as f64 / ctx.sparse).ceil() as u64
    } else {
        lin
    };
    (lin.max(ctx.buffer.stream_cycles(bytes)), bytes)
}

/// The array shape of a problem-coordinate tile.
pub fn array_shape(transpose: bool, m: u64, k: u64, n: u64) -> GemmShape {
    if transpose {
        GemmShape::new(n, k, m)
    } else {
        GemmShape::new(m, k, n)
    }
}

/// Compute part of a mapping (see the module docs).
pub fn tiling_cost(
    ctx: &PeCtx<'_>,
    w: &GemmWork,
    mode: ArrayMode,
    transpose: bool,
    t: &Tile,
) -> TilingCost {
    let mut c = TilingCost {
        compute_cycles: 0,
        array_bytes: 0,
        tiles: 0,
    };
    for (tm, cm) in edge_classes(w.m, t.m) {
        for (tk, ck) in edge_classes(w.k, t.k) {
            for (tn, cn) in edge_classes(w.n, t.n) {
                let count = cm * ck * cn;
                if count == 0 {
                    continue;
                }
                let (cyc, bytes) = tile_cycles(ctx, mode, array_shape(transpose, tm, tk, tn));
                c.compute_cycles = c.compute_cycles.saturating_add(count.saturating_mul(cyc));
                c.array_bytes += count * bytes;
                c.tiles += count;
            }
        }
    }
    c
}

/// How many times an operand depending on `deps` is fetched (see the module docs).
pub fn reload_factor(order: &LoopOrder, trip: impl Fn(Dim) -> u64, deps: &[Dim]) -> u64 {
    let inner = order
        .0
        .iter()
        .enumerate()
        .filter(|(_, d)| deps.contains(d) && trip(**d) > 1)
        .map(|(i, _)| i)
        .max();
    match inner {
        None => 1,
        Some(p) => order.0[..p]
            .iter()
            .filter(|d| !deps.contains(d))
            .map(|d| trip(*d))
            .product(),
    }
}

/// Off-chip traffic of a mapping of one product: (bytes read, bytes written).
pub fn traffic(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> (u64, u64) {
    let (mt, kt, nt) = trips(w, &m.tile);
    let trip = |d: Dim| match d {
        Dim::M => mt,
        Dim::K => kt,
        Dim::N => nt,
    };
    let fa = reload_factor(&m.order, trip, &[Dim::M, Dim::K]);
    let fb = reload_factor(&m.order, trip, &[Dim::K, Dim::N]);
    let fc = reload_factor(&m.order, trip, &[Dim::M, Dim::N]);
    let a = w.a_block_bytes(w.m, w.k) * fa;
    let b = w.b_block_bytes(w.k, w.n) * fb;
    let c = w.c_block_bytes(w.m, w.n);
    let psum = (fc - 1) * w.m * w.n * ctx.acc_bytes();
    (a + b + psum, c + psum)
}

/// The full closed-form cost of `m`, given its compute part `tc`.
pub fn evaluate_with(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping, tc: &TilingCost) -> MappingCost {
    let (read, written) = traffic(ctx, w, m);
    let compute_s = tc.compute_cycles as f64 / ctx.clock_hz;
    let mem_s = ctx.mem.seconds(read, written);
    let seconds = if m.double_buffered {
        let first = w.a_block_bytes(m.tile.m.min(w.m), m.tile.k.min(w.k))
            + w.b_block_bytes(m.tile.k.min(w.k), m.tile.n.min(w.n));
        let last = w.c_block_bytes(m.tile.m.min(w.m), m.tile.n.min(w.n));
        compute_s.max(mem_s) + ctx.mem.seconds(first, last)
    } else {
        compute_s + mem_s
    };
    let sram_read = tc.array_bytes + written;
    let sram_written = read + w.m * w.n * ctx.acc_bytes();
    let energy_pj = fixed_energy_pj(ctx, w, m.mode, m.transpose)
        + ctx.buffer.words(sram_read) as f64 * ctx.buffer.read_pj
        + ctx.buffer.words(sram_written) as f64 * ctx.buffer.write_pj
        + ctx.mem.energy_pj(read, written)
        + leakage_mw(ctx) * seconds * 1e9;
    MappingCost {
        compute_cycles: tc.compute_cycles,
        seconds,
        dram_read: read,
        dram_written: written,
        sram_read,
        sram_written,
        energy_pj,
        tiles: tc.tiles,
    }
}

/// The closed-form cost of `m` (compute part included).
pub fn evaluate(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> MappingCost {
    let tc = tiling_cost(ctx, w, m.mode, m.transpose, &m.tile);
    evaluate_with(ctx, w, m, &tc)
}

/// Energy that does not depend on tiling or order: MACs (or multiplies and tree adds) and
/// operand register accesses, as `arch::kernel::run_gemm` counts them, pJ.
pub fn fixed_energy_pj(ctx: &PeCtx<'_>, w: &GemmWork, mode: ArrayMode, transpose: bool) -> f64 {
    let Some(pe) = ctx.array(mode) else {
        return 0.0;
    };
    let macs = (w.m * w.k * w.n) as f64;
    match (mode, &pe.reduction_tree) {
        (ArrayMode::Tree, Some(t)) => {
            let adds = t.gemm_adds(array_shape(transpose, w.m, w.k, w.n)) as f64;
            macs * pe.energy.mul_pj + adds * t.add_pj + 2.0 * macs * pe.energy.reg_access_pj
        }
        _ => macs * pe.energy.mac_pj + 3.0 * macs * pe.energy.reg_access_pj,
    }
}

/// Leakage of array, trees, buffer and DRAM background, mW.
pub fn leakage_mw(ctx: &PeCtx<'_>) -> f64 {
    ctx.pe.energy.leakage_mw
        + ctx.pe.reduction_tree.as_ref().map_or(0.0, |t| t.leakage_mw)
        + ctx.buffer.leakage_mw
        + ctx.mem.background_mw
}
