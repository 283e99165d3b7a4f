//! `silica validate`: every committed CSV meets the MAPE bounds recorded beside it, the
//! calibration is deterministic, bad rows are errors naming the line, the claims use the
//! right rows, outputs are written, and the harness's stdlib-only Python tests pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::cli::silica;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(name: &str) -> PathBuf {
    root().join("validation/data").join(name)
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("validate-it")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_json(args: &[&str]) -> Value {
    let out = silica()
        .arg("validate")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn run_err(args: &[&str]) -> String {
    let out = silica().arg("validate").args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn bounds() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(data("bounds.toml")).unwrap()).unwrap()
}

/// Checks `mape` (class → {.., key: %}) against `bounds` (class → %): every class is
/// bounded, and every bound ≤ 25 % (issue 10: never looser).
fn check(file: &str, what: &str, mape: &Value, key: &str, bounds: &toml::Table) {
    for (class, b) in bounds {
        let b = b.as_float().or(b.as_integer().map(|i| i as f64)).unwrap();
        assert!(
            b <= 25.0,
            "{file} {what} {class}: bound {b} is looser than 25 %"
        );
    }
    for (class, v) in mape.as_object().unwrap() {
        let m = v[key].as_f64().unwrap();
        let b = bounds.get(class).unwrap_or_else(|| {
            panic!("{file} {what}: class {class} ({m:.1} %) has no bound in bounds.toml")
        });
        let b = b.as_float().or(b.as_integer().map(|i| i as f64)).unwrap();
        assert!(m <= b, "{file} {what} {class}: MAPE {m:.2} % > bound {b} %");
    }
}

