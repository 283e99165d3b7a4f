//! GEMM and GEMV at level 2 (tiles on sim-core) and level 3 (roofline).
//!
//! **Tiling.** A [`GemmTiling`] cuts `C[M×N] = A[M×K]·B[K×N]` into `tile_m × tile_k × tile_n`
//! tiles, run with `m` outermost and `k` innermost, so each output tile stays in the global
//! buffer (at the accumulator width) while its `⌈K/tile_k⌉` reduction tiles stream through,
//! and is then written off-chip once at the operand width (requantised). Operands are
//! stored tile-contiguous off-chip (blocked layout), so each tile load is one sequential
//! request. A tile's working set is `(tm·tk + tk·tn)·operand_bytes + tm·tn·acc_bytes`; it
//! must fit the buffer's per-tile capacity (half the buffer when double-buffered).
//!
//! **Default heuristic** ([`GemmTiling::default_for`]): start from the whole GEMM and, while
//! the working set does not fit, halve one tile dimension — rounding a halved dimension that
//! is still larger than the array extent it maps onto up to a multiple of that extent, so
//! folds stay full. Of the three candidates, take the one with the lowest estimated time
//! `max(Σ level-1 cycles of its tiles, off-chip bytes / peak bytes per cycle)` (off-chip
//! bytes: A once per column of tiles, B once per row of tiles, C once); ties go to the
//! larger tile volume, then `k`, `n`, `m`. The result is a largest-tiles-that-fit tiling
//! that avoids splitting the streamed dimension when that costs fill and drain cycles.
//!
//! **Tile time.** `max(level-1 cycles of the tile, global-buffer port cycles of the bytes the
//! array reads and writes)`. With an FPGA `effective_macs_factor` `f > 1` (sparse MAC units,
//! [`crate::fpga`]) the level-1 cycles — of each tile, of the whole GEMM and of the
//! roofline's compute bound — are `⌈cycles / f⌉`.
//!
//! **SRAM-only platforms** ([`crate::sram_only`]) reject a GEMM whose `A`, `B` and `C`
//! together exceed the on-chip SRAM ([`crate::ArchError::OnChipCapacity`]).

use serde::Serialize;

use super::pipeline::{TileSpec, run_pipeline};
use super::{Energy, Fidelity, KernelReport};
use crate::ArchError;
use crate::pe_array::{Dataflow, GemmShape, LinearMode, OperandCounts, PeArray};
use crate::platform::Platform;
use crate::sram::SramBuffer;

/// A GEMM tiling (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct GemmTiling {
    /// Rows of A and C per tile.
    pub tile_m: u64,
    /// Reduction elements per tile.
    pub tile_k: u64,
    /// Columns of B and C per tile.
    pub tile_n: u64,
}

impl GemmTiling {
    /// Working set of one tile, bytes.
    pub fn working_set_bytes(&self, operand_bytes: u64, acc_bytes: u64) -> u64 {
        (self.tile_m * self.tile_k + self.tile_k * self.tile_n) * operand_bytes
            + self.tile_m * self.tile_n * acc_bytes
    }

    /// Tiles along (m, n, k).
    pub fn counts(&self, s: GemmShape) -> (u64, u64, u64) {
        (
            s.m.div_ceil(self.tile_m),
            s.n.div_ceil(self.tile_n),
            s.k.div_ceil(self.tile_k),
        )
    }

    /// Array extents (m, k, n) the dimensions map onto in `mode`, for alignment.
    fn granularity(pe: &PeArray, mode: LinearMode) -> (u64, u64, u64) {
        match (mode, &pe.reduction_tree) {
            (LinearMode::Tree, Some(t)) => (1, t.fan_in, t.outputs_per_fold(pe.rows, pe.cols)),
            (LinearMode::Systolic(Dataflow::OutputStationary), _) => (pe.rows, 1, pe.cols),
            (LinearMode::Systolic(Dataflow::WeightStationary), _) => (1, pe.rows, pe.cols),
            _ => (pe.cols, pe.rows, 1),
        }
    }

