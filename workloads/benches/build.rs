//! Graph-build time: the mapper's budget for a whole decode simulation is 50 ms, so a
//! graph must build in well under 1 ms.
//!
//! `cargo bench -p workloads --bench build`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use workloads::{Model, Workload};

fn bench(c: &mut Criterion) {
    let llama = Model::shipped("llama2-7b").unwrap_or_else(|e| panic!("{e}"));
    let mamba = Model::shipped("mamba-2.8b").unwrap_or_else(|e| panic!("{e}"));
    let llava = Model::shipped("llava-video-7b").unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        ("llama2-7b/decode", &llama, Workload::decode(4096)),
        ("llama2-7b/prefill", &llama, Workload::prefill(2048)),
        ("mamba-2.8b/decode", &mamba, Workload::decode(2048)),
        (
            "llava-video-7b/prefill-64f",
            &llava,
            Workload::prefill(64).with_frames(64),
        ),
    ];
    for (name, model, w) in cases {
        c.bench_function(&format!("build/{name}"), |b| {
            b.iter(|| model.build(black_box(&w)).map(|g| g.len()))
        });
    }
    let g = llama
        .build(&Workload::decode(4096))
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("summary/llama2-7b/decode", |b| {
        b.iter(|| black_box(&g).summary())
    });
    c.bench_function("layer_classes/llama2-7b/decode", |b| {
        b.iter(|| black_box(&g).layer_classes())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
