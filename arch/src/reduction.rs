//! Reduction trees after the PE array (MARCA's reduction-alternative array).
//!
//! A tree sums `fan_in` products with `⌈log2 fan_in⌉` levels of pipelined adders: it
//! accepts one set of `fan_in` products per cycle and returns their sum `depth` cycles
//! later, using `fan_in − 1` adders. With **bypass**, the products leave the PEs directly
//! and the PEs run element-wise operations (MARCA: "the reduction tree is used for linear
//! operations and bypassed for element-wise ones"). With `nonlinear_on_pes` (the default)
//! they also run exp and SiLU, decomposed into multiplies and adds (MARCA's reusable
//! nonlinear function unit, [`crate::nonlinear::ElementwiseOp::pieces`]); without it those
//! functions go to the platform's `[nonlinear]` unit — whole operations there, and inside
//! a fused chain on the PEs (the selective scan's `exp(Δ·A)`) streamed through it beside
//! the PEs' passes ([`crate::kernel::run_vector_chain`]).
//!
//! ## Linear mode through the tree (`linear = true`)
//! Each array row holds `G = C / fan_in` trees; each tree computes one output's `fan_in`-long
//! slice of the reduction dimension per cycle. A GEMM maps weight-stationary with the
//! activation vector broadcast to every row (MARCA's input sharing):
//! `R' = R·G` output columns × `fan_in` reduction elements are held per fold, giving
//! `F = ⌈N / R'⌉ · ⌈K / fan_in⌉` folds. A fold loads its weights row by row (`R` cycles),
//! streams the `M` activation vectors one per cycle, and the last sum leaves the tree
//! `depth` cycles after the last multiply: `L = R + M + depth` cycles. Folds not overlapped:
//! `F · L`; with `fold_overlap`: `L + (F − 1) · max(M, R)` (weights double-buffered).

use serde::Serialize;

use crate::pe_array::{GemmShape, OperandCounts};

/// A validated reduction tree (one per `fan_in` PEs of a row).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReductionTree {
    /// Products summed per tree.
    pub fan_in: u64,
    /// Adder width, bits.
    pub adder_bits: u32,
    /// Linear operations reduce through the tree.
    pub linear: bool,
    /// The tree can be bypassed for element-wise operations.
    pub bypass: bool,
    /// In element-wise mode the PEs also build exp and SiLU from multiplies and adds
    /// (MARCA); when `false` those functions need the platform's nonlinear unit.
    pub nonlinear_on_pes: bool,
    /// One adder operation, pJ.
    pub add_pj: f64,
    /// Leakage of all trees, mW.
    pub leakage_mw: f64,
}

impl ReductionTree {
    /// Adder levels, `⌈log2 fan_in⌉` (0 for a fan-in of 1).
    pub fn depth(&self) -> u64 {
        u64::from(self.fan_in.max(1).next_power_of_two().trailing_zeros())
    }

    /// Adders in one tree, `fan_in − 1`.
    pub fn adders(&self) -> u64 {
        self.fan_in.saturating_sub(1)
    }

    /// Cycles for `n_sums` reductions on `n_trees` pipelined trees: `⌈n/trees⌉ + depth`.
    pub fn reduce_cycles(&self, n_sums: u64, n_trees: u64) -> u64 {
        if n_sums == 0 {
            return 0;
        }
        n_sums.div_ceil(n_trees.max(1)) + self.depth()
    }

    /// Output columns held per fold, `R · C / fan_in`.
    pub fn outputs_per_fold(&self, rows: u64, cols: u64) -> u64 {
        (rows * (cols / self.fan_in.max(1))).max(1)
    }

    /// Folds of a GEMM in tree mode: `⌈N / R'⌉ · ⌈K / fan_in⌉`.
    pub fn gemm_folds(&self, rows: u64, cols: u64, s: GemmShape) -> (u64, u64) {
        (
            s.n.div_ceil(self.outputs_per_fold(rows, cols)),
            s.k.div_ceil(self.fan_in.max(1)),
        )
    }

    /// Compute cycles of a GEMM in tree mode (see the module docs).
    pub fn gemm_cycles(&self, rows: u64, cols: u64, overlap: bool, s: GemmShape) -> u64 {
        let (nf, kf) = self.gemm_folds(rows, cols, s);
        let folds = nf * kf;
        if folds == 0 || s.m == 0 {
            return 0;
        }
        let l = rows + s.m + self.depth();
        if overlap {
            l + (folds - 1) * s.m.max(rows)
        } else {
            folds * l
        }
    }

    /// Buffer accesses of a GEMM in tree mode: A is read once per output fold (broadcast),
    /// B once, partial sums written per reduction fold and read back between them.
    pub fn gemm_accesses(&self, rows: u64, cols: u64, s: GemmShape) -> OperandCounts {
        let (nf, kf) = self.gemm_folds(rows, cols, s);
        OperandCounts {
            a_reads: nf * s.m * s.k,
            b_reads: s.k * s.n,
            c_reads: kf.saturating_sub(1) * s.m * s.n,
            c_writes: kf * s.m * s.n,
            ..Default::default()
        }
    }

    /// Adder operations of a GEMM in tree mode: each output sums `K` products in
    /// `⌈K/fan_in⌉` slices of `k_slice − 1` adds: `M·N·(K − ⌈K/fan_in⌉)`.
    pub fn gemm_adds(&self, s: GemmShape) -> u64 {
        s.m * s.n * (s.k - s.k.div_ceil(self.fan_in.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(fan_in: u64) -> ReductionTree {
        ReductionTree {
            fan_in,
            adder_bits: 32,
            linear: true,
            bypass: true,
            nonlinear_on_pes: true,
            add_pj: 0.1,
            leakage_mw: 0.0,
        }
    }

    #[test]
    fn depth_and_cycles() {
        assert_eq!(tree(1).depth(), 0);
        assert_eq!(tree(2).depth(), 1);
        assert_eq!(tree(16).depth(), 4);
        assert_eq!(tree(17).depth(), 5);
        // 100 sums on 8 trees of fan-in 16: ⌈100/8⌉ = 13 issue cycles + 4 levels.
        assert_eq!(tree(16).reduce_cycles(100, 8), 17);
        // 4×16 array, fan-in 16: R' = 4 outputs, GEMV M=1, K=64, N=8:
        // folds = ⌈8/4⌉·⌈64/16⌉ = 8, each 4 + 1 + 4 = 9 → 72; overlapped 9 + 7·4 = 37.
        let s = GemmShape::new(1, 64, 8);
        assert_eq!(tree(16).gemm_cycles(4, 16, false, s), 72);
        assert_eq!(tree(16).gemm_cycles(4, 16, true, s), 37);
        // Adds: 1·8·(64 − 4) = 480 (each of 8 outputs: 4 slices of 15 adds).
        assert_eq!(tree(16).gemm_adds(s), 480);
    }
}
