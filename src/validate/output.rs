//! What `silica validate` prints and writes: terminal tables, `validate.csv` (per case),
//! `validate-mape.csv` (per class and overall), `validate-claims.csv`, the
//! predicted-vs-measured plot and the JSON document.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use reports::{Cell, Column, Output, ReferenceLine, ScatterConfig, Table, TextTable, scatter};
use serde_json::{Value, json};

use super::fit::Param;
use super::run::{Calibration, Evaluation, fitted_params};
use super::score::{CaseResult, Ratio, claim_summary};

/// `x` rounded to one decimal (percentages in tables).
fn d1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `x` rounded to 3 decimals (ratios in tables).
fn d3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn table(headers: &[&str], rows: Vec<Vec<Cell>>) -> anyhow::Result<String> {
    let mut t = TextTable::new(headers.iter().map(|h| h.to_string()).collect());
    t.significant = 6;
    for r in rows {
        t.push_row(r)?;
    }
    Ok(t.to_terminal())
}

/// Per-case table: case, class group, platform, measured, predicted, error.
pub fn cases_table(e: &Evaluation, results: &[CaseResult]) -> anyhow::Result<String> {
    let rows = results
        .iter()
        .zip(&e.platform)
        .map(|(r, p)| {
            vec![
                Cell::text(&r.id),
                Cell::text(&r.group),
                Cell::text(p),
                Cell::Number(d3(r.measured_us)),
                Cell::Number(d3(r.predicted_us)),
                Cell::Number(d1(r.error_pct())),
            ]
        })
        .collect();
    table(
        &[
            "case",
            "class",
            "platform",
            "measured_us",
            "predicted_us",
            "error_%",
        ],
        rows,
    )
}

/// MAPE per group and overall.
pub fn mape_table(e: &Evaluation) -> anyhow::Result<String> {
    let mut rows: Vec<Vec<Cell>> = e
        .by_group()
        .into_iter()
        .map(|(g, n, m)| vec![Cell::text(g), Cell::Number(n as f64), Cell::Number(d1(m))])
        .collect();
    rows.push(vec![
        Cell::text("overall"),
        Cell::Number(e.results.len() as f64),
        Cell::Number(d1(e.overall())),
    ]);
    table(&["class", "cases", "MAPE_%"], rows)
}

/// The claims: headline geometric means, then every ratio.
pub fn claims_table(claims: &[Ratio]) -> anyhow::Result<String> {
    let mut rows: Vec<Vec<Cell>> = claim_summary(claims)
        .into_iter()
        .map(|(c, n, m, p)| {
            vec![
                Cell::text(format!("{} (geomean)", c.describe())),
                Cell::Number(n as f64),
                Cell::Number(d3(m)),
                Cell::Number(d3(p)),
            ]
        })
        .collect();
    rows.extend(claims.iter().map(|c| {
        vec![
            Cell::text(format!("  {}", c.what)),
            Cell::Number(1.0),
            Cell::Number(d3(c.measured)),
            Cell::Number(d3(c.predicted)),
        ]
    }));
    table(
        &[
            "speed-up (baseline / improved)",
            "cases",
            "measured",
            "predicted",
        ],
        rows,
    )
}

