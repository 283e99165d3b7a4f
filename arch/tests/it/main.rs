//! Integration tests of `arch` (one binary: link time matters on 2 cores).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fpga;
mod host;
mod kernel;
mod kv_width;
mod nonlinear;
mod platform;
mod reference;
mod system;
mod variants;
mod work;
mod work_props;
