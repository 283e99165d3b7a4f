//! The systolic PE array: dataflows, folds and the closed-form compute cycles of a GEMM.
//!
//! **GEMM convention.** `C[M×N] = A[M×K] · B[K×N]`; `A` holds the activations (SCALE-Sim's
//! ifmap operand matrix, `M` = output pixels, `K` = window), `B` the weights (filter
//! matrix, `N` = filters). A GEMM given to SCALE-Sim v2 as `M, N, K` becomes exactly these
//! matrices (`topology_utils.py`, `load_arrays_gemm`).
//!
//! ## Mapping (SCALE-Sim v2, `scalesim/compute/systolic_compute_{os,ws,is}.py`, `set_params`)
//! Each dataflow maps two GEMM dimensions onto space — `Sr` onto the `R` array rows and
//! `Sc` onto the `C` columns — and one onto time, `T`:
//!
//! | dataflow | `Sr` (rows) | `Sc` (cols) | `T` (time) | stationary in the PEs |
//! | --- | --- | --- | --- | --- |
//! | output-stationary `os` | M | N | K | the C tile (accumulators) |
//! | weight-stationary `ws` | K | N | M | a B tile |
//! | input-stationary `is` | K | M | N | an A tile (transposed) |
//!
//! **Folds.** When `Sr > R` or `Sc > C` the work is cut into `⌈Sr/R⌉ · ⌈Sc/C⌉` folds (column
//! folds outer, row folds inner, as SCALE-Sim's loops). A partial fold at an edge is padded
//! with null requests to the full array (SCALE-Sim's `-1` entries) and takes as long as a
//! full one.
//!
//! ## Cycles per fold (the rows of SCALE-Sim's demand matrices)
//! * `os`: `R + C + T − 2` — operands enter skewed from the left and top edges; PE `(r, c)`
//!   does its `k`-th MAC at cycle `r + c + k`, so the last MAC of the far corner ends cycle
//!   `(R−1) + (C−1) + (T−1)`. The ifmap demand is `T` rows plus `C−1` gap rows, skewed over
//!   `R` columns (`create_ifmap_demand_mat`).
//! * `ws`, `is`: `2R + C + T − 2` — `R` cycles to shift the stationary tile in (the
//!   `inter_fold_gap_prefix` of `arr_row` rows), then `T` streamed rows skewed over `R` rows
//!   with partial sums flowing down and the `C − 1` column skew (`inter_fold_gap_suffix`).
//!
//! **Folds not overlapped** (default, SCALE-Sim): `compute_cycles = F · L` with `F` folds
//! and `L` the per-fold cycles above.
//!
//! **`fold_overlap = true`** (Silica's option): fold `f+1` enters the array edge `Δ`
//! cycles after fold `f`, so the fill/drain skew is paid once:
//! `compute_cycles = L + (F − 1) · Δ`, with `Δ = T` for `os` (the accumulated outputs
//! leave through a shadow register, untimed as in SCALE-Sim v2) and `Δ = max(T, R)` for
//! `ws`/`is` (the next stationary tile shifts through a separate chain register into a
//! shadow register while the current fold streams; it needs `R` cycles).
//! [`crate::reference`] moves operands PE to PE under exactly these rules and a property
//! test checks equality on random shapes.
//!
//! ## Deliberate differences from SCALE-Sim v2
//! * SCALE-Sim v2 reports "Compute cycles" as the index of the last demand row
//!   (`double_buffered_scratchpad_mem.py`: `total_cycles = ofmap_serviced_cycles[-1]`), one
//!   less than the number of rows (issue scalesim-project/SCALE-Sim#125); Silica counts
//!   cycles, `F · L`.
//! * `os` in v2 does not time the drain of the accumulated outputs (the ISPASS'20 paper's
//!   `2R + C + T − 2`; scale-sim-v3 issue #4): Silica follows the v2 code, `R + C + T − 2`.
//! * Output SRAM writes: v2's `os` adds `R + C` extra "writes" per fold; Silica counts
//!   `M·N`. Silica also counts partial-sum reads of `ws`/`is` (`(⌈K/R⌉ − 1)·M·N`) that v2
//!   omits.

use serde::{Deserialize, Serialize};

use crate::ArchError;
use crate::reduction::ReductionTree;
use crate::suggest::closest;
use crate::tech::Arithmetic;

/// Systolic dataflow of a PE array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Dataflow {
    /// Outputs stay in the PEs; A and B stream (`"os"`).
    #[serde(rename = "os")]
    OutputStationary,
    /// Weights (B) stay in the PEs; A streams, partial sums flow down (`"ws"`).
    #[serde(rename = "ws")]
    WeightStationary,
    /// Inputs (A) stay in the PEs; B streams, partial sums flow down (`"is"`).
    #[serde(rename = "is")]
    InputStationary,
}