/// Calibration tables: parameters, then held-out (and training) MAPE per class.
pub fn calibration_text(c: &Calibration) -> anyhow::Result<String> {
    let mut s = String::new();
    let n_train = c.train.iter().filter(|t| **t).count();
    writeln!(
        s,
        "split: seed {}, {} cases train, {} held out (half of each class, by a hash of case_id)",
        c.seed,
        n_train,
        c.train.len() - n_train
    )?;
    writeln!(
        s,
        "fit: compass search on the training half, {} evaluations; objective (mean of class \
         MAPEs) {:.1} % -> {:.1} %\n",
        c.fit.evaluations, c.fit.train_objective.0, c.fit.train_objective.1
    )?;
    let rows = fitted_params()
        .into_iter()
        .map(|p| {
            vec![
                Cell::text(if p.in_preset() {
                    format!("gpu.efficiency.{}", p.key())
                } else {
                    format!("composition.{}", p.key())
                }),
                Cell::Number(c.start.get(p)),
                Cell::Number(c.fit.model.get(p)),
            ]
        })
        .collect();
    s.push_str(&table(&["parameter", "before", "fitted"], rows)?);
    s.push('\n');
    s.push_str(&efficiency_toml(c));
    s.push('\n');
    let half = |h: Half| match h {
        Some((n, b, a)) => [
            Cell::Number(n as f64),
            Cell::Number(d1(b)),
            Cell::Number(d1(a)),
        ],
        None => [Cell::Number(0.0), Cell::Empty, Cell::Empty],
    };
    let mut rows: Vec<Vec<Cell>> = fit_by_class(c)
        .into_iter()
        .map(|(g, held, train)| {
            let mut row = vec![Cell::text(g)];
            row.extend(half(held));
            row.extend(half(train));
            row
        })
        .collect();
    let (b, a) = c.held_out_overall();
    let (tb, ta) = c.training_overall();
    let n_test = c.train.iter().filter(|t| !**t).count();
    rows.push(vec![
        Cell::text("overall"),
        Cell::Number(n_test as f64),
        Cell::Number(d1(b)),
        Cell::Number(d1(a)),
        Cell::Number(n_train as f64),
        Cell::Number(d1(tb)),
        Cell::Number(d1(ta)),
    ]);
    s.push_str(&table(
        &[
            "class",
            "held_out",
            "MAPE_before_%",
            "MAPE_after_%",
            "train",
            "train_before_%",
            "train_after_%",
        ],
        rows,
    )?);
    Ok(s)
}

/// One half of a class in a calibration: (cases, MAPE before %, MAPE after %), `None`
/// where the half holds no case of the class (a class of one case trains it).
pub type Half = Option<(usize, f64, f64)>;

/// Per class of a calibration, in name order: (class, held-out half, training half).
pub fn fit_by_class(c: &Calibration) -> Vec<(String, Half, Half)> {
    let mut by: BTreeMap<String, (Half, Half)> = BTreeMap::new();
    for (g, n, b, a) in c.held_out() {
        by.entry(g).or_default().0 = Some((n, b, a));
    }
    for (g, n, b, a) in c.training() {
        by.entry(g).or_default().1 = Some((n, b, a));
    }
    by.into_iter().map(|(g, (h, t))| (g, h, t)).collect()
}

/// The fitted `[gpu.efficiency]` table and composition values as TOML text.
pub fn efficiency_toml(c: &Calibration) -> String {
    let mut s = String::from("[gpu.efficiency]\n");
    for p in fitted_params().into_iter().filter(|p| p.in_preset()) {
        s.push_str(&format!("{} = {}\n", p.key(), c.fit.model.get(p)));
    }
    s.push_str(&format!(
        "# host (silica validate --host-gap-us): {} = {}\n",
        Param::HostLaunchGapUs.key(),
        c.fit.model.get(Param::HostLaunchGapUs)
    ));
    s
}

/// Writes `dir/validate.csv`: one row per case (with the split and the uncalibrated
/// prediction when calibrating).
pub fn write_csv(
    dir: &Path,
    e: &Evaluation,
    results: &[CaseResult],
    cal: Option<&Calibration>,
) -> anyhow::Result<()> {
    let path = dir.join("validate.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing `{}`", path.display()))?;
    let mut header = vec![
        "case_id",
        "class",
        "platform",
        "measured_us",
        "predicted_us",
        "error_pct",
    ];
    if cal.is_some() {
        header.extend(["split", "predicted_before_us", "error_before_pct"]);
    }
    w.write_record(&header)?;
    for (i, r) in results.iter().enumerate() {
        let mut rec = vec![
            r.id.clone(),
            r.group.clone(),
            e.platform[i].clone(),
            format!("{}", r.measured_us),
            format!("{}", r.predicted_us),
            format!("{}", r.error_pct()),
        ];
        if let Some(c) = cal {
            rec.push(if c.train[i] { "train" } else { "held_out" }.into());
            rec.push(format!("{}", c.before[i].predicted_us));
            rec.push(format!("{}", c.before[i].error_pct()));
        }
        w.write_record(&rec)?;
    }
    w.flush()
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

