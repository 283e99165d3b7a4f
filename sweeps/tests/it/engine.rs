//! Running sweeps: rows by status, failures recorded, determinism across thread counts,
//! resume.

use std::collections::BTreeMap;
use std::fs;

use crate::common::{GRID, cells, read, run, spec, tmp, toy};
use sweeps::synthetic::SyntheticEvaluator;
use sweeps::{ResolvedPoint, RunOptions, Spec, SweepError, run_sweep};

fn opts(threads: usize) -> RunOptions {
    RunOptions {
        threads,
        ..RunOptions::default()
    }
}

#[test]
fn every_point_gets_a_row_and_failures_do_not_stop_the_sweep() {
    let s = spec(GRID);
    let dir = tmp();
    let sum = run(&s, dir.path(), opts(2));
    // By hand (see common::toy): 2 skipped (128×64), 3 errors (rows 32, bits 4) + 1 panic
    // (16×64, bits 8), 11 with area > 8 mm², 7 ok.
    assert_eq!(
        (
            sum.counts.ok,
            sum.counts.error,
            sum.counts.skipped,
            sum.counts.infeasible
        ),
        (7, 4, 2, 11)
    );
    assert_eq!((sum.points, sum.evaluated, sum.resumed), (24, 24, 0));
    let text = read(dir.path(), "results.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 25);
    assert_eq!(
        lines[0],
        "point_id,status,reason,arch.rows,arch.cols,workload.bits,area_mm2,latency_s"
    );
    // area 16·16·4/1000 = 1.024 mm², latency 1/256 s.
    assert_eq!(lines[1], "0,ok,,16,16,4,1.024,0.00390625");
    assert_eq!(
        lines[6],
        "5,error,evaluator panicked: toy evaluator panics on purpose,16,64,8,,"
    );
    // The two-line error message is kept on one line.
    assert_eq!(lines[7], "6,error,no legal mapping | for 32 rows,32,16,4,,");
    // 32·32·8/1000 = 8.192 mm² > 8: infeasible, metrics kept; latency 1/1024 s.
    assert_eq!(
        lines[10],
        "9,infeasible,violates area_mm2 <= 8,32,32,8,8.192,0.0009765625"
    );
    assert_eq!(
        lines[23],
        "22,skipped,violates arch.rows * arch.cols <= 4096,128,64,4,,"
    );
    // Pareto front of (area, latency) over ok rows: ids 0, 2, 4 and 12 (4 and 12 tie at
    // 4.096 mm², 1/1024 s); 1, 3 and 7 are dominated by 0 or 2.
    let ids: Vec<String> = cells(&read(dir.path(), "pareto.csv"))[1..]
        .iter()
        .map(|c| c[0].clone())
        .collect();
    assert_eq!(ids, ["0", "2", "4", "12"]);
    // spec.toml is the resolved spec; meta.json says what ran.
    assert_eq!(read(dir.path(), "spec.toml"), s.to_toml());
    let meta = sweeps::meta::Meta::read(dir.path()).unwrap().unwrap();
    assert_eq!(
        (meta.points_total, meta.seed, meta.runs, meta.shard),
        (24, 11, 1, None)
    );
    assert_eq!(meta.spec_hash, s.hash());
    assert!(meta.finished.is_some());
}

#[test]
fn a_missing_metric_is_an_error_row() {
    let s = spec(GRID);
    let dir = tmp();
    let only_area = |_: &ResolvedPoint| Ok(BTreeMap::from([("area_mm2".to_string(), 1.0)]));
    let sum = run_sweep(&s, &only_area, dir.path(), &opts(1)).unwrap();
    assert_eq!(sum.counts.error, 22);
    let rows = cells(&read(dir.path(), "results.csv"));
    assert_eq!(
        rows[1][2],
        "the evaluator gave no metric `latency_s`; it gave: area_mm2"
    );
}

#[test]
fn one_and_four_threads_write_identical_files() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/synthetic-gemm.toml");
    let s = Spec::from_file(&path).unwrap();
    let (a, b) = (tmp(), tmp());
    let ev = SyntheticEvaluator::default();
    run_sweep(&s, &ev, a.path(), &opts(1)).unwrap();
    run_sweep(&s, &ev, b.path(), &opts(4)).unwrap();
    for f in ["results.csv", "pareto.csv", "spec.toml"] {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
    }
    assert_eq!(
        read(a.path(), "results.csv").lines().count() as u64,
        s.n_points() + 1
    );
}

