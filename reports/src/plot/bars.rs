//! Grouped bars: one cluster per value of a group column (x categories), one bar per
//! value of a series column within each cluster — e.g. tokens/J by platform (groups) at
//! batch 1 and 8 (series).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Axis;
use super::frame::{self, Frame};
use super::legend::{self, Entry, Legend, Swatch};
use super::palette::categorical;
use super::{Figure, Output, Theme, msg, render};
use crate::error::ReportError;
use crate::format::axis_label;
use crate::table::{Column, Table};

/// What a grouped bar chart shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupedBarsConfig {
    /// Column whose values are the x categories (in order of first appearance; numbers
    /// ascending).
    pub group: String,
    /// Column whose values are the bars within a group, shown in the legend (same order
    /// rule).
    pub series: String,
    /// Numeric column giving each bar's height.
    pub value: String,
    /// Logarithmic y axis (every value must be > 0); bars start at the axis bottom.
    pub log_y: bool,
    /// Title above the plot; none when empty.
    pub title: String,
    /// X axis description; default: [`axis_label`] of the group column.
    pub x_label: Option<String>,
    /// Y axis description; default: [`axis_label`] of the value column.
    pub y_label: Option<String>,
}

impl GroupedBarsConfig {
    /// `value` by `group` and `series`, linear axis, no title.
    pub fn new(
        group: impl Into<String>,
        series: impl Into<String>,
        value: impl Into<String>,
    ) -> GroupedBarsConfig {
        GroupedBarsConfig {
            group: group.into(),
            series: series.into(),
            value: value.into(),
            ..Default::default()
        }
    }
}

/// Draws grouped bars from `table` into `out`.
///
/// Rows with an empty group, series or value cell are left out; a (group, series) pair
/// with no row has no bar. Errors: unknown or non-numeric columns, two rows for the same
/// (group, series) ([`ReportError::DuplicateBar`]), a value ≤ 0 with `log_y`, no rows.
pub fn grouped_bars(
    table: &Table,
    config: &GroupedBarsConfig,
    out: &Output,
) -> Result<(), ReportError> {
    render(out, &prepare(table, config)?)
}

/// The distinct values of `col` over `rows`: numbers ascending, text in first-appearance
/// order. Returns the names and each row's index into them.
pub(crate) fn categories(col: &Column, rows: &[usize]) -> (Vec<String>, Vec<usize>) {
    let mut names: Vec<String> = Vec::new();
    if let Column::Numeric(v) = col {
        let mut vals: Vec<f64> = rows.iter().filter_map(|&r| v[r]).collect();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        names = vals.iter().map(|x| format!("{x}")).collect();
    } else {
        for &r in rows {
            if let Some(k) = col.category(r)
                && !names.contains(&k)
            {
                names.push(k);
            }
        }
    }
    let index = rows
        .iter()
        .map(|&r| {
            let k = col.category(r).unwrap_or_default();
            names.iter().position(|n| *n == k).unwrap_or(0)
        })
        .collect();
    (names, index)
}

struct Prepared {
    title: String,
    x_desc: String,
    y_desc: String,
    series_title: String,
    series: Vec<String>,
    x: Axis,
    y: Axis,
    /// (group index, series index, top in plot space).
    bars: Vec<(usize, usize, f64)>,
}

fn prepare(table: &Table, cfg: &GroupedBarsConfig) -> Result<Prepared, ReportError> {
    let group_col = table.column(&cfg.group)?;
    let series_col = table.column(&cfg.series)?;
    let values = table.numeric(&cfg.value)?;
    let rows: Vec<usize> = (0..table.n_rows())
        .filter(|&r| {
            values[r].is_some_and(f64::is_finite)
                && group_col.category(r).is_some()
                && series_col.category(r).is_some()
        })
        .collect();
    if rows.is_empty() {
        return Err(ReportError::NoData {
            what: format!(
                "no row has a `{}`, a `{}` and a `{}`",
                cfg.group, cfg.series, cfg.value
            ),
        });
    }
    let (groups, g_of) = categories(group_col, &rows);
    let (series, s_of) = categories(series_col, &rows);
    let mut seen: Vec<Option<usize>> = vec![None; groups.len() * series.len()];
    let mut raw = Vec::with_capacity(rows.len());
    for (k, &r) in rows.iter().enumerate() {
        let (g, s) = (g_of[k], s_of[k]);
        let v = values[r].unwrap_or(0.0);
        if let Some(first) = seen[g * series.len() + s] {
            return Err(ReportError::DuplicateBar {
                group: groups[g].clone(),
                series: series[s].clone(),
                first: first + 1,
                second: r + 1,
            });
        }
        seen[g * series.len() + s] = Some(r);
        if cfg.log_y && v <= 0.0 {
            return Err(ReportError::NonPositiveOnLogAxis {
                column: cfg.value.clone(),
                row: r + 1,
                value: v,
                axis: "y",
            });
        }
        raw.push((g, s, v));
    }
    let (lo, hi) = raw
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.2), b.max(r.2))
        });
    let y = if cfg.log_y {
        // Bars rise from a decade at or below the smallest value.
        let bottom = (lo.log10() - 0.3).floor();
        let top = hi.log10() + (hi.log10() - bottom) * 0.06;
        Axis::log_range(bottom, top)
    } else {
        Axis::linear(lo, hi, true)
    };
    let bars = raw.iter().map(|&(g, s, v)| (g, s, y.map(v))).collect();
    Ok(Prepared {
        title: cfg.title.clone(),
        x_desc: cfg
            .x_label
            .clone()
            .unwrap_or_else(|| axis_label(&cfg.group)),
        y_desc: cfg
            .y_label
            .clone()
            .unwrap_or_else(|| axis_label(&cfg.value)),
        series_title: axis_label(&cfg.series),
        series,
        x: Axis::categories(groups),
        y,
        bars,
    })
}

impl Figure for Prepared {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let area = frame::titled(root, &self.title, theme)?;
        let legend = Legend {
            title: Some(self.series_title.clone()),
            entries: self
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| Entry {
                    label: s.clone(),
                    color: categorical(i),
                    swatch: Swatch::Square,
                })
                .collect(),
        };
        let side_w = legend::legend_width(&area, &legend, theme)?;
        let (w, _) = area.dim_in_pixel();
        let (plot_area, side) = area.split_horizontally(w.saturating_sub(side_w));
        let fr = Frame {
            x: &self.x,
            y: &self.y,
            x_desc: &self.x_desc,
            y_desc: &self.y_desc,
            x_grid: false,
        };
        let mut chart = frame::chart(&plot_area, &fr, theme)?;
        let n = self.series.len().max(1) as f64;
        let slot = 0.8 / n;
        let base = if self.y.is_log() { self.y.lo } else { 0.0 };
        chart
            .draw_series(self.bars.iter().map(|&(g, s, top)| {
                let x0 = g as f64 - 0.4 + s as f64 * slot + slot * 0.05;
                let x1 = x0 + slot * 0.9;
                Rectangle::new([(x0, base), (x1, top)], categorical(s).filled())
            }))
            .map_err(msg)?;
        legend::draw_legend(&side, &legend, theme)
    }
}
