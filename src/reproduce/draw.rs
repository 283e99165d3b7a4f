//! Drawing a reproduction's figures into its folder: one call per plot kind that names
//! the file, draws it at a size in pixels and returns its path for [`super::Outcome`].

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use reports::{Breakdown, GroupedBarsConfig, Output, ScatterConfig, StackedBarsConfig, Table};

use super::Context;

/// Width and height of a figure, pixels.
pub type Size = (u32, u32);

/// `reports::Output`'s default size, pixels.
pub const DEFAULT_SIZE: Size = (1000, 700);

/// Draws with `plot` into `ctx.out_dir/file` at `size`; returns the path.
fn draw(
    ctx: &Context,
    file: &str,
    (width, height): Size,
    plot: impl FnOnce(&Output) -> Result<(), reports::ReportError>,
) -> Result<PathBuf> {
    let path = ctx.out_dir.join(file);
    plot(&Output::new(&path).with_size(width, height))
        .with_context(|| format!("drawing {}", path.display()))?;
    Ok(path)
}

/// A scatter (or line) plot of `table` in `ctx.out_dir/file`.
pub fn scatter(
    ctx: &Context,
    file: &str,
    size: Size,
    table: &Table,
    config: &ScatterConfig,
) -> Result<PathBuf> {
    draw(ctx, file, size, |o| reports::scatter(table, config, o))
}

/// Grouped bars of `table` in `ctx.out_dir/file`.
pub fn grouped_bars(
    ctx: &Context,
    file: &str,
    size: Size,
    table: &Table,
    config: &GroupedBarsConfig,
) -> Result<PathBuf> {
    draw(ctx, file, size, |o| reports::grouped_bars(table, config, o))
}

/// Stacked bars of `breakdown` in `ctx.out_dir/file`.
pub fn stacked_bars(
    ctx: &Context,
    file: &str,
    size: Size,
    breakdown: &Breakdown,
    config: &StackedBarsConfig,
) -> Result<PathBuf> {
    draw(ctx, file, size, |o| {
        reports::stacked_bars(breakdown, config, o)
    })
}
