//! Scatter plot of two numeric columns, optionally coloured by a third and with a
//! Pareto front highlighted and joined by a staircase; with `join`, the points of each
//! colour category are joined in x order (a line plot, one line per series).
//!
//! The front itself is an input (one flag per row, computed by the caller); this module
//! only draws it. Consecutive front points (sorted by x) are joined through the corner
//! that is worse in both objectives, which traces the boundary of the region the front
//! dominates.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Axis;
use super::frame::{self, Frame};
use super::legend::{self, ColorBar, Entry, Legend, Swatch};
use super::palette::{categorical, ramp};
use super::{Figure, Output, Theme, msg, render};
use crate::error::ReportError;
use crate::format::axis_label;
use crate::summary::Direction;
use crate::table::{Column, Table};

/// How a colour column maps to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorScale {
    /// Categorical for text columns and for numeric columns with at most 8 distinct
    /// values (e.g. batch 1 and 8); a continuous ramp otherwise.
    #[default]
    Auto,
    /// One palette colour per distinct value, with a legend.
    Categorical,
    /// A colour ramp (viridis) over the numeric range, with a colour bar.
    Continuous,
    /// A colour ramp over log₁₀ of the values (for geometric sweeps such as 8…128 PE
    /// rows); every value must be > 0.
    LogContinuous,
}

/// Which rows lie on the Pareto front, and which way each axis is better (this decides
/// the staircase's corners).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParetoFront {
    /// One flag per table row: `true` for rows on the front.
    pub on_front: Vec<bool>,
    /// Whether smaller or larger x is better.
    pub x: Direction,
    /// Whether smaller or larger y is better.
    pub y: Direction,
}

/// A reference line `y = slope · x` drawn across the plot (clipped to it) as a thin
/// grey line with a legend entry. `slope = 1` is the `y = x` diagonal of a
/// predicted-vs-measured plot; on log–log axes every slope is a straight line of unit
/// gradient.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceLine {
    /// `y / x` along the line.
    pub slope: f64,
    /// Legend text (`"y = x"`).
    pub label: String,
}

impl ReferenceLine {
    /// The `y = x` diagonal.
    pub fn identity() -> ReferenceLine {
        ReferenceLine {
            slope: 1.0,
            label: "y = x".into(),
        }
    }
}

/// What a scatter plot shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScatterConfig {
    /// Column for x (numeric).
    pub x: String,
    /// Column for y (numeric).
    pub y: String,
    /// Column that colours the points, if any.
    pub color: Option<String>,
    /// How the colour column maps to colours.
    pub color_scale: ColorScale,
    /// Pareto front to highlight, if any.
    pub pareto: Option<ParetoFront>,
    /// Logarithmic x axis (every drawn x must be > 0).
    pub log_x: bool,
    /// Logarithmic y axis (every drawn y must be > 0).
    pub log_y: bool,
    /// Title above the plot; none when empty.
    pub title: String,
    /// X axis description; default: [`axis_label`] of the column.
    pub x_label: Option<String>,
    /// Y axis description; default: [`axis_label`] of the column.
    pub y_label: Option<String>,
    /// A reference line `y = slope · x`, if any.
    pub reference_line: Option<ReferenceLine>,
    /// Join the points of each colour category (or all points, without a colour column)
    /// by a line in x order: a line plot with one line per series. Needs categorical
    /// colours.
    pub join: bool,
}

impl ScatterConfig {
    /// `y` against `x`, with every option off.
    pub fn new(x: impl Into<String>, y: impl Into<String>) -> ScatterConfig {
        ScatterConfig {
            x: x.into(),
            y: y.into(),
            ..Default::default()
        }
    }
}

/// Draws a scatter plot of `table` into `out`.
///
/// Rows with an empty or non-finite x or y are left out. Errors: an unknown or
/// non-numeric column, a value ≤ 0 on a log axis (naming column and row), Pareto flags
/// not one per row, a reference line whose slope is not a positive finite number,
/// `join` with a continuous colour scale, or no row to draw.
pub fn scatter(table: &Table, config: &ScatterConfig, out: &Output) -> Result<(), ReportError> {
    render(out, &prepare(table, config)?)
}

enum Colors {
    Single,
    Categories {
        names: Vec<String>,
        of_point: Vec<Option<usize>>,
    },
    Ramp {
        bar: ColorBar,
        of_point: Vec<Option<f64>>,
    },
}

