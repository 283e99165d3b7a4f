//! Draws every plot kind and writes the tables from small synthetic data.
//!
//! ```text
//! cargo run -p reports --example demo -- out/
//! ```
//! writes `scatter.{png,svg}`, `scatter_ramp.png`, `bars.{png,svg}`,
//! `stacked.{png,svg}`, `roofline.{png,svg}` and `summary.md` into `out/`.

use std::path::{Path, PathBuf};

use reports::{
    Breakdown, ColorScale, ComputeCeiling, Direction, GroupedBarsConfig, MemoryCeiling, Objective,
    OperatorPoint, Output, ParetoFront, PlotLink, ReportError, Roofline, RooflineConfig,
    ScatterConfig, StackedBarsConfig, SweepSummary, Table, TextTable, best_per_objective,
    grouped_bars, pareto_rows, roofline, scatter, stacked_bars,
};

/// A made-up PE-array sweep: bigger arrays are faster but spend more energy per MAC
/// (longer wires, lower utilisation); a bigger global buffer saves DRAM traffic but
/// leaks more. Only the shape of the trade-off matters here.
fn sweep_csv() -> String {
    let mut csv = String::from(
        "pe_array.rows,pe_array.cols,global_buffer.size_kib,dataflow,latency_s,energy_j,tokens_per_s\n",
    );
    let macs = 7e9;
    for (d, dataflow) in ["weight_stationary", "output_stationary"]
        .iter()
        .enumerate()
    {
        for rows in [8u32, 16, 32, 64, 128] {
            for cols in [8u32, 16, 32, 64, 128] {
                for kib in [128u32, 512, 2048, 8192] {
                    let pes = f64::from(rows * cols);
                    let util = 1.0 / (1.0 + pes / 8192.0) * if d == 0 { 1.0 } else { 0.85 };
                    let dram_bytes = 1.4e10 / (1.0 + f64::from(kib) / 512.0).sqrt();
                    let latency = macs / (pes * 1e9 * util) + dram_bytes / 1.6e12;
                    let mac_pj = 0.3 * (1.0 + pes / 2048.0) * if d == 0 { 1.0 } else { 0.9 };
                    let leak_w = 0.5 + 0.4 * f64::from(kib) / 1024.0 + pes / 4096.0;
                    let energy =
                        macs * mac_pj * 1e-12 + dram_bytes * 8.0 * 3.9e-12 + leak_w * latency;
                    csv.push_str(&format!(
                        "{rows},{cols},{kib},{dataflow},{latency:.6e},{energy:.6e},{:.6e}\n",
                        1.0 / latency
                    ));
                }
            }
        }
    }
    csv
}

/// Rows on the latency–energy Pareto front (both minimised). Computed here only for the
/// demo: in Silica the front comes from the `sweeps` crate.
fn front(latency: &[Option<f64>], energy: &[Option<f64>]) -> Vec<bool> {
    let pts: Vec<Option<(f64, f64)>> = latency.iter().zip(energy).map(|(l, e)| l.zip(*e)).collect();
    pts.iter()
        .map(|p| match p {
            None => false,
            Some((l, e)) => !pts
                .iter()
                .flatten()
                .any(|(l2, e2)| l2 <= l && e2 <= e && (l2 < l || e2 < e)),
        })
        .collect()
}

fn platforms_csv() -> &'static str {
    "platform,batch,tokens_per_j\n\
     CPU (Xeon 8380),1,0.9\nCPU (Xeon 8380),8,5.1\n\
     GPU (A100),1,3.2\nGPU (A100),8,21.0\n\
     FPGA (U280),1,6.5\nFPGA (U280),8,14.2\n\
     ASIC,1,48.0\nASIC,8,160.0\n\
     PIM (HBM-PIM),1,22.0\nPIM (HBM-PIM),8,35.0\n"
}

