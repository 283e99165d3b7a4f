//! Shared helpers.

use arch::dram::{DramAddress, DramConfig, DramModel, DramSpec};

/// The resolved preset `name` with no overrides.
pub fn preset(name: &str) -> DramConfig {
    spec(name).resolve("dram").unwrap()
}

/// A spec of preset `name` with no overrides.
pub fn spec(name: &str) -> DramSpec {
    DramSpec {
        preset: name.into(),
        ..Default::default()
    }
}

/// Byte address of (channel 0, rank 0, bank group `bg`, bank `bank`, row, column).
pub fn addr(cfg: &DramConfig, bg: u32, bank: u32, row: u32, column: u32) -> u64 {
    cfg.mapping.encode(
        cfg,
        &DramAddress {
            channel: 0,
            rank: 0,
            bank_group: bg,
            bank,
            row,
            column,
        },
    )
}

/// A fresh model of `cfg` that records its commands.
pub fn logged(cfg: &DramConfig) -> DramModel {
    let mut m = DramModel::new(cfg.clone());
    m.enable_log();
    m
}
