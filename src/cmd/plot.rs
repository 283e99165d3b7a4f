//! `silica plot`: draw a results CSV (scatter with Pareto front, grouped bars), a stacked
//! energy breakdown (long-format CSV or kernel/run JSON), or a platform's roofline with
//! the operators of runs placed on it. Also the drawing of a sweep spec's `[[plot]]`s,
//! shared by `silica sweep`, `silica merge` and `silica report`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use arch::Platform;
use arch::overrides::parse_assignment;
use clap::{Args, ValueEnum};
use reports::{
    Breakdown, ColorScale, Column, ComputeCeiling, Direction, GroupedBarsConfig, MemoryCeiling,
    OperatorPoint, Output, ParetoFront, PointLabels, Roofline, RooflineConfig, ScatterConfig,
    StackedBarsConfig, Table, grouped_bars, roofline, scatter, stacked_bars,
};
use sweeps::{Plot, PlotKind, Sense, Spec};

use super::breakdown::{JsonRun, json_breakdown, read_json_runs};

const EXAMPLES: &str = "\
Examples:
  silica plot out/results.csv --x latency_s --y energy_j --color arch.pe_array.rows --pareto --log-x --log-y
  silica plot out/results.csv --x latency_s --y energy_j --where arch.dram.channels=8 --where arch.pe_array.dataflow=os
  silica plot out/results.csv --kind bars --group arch --series workload.batch --y tokens_per_s --out bars.svg
  silica plot breakdown.csv --kind stacked --group design --series unit --y energy_j
  silica kernel gemm --arch tpu-v1 --m 512 --k 4096 --n 4096 --json > gemm.json
  silica plot gemm.json gemv.json --kind stacked --by action --out energy.png
  silica plot gemm.json gemv.json --kind roofline --arch tpu-v1 --out roofline.svg
  silica plot run.json --kind stacked --by category --y latency_s   # a run report's time split

Pareto directions come from the column names: latency, energy, EDP, power, cycles, bytes
and area are minimised; tokens_per_s, tokens_per_j, utilization and flops_per_s are
maximised. --min COL / --max COL override them. Rows of a sweep's results.csv whose
status is not `ok` are left out unless --all-rows is given.";

/// Plot kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// One marker per row: --x, --y, optional --color and --pareto.
    Scatter,
    /// Grouped bars: --group (x clusters), --series (bars), --y (height).
    Bars,
    /// Stacked bars: a long-format CSV (--group, --series, --y) or kernel/run JSON files
    /// (--by unit, action, unit-action or category).
    Stacked,
    /// A platform's roofline (--arch) with the operators of kernel/run JSON files.
    Roofline,
}

/// How the energy of JSON runs is split in a stacked plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// By unit (pe_array, global_buffer, dram…).
    Unit,
    /// By action (mac, read, leakage…).
    Action,
    /// By unit and action (`dram.access`).
    UnitAction,
    /// By operator category (run reports; with --y latency_s for time instead of energy).
    Category,
}

/// Arguments of `silica plot`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct PlotArgs {
    /// A CSV file (results.csv or any table), or `silica kernel --json` files for stacked
    /// and roofline plots.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// What to draw.
    #[arg(long, value_enum, default_value = "scatter")]
    pub kind: Kind,
    /// Column on the x axis (scatter).
    #[arg(long)]
    pub x: Option<String>,
    /// Column on the y axis (scatter), the bar height (bars) or the stacked value.
    #[arg(long)]
    pub y: Option<String>,
    /// Column that colours the markers (scatter).
    #[arg(long)]
    pub color: Option<String>,
    /// Highlight the Pareto front of x and y (scatter).
    #[arg(long)]
    pub pareto: bool,
    /// Treat COL as minimised for the Pareto front (repeatable).
    #[arg(long = "min", value_name = "COL")]
    pub minimize: Vec<String>,
    /// Treat COL as maximised for the Pareto front (repeatable).
    #[arg(long = "max", value_name = "COL")]
    pub maximize: Vec<String>,
    /// Logarithmic x axis.
    #[arg(long)]
    pub log_x: bool,
    /// Logarithmic y axis.
    #[arg(long)]
    pub log_y: bool,
    /// Column of the x clusters (bars) or of the bars (stacked CSV).
    #[arg(long)]
    pub group: Option<String>,
    /// Column of the bars within a cluster (bars) or of the segments (stacked CSV).
    #[arg(long)]
    pub series: Option<String>,
    /// Split of JSON runs in a stacked plot.
    #[arg(long, value_enum, default_value = "unit")]
    pub by: By,
    /// Stacked bars as shares of each total (%).
    #[arg(long)]
    pub normalize: bool,
    /// Platform of a roofline: preset name or .toml file.
    #[arg(long)]
    pub arch: Option<String>,
    /// Override a platform key: --set pe_array.rows=64 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Keep rows of every status (default: only `ok` rows of a sweep's results).
    #[arg(long)]
    pub all_rows: bool,
    /// Keep only rows where COL equals VALUE (repeatable; numbers compare as numbers):
    /// a slice of a sweep, e.g. --where arch.dram.channels=8.
    #[arg(long = "where", value_name = "COL=VALUE")]
    pub filter: Vec<String>,
    /// Title (default: none).
    #[arg(long, default_value = "")]
    pub title: String,
    /// Output image, .png or .svg (default: beside the first input, named after the plot).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Image width, pixels.
    #[arg(long, default_value_t = 1000)]
    pub width: u32,
    /// Image height, pixels.
    #[arg(long, default_value_t = 700)]
    pub height: u32,
}

