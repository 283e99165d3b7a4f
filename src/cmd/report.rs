//! `silica report dir/`: write `dir/REPORT.md` for a sweep folder — facts from
//! `meta.json`, the best point per objective, the Pareto table and links to the plots
//! (drawn first when missing).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use reports::{
    Direction, Objective, PlotLink, SweepSummary, Table, best_per_objective, pareto_rows,
};
use sweeps::meta::Meta;
use sweeps::{Sense, Spec};

use super::plot::{direction_of, draw_spec_plot, ok_rows, pareto_flags};

const EXAMPLES: &str = "\
Examples:
  silica sweep sweeps/specs/quant-gemv-bits-group.toml --out out/quant
  silica report out/quant               # writes out/quant/REPORT.md

Objectives come from the spec's [[objective]]s (else every metric, its direction from the
name); the Pareto table is the front of those objectives over the rows with status ok.";

/// Arguments of `silica report`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ReportArgs {
    /// A sweep output folder (results.csv, spec.toml, meta.json).
    pub dir: PathBuf,
}

/// Runs `silica report`.
pub fn run(args: &ReportArgs) -> Result<()> {
    let dir = &args.dir;
    let spec = Spec::from_file(&dir.join("spec.toml"))
        .with_context(|| format!("{} is not a sweep output folder", dir.display()))?;
    let meta = Meta::read(dir)?;
    let results = dir.join("results.csv");
    let all =
        Table::from_csv_path(&results).with_context(|| format!("reading {}", results.display()))?;
    let ok = ok_rows(&all);
    let objectives: Vec<Objective> = if spec.objectives().is_empty() {
        spec.metrics()
            .iter()
            .map(|m| Objective::new(m, direction_of(m)))
            .collect()
    } else {
        spec.objectives()
            .iter()
            .map(|o| {
                let d = match o.sense {
                    Sense::Minimize => Direction::Minimize,
                    Sense::Maximize => Direction::Maximize,
                };
                Objective::new(&o.metric, d)
            })
            .collect()
    };
    let mut shown: Vec<&str> = vec!["point_id"];
    shown.extend(spec.axis_columns().iter().map(String::as_str));
    let best = best_per_objective(&ok, &objectives, &shown)?;
    let pareto = if spec.objectives().is_empty() || ok.n_rows() == 0 {
        None
    } else {
        let cols: Vec<(String, Direction)> = objectives
            .iter()
            .map(|o| (o.column.clone(), o.direction))
            .collect();
        let flags = pareto_flags(&ok, &cols)?;
        let mut columns = shown.clone();
        columns.extend(objectives.iter().map(|o| o.column.as_str()));
        Some(pareto_rows(&ok, &flags, &columns)?)
    };
    let mut plots = Vec::new();
    for plot in spec.plots() {
        let path = dir.join(&plot.file);
        if !path.exists()
            && let Err(e) = draw_spec_plot(&spec, plot, dir)
        {
            eprintln!("warning: plot `{}` not drawn: {e:#}", plot.file);
            continue;
        }
        plots.push(PlotLink {
            caption: plot
                .title
                .clone()
                .unwrap_or_else(|| format!("{} vs {}", plot.y, plot.x)),
            path: plot.file.clone(),
        });
    }
    let mut facts = vec![
        ("spec hash".to_string(), format!("`{}`", spec.hash())),
        ("points".to_string(), spec.n_points().to_string()),
        ("rows in results.csv".to_string(), all.n_rows().to_string()),
    ];
    if let Some(m) = &meta {
        if let Some(c) = &m.counts {
            facts.push((
                "status".to_string(),
                format!(
                    "{} ok, {} error, {} skipped, {} infeasible",
                    c.ok, c.error, c.skipped, c.infeasible
                ),
            ));
        }
        facts.push(("seed".to_string(), m.seed.to_string()));
        facts.push(("started".to_string(), m.started.clone()));
        if let Some(f) = &m.finished {
            facts.push(("finished".to_string(), f.clone()));
        }
        if !m.merged_from.is_empty() {
            facts.push(("merged from".to_string(), m.merged_from.join(", ")));
        }
    }
    let summary = SweepSummary {
        title: spec.name().unwrap_or("Sweep report").to_string(),
        facts,
        paragraphs: vec![
            "The tables show the points with status `ok`: `row` numbers them from 1, \
             `point_id` is the point's id in `results.csv`."
                .to_string(),
        ],
        best: Some(best),
        pareto,
        plots,
    };
    let out = dir.join("REPORT.md");
    std::fs::write(&out, summary.to_markdown())
        .with_context(|| format!("writing {}", out.display()))?;
    outln!("wrote {}", out.display());
    Ok(())
}
