//! Quantisation, integer softmax, fused attention, transform bookkeeping.

use workloads::ops::{Category, Role};
use workloads::transforms::{self, DequantMode};
use workloads::{AttentionImpl, Model, OpKind, Quantization, Workload};

#[test]
fn w3a16_weights_are_3_25_bits() {
    // MBQ: 3-bit weights, fp16 scale + zero per 128 → 3.25 bits per weight. The decode
    // GEMVs of Llama-2-7B read 6 476 267 520 − 32·8192 (norms) = 6 476 005 376 layer
    // weights: at 3.25 bits that is 2 630 877 184 bytes (+ fp16 LM head and norms).
    let m = Model::shipped("llama2-7b").unwrap();
    let g = m.build(&Workload::decode(128)).unwrap();
    let q = transforms::quantize(&g, Quantization::scheme("w3a16", None).unwrap()).unwrap();
    let layer_weights: u64 = q
        .ops()
        .filter(|(_, o)| matches!(o.kind, OpKind::QuantGemv(_)))
        .map(|(_, o)| o.weight_bytes())
        .sum();
    assert_eq!(layer_weights, 6_476_005_376 * 13 / 32);
    assert_eq!(q.count_kind(|k| matches!(k, OpKind::QuantGemv(_))), 7 * 32);
    // Dequantisation counted: 2 per weight on top of 2 per MAC.
    let lin = q.summary().category(Category::Linear).flops;
    let dense = g.summary().category(Category::Linear).flops;
    assert_eq!(lin - dense, 2 * 6_476_005_376);
    // Recorded on the graph; applying it twice is an error.
    assert_eq!(
        q.workload().transforms.names(),
        vec!["w3a16 g128".to_string()]
    );
    let e = transforms::quantize(&q, Quantization::scheme("w4a16", None).unwrap()).unwrap_err();
    assert!(e.to_string().contains("already applied"), "{e}");
}

#[test]
fn w8a8_quantises_activations() {
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::prefill(128);
    w.transforms.quant = Some(Quantization::scheme("w8a8", None).unwrap());
    let g = m.build(&w).unwrap();
    // Four activation quantisers per layer (q/k/v input, o input, gate/up input, down
    // input), each 4 ops per element.
    assert_eq!(
        g.count_kind(|k| matches!(k, OpKind::Elementwise(e) if e.output.is_int())),
        4 * 32
    );
    // Per-channel int8 weights with one fp16 scale per output column, no zero.
    let (_, op) = g.ops().find(|(_, o)| o.name == "q_proj").unwrap();
    assert_eq!(op.weight_bytes(), 4096 * 4096 + 4096 * 2);
}

#[test]
fn separate_dequant_adds_operators() {
    let m = Model::shipped("mamba-2.8b").unwrap();
    let mut w = Workload::decode(1);
    let mut q = Quantization::scheme("w4a16", Some(64)).unwrap();
    q.dequant = DequantMode::Separate;
    w.transforms.quant = Some(q);
    let g = m.build(&w).unwrap();
    // in_proj, x_proj, dt_proj, out_proj per layer.
    assert_eq!(g.count_kind(|k| matches!(k, OpKind::Dequantize(_))), 4 * 64);
    // The dense GEMV then reads fp16 weights produced at run time.
    let (_, op) = g.ops().find(|(_, o)| o.name == "in_proj").unwrap();
    assert!(op.kind.io().reads.iter().all(|o| o.role != Role::Weight));
}

#[test]
fn int_softmax_replaces_every_softmax() {
    let m = Model::shipped("llama2-13b").unwrap();
    let g = m.build(&Workload::prefill(1024)).unwrap();
    let i = transforms::int_softmax(&g, 8).unwrap();
    let float = g.summary().category(Category::Nonlinear);
    let int = i.summary().category(Category::Nonlinear);
    // 40 layers × 40 heads × 1024·1025/2 scores: 14 integer ops instead of 5.
    let scores = 40 * 40 * 1024 * 1025 / 2;
    assert_eq!(int.flops - float.flops, 9 * scores);
    assert_eq!(
        i.count_kind(|k| matches!(k, OpKind::Softmax(s) if matches!(s.kind, workloads::ops::SoftmaxKind::Integer { bits: 8 }))),
        40
    );
    let e = transforms::int_softmax(&g, 3).unwrap_err().to_string();
    assert!(e.contains("5…16"), "{e}");
}

