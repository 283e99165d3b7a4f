//! Integration tests of the sweep engine (one binary for link time).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod axes;
mod common;
mod engine;
mod expr;
mod kill;
mod pareto;
mod shard;
mod slurm;
mod slurm_cluster;
mod spec;