impl Dataflow {
    /// All dataflows.
    pub const ALL: [Dataflow; 3] = [
        Dataflow::OutputStationary,
        Dataflow::WeightStationary,
        Dataflow::InputStationary,
    ];

    /// The TOML/CLI name: `os`, `ws` or `is`.
    pub fn short(self) -> &'static str {
        match self {
            Dataflow::OutputStationary => "os",
            Dataflow::WeightStationary => "ws",
            Dataflow::InputStationary => "is",
        }
    }

    /// Parses `os`, `ws` or `is` (case-insensitive), suggesting the closest on error.
    pub fn parse(s: &str) -> Result<Self, ArchError> {
        let l = s.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.short() == l)
            .ok_or_else(|| ArchError::UnknownName {
                what: "dataflow".into(),
                name: s.to_string(),
                suggestion: closest(s, ["os", "ws", "is"]),
                valid: vec!["os".into(), "ws".into(), "is".into()],
            })
    }

    /// SCALE-Sim's `(Sr, Sc, T)` for `shape` (see the module docs).
    pub fn map(self, s: GemmShape) -> SpatialMap {
        let (sr, sc, t) = match self {
            Dataflow::OutputStationary => (s.m, s.n, s.k),
            Dataflow::WeightStationary => (s.k, s.n, s.m),
            Dataflow::InputStationary => (s.k, s.m, s.n),
        };
        SpatialMap { sr, sc, t }
    }
}

/// A GEMM `C[M×N] = A[M×K] · B[K×N]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct GemmShape {
    /// Rows of A and C.
    pub m: u64,
    /// Columns of A, rows of B (the reduction dimension).
    pub k: u64,
    /// Columns of B and C.
    pub n: u64,
}

impl GemmShape {
    /// `M × K × N`.
    pub fn new(m: u64, k: u64, n: u64) -> Self {
        GemmShape { m, k, n }
    }
    /// Multiply-accumulates, `M·K·N`.
    pub fn macs(&self) -> u64 {
        self.m.saturating_mul(self.k).saturating_mul(self.n)
    }
}

/// SCALE-Sim's spatio-temporal dimensions of a GEMM for one dataflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SpatialMap {
    /// Spatial extent mapped onto the array rows.
    pub sr: u64,
    /// Spatial extent mapped onto the array columns.
    pub sc: u64,
    /// Temporal extent (streamed).
    pub t: u64,
}

/// Closed-form timing of a GEMM on a systolic array (fidelity level 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FoldTiming {
    /// Dataflow used.
    pub dataflow: Dataflow,
    /// `(Sr, Sc, T)`.
    pub map: SpatialMap,
    /// `⌈Sr / R⌉`.
    pub row_folds: u64,
    /// `⌈Sc / C⌉`.
    pub col_folds: u64,
    /// Per-fold cycles `L`, cycles.
    pub fold_cycles: u64,
    /// Interval between fold starts when folds overlap (`Δ`), cycles; equals `L` otherwise.
    pub fold_interval: u64,
    /// Array busy cycles with memory infinitely fast, cycles.
    pub compute_cycles: u64,
    /// `M·K·N`.
    pub macs: u64,
    /// Mean fraction of PEs mapped over the folds (SCALE-Sim's mapping efficiency).
    pub mapping_efficiency: f64,
}

impl FoldTiming {
    /// Number of folds.
    pub fn folds(&self) -> u64 {
        self.row_folds.saturating_mul(self.col_folds)
    }
}

/// Closed-form compute cycles of `shape` on an `rows × cols` array (see the module docs).
/// A zero dimension gives zero cycles.
pub fn fold_timing(
    rows: u64,
    cols: u64,
    dataflow: Dataflow,
    fold_overlap: bool,
    shape: GemmShape,
) -> FoldTiming {
    let map = dataflow.map(shape);
    let (r, c) = (rows.max(1), cols.max(1));
    let row_folds = map.sr.div_ceil(r);
    let col_folds = map.sc.div_ceil(c);
    let folds = row_folds.saturating_mul(col_folds);
    let (fold_cycles, interval) = match dataflow {
        Dataflow::OutputStationary => (r + c + map.t - 2, map.t),
        _ => (2 * r + c + map.t - 2, map.t.max(r)),
    };
    let empty = folds == 0 || map.t == 0;
    let compute_cycles = if empty {
        0
    } else if fold_overlap {
        fold_cycles.saturating_add((folds - 1).saturating_mul(interval))
    } else {
        folds.saturating_mul(fold_cycles)
    };
    let mapping_efficiency = if empty {
        0.0
    } else {
        (map.sr as f64 * map.sc as f64) / (folds as f64 * r as f64 * c as f64)
    };
    FoldTiming {
        dataflow,
        map,
        row_folds,
        col_folds,
        fold_cycles: if empty { 0 } else { fold_cycles },
        fold_interval: if empty {
            0
        } else if fold_overlap {
            interval
        } else {
            fold_cycles
        },
        compute_cycles,
        macs: shape.macs(),
        mapping_efficiency,
    }
}