#[test]
fn every_committed_csv_meets_its_recorded_bounds() {
    let all = bounds();
    let files = all["files"].as_table().unwrap();
    let mut csvs: Vec<String> = std::fs::read_dir(root().join("validation/data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    csvs.sort();
    assert!(csvs.len() >= 3, "{csvs:?}");
    for name in &csvs {
        let entry = files
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no entry in validation/data/bounds.toml"))
            .as_table()
            .unwrap();
        let path = data(name);
        let mut args = vec!["--measured", path.to_str().unwrap()];
        if let Some(a) = entry.get("arch").and_then(|a| a.as_str()) {
            args.extend(["--arch", a]);
        }
        let v = run_json(&args);
        let classes = entry["classes"].as_table().unwrap();
        check(
            name,
            "all cases",
            &v["mape"]["by_class"],
            "mape_pct",
            classes,
        );
        let overall = entry["overall"].as_integer().unwrap() as f64;
        assert!(overall <= 25.0);
        let m = v["mape"]["overall_pct"].as_f64().unwrap();
        assert!(m <= overall, "{name}: overall MAPE {m:.2} % > {overall} %");
        if let Some(held) = entry.get("held_out").and_then(|h| h.as_table()) {
            let mut fit_args = args.clone();
            fit_args.extend(["--fit", "--split-seed", "0"]);
            let f = run_json(&fit_args);
            check(
                name,
                "held out after --fit",
                &f["fit"]["held_out"]["by_class"],
                "after_pct",
                held,
            );
        }
    }
}

/// The model's defaults (no value read off the data) on the held-out half: issue 12's
/// target is 25 % overall before calibration; `bounds.toml` records what they reach.
#[test]
fn the_model_defaults_meet_their_recorded_uncalibrated_bounds() {
    let all = bounds();
    let b = all["files"]["h100-sxm.csv"]["uncalibrated"]
        .as_table()
        .unwrap();
    let num = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap();
    let path = data("h100-sxm.csv");
    let f = run_json(&[
        "--measured",
        path.to_str().unwrap(),
        "--arch",
        "h100-sxm5-80gb",
        "--fit",
        "--split-seed",
        "0",
        "--uncalibrated",
    ]);
    let held = &f["fit"]["held_out"];
    let overall = held["overall"]["before_pct"].as_f64().unwrap();
    assert!(
        overall <= num(&b["overall"]),
        "uncalibrated held-out MAPE {overall:.2} % > bound {}",
        b["overall"]
    );
    let by_class = held["by_class"].as_object().unwrap();
    assert_eq!(by_class.len() + 1, b.len(), "a bound per class and overall");
    for (class, v) in by_class {
        let m = v["before_pct"].as_f64().unwrap();
        let bound = b.get(class).map(num).unwrap_or_else(|| {
            panic!("uncalibrated: class {class} ({m:.1} %) has no bound in bounds.toml")
        });
        assert!(
            m <= bound,
            "uncalibrated {class}: MAPE {m:.2} % > bound {bound} %"
        );
    }
    // The defaults are the model's, not the preset's calibrated values: the starting
    // point of the fit has the default DRAM round trip, 390 ns at the H100's 1980 MHz.
    let lat = f["fit"]["params"]["mem_latency_cycles"]["before"]
        .as_f64()
        .unwrap();
    assert!((lat - 390.0 * 1.98).abs() < 1e-9, "{lat}");
    // Keys given with --set still apply; the preset's others (tensor 0.8204) do not.
    let f = run_json(&[
        "--measured",
        path.to_str().unwrap(),
        "--arch",
        "h100-sxm5-80gb",
        "--fit",
        "--uncalibrated",
        "--set",
        "gpu.efficiency.mem_latency_cycles=1234",
    ]);
    let p = &f["fit"]["params"];
    assert_eq!(p["mem_latency_cycles"]["before"].as_f64(), Some(1234.0));
    assert_eq!(p["tensor"]["before"].as_f64(), Some(0.85));
}

#[test]
fn the_fit_is_deterministic_and_the_split_is_half_of_each_class() {
    let path = data("h100-sxm.csv");
    let args = [
        "--measured",
        path.to_str().unwrap(),
        "--arch",
        "h100-sxm5-80gb",
        "--fit",
        "--split-seed",
        "7",
    ];
    let (a, b) = (run_json(&args), run_json(&args));
    assert_eq!(a["fit"]["params"], b["fit"]["params"]);
    assert_eq!(a["cases"], b["cases"]);
    // Half of each class trains (the larger half when odd): count by hand per class.
    let mut per: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for c in a["cases"].as_array().unwrap() {
        let e = per.entry(c["class"].as_str().unwrap().into()).or_default();
        e.0 += 1;
        e.1 += usize::from(c["split"] == "train");
    }
    for (class, (n, train)) in per {
        assert_eq!(train, n.div_ceil(2), "{class}");
    }
    // Another seed draws another split.
    let mut other = args;
    other[6] = "8";
    let c = run_json(&other);
    let splits = |v: &Value| -> Vec<String> {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["split"].to_string())
            .collect()
    };
    assert_ne!(splits(&a), splits(&c));
}

const HEADER: &str = "case_id,kernel_class,op,dtype,weight_bits,group_size,batch,m,n,k,seq_len,heads,kv_heads,head_dim,median_us,device,error\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn malformed_rows_and_unknown_classes_name_the_line() {
    let dir = scratch("errors");
    let good = "g,gemv,,fp16,,,1,1,4096,4096,,,,,20,h100-sxm5-80gb,\n";
    let p = write(
        &dir,
        "class.csv",
        &format!("{HEADER}{good}q,gemw,,fp16,,,1,1,64,64,,,,,5,h100-sxm5-80gb,\n"),
    );
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(e.contains("class.csv:3"), "{e}");
    assert!(
        e.contains("unknown kernel_class `gemw`") && e.contains("did you mean `gemv`"),
        "{e}"
    );

    let p = write(
        &dir,
        "number.csv",
        &format!("{HEADER}{good}x,gemm,,fp16,,,64,64,4k,64,,,,,5,h100-sxm5-80gb,\n"),
    );
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(
        e.contains("number.csv:3") && e.contains("column `n`"),
        "{e}"
    );

    let p = write(
        &dir,
        "time.csv",
        &format!("{HEADER}x,gemv,,fp16,,,1,1,64,64,,,,,-1,h100-sxm5-80gb,\n"),
    );
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(e.contains("time.csv:2") && e.contains("median_us"), "{e}");

    // The harness writes CRLF (Python's csv default): the row is still on line 2.
    let row = "x,gemv,,fp16,,,1,1,64,64,,,,,abc,h100-sxm5-80gb,\n";
    let p = write(
        &dir,
        "crlf.csv",
        &format!("{HEADER}{row}").replace('\n', "\r\n"),
    );
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(
        e.contains("crlf.csv:2 (case `x`)") && e.contains("median_us"),
        "{e}"
    );

    let p = write(&dir, "ragged.csv", &format!("{HEADER}{good}x,gemv,,fp16\n"));
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(e.contains("ragged.csv:3: malformed row: 4 fields"), "{e}");

    let p = write(
        &dir,
        "device.csv",
        &format!("{HEADER}g,gemv,,fp16,,,1,1,64,64,,,,,5,h100-sxm5-80g,\n"),
    );
    let e = run_err(&["--measured", p.to_str().unwrap()]);
    assert!(
        e.contains("device.csv:2") && e.contains("h100-sxm5-80gb"),
        "{e}"
    );
    // With --arch, the platform's error has no empty context before it.
    let e = run_err(&["--measured", p.to_str().unwrap(), "--arch", "h100-sxm5-80g"]);
    assert!(
        e.starts_with("error: loading platform `h100-sxm5-80g`") && e.contains("h100-sxm5-80gb"),
        "{e}"
    );
}

