//! What a kernel costs ([`KernelEstimate`]) and the trait every platform model implements
//! ([`KernelModel`]); shared by the GPU, CPU and multi-device models.

use std::fmt;

use sim_core::Time;

use super::kernels::KernelRequest;
use crate::ArchError;

/// What bounds a kernel's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bound {
    /// Arithmetic throughput (tensor cores, CUDA cores, SIMD, special-function units).
    Compute,
    /// Bandwidth of DRAM or of the on-chip path to the compute units.
    Memory,
    /// Fixed costs: launch overhead or a dependent chain (the scan's recurrence).
    Latency,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bound::Compute => "compute",
            Bound::Memory => "memory",
            Bound::Latency => "latency",
        })
    }
}

/// Energy of one kernel by cause, joules.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EnergyBreakdown {
    /// Idle (static) power × time.
    pub idle_j: f64,
    /// Dynamic energy of arithmetic (per-operation energy × operations issued).
    pub compute_j: f64,
    /// Dynamic energy of DRAM traffic (per-byte energy × bytes).
    pub memory_j: f64,
}

impl EnergyBreakdown {
    /// `idle_j + compute_j + memory_j`.
    pub fn total_j(&self) -> f64 {
        self.idle_j + self.compute_j + self.memory_j
    }
}

/// The tiling a model chose, for traceability. Meaning per class: GEMM — CTA tile
/// `tile_m × tile_n × tile_k` and split-K factor `split`; GEMV — rows per block in
/// `tile_n`, `split` 1; attention — query rows per block in `tile_m`, key rows per
/// step in `tile_n`, KV splits (flash-decoding) in `split`; other classes — elements or
/// rows per block in `tile_m`. All zero where a model has no tiling (CPU).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tiling {
    /// Rows (or elements) per block.
    pub tile_m: u32,
    /// Columns per block.
    pub tile_n: u32,
    /// Reduction depth per main-loop step.
    pub tile_k: u32,
    /// Split of the reduction (or of the KV sequence) across blocks.
    pub split: u32,
}

/// The cost of one [`KernelRequest`] on one platform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KernelEstimate {
    /// Total time: launch overhead plus the largest of compute, memory and latency terms.
    pub time: Time,
    /// Time the arithmetic would take alone (busiest SM or core, wave-quantised).
    pub compute_time: Time,
    /// Time the memory traffic would take alone (DRAM, or the on-chip path if slower).
    pub memory_time: Time,
    /// Fixed per-kernel overhead included in `time` (all launches of the request).
    pub launch_time: Time,
    /// Waves of thread blocks (`⌈blocks / (SMs × occupancy)⌉`; 1 on a CPU).
    pub waves: u64,
    /// Thread blocks launched (threads on a CPU).
    pub blocks: u64,
    /// Resident blocks per SM (1 on a CPU).
    pub occupancy: u32,
    /// What bounds `time`.
    pub bound: Bound,
    /// Useful operations ([`KernelRequest::flops`]).
    pub flops: f64,
    /// DRAM (HBM/GDDR/DDR) bytes read and written.
    pub bytes_hbm: f64,
    /// Total energy, joules (`energy.total_j()`).
    pub energy_j: f64,
    /// Energy by cause.
    pub energy: EnergyBreakdown,
    /// Whether the dynamic energy was scaled down to keep average power at the TDP.
    pub power_capped: bool,
    /// Kernel launches (2 when dequantisation or a split combine runs separately).
    pub kernels: u32,
    /// The tiling chosen.
    pub tiling: Tiling,
}

impl KernelEstimate {
    /// Achieved operations per second (`flops / time`).
    pub fn achieved_flops_per_s(&self) -> f64 {
        let s = self.time.as_secs_f64();
        if s > 0.0 { self.flops / s } else { 0.0 }
    }
    /// Achieved DRAM bytes per second (`bytes_hbm / time`).
    pub fn achieved_bytes_per_s(&self) -> f64 {
        let s = self.time.as_secs_f64();
        if s > 0.0 { self.bytes_hbm / s } else { 0.0 }
    }
    /// Average power, watts (`energy_j / time`).
    pub fn average_power_w(&self) -> f64 {
        let s = self.time.as_secs_f64();
        if s > 0.0 { self.energy_j / s } else { 0.0 }
    }
}

/// A platform that can estimate kernels (a GPU, a CPU; the mapper and the multi-device
/// helpers take any of them).
pub trait KernelModel {
    /// The platform's name for reports and errors.
    fn name(&self) -> &str;
    /// Estimates `req`, or says why this platform cannot run it.
    fn estimate(&self, req: &KernelRequest) -> Result<KernelEstimate, ArchError>;
}

/// Seconds (real) to [`Time`], rounded up to a whole picosecond; non-finite or negative
/// values give zero, huge ones saturate.
pub(crate) fn secs_to_time(s: f64) -> Time {
    if s.is_finite() && s > 0.0 {
        Time::from_ps((s * 1e12).ceil() as u64)
    } else {
        Time::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_up_to_picoseconds() {
        assert_eq!(secs_to_time(1.5e-12), Time::from_ps(2));
        assert_eq!(secs_to_time(-1.0), Time::ZERO);
        assert_eq!(secs_to_time(f64::NAN), Time::ZERO);
    }
}
