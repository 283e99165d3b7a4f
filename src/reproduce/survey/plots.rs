//! The survey-style plots: tokens/s against power on log axes, coloured by platform class
//! (batch 1 with the survey's data-sheet points, and batch 8), and bars of tokens/J at
//! batch 1 and 8 for every preset that runs.

use std::path::PathBuf;

use anyhow::Result;
use reports::{GroupedBarsConfig, ReferenceLine, ScatterConfig, grouped_bars, scatter};

use super::Point;
use crate::reproduce::Context;
use crate::reproduce::draw::figure;
use crate::reproduce::rows::PlotTable;

/// Draws the plots into `ctx.out_dir`; `sheet` is (class, work, tokens/s, power W) of
/// the survey's rows.
pub(super) fn draw(
    ctx: &Context,
    points: &[Point],
    sheet: &[(&str, &str, f64, f64)],
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for batch in [1u64, 8] {
        let mut class = Vec::new();
        let mut tps = Vec::new();
        let mut power = Vec::new();
        for p in points.iter().filter(|p| p.batch == batch) {
            class.push(p.class.clone());
            tps.push(p.tokens_per_s);
            power.push(p.power_w);
        }
        if batch == 1 {
            for (_, _, t, w) in sheet {
                class.push("survey data sheet (all classes)".to_string());
                tps.push(*t);
                power.push(*w);
            }
        }
        let table = PlotTable::new()
            .text("platform", class)
            .num("tokens_per_s", tps)
            .num("power_w", power)
            .build()?;
        let cfg = ScatterConfig {
            color: Some("platform".into()),
            log_x: true,
            log_y: true,
            title: if batch == 1 {
                "~7B decode, batch 1: presets by class (MARCA: Mamba-2.8B) and the survey's sheet"
                    .into()
            } else {
                "Llama-2-7B decode, batch 8: simulated presets (MARCA: Mamba-2.8B)".into()
            },
            x_label: Some("power (W)".into()),
            y_label: Some("decode throughput (tokens/s)".into()),
            reference_line: Some(ReferenceLine {
                slope: 1.0,
                label: "1 token/J".into(),
            }),
            ..ScatterConfig::new("power_w", "tokens_per_s")
        };
        let file = format!("throughput-power-batch{batch}.png");
        files.push(figure(ctx, &file, (1100, 750), |o| {
            scatter(&table, &cfg, o)
        })?);
    }

    let mut order: Vec<&Point> = points.iter().collect();
    order.sort_by(|a, b| (class_rank(&a.class), &a.preset).cmp(&(class_rank(&b.class), &b.preset)));
    let bars = order.iter().map(|p| {
        (
            format!("{} · {}", p.class, p.preset),
            format!("batch {}", p.batch),
            p.tokens_per_j,
        )
    });
    let table = PlotTable::new()
        .bars(("preset", "batch", "tokens_per_j"), bars)
        .build()?;
    let cfg = GroupedBarsConfig {
        log_y: true,
        title: "Llama-2-7B decode: energy efficiency by platform class, batch 1 and 8".into(),
        x_label: Some("platform class · preset".into()),
        y_label: Some("tokens/J".into()),
        ..GroupedBarsConfig::new("preset", "batch", "tokens_per_j")
    };
    files.push(figure(ctx, "tokens-per-joule.png", (2000, 800), |o| {
        grouped_bars(&table, &cfg, o)
    })?);
    Ok(files)
}

/// The survey's order of classes.
fn class_rank(class: &str) -> usize {
    ["CPU", "GPU", "FPGA", "ASIC", "IMC", "PIM/NDP"]
        .iter()
        .position(|c| *c == class)
        .unwrap_or(6)
}
