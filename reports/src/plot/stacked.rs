//! Stacked bars: one bar per category split into segments — e.g. energy of one or
//! several runs broken down by unit, action or operator category.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Axis;
use super::bars::categories;
use super::frame::{self, Frame};
use super::legend::{self, Entry, Legend, Swatch};
use super::palette::categorical;
use super::{Figure, Output, Theme, msg, render};
use crate::error::ReportError;
use crate::format::{axis_label, split_unit};
use crate::table::Table;

/// Values of `categories × segments`, e.g. runs × units.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// What the values are, as a column name with its unit (e.g. `energy_j`); the y axis
    /// description is [`axis_label`] of it.
    pub value_name: String,
    /// One bar each, left to right.
    pub categories: Vec<String>,
    /// Segment names, stacked bottom to top.
    pub segments: Vec<String>,
    /// `values[category][segment]`, finite and ≥ 0.
    pub values: Vec<Vec<f64>>,
}

impl Breakdown {
    /// A breakdown after checking that `values` is `categories × segments` and every
    /// value is finite and ≥ 0.
    pub fn new(
        value_name: impl Into<String>,
        categories: Vec<String>,
        segments: Vec<String>,
        values: Vec<Vec<f64>>,
    ) -> Result<Breakdown, ReportError> {
        if values.len() != categories.len() {
            return Err(ReportError::LengthMismatch {
                what: "breakdown rows (one per category)".to_string(),
                expected: categories.len(),
                found: values.len(),
            });
        }
        for (c, row) in categories.iter().zip(&values) {
            if row.len() != segments.len() {
                return Err(ReportError::LengthMismatch {
                    what: format!("breakdown values of category `{c}` (one per segment)"),
                    expected: segments.len(),
                    found: row.len(),
                });
            }
            for (s, &v) in segments.iter().zip(row) {
                if !v.is_finite() || v < 0.0 {
                    return Err(ReportError::InvalidValue {
                        what: format!("breakdown value of `{c}` / `{s}`"),
                        expected: "finite and ≥ 0",
                        value: v,
                    });
                }
            }
        }
        Ok(Breakdown {
            value_name: value_name.into(),
            categories,
            segments,
            values,
        })
    }

    /// Builds a breakdown from a long-format table with one row per (category, segment,
    /// value); rows with the same category and segment are summed, missing pairs are 0,
    /// rows with an empty cell are left out. Categories and segments keep the order of
    /// first appearance (numbers ascending).
    pub fn from_long_table(
        table: &Table,
        category: &str,
        segment: &str,
        value: &str,
    ) -> Result<Breakdown, ReportError> {
        let cat_col = table.column(category)?;
        let seg_col = table.column(segment)?;
        let values = table.numeric(value)?;
        let rows: Vec<usize> = (0..table.n_rows())
            .filter(|&r| {
                values[r].is_some()
                    && cat_col.category(r).is_some()
                    && seg_col.category(r).is_some()
            })
            .collect();
        let (cats, c_of) = categories(cat_col, &rows);
        let (segs, s_of) = categories(seg_col, &rows);
        let mut matrix = vec![vec![0.0; segs.len()]; cats.len()];
        for (k, &r) in rows.iter().enumerate() {
            let v = values[r].unwrap_or(0.0);
            if !v.is_finite() || v < 0.0 {
                return Err(ReportError::InvalidValue {
                    what: format!("column `{value}` row {}", r + 1),
                    expected: "finite and ≥ 0",
                    value: v,
                });
            }
            matrix[c_of[k]][s_of[k]] += v;
        }
        Breakdown::new(value, cats, segs, matrix)
    }

    /// The sum of each category's segments.
    pub fn totals(&self) -> Vec<f64> {
        self.values.iter().map(|row| row.iter().sum()).collect()
    }
}

/// How a stacked bar chart is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StackedBarsConfig {
    /// Title above the plot; none when empty.
    pub title: String,
    /// Show each bar as shares of its total (0–100 %) instead of absolute values.
    pub normalize: bool,
    /// X axis description; none by default.
    pub x_label: Option<String>,
    /// Y axis description; default: [`axis_label`] of [`Breakdown::value_name`], or
    /// "share of … (%)" when normalised.
    pub y_label: Option<String>,
}

/// Draws `breakdown` as stacked bars into `out`. Errors: no category or segment.
pub fn stacked_bars(
    breakdown: &Breakdown,
    config: &StackedBarsConfig,
    out: &Output,
) -> Result<(), ReportError> {
    let checked = Breakdown::new(
        breakdown.value_name.clone(),
        breakdown.categories.clone(),
        breakdown.segments.clone(),
        breakdown.values.clone(),
    )?;
    if checked.categories.is_empty() || checked.segments.is_empty() {
        return Err(ReportError::NoData {
            what: "the breakdown has no category or no segment".into(),
        });
    }
    let totals = checked.totals();
    let tops: Vec<Vec<f64>> = checked
        .values
        .iter()
        .zip(&totals)
        .map(|(row, &total)| {
            let mut acc = 0.0;
            row.iter()
                .map(|&v| {
                    acc += if config.normalize {
                        if total > 0.0 { v / total * 100.0 } else { 0.0 }
                    } else {
                        v
                    };
                    acc
                })
                .collect()
        })
        .collect();
    let max = tops
        .iter()
        .filter_map(|t| t.last().copied())
        .fold(0.0, f64::max);
    let y = if config.normalize {
        Axis::linear(0.0, 100.0, true)
    } else {
        Axis::linear(0.0, max, true)
    };
    let y_desc = config.y_label.clone().unwrap_or_else(|| {
        if config.normalize {
            let (quantity, unit) = split_unit(&checked.value_name);
            let what = if quantity.is_empty() {
                unit.unwrap_or_default()
            } else {
                quantity
            };
            format!("share of {what} (%)")
        } else {
            axis_label(&checked.value_name)
        }
    });
    let figure = Prepared {
        title: config.title.clone(),
        x_desc: config.x_label.clone().unwrap_or_default(),
        y_desc,
        segments: checked.segments.clone(),
        x: Axis::categories(checked.categories.clone()),
        y,
        tops,
    };
    render(out, &figure)
}

struct Prepared {
    title: String,
    x_desc: String,
    y_desc: String,
    segments: Vec<String>,
    x: Axis,
    y: Axis,
    /// Cumulative top of each segment, per category.
    tops: Vec<Vec<f64>>,
}

impl Figure for Prepared {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        theme: &Theme,
    ) -> Result<(), String> {
        let area = frame::titled(root, &self.title, theme)?;
        // Legend top to bottom matches the stack's top to bottom.
        let legend = Legend {
            title: None,
            entries: self
                .segments
                .iter()
                .enumerate()
                .rev()
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
        let half = 0.3;
        for (c, tops) in self.tops.iter().enumerate() {
            let x = c as f64;
            let mut bottom = 0.0;
            for (s, &top) in tops.iter().enumerate() {
                if top > bottom {
                    chart
                        .draw_series([
                            Rectangle::new(
                                [(x - half, bottom), (x + half, top)],
                                categorical(s).filled(),
                            ),
                            Rectangle::new(
                                [(x - half, bottom), (x + half, top)],
                                WHITE.stroke_width(1),
                            ),
                        ])
                        .map_err(msg)?;
                }
                bottom = top;
            }
        }
        legend::draw_legend(&side, &legend, theme)
    }
}
