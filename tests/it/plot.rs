//! `silica plot`: scatter with Pareto front, grouped bars, stacked breakdowns from a CSV
//! and from kernel JSON, rooflines; errors name the column.

use std::path::Path;

use super::cli::silica;
use super::sweep::{png_size, small_sweep, svg_size};

fn run(args: &[&str]) -> std::process::Output {
    silica().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "silica {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn scatter_and_bars_from_results() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = small_sweep(tmp.path(), "out", &["--no-plots"]);
    let csv = dir.join("results.csv");
    let svg = tmp.path().join("front.svg");
    ok(&[
        "plot",
        s(&csv),
        "--x",
        "latency_s",
        "--y",
        "energy_j",
        "--color",
        "arch.pe_array.cols",
        "--pareto",
        "--log-x",
        "--log-y",
        "--out",
        s(&svg),
        "--width",
        "800",
        "--height",
        "600",
    ]);
    assert_eq!(svg_size(&svg), (800, 600));
    // A slice of the sweep; a slice with no row is an error.
    let slice = tmp.path().join("slice.png");
    ok(&[
        "plot",
        s(&csv),
        "--x",
        "latency_s",
        "--y",
        "energy_j",
        "--where",
        "arch.global_buffer.size_kib=64",
        "--out",
        s(&slice),
    ]);
    assert_eq!(png_size(&slice), (1000, 700));
    let out = run(&[
        "plot",
        s(&csv),
        "--x",
        "latency_s",
        "--y",
        "energy_j",
        "--where",
        "arch.pe_array.rows=7",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no row matches"));
    // Default output name beside the input.
    ok(&[
        "plot",
        s(&csv),
        "--x",
        "arch.pe_array.rows",
        "--y",
        "utilization",
    ]);
    assert_eq!(
        png_size(&dir.join("utilization-vs-arch.pe_array.rows.png")),
        (1000, 700)
    );
    // Two rows (2 and 64 KiB) give a bar for rows 8, cols 8: the error says so.
    let out = run(&[
        "plot",
        s(&csv),
        "--kind",
        "bars",
        "--group",
        "arch.pe_array.rows",
        "--series",
        "arch.pe_array.cols",
        "--y",
        "latency_s",
    ]);
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("both give a value"), "{e}");
    // A typo'd column is answered with the closest name.
    let out = run(&["plot", s(&csv), "--x", "latency", "--y", "energy_j"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && e.contains("latency_s"), "{e}");
    let bars = tmp.path().join("bars.csv");
    std::fs::write(
        &bars,
        "platform,batch,tokens_per_s\ngpu,1,30\ngpu,8,200\nasic,1,50\nasic,8,310\n",
    )
    .unwrap();
    let png = tmp.path().join("bars.png");
    ok(&[
        "plot",
        s(&bars),
        "--kind",
        "bars",
        "--group",
        "platform",
        "--series",
        "batch",
        "--y",
        "tokens_per_s",
        "--out",
        s(&png),
    ]);
    assert_eq!(png_size(&png), (1000, 700));
}

#[test]
fn stacked_breakdowns_and_roofline_from_kernel_json() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, args) in [
        (
            "gemm.json",
            vec!["gemm", "--m", "256", "--k", "1024", "--n", "1024"],
        ),
        ("gemv.json", vec!["gemv", "--k", "1024", "--n", "1024"]),
    ] {
        let mut a = vec!["kernel"];
        a.extend(args);
        a.extend(["--arch", "generic-os-128", "--json"]);
        let json = ok(&a);
        let p = tmp.path().join(name);
        std::fs::write(&p, json).unwrap();
        files.push(p);
    }
    let stacked = tmp.path().join("energy.svg");
    ok(&[
        "plot",
        s(&files[0]),
        s(&files[1]),
        "--kind",
        "stacked",
        "--by",
        "unit",
        "--out",
        s(&stacked),
    ]);
    assert_eq!(svg_size(&stacked), (1000, 700));
    let text = std::fs::read_to_string(&stacked).unwrap();
    // One segment per unit of the kernel reports.
    for unit in ["pe_array", "global_buffer", "dram"] {
        assert!(text.contains(unit), "{unit} missing from the legend");
    }
    let roof = tmp.path().join("roofline.png");
    ok(&[
        "plot",
        s(&files[0]),
        s(&files[1]),
        "--kind",
        "roofline",
        "--arch",
        "generic-os-128",
        "--out",
        s(&roof),
    ]);
    assert_eq!(png_size(&roof), (1000, 700));
    // A long-format CSV works too.
    let long = tmp.path().join("long.csv");
    std::fs::write(
        &long,
        "design,unit,energy_j\na,pe,1\na,dram,2\nb,pe,1.5\nb,dram,0.5\n",
    )
    .unwrap();
    let out = tmp.path().join("long.png");
    ok(&[
        "plot",
        s(&long),
        "--kind",
        "stacked",
        "--group",
        "design",
        "--series",
        "unit",
        "--y",
        "energy_j",
        "--normalize",
        "--out",
        s(&out),
    ]);
    assert_eq!(png_size(&out), (1000, 700));
    // A roofline needs a platform.
    let e = run(&["plot", s(&files[0]), "--kind", "roofline"]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("--arch"));
}

