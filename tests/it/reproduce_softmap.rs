//! `silica reproduce softmap`: every asserted claim within its band, the platform
//! orderings of the paper, and the AP-size sweep against counts derived by hand. Also the
//! helpers the other kernel reproductions' tests share.

use std::path::Path;

use serde_json::Value;

use super::cli::silica;

/// Runs `silica reproduce <name> --json` into `out` and returns its outcome.
pub fn reproduce(name: &str, out: &Path) -> Value {
    let run = silica()
        .args(["reproduce", name, "--json", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let all: Value = serde_json::from_slice(&run.stdout).unwrap();
    all[0].clone()
}

/// The claim whose `what` starts with `prefix`.
pub fn claim<'a>(o: &'a Value, prefix: &str) -> &'a Value {
    o["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["what"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no claim `{prefix}`"))
}

/// Asserts that every claim passes its check (as `Claim::passes` decides: a ratio or a
/// range band, or 1 for an ordering), and that there is at least one asserted claim.
pub fn assert_all_pass(o: &Value) {
    let mut asserted = 0;
    for c in o["claims"].as_array().unwrap() {
        let sim = c["simulated"].as_f64().unwrap_or(f64::NAN);
        let check = &c["check"];
        let ok = match check["kind"].as_str().unwrap() {
            "ratio" => {
                let r = sim / c["paper"].as_f64().unwrap();
                r >= check["lo"].as_f64().unwrap() && r <= check["hi"].as_f64().unwrap()
            }
            "range" => sim >= check["lo"].as_f64().unwrap() && sim <= check["hi"].as_f64().unwrap(),
            "holds" => sim >= 0.5,
            _ => continue,
        };
        asserted += 1;
        assert!(ok, "claim misses its band: {c}");
    }
    assert!(asserted > 0, "no asserted claim in {o}");
}

/// `results.csv` of one of the reproduction's sweeps as rows of (column → cell).
pub fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn softmap_claims_hold() {
    let dir = tempfile::tempdir().unwrap();
    let o = reproduce("softmap", dir.path());
    assert_all_pass(&o);
    // The orderings the paper states hold on the whole sweep: less energy than both GPUs,
    // better EDP than both GPUs' fp32 softmax.
    for prefix in [
        "AP softmax energy below",
        "AP softmax EDP better",
        "AP bit-level",
    ] {
        assert_eq!(
            claim(&o, prefix)["simulated"].as_f64(),
            Some(1.0),
            "{prefix}"
        );
    }
    // The share grows with L, so its maximum is at the longest prompt of the sweep.
    let share = claim(&o, "softmax share of a prefill step");
    assert!(share["what"].as_str().unwrap().contains("16384 tokens"));
    // Six plots: EDP ratio per GPU, energy and delay bars, AP size, softmax share.
    assert_eq!(o["plots"].as_array().unwrap().len(), 6);
    for p in o["plots"].as_array().unwrap() {
        assert!(Path::new(p.as_str().unwrap()).exists(), "{p}");
    }

    // AP size, derived by hand: Llama-2-7B, batch 32, L = 4096 is 32 · 32 · 4096 = 131 072
    // rows of 4096 — one row per 4096-word array, so ⌈131072 / arrays⌉ rounds of equal
    // length: 64 arrays take 2048 rounds, 256 arrays 512 (4× faster), 65 536 arrays 2
    // (1024× faster). The words touched, hence the energy, do not depend on the arrays.
    let rows = rows(&dir.path().join("softmap/ap-size/results.csv"));
    let at = |arrays: &str| {
        rows.iter()
            .find(|r| {
                r["arch.assoc_processor.arrays"] == arrays
                    && r["workload.batch"] == "32"
                    && r["workload.len"] == "4096"
            })
            .map(|r| {
                (
                    r["latency_s"].parse::<f64>().unwrap(),
                    r["energy_j"].parse::<f64>().unwrap(),
                )
            })
            .unwrap()
    };
    let (t64, e64) = at("64");
    let (t256, e256) = at("256");
    let (t65536, e65536) = at("65536");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
    assert!(close(t64 / t256, 4.0), "{t64} {t256}");
    assert!(close(t64 / t65536, 1024.0), "{t64} {t65536}");
    assert!(
        close(e64, e256) && close(e64, e65536),
        "{e64} {e256} {e65536}"
    );
}