/// Which way a column is better, from its name: throughput-like columns are maximised,
/// everything else (latency, energy, EDP, power, cycles, bytes, area) minimised.
pub fn direction_of(column: &str) -> Direction {
    let c = column.to_ascii_lowercase();
    let max = [
        "tokens_per_s",
        "tokens_per_j",
        "utilization",
        "flops_per_s",
        "throughput",
    ];
    if max.iter().any(|m| c.contains(m)) {
        Direction::Maximize
    } else {
        Direction::Minimize
    }
}

fn sense(d: Direction) -> Sense {
    match d {
        Direction::Minimize => Sense::Minimize,
        Direction::Maximize => Sense::Maximize,
    }
}

/// The rows whose `status` is `ok` (all rows when there is no `status` column).
pub fn ok_rows(table: &Table) -> Table {
    match table.column("status") {
        Ok(col @ Column::Text(_)) => {
            let rows: Vec<usize> = (0..table.n_rows())
                .filter(|&r| col.category(r).as_deref() == Some("ok"))
                .collect();
            table.select_rows(&rows)
        }
        _ => table.clone(),
    }
}

/// One flag per row: on the Pareto front of `columns` with `directions`.
pub fn pareto_flags(table: &Table, columns: &[(String, Direction)]) -> Result<Vec<bool>> {
    let cols = columns
        .iter()
        .map(|(c, _)| table.numeric(c))
        .collect::<Result<Vec<_>, _>>()?;
    let points: Vec<Vec<f64>> = (0..table.n_rows())
        .map(|r| cols.iter().map(|c| c[r].unwrap_or(f64::NAN)).collect())
        .collect();
    let senses: Vec<Sense> = columns.iter().map(|(_, d)| sense(*d)).collect();
    Ok(sweeps::pareto::front(&points, &senses))
}

fn load_table(path: &Path, all_rows: bool) -> Result<Table> {
    let t = Table::from_csv_path(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(if all_rows { t } else { ok_rows(&t) })
}

/// Keeps the rows where every `COL=VALUE` of `filters` holds.
fn filter_rows(table: Table, filters: &[String]) -> Result<Table> {
    let mut rows: Vec<usize> = (0..table.n_rows()).collect();
    for f in filters {
        let (col, want) = f
            .split_once('=')
            .with_context(|| format!("--where `{f}`: expected COL=VALUE"))?;
        let column = table.column(col.trim())?;
        let want = want.trim();
        let number = want.parse::<f64>().ok();
        rows.retain(|&r| match (column, number) {
            (Column::Numeric(v), Some(x)) => v[r] == Some(x),
            _ => column.category(r).as_deref() == Some(want),
        });
    }
    if rows.is_empty() {
        bail!("no row matches --where {}", filters.join(" --where "));
    }
    Ok(table.select_rows(&rows))
}

fn need<'a>(v: &'a Option<String>, flag: &str, kind: &str) -> Result<&'a str> {
    v.as_deref()
        .with_context(|| format!("a {kind} plot needs {flag} COLUMN"))
}

