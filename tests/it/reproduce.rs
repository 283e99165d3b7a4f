//! What the `reproduce_*` tests share: running `silica reproduce <name> --json --check`
//! into a fresh folder, re-deriving from the JSON whether each claim is inside its band
//! (not from the code's own `Claim::passes`), finding a claim, reading a sweep's rows, and
//! checking the figures.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::cli::silica;

/// Runs `silica reproduce <name> --json -q --check` into a fresh temporary folder and
/// returns its outcome (JSON) with the folder, which holds the sweeps' results. A claim
/// outside its band fails the run; the message lists the claims that miss.
pub fn reproduce(name: &str) -> (Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = silica()
        .args(["reproduce", name, "--json", "-q", "--check", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let all: Option<Value> = serde_json::from_slice(&out.stdout).ok();
    if !out.status.success() {
        let misses: Vec<&Value> = all
            .iter()
            .flat_map(|v| v[0]["claims"].as_array().into_iter().flatten())
            .filter(|c| !passes(c))
            .collect();
        panic!(
            "silica reproduce {name} failed: {}\nclaims outside their band: {misses:#?}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let all = all.unwrap();
    assert_eq!(all[0]["name"], name);
    (all[0].clone(), dir)
}

/// Whether a claim passes its band, re-derived from the JSON: a ratio within [lo, hi],
/// a value within a range, a statement that holds (1), or a reported figure.
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

/// Asserts that every asserted claim (ratio, range, holds) passes, and returns how many
/// there are (at least one).
pub fn assert_all_pass(o: &Value) -> usize {
    let mut asserted = 0;
    for c in o["claims"].as_array().unwrap() {
        if c["check"]["kind"] != "report" {
            asserted += 1;
            assert!(passes(c), "claim misses its band: {c:#}");
        }
    }
    assert!(asserted > 0, "no asserted claim in {o}");
    asserted
}

/// Asserts that each of these claims (by the start of `what`) is an ordering that holds.
pub fn assert_holds(o: &Value, prefixes: &[&str]) {
    for prefix in prefixes {
        let c = claim(o, prefix);
        assert_eq!(c["check"]["kind"], "holds", "{prefix}");
        assert_eq!(
            c["simulated"].as_f64(),
            Some(1.0),
            "{prefix}: {}",
            c["note"]
        );
    }
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

/// The `simulated` figure of the claim whose `what` starts with `prefix`.
pub fn simulated(o: &Value, prefix: &str) -> f64 {
    claim(o, prefix)["simulated"].as_f64().unwrap()
}

/// `results.csv` of one of the reproduction's sweeps as rows of (column → cell).
pub fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
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

/// Asserts that the outcome lists `n` plots, each a PNG file; returns their sizes, bytes.
pub fn assert_pngs(o: &Value, n: usize) -> Vec<usize> {
    let plots = o["plots"].as_array().unwrap();
    assert_eq!(plots.len(), n, "{plots:?}");
    plots
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p.as_str().unwrap()).unwrap();
            assert!(bytes.starts_with(b"\x89PNG"), "{p} is not a PNG");
            bytes.len()
        })
        .collect()
}

#[test]
fn committed_reproduction_md_is_current() {
    // REPRODUCTION.md is generated, never edited: the same command into a fresh folder must
    // give the committed text (a change that moves a figure regenerates it; the PNGs are
    // left out of the comparison to keep the test cheap, they come from the same run).
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("REPRODUCTION.md");
    let out = silica()
        .args(["reproduce", "all", "-q", "--out"])
        .arg(dir.path().join("out"))
        .arg("--markdown")
        .arg(&md)
        .arg("--plots-dir")
        .arg(dir.path().join("docs/reproduction"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = std::fs::read_to_string(&md).unwrap();
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("REPRODUCTION.md"))
            .unwrap();
    assert!(
        fresh == committed,
        "REPRODUCTION.md is stale: regenerate it with `cargo run --release -- reproduce all \
         --markdown REPRODUCTION.md --plots-dir docs/reproduction`"
    );
}
