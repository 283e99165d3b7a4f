//! `silica workload`: the operator table, JSON, and errors.

use super::cli::silica;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = silica().arg("workload").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn llama2_7b_decode_json_reports_2_gib_kv() {
    let (ok, out, err) = run(&[
        "llama2-7b",
        "--phase",
        "decode",
        "--context",
        "4096",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 2 · 32 layers · 4096 tokens · 4096 channels · 2 bytes.
    assert_eq!(v["kv_cache_bytes"], 2u64 * 32 * 4096 * 4096 * 2);
    assert_eq!(v["params"], 6_738_415_616u64);
    assert_eq!(v["model"], "llama2-7b");
    let cats: Vec<&str> = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert!(
        cats.contains(&"linear") && cats.contains(&"attention"),
        "{cats:?}"
    );
    // Category FLOPs add up to the total.
    let sum: u64 = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["flops"].as_u64().unwrap())
        .sum();
    assert_eq!(v["total"]["flops"].as_u64().unwrap(), sum);
}

#[test]
fn table_output() {
    let (ok, out, err) = run(&[
        "llava-video-7b",
        "--phase",
        "prefill",
        "--frames",
        "64",
        "--prompt",
        "64",
        "--token-reduction",
        "budget=0.3",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("vision 13440 → 4032"), "{out}");
    assert!(out.contains("token_reduction"), "{out}");
    assert!(out.contains("KV cache"), "{out}");
    let (ok, out, err) = run(&[
        "llama2-7b",
        "--phase",
        "decode",
        "--kv-rank",
        "k=0.2,v=0.2",
        "--kv-bits",
        "4",
        "--quant",
        "w4a16",
        "--int-softmax",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("w4a16 g128") && out.contains("cskv") && out.contains("int softmax"),
        "{out}"
    );
}

#[test]
fn unknown_model_suggests_closest() {
    let (ok, _, err) = run(&["llama2-7", "--phase", "decode"]);
    assert!(!ok);
    assert!(err.contains("unknown model `llama2-7`"), "{err}");
    assert!(err.contains("did you mean `llama2-7b`"), "{err}");
}

#[test]
fn bad_transform_arguments() {
    let (ok, _, err) = run(&["llama2-7b", "--phase", "prefill", "--quant", "w9a16"]);
    assert!(
        !ok && err.contains("--quant") && err.contains("2…8"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "llama2-7b",
        "--phase",
        "prefill",
        "--token-reduction",
        "budget=0.3",
    ]);
    assert!(!ok && err.contains("no vision tokens"), "{err}");
    let (ok, _, err) = run(&["llama2-7b", "--phase", "prefill", "--kv-rank", "q=0.5"]);
    assert!(!ok && err.contains("unknown key `q`"), "{err}");
}