    /// Estimated cycles of this tiling (heuristic cost, see the module docs).
    fn estimate(&self, pe: &PeArray, s: GemmShape, mem_bytes_per_cycle: f64) -> f64 {
        let (mt, nt, kt) = self.counts(s);
        let mut compute = 0u64;
        // Full tiles and the remainders along each dimension (at most 8 distinct shapes).
        let dims = |total: u64, tile: u64, count: u64| -> [(u64, u64); 2] {
            let rem = total - (count - 1) * tile;
            if rem == tile {
                [(tile, count), (0, 0)]
            } else {
                [(tile, count - 1), (rem, 1)]
            }
        };
        for (tm, cm) in dims(s.m, self.tile_m, mt) {
            for (tk, ck) in dims(s.k, self.tile_k, kt) {
                for (tn, cn) in dims(s.n, self.tile_n, nt) {
                    if cm * ck * cn > 0 {
                        compute += cm * ck * cn * pe.linear_cycles(GemmShape::new(tm, tk, tn));
                    }
                }
            }
        }
        let ob = pe.operand_bytes() as f64;
        let bytes = (s.m * s.k * nt + s.k * s.n * mt + s.m * s.n) as f64 * ob;
        (compute as f64).max(bytes / mem_bytes_per_cycle.max(1e-9))
    }

    /// The default tiling of `shape` on `pe` with `buf`, for an off-chip memory of
    /// `mem_bytes_per_cycle` peak bytes per core cycle (see the module docs).
    pub fn default_for(
        pe: &PeArray,
        buf: &SramBuffer,
        shape: GemmShape,
        mem_bytes_per_cycle: f64,
    ) -> Result<GemmTiling, ArchError> {
        let (gm, gk, gn) = Self::granularity(pe, pe.linear_mode());
        let cap = buf.tile_capacity_bytes();
        let (ob, ab) = (pe.operand_bytes(), pe.acc_bytes());
        let mut t = GemmTiling {
            tile_m: shape.m.max(1),
            tile_k: shape.k.max(1),
            tile_n: shape.n.max(1),
        };
        let shrink = |v: u64, g: u64| {
            let h = v.div_ceil(2);
            if h > g { h.div_ceil(g) * g } else { h }
        };
        while t.working_set_bytes(ob, ab) > cap {
            let candidates = [
                (t.tile_k > 1).then(|| GemmTiling {
                    tile_k: shrink(t.tile_k, gk),
                    ..t
                }),
                (t.tile_n > 1).then(|| GemmTiling {
                    tile_n: shrink(t.tile_n, gn),
                    ..t
                }),
                (t.tile_m > 1).then(|| GemmTiling {
                    tile_m: shrink(t.tile_m, gm),
                    ..t
                }),
            ];
            let mut best: Option<(f64, u64, GemmTiling)> = None;
            for c in candidates.into_iter().flatten() {
                let cost = c.estimate(pe, shape, mem_bytes_per_cycle);
                let vol = c.tile_m * c.tile_k * c.tile_n;
                if best.is_none_or(|(bc, bv, _)| cost < bc || (cost == bc && vol > bv)) {
                    best = Some((cost, vol, c));
                }
            }
            let Some((_, _, next)) = best else {
                return Err(ArchError::Invalid {
                    key: "global_buffer.size_kib".into(),
                    message: format!("no GEMM tile fits {cap} bytes per tile"),
                });
            };
            t = next;
        }
        Ok(t)
    }

    /// Rejects a tiling with a zero dimension or whose working set exceeds the buffer.
    pub fn check(&self, pe: &PeArray, buf: &SramBuffer) -> Result<(), ArchError> {
        if self.tile_m == 0 || self.tile_k == 0 || self.tile_n == 0 {
            return Err(ArchError::Invalid {
                key: "tiling".into(),
                message: format!(
                    "tile {}x{}x{} has a zero dimension",
                    self.tile_m, self.tile_k, self.tile_n
                ),
            });
        }
        let ws = self.working_set_bytes(pe.operand_bytes(), pe.acc_bytes());
        if ws > buf.tile_capacity_bytes() {
            return Err(ArchError::Invalid {
                key: "tiling".into(),
                message: format!(
                    "tile {}x{}x{} needs {ws} bytes but the global buffer holds {} bytes per tile{}",
                    self.tile_m,
                    self.tile_k,
                    self.tile_n,
                    buf.tile_capacity_bytes(),
                    if buf.double_buffered {
                        " (half of it: double-buffered)"
                    } else {
                        ""
                    }
                ),
            });
        }
        Ok(())
    }
}

