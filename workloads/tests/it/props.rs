//! Invariants over random workloads: FLOPs and bytes grow with batch and do not shrink
//! with sequence length; graphs are acyclic with edges in node order; every edge carries its
//! producer's output and its bytes are ⌈elements · bits / 8⌉; an operator's bytes are
//! the sum of what it reads and writes.

use petgraph::visit::EdgeRef;
use proptest::prelude::*;
use workloads::{AttentionImpl, Graph, Model, Phase, Workload};

const MODELS: [&str; 5] = [
    "llama2-7b",
    "opt-6.7b",
    "mamba-130m",
    "qwen2-7b",
    "minicpm-v-8b",
];

fn workload(prefill: bool, seq: u64, batch: u64, fused: bool) -> Workload {
    let mut w = if prefill {
        Workload::prefill(seq)
    } else {
        Workload::decode(seq)
    };
    w.batch = batch;
    if fused {
        w.attention = AttentionImpl::Fused;
    }
    w
}

fn build(m: &Model, w: &Workload) -> Graph {
    let vlm = matches!(m.config, workloads::config::ModelConfig::Vlm(_));
    m.build(&w.clone().with_frames(if vlm { 1 } else { 0 }))
        .unwrap()
}

fn check_structure(g: &Graph) {
    let inner = g.inner();
    assert!(!petgraph::algo::is_cyclic_directed(inner));
    for e in inner.edge_references() {
        assert!(
            e.source().index() < e.target().index(),
            "edge against node order"
        );
        let t = e.weight();
        let expected = (t.shape.dims().iter().product::<u64>() * t.dtype.bits()).div_ceil(8);
        assert_eq!(t.bytes(), expected);
        assert_eq!(
            *t,
            inner[e.source()].kind.output(),
            "edge is not the producer's output"
        );
    }
    for (_, op) in g.ops() {
        let io = op.kind.io();
        let sum: u64 = io
            .reads
            .iter()
            .chain(&io.writes)
            .map(|o| o.tensor.bytes())
            .sum();
        assert_eq!(op.bytes(), sum);
        assert_eq!(io.writes[0].tensor, op.kind.output());
    }
    // Topological order from petgraph agrees that node order is valid.
    assert!(petgraph::algo::toposort(inner, None).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn monotone_and_well_formed(
        mi in 0usize..MODELS.len(),
        prefill in any::<bool>(),
        seq in 1u64..600,
        batch in 1u64..6,
        fused in any::<bool>(),
    ) {
        let m = Model::shipped(MODELS[mi]).unwrap();
        let g = build(&m, &workload(prefill, seq, batch, fused));
        check_structure(&g);
        let s = g.summary().total;
        let more_batch = build(&m, &workload(prefill, seq, batch + 1, fused)).summary().total;
        let more_seq = build(&m, &workload(prefill, seq + 1, batch, fused)).summary().total;
        prop_assert!(more_batch.flops > s.flops && more_batch.bytes > s.bytes);
        // Non-strict: a Mamba decode step does not depend on the context length.
        prop_assert!(more_seq.flops >= s.flops && more_seq.bytes >= s.bytes);
        // Identical layers are recognised: text-only decoders have one class.
        if matches!(m.config, workloads::config::ModelConfig::Decoder(_)) {
            prop_assert_eq!(g.layer_classes().len(), 1);
        }
        if let Phase::Decode { .. } = g.workload().phase {
            prop_assert!(g.kv_cache_bytes() > 0 || g.state_bytes() > 0);
        }
    }
}
