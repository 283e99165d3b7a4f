//! Roofline chart (Williams, Waterman & Patterson, CACM 2009): attainable FLOP/s =
//! min(peak FLOP/s, bandwidth × arithmetic intensity), on log-log axes, with operators
//! placed at their (intensity, attained FLOP/s).
//!
//! The highest compute and memory ceilings form the roof; lower ceilings (another
//! precision, another memory level) are drawn dashed beneath it. The ridge point — the
//! intensity `peak / bandwidth` where the roof bends — is marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::frame::{self, Frame};
use super::legend::{self, Entry, Legend, Swatch};
use super::marker::{self, Shape};
use super::palette::categorical;
use super::{Figure, Output, Theme, msg, render};
use crate::error::ReportError;
use crate::format::{format_number, format_si};

/// A horizontal ceiling: peak compute throughput.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeCeiling {
    /// Name, e.g. `"FP16 tensor"`.
    pub label: String,
    /// Peak throughput (FLOP/s).
    pub flop_per_s: f64,
}

/// A slanted ceiling: memory bandwidth.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryCeiling {
    /// Name, e.g. `"HBM"` or `"L2"`.
    pub label: String,
    /// Bandwidth (bytes/s).
    pub bytes_per_s: f64,
}

/// One operator placed on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorPoint {
    /// Name shown beside the point, e.g. `"qkv_proj"`.
    pub label: String,
    /// Arithmetic intensity (FLOP per byte moved from the memory the roof refers to).
    pub intensity_flop_per_byte: f64,
    /// Attained throughput (FLOP/s).
    pub attained_flop_per_s: f64,
}

/// A platform's ceilings and the operators of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Roofline {
    /// At least one; the highest is the roof.
    pub compute: Vec<ComputeCeiling>,
    /// At least one; the highest is the roof.
    pub memory: Vec<MemoryCeiling>,
    /// Operators to place (may be empty).
    pub points: Vec<OperatorPoint>,
}

/// Where operator names go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PointLabels {
    /// Beside each point, moved around it to avoid other labels.
    #[default]
    Beside,
    /// In a legend at the right, points coloured to match (for many operators).
    Legend,
}

/// How a roofline chart is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RooflineConfig {
    /// Title above the plot; none when empty.
    pub title: String,
    /// Where operator names go.
    pub point_labels: PointLabels,
}

/// Draws `data` as a roofline chart into `out`. Errors: no compute or no memory ceiling,
/// or a ceiling or point value that is not positive and finite.
pub fn roofline(data: &Roofline, config: &RooflineConfig, out: &Output) -> Result<(), ReportError> {
    render(out, &prepare(data, config)?)
}

fn positive(what: String, v: f64) -> Result<f64, ReportError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ReportError::InvalidValue {
            what,
            expected: "positive and finite",
            value: v,
        })
    }
}

struct Line {
    label: String,
    color: RGBColor,
    /// Plot-space end points.
    from: (f64, f64),
    to: (f64, f64),
    roof: bool,
}

struct Prepared {
    title: String,
    x: Axis,
    y: Axis,
    /// The roof polyline (plot space).
    roof: Vec<(f64, f64)>,
    /// Lower ceilings.
    lines: Vec<Line>,
    /// Ridge point in plot space and its intensity (FLOP/byte).
    ridge: (f64, f64, f64),
    /// (label, x, y) in plot space.
    points: Vec<(String, f64, f64)>,
    labels: PointLabels,
}