/// The shape of a `mappers` run report (`silica run --json`), reduced to what plots read.
const RUN_JSON: &str = r#"{
  "platform": "generic-os-128", "model": "llama2-7b", "seconds": 0.02, "flops": 13000000000,
  "traffic": { "dram_read_bytes": 7000000000, "dram_written_bytes": 1000000 },
  "energy_by_action": [
    { "unit": "pe_array", "action": "mac", "joules": 0.01 },
    { "unit": "dram", "action": "read", "joules": 0.2 }
  ],
  "by_category": [
    { "category": "linear", "seconds": 0.015, "energy_j": 0.18 },
    { "category": "attention", "seconds": 0.005, "energy_j": 0.03 }
  ],
  "operators": [
    { "name": "q_proj", "seconds": 0.001, "flops": 1000000000, "dram_bytes": 500000000 },
    { "name": "attn_scores", "seconds": 0.0005, "flops": 100000000, "dram_bytes": 10000000 }
  ]
}"#;

#[test]
fn silica_run_json_is_read_by_stacked_and_roofline_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let json = ok(&[
        "run",
        "--arch",
        "generic-os-128",
        "--model",
        "mamba-130m",
        "--phase",
        "decode",
        "--context",
        "64",
        "--json",
    ]);
    let run_json = tmp.path().join("run.json");
    std::fs::write(&run_json, json).unwrap();
    let png = tmp.path().join("by-category.png");
    ok(&[
        "plot",
        s(&run_json),
        "--kind",
        "stacked",
        "--by",
        "category",
        "--out",
        s(&png),
    ]);
    assert_eq!(png_size(&png), (1000, 700));
    let roof = tmp.path().join("roof.svg");
    ok(&[
        "plot",
        s(&run_json),
        "--kind",
        "roofline",
        "--arch",
        "generic-os-128",
        "--out",
        s(&roof),
    ]);
    assert_eq!(svg_size(&roof), (1000, 700));
}

#[test]
fn run_report_json_gives_category_breakdowns_and_operator_points() {
    let tmp = tempfile::tempdir().unwrap();
    let run_json = tmp.path().join("run.json");
    std::fs::write(&run_json, RUN_JSON).unwrap();
    let svg = tmp.path().join("time.svg");
    ok(&[
        "plot",
        s(&run_json),
        "--kind",
        "stacked",
        "--by",
        "category",
        "--y",
        "latency_s",
        "--out",
        s(&svg),
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("linear") && text.contains("attention"));
    assert!(text.contains("llama2-7b on generic-os-128"));
    let roof = tmp.path().join("roof.svg");
    ok(&[
        "plot",
        s(&run_json),
        "--kind",
        "roofline",
        "--arch",
        "generic-os-128",
        "--out",
        s(&roof),
    ]);
    let text = std::fs::read_to_string(&roof).unwrap();
    assert!(text.contains("q_proj") && text.contains("attn_scores"));
    // Time is only split by category.
    let out = run(&[
        "plot",
        s(&run_json),
        "--kind",
        "stacked",
        "--y",
        "latency_s",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--by category"));
}
