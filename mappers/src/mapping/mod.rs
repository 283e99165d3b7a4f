//! Per-operator mapping of matrix products onto a PE array.
//!
//! ## The mapping space
//! A [`Mapping`] of `C[m×n] = A[m×k]·B[k×n]` onto a PE array with a global buffer fixes:
//! - **array mode** ([`ArrayMode`]): a systolic dataflow (output-, weight- or
//!   input-stationary: which operand stays in the PEs) or the reduction-tree mode of a
//!   MARCA-style array;
//! - **spatial unrolling**: which two problem dimensions lie on the array's rows and
//!   columns. The dataflow fixes it up to a transposition: computing `Cᵀ = Bᵀ·Aᵀ`
//!   ([`Mapping::transpose`]) swaps the roles of `m` and `n` (e.g. output-stationary puts
//!   `n` on the rows instead of `m`);
//! - **tiling** to the global buffer ([`Tile`]): `tm × tk × tn` tiles whose working set
//!   (A and B tiles at their stored widths, the C tile at the accumulator width) fits the
//!   buffer — half of it when **double-buffered** ([`Mapping::double_buffered`]: the next
//!   tile loads while the current one computes);
//! - **loop order** of the tile loops ([`LoopOrder`], outermost first): which operand
//!   stays resident between consecutive tiles. An operand is reloaded whenever a loop over
//!   one of its dimensions advances, so its off-chip traffic is its size times the trip
//!   counts of the loops *outside* its innermost loop that it does not depend on; when
//!   `k` is not the innermost loop of C's dimensions, partial sums leave the chip and come
//!   back at the accumulator width.
//!
//! The register level below the buffer is fixed by the array mode (one stationary operand
//! per PE), so the buffer is the only level tiled.
//!
//! ## Search and legality
//! [`space`] enumerates candidate tiles, [`cost`] prices a mapping in closed form (level-1
//! compute cycles from `arch` per tile class, loop-order traffic, energy from the
//! platform's tables), [`search`] picks the best by the objective, [`legality`] rejects
//! mappings that overflow the buffer or do not cover the operator, and [`level2`] runs the
//! winner on `sim-core` (tile events).

pub mod cost;
pub mod legality;
pub mod level2;
pub mod search;
pub mod space;

use std::fmt;

use arch::pe_array::{Dataflow, PeArray};
use serde::Serialize;

/// A problem dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    /// Rows of A and C.
    M,
    /// The reduction dimension.
    K,
    /// Columns of B and C.
    N,
}

impl Dim {
    /// Lower-case letter.
    pub fn letter(self) -> char {
        match self {
            Dim::M => 'm',
            Dim::K => 'k',
            Dim::N => 'n',
        }
    }
}

/// The order of the three tile loops, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LoopOrder(pub [Dim; 3]);

impl LoopOrder {
    /// All six orders; the first (`m, n, k`: output tile resident while `k` streams) is
    /// the one `arch::kernel::run_gemm` uses.
    pub const ALL: [LoopOrder; 6] = [
        LoopOrder([Dim::M, Dim::N, Dim::K]),
        LoopOrder([Dim::N, Dim::M, Dim::K]),
        LoopOrder([Dim::M, Dim::K, Dim::N]),
        LoopOrder([Dim::K, Dim::M, Dim::N]),
        LoopOrder([Dim::N, Dim::K, Dim::M]),
        LoopOrder([Dim::K, Dim::N, Dim::M]),
    ];

    /// Position (0 = outermost) of `d`.
    pub fn position(&self, d: Dim) -> usize {
        self.0.iter().position(|&x| x == d).unwrap_or(0)
    }
}

impl fmt::Display for LoopOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "{}→{}→{}", a.letter(), b.letter(), c.letter())
    }
}

/// How the array computes a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrayMode {
    /// Systolic with a dataflow.
    Systolic(DataflowName),
    /// Through the reduction trees (MARCA's linear mode).
    Tree,
}

/// A dataflow, orderable for use in keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataflowName {
    /// Output-stationary.
    Os,
    /// Weight-stationary.
    Ws,
    /// Input-stationary.
    Is,
}

