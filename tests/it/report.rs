//! `silica report`: REPORT.md with facts, best points, the Pareto table and plot links.

use super::cli::silica;
use super::sweep::small_sweep;

#[test]
fn report_lists_best_points_front_and_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_sweep(tmp.path(), "out", &[]);
    let out = silica().arg("report").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(md.starts_with("# small GEMM sweep\n"), "{md}");
    assert!(
        md.contains("18 ok, 12 error, 2 skipped, 0 infeasible"),
        "{md}"
    );
    assert!(md.contains("## Best point per objective"));
    assert!(
        md.contains("| min latency_s |") && md.contains("| min energy_j "),
        "{md}"
    );
    assert!(md.contains("## Pareto front"));
    assert!(md.contains("![energy_j vs latency_s](pareto.png)"), "{md}");
    assert!(md.contains("(rows.svg)"), "{md}");
    // The minimum latency in the table is the smallest latency of the ok rows.
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    let min = csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some("ok"))
        .map(|l| l.split(',').nth(6).unwrap().parse::<f64>().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(min.is_finite());
    let line = md
        .lines()
        .find(|l| l.starts_with("| min latency_s |"))
        .unwrap();
    let shown: f64 = line.split('|').nth(3).unwrap().trim().parse().unwrap();
    assert!((shown - min).abs() <= 1e-3 * min, "{shown} vs {min}");
}
