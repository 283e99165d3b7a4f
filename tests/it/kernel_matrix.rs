//! `silica kernel` through the dispatch layer: every preset × every kernel class gives a
//! result or a clear "cannot run <class>"; `--unit`, `--dtype` and JSON details.

use serde_json::Value;

use crate::cli::silica;

/// (subcommand arguments, the class name errors use).
const CLASSES: [(&str, &str); 8] = [
    ("gemm --m 64 --k 128 --n 64", "gemm"),
    ("gemv --k 256 --n 256", "gemm"),
    ("qgemv --k 256 --n 256 --bits 4 --group 64", "quant_gemm"),
    ("elementwise --n 4096 --op add", "elementwise"),
    ("softmax --rows 4 --len 128", "softmax"),
    ("norm --rows 4 --len 256", "norm"),
    (
        "attention --heads 4 --kv-len 128 --head-dim 32",
        "attention",
    ),
    ("scan --seq-len 4 --d-inner 64 --d-state 16", "scan"),
];

fn run(args: &[&str]) -> Result<Value, String> {
    let out = silica().args(args).output().unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn every_preset_runs_or_refuses_every_class() {
    let mut ran = 0;
    for preset in arch::preset_names() {
        for (args, class) in CLASSES {
            let mut a = vec!["kernel"];
            a.extend(args.split(' '));
            a.extend(["--arch", preset, "--json"]);
            match run(&a) {
                Ok(v) => {
                    ran += 1;
                    assert!(v["time_ps"].as_u64().unwrap() > 0, "{preset} {args}: {v}");
                    assert!(v["energy_pj"].as_f64().unwrap() >= 0.0, "{preset} {args}");
                    assert!(v["flops"].as_f64().unwrap() >= 0.0, "{preset} {args}");
                    assert!(v["dispatch_unit"].is_string(), "{preset} {args}: {v}");
                    assert!(v["platform_class"].is_string(), "{preset} {args}: {v}");
                }
                Err(e) => assert!(
                    e.contains(&format!("cannot run {class}")) && e.contains("no unit of this"),
                    "{preset} {args}: {e}"
                ),
            }
        }
    }
    // GPUs and CPUs (14 presets) run all 8 classes; PE-array platforms with a vector unit
    // (8) too: at least 22 × 8 results.
    assert!(ran >= 22 * 8, "{ran}");
}

#[test]
fn gpu_cpu_presets_run_every_class() {
    for preset in [
        "rtx-4090",
        "mi210",
        "jetson-agx-orin-64gb",
        "m2-ultra",
        "xeon-8488c",
    ] {
        for (args, _) in CLASSES {
            let mut a = vec!["kernel"];
            a.extend(args.split(' '));
            a.extend(["--arch", preset, "--json"]);
            let v = run(&a).unwrap_or_else(|e| panic!("{preset} {args}: {e}"));
            assert_eq!(v["fidelity"], "Analytical", "{preset}");
        }
    }
}

#[test]
fn gpu_gemv_fields_by_hand() {
    // A100 fp16 GEMV 4096 × 4096: the output is 4096 fp16 = 8192 bytes written; the weights
    // alone are 4096 · 4096 · 2 = 33,554,432 bytes read; at the datasheet's 2.039 TB/s
    // that is at least 16.46 µs, so memory-bound.
    let v = run(&[
        "kernel",
        "gemv",
        "--arch",
        "a100-sxm4-80gb",
        "--k",
        "4096",
        "--n",
        "4096",
        "--json",
    ])
    .unwrap();
    assert_eq!(v["dram_bytes_written"], 8192);
    assert!(v["dram_bytes_read"].as_u64().unwrap() >= 33_554_432);
    assert!(v["seconds"].as_f64().unwrap() > 33_554_432.0 / 2.039e12);
    assert_eq!(v["bound"], "memory");
    assert_eq!(v["unit"], "gpu");
    // int8 weights halve the weight bytes (fused weight-only product, one fp16 scale and
    // zero point per output channel: 4096 · (4096 · 8 + 32) / 8 = 16,793,600 bytes).
    let q = run(&[
        "kernel",
        "gemv",
        "--arch",
        "a100-sxm4-80gb",
        "--k",
        "4096",
        "--n",
        "4096",
        "--dtype",
        "fp16",
        "--weight-dtype",
        "int8",
        "--json",
    ])
    .unwrap();
    assert!(q["detail"].as_str().unwrap().contains("quantised"), "{q}");
    let qr = q["dram_bytes_read"].as_u64().unwrap();
    assert!((16_793_600..20_000_000).contains(&qr), "{qr}");
}

#[test]
fn unit_choice_and_pe_only_options() {
    // generic-os-128 has a nonlinear unit and a PE array without a bypass: element-wise
    // work runs on the nonlinear unit; asking for the PE array names the class and the
    // unit that can run it.
    let v = run(&[
        "kernel",
        "elementwise",
        "--arch",
        "generic-os-128",
        "--n",
        "1024",
        "--op",
        "silu",
        "--json",
    ])
    .unwrap();
    assert_eq!(v["unit"], "nonlinear");
    // 128 lanes: ⌈1024/128⌉ = 8 cycles + latency (4, the preset's).
    assert_eq!(v["compute_cycles"], 12);
    let e = run(&[
        "kernel",
        "elementwise",
        "--arch",
        "generic-os-128",
        "--n",
        "1024",
        "--op",
        "silu",
        "--unit",
        "pe_array",
    ])
    .unwrap_err();
    assert!(
        e.contains("generic-os-128 pe_array cannot run elementwise")
            && e.contains("runs on: nonlinear"),
        "{e}"
    );
    let e = run(&[
        "kernel", "gemm", "--arch", "rtx-4090", "--m", "8", "--k", "8", "--n", "8", "--tile",
        "8,8,8",
    ])
    .unwrap_err();
    assert!(e.contains("--tile apply to a pe_array"), "{e}");
    let e = run(&[
        "kernel", "gemm", "--arch", "rtx-4090", "--m", "8", "--k", "8", "--n", "8", "--dtype",
        "fp166",
    ])
    .unwrap_err();
    assert!(e.contains("did you mean `fp16`"), "{e}");
    let e = run(&[
        "kernel",
        "elementwise",
        "--arch",
        "rtx-4090",
        "--n",
        "8",
        "--op",
        "slu",
    ])
    .unwrap_err();
    assert!(e.contains("did you mean `silu`"), "{e}");
}

#[test]
fn decomposed_attention_and_in_memory_details() {
    // Attention on MARCA: 4 heads (MHA) → 4 instances of QKᵀ 1×32×128, softmax 1×128 on the
    // bypassed PEs, PV 1×128×32.
    let v = run(&[
        "kernel",
        "attention",
        "--arch",
        "marca",
        "--heads",
        "4",
        "--kv-len",
        "128",
        "--head-dim",
        "32",
        "--json",
    ])
    .unwrap();
    assert_eq!(v["instances"], 4);
    let parts = v["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["kernel"], "gemv 32x128");
    assert_eq!(
        parts[1]["unit"],
        "pe_array (element-wise softmax, tree bypassed)"
    );
    let sum: u64 = parts.iter().map(|p| p["time_ps"].as_u64().unwrap()).sum();
    assert_eq!(v["time_ps"].as_u64().unwrap(), 4 * sum);
    // PIM decode attention (AttAcc): counts and phases come through.
    let v = run(&[
        "kernel",
        "attention",
        "--arch",
        "pim-attacc",
        "--heads",
        "32",
        "--kv-heads",
        "8",
        "--kv-len",
        "1024",
        "--head-dim",
        "128",
        "--json",
    ])
    .unwrap();
    assert_eq!(v["unit"], "pim");
    assert!(v["phases"].as_array().unwrap().len() >= 3, "{v}");
    assert!(v["counts"]["internal_bytes"].as_u64().unwrap() > 0, "{v}");
    // The associative processor runs the integer softmax only.
    let v = run(&[
        "kernel",
        "softmax",
        "--arch",
        "imc-softmap",
        "--rows",
        "4",
        "--len",
        "128",
        "--integer",
        "--json",
    ])
    .unwrap();
    assert_eq!(v["unit"], "assoc_processor");
    assert!(v["counts"]["compare_passes"].as_u64().unwrap() > 0);
}