#[test]
fn a_fused_gemv_is_compared_with_the_fp16_gemv_of_its_own_layout() {
    // The harness times each fp16 GEMV twice: x @ W[k, n] (op `qkvo_proj`) and nn.Linear's
    // W[n, k] (op `qkvo_proj_linear`). The W3 row (op `qkvo_proj`, weights packed along k
    // with n contiguous) pairs with the first, though the linear row comes first: 20 / 10.
    let dir = scratch("claims-layout");
    let rows = "\
g-linear,gemv,qkvo_proj_linear,fp16,,,1,1,4096,4096,,,,,30,h100-sxm5-80gb,
g,gemv,qkvo_proj,fp16,,,1,1,4096,4096,,,,,20,h100-sxm5-80gb,
w3,qgemv,qkvo_proj,fp16,3,128,1,1,4096,4096,,,,,10,h100-sxm5-80gb,
";
    let p = write(&dir, "claims.csv", &format!("{HEADER}{rows}"));
    let v = run_json(&["--measured", p.to_str().unwrap()]);
    let ratios = v["claims"]["ratios"].as_array().unwrap();
    assert_eq!(ratios.len(), 1, "{ratios:?}");
    assert_eq!(ratios[0]["baseline"], "g");
    assert!((ratios[0]["measured"].as_f64().unwrap() - 2.0).abs() < 1e-12);
}