/// Element reads and writes of each GEMM operand at the buffer that feeds the array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperandCounts {
    /// A elements read.
    pub a_reads: u64,
    /// A elements written (filled from off-chip).
    pub a_writes: u64,
    /// B elements read.
    pub b_reads: u64,
    /// B elements written.
    pub b_writes: u64,
    /// C (partial-sum) elements read back for accumulation.
    pub c_reads: u64,
    /// C elements written.
    pub c_writes: u64,
}

impl OperandCounts {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &OperandCounts) {
        self.a_reads += o.a_reads;
        self.a_writes += o.a_writes;
        self.b_reads += o.b_reads;
        self.b_writes += o.b_writes;
        self.c_reads += o.c_reads;
        self.c_writes += o.c_writes;
    }
    /// All reads.
    pub fn reads(&self) -> u64 {
        self.a_reads + self.b_reads + self.c_reads
    }
    /// All writes.
    pub fn writes(&self) -> u64 {
        self.a_writes + self.b_writes + self.c_writes
    }
}

/// Buffer reads/writes by the array for `shape` under `dataflow` (SCALE-Sim's
/// `ifmap_reads`/`filter_reads`/`ofmap_writes` per fold: every mapped element is read once
/// per fold that uses it), plus partial-sum read-backs when the reduction dimension folds.
pub fn array_accesses(rows: u64, cols: u64, dataflow: Dataflow, s: GemmShape) -> OperandCounts {
    let t = fold_timing(rows, cols, dataflow, false, s);
    let (mn, mk, kn) = (s.m * s.n, s.m * s.k, s.k * s.n);
    match dataflow {
        Dataflow::OutputStationary => OperandCounts {
            a_reads: t.col_folds * mk,
            b_reads: t.row_folds * kn,
            c_writes: mn,
            ..Default::default()
        },
        Dataflow::WeightStationary => OperandCounts {
            a_reads: t.col_folds * mk,
            b_reads: kn,
            c_reads: t.row_folds.saturating_sub(1) * mn,
            c_writes: t.row_folds * mn,
            ..Default::default()
        },
        Dataflow::InputStationary => OperandCounts {
            a_reads: mk,
            b_reads: t.col_folds * kn,
            c_reads: t.row_folds.saturating_sub(1) * mn,
            c_writes: t.row_folds * mn,
            ..Default::default()
        },
    }
}

/// Energy per action of the PE array, pJ (mW for leakage).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PeEnergy {
    /// One multiply-accumulate (multiply at the operand width + add at the accumulator width).
    pub mac_pj: f64,
    /// One multiply at the operand width.
    pub mul_pj: f64,
    /// One add at the operand width.
    pub add_pj: f64,
    /// One register write of one operand.
    pub reg_access_pj: f64,
    /// Leakage of the whole array, mW.
    pub leakage_mw: f64,
}

/// How linear operations (GEMM, GEMV) use the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LinearMode {
    /// Systolic, with the given dataflow.
    Systolic(Dataflow),
    /// Products reduced by the reduction tree (MARCA's linear mode).
    Tree,
}

/// A validated PE array.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeArray {
    /// PE rows `R`.
    pub rows: u64,
    /// PE columns `C`.
    pub cols: u64,
    /// Systolic dataflow.
    pub dataflow: Dataflow,
    /// Overlap successive folds (see the module docs).
    pub fold_overlap: bool,
    /// Operand width, bits.
    pub operand_bits: u32,
    /// Accumulator width, bits.
    pub acc_bits: u32,
    /// Number format.
    pub arithmetic: Arithmetic,
    /// Input register per PE, bytes.
    pub input_reg_bytes: u64,
    /// Weight register per PE, bytes.
    pub weight_reg_bytes: u64,
    /// Partial-sum register per PE, bytes.
    pub psum_reg_bytes: u64,
    /// Reduction tree after the array, if any.
    pub reduction_tree: Option<ReductionTree>,
    /// Energy table.
    pub energy: PeEnergy,
}

impl PeArray {
    /// Number of PEs.
    pub fn n_pes(&self) -> u64 {
        self.rows * self.cols
    }

    /// Operand size, bytes (rounded up).
    pub fn operand_bytes(&self) -> u64 {
        u64::from(self.operand_bits).div_ceil(8)
    }

    /// Accumulator size, bytes (rounded up).
    pub fn acc_bytes(&self) -> u64 {
        u64::from(self.acc_bits).div_ceil(8)
    }

