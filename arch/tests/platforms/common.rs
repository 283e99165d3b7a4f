//! A stand-in for the platform loader: a whole preset file parsed into a local wrapper.

use arch::cpu::{Cpu, CpuSpec};
use arch::gpu::{Gpu, GpuSpec};
use arch::system::SystemSpec;
use serde::Deserialize;

/// A whole platform preset file (top-level keys plus the sections this issue owns).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub name: String,
    pub description: String,
    pub sources: Vec<String>,
    pub tech_nm: u32,
    pub gpu: Option<GpuSpec>,
    pub cpu: Option<CpuSpec>,
    pub system: Option<SystemSpec>,
}

/// Parses preset text.
pub fn parse(text: &str) -> File {
    toml::from_str(text).unwrap()
}

/// Every GPU preset file (name, parsed).
pub fn gpu_files() -> Vec<(&'static str, File)> {
    arch::gpu::presets()
        .iter()
        .map(|(n, t)| (*n, parse(t)))
        .collect()
}

/// Every CPU preset file.
pub fn cpu_files() -> Vec<(&'static str, File)> {
    arch::cpu::presets()
        .iter()
        .map(|(n, t)| (*n, parse(t)))
        .collect()
}

/// The validated GPU of a preset.
pub fn gpu(name: &str) -> Gpu {
    arch::gpu::preset(name).unwrap()
}

/// The validated CPU of a preset.
pub fn cpu(name: &str) -> Cpu {
    arch::cpu::preset(name).unwrap()
}

/// Single-GPU presets (no `[system]`).
pub fn single_gpus() -> Vec<&'static str> {
    gpu_files()
        .into_iter()
        .filter(|(_, f)| f.system.is_none())
        .map(|(n, _)| n)
        .collect()
}

/// |a − b| / |b|.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Microseconds of a `Time`.
pub fn us(t: sim_core::Time) -> f64 {
    t.as_us_f64()
}
