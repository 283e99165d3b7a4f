//! `silica run`: the default run, JSON and trace output, help with examples, bad input.

use super::cli::silica;

fn ok(args: &[&str]) -> String {
    let out = silica().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "silica {args:?} failed: {err}");
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = silica().args(args).output().unwrap();
    assert!(!out.status.success(), "silica {args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn no_arguments_runs_the_documented_default() {
    let s = ok(&["run"]);
    assert!(
        s.contains("llama2-7b decode, context 1024, 1 token(s)/step, batch 1 on generic-os-128"),
        "{s}"
    );
    for key in [
        "latency",
        "tokens/s",
        "energy",
        "power",
        "DRAM",
        "top operators by time",
    ] {
        assert!(s.contains(key), "missing {key}: {s}");
    }
}

#[test]
fn json_and_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("out.json");
    let s = ok(&[
        "run",
        "--arch",
        "a100-sxm4-80gb",
        "--model",
        "mamba-130m",
        "--phase",
        "prefill",
        "--prompt",
        "64",
        "--json",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["platform"], "A100-SXM4-80GB");
    assert!(v["ttft_s"].as_f64().unwrap() > 0.0);
    assert_eq!(v["tokens"], 64);
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    assert!(t["traceEvents"].as_array().unwrap().len() > 10);
}

#[test]
fn help_has_examples() {
    let s = ok(&["run", "--help"]);
    assert!(
        s.contains("Examples:") && s.contains("silica run --arch"),
        "{s}"
    );
    let s = ok(&["--help"]);
    assert!(s.contains("Examples:") && s.contains("silica run"), "{s}");
    // Every subcommand's help shows how it is used.
    for sub in [
        "workload",
        "kernel",
        "presets",
        "sweep",
        "merge",
        "status",
        "plot",
        "report",
        "validate",
        "reproduce",
    ] {
        let s = ok(&[sub, "--help"]);
        assert!(
            s.contains("Examples:") && s.contains(&format!("silica {sub}")),
            "{sub}: {s}"
        );
    }
}

#[test]
fn bad_input_names_the_closest_valid_name() {
    let e = fails(&["run", "--arch", "generic-os-12"]);
    assert!(e.contains("did you mean `generic-os-128`"), "{e}");
    let e = fails(&["run", "--model", "llama2-7"]);
    assert!(e.contains("llama2-7b") && e.contains("valid:"), "{e}");
    let e = fails(&["run", "--arch", "rtx-4090", "--model", "llama2-13b"]);
    assert!(
        e.contains("does not have the memory") && e.contains("short by"),
        "{e}"
    );
    let e = fails(&["run", "--objective", "speed"]);
    assert!(e.contains("latency, energy or edp"), "{e}");
}