struct Prepared {
    title: String,
    x_desc: String,
    y_desc: String,
    x: Axis,
    y: Axis,
    /// (x, y) in plot space, and whether the point is on the front.
    points: Vec<(f64, f64, bool)>,
    colors: Colors,
    /// Label of the colour column (legend title).
    color_name: String,
    /// The staircase through the front, in plot space.
    front_path: Vec<(f64, f64)>,
    /// The reference line in plot space and its label.
    reference: Option<(Vec<Run>, String)>,
    /// With `join`: each series' points in x order (plot space) and its colour index.
    lines: Vec<(Option<usize>, Run)>,
}

/// Consecutive points of a line inside the plot, in plot space.
type Run = Vec<(f64, f64)>;

/// Points of `y = slope·x` across the x range, in plot space, split into the runs that
/// lie inside the y range (sampled, so the line is right on mixed linear/log axes too).
fn reference_runs(x: &Axis, y: &Axis, slope: f64) -> Vec<Run> {
    const SAMPLES: usize = 256;
    let mut runs: Vec<Run> = Vec::new();
    let mut run = Vec::new();
    for i in 0..=SAMPLES {
        let px = x.lo + (x.hi - x.lo) * i as f64 / SAMPLES as f64;
        let v = slope * x.unmap(px);
        let inside = (!y.is_log() || v > 0.0) && {
            let py = y.map(v);
            py.is_finite() && py >= y.lo && py <= y.hi
        };
        if inside {
            run.push((px, y.map(v)));
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs.retain(|r| r.len() >= 2);
    runs
}

fn check_log(
    column: &str,
    row: usize,
    v: f64,
    log: bool,
    axis: &'static str,
) -> Result<(), ReportError> {
    if log && v <= 0.0 {
        return Err(ReportError::NonPositiveOnLogAxis {
            column: column.to_string(),
            row: row + 1,
            value: v,
            axis,
        });
    }
    Ok(())
}

fn prepare(table: &Table, cfg: &ScatterConfig) -> Result<Prepared, ReportError> {
    let xs = table.numeric(&cfg.x)?;
    let ys = table.numeric(&cfg.y)?;
    let color_col = cfg.color.as_deref().map(|c| table.column(c)).transpose()?;
    if let Some(name) = cfg.color.as_deref()
        && matches!(
            cfg.color_scale,
            ColorScale::Continuous | ColorScale::LogContinuous
        )
    {
        table.numeric(name)?;
    }
    if let Some(r) = &cfg.reference_line
        && !(r.slope.is_finite() && r.slope > 0.0)
    {
        return Err(ReportError::InvalidValue {
            what: format!("reference line `{}` slope", r.label),
            expected: "positive and finite",
            value: r.slope,
        });
    }
    if let Some(p) = &cfg.pareto
        && p.on_front.len() != table.n_rows()
    {
        return Err(ReportError::LengthMismatch {
            what: "Pareto flags (one per table row)".to_string(),
            expected: table.n_rows(),
            found: p.on_front.len(),
        });
    }
    let mut rows = Vec::new();
    for (row, (x, y)) in xs.iter().zip(ys).enumerate() {
        let (Some(x), Some(y)) = (*x, *y) else {
            continue;
        };
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        check_log(&cfg.x, row, x, cfg.log_x, "x")?;
        check_log(&cfg.y, row, y, cfg.log_y, "y")?;
        rows.push((row, x, y));
    }
    if rows.is_empty() {
        return Err(ReportError::NoData {
            what: format!("no row has numbers in both `{}` and `{}`", cfg.x, cfg.y),
        });
    }
    let bounds = |vals: &mut dyn Iterator<Item = f64>| {
        vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
    };
    let (x_min, x_max) = bounds(&mut rows.iter().map(|r| r.1));
    let (y_min, y_max) = bounds(&mut rows.iter().map(|r| r.2));
    let x = if cfg.log_x {
        Axis::log(x_min, x_max)
    } else {
        Axis::linear(x_min, x_max, false)
    };
    let y = if cfg.log_y {
        Axis::log(y_min, y_max)
    } else {
        Axis::linear(y_min, y_max, false)
    };

    let on_front = |row: usize| cfg.pareto.as_ref().is_some_and(|p| p.on_front[row]);
    let points = rows
        .iter()
        .map(|&(r, px, py)| (x.map(px), y.map(py), on_front(r)))
        .collect();

    let colors = match (color_col, cfg.color.as_deref()) {
        (Some(col), Some(name)) => colors_for(col, name, cfg.color_scale, &rows)?,
        _ => Colors::Single,
    };

    let mut front_path = Vec::new();
    if let Some(p) = &cfg.pareto {
        let mut front: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| p.on_front[r.0])
            .map(|r| (r.1, r.2))
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for (i, &(fx, fy)) in front.iter().enumerate() {
            if i > 0 {
                let (px, py) = front[i - 1];
                let worse = |d: Direction, a: f64, b: f64| match d {
                    Direction::Minimize => a.max(b),
                    Direction::Maximize => a.min(b),
                };
                front_path.push((x.map(worse(p.x, px, fx)), y.map(worse(p.y, py, fy))));
            }
            front_path.push((x.map(fx), y.map(fy)));
        }
    }

    let reference = cfg
        .reference_line
        .as_ref()
        .map(|r| (reference_runs(&x, &y, r.slope), r.label.clone()));

    let mut lines: Vec<(Option<usize>, Run)> = Vec::new();
    if cfg.join {
        let series: Vec<Option<usize>> = match &colors {
            Colors::Single => vec![None; rows.len()],
            Colors::Categories { of_point, .. } => of_point.clone(),
            Colors::Ramp { .. } => {
                return Err(ReportError::InvalidValue {
                    what: "`join` with a continuous colour scale (lines need categories)"
                        .to_string(),
                    expected: "a categorical colour column",
                    value: f64::NAN,
                });
            }
        };
        let mut keys: Vec<Option<usize>> = series.clone();
        keys.sort();
        keys.dedup();
        for key in keys {
            let mut run: Vec<(f64, f64)> = rows
                .iter()
                .zip(&series)
                .filter(|(_, k)| **k == key)
                .map(|(r, _)| (r.1, r.2))
                .collect();
            run.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            if run.len() >= 2 {
                lines.push((
                    key,
                    run.iter().map(|&(a, b)| (x.map(a), y.map(b))).collect(),
                ));
            }
        }
    }

    Ok(Prepared {
        title: cfg.title.clone(),
        x_desc: cfg.x_label.clone().unwrap_or_else(|| axis_label(&cfg.x)),
        y_desc: cfg.y_label.clone().unwrap_or_else(|| axis_label(&cfg.y)),
        x,
        y,
        points,
        colors,
        color_name: cfg.color.as_deref().map(axis_label).unwrap_or_default(),
        front_path,
        reference,
        lines,
    })
}

fn colors_for(
    col: &Column,
    name: &str,
    scale: ColorScale,
    rows: &[(usize, f64, f64)],
) -> Result<Colors, ReportError> {
    let numeric: Option<Vec<Option<f64>>> = match col {
        Column::Numeric(v) => Some(
            rows.iter()
                .map(|r| v[r.0].filter(|c| c.is_finite()))
                .collect(),
        ),
        Column::Text(_) => None,
    };
    let mut distinct: Vec<f64> = numeric.iter().flatten().flatten().copied().collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let continuous = match scale {
        ColorScale::Continuous | ColorScale::LogContinuous => numeric.is_some(),
        ColorScale::Categorical => false,
        ColorScale::Auto => numeric.is_some() && distinct.len() > 8,
    };
    if continuous && let Some(values) = numeric {
        let log = scale == ColorScale::LogContinuous;
        if log {
            for (v, r) in values.iter().zip(rows) {
                if let Some(v) = v {
                    check_log(name, r.0, *v, true, "colour")?;
                }
            }
        }
        let to_plot = |v: f64| if log { v.log10() } else { v };
        let (lo, hi) = match (distinct.first(), distinct.last()) {
            (Some(lo), Some(hi)) => (to_plot(*lo), to_plot(*hi)),
            _ => (0.0, 1.0),
        };
        let range = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        let scale = if log {
            Axis::log_range(range.0, range.1)
        } else {
            Axis::linear(range.0, range.1, false)
        };
        let t = values
            .iter()
            .map(|v| v.map(|v| (to_plot(v) - range.0) / (range.1 - range.0)))
            .collect();
        return Ok(Colors::Ramp {
            bar: ColorBar {
                title: axis_label(name),
                scale,
                range,
            },
            of_point: t,
        });
    }
    // Categories: numbers in ascending order, text in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    let keys: Vec<Option<String>> = rows.iter().map(|r| col.category(r.0)).collect();
    if col.is_numeric() {
        names = distinct.iter().map(|v| format!("{v}")).collect();
    } else {
        for k in keys.iter().flatten() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let of_point = keys
        .iter()
        .map(|k| k.as_ref().and_then(|k| names.iter().position(|n| n == k)))
        .collect();
    Ok(Colors::Categories { names, of_point })
}

const MISSING: RGBColor = RGBColor(160, 160, 160);
const FRONT: RGBColor = RGBColor(30, 30, 30);
const REFERENCE: RGBColor = RGBColor(120, 120, 120);

impl Prepared {
    fn legend(&self) -> Legend {
        let mut legend = Legend::default();
        if let Colors::Categories { names, .. } = &self.colors {
            legend.title = Some(self.color_name.clone());
            for (i, n) in names.iter().enumerate() {
                legend.entries.push(Entry {
                    label: n.clone(),
                    color: categorical(i),
                    swatch: Swatch::Circle,
                });
            }
        }
        if !self.front_path.is_empty() {
            legend.entries.push(Entry {
                label: "Pareto front".into(),
                color: FRONT,
                swatch: Swatch::Line,
            });
        }
        if let Some((_, label)) = &self.reference {
            legend.entries.push(Entry {
                label: label.clone(),
                color: REFERENCE,
                swatch: Swatch::Line,
            });
        }
        legend
    }

    fn color_of(&self, i: usize) -> RGBColor {
        match &self.colors {
            Colors::Single => categorical(0),
            Colors::Categories { of_point, .. } => of_point[i].map_or(MISSING, categorical),
            Colors::Ramp { of_point, .. } => of_point[i].map_or(MISSING, ramp),
        }
    }
}

impl Figure for Prepared {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let area = frame::titled(root, &self.title, theme)?;
        let legend = self.legend();
        let mut side_w = legend::legend_width(&area, &legend, theme)?;
        if let Colors::Ramp { bar, .. } = &self.colors {
            side_w = side_w.max(legend::color_bar_width(&area, bar, theme)?);
        }
        let (w, _) = area.dim_in_pixel();
        let (plot_area, side) = area.split_horizontally(w.saturating_sub(side_w));
        let fr = Frame {
            x: &self.x,
            y: &self.y,
            x_desc: &self.x_desc,
            y_desc: &self.y_desc,
            x_grid: true,
        };
        let mut chart = frame::chart(&plot_area, &fr, theme)?;

        if let Some((runs, _)) = &self.reference {
            chart
                .draw_series(
                    runs.iter()
                        .map(|run| PathElement::new(run.clone(), REFERENCE.stroke_width(1))),
                )
                .map_err(msg)?;
        }
        for (key, run) in &self.lines {
            let color = match &self.colors {
                Colors::Categories { .. } => key.map_or(MISSING, categorical),
                _ => categorical(0),
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    run.clone(),
                    color.stroke_width(theme.line()),
                )))
                .map_err(msg)?;
        }
        let r = theme.marker();
        let order = (0..self.points.len()).filter(|&i| !self.points[i].2);
        chart
            .draw_series(order.map(|i| {
                let (px, py, _) = self.points[i];
                Circle::new((px, py), r, self.color_of(i).mix(0.8).filled())
            }))
            .map_err(msg)?;
        if !self.front_path.is_empty() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    self.front_path.clone(),
                    FRONT.stroke_width(theme.line()),
                )))
                .map_err(msg)?;
            let front = (0..self.points.len()).filter(|&i| self.points[i].2);
            for i in front {
                let (px, py, _) = self.points[i];
                chart
                    .draw_series([
                        Circle::new((px, py), r + 2, FRONT.filled()),
                        Circle::new((px, py), r, self.color_of(i).filled()),
                    ])
                    .map_err(msg)?;
            }
        }

        legend::draw_legend(&side, &legend, theme)?;
        if let Colors::Ramp { bar, .. } = &self.colors {
            let (_, by) = side.get_base_pixel();
            let top_px = chart.backend_coord(&(self.x.lo, self.y.hi)).1 - by;
            let bottom_px = chart.backend_coord(&(self.x.lo, self.y.lo)).1 - by;
            let legend_h = if legend.entries.is_empty() {
                0
            } else {
                (legend.entries.len() as f64 * theme.px(13.0, 8.0) * 1.6 + theme.px(40.0, 20.0))
                    as i32
            };
            let title_room = theme.px(30.0, 15.0) as i32;
            legend::draw_color_bar(
                &side,
                bar,
                theme,
                (top_px.max(legend_h) + title_room, bottom_px),
            )?;
        }
        Ok(())
    }
}
