//! FLOPs against closed forms written here from the model definitions.

use workloads::ops::Category;
use workloads::{Model, OpKind, Phase, Workload};

/// Llama-2-7B dimensions.
const H: u64 = 4096;
const I: u64 = 11008;
const L: u64 = 32;
const HEADS: u64 = 32;
const D: u64 = 128;
const V: u64 = 32000;

/// One Llama-2-7B decode step at context `c` (batch 1), term by term:
/// - linear: q, k, v, o (4·h²) and gate, up, down (3·h·i) at 2 FLOPs per MAC;
/// - attention: per head and key, QKᵀ 2d + 1 (scale) and PV 2d;
/// - softmax: 5 per score; rotary: 3 per element of q and k;
/// - RMSNorm: 4 per element + 3 per row, twice per layer;
/// - SiLU 4 and multiply 1 per FFN element; two residual adds of h;
/// - final norm and LM head on the new token.
fn llama2_7b_decode(c: u64) -> u64 {
    let linear = 2 * (4 * H * H + 3 * H * I);
    let attention = HEADS * c * (4 * D + 1);
    let softmax = 5 * HEADS * c;
    let rotary = 3 * 2 * H;
    let norms = 2 * (4 * H + 3);
    let elementwise = 5 * I + 2 * H;
    L * (linear + attention + softmax + rotary + norms + elementwise) + (4 * H + 3) + 2 * H * V
}

#[test]
fn llama2_7b_decode_matches_closed_form() {
    let m = Model::shipped("llama2-7b").unwrap();
    for c in [1, 128, 4096] {
        let g = m.build(&Workload::decode(c)).unwrap();
        assert_eq!(g.summary().total.flops, llama2_7b_decode(c), "context {c}");
    }
}

#[test]
fn decode_is_twice_params_plus_attention() {
    // The usual estimate: 2 FLOPs per multiplied parameter (every weight except the
    // embedding lookups; a tied LM head multiplies the embedding table once) plus
    // 2·2·layers·context·heads·head_dim for QKᵀ and PV. Norms, softmax and element-wise
    // work are below 1 %.
    for (name, c) in [
        ("llama2-7b", 4096u64),
        ("llama2-13b", 2048),
        ("llama3-8b", 8192),
        ("opt-6.7b", 2048),
    ] {
        let m = Model::shipped(name).unwrap();
        let d = match &m.config {
            workloads::config::ModelConfig::Decoder(d) => d.clone(),
            _ => unreachable!(),
        };
        let pc = m.param_count();
        let tied = if pc.head == 0 { d.vocab * d.hidden } else { 0 };
        let multiplied = pc.total() - pc.embedding + tied;
        let estimate = 2 * multiplied + 4 * d.layers * c * d.heads * d.head_dim;
        let g = m.build(&Workload::decode(c)).unwrap();
        let total = g.summary().total.flops as f64;
        let rel = (total - estimate as f64).abs() / total;
        assert!(
            rel < 0.01,
            "{name}: {total} vs {estimate} ({:.3} %)",
            rel * 100.0
        );
        // The linear category alone is 2 × multiplied weights, up to biases (and the
        // norm weights, which are not multiplied in a GEMM): within 0.1 %.
        let lin = g.summary().category(Category::Linear).flops as f64;
        let rel = (lin - 2.0 * multiplied as f64).abs() / lin;
        assert!(rel < 0.001, "{name}: linear {lin} vs {}", 2 * multiplied);
    }
}

#[test]
fn llama2_7b_prefill_closed_form() {
    // Prefill of P tokens: linear layers on P rows, causal attention over P(P+1)/2 pairs
    // per head, LM head on the last position only.
    let p = 2048u64;
    let pairs = p * (p + 1) / 2;
    let per_layer = 2 * p * (4 * H * H + 3 * H * I)
        + HEADS * pairs * (4 * D + 1 + 5)
        + 3 * 2 * H * p
        + 2 * (4 * H + 3) * p
        + (5 * I + 2 * H) * p;
    let expected = L * per_layer + (4 * H + 3) + 2 * H * V;
    let g = Model::shipped("llama2-7b")
        .unwrap()
        .build(&Workload::prefill(p))
        .unwrap();
    assert_eq!(g.summary().total.flops, expected);
}

#[test]
fn eager_attention_computes_the_whole_rectangle_with_an_fp32_softmax() {
    // HuggingFace's eager attention: P² pairs per head (the mask is added, not skipped),
    // and the softmax reads and writes 4-byte elements: 8 bytes per score instead of 4.
    let p = 1024u64;
    let mut w = Workload::prefill(p);
    w.attention = workloads::AttentionImpl::Eager;
    let m = Model::shipped("llama2-7b").unwrap();
    let eager = m.build(&w).unwrap();
    let causal = m.build(&Workload::prefill(p)).unwrap();
    let (full, half) = (p * p, p * (p + 1) / 2);
    let extra = L * HEADS * (full - half) * (4 * D + 1 + 5);
    assert_eq!(
        eager.summary().total.flops,
        causal.summary().total.flops + extra
    );
    let softmax = eager
        .ops()
        .find(|(_, op)| matches!(op.kind, OpKind::Softmax(_)))
        .unwrap()
        .1;
    assert_eq!(softmax.bytes(), HEADS * full * 8);
}

#[test]
fn multi_token_decode_counts_k_queries() {
    // k = 4 tokens verified at context 1000: linear work ×4, attention over
    // 4·996 + 4·5/2 = 3 994 pairs per head instead of 1 000.
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::decode(1000);
    w.phase = Phase::Decode {
        context: 1000,
        tokens_per_step: 4,
    };
    let g = m.build(&w).unwrap();
    let s = g.summary();
    let one = m.build(&Workload::decode(1000)).unwrap().summary();
    assert_eq!(
        s.category(Category::Linear).flops - 2 * H * V * 4,
        4 * (one.category(Category::Linear).flops - 2 * H * V)
    );
    assert_eq!(
        s.category(Category::Attention).flops,
        L * HEADS * 3994 * (4 * D + 1)
    );
}

#[test]
fn mamba_scan_flops_from_the_algorithm() {
    // Mamba-2.8B prefill of 1024 tokens: per layer, per token and channel
    // 7·16 + 6 = 118 scan FLOPs: 64 · 1024 · 5120 · 118.
    let g = Model::shipped("mamba-2.8b")
        .unwrap()
        .build(&Workload::prefill(1024))
        .unwrap();
    assert_eq!(
        g.summary().category(Category::Scan).flops,
        64 * 1024 * 5120 * 118
    );
    // Conv: 2·4 + 1 per output element.
    assert_eq!(
        g.summary().category(Category::Conv).flops,
        64 * 1024 * 5120 * 9
    );
    // Decode steps read and write the states; prefill only writes them.
    assert_eq!(g.state_bytes(), 64 * (5120 * 3 * 2 + 5120 * 16 * 4));
}

#[test]
fn gemv_in_decode_gemm_in_prefill() {
    let m = Model::shipped("llama2-7b").unwrap();
    let d = m.build(&Workload::decode(64)).unwrap();
    assert_eq!(d.count_kind(|k| matches!(k, OpKind::Gemm(_))), 0);
    // 7 projections per layer + LM head.
    assert_eq!(d.count_kind(|k| matches!(k, OpKind::Gemv(_))), 7 * 32 + 1);
    let b8 = m.build(&Workload::decode(64).with_batch(8)).unwrap();
    assert_eq!(b8.count_kind(|k| matches!(k, OpKind::Gemv(_))), 0);
}