fn csv_writer(path: &Path) -> anyhow::Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("writing `{}`", path.display()))
}

/// Writes `dir/validate-mape.csv`: one row per class and an `overall` row, with the cases
/// and the MAPE (%) of `results` (the calibrated model with `cal`); with `cal` also the
/// held-out and training halves, each as cases and MAPE before and after the fit (empty
/// where a half holds no case of the class).
pub fn write_mape_csv(
    dir: &Path,
    results: &[CaseResult],
    cal: Option<&Calibration>,
) -> anyhow::Result<()> {
    let path = dir.join("validate-mape.csv");
    let mut w = csv_writer(&path)?;
    let mut header = vec!["class", "cases", "mape_pct"];
    if cal.is_some() {
        header.extend([
            "held_out",
            "held_out_before_pct",
            "held_out_after_pct",
            "train",
            "train_before_pct",
            "train_after_pct",
        ]);
    }
    w.write_record(&header)?;
    let half = |h: Half| match h {
        Some((n, b, a)) => [n.to_string(), b.to_string(), a.to_string()],
        None => ["0".into(), String::new(), String::new()],
    };
    let fit: BTreeMap<String, (Half, Half)> = cal
        .map(|c| {
            fit_by_class(c)
                .into_iter()
                .map(|(g, h, t)| (g, (h, t)))
                .collect()
        })
        .unwrap_or_default();
    for (g, n, m) in super::score::mape_by_group(results) {
        let mut rec = vec![g.clone(), n.to_string(), m.to_string()];
        if cal.is_some() {
            let (h, t) = fit.get(&g).copied().unwrap_or((None, None));
            rec.extend(half(h));
            rec.extend(half(t));
        }
        w.write_record(&rec)?;
    }
    let all: Vec<&CaseResult> = results.iter().collect();
    let mut rec = vec![
        "overall".to_string(),
        results.len().to_string(),
        super::score::mape(&all).to_string(),
    ];
    if let Some(c) = cal {
        let n_train = c.train.iter().filter(|t| **t).count();
        let (hb, ha) = c.held_out_overall();
        let (tb, ta) = c.training_overall();
        rec.extend(half(Some((c.train.len() - n_train, hb, ha))));
        rec.extend(half(Some((n_train, tb, ta))));
    }
    w.write_record(&rec)?;
    w.flush()
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

/// Writes `dir/validate-claims.csv`: per claim a `geomean` row (the geometric mean of its
/// ratios), then one `ratio` row per pair of cases, each with the measured and predicted
/// speed-up `baseline / improved`. Only the header where the file has no pair.
pub fn write_claims_csv(dir: &Path, claims: &[Ratio]) -> anyhow::Result<()> {
    let path = dir.join("validate-claims.csv");
    let mut w = csv_writer(&path)?;
    w.write_record([
        "kind",
        "claim",
        "what",
        "baseline",
        "improved",
        "ratios",
        "measured",
        "predicted",
    ])?;
    for (c, n, m, p) in claim_summary(claims) {
        w.write_record([
            "geomean".to_string(),
            c.describe(),
            String::new(),
            String::new(),
            String::new(),
            n.to_string(),
            m.to_string(),
            p.to_string(),
        ])?;
    }
    for r in claims {
        w.write_record([
            "ratio".to_string(),
            r.claim.describe(),
            r.what.clone(),
            r.baseline.clone(),
            r.improved.clone(),
            "1".to_string(),
            r.measured.to_string(),
            r.predicted.to_string(),
        ])?;
    }
    w.flush()
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

/// Draws `dir/validate.png` and `.svg`: predicted against measured, log–log, coloured by
/// class, with the `y = x` line.
pub fn write_plot(dir: &Path, title: &str, results: &[CaseResult]) -> anyhow::Result<()> {
    let t = Table::from_columns(vec![
        (
            "measured_us".into(),
            Column::Numeric(results.iter().map(|r| Some(r.measured_us)).collect()),
        ),
        (
            "predicted_us".into(),
            Column::Numeric(results.iter().map(|r| Some(r.predicted_us)).collect()),
        ),
        (
            "class".into(),
            Column::Text(results.iter().map(|r| Some(r.group.clone())).collect()),
        ),
    ])?;
    let config = ScatterConfig {
        color: Some("class".into()),
        log_x: true,
        log_y: true,
        title: title.to_string(),
        x_label: Some("measured (µs)".into()),
        y_label: Some("predicted (µs)".into()),
        reference_line: Some(ReferenceLine::identity()),
        ..ScatterConfig::new("measured_us", "predicted_us")
    };
    for ext in ["png", "svg"] {
        scatter(
            &t,
            &config,
            &Output::new(dir.join(format!("validate.{ext}"))),
        )?;
    }
    Ok(())
}

fn results_json(e: &Evaluation, results: &[CaseResult], cal: Option<&Calibration>) -> Value {
    results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = json!({
                "case_id": r.id,
                "class": r.group,
                "platform": e.platform[i],
                "measured_us": r.measured_us,
                "predicted_us": r.predicted_us,
                "error_pct": r.error_pct(),
            });
            if let Some(c) = cal {
                v["split"] = json!(if c.train[i] { "train" } else { "held_out" });
                v["predicted_before_us"] = json!(c.before[i].predicted_us);
            }
            v
        })
        .collect()
}