fn prepare(data: &Roofline, cfg: &RooflineConfig) -> Result<Prepared, ReportError> {
    if data.compute.is_empty() || data.memory.is_empty() {
        return Err(ReportError::NoData {
            what: "a roofline needs at least one compute and one memory ceiling".into(),
        });
    }
    for c in &data.compute {
        positive(
            format!("compute ceiling `{}` flop_per_s", c.label),
            c.flop_per_s,
        )?;
    }
    for m in &data.memory {
        positive(
            format!("memory ceiling `{}` bytes_per_s", m.label),
            m.bytes_per_s,
        )?;
    }
    for p in &data.points {
        positive(
            format!("roofline point `{}` intensity_flop_per_byte", p.label),
            p.intensity_flop_per_byte,
        )?;
        positive(
            format!("roofline point `{}` attained_flop_per_s", p.label),
            p.attained_flop_per_s,
        )?;
    }
    let peak = data
        .compute
        .iter()
        .map(|c| c.flop_per_s)
        .fold(0.0, f64::max);
    let bw = data
        .memory
        .iter()
        .map(|m| m.bytes_per_s)
        .fold(0.0, f64::max);
    let ridge = peak / bw;

    // x: every bend of every ceiling and every point, with almost a decade each side.
    let mut xs: Vec<f64> = vec![ridge];
    xs.extend(data.compute.iter().map(|c| c.flop_per_s / bw));
    xs.extend(data.memory.iter().map(|m| peak / m.bytes_per_s));
    xs.extend(data.points.iter().map(|p| p.intensity_flop_per_byte));
    let x_min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let x_max = xs.iter().copied().fold(0.0, f64::max);
    let x = Axis::log_range(x_min.log10() - 0.9, x_max.log10() + 0.9);
    let x_lo = x.unmap(x.lo);
    let x_hi = x.unmap(x.hi);

    // y: from the lowest point or the roof at the left edge (but not more than six
    // decades below the peak unless a point is), to above the peak.
    let mut y_min = (bw * x_lo).max(peak * 1e-6);
    for p in &data.points {
        y_min = y_min.min(p.attained_flop_per_s);
    }
    let y = Axis::log_range(y_min.log10() - 0.2, peak.log10() + 0.35);
    let y_lo = y.unmap(y.lo);

    let mut memory = data.memory.clone();
    memory.sort_by(|a, b| b.bytes_per_s.total_cmp(&a.bytes_per_s));
    let mut compute = data.compute.clone();
    compute.sort_by(|a, b| b.flop_per_s.total_cmp(&a.flop_per_s));
    let dark = RGBColor(20, 20, 20);
    let mut lines = Vec::new();
    // The roof: memory slope from the left edge (or where it enters the chart) to the
    // ridge, then flat.
    let start = x_lo.max(y_lo / bw);
    let roof = vec![
        (x.map(start), y.map(bw * start)),
        (x.map(ridge), y.map(peak)),
        (x.map(x_hi), y.map(peak)),
    ];
    for (i, m) in memory.iter().enumerate() {
        let s = x_lo.max(y_lo / m.bytes_per_s);
        let end = peak / m.bytes_per_s;
        lines.push(Line {
            label: format!("{} {}", m.label, format_si(m.bytes_per_s, "B/s")),
            color: if i == 0 { dark } else { categorical(i) },
            from: (x.map(s), y.map(m.bytes_per_s * s)),
            to: (x.map(end), y.map(peak)),
            roof: i == 0,
        });
    }
    for (i, c) in compute.iter().enumerate() {
        let s = c.flop_per_s / bw;
        lines.push(Line {
            label: format!("{} {}", c.label, format_si(c.flop_per_s, "FLOP/s")),
            color: if i == 0 {
                dark
            } else {
                categorical(memory.len() + i)
            },
            from: (x.map(s), y.map(c.flop_per_s)),
            to: (x.map(x_hi), y.map(c.flop_per_s)),
            roof: i == 0,
        });
    }
    let points = data
        .points
        .iter()
        .map(|p| {
            (
                p.label.clone(),
                x.map(p.intensity_flop_per_byte),
                y.map(p.attained_flop_per_s),
            )
        })
        .collect();
    Ok(Prepared {
        title: cfg.title.clone(),
        ridge: (x.map(ridge), y.map(peak), ridge),
        x,
        y,
        roof,
        lines,
        points,
        labels: cfg.point_labels,
    })
}

/// Pixel rectangles (x0, y0, x1, y1) overlap.
fn overlaps(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Text placed on an area, remembering the pixel boxes already taken.
struct Labels<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    /// The plotting rectangle (x0, y0, x1, y1) in the area's pixels; labels stay inside.
    bounds: (i32, i32, i32, i32),
    style: TextStyle<'static>,
    taken: Vec<(i32, i32, i32, i32)>,
}

