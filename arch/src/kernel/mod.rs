//! Kernel simulation at three fidelity levels.
//!
//! * **Level 1** — closed-form compute cycles ([`crate::pe_array::fold_timing`]), proven equal
//!   to the cycle-stepped [`crate::reference`]. Reported as `compute_cycles` (array busy,
//!   memory infinitely fast).
//! * **Level 2** (default) — tiles move DRAM → global buffer → array as events on
//!   `sim-core` ([`pipeline`]); each tile computes for its level-1 cycles; double-buffered
//!   loads overlap compute; off-chip through the platform's [`crate::memory::OffChipMemory`].
//! * **Level 3** — roofline: `max(MACs / PEs at full rate, compulsory bytes / peak bandwidth)`.
//!   Level 2 never beats it (property test).
//!
//! Every [`KernelReport`] says which level produced it.

mod chain;
mod gemm;
pub mod pipeline;
mod vector;

use serde::Serialize;
use sim_core::Time;

use crate::pe_array::OperandCounts;

pub use chain::{
    VectorChain, run_elementwise, run_elementwise_on, run_vector_chain, vector_elem_bytes,
};
pub use gemm::{GemmOptions, GemmTiling, roofline_gemm, run_gemm, run_gemv};
pub use vector::{VectorUnit, run_softmax, run_softmax_on};

/// Which model produced a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Fidelity {
    /// Level 2: event-driven tiles on sim-core.
    TileEvents,
    /// Level 3: analytical roofline.
    Roofline,
}

impl Fidelity {
    /// 2 or 3.
    pub fn level(self) -> u8 {
        match self {
            Fidelity::TileEvents => 2,
            Fidelity::Roofline => 3,
        }
    }
}

/// One line of an energy breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnergyLine {
    /// Unit (`pe_array`, `global_buffer`, `dram`…).
    pub unit: String,
    /// Action (`mac`, `read`, `leakage`…).
    pub action: String,
    /// Number of actions (0 for leakage).
    pub count: u64,
    /// Energy per action, pJ (0 for leakage).
    pub pj_per_action: f64,
    /// Leakage power, mW (leakage lines only: `pj = leakage_mw × time_ps × 10⁻³`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leakage_mw: Option<f64>,
    /// Time the leakage is counted over, ps (leakage lines only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_ps: Option<u64>,
    /// Energy of the line, pJ.
    pub pj: f64,
}

/// `lines` as `("unit.action", pJ)`, the off-chip memory's actions (every `dram` line but
/// its leakage) folded into one `dram.access` line where the first of them stands, as
/// whole-run estimates and schedules account DRAM energy. Adding the memory's lines in
/// their order repeats the memory model's own sum term by term, so the folded value is
/// exactly the model's total.
pub fn fold_dram_lines(lines: &[EnergyLine]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut access: Option<usize> = None;
    for l in lines {
        if l.unit == "dram" && l.action != "leakage" {
            match access {
                Some(i) => out[i].1 += l.pj,
                None => {
                    access = Some(out.len());
                    out.push(("dram.access".to_string(), l.pj));
                }
            }
        } else {
            out.push((format!("{}.{}", l.unit, l.action), l.pj));
        }
    }
    out
}

/// Builder of energy lines and of their total.
#[derive(Clone, Debug, Default)]
pub(crate) struct Energy {
    lines: Vec<EnergyLine>,
    /// The terms of the total, in order: one per line, except one per memory breakdown
    /// (its total as the memory model computes it).
    terms: Vec<f64>,
}

impl Energy {
    pub(crate) fn action(&mut self, unit: &str, action: &str, count: u64, pj: f64) {
        if count > 0 {
            let line = EnergyLine {
                unit: unit.into(),
                action: action.into(),
                count,
                pj_per_action: pj,
                leakage_mw: None,
                time_ps: None,
                pj: count as f64 * pj,
            };
            self.terms.push(line.pj);
            self.lines.push(line);
        }
    }
    /// Leakage of `mw` over `t` (1 mW · 1 ps = 10⁻³ pJ).
    pub(crate) fn leakage(&mut self, unit: &str, mw: f64, t: Time) {
        if mw > 0.0 {
            let pj = mw * t.as_ps() as f64 * 1e-3;
            self.terms.push(pj);
            self.lines.push(EnergyLine {
                unit: unit.into(),
                action: "leakage".into(),
                count: 0,
                pj_per_action: 0.0,
                leakage_mw: Some(mw),
                time_ps: Some(t.as_ps()),
                pj,
            });
        }
    }
    /// Off-chip memory energy `total_pj` (as the memory model sums it), reported by
    /// action: one line per `(action, count, pJ per action)` of `lines` with a count.
    pub(crate) fn memory(&mut self, unit: &str, lines: &[(&str, u64, f64)], total_pj: f64) {
        if total_pj > 0.0 {
            self.terms.push(total_pj);
            for &(action, count, pj) in lines {
                if count > 0 && pj > 0.0 {
                    self.lines.push(EnergyLine {
                        unit: unit.into(),
                        action: action.into(),
                        count,
                        pj_per_action: pj,
                        leakage_mw: None,
                        time_ps: None,
                        pj: count as f64 * pj,
                    });
                }
            }
        }
    }
    /// The lines and their total, pJ.
    pub(crate) fn finish(self) -> (Vec<EnergyLine>, f64) {
        (self.lines, self.terms.iter().sum())
    }
}

/// The result of simulating one kernel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KernelReport {
    /// Kernel and shape, e.g. `gemm 128x128x128`.
    pub kernel: String,
    /// Platform name.
    pub platform: String,
    /// Unit and mode that ran it, e.g. `pe_array (os)`.
    pub unit: String,
    /// Which model produced `total_cycles`.
    pub fidelity: Fidelity,
    /// 2 or 3.
    pub fidelity_level: u8,
    /// Level-1 compute cycles: the unit busy with memory infinitely fast, cycles.
    pub compute_cycles: u64,
    /// Cycles with the memory hierarchy (level 2 or 3), cycles of the core clock.
    pub total_cycles: u64,
    /// Simulated time, ps.
    pub total_ps: u64,
    /// Simulated time, s.
    pub seconds: f64,
    /// Useful operations ÷ (lanes × total cycles); for linear kernels the lanes include the
    /// platform's sparse factor ([`crate::Platform::effective_macs_factor`]).
    pub utilization: f64,
    /// Multiply-accumulates (GEMM/GEMV).
    pub macs: u64,
    /// Element operations (element-wise, softmax).
    pub elements: u64,
    /// Global-buffer reads and writes per operand, elements.
    pub sram: OperandCounts,
    /// Global-buffer bytes read.
    pub sram_bytes_read: u64,
    /// Global-buffer bytes written.
    pub sram_bytes_written: u64,
    /// Off-chip bytes read.
    pub dram_bytes_read: u64,
    /// Off-chip bytes written.
    pub dram_bytes_written: u64,
    /// Tiles simulated (level 2).
    pub tiles: u64,
    /// Tiling used (GEMM/GEMV).
    pub tiling: Option<GemmTiling>,
    /// Level-3 bound on the same kernel, cycles.
    pub roofline_cycles: u64,
    /// Energy by unit and action.
    pub energy: Vec<EnergyLine>,
    /// Total energy, pJ.
    pub energy_pj: f64,
}
