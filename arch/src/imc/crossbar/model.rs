//! GEMV/GEMM on a crossbar unit: weight mapping, activations, conversions, tiles and NoC.
//!
//! # Mapping
//! `B[K×N]` (the weights) is cut into `RT = ⌈K / rows⌉` row blocks and
//! `CT = ⌈N / wpx⌉` column blocks (`wpx` weights per crossbar row); block `(rt, ct)` goes to
//! crossbar number `ct·RT + rt`, so the row blocks of one column block sit side by side
//! (mostly in one tile). Crossbars fill tile 0 first, then tile 1, …. When the matrix
//! needs more crossbars than the unit has, it runs in `⌈RT·CT / crossbars⌉` rounds, each
//! reprogramming the crossbars it uses (weights streamed in over the NoC, then written
//! `rows used × weight_write_cycles_per_row` per crossbar, in parallel).
//!
//! # Counts per crossbar `(rt, ct)` for `M` input vectors
//! With `r` rows used, `c` columns used (`weights × cpw`), `g = ⌈r / active_rows⌉`:
//! activations `A = M · steps · g`; ADC conversions `A · c`; DAC operations `M · steps · r`;
//! active cells `M · steps · r · c`; shift-and-adds one per conversion whenever an output
//! gathers more than one partial product (`steps > 1`, `cpw > 1` or `g > 1`). Partial-sum
//! additions across row blocks: `M · (RT − 1) · weights(ct)` per column block.
//!
//! # Time
//! The input vector (`rows used × input_bits / 8` bytes per distinct row block) enters at
//! the I/O port of tile 0 over one injection `Link` (`noc_bytes_per_cycle`) once and is
//! multicast along the mesh: a tile has its slices `hops × noc_hop_cycles` after the
//! injection ends (mesh of `⌈√tiles⌉` columns, hops = x + y from tile 0; NoC energy counts
//! one link per tile for its input slices and `hops` links for its outputs).
//! It reads the inputs of its crossbars from its buffer (`buffer_bytes_per_cycle`), then
//! its crossbars run in parallel; a tile is done when its slowest crossbar is
//! (closed form in [`Crossbar::activations_cycles`]). Each tile then sends one output (or
//! partial-sum) vector per column block it holds back to tile 0 over the ejection `Link`,
//! where partial sums are added as they arrive. For `M > 1` vectors stream: a tile's
//! compute is bounded by its crossbars, its buffer reads and the injection link's rate.
//! The kernel ends when the last output reaches tile 0.

use sim_core::{Link, PipelinedServer};

use super::Crossbar;
use crate::ArchError;
use crate::imc::kernel::{
    Fidelity, Kernel, KernelClass, KernelEstimate, Phase, div_ceil, energy_report, unsupported,
};

const UNIT: &str = "crossbar";

/// One crossbar's share of a mapped matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossbarBlock {
    /// Row block index.
    pub rt: u64,
    /// Column block index.
    pub ct: u64,
    /// Array rows used.
    pub rows: u64,
    /// Weights (outputs) held.
    pub weights: u64,
    /// Array columns used (`weights × cpw`).
    pub cols: u64,
}

/// The mapping of a `K × N` weight matrix onto crossbars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Row blocks `⌈K / rows⌉`.
    pub row_blocks: u64,
    /// Column blocks `⌈N / weights per crossbar⌉`.
    pub col_blocks: u64,
    /// Blocks in crossbar order (`ct · RT + rt`).
    pub blocks: Vec<CrossbarBlock>,
    /// Rounds of reprogramming (1 = weights resident).
    pub rounds: u64,
}

impl Crossbar {
    /// Cycles for `a` back-to-back activations with `used_cols` columns each, including
    /// the final shift-and-add: `read + C + (a − 1)·max(read, C) + SA` with overlap,
    /// `a·(read + C) + SA` without (0 for `a = 0`).
    pub fn activations_cycles(&self, a: u64, used_cols: u64) -> u64 {
        if a == 0 {
            return 0;
        }
        let c = self.conversion_cycles(used_cols);
        let interval = self.activation_interval(used_cols);
        if self.overlap_read_and_convert {
            self.read_cycles + c + (a - 1) * interval + self.shift_add_cycles
        } else {
            a * (self.read_cycles + c) + self.shift_add_cycles
        }
    }

