//! The `[cpu]` section ([`CpuSpec`]) and the validated [`Cpu`].
//!
//! Rates are per core per clock, a multiply-add counting 2: `simd_ops_per_clk_per_core`
//! by format (its `fp32` entry must equal `simd_bits/32 × 2 × fma_units_per_core`, so the
//! table cannot drift from the widths), and `matrix_ops_per_clk_per_core` for matrix
//! engines (Intel AMX). Peaks use `base_clock_mhz`: AVX-512 and AMX code runs near the
//! base clock under all-core load.

use serde::Deserialize;

use crate::ArchError;
use crate::gpu::{DType, TensorRates};

/// The `[cpu.efficiency]` table (all optional; defaults are this module's constants).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CpuEfficiencySpec {
    /// Fraction of the SIMD peak a tuned GEMM (MKL, OpenBLAS, Accelerate) sustains (0–1].
    pub simd: Option<f64>,
    /// Fraction of the matrix-engine (AMX) peak sustained (0–1].
    pub matrix: Option<f64>,
    /// Fraction of peak DRAM bandwidth all cores reach on streams (0–1].
    pub mem_bandwidth: Option<f64>,
    /// Fixed cost per kernel (parallel-region fork and join), microseconds (≥ 0).
    pub overhead_us: Option<f64>,
    /// Latency of one step of a sequential recurrence, cycles (≥ 0).
    pub scan_step_cycles: Option<f64>,
}

/// Default SIMD GEMM efficiency: 0.8 (optimised BLAS SGEMM typically reaches 80–90 % of
/// the FMA peak on server cores; estimate).
pub const DEFAULT_SIMD_EFFICIENCY: f64 = 0.8;
/// Default AMX efficiency: 0.6 (estimate: AMX tiles are fed from L1/L2 and reach well
/// under peak on real shapes; a calibration parameter).
pub const DEFAULT_MATRIX_EFFICIENCY: f64 = 0.6;
/// Default DRAM efficiency: 0.8 (STREAM triad on multi-channel DDR servers typically
/// reaches 75–85 % of peak; estimate).
pub const DEFAULT_CPU_MEM_EFFICIENCY: f64 = 0.8;
/// Default per-kernel overhead: 5 µs (OpenMP parallel-region fork/join on tens of cores;
/// estimate).
pub const DEFAULT_OVERHEAD_US: f64 = 5.0;
/// Default recurrence step: 4 cycles (one dependent FMA).
pub const DEFAULT_CPU_SCAN_STEP_CYCLES: f64 = 4.0;

/// The `[cpu]` section as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CpuSpec {
    /// Microarchitecture, for reports (`"Ice Lake-SP"`).
    pub architecture: Option<String>,
    /// Cores (one thread each in the model).
    pub cores: u32,
    /// Cores that run kernels at the rates below (default: all); lets big.LITTLE parts
    /// count only their big cores.
    pub compute_cores: Option<u32>,
    /// Base clock, MHz (the clock of the peaks).
    pub base_clock_mhz: f64,
    /// All-core turbo, MHz (informational).
    pub all_core_turbo_mhz: Option<f64>,
    /// SIMD register width, bits (512 AVX-512, 256 AVX2, 128 NEON).
    pub simd_bits: u32,
    /// SIMD FMA pipes per core.
    pub fma_units_per_core: u32,
    /// SIMD operations per clock per core by format.
    pub simd_ops_per_clk_per_core: TensorRates,
    /// Matrix-engine (AMX) operations per clock per core by format.
    pub matrix_ops_per_clk_per_core: Option<TensorRates>,
    /// L1 data cache per core, bytes.
    pub l1d_bytes_per_core: u64,
    /// L2 per core, bytes.
    pub l2_bytes_per_core: u64,
    /// Last-level cache (L3 / system-level cache), bytes in all.
    pub llc_bytes: u64,
    /// LLC bandwidth per core, bytes per clock.
    pub llc_bytes_per_clk_per_core: f64,
    /// DRAM technology (`"DDR4-3200"`).
    pub mem_kind: String,
    /// DRAM channels (informational).
    pub mem_channels: Option<u32>,
    /// DRAM capacity, bytes.
    pub mem_capacity_bytes: u64,
    /// Peak DRAM bandwidth, bytes/s.
    pub mem_bytes_per_s: f64,
    /// DRAM energy, pJ per byte.
    pub mem_pj_per_byte: f64,
    /// Package power limit (TDP), watts.
    pub tdp_w: f64,
    /// Idle package power, watts.
    pub idle_w: f64,
    /// Calibration parameters.
    #[serde(default)]
    pub efficiency: CpuEfficiencySpec,
}

