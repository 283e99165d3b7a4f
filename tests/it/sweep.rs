//! `silica sweep` and `silica merge` end to end: outputs and plots, failing points,
//! determinism across thread counts, shards + merge, kill -9 and resume, spec errors, and
//! every shipped spec checked against the real evaluator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::cli::silica;

/// A small kernel sweep: GEMM 64×256×256 on generic-os-128 with 4 × 4 arrays × 2 buffer
/// sizes = 32 points. 64 × 64 violates the constraint (2 skipped rows); a 2 KiB buffer
/// cannot hold a tile of 16 or more columns (error rows).
pub const SMALL: &str = r#"
name = "small GEMM sweep"
seed = 5
metrics = ["latency_s", "energy_j", "compute_cycles", "utilization", "tokens_per_s"]
constraints = ["arch.pe_array.rows * arch.pe_array.cols <= 2048"]

[base]
arch = "generic-os-128"
[base.arch_set]
"dram.fast_path_min_bytes" = 4096
[base.workload]
kind = "kernel"
op = "gemm"
m = 64
k = 256
n = 256

[[axis]]
key = "arch.pe_array.rows"
values = [8, 16, 32, 64]
[[axis]]
key = "arch.pe_array.cols"
values = [8, 16, 32, 64]
[[axis]]
key = "arch.global_buffer.size_kib"
values = [2, 64]

[[objective]]
metric = "latency_s"
sense = "minimize"
[[objective]]
metric = "energy_j"
sense = "minimize"

[[plot]]
x = "latency_s"
y = "energy_j"
color = "arch.pe_array.rows"
pareto = true
log_x = true
log_y = true
file = "pareto.png"

