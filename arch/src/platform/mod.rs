//! Platforms: TOML hardware descriptions, their validation, and the presets.
//!
//! **Build → validate → use.** Text is parsed into a `toml::Table` (syntax errors carry the
//! line and column), `--set dotted.key=value` overrides are applied to that table
//! ([`crate::overrides::apply_override`]), the result is deserialised into the raw structs of
//! [`raw`] (unknown keys rejected, with the closest valid key suggested), and [`build`]
//! validates them into a [`Platform`], reporting every physical problem at once (zero
//! sizes, frequencies ≤ 0, non-power-of-two banks, a buffer smaller than one tile…).
//! Energy keys left out default from the technology node ([`crate::tech`]).
//!
//! ```
//! use arch::Platform;
//! let p = Platform::load("generic-os-128", &[("pe_array.rows".into(), toml::Value::Integer(64))]).unwrap();
//! assert_eq!(p.pe_array.as_ref().unwrap().rows, 64);
//! let e = Platform::load("generic-os-128", &[("pe_array.rowz".into(), toml::Value::Integer(64))]).unwrap_err();
//! assert!(e.to_string().contains("did you mean `rows`"));
//! ```

mod build;
pub mod locate;
mod peak;
pub mod raw;

use serde::Serialize;
use sim_core::{ClockDomain, Time};
use toml::de::DeTable;

use crate::ArchError;
use crate::cpu::Cpu;
use crate::dram::{DramConfig, DramSpec};
use crate::gpu::Gpu;
use crate::memory::{IdealMemory, OffChipMemory};
use crate::nonlinear::NonlinearUnit;
use crate::overrides::apply_override;
use crate::pe_array::PeArray;
use crate::sram::SramBuffer;
use crate::suggest::closest;
use crate::system::System;
use locate::Locator;

pub use build::{
    ADDER_LEAK_MW_45, NL_LANE_LEAK_MW_45, PE_LEAK_MW_45, REG_PJ_PER_BYTE_45,
    SRAM_LEAK_MW_PER_KIB_45,
};

/// The accelerator presets shipped in `arch/presets/` (embedded, so the binary works
/// anywhere): (name, TOML text). GPU, CPU, IMC and PIM presets come from
/// [`crate::gpu::presets`], [`crate::cpu::presets`], [`crate::imc::presets`] and
/// [`crate::pim::presets`].
const ACCEL_PRESETS: &[(&str, &str)] = &[
    (
        "edgellm-vcu128",
        include_str!("../../presets/edgellm-vcu128.toml"),
    ),
    ("eyeriss", include_str!("../../presets/eyeriss.toml")),
    (
        "flightllm-u280",
        include_str!("../../presets/flightllm-u280.toml"),
    ),
    (
        "flightllm-vhk158",
        include_str!("../../presets/flightllm-vhk158.toml"),
    ),
    ("gaudi2", include_str!("../../presets/gaudi2.toml")),
    (
        "generic-os-128",
        include_str!("../../presets/generic-os-128.toml"),
    ),
    ("groq-576", include_str!("../../presets/groq-576.toml")),
    ("groq-lpu", include_str!("../../presets/groq-lpu.toml")),
    ("groq-node", include_str!("../../presets/groq-node.toml")),
    ("marca", include_str!("../../presets/marca.toml")),
    ("tpu-v1", include_str!("../../presets/tpu-v1.toml")),
];

/// Every preset of every kind: (name, TOML text), sorted by name.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&'static str, &'static str)> = ACCEL_PRESETS
        .iter()
        .chain(crate::gpu::presets())
        .chain(crate::cpu::presets())
        .copied()
        .chain(crate::imc::presets())
        .chain(crate::pim::presets())
        .collect();
    all.sort_by_key(|p| p.0);
    all
}

/// Names of the platform presets, sorted.
pub fn preset_names() -> Vec<&'static str> {
    presets().into_iter().map(|p| p.0).collect()
}

/// The TOML text of preset `name` (exact name, or the same ignoring ASCII case).
pub fn preset_toml(name: &str) -> Option<&'static str> {
    let all = presets();
    all.iter()
        .find(|p| p.0 == name)
        .or_else(|| all.iter().find(|p| p.0.eq_ignore_ascii_case(name)))
        .map(|p| p.1)
}

