//! `silica reproduce framefusion`: every asserted claim within its band, the orderings
//! hold, the figures are drawn, and the LLM speed-up respects a bound counted by hand.

use std::path::PathBuf;

use serde_json::Value;

use super::cli::silica;

fn claim<'a>(o: &'a Value, what: &str) -> &'a Value {
    o["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["what"].as_str().unwrap() == what)
        .unwrap_or_else(|| panic!("no claim `{what}`"))
}

#[test]
fn framefusion_reproduces_within_its_bands() {
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reproduce-framefusion");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = silica()
        .args([
            "reproduce",
            "framefusion",
            "--json",
            "-q",
            "--check",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &v[0];
    assert_eq!(o["name"], "framefusion");

    // Every asserted claim passes; the orderings (Holds) are all true.
    for c in o["claims"].as_array().unwrap() {
        let kind = c["check"]["kind"].as_str().unwrap();
        let sim = c["simulated"].as_f64().unwrap();
        match kind {
            "holds" => assert_eq!(sim, 1.0, "{c}"),
            "range" => {
                let (lo, hi) = (
                    c["check"]["lo"].as_f64().unwrap(),
                    c["check"]["hi"].as_f64().unwrap(),
                );
                assert!((lo..=hi).contains(&sim), "{c}");
            }
            "ratio" => {
                let r = sim / c["paper"].as_f64().unwrap();
                let (lo, hi) = (
                    c["check"]["lo"].as_f64().unwrap(),
                    c["check"]["hi"].as_f64().unwrap(),
                );
                assert!((lo..=hi).contains(&r), "{c}");
            }
            _ => assert_eq!(kind, "report"),
        }
    }

    // A bound by hand: LLaVA-Video-7B at 64 frames has 13 440 vision + 64 text tokens.
    // Budget 0.3 after layer 2 keeps (28·0.3 − 3)/25 = 0.216 of the vision tokens in layers
    // 3–27: token-layers 28·13 504 = 378 112 dense, 3·13 504 + 25·(2 903 + 64) = 114 687
    // reduced, a 3.30× cut of the linear layers' rows. Attention (quadratic) falls more,
    // so the LLM speed-up is at least ~3.3× (5 % slack for smaller products running less
    // efficiently) — and end to end is less (the vision tower is untouched).
    let llm = claim(o, "LLM speed-up, budget 0.3, 64 frames, 7B, H100")["simulated"]
        .as_f64()
        .unwrap();
    assert!(llm > 0.95 * 378_112.0 / 114_687.0, "{llm}");
    let e2e = claim(
        o,
        "End-to-end speed-up, budget 0.3, 7B, 64 frames, H100 (prefill)",
    )["simulated"]
        .as_f64()
        .unwrap();
    assert!(1.0 < e2e && e2e < llm, "{e2e} vs {llm}");

    // The figures are PNGs.
    let plots = o["plots"].as_array().unwrap();
    assert_eq!(plots.len(), 3);
    for p in plots {
        let bytes = std::fs::read(p.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{p}");
    }
    // What the paper leaves out is stated.
    let assumptions = o["assumptions"].to_string();
    for word in [
        "Tokens per frame",
        "Vision encoder",
        "Where the reduction",
        "overhead",
    ] {
        assert!(assumptions.contains(word), "{word}");
    }
}
