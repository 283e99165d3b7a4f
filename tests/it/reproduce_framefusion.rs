//! `silica reproduce framefusion`: every asserted claim within its band, the orderings
//! hold, the figures are drawn, and the LLM speed-up respects a bound counted by hand.

use super::reproduce::{assert_all_pass, assert_pngs, reproduce, simulated};

#[test]
fn framefusion_reproduces_within_its_bands() {
    let (o, _dir) = reproduce("framefusion");
    // Every asserted claim passes; the orderings (Holds) are all true.
    assert_all_pass(&o);

    // A bound by hand: LLaVA-Video-7B at 64 frames has 13 440 vision + 64 text tokens.
    // Budget 0.3 after layer 2 keeps (28·0.3 − 3)/25 = 0.216 of the vision tokens in layers
    // 3–27: token-layers 28·13 504 = 378 112 dense, 3·13 504 + 25·(2 903 + 64) = 114 687
    // reduced, a 3.30× cut of the linear layers' rows. Attention (quadratic) falls more,
    // so the LLM speed-up is at least ~3.3× (5 % slack for smaller products running less
    // efficiently) — and end to end is less (the vision tower is untouched).
    let llm = simulated(&o, "LLM speed-up, budget 0.3, 64 frames, 7B, H100");
    assert!(llm > 0.95 * 378_112.0 / 114_687.0, "{llm}");
    let e2e = simulated(
        &o,
        "End-to-end speed-up, budget 0.3, 7B, 64 frames, H100 (prefill)",
    );
    assert!(1.0 < e2e && e2e < llm, "{e2e} vs {llm}");

    // The figures are PNGs.
    assert_pngs(&o, 3);
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
