//! `silica kernel` on every FPGA and dataflow-ASIC preset: each kernel class runs, the
//! linear ones with compute cycles derived by hand; a missing unit and an SRAM-only
//! capacity overflow are clear errors.

use serde_json::Value;

use crate::cli::silica;

const PRESETS: [&str; 5] = [
    "flightllm-u280",
    "flightllm-vhk158",
    "edgellm-vcu128",
    "groq-lpu",
    "gaudi2",
];

fn run_json(args: &[&str]) -> Value {
    let out = silica().args(args).arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn u(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[test]
fn every_class_runs_on_every_preset() {
    for arch in PRESETS {
        let runs = [
            run_json(&[
                "kernel", "gemm", "--arch", arch, "--m", "256", "--k", "512", "--n", "256",
            ]),
            run_json(&[
                "kernel", "gemv", "--arch", arch, "--k", "1024", "--n", "1024",
            ]),
            run_json(&[
                "kernel", "softmax", "--arch", arch, "--rows", "8", "--len", "1024",
            ]),
            run_json(&[
                "kernel",
                "elementwise",
                "--arch",
                arch,
                "--n",
                "65536",
                "--op",
                "silu",
            ]),
            run_json(&[
                "kernel", "gemv", "--arch", arch, "--k", "1024", "--n", "1024", "--level", "3",
            ]),
        ];
        for r in &runs {
            assert_eq!(r["platform"], arch, "{r}");
            assert!(u(r, "total_cycles") > 0, "{arch}: {r}");
            assert!(
                u(r, "total_cycles") >= u(r, "roofline_cycles"),
                "{arch}: level 2 beat the roofline: {r}"
            );
        }
        assert_eq!(u(&runs[0], "fidelity_level"), 2);
        assert_eq!(u(&runs[4], "fidelity_level"), 3);
        // Vector work goes to the nonlinear unit (SFU, VXM, TPCs) on all five.
        assert!(
            runs[2]["unit"].as_str().unwrap().starts_with("nonlinear"),
            "{arch}: {}",
            runs[2]
        );
    }
}

#[test]
fn gemv_compute_cycles_by_hand() {
    // Reduction-tree arrays (1 row, trees of fan-in F, R' = cols / F outputs per fold),
    // GEMV K = N = 1024, weights streamed with overlap: L = 1 + 1 + ⌈log2 F⌉ and one fold
    // per cycle after the first: L + (folds − 1).
    let cases = [
        // 12288 / 16 = 768 outputs: ⌈1024/768⌉ · ⌈1024/16⌉ = 2 · 64 = 128 folds;
        // 6 + 127 = 133 cycles, ÷ 1.6 (sparse) → ⌈83.1⌉ = 84.
        ("flightllm-u280", 84),
        // 16384 / 16 = 1024 outputs: 1 · 64 = 64 folds; 6 + 63 = 69, ÷ 1.6 → ⌈43.1⌉ = 44.
        ("flightllm-vhk158", 44),
        // 4096 / 64 = 64 outputs: 16 · 16 = 256 folds; L = 1 + 1 + 6 = 8; 8 + 255 = 263.
        ("edgellm-vcu128", 263),
        // 409600 / 320 = 1280 outputs: 1 · ⌈1024/320⌉ = 4 folds; L = 1 + 1 + 9 = 11;
        // 11 + 3 = 14.
        ("groq-lpu", 14),
    ];
    for (arch, cycles) in cases {
        let r = run_json(&[
            "kernel", "gemv", "--arch", arch, "--k", "1024", "--n", "1024",
        ]);
        assert_eq!(u(&r, "compute_cycles"), cycles, "{arch}");
        assert_eq!(r["unit"], "pe_array (reduction tree)", "{arch}");
    }
    // Gaudi2, output-stationary 256 × 512, GEMM 256 × 512 × 256: Sr = M = 256 → 1 row
    // fold, Sc = N = 256 → 1 column fold, T = K = 512: 256 + 512 + 512 − 2 = 1278.
    let r = run_json(&[
        "kernel", "gemm", "--arch", "gaudi2", "--m", "256", "--k", "512", "--n", "256",
    ]);
    assert_eq!(u(&r, "compute_cycles"), 1278);
    assert_eq!(u(&r, "macs"), 256 * 512 * 256);
}

#[test]
fn missing_unit_and_sram_overflow_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("silica-kp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("no-sfu.toml");
    std::fs::write(
        &file,
        "name = \"no-sfu\"\nclock_mhz = 200\ntech_nm = 16\n\
         [global_buffer]\nsize_kib = 256\n\
         [pe_array]\nrows = 16\ncols = 16\ndataflow = \"ws\"\n\
         [fpga]\ndevice = \"t\"\ndsp_kind = \"dsp48e2\"\ndsp_slices = 128\nbram36 = 64\n\
         uram = 0\nluts = 10000\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = silica()
        .args([
            "kernel", "softmax", "--arch", path, "--rows", "2", "--len", "64",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("no-sfu cannot run softmax"), "{e}");
    // The same file's GEMM runs (16 × 16 int8 = 256 MACs = 128 DSP48E2: exactly the budget).
    run_json(&[
        "kernel", "gemm", "--arch", path, "--m", "16", "--k", "16", "--n", "16",
    ]);
    std::fs::remove_dir_all(&dir).unwrap();

    // Groq: a 9000³ int8 GEMM needs 3 × 9000² = 243,000,000 B > 230,686,720 B of SRAM.
    let out = silica()
        .args([
            "kernel", "gemm", "--arch", "groq-lpu", "--m", "9000", "--k", "9000", "--n", "9000",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("needs 243000000 bytes") && e.contains("holds 230686720 bytes"),
        "{e}"
    );
}