/// A validated platform: clock, technology, and its units (each optional).
#[derive(Clone, Debug, Serialize)]
pub struct Platform {
    /// Short name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Citations for its numbers.
    pub sources: Vec<String>,
    /// Core clock, MHz (of the accelerator units; for a GPU- or CPU-only platform, the
    /// device's clock).
    pub clock_mhz: f64,
    /// Core clock domain.
    #[serde(skip)]
    pub clock: ClockDomain,
    /// Technology node, nm.
    pub tech_nm: f64,
    /// Energy factor of the node relative to Horowitz's 45 nm.
    pub energy_scale: f64,
    /// Off-chip memory description, if any.
    #[serde(skip)]
    pub dram: Option<DramSpec>,
    /// Its resolved parameters.
    #[serde(skip)]
    pub dram_config: Option<DramConfig>,
    /// Global buffer.
    pub global_buffer: Option<SramBuffer>,
    /// PE array.
    pub pe_array: Option<PeArray>,
    /// Nonlinear-function unit.
    pub nonlinear: Option<NonlinearUnit>,
    /// A GPU.
    #[serde(skip)]
    pub gpu: Option<Gpu>,
    /// A CPU.
    #[serde(skip)]
    pub cpu: Option<Cpu>,
    /// Several devices joined by an interconnect (the device is the `gpu` or `cpu`).
    #[serde(skip)]
    pub system: Option<System>,
    /// Analog in-memory-compute crossbars.
    #[serde(skip)]
    pub crossbar: Option<crate::imc::crossbar::Crossbar>,
    /// An associative processor.
    #[serde(skip)]
    pub assoc_processor: Option<crate::imc::assoc::AssocProcessor>,
    /// Processing in or near memory.
    #[serde(skip)]
    pub pim: Option<crate::pim::Pim>,
    /// FPGA device and budgets ([`crate::fpga`]).
    pub fpga: Option<crate::fpga::Fpga>,
    /// No off-chip memory ([`crate::sram_only`]).
    pub sram_only: Option<crate::sram_only::SramOnly>,
    /// The digital host beside the platform's own units (`[host]`, [`crate::host`]).
    #[serde(skip)]
    pub host: Option<crate::host::Host>,
}

/// Bandwidth of the stand-in memory when a platform has no `[dram]`: effectively infinite
/// (1 PB/s, no latency, no energy).
pub const NO_DRAM_BYTES_PER_S: u64 = 1_000_000_000_000_000;

/// `extends = "<preset>"` at the top of a platform file: the preset's table with the
/// file's keys laid over it — tables merge key by key, any other value (a number, a
/// string, an array) replaces the preset's — so a variant states only what it changes:
///
/// ```toml
/// extends = "marca"
/// name = "marca-no-bypass"
/// [pe_array.reduction_tree]
/// bypass = false
/// [nonlinear]
/// lanes = 64
/// ```
///
/// Removes the key and returns the preset's name (`None` when the file extends nothing).
/// Only presets can be extended, and a preset extends nothing, so there are no chains.
fn extend(table: &mut toml::Table) -> Result<Option<String>, ArchError> {
    let Some(v) = table.remove("extends") else {
        return Ok(None);
    };
    let Some(name) = v.as_str() else {
        return Err(ArchError::Invalid {
            key: "extends".into(),
            message: format!("is {v}; expected the name of a preset (a string)"),
        });
    };
    let Some(base_text) = preset_toml(name) else {
        return Err(ArchError::UnknownName {
            what: "platform preset to extend".into(),
            name: name.into(),
            suggestion: closest(name, preset_names()),
            valid: preset_names().into_iter().map(String::from).collect(),
        });
    };
    let label = format!("<preset {name}>");
    let mut merged: toml::Table =
        toml::from_str(base_text).map_err(|e| locate::syntax_error(&label, base_text, &e))?;
    merge_over(&mut merged, std::mem::take(table));
    *table = merged;
    Ok(Some(name.to_string()))
}