fn energy_csv() -> &'static str {
    "run,unit,energy_j\n\
     decode b1,PE array,0.021\ndecode b1,global buffer,0.034\ndecode b1,HBM,0.310\ndecode b1,nonlinear,0.004\n\
     decode b8,PE array,0.160\ndecode b8,global buffer,0.120\ndecode b8,HBM,0.330\ndecode b8,nonlinear,0.030\n\
     prefill 512,PE array,2.900\nprefill 512,global buffer,1.400\nprefill 512,HBM,0.900\nprefill 512,nonlinear,0.450\n"
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "demo-out".into()));
    std::fs::create_dir_all(&dir)?;
    let out = |name: &str| Output::new(dir.join(name));

    let sweep = Table::from_csv_reader(sweep_csv().as_bytes(), "synthetic sweep")?;
    let on_front = front(sweep.numeric("latency_s")?, sweep.numeric("energy_j")?);
    let pareto = ParetoFront {
        on_front: on_front.clone(),
        x: Direction::Minimize,
        y: Direction::Minimize,
    };
    let mut config = ScatterConfig {
        color: Some("dataflow".into()),
        pareto: Some(pareto),
        log_x: true,
        log_y: true,
        title: "PE-array sweep: latency vs energy".into(),
        ..ScatterConfig::new("latency_s", "energy_j")
    };
    for name in ["scatter.png", "scatter.svg"] {
        scatter(&sweep, &config, &out(name))?;
    }
    config.color = Some("pe_array.rows".into());
    config.color_scale = ColorScale::LogContinuous;
    config.title = "coloured by PE rows".into();
    scatter(
        &sweep,
        &config,
        &out("scatter_ramp.png").with_size(800, 560),
    )?;

    let platforms = Table::from_csv_reader(platforms_csv().as_bytes(), "platforms")?;
    let bars = GroupedBarsConfig {
        log_y: true,
        title: "Llama-2-7B decode: energy efficiency by platform".into(),
        ..GroupedBarsConfig::new("platform", "batch", "tokens_per_j")
    };
    for name in ["bars.png", "bars.svg"] {
        grouped_bars(&platforms, &bars, &out(name))?;
    }

    let energy = Table::from_csv_reader(energy_csv().as_bytes(), "energy")?;
    let breakdown = Breakdown::from_long_table(&energy, "run", "unit", "energy_j")?;
    let stacked = StackedBarsConfig {
        title: "Energy by unit".into(),
        ..Default::default()
    };
    for name in ["stacked.png", "stacked.svg"] {
        stacked_bars(&breakdown, &stacked, &out(name))?;
    }
    let shares = StackedBarsConfig {
        normalize: true,
        title: "Energy shares by unit".into(),
        ..stacked
    };
    stacked_bars(&breakdown, &shares, &out("stacked_shares.png"))?;

    for name in ["roofline.png", "roofline.svg"] {
        roofline(
            &a100_like(),
            &RooflineConfig {
                title: "A100-like roofline".into(),
                ..Default::default()
            },
            &out(name),
        )?;
    }

    write_summary(&dir, &sweep, &on_front)?;
    println!("wrote plots and summary.md to {}", dir.display());
    Ok(())
}

/// Ceilings of an A100-SXM4-40GB-like part (NVIDIA A100 datasheet: 312 TFLOP/s FP16
/// tensor, 19.5 TFLOP/s FP32, 1.555 TB/s HBM2) and made-up operator points.
fn a100_like() -> Roofline {
    let op = |label: &str, i: f64, f: f64| OperatorPoint {
        label: label.into(),
        intensity_flop_per_byte: i,
        attained_flop_per_s: f,
    };
    Roofline {
        compute: vec![
            ComputeCeiling {
                label: "FP16 tensor".into(),
                flop_per_s: 312e12,
            },
            ComputeCeiling {
                label: "FP32".into(),
                flop_per_s: 19.5e12,
            },
        ],
        memory: vec![
            MemoryCeiling {
                label: "HBM2".into(),
                bytes_per_s: 1.555e12,
            },
            MemoryCeiling {
                label: "PCIe 4".into(),
                bytes_per_s: 32e9,
            },
        ],
        points: vec![
            op("qkv_proj (b1)", 1.0, 1.3e12),
            op("attn_score (b1)", 0.9, 0.8e12),
            op("ffn_up (b8)", 7.9, 10.5e12),
            op("ffn_down (b8)", 7.8, 9.9e12),
            op("prefill gemm", 420.0, 250e12),
            op("softmax", 0.6, 0.3e12),
        ],
    }
}

fn write_summary(dir: &Path, sweep: &Table, on_front: &[bool]) -> Result<(), ReportError> {
    let shown = [
        "pe_array.rows",
        "pe_array.cols",
        "global_buffer.size_kib",
        "dataflow",
    ];
    let best = best_per_objective(
        sweep,
        &[
            Objective::new("latency_s", Direction::Minimize),
            Objective::new("energy_j", Direction::Minimize),
            Objective::new("tokens_per_s", Direction::Maximize),
        ],
        &shown,
    )?;
    let mut cols = shown.to_vec();
    cols.extend(["latency_s", "energy_j"]);
    let pareto: TextTable = pareto_rows(sweep, on_front, &cols)?;
    let summary = SweepSummary {
        title: "Synthetic PE-array sweep".into(),
        facts: vec![
            ("points".into(), sweep.n_rows().to_string()),
            ("failed".into(), "0".into()),
        ],
        paragraphs: vec!["Made-up numbers, to show the layout.".into()],
        best: Some(best),
        pareto: Some(pareto),
        plots: vec![
            PlotLink {
                caption: "Latency vs energy".into(),
                path: "scatter.png".into(),
            },
            PlotLink {
                caption: "Platforms".into(),
                path: "bars.png".into(),
            },
        ],
    };
    let path = dir.join("summary.md");
    std::fs::write(&path, summary.to_markdown()).map_err(|source| ReportError::Io {
        action: "write",
        path,
        source,
    })
}
