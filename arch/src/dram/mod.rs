//! DRAM and HBM: JEDEC timing presets and the off-chip memory model.
//!
//! **Interim state.** This module currently resolves a `[dram]` section to its preset's
//! peak bandwidth and serves requests with [`crate::memory::IdealMemory`]; the bank-level
//! model (channels, bank groups, row buffers, tRCD/tRP/tCL/…, refresh, FR-FCFS) replaces
//! the body of [`DramSpec::build`] without changing this interface.

use serde::Deserialize;
use sim_core::Time;

use crate::ArchError;
use crate::memory::{IdealMemory, OffChipMemory};
use crate::suggest::closest;

/// The `[dram]` section of a platform: a preset plus overrides.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DramSpec {
    /// Preset name (see [`preset_names`]).
    pub preset: String,
    /// Number of channels (or pseudo-channels for HBM) — overrides the preset.
    pub channels: Option<u32>,
    /// Number of HBM stacks / DIMMs; multiplies channels. Default 1.
    pub stacks: Option<u32>,
}

/// Resolved DRAM parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct DramConfig {
    /// Preset name.
    pub name: String,
    /// Channels in total (all stacks).
    pub channels: u32,
    /// Data bus width per channel, bits.
    pub bus_bits: u32,
    /// Transfer rate per pin, MT/s.
    pub data_rate_mtps: u32,
}

impl DramConfig {
    /// Peak bandwidth = channels × bus bits / 8 × MT/s × 10⁶, bytes per second.
    pub fn peak_bytes_per_s(&self) -> f64 {
        self.channels as f64 * self.bus_bits as f64 / 8.0 * self.data_rate_mtps as f64 * 1e6
    }
}

/// (name, channels per stack, bus bits per channel, MT/s) — JEDEC data rates.
const PRESETS: &[(&str, u32, u32, u32)] = &[
    ("DDR3-1600", 1, 64, 1600),
    ("DDR4-3200", 1, 64, 3200),
    ("LPDDR5-6400", 1, 16, 6400),
    ("HBM2", 8, 128, 2000),
    ("HBM2e", 8, 128, 3200),
    ("HBM3", 16, 64, 6400),
];

/// Names of the DRAM presets.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.0).collect()
}

impl DramSpec {
    /// Resolves the preset and overrides; `key` is the dotted path of this section (for
    /// errors).
    pub fn resolve(&self, key: &str) -> Result<DramConfig, ArchError> {
        let Some(&(name, ch, bits, rate)) = PRESETS.iter().find(|p| p.0 == self.preset) else {
            return Err(ArchError::UnknownName {
                what: format!("DRAM preset at `{key}.preset`"),
                name: self.preset.clone(),
                suggestion: closest(&self.preset, preset_names()),
                valid: preset_names().into_iter().map(String::from).collect(),
            });
        };
        let stacks = self.stacks.unwrap_or(1);
        let channels = self.channels.unwrap_or(ch);
        if stacks == 0 || channels == 0 {
            return Err(ArchError::Invalid {
                key: format!("{key}.channels"),
                message: "channels and stacks must be >= 1".into(),
            });
        }
        Ok(DramConfig {
            name: name.to_string(),
            channels: channels * stacks,
            bus_bits: bits,
            data_rate_mtps: rate,
        })
    }

    /// Builds the memory model for this section.
    pub fn build(&self, key: &str) -> Result<Box<dyn OffChipMemory>, ArchError> {
        let cfg = self.resolve(key)?;
        Ok(Box::new(IdealMemory::new(
            cfg.peak_bytes_per_s() as u64,
            Time::from_ns(50),
            0.0,
        )))
    }
}
