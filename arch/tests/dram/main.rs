//! Integration tests of the DRAM model (`arch::dram`): presets and validation, command
//! timing, scheduling, refresh, stream efficiency, the fast path, energy, and property
//! tests of the command log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod config;
mod fast;
mod props;
mod streams;
mod timing;
