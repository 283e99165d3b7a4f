#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests of the GPU, CPU and multi-device platform models (issue 5): datasheet
//! peaks of every preset, the model's bounds and formulas checked by hand, published and
//! measured kernel times, collectives, and property tests.

mod common;
mod cpu;
mod gpu_model;
mod presets;
mod props;
mod system;
mod validation;