/// Resolved efficiency parameters (meanings as in [`CpuEfficiencySpec`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CpuEfficiency {
    /// SIMD GEMM fraction.
    pub simd: f64,
    /// AMX fraction.
    pub matrix: f64,
    /// DRAM fraction.
    pub mem_bandwidth: f64,
    /// Per-kernel overhead, µs.
    pub overhead_us: f64,
    /// Recurrence step, cycles.
    pub scan_step_cycles: f64,
}

/// A validated CPU.
#[derive(Clone, Debug, PartialEq)]
pub struct Cpu {
    pub(crate) name: String,
    pub(crate) spec: CpuSpec,
    pub(crate) eff: CpuEfficiency,
    pub(crate) clock_hz: f64,
    pub(crate) compute_cores: u32,
}

fn bad(key: &str, field: &str, message: String) -> ArchError {
    ArchError::Invalid {
        key: format!("{key}.{field}"),
        message,
    }
}

impl CpuSpec {
    /// Validates this section; `key_path` prefixes error keys.
    pub fn validate(&self, key_path: &str) -> Result<Cpu, ArchError> {
        let k = key_path;
        for (field, v) in [
            ("cores", u64::from(self.cores)),
            ("simd_bits", u64::from(self.simd_bits)),
            ("fma_units_per_core", u64::from(self.fma_units_per_core)),
            ("mem_capacity_bytes", self.mem_capacity_bytes),
            ("llc_bytes", self.llc_bytes),
        ] {
            if v == 0 {
                return Err(bad(k, field, "must be >= 1, got 0".into()));
            }
        }
        for (field, v) in [
            ("base_clock_mhz", self.base_clock_mhz),
            (
                "llc_bytes_per_clk_per_core",
                self.llc_bytes_per_clk_per_core,
            ),
            ("mem_bytes_per_s", self.mem_bytes_per_s),
            ("tdp_w", self.tdp_w),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(k, field, format!("must be a positive number, got {v}")));
            }
        }
        for (field, v) in [
            ("mem_pj_per_byte", self.mem_pj_per_byte),
            ("idle_w", self.idle_w),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(k, field, format!("must be >= 0, got {v}")));
            }
        }
        let compute_cores = self.compute_cores.unwrap_or(self.cores);
        if compute_cores == 0 || compute_cores > self.cores {
            return Err(bad(
                k,
                "compute_cores",
                format!("must be in 1..={} (cores), got {compute_cores}", self.cores),
            ));
        }
        let lanes = f64::from(self.simd_bits) / 32.0 * 2.0 * f64::from(self.fma_units_per_core);
        match self.simd_ops_per_clk_per_core.fp32 {
            Some(v) if (v - lanes).abs() < 1e-9 => {}
            other => {
                return Err(bad(
                    k,
                    "simd_ops_per_clk_per_core.fp32",
                    format!(
                        "must equal simd_bits/32 × 2 × fma_units_per_core = {lanes}, got {other:?}"
                    ),
                ));
            }
        }
        for d in DType::ALL {
            if let Some(v) = self.simd_ops_per_clk_per_core.get(d)
                && !(v.is_finite() && v > 0.0)
            {
                return Err(bad(
                    k,
                    &format!("simd_ops_per_clk_per_core.{d}"),
                    format!("must be > 0, got {v}"),
                ));
            }
            if let Some(v) = self
                .matrix_ops_per_clk_per_core
                .as_ref()
                .and_then(|m| m.get(d))
                && !(v.is_finite() && v > 0.0)
            {
                return Err(bad(
                    k,
                    &format!("matrix_ops_per_clk_per_core.{d}"),
                    format!("must be > 0, got {v}"),
                ));
            }
        }
        let mem_w = self.mem_bytes_per_s * self.mem_pj_per_byte * 1e-12;
        if self.idle_w + mem_w >= self.tdp_w {
            return Err(bad(
                k,
                "tdp_w",
                format!(
                    "tdp_w ({}) must exceed idle_w ({}) plus DRAM power at peak bandwidth ({mem_w:.1} W)",
                    self.tdp_w, self.idle_w
                ),
            ));
        }
        let e = &self.efficiency;
        let ek = format!("{k}.efficiency");
        let eff = CpuEfficiency {
            simd: e.simd.unwrap_or(DEFAULT_SIMD_EFFICIENCY),
            matrix: e.matrix.unwrap_or(DEFAULT_MATRIX_EFFICIENCY),
            mem_bandwidth: e.mem_bandwidth.unwrap_or(DEFAULT_CPU_MEM_EFFICIENCY),
            overhead_us: e.overhead_us.unwrap_or(DEFAULT_OVERHEAD_US),
            scan_step_cycles: e.scan_step_cycles.unwrap_or(DEFAULT_CPU_SCAN_STEP_CYCLES),
        };
        for (field, v) in [
            ("simd", eff.simd),
            ("matrix", eff.matrix),
            ("mem_bandwidth", eff.mem_bandwidth),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return Err(bad(&ek, field, format!("must be in (0, 1], got {v}")));
            }
        }
        for (field, v) in [
            ("overhead_us", eff.overhead_us),
            ("scan_step_cycles", eff.scan_step_cycles),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(&ek, field, format!("must be >= 0, got {v}")));
            }
        }
        Ok(Cpu {
            name: self.architecture.clone().unwrap_or_else(|| k.to_string()),
            spec: self.clone(),
            eff,
            clock_hz: self.base_clock_mhz * 1e6,
            compute_cores,
        })
    }
}

