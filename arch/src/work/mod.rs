//! # Dispatch: one interface to every unit
//!
//! A mapper asks every platform the same three questions, whatever its units are — *which
//! units can run this piece of work* ([`Platform::candidate_units`], [`Platform::can_run`]),
//! *what does it cost on that unit* ([`Platform::estimate`]) and *what are the platform's
//! ceilings* ([`Platform::peak`]). The work is platform-agnostic ([`Work`]: shapes and
//! precisions only); the answer is one [`Estimate`] whatever model produced it:
//!
//! | unit | model | classes |
//! |---|---|---|
//! | [`Unit::PeArray`] | [`crate::kernel`] tiles on sim-core (level 2) or roofline (level 3) | gemm, quant_gemm; softmax, elementwise, norm, scan with a bypassable reduction tree (MARCA); attention decomposed |
//! | [`Unit::Nonlinear`] | [`crate::kernel`] vector kernels | softmax, elementwise, norm, scan |
//! | [`Unit::Gpu`], [`Unit::Cpu`] | [`crate::gpu`] / [`crate::cpu`] `KernelModel` | all |
//! | [`Unit::Crossbar`] | [`crate::imc::crossbar`] | gemm, quant_gemm |
//! | [`Unit::AssocProcessor`] | [`crate::imc::assoc`] | integer softmax; add, sub, mul |
//! | [`Unit::Pim`] | [`crate::pim`] bank-level or DPUs | gemm, quant_gemm; add, sub, mul; softmax and decode attention where the device has them |
//!
//! ## Conventions
//! - `Gemm { m, k, n }` is `C[m×n] = A[m×k]·W[k×n]`, `A` the activations, `W` the weights.
//!   A GEMV is a `Gemm` with a small `m`; each backend picks its GEMV path (the GPU its
//!   GEMV kernel for `m ≤` [`crate::gpu::GEMV_MAX_M`] when cheaper, IMC/PIM their GEMV
//!   mapping for `m = 1`).
//! - Precision: [`DType`] (shared with the GPU/CPU models). Units with a fixed datapath
//!   (PE array, nonlinear unit, crossbar, associative processor, PIM) compute in their own
//!   format; when the work asks for another one, the estimate is for the unit's format and
//!   `detail` says so (the traffic is at the unit's width too).
//! - `flops` counts useful operations by the formulas of [`Work::flops`] (a MAC is 2).
//! - Energy lines are `("unit.action", pJ)`; their sum is `energy_pj`.
//!
//! ## Attention on a PE array
//! Decomposed per KV head into `QKᵀ` (a `Gemm` of `g·q_len × head_dim × kv_len`, `g` query
//! heads per KV head stacked as rows), a softmax of `g·q_len` rows of `kv_len` on the
//! platform's preferred vector unit (nonlinear unit, else the PE array in bypass mode) and
//! `PV` (`g·q_len × kv_len × head_dim`), run back to back `batch × kv_heads` times; the
//! scores go through off-chip memory (not fused), and a causal mask is not exploited (the
//! full score matrix is computed). `detail` says so; [`Backend::Parts`] holds the three
//! per-instance estimates.
//!
//! ## Cost
//! Every GPU/CPU/IMC/PIM estimate is closed-form (microseconds). A PE-array level-2
//! estimate builds one sim-core run (tens of µs to ms, by tile count); the DRAM model's
//! fast-path calibration is cached per process ([`crate::dram`]), so only the first
//! estimate per DRAM configuration pays it. Figures: `cargo bench -p arch --bench work`.

mod device;
mod estimate;
mod imc;
mod items;
mod pe;
mod peak;
mod support;

use std::fmt;

use crate::ArchError;
use crate::kernel::{Fidelity as KernelFidelity, GemmTiling};
use crate::pe_array::Dataflow;
use crate::platform::Platform;
use crate::suggest::closest;

pub use crate::gpu::{AttentionShape, Bound, DType};
pub use estimate::{Backend, Estimate, Fidelity};
pub use items::{EwOp, NormKind, Work};
pub use peak::Peaks;

/// Largest work accepted, in iteration points (the product of its dimensions): 2^48, so
/// that no unit model's counts can overflow 64 bits.
pub const MAX_POINTS: u64 = 1 << 48;

/// A compute unit of a platform (a platform section).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// `[pe_array]`: a systolic or reduction-tree array (ASICs, FPGAs).
    PeArray,
    /// `[nonlinear]`: the nonlinear-function (vector) unit.
    Nonlinear,
    /// `[gpu]`: a GPU (one device of a `[system]`).
    Gpu,
    /// `[cpu]`: a CPU.
    Cpu,
    /// `[crossbar]`: analog in-memory-compute crossbars.
    Crossbar,
    /// `[assoc_processor]`: SoftmAP's associative processor.
    AssocProcessor,
    /// `[pim]`: processing in or near DRAM.
    Pim,
}

impl Unit {
    /// Every unit, in the order of [`Platform::units`].
    pub const ALL: [Unit; 7] = [
        Unit::PeArray,
        Unit::Nonlinear,
        Unit::Gpu,
        Unit::Cpu,
        Unit::Crossbar,
        Unit::AssocProcessor,
        Unit::Pim,
    ];