impl<DB: DrawingBackend> Labels<'_, DB> {
    fn size(&self, text: &str) -> Result<(i32, i32), String> {
        let (w, h) = self
            .area
            .estimate_text_size(text, &self.style)
            .map_err(msg)?;
        Ok((w as i32, h as i32))
    }

    /// The first candidate top-left corner whose box is inside the area and free, else
    /// the first inside, else the first.
    fn place(&self, candidates: &[(i32, i32)], (tw, th): (i32, i32)) -> (i32, i32) {
        let b = self.bounds;
        let inside =
            |c: &&(i32, i32)| c.0 >= b.0 && c.1 >= b.1 && c.0 + tw <= b.2 && c.1 + th <= b.3;
        let free = |c: &&(i32, i32)| {
            !self
                .taken
                .iter()
                .any(|t| overlaps(*t, (c.0, c.1, c.0 + tw, c.1 + th)))
        };
        candidates
            .iter()
            .find(|c| inside(c) && free(c))
            .or_else(|| candidates.iter().find(inside))
            .or(candidates.first())
            .copied()
            .unwrap_or((0, 0))
    }

    /// Marks the pixels along a line segment as taken.
    fn avoid_segment(&mut self, a: (i32, i32), b: (i32, i32)) {
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) / 3).max(1);
        for k in 0..=steps {
            let x = a.0 + (b.0 - a.0) * k / steps;
            let y = a.1 + (b.1 - a.1) * k / steps;
            self.taken.push((x - 1, y - 1, x + 2, y + 2));
        }
    }

    /// Draws `text` anchored at `at` and records its box.
    fn put(
        &mut self,
        text: &str,
        at: (i32, i32),
        (h, v): (HPos, VPos),
        color: RGBColor,
    ) -> Result<(), String> {
        let (tw, th) = self.size(text)?;
        let x0 = match h {
            HPos::Left => at.0,
            HPos::Center => at.0 - tw / 2,
            HPos::Right => at.0 - tw,
        };
        let y0 = match v {
            VPos::Top => at.1,
            VPos::Center => at.1 - th / 2,
            VPos::Bottom => at.1 - th,
        };
        self.taken.push((x0, y0, x0 + tw, y0 + th));
        let style = self.style.clone().color(&color).pos(Pos::new(h, v));
        self.area
            .draw(&Text::new(text.to_string(), at, style))
            .map_err(msg)
    }
}