/// Options of a GEMM run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmOptions {
    /// Force a systolic dataflow (overrides the platform's, and its tree mode).
    pub dataflow: Option<Dataflow>,
    /// Tiling (default: [`GemmTiling::default_for`]).
    pub tiling: Option<GemmTiling>,
    /// Level 2 (default) or 3.
    pub fidelity: Fidelity,
}

impl Default for GemmOptions {
    fn default() -> Self {
        GemmOptions {
            dataflow: None,
            tiling: None,
            fidelity: Fidelity::TileEvents,
        }
    }
}

fn effective_pe(p: &Platform, opts: &GemmOptions) -> Result<PeArray, ArchError> {
    let mut pe = p.require_pe_array()?.clone();
    if let Some(df) = opts.dataflow {
        pe.dataflow = df;
        if let Some(t) = pe.reduction_tree.as_mut() {
            t.linear = false;
        }
    }
    Ok(pe)
}

fn unit_label(pe: &PeArray) -> String {
    match pe.linear_mode() {
        LinearMode::Systolic(df) => format!("pe_array ({})", df.short()),
        LinearMode::Tree => "pe_array (reduction tree)".into(),
    }
}

fn check_shape(s: GemmShape) -> Result<(), ArchError> {
    for (k, v) in [("m", s.m), ("k", s.k), ("n", s.n)] {
        if v == 0 {
            return Err(ArchError::Invalid {
                key: k.into(),
                message: "is 0; expected a dimension >= 1".into(),
            });
        }
    }
    Ok(())
}

/// Cycles of linear work after the platform's sparse speed-up:
/// `⌈cycles / effective_macs_factor⌉` (unchanged when dense; see [`crate::fpga`]).
fn sparse_cycles(p: &Platform, cycles: u64) -> u64 {
    let f = p.effective_macs_factor();
    if f > 1.0 {
        (cycles as f64 / f).ceil() as u64
    } else {
        cycles
    }
}

/// Errors when an SRAM-only platform cannot hold the GEMM's operands and result.
fn check_on_chip(p: &Platform, pe: &PeArray, s: GemmShape) -> Result<(), ArchError> {
    let bytes = (s.m * s.k + s.k * s.n + s.m * s.n) * pe.operand_bytes();
    p.check_fits_on_chip(&format!("gemm {}x{}x{}", s.m, s.k, s.n), bytes)
}

/// Level-3 time of a GEMM: `max(⌈MACs / (PEs · sparse factor)⌉ cycles, compulsory bytes /
/// peak bandwidth)`.
fn roofline_time(p: &Platform, pe: &PeArray, s: GemmShape, peak: f64) -> sim_core::Time {
    let compute = p
        .clock
        .cycles_to_time(sparse_cycles(p, s.macs().div_ceil(pe.n_pes())));
    let bytes = (s.m * s.k + s.k * s.n + s.m * s.n) * pe.operand_bytes();
    let mem_ps = (bytes as f64 * 1e12 / peak.max(1.0)).floor();
    compute.max(sim_core::Time::from_ps(mem_ps as u64))
}

