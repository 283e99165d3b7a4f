//! Integration tests of `reports`: one binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod format;
mod plots;
mod summary;
mod table;
mod text_table;