/// Runs `silica plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    let first = &args.inputs[0];
    let name = match args.kind {
        Kind::Scatter => format!(
            "{}-vs-{}",
            args.y.as_deref().unwrap_or("y"),
            args.x.as_deref().unwrap_or("x")
        ),
        Kind::Bars => format!("{}-bars", args.y.as_deref().unwrap_or("value")),
        Kind::Stacked => "breakdown".to_string(),
        Kind::Roofline => "roofline".to_string(),
    };
    let path = args.out.clone().unwrap_or_else(|| {
        first
            .with_file_name(format!("{}.png", name.replace(['/', ' '], "_")))
            .clone()
    });
    let out = Output::new(&path).with_size(args.width, args.height);
    let one_csv = || -> Result<Table> {
        if args.inputs.len() > 1 {
            bail!("a {:?} plot takes one CSV file", args.kind);
        }
        filter_rows(load_table(first, args.all_rows)?, &args.filter)
    };
    match args.kind {
        Kind::Scatter => {
            let table = one_csv()?;
            let x = need(&args.x, "--x", "scatter")?;
            let y = need(&args.y, "--y", "scatter")?;
            let dir = |c: &str| {
                if args.maximize.iter().any(|m| m == c) {
                    Direction::Maximize
                } else if args.minimize.iter().any(|m| m == c) {
                    Direction::Minimize
                } else {
                    direction_of(c)
                }
            };
            let pareto = if args.pareto {
                let dirs = [(x.to_string(), dir(x)), (y.to_string(), dir(y))];
                Some(ParetoFront {
                    on_front: pareto_flags(&table, &dirs)?,
                    x: dirs[0].1,
                    y: dirs[1].1,
                })
            } else {
                None
            };
            let config = ScatterConfig {
                color: args.color.clone(),
                pareto,
                log_x: args.log_x,
                log_y: args.log_y,
                title: args.title.clone(),
                ..ScatterConfig::new(x, y)
            };
            scatter(&table, &config, &out)?;
        }
        Kind::Bars => {
            let table = one_csv()?;
            let config = GroupedBarsConfig {
                log_y: args.log_y,
                title: args.title.clone(),
                ..GroupedBarsConfig::new(
                    need(&args.group, "--group", "bars")?,
                    need(&args.series, "--series", "bars")?,
                    need(&args.y, "--y", "bars")?,
                )
            };
            grouped_bars(&table, &config, &out)?;
        }
        Kind::Stacked => {
            let breakdown = if is_json(first) {
                let runs = read_json_runs(&args.inputs)?;
                json_breakdown(&runs, args.by, args.y.as_deref().unwrap_or("energy_j"))?
            } else {
                let table = one_csv()?;
                Breakdown::from_long_table(
                    &table,
                    need(&args.group, "--group", "stacked CSV")?,
                    need(&args.series, "--series", "stacked CSV")?,
                    need(&args.y, "--y", "stacked CSV")?,
                )?
            };
            let config = StackedBarsConfig {
                title: args.title.clone(),
                normalize: args.normalize,
                ..Default::default()
            };
            stacked_bars(&breakdown, &config, &out)?;
        }
        Kind::Roofline => {
            let arch = args
                .arch
                .as_deref()
                .context("a roofline plot needs --arch PLATFORM (its peaks are the ceilings)")?;
            let overrides = args
                .set
                .iter()
                .map(|s| parse_assignment(s))
                .collect::<Result<Vec<_>, _>>()?;
            let platform = Platform::load(arch, &overrides)
                .with_context(|| format!("loading platform `{arch}`"))?;
            let runs = read_json_runs(&args.inputs)?;
            let data = platform_roofline(&platform, &runs)?;
            let config = RooflineConfig {
                title: args.title.clone(),
                point_labels: if data.points.len() > 8 {
                    PointLabels::Legend
                } else {
                    PointLabels::Beside
                },
            };
            roofline(&data, &config, &out)?;
        }
    }
    outln!("wrote {}", path.display());
    Ok(())
}