impl Cpu {
    /// Renames the CPU (the platform's `name`).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    /// The section as written.
    pub fn spec(&self) -> &CpuSpec {
        &self.spec
    }
    /// Resolved efficiency parameters.
    pub fn efficiency(&self) -> &CpuEfficiency {
        &self.eff
    }
    /// Cores that run kernels.
    pub fn compute_cores(&self) -> u32 {
        self.compute_cores
    }
    /// Clock of the peaks, Hz.
    pub fn clock_hz(&self) -> f64 {
        self.clock_hz
    }
    fn scale(&self, per_core: f64) -> f64 {
        per_core * f64::from(self.compute_cores) * self.clock_hz
    }
    /// Peak SIMD rate for `d`, ops/s (none if the table has no entry).
    pub fn simd_peak_ops(&self, d: DType) -> Option<f64> {
        self.spec
            .simd_ops_per_clk_per_core
            .get(d)
            .map(|r| self.scale(r))
    }
    /// Peak matrix-engine rate for `d`, ops/s.
    pub fn matrix_peak_ops(&self, d: DType) -> Option<f64> {
        self.spec
            .matrix_ops_per_clk_per_core
            .as_ref()
            .and_then(|m| m.get(d))
            .map(|r| self.scale(r))
    }
    /// The unit and peak a GEMM in `d` uses, with its efficiency: the matrix engine if it
    /// has `d`, else SIMD in `d`, else SIMD in FP32 (operands converted).
    pub fn gemm_peak(&self, d: DType) -> (f64, f64) {
        if let Some(p) = self.matrix_peak_ops(d) {
            (p, self.eff.matrix)
        } else if let Some(p) = self.simd_peak_ops(d) {
            (p, self.eff.simd)
        } else {
            (self.scale(self.lane_ops_per_clk()) * 2.0, self.eff.simd)
        }
    }
    /// FP32 SIMD lane operations per clock per core (an FMA is one): `simd_bits/32 ×
    /// fma_units`.
    pub fn lane_ops_per_clk(&self) -> f64 {
        f64::from(self.spec.simd_bits) / 32.0 * f64::from(self.spec.fma_units_per_core)
    }
    /// Peak DRAM bandwidth, bytes/s.
    pub fn mem_bytes_per_s(&self) -> f64 {
        self.spec.mem_bytes_per_s
    }
    /// Achievable DRAM bandwidth, bytes/s.
    pub fn achievable_mem_bytes_per_s(&self) -> f64 {
        self.spec.mem_bytes_per_s * self.eff.mem_bandwidth
    }
    /// LLC bandwidth of the compute cores, bytes/s.
    pub fn llc_bytes_per_s(&self) -> f64 {
        self.scale(self.spec.llc_bytes_per_clk_per_core)
    }
    /// Dynamic power budget, watts: `tdp − idle − DRAM power at peak bandwidth`.
    pub fn compute_power_w(&self) -> f64 {
        self.spec.tdp_w
            - self.spec.idle_w
            - self.spec.mem_bytes_per_s * self.spec.mem_pj_per_byte * 1e-12
    }
}