fn mape_json(rows: &[(String, usize, f64)]) -> Value {
    rows.iter()
        .map(|(g, n, m)| (g.clone(), json!({"cases": n, "mape_pct": m})))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn claims_json(claims: &[Ratio]) -> Value {
    json!({
        "summary": claim_summary(claims).into_iter().map(|(c, n, m, p)| json!({
            "what": c.describe(), "cases": n, "measured": m, "predicted": p,
        })).collect::<Vec<_>>(),
        "ratios": claims.iter().map(|c| json!({
            "what": c.what, "baseline": c.baseline, "improved": c.improved,
            "measured": c.measured, "predicted": c.predicted,
        })).collect::<Vec<_>>(),
    })
}

/// The whole run as JSON. With a calibration, `cases`, `mape` and `claims` are those of
/// the fitted model; `fit` holds the split, the parameters and the held-out MAPE.
pub fn json(e: &Evaluation, cal: Option<&Calibration>) -> Value {
    let results = cal.map_or(&e.results, |c| &c.after);
    let by = super::score::mape_by_group(results);
    let all: Vec<&CaseResult> = results.iter().collect();
    let claims = super::score::claims(&e.measured.cases, results);
    let mut v = json!({
        "measured": e.measured.file,
        "skipped_rows": e.measured.skipped,
        "cases": results_json(e, results, cal),
        "mape": {"by_class": mape_json(&by), "overall_pct": super::score::mape(&all)},
        "claims": claims_json(&claims),
    });
    if let Some(c) = cal {
        let params: serde_json::Map<String, Value> = fitted_params()
            .into_iter()
            .map(|p| {
                (
                    p.key().to_string(),
                    json!({"before": c.start.get(p), "fitted": c.fit.model.get(p),
                           "in_preset": p.in_preset()}),
                )
            })
            .collect();
        let held: serde_json::Map<String, Value> = c
            .held_out()
            .into_iter()
            .map(|(g, n, b, a)| (g, json!({"cases": n, "before_pct": b, "after_pct": a})))
            .collect();
        let (b, a) = c.held_out_overall();
        v["fit"] = json!({
            "seed": c.seed,
            "train_cases": c.train.iter().filter(|t| **t).count(),
            "held_out_cases": c.train.iter().filter(|t| !**t).count(),
            "evaluations": c.fit.evaluations,
            "train_objective_pct": {"before": c.fit.train_objective.0, "after": c.fit.train_objective.1},
            "params": params,
            "held_out": {"by_class": held, "overall": {"before_pct": b, "after_pct": a}},
        });
    }
    v
}