fn is_json(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The platform's ceilings from `Platform::peak` (one compute ceiling per format its units
/// have a peak for; the off-chip bandwidth, or the on-chip one without off-chip memory)
/// and one point per operator of the runs (FLOPs ÷ off-chip bytes, FLOPs ÷ seconds).
pub fn platform_roofline(p: &Platform, runs: &[JsonRun]) -> Result<Roofline> {
    let peaks = p.peak();
    // Formats with the same peak share one ceiling (`fp8/int8`).
    let mut compute: Vec<ComputeCeiling> = Vec::new();
    for (d, v) in &peaks.flops_per_s {
        match compute.iter_mut().find(|c| c.flop_per_s == *v) {
            Some(c) => c.label = format!("{}/{}", c.label, d.name()),
            None => compute.push(ComputeCeiling {
                label: d.name().to_string(),
                flop_per_s: *v,
            }),
        }
    }
    // Operator intensity counts off-chip bytes, so the roof is the off-chip bandwidth; a
    // platform without off-chip memory (SRAM-only, IMC) is bounded by its on-chip one.
    let memory: Vec<MemoryCeiling> = match (peaks.dram_bytes_per_s, peaks.internal_bytes_per_s) {
        (Some(b), _) => vec![MemoryCeiling {
            label: "DRAM".into(),
            bytes_per_s: b,
        }],
        (None, Some(b)) => vec![MemoryCeiling {
            label: "on-chip".into(),
            bytes_per_s: b,
        }],
        (None, None) => Vec::new(),
    };
    if compute.is_empty() || memory.is_empty() {
        bail!(
            "platform `{}` states no compute peak or no memory bandwidth to draw a roofline \
             from (units: {})",
            p.name,
            p.units().join(", ")
        );
    }
    let several = runs.len() > 1;
    let points = runs
        .iter()
        .flat_map(|r| {
            r.operators.iter().map(move |o| {
                let label = if several && o.name != r.label {
                    format!("{} ({})", o.name, r.label)
                } else {
                    o.name.clone()
                };
                (label, o)
            })
        })
        .filter(|(_, o)| o.flops > 0.0 && o.bytes > 0.0 && o.seconds > 0.0)
        .map(|(label, o)| OperatorPoint {
            label,
            intensity_flop_per_byte: o.flops / o.bytes,
            attained_flop_per_s: o.flops / o.seconds,
        })
        .collect();
    Ok(Roofline {
        compute,
        memory,
        points,
    })
}

/// Draws one `[[plot]]` of `spec` from `dir/results.csv` (rows with status `ok`) into
/// `dir/<file>`. Pareto senses come from the spec's objectives, else from the names.
pub fn draw_spec_plot(spec: &Spec, plot: &Plot, dir: &Path) -> Result<PathBuf> {
    let table = load_table(&dir.join("results.csv"), false)?;
    let dir_of = |c: &str| {
        spec.objectives()
            .iter()
            .find(|o| o.metric == c)
            .map_or_else(
                || direction_of(c),
                |o| match o.sense {
                    Sense::Minimize => Direction::Minimize,
                    Sense::Maximize => Direction::Maximize,
                },
            )
    };
    let path = dir.join(&plot.file);
    let out = Output::new(&path);
    let title = plot
        .title
        .clone()
        .unwrap_or_else(|| format!("{} vs {}", plot.y, plot.x));
    match plot.kind {
        PlotKind::Scatter | PlotKind::Line => {
            let pareto = if plot.pareto {
                let dirs = [
                    (plot.x.clone(), dir_of(&plot.x)),
                    (plot.y.clone(), dir_of(&plot.y)),
                ];
                Some(ParetoFront {
                    on_front: pareto_flags(&table, &dirs)?,
                    x: dirs[0].1,
                    y: dirs[1].1,
                })
            } else {
                None
            };
            let line = matches!(plot.kind, PlotKind::Line);
            let config = ScatterConfig {
                color: plot.color.clone(),
                // A line per colour value: the colours must be categories.
                color_scale: if line {
                    ColorScale::Categorical
                } else {
                    ColorScale::Auto
                },
                pareto,
                log_x: plot.log_x,
                log_y: plot.log_y,
                title,
                join: line,
                ..ScatterConfig::new(&plot.x, &plot.y)
            };
            scatter(&table, &config, &out)?;
        }
        PlotKind::Bars => {
            let series = plot
                .color
                .as_deref()
                .context("a `bars` plot needs `color` (the column of the bars in a group)")?;
            let config = GroupedBarsConfig {
                log_y: plot.log_y,
                title,
                ..GroupedBarsConfig::new(&plot.x, series, &plot.y)
            };
            grouped_bars(&table, &config, &out)?;
        }
    }
    Ok(path)
}

/// Draws every `[[plot]]` of `spec` into `dir`; a plot that fails is reported on stderr
/// and the others are still drawn. Returns the files written.
pub fn draw_spec_plots(spec: &Spec, dir: &Path) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for plot in spec.plots() {
        match draw_spec_plot(spec, plot, dir) {
            Ok(p) => written.push(p),
            Err(e) => eprintln!("warning: plot `{}` not drawn: {e:#}", plot.file),
        }
    }
    written
}