/// Level-3 (roofline) report of a GEMM.
pub fn roofline_gemm(
    p: &Platform,
    shape: GemmShape,
    opts: &GemmOptions,
) -> Result<KernelReport, ArchError> {
    check_shape(shape)?;
    let pe = effective_pe(p, opts)?;
    check_on_chip(p, &pe, shape)?;
    let mem = p.memory()?;
    let t = roofline_time(p, &pe, shape, mem.peak_bytes_per_s());
    let cycles = p.clock.next_edge_cycle(t);
    let bytes_in = (shape.m * shape.k + shape.k * shape.n) * pe.operand_bytes();
    let bytes_out = shape.m * shape.n * pe.operand_bytes();
    let mut e = Energy::default();
    e.action("pe_array", "mac", shape.macs(), pe.energy.mac_pj);
    // The roofline counts no DRAM commands: only what the bytes moved cost.
    let counts = Default::default();
    e.memory(
        "dram",
        &mem.energy_breakdown_pj(&counts, bytes_in, bytes_out),
        mem.energy_pj(&counts, bytes_in, bytes_out),
    );
    let (energy, energy_pj) = e.finish();
    Ok(KernelReport {
        kernel: format!("gemm {}x{}x{}", shape.m, shape.k, shape.n),
        platform: p.name.clone(),
        unit: unit_label(&pe),
        fidelity: Fidelity::Roofline,
        fidelity_level: 3,
        compute_cycles: sparse_cycles(p, pe.linear_cycles(shape)),
        total_cycles: cycles,
        total_ps: t.as_ps(),
        seconds: t.as_secs_f64(),
        utilization: shape.macs() as f64
            / (pe.n_pes() as f64 * p.effective_macs_factor() * cycles.max(1) as f64),
        macs: shape.macs(),
        elements: 0,
        sram: OperandCounts::default(),
        sram_bytes_read: 0,
        sram_bytes_written: 0,
        dram_bytes_read: bytes_in,
        dram_bytes_written: bytes_out,
        tiles: 0,
        tiling: None,
        roofline_cycles: cycles,
        energy_pj,
        energy,
    })
}

