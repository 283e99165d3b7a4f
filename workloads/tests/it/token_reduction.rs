//! FrameFusion token reduction on LLaVA-Video-7B (Qwen2-7B, 28 layers).

use workloads::ops::Category;
use workloads::{Graph, Model, OpKind, Part, Workload};

/// Qwen2-7B dimensions.
const H: u64 = 3584;
const I: u64 = 18944;
const HEADS: u64 = 28;
const KVH: u64 = 4;
const D: u64 = 128;

fn layer_flops(g: &Graph, layer: u32, cat: Category) -> u64 {
    g.summary_of(|o| o.part == Part::Language && o.layer == Some(layer) && o.category() == cat)
        .total
        .flops
}

fn ffn_flops(g: &Graph, layer: u32) -> u64 {
    g.summary_of(|o| {
        o.part == Part::Language && o.layer == Some(layer) && o.name.starts_with("ffn_")
    })
    .total
    .flops
}

#[test]
fn seventy_percent_after_layer_2() {
    // 64 frames × 210 tokens = 13 440 vision tokens + 64 text tokens = 13 504.
    // Budget 0.3 (merge 0.5, prune 0.4): 13 440 → 6 720 → 4 032 vision tokens;
    // layers 3…27 see 4 032 + 64 = 4 096 tokens.
    let m = Model::shipped("llava-video-7b").unwrap();
    assert_eq!(m.config.layers(), 28);
    let base = Workload::prefill(64).with_frames(64);
    let mut w = base.clone();
    w.transforms.token_reduction = Some("budget=0.3,merge=0.5,layer=2".parse().unwrap());
    let dense = m.build(&base).unwrap();
    let g = m.build(&w).unwrap();
    assert_eq!(g.tokens().vision, 13_440);
    assert_eq!(g.tokens().vision_kept, 4_032);
    let (t0, t1) = (13_504u64, 4_096u64);

    // FFN of a layer with T tokens: gate, up, down 3·2·T·h·i, SiLU 4·T·i, multiply T·i,
    // plus the norm 4·T·h + 3·T and the residual add T·h.
    let ffn = |t: u64| 6 * t * H * I + 5 * t * I + 4 * t * H + 3 * t + t * H;
    for l in 0..=2 {
        assert_eq!(ffn_flops(&g, l), ffn(t0), "layer {l}");
    }
    for l in 3..28 {
        assert_eq!(ffn_flops(&g, l), ffn(t1), "layer {l}");
        assert_eq!(ffn_flops(&dense, l), ffn(t0), "dense layer {l}");
    }
    // Attention (QKᵀ + PV) with T tokens: causal pairs T(T+1)/2 per head, 4d + 1 each.
    let attn = |t: u64| HEADS * t * (t + 1) / 2 * (4 * D + 1);
    assert_eq!(layer_flops(&g, 1, Category::Attention), attn(t0));
    assert_eq!(layer_flops(&g, 5, Category::Attention), attn(t1));
    // FFN scales with the token ratio 4096/13504 = 0.3033, attention with its square
    // (0.0920, up to the +1 of the causal pairs).
    let r = ffn_flops(&g, 5) as f64 / ffn_flops(&dense, 5) as f64;
    assert!((r - 4096.0 / 13504.0).abs() < 1e-9, "{r}");
    let ra = layer_flops(&g, 5, Category::Attention) as f64
        / layer_flops(&dense, 5, Category::Attention) as f64;
    assert!(
        (ra - (4096.0 * 4097.0) / (13504.0 * 13505.0)).abs() < 1e-9,
        "{ra}"
    );

    // The similarity and merge work is counted: squared norms (2h + 1) per vision token,
    // dot product and compare (2h + 3) per adjacent-frame pair (13 440 − 210), 2h per
    // merged token.
    let merge = g
        .ops()
        .find(|(_, o)| matches!(o.kind, OpKind::TokenMerge(_)))
        .unwrap()
        .1;
    let expected = 13_440 * (2 * H + 1) + (13_440 - 210) * (2 * H + 3) + 6_720 * 2 * H;
    assert_eq!(merge.flops(), expected);
    assert_eq!(merge.layer, Some(2));
    assert!(g.summary().category(Category::TokenReduction).flops > expected);

    // Pruning re-scores the 6 720 remaining vision tokens with the attention of the last
    // token (FrameFusion's `num=1`) over the 13 504 keys of layer 2: per head and key a
    // dot product (2·128), a scale, a softmax (5) and an add into the importance sum =
    // 263; then a mean (1) and a top-k (⌈log₂ 6 720⌉ = 13 compares) per candidate.
    let prune = g
        .ops()
        .find(|(_, o)| matches!(o.kind, OpKind::TokenPrune(_)))
        .unwrap()
        .1;
    assert_eq!(prune.flops(), HEADS * 13_504 * 263 + 6_720 * (1 + 13));
    // It reads the hidden states (6 784 tokens after merging), one query row and layer
    // 2's keys, and writes the 4 096 kept tokens.
    assert_eq!(
        prune.bytes(),
        2 * (6_784 * H + HEADS * D + KVH * 13_504 * D + 4_096 * H)
    );

    // The KV cache: layers 0–2 hold 13 504 tokens, layers 3–27 hold 4 096:
    // 2 · 4 KV heads · 128 · 2 bytes = 2 048 bytes per token and layer.
    assert_eq!(g.kv_cache_bytes(), 2 * KVH * D * 2 * (3 * t0 + 25 * t1));
}

#[test]
fn the_reduction_layer_keeps_fused_attention() {
    // FrameFusion scores tokens beside the layer's SDPA; the layer itself stays fused.
    let m = Model::shipped("llava-video-7b").unwrap();
    let mut w = Workload::prefill(64).with_frames(8);
    w.attention = workloads::AttentionImpl::Fused;
    w.transforms.token_reduction = Some(Default::default());
    let g = m.build(&w).unwrap();
    assert!(
        !g.ops()
            .any(|(_, o)| o.part == Part::Language && o.name == "softmax")
    );
    assert_eq!(
        g.ops()
            .filter(|(_, o)| o.part == Part::Language && o.name == "attention")
            .count(),
        28
    );
}

#[test]
fn decode_sees_the_smaller_cache() {
    let m = Model::shipped("llava-video-7b").unwrap();
    let mut w = Workload::decode(100).with_frames(64);
    w.transforms.token_reduction = Some(Default::default());
    let g = m.build(&w).unwrap();
    // No merging in decode; layer 3 attends to 4 032 + 100 keys, layer 0 to 13 540.
    assert_eq!(g.summary().category(Category::TokenReduction).count, 0);
    let attn = |kv: u64| HEADS * kv * (4 * D + 1);
    assert_eq!(layer_flops(&g, 0, Category::Attention), attn(13_540));
    assert_eq!(layer_flops(&g, 3, Category::Attention), attn(4_132));
}

#[test]
fn text_only_models_reject_token_reduction() {
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::prefill(512);
    w.transforms.token_reduction = Some(Default::default());
    let e = m.build(&w).unwrap_err().to_string();
    assert!(e.contains("no vision tokens"), "{e}");
    let mut w = Workload::prefill(64).with_frames(8);
    w.transforms.token_reduction = Some("layer=27".parse().unwrap());
    let e = Model::shipped("llava-video-7b")
        .unwrap()
        .build(&w)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no later layer"), "{e}");
}
