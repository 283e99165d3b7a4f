//! The FrameFusion reproduction's figures: speed-up over dense against frames, one line
//! per model and budget (LLM only, and end to end), and the end-to-end speed-up against
//! the answer length.

use std::path::PathBuf;

use anyhow::Result;
use reports::{ColorScale, ScatterConfig, scatter};

use super::super::Context;
use super::super::draw::{DEFAULT_SIZE, figure};
use super::super::rows::PlotTable;

/// One reduced point, as the plots need it.
pub(super) struct PlotRow {
    /// Model and platform ("7B, H100").
    pub setup: &'static str,
    /// On the H100 family shown in the frames plots (7B on one H100, 72B on 8×H100 TP).
    pub single_h100_family: bool,
    /// Video frames.
    pub frames: u64,
    /// FrameFusion's budget.
    pub cost: f64,
    /// LLM-only speed-up.
    pub llm: f64,
    /// End-to-end (prefill) speed-up.
    pub e2e: f64,
    /// (answer tokens, end-to-end speed-up with that answer).
    pub answers: Vec<(u64, f64)>,
}

/// A line plot of `y` against `x`, one line per `series`.
fn line(
    ctx: &Context,
    file: &str,
    title: &str,
    (x_name, x): (&str, Vec<f64>),
    (y_name, y): (&str, Vec<f64>),
    series: Vec<String>,
) -> Result<PathBuf> {
    let t = PlotTable::new()
        .num(x_name, x)
        .num(y_name, y)
        .text("series", series)
        .build()?;
    let config = ScatterConfig {
        color: Some("series".into()),
        color_scale: ColorScale::Categorical,
        log_x: true,
        title: title.into(),
        x_label: Some(x_name.into()),
        y_label: Some(y_name.into()),
        join: true,
        ..ScatterConfig::new(x_name, y_name)
    };
    figure(ctx, file, DEFAULT_SIZE, |o| scatter(&t, &config, o))
}

/// Draws the figures into `ctx.out_dir`; returns their paths.
pub(super) fn draw(ctx: &Context, rows: &[PlotRow]) -> Result<Vec<PathBuf>> {
    let family: Vec<&PlotRow> = rows.iter().filter(|r| r.single_h100_family).collect();
    let frames: Vec<f64> = family.iter().map(|r| r.frames as f64).collect();
    let series: Vec<String> = family
        .iter()
        .map(|r| format!("{} · budget {}", r.setup, r.cost))
        .collect();
    let llm = line(
        ctx,
        "llm-speedup.png",
        "FrameFusion LLM prefill speed-up over dense (paper at 0.3: 3.4–4.4×)",
        ("frames", frames.clone()),
        ("LLM speed-up (×)", family.iter().map(|r| r.llm).collect()),
        series.clone(),
    )?;
    let e2e = line(
        ctx,
        "e2e-speedup.png",
        "FrameFusion end-to-end prefill speed-up (paper at 0.3: 1.6–1.9×, later 1.6–3.6×)",
        ("frames", frames),
        (
            "end-to-end speed-up (×)",
            family.iter().map(|r| r.e2e).collect(),
        ),
        series,
    )?;
    // End to end with an answer: 64 frames, budget 0.3, every model/platform.
    let at: Vec<&PlotRow> = rows
        .iter()
        .filter(|r| r.frames == super::HEADLINE_FRAMES && (r.cost - 0.3).abs() < 1e-9)
        .collect();
    let (mut x, mut y, mut s) = (Vec::new(), Vec::new(), Vec::new());
    for r in &at {
        for &(n, v) in &r.answers {
            x.push(n as f64);
            y.push(v);
            s.push(r.setup.to_string());
        }
    }
    let answer = line(
        ctx,
        "e2e-answer.png",
        "End-to-end speed-up with an answer of n tokens (64 frames, budget 0.3)",
        ("answer tokens", x),
        ("end-to-end speed-up (×)", y),
        s,
    )?;
    Ok(vec![llm, e2e, answer])
}
