//! CSKV with the up-projections absorbed (`reconstruct = absorbed`): the graph of one
//! Llama-2-7B decode layer, FLOPs and bytes derived by hand.
//!
//! Context 4 096 (the new token included), CSKV 20 %: r = round(0.2 · 4 096) = 819 key and
//! value channels; 32 tokens stay fp16, so 4 095 − 32 = 4 063 cached tokens are read
//! compressed and the window part sees 4 096 − 4 063 = 33 keys (the window and the new one).

use workloads::ops::{Category, Role};
use workloads::{AttentionImpl, KvCompression, Model, OpKind, Reconstruct, Workload};

const R: u64 = 819;
const OLD: u64 = 4063;

fn graph(reconstruct: Reconstruct, attention: AttentionImpl) -> workloads::Graph {
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::decode(4096);
    w.attention = attention;
    w.transforms.kv = Some(KvCompression {
        rank: Some((0.2, 0.2)),
        reconstruct,
        ..KvCompression::default()
    });
    m.build(&w).unwrap()
}

fn op<'a>(g: &'a workloads::Graph, name: &str) -> &'a workloads::Op {
    g.ops()
        .find(|(_, o)| o.name == name && o.layer == Some(0))
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

#[test]
fn absorbed_decode_layer_by_hand() {
    let g = graph(Reconstruct::Absorbed, AttentionImpl::Unfused);
    // Nothing is reconstructed.
    assert!(g.ops().all(|(_, o)| !o.name.contains("reconstruct")));

    // q_absorb: 32 heads × [1 × 128]·[128 × 819]: 2 · 32 · 128 · 819 = 6 709 248 FLOPs;
    // reads q (4 096 × 2 B) and the per-head weights (32 · 128 · 819 × 2 B = 6 709 248 B),
    // writes 32 · 819 × 2 B = 52 416 B. v_absorb is the transpose: the same FLOPs and
    // weights, reads 52 416 B, writes 8 192 B.
    let q = op(&g, "q_absorb");
    assert_eq!(q.flops(), 6_709_248);
    assert_eq!(q.bytes(), 8_192 + 6_709_248 + 52_416);
    let v = op(&g, "v_absorb");
    assert_eq!(v.flops(), 6_709_248);
    assert_eq!(v.bytes(), 52_416 + 6_709_248 + 8_192);
    // Their weights are k_up's and v_up's, read again but not stored twice.
    assert!(matches!(q.kind, OpKind::LowRank(l) if l.shared_weights && l.heads == 32));

    // Scores over the compressed cache: one shared K head of 819 channels, 32 queries ×
    // 4 063 keys = 130 016 scores at 2 · 819 + 1 FLOPs; reads q̃ (52 416 B) and c_k
    // (4 063 · 819 × 2 B = 6 655 194 B), writes the scores (130 016 × 2 B).
    let s = op(&g, "attn_scores_compressed");
    assert_eq!(s.flops(), (2 * R + 1) * 32 * OLD);
    assert_eq!(s.bytes(), 52_416 + OLD * R * 2 + 32 * OLD * 2);
    // PV over c_v: 2 · 819 FLOPs per probability.
    assert_eq!(op(&g, "attn_values_compressed").flops(), 2 * R * 32 * OLD);
    // One softmax over both parts: 32 × (4 063 + 33) probabilities, 5 operations each.
    assert_eq!(op(&g, "softmax").flops(), 5 * 32 * (OLD + 33));

    // Cache bytes attention reads per layer: c_k and c_v once each (6 655 194 B), the
    // window's K and V (32 heads × 33 tokens × 128 × 2 B = 270 336 B) once each.
    let kv_read: u64 = g
        .ops()
        .filter(|(_, o)| o.layer == Some(0) && o.category() == Category::Attention)
        .map(|(_, o)| o.kind.io().bytes_of(Role::KvCache))
        .sum();
    assert_eq!(kv_read, 2 * OLD * R * 2 + 2 * 270_336);

    // Against the explicit form: k_reconstruct alone is 2 · 4 063 · 819 · 4 096 FLOPs,
    // 128 (= head_dim) times the absorbed scores' 2 · 819 · 32 · 4 063 MACs·2.
    let e = graph(Reconstruct::Explicit, AttentionImpl::Unfused);
    let rec = op(&e, "k_reconstruct").flops();
    assert_eq!(rec, 2 * OLD * R * 4096);
    assert_eq!(rec, 128 * (2 * R * 32 * OLD));
    // The whole step: reconstruction dominates the explicit one.
    assert!(g.summary().total.flops * 20 < e.summary().total.flops);
    // Same cache.
    assert_eq!(g.kv_cache_bytes(), e.kv_cache_bytes());
}

#[test]
fn absorbed_fused_layer_by_hand() {
    let g = graph(Reconstruct::Absorbed, AttentionImpl::Fused);
    // The compressed part as one fused kernel with a head of (819 + 819) / 2 channels:
    // QKᵀ (2 · 819 + 1), softmax 5 and PV 2 · 819 FLOPs per score.
    let c = op(&g, "attention_compressed");
    assert_eq!(c.flops(), (2 * R + 1 + 5 + 2 * R) * 32 * OLD);
    // The window part: 32 heads × 33 keys of 128 channels, causal (the new token sees all).
    let w = op(&g, "attention");
    assert_eq!(w.flops(), (2 * 128 + 1 + 5 + 2 * 128) * 32 * 33);
    // Combined by one add of 4 096 outputs.
    assert_eq!(op(&g, "attention_combine").flops(), 4096);
    // Prefill has nothing older than the window: the absorbed and explicit graphs agree.
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::prefill(512);
    w.transforms.kv = Some(KvCompression {
        rank: Some((0.2, 0.2)),
        reconstruct: Reconstruct::Absorbed,
        ..KvCompression::default()
    });
    let a = m.build(&w).unwrap().summary().total;
    w.transforms.kv = w.transforms.kv.map(|k| KvCompression {
        reconstruct: Reconstruct::Explicit,
        ..k
    });
    let x = m.build(&w).unwrap().summary().total;
    assert_eq!((a.flops, a.bytes), (x.flops, x.bytes));
}
