//! The sweep summary: best point per objective, Pareto table, plot links. Golden file
//! written by hand.

use reports::{
    Direction, Objective, PlotLink, ReportError, SweepSummary, best_per_objective, pareto_rows,
};

use crate::common::table;

#[test]
fn summary_matches_the_golden_file() {
    // Row 3 is a failed point: its metrics are empty and it is skipped.
    let t = table("rows,latency_s,energy_j\n8,2,1\n16,1,3\n32,,\n");
    let best = best_per_objective(
        &t,
        &[
            Objective::new("latency_s", Direction::Minimize),
            Objective::new("energy_j", Direction::Minimize),
        ],
        &["rows"],
    )
    .unwrap();
    let pareto = pareto_rows(&t, &[true, true, false], &[]).unwrap();
    let summary = SweepSummary {
        title: "PE sweep".into(),
        facts: vec![("points".into(), "3".into()), ("failed".into(), "1".into())],
        paragraphs: vec!["Row 3 failed: no legal mapping.".into()],
        best: Some(best),
        pareto: Some(pareto),
        plots: vec![PlotLink {
            caption: "Latency vs energy".into(),
            path: "plots/latency energy.png".into(),
        }],
    };
    assert_eq!(summary.to_markdown(), include_str!("golden/summary.md"));
}

#[test]
fn maximise_picks_the_largest_and_ties_go_to_the_first_row() {
    let t = table("id,tokens_per_s\na,5\nb,9\nc,9\n");
    let best = best_per_objective(
        &t,
        &[Objective::new("tokens_per_s", Direction::Maximize)],
        &["id"],
    )
    .unwrap();
    let md = best.to_markdown();
    assert!(
        md.contains("| max tokens_per_s |   2 |     9 | b   |"),
        "{md}"
    );
}

#[test]
fn pareto_flags_must_be_one_per_row() {
    let t = table("a\n1\n2\n");
    let err = pareto_rows(&t, &[true], &[]).unwrap_err();
    assert!(matches!(
        err,
        ReportError::LengthMismatch {
            expected: 2,
            found: 1,
            ..
        }
    ));
}

#[test]
fn empty_parts_are_left_out() {
    let md = SweepSummary {
        title: "T".into(),
        ..Default::default()
    }
    .to_markdown();
    assert_eq!(md, "# T\n");
}
