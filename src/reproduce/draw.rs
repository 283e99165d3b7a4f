//! Drawing a reproduction's figures into its folder: [`figure`] names the file, draws it
//! at a size in pixels and returns its path for [`super::Outcome`].

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use reports::Output;

use super::Context;

/// Width and height of a figure, pixels.
pub type Size = (u32, u32);

/// `reports::Output`'s default size, pixels.
pub const DEFAULT_SIZE: Size = (1000, 700);

/// Draws a figure with `plot` (`reports::scatter`, `grouped_bars`, `stacked_bars`, … on
/// the [`Output`] it is handed) into `ctx.out_dir/file` at `size`; returns the path.
pub fn figure(
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
