//! Integration tests of the in-memory-compute and PIM/NDP units.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assoc;
mod crossbar;
mod pim;
mod pim_activation;
mod presets;