[[plot]]
x = "arch.pe_array.rows"
y = "latency_s"
color = "arch.pe_array.cols"
file = "rows.svg"
"#;

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write_spec(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    silica().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "silica {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fail(args: &[&str]) -> String {
    let out = run(args);
    assert!(!out.status.success(), "silica {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the small sweep into `dir/name` with extra arguments; returns the folder.
pub fn small_sweep(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let spec = write_spec(dir, "small.toml", SMALL);
    let out = dir.join(name);
    let mut args = vec!["sweep", s(&spec), "--out", s(&out), "--quiet"];
    args.extend(extra);
    ok(&args);
    out
}

/// Width and height of a PNG from its IHDR chunk, after checking the signature.
pub fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

/// Width and height of an SVG's root element, after checking it closes.
pub fn svg_size(path: &Path) -> (u32, u32) {
    let t = std::fs::read_to_string(path).unwrap();
    assert!(
        t.trim_end().ends_with("</svg>"),
        "{} does not close",
        path.display()
    );
    let root = &t[t.find("<svg").unwrap()..];
    let attr = |name: &str| -> u32 {
        let at = root.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        root[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn rows(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    csv::ReaderBuilder::new()
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn sweep_writes_results_meta_spec_and_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = small_sweep(tmp.path(), "out", &[]);
    let header = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(header.starts_with(
        "point_id,status,reason,arch.pe_array.rows,arch.pe_array.cols,\
         arch.global_buffer.size_kib,latency_s,energy_j,compute_cycles,utilization,tokens_per_s\n"
    ));
    let rows = rows(&out);
    assert_eq!(rows.len(), 32);
    let status = |st: &str| rows.iter().filter(|r| r[1] == st).count();
    // 64×64 with either buffer is skipped. A tile needs (R + C) operand bytes plus R·C
    // 4-byte accumulators in half the (double-buffered) buffer: half of 2 KiB = 1024 B
    // holds 8×8 (16 + 256 = 272 B), 8×16 and 16×8 (24 + 512 = 536 B) but not 16×16
    // (32 + 1024 = 1056 B) or anything larger: 12 of the 16 arrays fail with 2 KiB.
    assert_eq!(status("skipped"), 2);
    assert_eq!(status("error"), 12);
    assert_eq!(status("ok"), 18);
    let bad = rows.iter().find(|r| r[1] == "error").unwrap();
    assert!(bad[2].contains("global_buffer.size_kib"), "{:?}", bad);
    // Point 1: 8×8 array, 64 KiB. Output-stationary (SCALE-Sim): folds ⌈64/8⌉·⌈256/8⌉ =
    // 256, each R + C + K − 2 = 8 + 8 + 256 − 2 = 270 cycles: 69 120 compute cycles.
    let p1 = &rows[1];
    assert_eq!(
        (p1[3].as_str(), p1[4].as_str(), p1[5].as_str()),
        ("8", "8", "64")
    );
    assert_eq!(p1[8], "69120");
    // tokens/s counts the 64 rows of A: 64 / latency.
    let latency: f64 = p1[6].parse().unwrap();
    let tps: f64 = p1[10].parse().unwrap();
    assert!((tps * latency - 64.0).abs() < 1e-9, "{tps} × {latency}");
    // The latency is at least the 69 120 cycles at 1 GHz.
    assert!(latency >= 69_120e-9, "{latency}");
    let meta = std::fs::read_to_string(out.join("meta.json")).unwrap();
    assert!(meta.contains("\"points_total\": 32"), "{meta}");
    let spec = std::fs::read_to_string(out.join("spec.toml")).unwrap();
    assert!(spec.contains("generic-os-128"));
    assert!(out.join("pareto.csv").exists());
    assert_eq!(png_size(&out.join("pareto.png")), (1000, 700));
    assert_eq!(svg_size(&out.join("rows.svg")), (1000, 700));
}

#[test]
fn one_and_two_threads_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let a = small_sweep(tmp.path(), "t1", &["--threads", "1", "--no-plots"]);
    let b = small_sweep(tmp.path(), "t2", &["--threads", "2", "--no-plots"]);
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    assert_eq!(read(&a, "results.csv"), read(&b, "results.csv"));
    assert_eq!(read(&a, "pareto.csv"), read(&b, "pareto.csv"));
    assert!(!a.join("pareto.png").exists(), "--no-plots draws nothing");
}

#[test]
fn shards_merged_equal_the_whole_run_and_gaps_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = small_sweep(tmp.path(), "whole", &["--no-plots"]);
    let spec = tmp.path().join("small.toml");
    let parent = tmp.path().join("sharded");
    for i in 0..3 {
        let dir = parent.join(format!("shard-{i}"));
        let shard = format!("{i}/3");
        ok(&[
            "sweep",
            s(&spec),
            "--out",
            s(&dir),
            "--shard",
            &shard,
            "--quiet",
        ]);
    }
    // Two of three shards: the missing points and their shard are named.
    let partial = tmp.path().join("partial");
    let e = fail(&[
        "merge",
        s(&parent.join("shard-0")),
        s(&parent.join("shard-1")),
        "--out",
        s(&partial),
    ]);
    assert!(e.contains("missing") && e.contains('2'), "{e}");
    // A folder given twice doubles its points.
    let e = fail(&[
        "merge",
        s(&parent.join("shard-0")),
        s(&parent.join("shard-0")),
        s(&parent.join("shard-1")),
        s(&parent.join("shard-2")),
        "--out",
        s(&partial),
    ]);
    assert!(e.contains("more than once") && e.contains("shard-0"), "{e}");
    let out = ok(&["merge", s(&parent), "--out", s(&parent)]);
    assert!(out.contains("merged 3 folders"), "{out}");
    assert_eq!(
        std::fs::read(whole.join("results.csv")).unwrap(),
        std::fs::read(parent.join("results.csv")).unwrap()
    );
    assert_eq!(png_size(&parent.join("pareto.png")), (1000, 700));
}

/// 30 slow points (an 8×8 array, burst-level DRAM below 256 KiB; ~30 ms each): long
/// enough to kill mid-run.
const SLOW: &str = r#"
metrics = ["latency_s", "energy_j"]
[base]
arch = "generic-os-128"
[base.workload]
kind = "kernel"
op = "gemm"
m = 64
k = 1024
n = 512
[base.arch_set]
"pe_array.rows" = 8
"pe_array.cols" = 8
# Tile transfers under 256 KiB go through the burst-level DRAM model: slow on purpose.
"dram.fast_path_min_bytes" = 262144
[[axis]]
key = "arch.global_buffer.size_kib"
values = [8, 16, 32, 64, 128, 256]
[[axis]]
key = "arch.dram.channels"
values = [1, 2, 4, 8, 16]
"#;

#[test]
fn killed_sweep_resumes_to_the_uninterrupted_result() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "slow.toml", SLOW);
    let whole = tmp.path().join("whole");
    ok(&[
        "sweep",
        s(&spec),
        "--out",
        s(&whole),
        "--quiet",
        "--threads",
        "2",
    ]);
    let cut = tmp.path().join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_silica"))
        .args([
            "sweep",
            s(&spec),
            "--out",
            s(&cut),
            "--quiet",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a few rows (header + 3), then SIGKILL.
    let start = Instant::now();
    let lines = || {
        std::fs::read_to_string(cut.join("results.csv"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    while lines() < 4 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = lines();
    assert!(
        (4..31).contains(&done),
        "the kill should land mid-run ({done} lines)"
    );
    // Without --resume the used folder is refused.
    let e = fail(&["sweep", s(&spec), "--out", s(&cut), "--quiet"]);
    assert!(e.contains("resume"), "{e}");
    let out = ok(&["sweep", s(&spec), "--out", s(&cut), "--quiet", "--resume"]);
    assert!(out.contains("resumed"), "{out}");
    assert_eq!(
        std::fs::read(whole.join("results.csv")).unwrap(),
        std::fs::read(cut.join("results.csv")).unwrap()
    );
}

#[test]
fn spec_errors_point_at_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let with = |from: &str, to: &str| {
        assert!(SMALL.contains(from), "{from}");
        let p = write_spec(tmp.path(), "bad.toml", &SMALL.replacen(from, to, 1));
        fail(&["sweep", s(&p), "--out", s(&out)])
    };
    // Spec schema: line, key path and suggestion.
    let e = with("values = [8, 16, 32, 64]", "vals = [8, 16, 32, 64]");
    assert!(
        e.contains("bad.toml:") && e.contains("did you mean `values`"),
        "{e}"
    );
    // A workload key of the kernel.
    let e = with("m = 64", "mm = 64");
    assert!(
        e.contains("bad.toml:14:6: base.workload.mm")
            && e.contains("workload.mm")
            && e.contains("did you mean `m`"),
        "{e}"
    );
    // An architecture override.
    let e = with(
        "\"dram.fast_path_min_bytes\"",
        "\"dram.fast_path_min_byte\"",
    );
    assert!(
        e.contains("fast_path_min_byte") && e.contains("did you mean `fast_path_min_bytes`"),
        "{e}"
    );
    // An architecture axis key: `spec:LINE:COL` of the axis (line 25 of SMALL, counting
    // its leading empty line; the value starts at column 7), the suggestion, and no
    // mention of --set.
    let e = with(
        "\"arch.global_buffer.size_kib\"",
        "\"arch.global_buffer.size_kb\"",
    );
    assert!(
        e.contains("bad.toml:25:7: axis[2].key = \"arch.global_buffer.size_kb\"")
            && e.contains("did you mean `size_kib`")
            && !e.contains("--set"),
        "{e}"
    );
    // A workload axis key, the same place.
    let e = with("\"arch.global_buffer.size_kib\"", "\"workload.nn\"");
    assert!(
        e.contains("bad.toml:25:7: axis[2].key = \"workload.nn\"")
            && e.contains("did you mean `n`"),
        "{e}"
    );
    // A preset name.
    let e = with("arch = \"generic-os-128\"", "arch = \"generic-os-12\"");
    assert!(e.contains("generic-os-128"), "{e}");
    // A metric the evaluator does not give.
    let e = with("\"utilization\",", "\"utilisation\",");
    assert!(
        e.contains("metrics") && e.contains("did you mean `utilization`"),
        "{e}"
    );
    assert!(!out.exists(), "nothing is written for a bad spec");
}

#[test]
fn every_shipped_spec_checks_against_the_real_evaluator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sweeps/specs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        // `synthetic-*` specs are for the toy evaluator of `sweeps::synthetic`.
        if !name.ends_with(".toml") || name.starts_with("synthetic-") {
            continue;
        }
        let out = ok(&["sweep", s(&p), "--out", "unused", "--dry-run"]);
        assert!(out.contains("points"), "{name}: {out}");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("[[plot]]"), "{name} lists no plot");
        n += 1;
    }
    assert!(n >= 4, "{n} specs");
}

#[test]
fn quantised_gemv_spec_runs_on_gpus_with_hand_counted_traffic() {
    let tmp = tempfile::tempdir().unwrap();
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sweeps/specs/quant-gemv-bits-group.toml");
    let out = tmp.path().join("q");
    ok(&["sweep", s(&spec), "--out", s(&out), "--quiet"]);
    let rows = rows(&out);
    assert_eq!(rows.len(), 64);
    assert!(rows.iter().all(|r| r[1] == "ok"), "{rows:?}");
    // W4 g128, fused, on the RTX 4090: 4-bit weights 4096·11008/2 = 22 544 384 B, an fp16
    // scale and zero per group, 11008·(4096/128)·4 = 1 409 024 B, x 4096·2 and y 11008·2:
    // 23 983 616 bytes from DRAM (each read once).
    let r = rows
        .iter()
        .find(|r| r[3] == "4" && r[4] == "128" && r[5] == "true" && r[6] == "rtx-4090")
        .unwrap();
    assert_eq!(r[9], "23983616");
    // Fewer bits never move more bytes (same group and fusion).
    let bytes = |bits: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r[3] == bits && r[4] == "128" && r[5] == "true" && r[6] == "rtx-4090")
            .unwrap();
        r[9].parse().unwrap()
    };
    assert!(bytes("2") < bytes("3") && bytes("3") < bytes("4") && bytes("4") < bytes("8"));
    assert_eq!(png_size(&out.join("latency-energy.png")), (1000, 700));
}

