//! # arch — hardware descriptions and unit models
//!
//! **Owns:** the TOML schema of a platform (clock, technology node, memories, compute
//! units, energy tables), its validation, presets (`arch/presets/`), and the timing and
//! energy models of units — PE arrays, reduction trees, SRAM buffers, DRAM/HBM,
//! nonlinear-function units, GPU SMs, CPUs, IMC crossbars, PIM/NDP — built on `sim-core`.
//!
//! **Architecture invariant:** `arch` knows nothing of ML models or operator graphs
//! (`workloads`) and nothing of mapping search (`mappers`); it answers "how long and how
//! much energy does this unit take for this piece of work".

pub mod dram;
mod error;
pub mod imc;
pub mod memory;
pub mod overrides;
pub mod pim;
pub mod suggest;

pub use error::ArchError;
