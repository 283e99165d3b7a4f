//! Legends and colour bars, drawn in their own area beside the chart so they never
//! cover data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::marker::{Shape, draw_at};
use super::palette::ramp;
use super::{Theme, msg};

/// How an entry's swatch is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A filled square (bars, categories of points).
    Square,
    /// A filled circle (points).
    Circle,
    /// A short line (a front or a ceiling).
    Line,
    /// A point's marker shape (points whose colours repeat).
    Marker(Shape),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub swatch: Swatch,
}

/// A titled list of entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Legend {
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

/// The width in pixels a legend needs on `area`, padding included; 0 when empty.
pub(crate) fn legend_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &Legend,
    theme: &Theme,
) -> Result<u32, String> {
    if legend.entries.is_empty() {
        return Ok(0);
    }
    let style = theme.small();
    let mut w = 0;
    for e in &legend.entries {
        w = w.max(area.estimate_text_size(&e.label, &style).map_err(msg)?.0);
    }
    if let Some(t) = &legend.title {
        let bold = bold_of(theme);
        w = w.max(
            area.estimate_text_size(t, &bold)
                .map_err(msg)?
                .0
                .saturating_sub(swatch_w(theme)),
        );
    }
    Ok(w + swatch_w(theme) + 2 * theme.margin() as u32)
}

fn swatch_w(theme: &Theme) -> u32 {
    theme.px(28.0, 12.0) as u32
}

/// Draws the legend at the top-left of `area`.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &Legend,
    theme: &Theme,
) -> Result<(), String> {
    let style = theme.small();
    let line_h = (theme.px(13.0, 8.0) * 1.6).round() as i32;
    let x0 = theme.margin();
    let mut y = theme.margin();
    if let Some(t) = &legend.title {
        let bold = bold_of(theme);
        area.draw(&Text::new(t.clone(), (x0, y), bold))
            .map_err(msg)?;
        y += line_h;
    }
    let sw = swatch_w(theme) as i32;
    let r = theme.marker().max(3);
    for e in &legend.entries {
        let cy = y + line_h / 2 - 2;
        let cx = x0 + sw / 2 - 4;
        match e.swatch {
            Swatch::Square => area
                .draw(&Rectangle::new(
                    [(cx - r, cy - r), (cx + r, cy + r)],
                    e.color.filled(),
                ))
                .map_err(msg)?,
            Swatch::Circle => area
                .draw(&Circle::new((cx, cy), r, e.color.filled()))
                .map_err(msg)?,
            Swatch::Marker(shape) => draw_at(area, (cx, cy), shape, r, e.color.filled())?,
            Swatch::Line => area
                .draw(&PathElement::new(
                    vec![(x0, cy), (x0 + sw - 8, cy)],
                    e.color.stroke_width(theme.line() + 1),
                ))
                .map_err(msg)?,
        }
        let text_style = style.clone().pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(e.label.clone(), (x0 + sw, cy), text_style))
            .map_err(msg)?;
        y += line_h;
    }
    Ok(())
}

/// A vertical colour bar for a numeric colour column: the ramp over `scale` (plot space)
/// with its tick labels, titled.
pub(crate) struct ColorBar {
    pub title: String,
    pub scale: Axis,
    /// Data range mapped onto the ramp's ends, in plot space.
    pub range: (f64, f64),
}

/// The width in pixels a colour bar needs.
pub(crate) fn color_bar_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bar: &ColorBar,
    theme: &Theme,
) -> Result<u32, String> {
    let style = theme.small();
    let mut w = 0;
    for p in &bar.scale.major {
        w = w.max(
            area.estimate_text_size(&bar.scale.label(*p), &style)
                .map_err(msg)?
                .0,
        );
    }
    let title_w = area.estimate_text_size(&bar.title, &style).map_err(msg)?.0;
    let body = bar_w(theme) + 6 + w;
    Ok(body.max(title_w) + 2 * theme.margin() as u32)
}

fn bar_w(theme: &Theme) -> u32 {
    theme.px(20.0, 8.0) as u32
}

/// Draws the colour bar in `area`, the ramp spanning `top..bottom` pixels of it.
pub(crate) fn draw_color_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bar: &ColorBar,
    theme: &Theme,
    (top, bottom): (i32, i32),
) -> Result<(), String> {
    let style = theme.small();
    let x0 = theme.margin();
    let title_h = area.estimate_text_size(&bar.title, &style).map_err(msg)?.1 as i32;
    area.draw(&Text::new(
        bar.title.clone(),
        (x0, top - title_h - 8),
        style.clone(),
    ))
    .map_err(msg)?;
    let w = bar_w(theme) as i32;
    let (lo, hi) = bar.range;
    let steps = (bottom - top).max(1);
    for i in 0..steps {
        let t = 1.0 - f64::from(i) / f64::from(steps);
        area.draw(&Rectangle::new(
            [(x0, top + i), (x0 + w, top + i + 1)],
            ramp(t).filled(),
        ))
        .map_err(msg)?;
    }
    area.draw(&Rectangle::new(
        [(x0, top), (x0 + w, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(msg)?;
    let label_style = style.pos(Pos::new(HPos::Left, VPos::Center));
    for &p in &bar.scale.major {
        if hi <= lo || p < lo - 1e-9 || p > hi + 1e-9 {
            continue;
        }
        let y = bottom - ((p - lo) / (hi - lo) * f64::from(bottom - top)).round() as i32;
        area.draw(&PathElement::new(
            vec![(x0 + w, y), (x0 + w + 4, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(msg)?;
        area.draw(&Text::new(
            bar.scale.label(p),
            (x0 + w + 6, y),
            label_style.clone(),
        ))
        .map_err(msg)?;
    }
    Ok(())
}

fn bold_of(theme: &Theme) -> TextStyle<'static> {
    (super::FONT, theme.px(13.0, 8.0).round(), FontStyle::Bold)
        .into_font()
        .color(&BLACK)
}
