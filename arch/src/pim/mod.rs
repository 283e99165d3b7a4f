//! Processing in or near DRAM: bank-level PIM and DIMM-level DPUs.
//!
//! The `[pim]` section picks its level with a tag:
//!
//! * `level = "bank"` — [`bank`]: a processing unit per bank (or bank pair) streaming its
//!   banks in all-bank mode (Samsung HBM-PIM / Aquabolt-XL, SK hynix GDDR6-AiM, AttAcc's
//!   HBM3-PIM), with an optional [`attention`] offload configuration;
//! * `level = "dpu"` — [`dpu`]: general-purpose cores on DIMMs (UPMEM).
//!
//! Both answer [`crate::imc::kernel::Kernel`]s with
//! [`crate::imc::kernel::KernelEstimate`]s, like the IMC units.
//!
//! ```
//! use arch::imc::kernel::Kernel;
//! use arch::pim::PimSpec;
//! let spec: PimSpec = toml::from_str(r#"
//!     level = "dpu"
//!     dimms = 1
//!     dpus_per_dimm = 128
//!     dpu_clock_mhz = 350.0
//!     mram_mb_per_dpu = 64.0
//!     wram_kb = 64
//!     mram_mb_per_s = 628.23
//!     int32_add_mops = 58.56
//!     int32_mul_mops = 10.27
//!     float_add_mops = 4.91
//!     float_mul_mops = 1.91
//!     element_bits = 32
//!     datatype = "int"
//!     host_to_dpu_gb_per_s = 6.68
//!     dpu_to_host_gb_per_s = 4.74
//!     launch_us = 10.0
//! "#).unwrap();
//! let pim = spec.validate("pim").unwrap();
//! assert!((pim.internal_bytes_per_s() - 128.0 * 628.23e6).abs() < 1.0);
//! let err = pim.estimate(&Kernel::Softmax { rows: 1, len: 8 }).unwrap_err();
//! assert!(err.to_string().contains("cannot run softmax"));
//! //! ```

pub mod attention;
pub mod bank;
pub mod dpu;

use serde::Deserialize;

use crate::ArchError;
use crate::imc::kernel::{Kernel, KernelEstimate};

pub use crate::imc::kernel::{AttentionShape, KernelClass};

/// The `[pim]` section: bank-level PIM or DIMM-level DPUs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "level")]
pub enum PimSpec {
    /// `level = "bank"`.
    #[serde(rename = "bank")]
    Bank(bank::BankPimSpec),
    /// `level = "dpu"`.
    #[serde(rename = "dpu")]
    Dpu(dpu::DpuPimSpec),
}

/// A validated PIM/NDP system.
#[derive(Clone, Debug, PartialEq)]
pub enum Pim {
    /// Bank-level PIM.
    Bank(bank::BankPim),
    /// DIMM-level DPUs.
    Dpu(dpu::DpuPim),
}

impl PimSpec {
    /// Validates the section at `key` (e.g. `"pim"`).
    pub fn validate(&self, key: &str) -> Result<Pim, ArchError> {
        Ok(match self {
            PimSpec::Bank(b) => Pim::Bank(b.validate(key)?),
            PimSpec::Dpu(d) => Pim::Dpu(d.validate(key)?),
        })
    }
}

impl Pim {
    /// Estimates a kernel (unsupported classes are [`ArchError::Unsupported`]).
    pub fn estimate(&self, kernel: &Kernel) -> Result<KernelEstimate, ArchError> {
        match self {
            Pim::Bank(b) => b.estimate(kernel),
            Pim::Dpu(d) => d.estimate(kernel),
        }
    }

    /// Internal (memory-to-processing-unit) bandwidth, bytes/s.
    pub fn internal_bytes_per_s(&self) -> f64 {
        match self {
            Pim::Bank(b) => b.internal_bytes_per_s(),
            Pim::Dpu(d) => d.internal_bytes_per_s(),
        }
    }
}

/// The PIM presets: `(name, whole platform TOML)`, embedded at build time.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("pim-aimx", include_str!("../../presets/pim/pim-aimx.toml")),
        (
            "pim-hbm-pim",
            include_str!("../../presets/pim/pim-hbm-pim.toml"),
        ),
        (
            "pim-attacc",
            include_str!("../../presets/pim/pim-attacc.toml"),
        ),
        (
            "pim-upmem",
            include_str!("../../presets/pim/pim-upmem.toml"),
        ),
    ]
}