/// Simulates a GEMM (level 2 by default; level 3 with `opts.fidelity`).
pub fn run_gemm(
    p: &Platform,
    shape: GemmShape,
    opts: &GemmOptions,
) -> Result<KernelReport, ArchError> {
    if opts.fidelity == Fidelity::Roofline {
        return roofline_gemm(p, shape, opts);
    }
    check_shape(shape)?;
    let pe = effective_pe(p, opts)?;
    check_on_chip(p, &pe, shape)?;
    let buf = p
        .global_buffer
        .as_ref()
        .ok_or_else(|| ArchError::Unsupported {
            unit: p.name.clone(),
            class: "a level-2 GEMM".into(),
            reason:
                "the platform has no [global_buffer] to stage tiles in (use the roofline level)"
                    .into(),
        })?;
    let tiling = match opts.tiling {
        Some(t) => {
            t.check(&pe, buf)?;
            t
        }
        None => {
            let peak = p.memory()?.peak_bytes_per_s();
            GemmTiling::default_for(&pe, buf, shape, peak / p.clock.freq_hz() as f64)?
        }
    };
    let (ob, ab) = (pe.operand_bytes(), pe.acc_bytes());
    let (mt, nt, kt) = tiling.counts(shape);
    let mut cache: Vec<(GemmShape, u64, OperandCounts)> = Vec::new();
    let mut tiles = Vec::with_capacity((mt * nt * kt) as usize);
    let mut sram = OperandCounts::default();
    let (mut c_bytes_r, mut c_bytes_w) = (0u64, 0u64);
    for mi in 0..mt {
        let tm = tiling.tile_m.min(shape.m - mi * tiling.tile_m);
        for ni in 0..nt {
            let tn = tiling.tile_n.min(shape.n - ni * tiling.tile_n);
            for ki in 0..kt {
                let tk = tiling.tile_k.min(shape.k - ki * tiling.tile_k);
                let ts = GemmShape::new(tm, tk, tn);
                let (cycles, acc) = match cache.iter().find(|c| c.0 == ts) {
                    Some(c) => (c.1, c.2),
                    None => {
                        let mut acc = pe.linear_accesses(ts);
                        acc.a_writes = tm * tk;
                        acc.b_writes = tk * tn;
                        let array_bytes =
                            (acc.a_reads + acc.b_reads) * ob + (acc.c_reads + acc.c_writes) * ab;
                        let cycles = sparse_cycles(p, pe.linear_cycles(ts))
                            .max(buf.stream_cycles(array_bytes));
                        cache.push((ts, cycles, acc));
                        (cycles, acc)
                    }
                };
                let mut acc = acc;
                if ki > 0 {
                    acc.c_reads += tm * tn; // read back the partial sums of earlier k tiles
                }
                let last = ki + 1 == kt;
                if last {
                    acc.c_reads += tm * tn; // read out for the store
                }
                sram.add(&acc);
                c_bytes_r += acc.c_reads * ab;
                c_bytes_w += acc.c_writes * ab;
                tiles.push(TileSpec {
                    load_bytes: (tm * tk + tk * tn) * ob,
                    compute_cycles: cycles,
                    block: mi * nt + ni,
                    store_bytes: if last { tm * tn * ob } else { 0 },
                    first_of_block: ki == 0,
                });
            }
        }
    }
    let n_tiles = tiles.len() as u64;
    let mem = p.memory()?;
    let peak = mem.peak_bytes_per_s();
    let background_mw = mem.background_mw();
    let slots = if buf.double_buffered { 2 } else { 1 };
    let run = run_pipeline(tiles, slots, p.clock, mem)?;
    let total_cycles = p.clock.next_edge_cycle(run.end);
    let roof = roofline_time(p, &pe, shape, peak);
    let sram_read = (sram.a_reads + sram.b_reads) * ob + c_bytes_r;
    let sram_written = (sram.a_writes + sram.b_writes) * ob + c_bytes_w;
    let macs = shape.macs();
    let mut e = Energy::default();
    match (pe.linear_mode(), &pe.reduction_tree) {
        (LinearMode::Tree, Some(t)) => {
            e.action("pe_array", "mul", macs, pe.energy.mul_pj);
            e.action("reduction_tree", "add", t.gemm_adds(shape), t.add_pj);
            e.action("pe_array", "reg_access", 2 * macs, pe.energy.reg_access_pj);
        }
        _ => {
            e.action("pe_array", "mac", macs, pe.energy.mac_pj);
            e.action("pe_array", "reg_access", 3 * macs, pe.energy.reg_access_pj);
        }
    }
    e.leakage("pe_array", pe.energy.leakage_mw, run.end);
    if let Some(t) = &pe.reduction_tree {
        e.leakage("reduction_tree", t.leakage_mw, run.end);
    }
    e.action("global_buffer", "read", buf.words(sram_read), buf.read_pj);
    e.action(
        "global_buffer",
        "write",
        buf.words(sram_written),
        buf.write_pj,
    );
    e.leakage("global_buffer", buf.leakage_mw, run.end);
    e.memory("dram", &run.mem_lines, run.mem_pj);
    e.leakage("dram", background_mw, run.end);
    let (energy, energy_pj) = e.finish();
    Ok(KernelReport {
        kernel: format!("gemm {}x{}x{}", shape.m, shape.k, shape.n),
        platform: p.name.clone(),
        unit: unit_label(&pe),
        fidelity: Fidelity::TileEvents,
        fidelity_level: 2,
        compute_cycles: sparse_cycles(p, pe.linear_cycles(shape)),
        total_cycles,
        total_ps: run.end.as_ps(),
        seconds: run.end.as_secs_f64(),
        utilization: macs as f64
            / (pe.n_pes() as f64 * p.effective_macs_factor() * total_cycles.max(1) as f64),
        macs,
        elements: 0,
        sram,
        sram_bytes_read: sram_read,
        sram_bytes_written: sram_written,
        dram_bytes_read: run.bytes_read,
        dram_bytes_written: run.bytes_written,
        tiles: n_tiles,
        tiling: Some(tiling),
        roofline_cycles: p.clock.next_edge_cycle(roof),
        energy_pj,
        energy,
    })
}

/// A GEMV `y[1×N] = x[1×K] · W[K×N]`: a GEMM with `M = 1`.
pub fn run_gemv(
    p: &Platform,
    k: u64,
    n: u64,
    opts: &GemmOptions,
) -> Result<KernelReport, ArchError> {
    let mut r = run_gemm(p, GemmShape::new(1, k, n), opts)?;
    r.kernel = format!("gemv {k}x{n}");
    Ok(r)
}