    /// How linear operations run: through the tree when it is configured for them.
    pub fn linear_mode(&self) -> LinearMode {
        match &self.reduction_tree {
            Some(t) if t.linear => LinearMode::Tree,
            _ => LinearMode::Systolic(self.dataflow),
        }
    }

    /// Whether element-wise operations can run on the PEs (reduction tree bypassable).
    pub fn elementwise_capable(&self) -> bool {
        self.reduction_tree.as_ref().is_some_and(|t| t.bypass)
    }

    /// Whether the PEs in element-wise mode also run exp and SiLU (MARCA's reused
    /// nonlinear function unit): a bypassable tree with `nonlinear_on_pes`.
    pub fn nonlinear_capable(&self) -> bool {
        self.reduction_tree
            .as_ref()
            .is_some_and(|t| t.bypass && t.nonlinear_on_pes)
    }

    /// Closed-form systolic timing of `shape` with this array's dataflow.
    pub fn gemm_timing(&self, shape: GemmShape) -> FoldTiming {
        fold_timing(
            self.rows,
            self.cols,
            self.dataflow,
            self.fold_overlap,
            shape,
        )
    }

    /// Closed-form compute cycles of `shape` in this array's linear mode.
    pub fn linear_cycles(&self, shape: GemmShape) -> u64 {
        match (self.linear_mode(), &self.reduction_tree) {
            (LinearMode::Tree, Some(t)) => {
                t.gemm_cycles(self.rows, self.cols, self.fold_overlap, shape)
            }
            _ => self.gemm_timing(shape).compute_cycles,
        }
    }

    /// Buffer accesses of `shape` in this array's linear mode.
    pub fn linear_accesses(&self, shape: GemmShape) -> OperandCounts {
        match (self.linear_mode(), &self.reduction_tree) {
            (LinearMode::Tree, Some(t)) => t.gemm_accesses(self.rows, self.cols, shape),
            _ => array_accesses(self.rows, self.cols, self.dataflow, shape),
        }
    }

    /// Element-wise mode (tree bypassed): `n` elements each needing `passes` PE operations
    /// take `passes · ⌈n / (R·C)⌉ + 1` cycles — every PE does one multiply or add (or fused
    /// multiply-add) per cycle on operands broadcast to it, and one register stage leaves
    /// through the bypass. Zero elements take zero cycles.
    pub fn elementwise_cycles(&self, n: u64, passes: u64) -> u64 {
        if n == 0 || passes == 0 {
            return 0;
        }
        passes.saturating_mul(n.div_ceil(self.n_pes())) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_derived_cycles() {
        // 128×128 OS, M=K=N=256: folds = 2·2 = 4, each 128+128+256−2 = 510 → 2040.
        let t = fold_timing(
            128,
            128,
            Dataflow::OutputStationary,
            false,
            GemmShape::new(256, 256, 256),
        );
        assert_eq!((t.folds(), t.fold_cycles, t.compute_cycles), (4, 510, 2040));
        // Overlapped: 510 + 3·256 = 1278.
        let t = fold_timing(
            128,
            128,
            Dataflow::OutputStationary,
            true,
            GemmShape::new(256, 256, 256),
        );
        assert_eq!(t.compute_cycles, 1278);
        // 4×4 WS, M=10, K=6, N=5: Sr=K=6 → 2 row folds, Sc=N=5 → 2 col folds, T=M=10;
        // per fold 2·4+4+10−2 = 20 → 80; overlapped 20 + 3·max(10,4) = 50.
        let s = GemmShape::new(10, 6, 5);
        assert_eq!(
            fold_timing(4, 4, Dataflow::WeightStationary, false, s).compute_cycles,
            80
        );
        assert_eq!(
            fold_timing(4, 4, Dataflow::WeightStationary, true, s).compute_cycles,
            50
        );
        // IS: Sr=K=6 → 2, Sc=M=10 → 3, T=N=5: 6 folds × (8+4+5−2 = 15) = 90.
        assert_eq!(
            fold_timing(4, 4, Dataflow::InputStationary, false, s).compute_cycles,
            90
        );
        // The example in SCALE-Sim#125: 4×4 OS, T=4 fits one fold: 4+4+4−2 = 10.
        assert_eq!(
            fold_timing(
                4,
                4,
                Dataflow::OutputStationary,
                false,
                GemmShape::new(4, 4, 4)
            )
            .compute_cycles,
            10
        );
    }

    #[test]
    fn parse_dataflow_suggests() {
        assert_eq!(Dataflow::parse("WS").unwrap(), Dataflow::WeightStationary);
        let e = Dataflow::parse("oss").unwrap_err().to_string();
        assert!(e.contains("did you mean `os`"), "{e}");
    }
}
