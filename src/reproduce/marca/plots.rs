//! The MARCA reproduction's figures: speed-up and energy-efficiency bars per model size
//! (the paper's comparison figures), the A100's runtime breakdown at L = 2048 (its
//! motivation figure), the ablation bars, and MARCA's decode lead under slower A100
//! software stacks.

use std::path::PathBuf;

use anyhow::Result;
use reports::{Breakdown, GroupedBarsConfig, StackedBarsConfig, grouped_bars, stacked_bars};

use super::super::Context;
use super::super::draw::figure;
use super::super::rows::{PlotTable, Rows};
use super::{A100, Ablation, Gain, MODELS, Stack};

/// The time categories counted as element-wise (all but the linear projections).
pub const ELEMENTWISE_CATEGORIES: [&str; 5] = [
    "scan_s",
    "nonlinear_s",
    "elementwise_s",
    "conv_s",
    "normalization_s",
];

fn short(model: &str) -> String {
    model.trim_start_matches("mamba-").to_uppercase()
}

/// Draws every figure into `ctx.out_dir`; returns the files.
pub fn draw(
    ctx: &Context,
    gains: &[Gain],
    abl: &Ablation,
    prefill: &Rows,
    stacks: &[Stack],
    array: &Rows,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (value, file, title, label) in [
        (
            (|g: &Gain| g.speedup) as fn(&Gain) -> f64,
            "speedup.png",
            "MARCA speed-up over the A100 and the Xeon 8358P (prefill: max over L = 256–8192)",
            "speed-up (×, log)",
        ),
        (
            |g: &Gain| g.efficiency,
            "energy-efficiency.png",
            "MARCA energy efficiency (tokens/J) over the A100 and the Xeon 8358P",
            "energy-efficiency gain (×, log)",
        ),
    ] {
        files.push(gain_bars(ctx, gains, value, file, title, label)?);
    }
    files.push(breakdown(ctx, prefill)?);
    files.push(ablation(ctx, abl)?);
    files.push(stack_bars(ctx, stacks)?);
    files.push(array_power(ctx, array)?);
    Ok(files)
}

/// Bars per model size: MARCA over each baseline, prefill (max over lengths) and decode.
fn gain_bars(
    ctx: &Context,
    gains: &[Gain],
    value: fn(&Gain) -> f64,
    file: &str,
    title: &str,
    y_label: &str,
) -> Result<PathBuf> {
    let mut bars = Vec::new();
    for m in MODELS {
        for (base, base_label) in [("a100", "A100"), ("xeon", "Xeon 8358P")] {
            for phase in ["prefill", "decode"] {
                let v = gains
                    .iter()
                    .filter(|g| g.model == m && g.baseline == base && g.phase == phase)
                    .map(value)
                    .fold(f64::NEG_INFINITY, f64::max);
                bars.push((short(m), format!("vs {base_label}, {phase}"), v));
            }
        }
    }
    let columns = ("model", "comparison", "gain");
    let t = PlotTable::new().bars(columns, bars).build()?;
    let cfg = GroupedBarsConfig {
        log_y: true,
        title: title.into(),
        x_label: Some("Mamba model".into()),
        y_label: Some(y_label.into()),
        ..GroupedBarsConfig::new(columns.0, columns.1, columns.2)
    };
    figure(ctx, file, (1200, 700), |o| grouped_bars(&t, &cfg, o))
}