#[test]
fn model_workloads_run_through_mappers() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "model.toml",
        r#"
metrics = ["latency_s", "tokens_per_s", "energy_j", "tokens_per_j", "ttft_s"]
[base]
arch = "generic-os-128"
[base.workload]
model = "mamba-130m"
phase = "decode"
context = 64
[[axis]]
key = "arch.pe_array.rows"
values = [32, 128]
[[axis]]
key = "workload.batch"
values = [1, 4]
[[plot]]
x = "latency_s"
y = "energy_j"
color = "workload.batch"
file = "model.svg"
"#,
    );
    let out = tmp.path().join("m");
    ok(&["sweep", s(&spec), "--out", s(&out), "--quiet"]);
    let rows = rows(&out);
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(r[1], "ok", "{r:?}");
        // One decode step produces `batch` tokens: tokens/s · latency = batch, and
        // tokens/J · energy = batch.
        let batch: f64 = r[4].parse().unwrap();
        let f = |i: usize| r[i].parse::<f64>().unwrap();
        assert!((f(6) * f(5) / batch - 1.0).abs() < 1e-9, "{r:?}");
        assert!((f(8) * f(7) / batch - 1.0).abs() < 1e-9, "{r:?}");
        // Decode has no time to first token.
        assert_eq!(r[9], "NaN");
    }
    assert_eq!(svg_size(&out.join("model.svg")), (1000, 700));
}
