//! KV-cache sizes: dense, GQA, CSKV, quantised.

use workloads::{KvCompression, Model, Workload};

fn kv(name: &str, w: &Workload) -> u64 {
    Model::shipped(name).unwrap().kv_cache_bytes(w).unwrap()
}

#[test]
fn llama2_7b_fp16_4096_is_2_gib() {
    // 2 (K and V) · 32 layers · 4096 tokens · 4096 channels · 2 bytes = 2³¹ = 2 GiB.
    assert_eq!(
        kv("llama2-7b", &Workload::decode(4096)),
        2 * 32 * 4096 * 4096 * 2
    );
    assert_eq!(kv("llama2-7b", &Workload::decode(4096)), 2 << 30);
    // The graph reports the same; batch 8 is 8×.
    let g = Model::shipped("llama2-7b")
        .unwrap()
        .build(&Workload::decode(4096))
        .unwrap();
    assert_eq!(g.kv_cache_bytes(), 2 << 30);
    assert_eq!(
        kv("llama2-7b", &Workload::decode(4096).with_batch(8)),
        16 << 30
    );
}

#[test]
fn gqa_shrinks_the_cache() {
    // Llama-2-70B: 8 KV heads of 128 over 80 layers: 2·80·8·128·2 = 327 680 B per token.
    assert_eq!(kv("llama2-70b", &Workload::decode(1000)), 327_680 * 1000);
    // Mamba has no KV cache (its state is reported separately).
    assert_eq!(kv("mamba-2.8b", &Workload::decode(1000)), 0);
}

#[test]
fn cskv_20_percent_rank_saves_80_percent() {
    // Llama-2-7B at context 4096 + 32: the 32-token window stays fp16, 4096 tokens are
    // compressed to round(0.2·4096) = 819 channels for K and for V.
    let c = 4096 + 32;
    let dense = kv("llama2-7b", &Workload::decode(c));
    let mut w = Workload::decode(c);
    w.transforms.kv = Some("k=0.2,v=0.2,window=32".parse::<KvCompression>().unwrap());
    let cskv = kv("llama2-7b", &w);
    let window = 2 * 32 * 32 * 4096 * 2;
    let compressed = cskv - window;
    // 32 layers · 4096 tokens · (819 + 819) channels · 2 bytes.
    assert_eq!(compressed, 32 * 4096 * 1638 * 2);
    let dense_same_tokens = dense - window;
    let saving = 1.0 - compressed as f64 / dense_same_tokens as f64;
    assert!((saving - 0.80).abs() < 0.001, "{saving}");

    // With 4-bit entries: 4096·819 half-bytes plus an fp16 scale and zero per 128
    // channels (⌈819/128⌉ = 7 groups) per token, for K and for V, in 32 layers. The
    // paper's −95 % (0.2 · 4/16 = 0.05) leaves out the scales; with them the saving is
    // 1 − (1 677 312 + 114 688)/(4096·4096·2) = 94.66 %.
    w.transforms.kv.as_mut().unwrap().bits = Some(4);
    let q = kv("llama2-7b", &w) - window;
    assert_eq!(q, 32 * 2 * (4096 * 819 / 2 + 2 * 4096 * 7 * 2));
    let saving = 1.0 - q as f64 / dense_same_tokens as f64;
    assert!((saving - 0.95).abs() < 0.005, "{saving}");
}

#[test]
fn kv_quantisation_alone() {
    // 4-bit K and V for every token: per layer, token and KV head
    // 2·(128·4/8 + 2·2) = 136 bytes (64 packed bytes, an fp16 scale and zero per 128
    // channels) instead of 2·128·2 = 512.
    let mut w = Workload::decode(4096);
    w.transforms.kv = Some(KvCompression::quantized(4));
    assert_eq!(kv("llama2-7b", &w), 32 * 4096 * 32 * 136);
}