    /// The same `a` activations run through two [`PipelinedServer`]s (read, convert) and
    /// a shift-and-add stage, activation by activation: the reference the closed form is
    /// tested against. With sample-and-hold a read may only latch once the previous
    /// conversions are done.
    pub fn activations_cycles_reference(&self, a: u64, used_cols: u64) -> Result<u64, ArchError> {
        let c = self.conversion_cycles(used_cols);
        let r = self.read_cycles;
        let mut read = PipelinedServer::new(r, r.max(1), 1)?;
        let mut conv = PipelinedServer::new(c, c.max(1), 1)?;
        let mut sa = PipelinedServer::new(self.shift_add_cycles, 1, 1)?;
        let mut conv_done = 0u64;
        let mut end = 0u64;
        for _ in 0..a {
            // Earliest read start: its latch (start + r) may not precede the previous
            // conversions' end (overlap), or it starts after them (no overlap).
            let ready = if self.overlap_read_and_convert {
                conv_done.saturating_sub(r)
            } else {
                conv_done
            };
            let rd = read.issue(ready);
            let cv = conv.issue(rd.done);
            conv_done = cv.done;
            end = sa.issue(cv.done).done;
        }
        Ok(end)
    }

    /// Maps a `k × n` weight matrix onto crossbars.
    pub fn map(&self, k: u64, n: u64) -> Mapping {
        let rows = u64::from(self.rows);
        let wpx = u64::from(self.weights_per_crossbar());
        let cpw = u64::from(self.cells_per_weight());
        let row_blocks = div_ceil(k, rows);
        let col_blocks = div_ceil(n, wpx);
        let mut blocks = Vec::with_capacity((row_blocks * col_blocks).min(1 << 20) as usize);
        for ct in 0..col_blocks {
            let weights = if ct + 1 == col_blocks {
                n - ct * wpx
            } else {
                wpx
            };
            for rt in 0..row_blocks {
                let r = if rt + 1 == row_blocks {
                    k - rt * rows
                } else {
                    rows
                };
                blocks.push(CrossbarBlock {
                    rt,
                    ct,
                    rows: r,
                    weights,
                    cols: weights * cpw,
                });
            }
        }
        let rounds = div_ceil(row_blocks * col_blocks, self.crossbars());
        Mapping {
            row_blocks,
            col_blocks,
            blocks,
            rounds,
        }
    }

    fn tile_hops(&self, tile: u64) -> u64 {
        let side = (f64::from(self.tiles).sqrt().ceil() as u64).max(1);
        tile % side + tile / side
    }

    /// Estimates a kernel: GEMV and GEMM run; anything else is
    /// [`ArchError::Unsupported`].
    pub fn estimate(&self, kernel: &Kernel) -> Result<KernelEstimate, ArchError> {
        match *kernel {
            Kernel::Gemv { k, n } => self.gemm(1, k, n),
            Kernel::Gemm { m, k, n } => self.gemm(m, k, n),
            Kernel::Softmax { .. }
            | Kernel::Elementwise { .. }
            | Kernel::Activation { .. }
            | Kernel::Attention(_) => Err(unsupported(
                UNIT,
                kernel.class(),
                "a crossbar only computes matrix-vector products (gemv, gemm); run it on a \
                     digital unit or the associative processor",
            )),
        }
    }

