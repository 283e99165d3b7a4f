//! `silica kernel`: end to end, with cycle counts derived by hand from the SCALE-Sim formula.

use crate::cli::silica;

fn json(args: &[&str]) -> String {
    let out = silica().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn field(json: &str, key: &str) -> String {
    let at = json
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("no {key} in {json}"));
    json[at + key.len() + 3..]
        .split([',', '\n'])
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn gemm_os_128_compute_cycles_by_hand() {
    // 128x128 OS, M=300 K=200 N=500: Sr=M → ⌈300/128⌉ = 3 row folds, Sc=N → ⌈500/128⌉ = 4
    // column folds; each fold 128 + 128 + 200 − 2 = 454 cycles → 12 × 454 = 5448.
    let j = json(&[
        "kernel",
        "gemm",
        "--arch",
        "generic-os-128",
        "--m",
        "300",
        "--k",
        "200",
        "--n",
        "500",
        "--json",
    ]);
    assert_eq!(field(&j, "compute_cycles"), "5448");
    assert_eq!(field(&j, "macs"), "30000000");
    assert_eq!(field(&j, "fidelity_level"), "2");
    let total: u64 = field(&j, "total_cycles").parse().unwrap();
    assert!(total >= 5448, "{total}");
    // WS on the same shape: Sr=K → 2, Sc=N → 4, T=M=300: 8 × (256 + 128 + 300 − 2) = 5456.
    let j = json(&[
        "kernel",
        "gemm",
        "--arch",
        "generic-os-128",
        "--m",
        "300",
        "--k",
        "200",
        "--n",
        "500",
        "--dataflow",
        "ws",
        "--json",
    ]);
    assert_eq!(field(&j, "compute_cycles"), "5456");
}

#[test]
fn overrides_and_text_output() {
    // --set pe_array.rows=64: OS folds ⌈300/64⌉ = 5 × 4, each 64 + 128 + 200 − 2 = 390 → 7800.
    let out = silica()
        .args([
            "kernel",
            "gemm",
            "--arch",
            "generic-os-128",
            "--set",
            "pe_array.rows=64",
        ])
        .args(["--m", "300", "--k", "200", "--n", "500"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("compute_cycles       7800"), "{s}");
    assert!(s.contains("pe_array.mac"), "{s}");
}

#[test]
fn bad_key_suggests_and_unknown_preset_lists_names() {
    let out = silica()
        .args([
            "kernel",
            "gemm",
            "--arch",
            "generic-os-128",
            "--set",
            "pe_array.rowz=64",
        ])
        .args(["--m", "8", "--k", "8", "--n", "8"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("pe_array.rowz") && e.contains("did you mean `rows`?"),
        "{e}"
    );
    let out = silica()
        .args([
            "kernel", "gemm", "--arch", "tpu", "--m", "8", "--k", "8", "--n", "8",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("unknown platform preset") && e.contains("tpu-v1"),
        "{e}"
    );
    let out = silica()
        .args([
            "kernel",
            "gemm",
            "--arch",
            "tpu-v1",
            "--m",
            "8",
            "--k",
            "8",
            "--n",
            "8",
            "--dataflow",
            "wss",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `ws`?"));
}

#[test]
fn explicit_tiling_is_checked() {
    // 64x64x64 tiles of a 128³ GEMM on the 128x128 OS preset: 8 tiles.
    let j = json(&[
        "kernel",
        "gemm",
        "--arch",
        "generic-os-128",
        "--m",
        "128",
        "--k",
        "128",
        "--n",
        "128",
        "--tile",
        "64,64,64",
        "--json",
    ]);
    assert_eq!(field(&j, "tiles"), "8");
    let out = silica()
        .args([
            "kernel", "gemm", "--arch", "eyeriss", "--m", "512", "--k", "512", "--n", "512",
        ])
        .args(["--tile", "512,512,512"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("tiling") && e.contains("needs"), "{e}");
}

#[test]
fn gemv_elementwise_softmax_and_roofline() {
    let j = json(&[
        "kernel", "gemv", "--arch", "tpu-v1", "--k", "4096", "--n", "4096", "--json",
    ]);
    assert!(j.contains("\"kernel\": \"gemv 4096x4096\""), "{j}");
    let j = json(&[
        "kernel",
        "elementwise",
        "--arch",
        "marca",
        "--n",
        "100000",
        "--op",
        "exp",
        "--json",
    ]);
    // 64x64 PEs, exp (degree 2) = 4 passes: 4 · ⌈100000/4096⌉ + 1 = 101.
    assert_eq!(field(&j, "compute_cycles"), "101");
    let j = json(&[
        "kernel",
        "softmax",
        "--arch",
        "generic-os-128",
        "--rows",
        "8",
        "--len",
        "512",
        "--json",
    ]);
    assert_eq!(field(&j, "elements"), "4096");
    let j = json(&[
        "kernel",
        "gemm",
        "--arch",
        "generic-os-128",
        "--m",
        "64",
        "--k",
        "64",
        "--n",
        "64",
        "--level",
        "3",
        "--json",
    ]);
    assert_eq!(field(&j, "fidelity_level"), "3");
}