    /// The section name (`pe_array`, `nonlinear`, `gpu`, `cpu`, `crossbar`,
    /// `assoc_processor`, `pim`).
    pub fn name(self) -> &'static str {
        match self {
            Unit::PeArray => "pe_array",
            Unit::Nonlinear => "nonlinear",
            Unit::Gpu => "gpu",
            Unit::Cpu => "cpu",
            Unit::Crossbar => "crossbar",
            Unit::AssocProcessor => "assoc_processor",
            Unit::Pim => "pim",
        }
    }

    /// Parses a section name (case-insensitive; `-` taken as `_`), suggesting the closest.
    pub fn parse(name: &str) -> Result<Unit, ArchError> {
        let norm = name.to_ascii_lowercase().replace('-', "_");
        Unit::ALL
            .into_iter()
            .find(|u| u.name() == norm)
            .ok_or_else(|| ArchError::UnknownName {
                what: "unit".into(),
                name: name.into(),
                suggestion: closest(name, Unit::ALL.iter().map(|u| u.name())),
                valid: Unit::ALL.iter().map(|u| u.name().to_string()).collect(),
            })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Options of [`Platform::estimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstimateOptions {
    /// GEMM tiling on a PE array (default: [`GemmTiling::default_for`]); ignored elsewhere.
    pub tiling: Option<GemmTiling>,
    /// Force a systolic dataflow on a PE array; ignored elsewhere.
    pub dataflow: Option<Dataflow>,
    /// Level 2 (default: tiles on sim-core) or 3 (roofline) on PE arrays and nonlinear
    /// units; units with one model (GPU, CPU, IMC, PIM) use it and say so in `detail`.
    pub fidelity: KernelFidelity,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            tiling: None,
            dataflow: None,
            fidelity: KernelFidelity::TileEvents,
        }
    }
}

impl Platform {
    /// Estimates `work` on `unit`. Errors: [`ArchError::Unsupported`] when the unit is
    /// absent or cannot run the class (naming the class and the units that can), invalid
    /// shapes ([`ArchError::Invalid`]), and the unit model's own errors (a tiling that does
    /// not fit, an SRAM-only platform that cannot hold the operands…). Never panics.
    pub fn estimate(
        &self,
        unit: Unit,
        work: &Work,
        opts: &EstimateOptions,
    ) -> Result<Estimate, ArchError> {
        work.validate()?;
        support::check(self, unit, work)?;
        match unit {
            Unit::PeArray | Unit::Nonlinear => pe::estimate(self, unit, work, opts),
            Unit::Gpu | Unit::Cpu => device::estimate(self, unit, work, opts),
            Unit::Crossbar | Unit::AssocProcessor | Unit::Pim => {
                imc::estimate(self, unit, work, opts)
            }
        }
    }

    /// Whether `unit` is present and runs `work`'s class (a structural check: an estimate
    /// may still fail on a shape-dependent limit, e.g. an SRAM-only platform's capacity).
    pub fn can_run(&self, unit: Unit, work: &Work) -> bool {
        support::check(self, unit, work).is_ok()
    }

    /// The units that can run `work`, preferred first (orders in the table below).
    ///
    /// | class | order |
    /// |---|---|
    /// | gemm, quant_gemm | pe_array, gpu, cpu, crossbar, pim |
    /// | softmax | nonlinear, assoc_processor (integer only), pe_array (tree bypassed), gpu, cpu, pim (softmax unit) |
    /// | elementwise | nonlinear, pe_array (tree bypassed), gpu, cpu, assoc_processor, pim (add, sub, mul) |
    /// | norm | nonlinear, pe_array (tree bypassed), gpu, cpu |
    /// | attention | gpu, pim (decode offload), pe_array (decomposed), cpu |
    /// | scan | gpu, cpu, pe_array (tree bypassed, MARCA), nonlinear |
    pub fn candidate_units(&self, work: &Work) -> Vec<Unit> {
        support::order(self, work)
            .into_iter()
            .filter(|u| self.can_run(*u, work))
            .collect()
    }

    /// The format the PE array computes in (`int8`, `int4`, `fp8`, `fp16`, `fp32`), if it
    /// has one with a [`DType`] name.
    pub fn pe_array_dtype(&self) -> Option<DType> {
        pe::pe_dtype(self)
    }

    /// The first of [`Platform::candidate_units`], or [`ArchError::Unsupported`] naming the
    /// platform, the class and why each of its units cannot run it.
    pub fn preferred_unit(&self, work: &Work) -> Result<Unit, ArchError> {
        if let Some(u) = self.candidate_units(work).first() {
            return Ok(*u);
        }
        let why: Vec<String> = Unit::ALL
            .into_iter()
            .filter(|u| support::present(self, *u))
            .filter_map(|u| support::why_not(self, u, work).map(|r| format!("{}: {r}", u.name())))
            .collect();
        Err(ArchError::Unsupported {
            unit: self.name.clone(),
            class: work.class().into(),
            reason: format!(
                "no unit of this {} platform runs it ({})",
                self.class(),
                if why.is_empty() {
                    "it has no compute units".to_string()
                } else {
                    why.join("; ")
                }
            ),
        })
    }
}