    /// `C[M×N] = A[M×K] · B[K×N]` with `B` held in the crossbars (see the module docs).
    pub fn gemm(&self, m: u64, k: u64, n: u64) -> Result<KernelEstimate, ArchError> {
        let kernel = Kernel::Gemm { m, k, n };
        kernel.check_nonzero(UNIT)?;
        let class = if m == 1 {
            KernelClass::Gemv
        } else {
            KernelClass::Gemm
        };
        let mapping = self.map(k, n);
        let steps = u64::from(self.input_steps());
        let cpw = u64::from(self.cells_per_weight());
        let active = u64::from(self.active_rows);
        let in_bits = u64::from(self.input_bits);
        let out_bytes = div_ceil(u64::from(self.output_bits), 8);
        let per_round = self.crossbars() as usize;
        let cpt = u64::from(self.crossbars_per_tile);

        let mut c = Counts::default();
        let mut seen_rt = vec![0u64; mapping.row_blocks as usize];
        let mut seen_ct = vec![0u64; mapping.col_blocks as usize];
        let mut stamp_base = 0u64;
        let mut now = 0u64;
        let (mut program_cycles, mut compute_span) = (0u64, 0u64);
        for chunk in mapping.blocks.chunks(per_round.max(1)) {
            // Reprogramming (only when the matrix does not fit at once).
            if mapping.rounds > 1 {
                let start = now;
                let mut link = Link::with_rate(self.noc_bytes_per_kcycle, 1000, 0)?;
                let mut done = now;
                for (i, b) in chunk.iter().enumerate() {
                    let bytes = div_ceil(b.rows * b.weights * u64::from(self.weight_bits), 8);
                    let hops = self.tile_hops(i as u64 / cpt);
                    let arrive = link.transfer(now, bytes).arrive + hops * self.noc_hop_cycles;
                    done = done.max(arrive + b.rows * self.weight_write_cycles_per_row);
                    c.weight_bytes += bytes;
                    c.noc_byte_hops += bytes * hops;
                    c.cells_written += b.rows * b.cols;
                }
                program_cycles += done - start;
                now = done;
            }
            let round_start = now;
            // Per-tile input bytes (one vector), buffer reads and the slowest crossbar.
            let n_tiles = div_ceil(chunk.len() as u64, cpt);
            let mut tiles = Vec::with_capacity(n_tiles as usize);
            for t in 0..n_tiles {
                let lo = (t * cpt) as usize;
                let hi = ((t + 1) * cpt).min(chunk.len() as u64) as usize;
                let blocks = &chunk[lo..hi];
                let mut tile = TileWork {
                    hops: self.tile_hops(t),
                    ..TileWork::default()
                };
                // A row block brings its input slice once per tile, a column block sends
                // one output vector per tile: stamps mark what this tile has seen.
                let stamp = stamp_base + t + 1;
                for b in blocks {
                    let in_bytes = div_ceil(b.rows * in_bits, 8);
                    if seen_rt[b.rt as usize] != stamp {
                        seen_rt[b.rt as usize] = stamp;
                        tile.in_bytes += in_bytes;
                    }
                    if seen_ct[b.ct as usize] != stamp {
                        seen_ct[b.ct as usize] = stamp;
                        tile.out_bytes += b.weights * out_bytes;
                    }
                    tile.buffer_read_bytes += in_bytes;
                    let g = div_ceil(b.rows, active);
                    let a1 = steps * g;
                    tile.t1 = tile.t1.max(self.activations_cycles(a1, b.cols));
                    tile.tm = tile.tm.max(self.activations_cycles(m * a1, b.cols));
                    // Counts.
                    c.activations += m * a1;
                    c.conversions += m * a1 * b.cols;
                    c.dac_ops += m * steps * b.rows;
                    c.cell_activations += m * steps * b.rows * b.cols;
                    if steps > 1 || cpw > 1 || g > 1 {
                        c.shift_adds += m * a1 * b.cols;
                    }
                }
                if tile.in_bytes + tile.out_bytes > self.buffer_bytes {
                    return Err(unsupported(
                        UNIT,
                        class,
                        &format!(
                            "one vector needs {} bytes of inputs and outputs in a tile buffer of {} \
                             bytes; split K or N",
                            tile.in_bytes + tile.out_bytes,
                            self.buffer_bytes
                        ),
                    ));
                }
                tiles.push(tile);
            }
            stamp_base += n_tiles;
            // Input distribution: the distinct input slices of the round are injected once
            // and multicast along the mesh; a tile has its inputs `hops` later.
            let mut inject = Link::with_rate(self.noc_bytes_per_kcycle, 1000, 0)?;
            let mut distinct_in = 0u64;
            for b in chunk {
                if seen_rt[b.rt as usize] != u64::MAX {
                    seen_rt[b.rt as usize] = u64::MAX;
                    distinct_in += div_ceil(b.rows * in_bits, 8);
                }
            }
            let injected = inject.transfer(round_start, distinct_in).arrive;
            let vector_interval = inject.occupancy(distinct_in);
            let mut ready_out = Vec::with_capacity(tiles.len());
            for (i, t) in tiles.iter().enumerate() {
                let first = injected + t.hops * self.noc_hop_cycles;
                let last = first + (m - 1) * vector_interval;
                let buf = div_ceil(t.buffer_read_bytes * 1000, self.buffer_bytes_per_kcycle);
                let done = (first + buf + t.tm.max((m - 1) * buf + t.t1)).max(last + buf + t.t1);
                let first_done = first + buf + t.t1;
                ready_out.push((first_done + t.hops * self.noc_hop_cycles, done, i));
                // Multicast: a tile's slices cross the one link into it; outputs travel
                // `hops` links to tile 0.
                c.noc_byte_hops += m * (t.in_bytes + t.out_bytes * t.hops);
                c.buffer_read_bytes += m * t.buffer_read_bytes;
                c.buffer_write_bytes += m * (t.in_bytes + t.out_bytes);
                compute_span = compute_span.max(done - round_start);
            }
            // Outputs to tile 0, in order of readiness (ties by tile index).
            ready_out.sort_unstable();
            let mut eject = Link::with_rate(self.noc_bytes_per_kcycle, 1000, 0)?;
            let mut end = round_start;
            for (ready, done, i) in ready_out {
                let t = &tiles[i];
                let tr = eject.transfer(ready, m * t.out_bytes);
                let tail = done + t.hops * self.noc_hop_cycles + eject.occupancy(t.out_bytes);
                end = end.max(tr.arrive.max(tail));
            }
            now = end;
        }
        for ct_weights in col_block_weights(&mapping) {
            c.partial_sum_adds += m * (mapping.row_blocks - 1) * ct_weights;
        }
        let cycles = now;
        let time = self.clock.cycles_to_time(cycles);
        let e = &self.energy;
        let energy = energy_report(
            UNIT,
            &[
                ("crossbar_read", c.cell_activations, e.cell_read_pj),
                ("dac", c.dac_ops, e.dac_pj),
                ("adc_conversion", c.conversions, e.adc_conversion_pj),
                ("shift_add", c.shift_adds, e.shift_add_pj),
                ("partial_sum_add", c.partial_sum_adds, e.partial_sum_add_pj),
                (
                    "buffer_read",
                    c.buffer_read_bytes,
                    e.buffer_read_pj_per_byte,
                ),
                (
                    "buffer_write",
                    c.buffer_write_bytes,
                    e.buffer_write_pj_per_byte,
                ),
                ("noc_hop", c.noc_byte_hops, e.noc_pj_per_byte_hop),
                ("cell_write", c.cells_written, e.cell_write_pj),
            ],
            e.leakage_mw,
            time,
        )?;
        let counts = vec![
            ("crossbars_used".to_string(), mapping.blocks.len() as u64),
            ("rounds".to_string(), mapping.rounds),
            ("crossbar_activations".to_string(), c.activations),
            ("adc_conversions".to_string(), c.conversions),
            ("dac_operations".to_string(), c.dac_ops),
            ("cell_activations".to_string(), c.cell_activations),
            ("shift_adds".to_string(), c.shift_adds),
            ("partial_sum_adds".to_string(), c.partial_sum_adds),
            ("buffer_read_bytes".to_string(), c.buffer_read_bytes),
            ("buffer_write_bytes".to_string(), c.buffer_write_bytes),
            ("noc_byte_hops".to_string(), c.noc_byte_hops),
            ("weight_bytes_loaded".to_string(), c.weight_bytes),
            ("cells_written".to_string(), c.cells_written),
        ];
        let mut phases = Vec::new();
        if mapping.rounds > 1 {
            phases.push(Phase {
                name: "weight programming".into(),
                cycles: program_cycles,
                span_cycles: program_cycles,
            });
        }
        phases.push(Phase {
            name: "inputs, crossbar compute and outputs".into(),
            cycles: cycles - program_cycles,
            span_cycles: compute_span,
        });
        Ok(KernelEstimate {
            unit: UNIT.to_string(),
            class,
            fidelity: Fidelity::TileLevel,
            clock: self.clock,
            cycles,
            time,
            energy,
            counts,
            phases,
            useful_ops: m * k * n,
        })
    }
}

fn col_block_weights(mapping: &Mapping) -> impl Iterator<Item = u64> + '_ {
    mapping
        .blocks
        .iter()
        .filter(|b| b.rt == 0)
        .map(|b| b.weights)
}

#[derive(Clone, Copy, Debug, Default)]
struct TileWork {
    hops: u64,
    in_bytes: u64,
    out_bytes: u64,
    buffer_read_bytes: u64,
    /// Slowest crossbar, one vector.
    t1: u64,
    /// Slowest crossbar, all `M` vectors.
    tm: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    activations: u64,
    conversions: u64,
    dac_ops: u64,
    cell_activations: u64,
    shift_adds: u64,
    partial_sum_adds: u64,
    buffer_read_bytes: u64,
    buffer_write_bytes: u64,
    noc_byte_hops: u64,
    weight_bytes: u64,
    cells_written: u64,
}
