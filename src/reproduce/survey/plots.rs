//! The survey-style plots: tokens/s against power on log axes, coloured by platform class
//! (batch 1 with the survey's data-sheet points, and batch 8), and bars of tokens/J at
//! batch 1 and 8 for every preset that runs.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use reports::{
    Column, GroupedBarsConfig, Output, ReferenceLine, ScatterConfig, Table, grouped_bars, scatter,
};

use super::Point;
use crate::reproduce::Context;

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
            class.push(Some(p.class.clone()));
            tps.push(Some(p.tokens_per_s));
            power.push(Some(p.power_w));
        }
        if batch == 1 {
            for (_, _, t, w) in sheet {
                class.push(Some("survey data sheet (all classes)".to_string()));
                tps.push(Some(*t));
                power.push(Some(*w));
            }
        }
        let table = Table::from_columns(vec![
            ("platform".into(), Column::Text(class)),
            ("tokens_per_s".into(), Column::Numeric(tps)),
            ("power_w".into(), Column::Numeric(power)),
        ])?;
        let mut cfg = ScatterConfig::new("power_w", "tokens_per_s");
        cfg.color = Some("platform".into());
        cfg.log_x = true;
        cfg.log_y = true;
        cfg.title = if batch == 1 {
            "~7B decode, batch 1: presets by class (MARCA: Mamba-2.8B) and the survey's sheet"
                .into()
        } else {
            "Llama-2-7B decode, batch 8: simulated presets (MARCA: Mamba-2.8B)".into()
        };
        cfg.x_label = Some("power (W)".into());
        cfg.y_label = Some("decode throughput (tokens/s)".into());
        cfg.reference_line = Some(ReferenceLine {
            slope: 1.0,
            label: "1 token/J".into(),
        });
        let path = ctx
            .out_dir
            .join(format!("throughput-power-batch{batch}.png"));
        scatter(&table, &cfg, &Output::new(&path).with_size(1100, 750))
            .with_context(|| format!("drawing {}", path.display()))?;
        files.push(path);
    }

    let mut order: Vec<&Point> = points.iter().collect();
    order.sort_by(|a, b| (class_rank(&a.class), &a.preset).cmp(&(class_rank(&b.class), &b.preset)));
    let mut group = Vec::new();
    let mut series = Vec::new();
    let mut tpj = Vec::new();
    for p in order {
        group.push(Some(format!("{} · {}", p.class, p.preset)));
        series.push(Some(format!("batch {}", p.batch)));
        tpj.push(Some(p.tokens_per_j));
    }
    let table = Table::from_columns(vec![
        ("preset".into(), Column::Text(group)),
        ("batch".into(), Column::Text(series)),
        ("tokens_per_j".into(), Column::Numeric(tpj)),
    ])?;
    let mut cfg = GroupedBarsConfig::new("preset", "batch", "tokens_per_j");
    cfg.log_y = true;
    cfg.title = "Llama-2-7B decode: energy efficiency by platform class, batch 1 and 8".into();
    cfg.x_label = Some("platform class · preset".into());
    cfg.y_label = Some("tokens/J".into());
    let path = ctx.out_dir.join("tokens-per-joule.png");
    grouped_bars(&table, &cfg, &Output::new(&path).with_size(2000, 800))
        .with_context(|| format!("drawing {}", path.display()))?;
    files.push(path);
    Ok(files)
}

/// The survey's order of classes.
fn class_rank(class: &str) -> usize {
    ["CPU", "GPU", "FPGA", "ASIC", "IMC", "PIM/NDP"]
        .iter()
        .position(|c| *c == class)
        .unwrap_or(6)
}
