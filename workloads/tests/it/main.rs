//! Integration tests of the `workloads` crate (one binary: link time matters on 2 cores).
//! Expected values are derived by hand in comments, from published model sizes, or from
//! closed forms written here independently of the builders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod configs;
mod cskv_absorbed;
mod flops;
mod int_softmax;
mod kv;
mod params;
mod props;
mod token_reduction;
mod transforms;