#[test]
fn a_used_folder_is_refused_without_resume() {
    let s = spec(GRID);
    let dir = tmp();
    run(&s, dir.path(), opts(1));
    let e = run_sweep(&s, &toy, dir.path(), &opts(1)).unwrap_err();
    assert!(
        matches!(e, SweepError::Output { .. }) && e.to_string().contains("resume it"),
        "{e}"
    );
    let other = spec(&GRID.replace("seed = 11", "seed = 12"));
    let resume = RunOptions {
        resume: true,
        ..opts(1)
    };
    let e = run_sweep(&other, &toy, dir.path(), &resume)
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds results of another spec"), "{e}");
    let shard = RunOptions {
        shard: Some("0/2".parse().unwrap()),
        ..resume.clone()
    };
    let e = run_sweep(&s, &toy, dir.path(), &shard)
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds the whole sweep, not shard 0/2"), "{e}");
    // Resuming a finished run evaluates nothing and changes nothing.
    let before = read(dir.path(), "results.csv");
    let sum = run_sweep(&s, &toy, dir.path(), &resume).unwrap();
    assert_eq!((sum.evaluated, sum.resumed), (0, 24));
    assert_eq!(read(dir.path(), "results.csv"), before);
}

#[test]
fn resume_drops_a_partial_line_and_completes_the_rest() {
    let s = spec(GRID);
    let (whole, cut) = (tmp(), tmp());
    run(&s, whole.path(), opts(1));
    run(&s, cut.path(), opts(1));
    // Simulate a kill: rows in finishing order (here: reversed, every third kept), then
    // half of a row without its newline.
    let full = read(whole.path(), "results.csv");
    let lines: Vec<&str> = full.lines().collect();
    let mut text = format!("{}\n", lines[0]);
    for l in lines[1..].iter().rev().step_by(3) {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str(&lines[5][..7]);
    fs::write(cut.path().join("results.csv"), text).unwrap();
    let resume = RunOptions {
        resume: true,
        ..opts(2)
    };
    let sum = run_sweep(&s, &toy, cut.path(), &resume).unwrap();
    assert!(sum.dropped_partial);
    assert_eq!((sum.resumed, sum.evaluated), (8, 16));
    assert_eq!(read(cut.path(), "results.csv"), full);
    assert_eq!(
        sweeps::meta::Meta::read(cut.path()).unwrap().unwrap().runs,
        2
    );
}

#[test]
fn a_malformed_row_is_reported_with_its_line() {
    let s = spec(GRID);
    let dir = tmp();
    run(&s, dir.path(), opts(1));
    let mut text = read(dir.path(), "results.csv");
    text.push_str("x,ok,\n");
    fs::write(dir.path().join("results.csv"), text).unwrap();
    let resume = RunOptions {
        resume: true,
        ..opts(1)
    };
    let e = run_sweep(&s, &toy, dir.path(), &resume)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("results.csv:26: 3 cells, the header has 8"),
        "{e}"
    );
}

#[test]
fn the_evaluator_check_stops_a_typo_before_anything_runs() {
    let s = spec(
        "metrics = [\"latency_s\"]\n[base]\narch = \"synthetic\"\n[[axis]]\nkey = \"arch.pe_array.row\"\nvalues = [8, 16]\n",
    );
    let dir = tmp();
    let e = run_sweep(
        &s,
        &SyntheticEvaluator::default(),
        &dir.path().join("out"),
        &opts(1),
    )
    .unwrap_err();
    // The axis key is on line 5 of the spec, its value at column 7 (`key = "`).
    assert_eq!(
        e.to_string(),
        "test.toml:5:7: axis[0].key = \"arch.pe_array.row\": point 0 was rejected before the \
         sweep started: the synthetic evaluator has no key `pe_array.row` (did you mean \
         `pe_array.rows`?)"
    );
    assert!(!dir.path().join("out").exists());
}
