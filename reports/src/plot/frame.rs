//! The common frame of every chart: title, axes with our ticks, axis descriptions, and
//! category labels wrapped onto several lines when they do not fit their slot.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{Axis, AxisCoord, Ticks};
use super::{Theme, msg};

/// Plot-space coordinates shared by every chart.
pub(crate) type Coord = Cartesian2d<AxisCoord, AxisCoord>;

/// A chart ready for series.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Coord>;

/// What the frame shows.
pub(crate) struct Frame<'a> {
    pub x: &'a Axis,
    pub y: &'a Axis,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// Draw vertical grid lines at the x ticks (off for bar charts).
    pub x_grid: bool,
}

/// Draws `title` at the top of `root` (if not empty) and returns the rest, with margins.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    theme: &Theme,
) -> Result<DrawingArea<DB, Shift>, String> {
    let m = theme.margin();
    let inner = root.margin(m / 2, m, m, m);
    if title.is_empty() {
        return Ok(inner);
    }
    inner.titled(title, theme.title()).map_err(msg)
}

/// Greedy word wrap of `text` (breaking after spaces, `_` and `-`) into lines no wider
/// than `max_w` pixels where possible.
fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: u32,
) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        cur.push(ch);
        if matches!(ch, ' ' | '_' | '-') {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        let candidate = format!("{line}{w}");
        let fits = area
            .estimate_text_size(candidate.trim_end(), style)
            .map_err(msg)?
            .0
            <= max_w;
        if fits || line.is_empty() {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = w;
        }
    }
    if !line.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    Ok(lines)
}

/// Builds the chart in `area`: sizes label areas to their text, draws the grid, ticks and
/// axis descriptions, and returns the chart for series to be drawn in plot space.
pub(crate) fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    frame: &Frame,
    theme: &Theme,
) -> Result<Chart<'a, DB>, String> {
    let tick = theme.tick();
    let label = theme.label();
    let gap = theme.px(8.0, 4.0) as u32;
    let label_h = area.estimate_text_size("Ag(µ)", &label).map_err(msg)?.1;
    let tick_h = area.estimate_text_size("0123456789", &tick).map_err(msg)?.1;

    let mut y_tick_w = 0;
    for p in &frame.y.major {
        y_tick_w = y_tick_w.max(
            area.estimate_text_size(&frame.y.label(*p), &tick)
                .map_err(msg)?
                .0,
        );
    }
    let desc_h = |desc: &str| if desc.is_empty() { 0 } else { label_h + gap };
    let y_area = y_tick_w + desc_h(frame.y_desc) + 2 * gap;

    // Category labels wider than their slot are wrapped and drawn by hand.
    let (w_px, _) = area.dim_in_pixel();
    let plot_w = w_px.saturating_sub(y_area + theme.margin() as u32);
    let mut wrapped: Vec<Vec<String>> = Vec::new();
    if let Ticks::Categories(names) = &frame.x.ticks {
        let slot = (f64::from(plot_w) / names.len().max(1) as f64 * 0.95) as u32;
        let mut any_wide = false;
        for n in names {
            any_wide |= area.estimate_text_size(n, &tick).map_err(msg)?.0 > slot;
        }
        if any_wide {
            for n in names {
                wrapped.push(wrap(area, n, &tick, slot)?);
            }
        }
    }
    let x_lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let line_h = tick_h + tick_h / 4;
    let x_area = x_lines * line_h + desc_h(frame.x_desc) + 2 * gap;

    let x_range = AxisCoord::from(frame.x);
    let y_range = AxisCoord::from(frame.y);
    let mut chart = ChartBuilder::on(area)
        .margin_right(theme.margin())
        .margin_top(theme.margin() / 2)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_range, y_range)
        .map_err(msg)?;

    let hand_drawn = !wrapped.is_empty();
    let x_fmt = |p: &f64| {
        if hand_drawn {
            String::new()
        } else {
            frame.x.label(*p)
        }
    };
    let y_fmt = |p: &f64| frame.y.label(*p);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(tick.clone())
        .axis_desc_style(label.clone())
        .x_desc(frame.x_desc)
        .y_desc(frame.y_desc)
        .bold_line_style(RGBColor(200, 200, 200).stroke_width(1))
        .light_line_style(RGBColor(235, 235, 235).stroke_width(1))
        .axis_style(BLACK.stroke_width(1));
    if !frame.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw().map_err(msg)?;

    if hand_drawn {
        let (bx, by) = area.get_base_pixel();
        let y0 = chart.backend_coord(&(frame.x.lo, frame.y.lo)).1 - by + gap as i32;
        let centered = tick.pos(Pos::new(HPos::Center, VPos::Top));
        for (i, lines) in wrapped.iter().enumerate() {
            let x = chart.backend_coord(&(i as f64, frame.y.lo)).0 - bx;
            for (k, l) in lines.iter().enumerate() {
                let y = y0 + k as i32 * line_h as i32;
                area.draw(&Text::new(l.clone(), (x, y), centered.clone()))
                    .map_err(msg)?;
            }
        }
    }
    Ok(chart)
}