impl Figure for Prepared {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let area = frame::titled(root, &self.title, theme)?;
        let point_color = |i: usize| match self.labels {
            PointLabels::Beside => categorical(0),
            PointLabels::Legend => categorical(i),
        };
        // Colours repeat after ten operators: the shape changes with each cycle.
        let point_shape = |i: usize| match self.labels {
            PointLabels::Beside => Shape::Circle,
            PointLabels::Legend => marker::shape(i),
        };
        let legend = match self.labels {
            PointLabels::Beside => Legend::default(),
            PointLabels::Legend => Legend {
                title: Some("operators".into()),
                entries: self
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| Entry {
                        label: p.0.clone(),
                        color: point_color(i),
                        swatch: Swatch::Marker(point_shape(i)),
                    })
                    .collect(),
            },
        };
        let side_w = legend::legend_width(&area, &legend, theme)?;
        let (w, _) = area.dim_in_pixel();
        let (plot_area, side) = area.split_horizontally(w.saturating_sub(side_w));
        let fr = Frame {
            x: &self.x,
            y: &self.y,
            x_desc: "arithmetic intensity (FLOP/byte)",
            y_desc: "attained performance (FLOP/s)",
            x_grid: true,
        };
        let mut chart = frame::chart(&plot_area, &fr, theme)?;
        let lw = theme.line();
        let dash = theme.px(8.0, 4.0) as u32;
        for l in self.lines.iter().filter(|l| !l.roof) {
            chart
                .draw_series(DashedLineSeries::new(
                    [l.from, l.to],
                    dash,
                    dash / 2,
                    l.color.stroke_width(lw),
                ))
                .map_err(msg)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                self.roof.clone(),
                RGBColor(20, 20, 20).stroke_width(lw + 1),
            )))
            .map_err(msg)?;

        // Ridge: dotted drop line, marker and its intensity.
        let (rx, ry, ridge) = self.ridge;
        chart
            .draw_series(DashedLineSeries::new(
                [(rx, self.y.lo), (rx, ry)],
                3,
                4,
                RGBColor(90, 90, 90).stroke_width(1),
            ))
            .map_err(msg)?;
        chart
            .draw_series([Circle::new(
                (rx, ry),
                theme.marker() + 1,
                RGBColor(20, 20, 20).filled(),
            )])
            .map_err(msg)?;

        // Points and text are placed in pixels relative to the plot area; text avoids
        // earlier text and the points.
        let (bx, by) = plot_area.get_base_pixel();
        let px = |p: (f64, f64)| {
            let (a, b) = chart.backend_coord(&p);
            (a - bx, b - by)
        };
        let r = theme.marker() + 1;
        for (i, (_, x, y)) in self.points.iter().enumerate() {
            let at = px((*x, *y));
            marker::draw_at(&plot_area, at, point_shape(i), r + 1, WHITE.filled())?;
            marker::draw_at(&plot_area, at, point_shape(i), r, point_color(i).filled())?;
        }

        let top_left = px((self.x.lo, self.y.hi));
        let bottom_right = px((self.x.hi, self.y.lo));
        let mut labels = Labels {
            area: &plot_area,
            bounds: (top_left.0, top_left.1, bottom_right.0, bottom_right.1),
            style: theme.small(),
            taken: Vec::new(),
        };
        let point_px: Vec<(i32, i32)> = self.points.iter().map(|p| px((p.1, p.2))).collect();
        for p in &point_px {
            labels.taken.push((p.0 - r, p.1 - r, p.0 + r, p.1 + r));
        }
        let mut polylines: Vec<Vec<(f64, f64)>> = vec![self.roof.clone()];
        polylines.extend(self.lines.iter().map(|l| vec![l.from, l.to]));
        for line in &polylines {
            for w in line.windows(2) {
                labels.avoid_segment(px(w[0]), px(w[1]));
            }
        }
        let gap = theme.px(6.0, 3.0) as i32;
        let ridge_text = format!("ridge {} FLOP/byte", format_number(ridge, 3));
        let foot = px((rx, self.y.lo));
        let grey = RGBColor(60, 60, 60);
        labels.put(
            &ridge_text,
            (foot.0 + gap, foot.1 - gap),
            (HPos::Left, VPos::Bottom),
            grey,
        )?;
        for l in &self.lines {
            let (from, to) = (px(l.from), px(l.to));
            if l.from.1 == l.to.1 {
                // Compute ceiling: label above its right end.
                labels.put(
                    &l.label,
                    (to.0 - gap, to.1 - gap / 2),
                    (HPos::Right, VPos::Bottom),
                    l.color,
                )?;
            } else {
                // Memory ceiling: label above-left of the line (the empty side), at the
                // first point along it where the label fits inside the plot.
                let size = labels.size(&l.label)?;
                let along = |t: f64| {
                    let x = from.0 + (f64::from(to.0 - from.0) * t) as i32;
                    let y = from.1 + (f64::from(to.1 - from.1) * t) as i32;
                    (x - gap - size.0, y - gap - size.1)
                };
                let candidates: Vec<(i32, i32)> =
                    (1..12).map(|k| along(f64::from(k) / 24.0)).collect();
                let corner = labels.place(&candidates, size);
                labels.put(&l.label, corner, (HPos::Left, VPos::Top), l.color)?;
            }
        }
        if self.labels == PointLabels::Beside {
            let d = r + 3;
            for ((label, _, _), at) in self.points.iter().zip(&point_px) {
                let (tw, th) = labels.size(label)?;
                let candidates = [
                    (at.0 + d, at.1 - d - th),
                    (at.0 + d, at.1 + d),
                    (at.0 - d - tw, at.1 - d - th),
                    (at.0 - d - tw, at.1 + d),
                    (at.0 + d, at.1 - th / 2),
                    (at.0 - d - tw, at.1 - th / 2),
                    (at.0 - tw / 2, at.1 - d - th),
                    (at.0 - tw / 2, at.1 + d),
                ];
                let pick = labels.place(&candidates, (tw, th));
                labels.put(label, pick, (HPos::Left, VPos::Top), RGBColor(20, 20, 20))?;
            }
        }
        legend::draw_legend(&side, &legend, theme)
    }
}
