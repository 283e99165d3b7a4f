//! # arch — hardware descriptions and unit models
//!
//! **Owns:** the TOML schema of a platform (clock, technology node, memories, compute
//! units, energy tables), its validation, presets (`arch/presets/`), and the timing and
//! energy models of units — PE arrays, reduction trees, SRAM buffers, DRAM/HBM,
//! nonlinear-function units — built on `sim-core`, plus kernel simulation at three fidelity
//! levels ([`kernel`]).
//!
//! **Architecture invariant:** `arch` knows nothing of ML models or operator graphs
//! (`workloads`) and nothing of mapping search (`mappers`); it answers "how long and how
//! much energy does this unit take for this piece of work".
//!
//! Entry points: [`Platform::load`] (a preset name or a `.toml` path, plus `--set`
//! overrides), [`pe_array::fold_timing`] (closed-form cycles), [`reference`] (cycle-stepped
//! reference), [`kernel::run_gemm`] and friends (tile-level simulation), and
//! [`Platform::estimate`] ([`work`]: one interface to every unit, what a mapper calls).

pub mod cpu;
pub mod dram;
mod error;
pub mod fpga;
pub mod gpu;
pub mod host;
pub mod imc;
pub mod kernel;
pub mod memory;
pub mod nonlinear;
pub mod overrides;
pub mod pe_array;
pub mod pim;
pub mod platform;
pub mod reduction;
pub mod reference;
pub mod sram;
pub mod sram_only;
pub mod suggest;
pub mod system;
pub mod tech;
pub mod work;

pub use error::ArchError;
pub use platform::{Platform, preset_names, preset_toml};