#[test]
fn claims_are_computed_from_the_matching_rows() {
    // By hand: fp16 GEMV 1×4096×4096 in 20 µs, fused W3 in 10 µs → 2.0×, W4 in 8 µs →
    // 2.5×; attention at 13568 tokens in 2000 µs over 4160 tokens in 250 µs → 8.0×. A W3
    // row of another shape (no fp16 baseline) gives no ratio.
    let dir = scratch("claims");
    let rows = "\
g,gemv,,fp16,,,1,1,4096,4096,,,,,20,h100-sxm5-80gb,
w3,qgemv,,fp16,3,128,1,1,4096,4096,,,,,10,h100-sxm5-80gb,
w4,qgemv,,fp16,4,128,1,1,4096,4096,,,,,8,h100-sxm5-80gb,
w3-other,qgemv,,fp16,3,128,1,1,512,4096,,,,,9,h100-sxm5-80gb,
a-dense,attention,sdpa_causal_prefill,fp16,,,1,,,,13568,28,4,128,2000,h100-sxm5-80gb,
a-red,attention,sdpa_causal_prefill,fp16,,,1,,,,4160,28,4,128,250,h100-sxm5-80gb,
";
    let p = write(&dir, "claims.csv", &format!("{HEADER}{rows}"));
    let out_dir = dir.join("out");
    let v = run_json(&[
        "--measured",
        p.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let predicted = |id: &str| -> f64 {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case_id"] == id)
            .unwrap()["predicted_us"]
            .as_f64()
            .unwrap()
    };
    let ratios = v["claims"]["ratios"].as_array().unwrap();
    assert_eq!(ratios.len(), 3, "{ratios:?}");
    for (improved, baseline, measured) in [
        ("w3", "g", 2.0),
        ("w4", "g", 2.5),
        ("a-red", "a-dense", 8.0),
    ] {
        let r = ratios.iter().find(|r| r["improved"] == improved).unwrap();
        assert_eq!(r["baseline"], baseline);
        assert!((r["measured"].as_f64().unwrap() - measured).abs() < 1e-12);
        let want = predicted(baseline) / predicted(improved);
        assert!((r["predicted"].as_f64().unwrap() - want).abs() < 1e-12);
    }
    // --out writes the same ratios to validate-claims.csv, after one geomean row per
    // claim (W3 m1, W4 m1, attention: one ratio each, so the geomean is the ratio), and
    // the classes and overall to validate-mape.csv.
    let mut rdr = csv::Reader::from_path(out_dir.join("validate-claims.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap(),
        vec![
            "kind",
            "claim",
            "what",
            "baseline",
            "improved",
            "ratios",
            "measured",
            "predicted"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    for (kind, want) in [("geomean", [2.0, 2.5, 8.0]), ("ratio", [2.0, 2.5, 8.0])] {
        let got: Vec<f64> = rows
            .iter()
            .filter(|r| &r[0] == kind)
            .map(|r| r[6].parse().unwrap())
            .collect();
        assert_eq!(got.len(), 3, "{rows:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{kind}: {got:?}");
        }
    }
    let mape = std::fs::read_to_string(out_dir.join("validate-mape.csv")).unwrap();
    let classes: Vec<&str> = mape.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        classes,
        ["class", "attention", "gemv", "qgemv", "overall"],
        "{mape}"
    );
}

#[test]
fn writes_the_table_the_plots_and_a_loadable_calibrated_preset() {
    let dir = scratch("out");
    let path = data("h100-probe.csv");
    let preset = dir.join("h100-calibrated.toml");
    let out = silica()
        .args([
            "validate",
            "--measured",
            path.to_str().unwrap(),
            "--arch",
            "h100-sxm5-80gb",
        ])
        .args(["--fit", "--out", dir.to_str().unwrap(), "--write-preset"])
        .arg(&preset)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("MAPE_after_%") && stdout.contains("[gpu.efficiency]"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.join("validate.csv")).unwrap();
    let rows = csv.lines().count();
    let cases = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    assert_eq!(rows, cases, "one row per case plus the header");
    assert!(csv.starts_with("case_id,class,platform,measured_us,predicted_us,error_pct,split"));
    // validate-mape.csv: every class of the file and `overall`; each MAPE is the mean of
    // the |error_pct| of that class's rows of validate.csv, and the halves add up.
    let mut errors: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let e: f64 = f[5].parse().unwrap();
        errors.entry(f[1].into()).or_default().push(e.abs());
        errors.entry("overall".into()).or_default().push(e.abs());
    }
    let mape = std::fs::read_to_string(dir.join("validate-mape.csv")).unwrap();
    let mut lines = mape.lines();
    assert_eq!(
        lines.next().unwrap(),
        "class,cases,mape_pct,held_out,held_out_before_pct,held_out_after_pct,train,\
         train_before_pct,train_after_pct"
    );
    let mut classes = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let errs = &errors[f[0]];
        assert_eq!(f[1].parse::<usize>().unwrap(), errs.len(), "{line}");
        let want = errs.iter().sum::<f64>() / errs.len() as f64;
        assert!((f[2].parse::<f64>().unwrap() - want).abs() < 1e-9, "{line}");
        let (held, train): (usize, usize) = (f[3].parse().unwrap(), f[6].parse().unwrap());
        assert_eq!(held + train, errs.len(), "{line}");
        classes.push(f[0].to_string());
    }
    let mut want: Vec<String> = errors.keys().cloned().collect();
    want.sort();
    classes.sort();
    assert_eq!(classes, want);
    assert!(
        ["attention", "elementwise", "gemm", "gemv", "softmax"]
            .iter()
            .all(|c| classes.iter().any(|k| k == c)),
        "{classes:?}"
    );
    assert!(
        std::fs::read_to_string(dir.join("validate-claims.csv"))
            .unwrap()
            .starts_with("kind,claim,what,baseline,improved,ratios,measured,predicted")
    );
    assert!(
        std::fs::read(dir.join("validate.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    assert!(
        std::fs::read_to_string(dir.join("validate.svg"))
            .unwrap()
            .contains("y = x")
    );
    // The written preset loads, and `silica validate` on it reproduces the fitted model.
    let text = std::fs::read_to_string(&preset).unwrap();
    assert!(
        text.contains("# Calibrated") && text.contains("--split-seed 0"),
        "{text}"
    );
    let fitted = run_json(&[
        "--measured",
        path.to_str().unwrap(),
        "--arch",
        "h100-sxm5-80gb",
        "--fit",
    ]);
    let on_preset = run_json(&[
        "--measured",
        path.to_str().unwrap(),
        "--arch",
        preset.to_str().unwrap(),
    ]);
    for (a, b) in fitted["cases"]
        .as_array()
        .unwrap()
        .iter()
        .zip(on_preset["cases"].as_array().unwrap())
    {
        assert_eq!(a["predicted_us"], b["predicted_us"], "{}", a["case_id"]);
    }
}

#[test]
fn the_harness_stdlib_tests_pass_where_python3_exists() {
    let Ok(v) = Command::new("python3").arg("--version").output() else {
        println!("skipped: python3 not found (the harness's Python tests need Python 3)");
        return;
    };
    if !v.status.success() {
        println!("skipped: python3 --version failed");
        return;
    }
    // Standard library only: these tests skip their PyTorch/Triton parts themselves, and
    // CI never installs PyTorch.
    let out = Command::new("python3")
        .args([
            "-m",
            "unittest",
            "discover",
            "-s",
            "validation/gpu",
            "-p",
            "test_*.py",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
