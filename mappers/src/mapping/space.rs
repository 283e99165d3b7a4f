//! The mapping space of one matrix product on one PE array: allowed array modes, and
//! candidate tile sizes per dimension.
//!
//! **Candidate tiles.** Along a dimension of size `D` mapped onto an array extent `g`
//! (rows, columns, a tree's fan-in; 1 for the streamed dimension): `D` itself; `g·2^i`
//! below `D` (full folds); and `⌈D/p⌉` rounded up to a multiple of `g` for `p = 2…8`
//! (near-equal splits that waste little at the edge). A streamed dimension (`g = 1`)
//! uses powers of two from 16 instead of `g·2^i`. The sets are sorted and deduplicated,
//! so a larger index is a larger tile: the exhaustive search stops growing a dimension
//! once the working set overflows.

use arch::Platform;
use arch::pe_array::PeArray;
use arch::sram::SramBuffer;

use super::{ArrayMode, DataflowName, Dim, Mapping};
use crate::cost::probe::MemProbe;
use crate::options::DataflowPolicy;
use crate::work::GemmWork;
use crate::{MapError, options::RunOptions};

/// Smallest power-of-two tile tried along a streamed dimension.
pub const MIN_STREAM_TILE: u64 = 16;

/// Splits `⌈D/p⌉` tried for `p` in `2..=MAX_SPLIT`.
pub const MAX_SPLIT: u64 = 8;

/// Everything a PE-array mapping is evaluated against.
#[derive(Clone, Debug)]
pub struct PeCtx<'a> {
    /// The platform.
    pub platform: &'a Platform,
    /// Its PE array as described.
    pub pe: &'a PeArray,
    /// Its global buffer.
    pub buffer: &'a SramBuffer,
    /// The array configured for each allowed mode.
    pub arrays: Vec<(ArrayMode, PeArray)>,
    /// Off-chip memory figures.
    pub mem: MemProbe,
    /// Core clock, Hz.
    pub clock_hz: f64,
    /// Sparse speed-up of linear work (FPGA `effective_macs_factor`, 1 when dense).
    pub sparse: f64,
    /// Buffer bytes reserved for intermediates kept on chip
    /// ([`crate::schedule::buffer`]); tiles use the rest.
    pub reserved: u64,
    /// Tile transfers through the bank-level DRAM model (else at the probed rates).
    pub detailed_dram: bool,
}

impl<'a> PeCtx<'a> {
    /// The context of `p`'s PE array under the run's dataflow policy; errors when the
    /// platform has no PE array or no global buffer.
    pub fn new(p: &'a Platform, mem: MemProbe, opts: &RunOptions) -> Result<PeCtx<'a>, MapError> {
        let pe = p.require_pe_array()?;
        let buffer = p
            .global_buffer
            .as_ref()
            .ok_or_else(|| arch::ArchError::Unsupported {
                unit: p.name.clone(),
                class: "matrix products on its PE array".into(),
                reason: "the platform has no [global_buffer] to stage tiles in".into(),
            })?;
        let native = match pe.linear_mode() {
            arch::pe_array::LinearMode::Tree => ArrayMode::Tree,
            arch::pe_array::LinearMode::Systolic(d) => ArrayMode::Systolic(DataflowName::of(d)),
        };
        let mut modes = vec![native];
        if opts.dataflow == DataflowPolicy::Search && native != ArrayMode::Tree {
            for d in [DataflowName::Os, DataflowName::Ws, DataflowName::Is] {
                if !modes.contains(&ArrayMode::Systolic(d)) {
                    modes.push(ArrayMode::Systolic(d));
                }
            }
        }
        Ok(PeCtx {
            platform: p,
            pe,
            buffer,
            arrays: modes.into_iter().map(|m| (m, m.apply(pe))).collect(),
            mem,
            clock_hz: p.clock.freq_hz() as f64,
            sparse: p.effective_macs_factor().max(1.0),
            reserved: if opts.inter_op_buffering {
                buffer.size_bytes / crate::schedule::buffer::RESERVED_DEN
            } else {
                0
            },
            detailed_dram: opts.dram == crate::options::DramTiming::Detailed,
        })
    }

    /// The array configured for `mode`, if the mode is allowed.
    pub fn array(&self, mode: ArrayMode) -> Option<&PeArray> {
        self.arrays.iter().find(|a| a.0 == mode).map(|a| &a.1)
    }

    /// Accumulator bytes per element.
    pub fn acc_bytes(&self) -> u64 {
        self.pe.acc_bytes()
    }

    /// Bytes a tile may occupy: the buffer less the reserved part, or half of that when
    /// double-buffered.
    pub fn capacity(&self, double_buffered: bool) -> u64 {
        let free = self.buffer.size_bytes.saturating_sub(self.reserved);
        if double_buffered { free / 2 } else { free }
    }

    /// Working set of a `tm × tk × tn` tile: A and B tiles at their stored widths, the
    /// C tile at the accumulator width.
    pub fn working_set(&self, w: &GemmWork, tm: u64, tk: u64, tn: u64) -> u64 {
        w.a_block_bytes(tm, tk) + w.b_block_bytes(tk, tn) + tm * tn * self.acc_bytes()
    }

    /// Array extent a problem dimension maps onto under `mode` (1 when streamed).
    pub fn granularity(&self, mode: ArrayMode, transpose: bool, d: Dim) -> u64 {
        let Some(pe) = self.array(mode) else {
            return 1;
        };
        let m = Mapping {
            mode,
            transpose,
            tile: super::Tile { m: 1, k: 1, n: 1 },
            order: super::LoopOrder::ALL[0],
            double_buffered: false,
        };
        let (r, c, _) = m.spatial();
        match (mode, &pe.reduction_tree) {
            (ArrayMode::Tree, Some(t)) => {
                if d == r {
                    t.fan_in
                } else if d == c {
                    t.outputs_per_fold(pe.rows, pe.cols)
                } else {
                    1
                }
            }
            _ => {
                if d == r {
                    pe.rows
                } else if d == c {
                    pe.cols
                } else {
                    1
                }
            }
        }
    }

    /// Candidate tiles along `d` (see the module docs).
    pub fn candidates(&self, mode: ArrayMode, transpose: bool, d: Dim, size: u64) -> Vec<u64> {
        candidates(size, self.granularity(mode, transpose, d))
    }

    /// Points of the space of `w`: Σ over modes and transpositions of the product of the
    /// candidate counts, × 2 buffering choices × 6 loop orders.
    pub fn space_size(&self, w: &GemmWork) -> u64 {
        let mut n = 0u64;
        for (mode, _) in &self.arrays {
            for t in [false, true] {
                let c = |d, s| self.candidates(*mode, t, d, s).len() as u64;
                n += c(Dim::M, w.m) * c(Dim::K, w.k) * c(Dim::N, w.n);
            }
        }
        n * 2 * super::LoopOrder::ALL.len() as u64
    }
}

/// Candidate tile sizes for a dimension of `size` on an array extent `gran`.
pub fn candidates(size: u64, gran: u64) -> Vec<u64> {
    let size = size.max(1);
    let gran = gran.max(1);
    let mut v = vec![size];
    if size > gran {
        let mut t = if gran == 1 { MIN_STREAM_TILE } else { gran };
        while t < size {
            v.push(t);
            t = t.saturating_mul(2);
        }
        for p in 2..=MAX_SPLIT {
            let s = size.div_ceil(p).div_ceil(gran) * gran;
            if s < size {
                v.push(s);
            }
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}