impl DataflowName {
    /// The `arch` dataflow.
    pub fn dataflow(self) -> Dataflow {
        match self {
            DataflowName::Os => Dataflow::OutputStationary,
            DataflowName::Ws => Dataflow::WeightStationary,
            DataflowName::Is => Dataflow::InputStationary,
        }
    }

    /// From an `arch` dataflow.
    pub fn of(d: Dataflow) -> DataflowName {
        match d {
            Dataflow::OutputStationary => DataflowName::Os,
            Dataflow::WeightStationary => DataflowName::Ws,
            Dataflow::InputStationary => DataflowName::Is,
        }
    }
}

impl ArrayMode {
    /// The array configured for this mode: a systolic mode sets the dataflow and turns a
    /// linear reduction tree off; the tree mode keeps the platform's array.
    pub fn apply(self, pe: &PeArray) -> PeArray {
        let mut p = pe.clone();
        if let ArrayMode::Systolic(d) = self {
            p.dataflow = d.dataflow();
            if let Some(t) = p.reduction_tree.as_mut() {
                t.linear = false;
            }
        }
        p
    }

    /// Short name (`os`, `ws`, `is`, `tree`).
    pub fn name(self) -> &'static str {
        match self {
            ArrayMode::Systolic(d) => d.dataflow().short(),
            ArrayMode::Tree => "tree",
        }
    }

    /// (rows, cols, streamed) problem dimensions in array coordinates (before any
    /// transposition of the problem).
    pub fn spatial(self) -> (Dim, Dim, Dim) {
        match self {
            ArrayMode::Systolic(DataflowName::Os) => (Dim::M, Dim::N, Dim::K),
            ArrayMode::Systolic(DataflowName::Ws) => (Dim::K, Dim::N, Dim::M),
            ArrayMode::Systolic(DataflowName::Is) => (Dim::K, Dim::M, Dim::N),
            // Trees: reduction slices along a row, outputs across trees, M streamed.
            ArrayMode::Tree => (Dim::K, Dim::N, Dim::M),
        }
    }
}

/// A buffer-level tile, in problem coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Tile {
    /// Rows of A and C per tile.
    pub m: u64,
    /// Reduction elements per tile.
    pub k: u64,
    /// Columns of B and C per tile.
    pub n: u64,
}

impl Tile {
    /// The size along `d`.
    pub fn get(&self, d: Dim) -> u64 {
        match d {
            Dim::M => self.m,
            Dim::K => self.k,
            Dim::N => self.n,
        }
    }
}

/// One mapping of a matrix product (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Mapping {
    /// Array mode.
    pub mode: ArrayMode,
    /// Compute `Cᵀ = Bᵀ·Aᵀ`: `m` and `n` swap places on the array.
    pub transpose: bool,
    /// Buffer tile.
    pub tile: Tile,
    /// Tile loop order, outermost first.
    pub order: LoopOrder,
    /// Half the buffer holds the next tile while the other half computes.
    pub double_buffered: bool,
}

impl Mapping {
    /// The problem dimension on the array's rows, on its columns, and the streamed one.
    pub fn spatial(&self) -> (Dim, Dim, Dim) {
        let swap = |d: Dim| match (self.transpose, d) {
            (true, Dim::M) => Dim::N,
            (true, Dim::N) => Dim::M,
            (_, d) => d,
        };
        let (r, c, t) = self.mode.spatial();
        (swap(r), swap(c), swap(t))
    }
}

impl fmt::Display for Mapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, c, t) = self.spatial();
        write!(
            f,
            "{} array, rows←{} cols←{} streamed {}{}; tile m{}×k{}×n{}, loops {}, {}",
            self.mode.name(),
            r.letter(),
            c.letter(),
            t.letter(),
            if self.transpose { " (transposed)" } else { "" },
            self.tile.m,
            self.tile.k,
            self.tile.n,
            self.order,
            if self.double_buffered {
                "double-buffered"
            } else {
                "single-buffered"
            }
        )
    }
}