/// The A100's prefill time at L = 2048 by operator category, as shares of the step.
fn breakdown(ctx: &Context, p: &Rows) -> Result<PathBuf> {
    let segments = [
        ("linear_s", "linear projections"),
        ("scan_s", "selective scan"),
        ("conv_s", "conv1d"),
        ("normalization_s", "RMSNorm"),
        ("elementwise_s", "element-wise (gating, residual)"),
        ("nonlinear_s", "SiLU / exp"),
    ];
    let mut values = Vec::new();
    for m in MODELS {
        let key = [
            ("arch", A100),
            ("workload.model", m),
            ("workload.prompt", "2048"),
        ];
        let mut row = Vec::new();
        let mut sum = 0.0;
        for (col, _) in segments {
            let v = p.value(&key, col)?;
            sum += v;
            row.push(v);
        }
        row.push((p.value(&key, "latency_s")? - sum).max(0.0));
        values.push(row);
    }
    let mut names: Vec<String> = segments.iter().map(|s| s.1.to_string()).collect();
    names.push("other (memory, launch)".into());
    let b = Breakdown::new(
        "latency_s",
        MODELS.iter().map(|m| short(m)).collect(),
        names,
        values,
    )?;
    let cfg = StackedBarsConfig {
        title: "A100 Mamba prefill at L = 2048: runtime by operator (paper: element-wise ≈ 60 %)"
            .into(),
        normalize: true,
        x_label: Some("Mamba model".into()),
        y_label: Some("share of step time (%)".into()),
    };
    figure(ctx, "a100-breakdown-l2048.png", (1100, 700), |o| {
        stacked_bars(&b, &cfg, o)
    })
}

/// Latency of each ablation variant relative to MARCA, per point.
fn ablation(ctx: &Context, abl: &Ablation) -> Result<PathBuf> {
    let bars = abl
        .rows
        .iter()
        .map(|r| (r.point.clone(), r.label.to_string(), r.slowdown));
    let t = PlotTable::new()
        .bars(("point", "variant", "slowdown"), bars)
        .build()?;
    let cfg = GroupedBarsConfig {
        title: "MARCA ablation (prefill): latency without each idea ÷ MARCA's".into(),
        x_label: Some("Mamba model, prompt length".into()),
        y_label: Some("latency relative to MARCA (×)".into()),
        ..GroupedBarsConfig::new("point", "variant", "slowdown")
    };
    figure(ctx, "ablation.png", (1200, 700), |o| {
        grouped_bars(&t, &cfg, o)
    })
}

/// MARCA's decode speed-up over the A100 per software stack and model size.
fn stack_bars(ctx: &Context, stacks: &[Stack]) -> Result<PathBuf> {
    let mut bars = Vec::new();
    for s in stacks {
        for (m, v) in MODELS.iter().zip(&s.speedups) {
            if v.is_finite() {
                bars.push((s.label.clone(), short(m), *v));
            }
        }
    }
    let t = PlotTable::new()
        .bars(("stack", "model", "speedup"), bars)
        .build()?;
    let cfg = GroupedBarsConfig {
        log_y: true,
        title: "MARCA decode speed-up over the A100 by A100 software stack (paper: up to 11.66×)"
            .into(),
        x_label: Some("A100 launch model and per-kernel overhead".into()),
        y_label: Some("A100 latency ÷ MARCA latency (×, log)".into()),
        ..GroupedBarsConfig::new("stack", "model", "speedup")
    };
    figure(ctx, "a100-stacks-decode.png", (1200, 700), |o| {
        grouped_bars(&t, &cfg, o)
    })
}

/// Compute-bound power of each PE-array size (`marca-array.toml`), per model.
fn array_power(ctx: &Context, a: &Rows) -> Result<PathBuf> {
    let mut bars = Vec::new();
    for n in ["32", "64", "128"] {
        for m in ["mamba-130m", "mamba-2.8b"] {
            let w = a.value(
                &[("arch.pe_array.rows", n), ("workload.model", m)],
                "power_w",
            )?;
            bars.push((format!("{n} × {n}"), short(m), w));
        }
    }
    let t = PlotTable::new()
        .bars(("array", "model", "power_w"), bars)
        .build()?;
    let cfg = GroupedBarsConfig {
        title: "MARCA prefill power by PE-array size, L = 2048 (published chip: 10.44 W)".into(),
        x_label: Some("PE array (rows × cols; tree fan-in = cols)".into()),
        y_label: Some("average power (W)".into()),
        ..GroupedBarsConfig::new("array", "model", "power_w")
    };
    figure(ctx, "array-size-power.png", (1000, 650), |o| {
        grouped_bars(&t, &cfg, o)
    })
}
