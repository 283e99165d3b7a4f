//! What a unit answers ([`Estimate`]), the model that produced it ([`Fidelity`]) and the
//! model's own result ([`Backend`]).

use sim_core::Time;

use super::{Bound, Unit};
use crate::kernel::KernelReport;

/// Which model produced an [`Estimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fidelity {
    /// Level 1: a cycle-stepped or bit-level reference.
    CycleStepped,
    /// Level 2: tiles as events on sim-core (PE arrays, nonlinear units).
    TileEvents,
    /// Level 2: closed-form per-tile counts proven against level 1 (IMC, PIM).
    TileLevel,
    /// Level 3: an analytical model (GPU thread-block grids, CPU rooflines with caches).
    Analytical,
    /// Level 3: a roofline (`max(compute at peak, compulsory bytes at peak bandwidth)`).
    Roofline,
}

impl Fidelity {
    /// 1, 2 or 3.
    pub fn level(self) -> u8 {
        match self {
            Fidelity::CycleStepped => 1,
            Fidelity::TileEvents | Fidelity::TileLevel => 2,
            Fidelity::Analytical | Fidelity::Roofline => 3,
        }
    }

    /// The variant's name (`TileEvents`, `Analytical`…), as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::CycleStepped => "CycleStepped",
            Fidelity::TileEvents => "TileEvents",
            Fidelity::TileLevel => "TileLevel",
            Fidelity::Analytical => "Analytical",
            Fidelity::Roofline => "Roofline",
        }
    }
}

/// The unit model's own result, for callers that need more than [`Estimate`]'s fields.
#[derive(Clone, Debug, PartialEq)]
pub enum Backend {
    /// A PE-array or nonlinear-unit kernel ([`crate::kernel`]).
    Kernel(Box<KernelReport>),
    /// A GPU or CPU kernel ([`crate::gpu::KernelModel`]).
    Device(crate::gpu::KernelEstimate),
    /// A crossbar, associative-processor or PIM kernel ([`crate::imc::kernel`]).
    InMemory(Box<crate::imc::kernel::KernelEstimate>),
    /// Work decomposed into parts, each estimated once; `instances` copies of the parts
    /// run back to back (attention on a PE array).
    Parts {
        /// The parts, for one instance.
        parts: Vec<Estimate>,
        /// Copies run one after another.
        instances: u64,
    },
}

/// What one piece of work costs on one unit, whatever model produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The unit that ran it.
    pub unit: Unit,
    /// The work's label ([`super::Work::label`]).
    pub kernel: String,
    /// Total time, ps.
    pub time: Time,
    /// Time the arithmetic alone takes (memory infinitely fast), ps.
    pub compute_time: Time,
    /// Time the off-chip traffic alone takes at peak bandwidth, ps (in-memory units: the
    /// whole time, compute and access coincide).
    pub memory_time: Time,
    /// Useful operations ([`super::Work::flops`]).
    pub flops: f64,
    /// Off-chip (DRAM/HBM; PIM: the DRAM arrays) bytes read.
    pub dram_bytes_read: u64,
    /// Off-chip bytes written.
    pub dram_bytes_written: u64,
    /// On-chip buffer bytes read and written (global buffer, IMC buffers; 0 where the
    /// model does not count them: GPU, CPU).
    pub onchip_bytes: u64,
    /// Total energy, pJ.
    pub energy_pj: f64,
    /// Energy by `"unit.action"`, pJ (leakage/idle included), in the model's order.
    pub energy: Vec<(String, f64)>,
    /// Which model produced `time`.
    pub fidelity: Fidelity,
    /// What bounds `time`.
    pub bound: Bound,
    /// How the work was run: the model's unit and mode, conversions of format, GEMV
    /// paths, decompositions.
    pub detail: String,
    /// The model's own result.
    pub backend: Backend,
}

impl Estimate {
    /// Seconds (lossy, for reporting).
    pub fn seconds(&self) -> f64 {
        self.time.as_secs_f64()
    }

    /// Achieved operations per second.
    pub fn flops_per_s(&self) -> f64 {
        let s = self.seconds();
        if s > 0.0 { self.flops / s } else { 0.0 }
    }
}
