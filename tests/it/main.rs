//! End-to-end tests of the `silica` binary (one integration-test binary: link time matters
//! on 2 cores). Each module covers one command or feature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod kernel;
mod kernel_matrix;
mod kernel_platforms;
mod plot;
mod presets;
mod report;
mod reproduce;
mod reproduce_cskv;
mod reproduce_framefusion;
mod reproduce_marca;
mod reproduce_mbq;
mod reproduce_softmap;
mod reproduce_survey;
mod run;
mod slurm;
mod sweep;
mod validate;
mod workload;
