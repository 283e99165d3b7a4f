//! End-to-end simulation speed: `cargo bench -p mappers --bench run`.
//!
//! - `decode_cold`: Llama-2-7B decode step (batch 1, context 1024) on `generic-os-128`,
//!   graph build, mapping search and level-2 runs included (memo cleared every iteration);
//! - `decode_warm`: the same with the memo filled (a model's identical layers and a
//!   sweep's repeated points);
//! - `prefill_cold`: prefill of 2048 tokens, memo cleared.
#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use mappers::{RunOptions, simulate_model};
use workloads::{Model, Workload};

fn bench(c: &mut Criterion) {
    let p = arch::Platform::load("generic-os-128", &[]).expect("preset");
    let m = Model::resolve("llama2-7b").expect("model");
    let opts = RunOptions::default();
    let decode = Workload::decode(1024);
    let prefill = Workload::prefill(2048);
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.bench_function("decode_cold", |b| {
        b.iter(|| {
            mappers::cost::clear_memo();
            simulate_model(&p, &m, &decode, &opts).expect("run")
        })
    });
    simulate_model(&p, &m, &decode, &opts).expect("warm-up");
    g.bench_function("decode_warm", |b| {
        b.iter(|| simulate_model(&p, &m, &decode, &opts).expect("run"))
    });
    g.bench_function("prefill_cold", |b| {
        b.iter(|| {
            mappers::cost::clear_memo();
            simulate_model(&p, &m, &prefill, &opts).expect("run")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