/// Lays `over` onto `base`: tables merge recursively, other values replace.
fn merge_over(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_over(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl Platform {
    /// Loads a preset by name, or a `.toml` file by path, applying `overrides` (dotted key,
    /// value) before validation.
    pub fn load(
        name_or_path: &str,
        overrides: &[(String, toml::Value)],
    ) -> Result<Platform, ArchError> {
        if let Some(text) = preset_toml(name_or_path) {
            return Self::from_toml_str(text, &format!("<preset {name_or_path}>"), overrides);
        }
        let looks_like_path = name_or_path.ends_with(".toml")
            || name_or_path.contains('/')
            || name_or_path.contains('\\');
        if !looks_like_path {
            return Err(ArchError::UnknownName {
                what: "platform preset (or a .toml path)".into(),
                name: name_or_path.into(),
                suggestion: closest(name_or_path, preset_names()),
                valid: preset_names().into_iter().map(String::from).collect(),
            });
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|e| ArchError::Io {
            file: name_or_path.into(),
            message: e.to_string(),
        })?;
        Self::from_toml_str(&text, name_or_path, overrides)
    }

    /// Parses, overrides and validates `text`; `file_label` names it in errors.
    pub fn from_toml_str(
        text: &str,
        file_label: &str,
        overrides: &[(String, toml::Value)],
    ) -> Result<Platform, ArchError> {
        let spanned =
            DeTable::parse(text).map_err(|e| locate::syntax_error(file_label, text, &e))?;
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| locate::syntax_error(file_label, text, &e))?;
        let base = extend(&mut table)?;
        for (k, v) in overrides {
            apply_override(&mut table, k, v.clone(), true)?;
        }
        let doc = if overrides.is_empty() && base.is_none() {
            text.to_string()
        } else {
            toml::to_string(&table).map_err(|e| ArchError::Parse {
                file: file_label.into(),
                line_col: None,
                key: None,
                message: format!("cannot re-serialise after overrides: {e}"),
                suggestion: None,
            })?
        };
        let loc = Locator {
            file: file_label,
            text,
            spanned: spanned.get_ref(),
            overridden: overrides.iter().map(|(k, _)| k.clone()).collect(),
            base,
        };
        let raw: raw::RawPlatform =
            toml::from_str(&doc).map_err(|e| locate::schema_error(&loc, &doc, &e))?;
        build::build(raw, &loc)
    }

    /// The off-chip memory model: from `[dram]` (behind the FPGA's fabric-side port limit
    /// when `fpga.mem_bandwidth_gb_s` is set), the on-chip SRAM for `[sram_only]`, or an
    /// ideal memory of [`NO_DRAM_BYTES_PER_S`] when absent.
    pub fn memory(&self) -> Result<Box<dyn OffChipMemory>, ArchError> {
        if let Some(s) = &self.sram_only {
            // The on-chip SRAM stands in for off-chip memory (see `crate::sram_only`).
            return Ok(Box::new(IdealMemory::new(
                s.bandwidth_bytes_per_s,
                Time::ZERO,
                0.0,
            )));
        }
        let mem: Box<dyn OffChipMemory> = match &self.dram {
            Some(spec) => spec.build("dram")?,
            None => Box::new(IdealMemory::new(NO_DRAM_BYTES_PER_S, Time::ZERO, 0.0)),
        };
        Ok(
            match self.fpga.as_ref().and_then(|f| f.mem_bandwidth_bytes_per_s) {
                Some(cap) => Box::new(crate::fpga::CappedMemory::new(mem, cap)),
                None => mem,
            },
        )
    }

    /// The compute units present, by section name, in a fixed order.
    pub fn units(&self) -> Vec<&'static str> {
        [
            ("pe_array", self.pe_array.is_some()),
            ("nonlinear", self.nonlinear.is_some()),
            ("gpu", self.gpu.is_some()),
            ("cpu", self.cpu.is_some()),
            ("crossbar", self.crossbar.is_some()),
            ("assoc_processor", self.assoc_processor.is_some()),
            ("pim", self.pim.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, present)| present.then_some(n))
        .collect()
    }

    /// The platform class used in comparisons (the survey's categories): `"GPU"`, `"CPU"`,
    /// `"FPGA"`, `"PIM/NDP"`, `"IMC"` or `"ASIC"` (any other accelerator).
    /// A platform with a `[host]` is classed by its own units, not the host's.
    pub fn class(&self) -> &'static str {
        let own = |x: bool| x && self.host.is_none();
        if self.pim.is_some() {
            "PIM/NDP"
        } else if own(self.gpu.is_some()) {
            "GPU"
        } else if own(self.cpu.is_some()) {
            "CPU"
        } else if self.fpga.is_some() {
            "FPGA"
        } else if self.crossbar.is_some() || self.assoc_processor.is_some() {
            "IMC"
        } else {
            "ASIC"
        }
    }

    /// The platform's host, if it has one: `[host]` (role [`HostRole::Fallback`]), or,
    /// for an AttAcc-like PIM system without a `[gpu]`/`[cpu]` of its own, the host named
    /// by `[pim.attention] host_platform` (role [`HostRole::AttentionOffload`], its link
    /// from `host_link_gb_per_s` / `host_link_pj_per_byte`, no fixed latency).
    ///
    /// [`HostRole::Fallback`]: crate::host::HostRole::Fallback
    /// [`HostRole::AttentionOffload`]: crate::host::HostRole::AttentionOffload
    pub fn host(&self) -> Option<crate::host::Host> {
        if let Some(h) = &self.host {
            return Some(h.clone());
        }
        let Some(crate::pim::Pim::Bank(b)) = &self.pim else {
            return None;
        };
        if self.gpu.is_some() || self.cpu.is_some() {
            return None;
        }
        let a = b.attention.as_ref()?;
        Some(crate::host::Host {
            platform: a.host_platform.clone()?,
            devices: u32::try_from(a.host_devices).unwrap_or(u32::MAX),
            link_bytes_per_s: a.host_link_bytes_per_s,
            link_latency: Time::ZERO,
            link_pj_per_byte: a.host_link_pj_per_byte,
            sources: Vec::new(),
            role: crate::host::HostRole::AttentionOffload,
        })
    }

    /// The PE array, or an error saying the platform has none.
    pub fn require_pe_array(&self) -> Result<&PeArray, ArchError> {
        self.pe_array
            .as_ref()
            .ok_or_else(|| ArchError::Unsupported {
                unit: self.name.clone(),
                class: "linear operations".into(),
                reason: "the platform has no [pe_array]".into(),
            })
    }
}
