//! Plots drawn with `plotters` into PNG or SVG files.
//!
//! Every plot kind is a function `fn(data, &Config, &Output) -> Result<(), ReportError>`:
//! [`scatter`], [`grouped_bars`], [`stacked_bars`] and [`roofline`]. Data are checked
//! first (so a bad column or a non-positive value on a log axis is an error before any
//! file is touched); then the figure is drawn on a bitmap or SVG backend chosen by the
//! output file's extension.
//!
//! Fonts: DejaVu Sans (regular and bold) is embedded through the `dejavu` crate and
//! registered once with plotters' `ab_glyph` text renderer, so drawing needs no system
//! font library and gives the same bytes on every machine and run.

mod axis;
mod bars;
mod frame;
mod legend;
mod marker;
mod palette;
mod roofline;
mod scatter;
mod stacked;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ReportError;

pub use bars::{GroupedBarsConfig, grouped_bars};
pub use roofline::{
    ComputeCeiling, MemoryCeiling, OperatorPoint, PointLabels, Roofline, RooflineConfig, roofline,
};
pub use scatter::{ColorScale, ParetoFront, ReferenceLine, ScatterConfig, scatter};
pub use stacked::{Breakdown, StackedBarsConfig, stacked_bars};

/// The image formats this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG bitmap (RGB, 8 bits per channel).
    Png,
    /// SVG vector image; text is left as `<text>` in the sans-serif family.
    Svg,
}

impl ImageFormat {
    /// The format named by `path`'s extension (`.png` or `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<ImageFormat, ReportError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            _ => Err(ReportError::UnsupportedFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Where a plot goes and how large it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The image file; its extension (`.png` or `.svg`) picks the format. The folder must
    /// exist.
    pub path: PathBuf,
    /// Width in pixels (200 to 10 000).
    pub width_px: u32,
    /// Height in pixels (200 to 10 000).
    pub height_px: u32,
}

impl Output {
    /// An output of the default size, 1000 × 700 px.
    pub fn new(path: impl Into<PathBuf>) -> Output {
        Output {
            path: path.into(),
            width_px: 1000,
            height_px: 700,
        }
    }

    /// The same output with another size in pixels.
    pub fn with_size(mut self, width_px: u32, height_px: u32) -> Output {
        self.width_px = width_px;
        self.height_px = height_px;
        self
    }
}

/// Font family name under which the embedded DejaVu Sans is registered.
const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans fonts with plotters, once per process.
fn ensure_fonts() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let bad = |_| "the embedded DejaVu Sans font is invalid".to_string();
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(bad)?;
            plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).map_err(bad)
        })
        .clone()
}

/// Sizes of text and marks, scaled to the canvas so small and large images look alike.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    /// Scale of text and marks relative to a 1000 × 700 canvas.
    pub scale: f64,
}

impl Theme {
    fn for_canvas(width_px: u32, height_px: u32) -> Theme {
        let scale = (f64::from(width_px) / 1000.0).min(f64::from(height_px) / 700.0);
        // Larger canvases scale everything; smaller ones shrink more gently, so text
        // stays readable.
        let scale = if scale >= 1.0 { scale } else { scale.sqrt() };
        Theme {
            scale: scale.clamp(0.5, 10.0),
        }
    }

    /// `base` pixels at the reference size, scaled, at least `min`.
    pub fn px(&self, base: f64, min: f64) -> f64 {
        (base * self.scale).max(min)
    }

    pub fn title(&self) -> TextStyle<'static> {
        (FONT, self.px(22.0, 11.0).round(), FontStyle::Bold)
            .into_font()
            .color(&BLACK)
    }

    pub fn label(&self) -> TextStyle<'static> {
        (FONT, self.px(17.0, 9.0).round()).into_font().color(&BLACK)
    }

    pub fn tick(&self) -> TextStyle<'static> {
        (FONT, self.px(14.0, 8.0).round()).into_font().color(&BLACK)
    }

    pub fn small(&self) -> TextStyle<'static> {
        (FONT, self.px(13.0, 8.0).round()).into_font().color(&BLACK)
    }

    /// Outer margin in pixels.
    pub fn margin(&self) -> i32 {
        self.px(14.0, 5.0).round() as i32
    }

    /// Marker radius in pixels.
    pub fn marker(&self) -> i32 {
        self.px(4.5, 2.0).round() as i32
    }

    /// Line width in pixels.
    pub fn line(&self) -> u32 {
        self.px(2.0, 1.0).round() as u32
    }
}

/// A checked figure, ready to draw on any backend.
pub(crate) trait Figure {
    /// Draws on `root` (already filled white); errors are the drawing library's messages.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String>;
}

/// Converts a plotters drawing error into its message.
pub(crate) fn msg<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> String {
    e.to_string()
}

/// Draws `figure` into `out`'s file.
pub(crate) fn render(out: &Output, figure: &impl Figure) -> Result<(), ReportError> {
    let (w, h) = (out.width_px, out.height_px);
    if !(200..=10_000).contains(&w) || !(200..=10_000).contains(&h) {
        return Err(ReportError::CanvasSize {
            width_px: w,
            height_px: h,
        });
    }
    let format = ImageFormat::from_path(&out.path)?;
    let draw_err = |message| ReportError::Draw {
        path: out.path.clone(),
        message,
    };
    ensure_fonts().map_err(draw_err)?;
    let theme = Theme::for_canvas(w, h);
    match format {
        ImageFormat::Png => {
            let root = BitMapBackend::new(&out.path, (w, h)).into_drawing_area();
            draw_on(&root, figure, &theme).map_err(draw_err)
        }
        ImageFormat::Svg => {
            let root = SVGBackend::new(&out.path, (w, h)).into_drawing_area();
            draw_on(&root, figure, &theme).map_err(draw_err)
        }
    }
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &impl Figure,
    theme: &Theme,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(msg)?;
    figure.draw(root, theme)?;
    root.present().map_err(msg)
}
