//! Integration tests of the mappers crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod host;
mod mapping;
mod pipeline;
mod run;
mod vector;
