//! The `[assoc_processor]` section and its validation.

use serde::Deserialize;
use sim_core::ClockDomain;

use super::numerics::IntSoftmaxParams;
use crate::ArchError;
use crate::imc::kernel::{at_least_one, non_negative, positive};

/// The `[assoc_processor]` section as written in TOML.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssocProcessorSpec {
    /// Words (CAM rows) per array.
    pub words: u64,
    /// Bit columns per word.
    pub word_bits: u64,
    /// Arrays working in parallel.
    pub arrays: u64,
    /// Clock, MHz (default: the platform's).
    pub clock_mhz: Option<f64>,
    /// Cycles per compare pass (default 1).
    pub compare_cycles: Option<u64>,
    /// Cycles per write pass (default 1).
    pub write_cycles: Option<u64>,
    /// Cycles per tag population count.
    pub popcount_cycles: u64,
    /// Load/unload bandwidth per array, bytes per cycle.
    pub io_bytes_per_cycle: u64,
    /// Integer softmax bit width `M` (5..=12).
    pub softmax_bits: u32,
    /// Bits of the incoming softmax scores.
    pub input_bits: u32,
    /// Bits of element-wise operands.
    pub element_bits: u32,
    /// Energy per action; every key optional.
    #[serde(default)]
    pub energy: AssocEnergySpec,
}

/// `[assoc_processor.energy]`. Defaults are first-principles estimates for an SRAM CAM
/// near 16 nm: a compare evaluates one matchline per active word (≈ 1 fJ, after the
/// ≈ 1 fJ/bit/search CAM figures of Pagiamtzis & Sheikholeslami, JSSC 2006, for a key
/// of a few bits); a write drives the written bit lines past every active word (≈ 2 fJ
/// per word); a popcount is an adder tree over the tags (≈ 2 fJ per word); loading and
/// unloading ≈ 0.5 pJ/byte (a small SRAM buffer access, Horowitz ISSCC 2014 scaled).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssocEnergySpec {
    /// Per compare pass per active word, pJ (default 0.001).
    pub compare_pj_per_word: Option<f64>,
    /// Per write pass per active word, pJ (default 0.002).
    pub write_pj_per_word: Option<f64>,
    /// Per popcount per active word, pJ (default 0.002).
    pub popcount_pj_per_word: Option<f64>,
    /// Per byte loaded or unloaded, pJ (default 0.5).
    pub io_pj_per_byte: Option<f64>,
    /// Leakage of the whole unit, mW (default 0).
    pub leakage_mw: Option<f64>,
}

/// Resolved energy table, pJ per action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AssocEnergy {
    /// Per compare per active word.
    pub compare_pj_per_word: f64,
    /// Per write per active word.
    pub write_pj_per_word: f64,
    /// Per popcount per active word.
    pub popcount_pj_per_word: f64,
    /// Per byte of I/O.
    pub io_pj_per_byte: f64,
    /// Leakage, mW.
    pub leakage_mw: f64,
}

/// A validated associative processor.
#[derive(Clone, Debug, PartialEq)]
pub struct AssocProcessor {
    /// Words per array.
    pub words: u64,
    /// Bit columns per word.
    pub word_bits: u64,
    /// Arrays.
    pub arrays: u64,
    /// Clock.
    pub clock: ClockDomain,
    /// Cycles per compare.
    pub compare_cycles: u64,
    /// Cycles per write.
    pub write_cycles: u64,
    /// Cycles per popcount.
    pub popcount_cycles: u64,
    /// I/O bytes per cycle per array.
    pub io_bytes_per_cycle: u64,
    /// Softmax constants.
    pub softmax: IntSoftmaxParams,
    /// Score bits.
    pub input_bits: u32,
    /// Element-wise operand bits.
    pub element_bits: u32,
    /// Energy table.
    pub energy: AssocEnergy,
}

impl AssocProcessorSpec {
    /// Validates the section at `key`; the clock must be in the section.
    pub fn validate(&self, key: &str) -> Result<AssocProcessor, ArchError> {
        self.validate_with_clock(key, None)
    }

    /// As [`AssocProcessorSpec::validate`], falling back to the platform's clock.
    pub fn validate_with_clock(
        &self,
        key: &str,
        platform_clock_mhz: Option<f64>,
    ) -> Result<AssocProcessor, ArchError> {
        let k = |f: &str| format!("{key}.{f}");
        let mhz = match self.clock_mhz.or(platform_clock_mhz) {
            Some(m) => positive(&k("clock_mhz"), m)?,
            None => {
                return Err(ArchError::Invalid {
                    key: k("clock_mhz"),
                    message: "no clock: set it in the section or the platform's `clock_mhz`".into(),
                });
            }
        };
        let softmax = IntSoftmaxParams::new(self.softmax_bits).map_err(|e| ArchError::Invalid {
            key: k("softmax_bits"),
            message: match e {
                ArchError::Invalid { message, .. } => message,
                other => other.to_string(),
            },
        })?;
        if !(1..=32).contains(&self.input_bits) || self.input_bits < self.softmax_bits - 1 {
            return Err(ArchError::Invalid {
                key: k("input_bits"),
                message: format!(
                    "{} bits: expected {}..=32 (at least softmax_bits - 1)",
                    self.input_bits,
                    self.softmax_bits - 1
                ),
            });
        }
        if !(1..=32).contains(&self.element_bits) {
            return Err(ArchError::Invalid {
                key: k("element_bits"),
                message: format!("{} bits: expected 1..=32", self.element_bits),
            });
        }
        let e = &self.energy;
        let ek = |f: &str| format!("{key}.energy.{f}");
        Ok(AssocProcessor {
            words: at_least_one(&k("words"), self.words)?,
            word_bits: at_least_one(&k("word_bits"), self.word_bits)?,
            arrays: at_least_one(&k("arrays"), self.arrays)?,
            clock: ClockDomain::from_mhz(mhz)?,
            compare_cycles: at_least_one(&k("compare_cycles"), self.compare_cycles.unwrap_or(1))?,
            write_cycles: at_least_one(&k("write_cycles"), self.write_cycles.unwrap_or(1))?,
            popcount_cycles: at_least_one(&k("popcount_cycles"), self.popcount_cycles)?,
            io_bytes_per_cycle: at_least_one(&k("io_bytes_per_cycle"), self.io_bytes_per_cycle)?,
            softmax,
            input_bits: self.input_bits,
            element_bits: self.element_bits,
            energy: AssocEnergy {
                compare_pj_per_word: non_negative(
                    &ek("compare_pj_per_word"),
                    e.compare_pj_per_word.unwrap_or(0.001),
                )?,
                write_pj_per_word: non_negative(
                    &ek("write_pj_per_word"),
                    e.write_pj_per_word.unwrap_or(0.002),
                )?,
                popcount_pj_per_word: non_negative(
                    &ek("popcount_pj_per_word"),
                    e.popcount_pj_per_word.unwrap_or(0.002),
                )?,
                io_pj_per_byte: non_negative(
                    &ek("io_pj_per_byte"),
                    e.io_pj_per_byte.unwrap_or(0.5),
                )?,
                leakage_mw: non_negative(&ek("leakage_mw"), e.leakage_mw.unwrap_or(0.0))?,
            },
        })
    }
}
