//! `silica reproduce survey`: every banded claim passes, the survey's data-sheet rows are
//! all there with their published figures, the platform orderings hold, and the plots are
//! drawn.

use serde_json::Value;

use super::cli::silica;

/// Runs a reproduction through the binary and returns its outcome (JSON).
pub fn reproduce(name: &str) -> (Value, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let out = silica()
        .args(["reproduce", name, "--json", "-q", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v[0].clone(), tmp)
}

/// Whether a claim passes its band, re-derived from the JSON (not from the code's
/// own `passes`): a ratio within [lo, hi], a value within a range, a statement that
/// holds (1), or a reported figure.
pub fn passes(c: &Value) -> bool {
    let sim = c["simulated"].as_f64();
    let check = &c["check"];
    match check["kind"].as_str().unwrap() {
        "ratio" => {
            let (Some(s), Some(p)) = (sim, c["paper"].as_f64()) else {
                return false;
            };
            let r = s / p;
            r >= check["lo"].as_f64().unwrap() && r <= check["hi"].as_f64().unwrap()
        }
        "range" => sim.is_some_and(|s| {
            s >= check["lo"].as_f64().unwrap() && s <= check["hi"].as_f64().unwrap()
        }),
        "holds" => sim == Some(1.0),
        _ => true,
    }
}

#[test]
fn survey_claims_pass_and_cover_the_data_sheet() {
    let (o, _tmp) = reproduce("survey");
    let claims = o["claims"].as_array().unwrap();
    let misses: Vec<&Value> = claims.iter().filter(|c| !passes(c)).collect();
    assert!(misses.is_empty(), "{misses:#?}");

    // Every row of survey_decode_b1.csv (tokens/s at batch 1) is a claim with the
    // sheet's figure.
    for (work, tps) in [
        ("NVIDIA A100", 91.53),
        ("NVIDIA H100", 142.73),
        ("RTX 4090", 63.1),
        ("RTX 3090", 53.31),
        ("Xeon 8488C", 45.53),
        ("Snapdragon 8 Gen 3", 15.0),
        ("FlightLLM", 55.0),
        ("Groq", 814.0),
        ("MARCA", 23.78),
        ("AiMX", 330.0),
    ] {
        let c = claims
            .iter()
            .find(|c| {
                let w = c["what"].as_str().unwrap();
                w.contains(work) && w.contains("tokens/s")
            })
            .unwrap_or_else(|| panic!("no claim for {work}"));
        assert_eq!(c["paper"].as_f64(), Some(tps), "{work}");
    }
    // Rows the simulator runs at the survey's precision are asserted, not only reported.
    for work in ["NVIDIA A100", "Xeon 8488C", "FlightLLM", "MARCA"] {
        let c = claims
            .iter()
            .find(|c| c["what"].as_str().unwrap().contains(work))
            .unwrap();
        assert_eq!(c["check"]["kind"], "ratio", "{work}");
    }

    // The platform orderings are asserted and hold.
    let holds: Vec<&str> = claims
        .iter()
        .filter(|c| c["check"]["kind"] == "holds")
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert!(holds.len() >= 7, "{holds:?}");
    for want in [
        "H100 > A100",
        "FlightLLM U280 > every GPU",
        "batch 8 gives more",
    ] {
        assert!(holds.iter().any(|h| h.contains(want)), "{want}: {holds:?}");
    }

    let plots = o["plots"].as_array().unwrap();
    assert_eq!(plots.len(), 3);
    for p in plots {
        let meta = std::fs::metadata(p.as_str().unwrap()).unwrap();
        assert!(meta.len() > 10_000, "{p}");
    }
    assert!(!o["findings"].as_array().unwrap().is_empty());
}