#[test]
fn fused_attention_moves_fewer_bytes() {
    let m = Model::shipped("llama2-7b").unwrap();
    let mut w = Workload::prefill(2048);
    let unfused = m.build(&w).unwrap();
    w.attention = AttentionImpl::Fused;
    let fused = m.build(&w).unwrap();
    let (u, f) = (unfused.summary(), fused.summary());
    // Same FLOPs (scores, softmax and PV are all still done) …
    assert_eq!(u.total.flops, f.total.flops);
    // … but the scores and probabilities (2 bytes each, written and read twice: S by
    // QKᵀ/softmax, P by softmax/PV) stay on chip: 4 · 2 bytes per score.
    let scores = 32 * 32 * 2048 * 2049 / 2;
    assert_eq!(u.total.bytes - f.total.bytes, 8 * scores);
}

#[test]
fn cskv_graph_has_low_rank_ops() {
    let m = Model::shipped("llama2-7b").unwrap();
    let g = m.build(&Workload::decode(4096)).unwrap();
    let c = transforms::compress_kv(&g, "k=0.25,v=0.75".parse().unwrap()).unwrap();
    // Per layer: k/v down, k/v up for the new token, k/v reconstruction of the
    // 4 095 − 32 = 4 063 cached tokens outside the window.
    assert_eq!(c.count_kind(|k| matches!(k, OpKind::LowRank(_))), 6 * 32);
    let (_, rec) = c.ops().find(|(_, o)| o.name == "k_reconstruct").unwrap();
    // 2 · 4063 · 1024 · 4096 FLOPs.
    assert_eq!(rec.flops(), 2 * 4063 * 1024 * 4096);
    // Cache: 32 window tokens at 2·4096·2 bytes, 4 064 tokens at (1024 + 3072)·2 bytes,
    // in each of 32 layers.
    assert_eq!(
        c.kv_cache_bytes(),
        32 * (32 * 2 * 4096 * 2 + 4064 * 4096 * 2)
    );

    // Prefill of 2048 tokens: nothing to reconstruct; only the last 32 tokens enter the
    // fp16 window, all 2048 enter the compressed cache.
    let p = m.build(&Workload::prefill(2048)).unwrap();
    let p = transforms::compress_kv(&p, "k=0.25,v=0.75".parse().unwrap()).unwrap();
    assert_eq!(p.count_kind(|k| matches!(k, OpKind::LowRank(_))), 4 * 32);
    let tokens = |name: &str| match p.ops().find(|(_, o)| o.name == name).unwrap().1.kind {
        OpKind::KvAppend(a) => a.tokens,
        _ => unreachable!(),
    };
    assert_eq!(
        (tokens("k_append_window"), tokens("k_append_compressed")),
        (32, 2048)
    );
}

#[test]
fn identical_layers_share_a_class() {
    let m = Model::shipped("llava-video-7b").unwrap();
    let mut w = Workload::prefill(64).with_frames(4);
    let g = m.build(&w).unwrap();
    let classes = g.layer_classes();
    // Vision: 26 identical layers; language: 28 identical layers.
    assert_eq!(classes.len(), 2);
    assert!(classes.iter().any(|c| c.layers.len() == 26));
    assert!(classes.iter().any(|c| c.layers.len() == 28));
    // With token reduction after layer 2, the language layers split into: 0–1, the
    // reduction layer 2 (with merge and prune), 3–27.
    w.transforms.token_reduction = Some(Default::default());
    let g = m.build(&w).unwrap();
    let lang: Vec<Vec<u32>> = g
        .layer_classes()
        .into_iter()
        .filter(|c| c.part == workloads::Part::Language)
        .map(|c| c.layers)
        .collect();
    assert_eq!(
        lang,
        vec![vec![0, 1], vec![2], (3..28).collect::<Vec<u32>>()]
    );
}
