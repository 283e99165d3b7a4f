//! Engine overhead per point: a 10 000-point grid with a trivial evaluator, so what is
//! timed is expansion, constraint checks, point resolution, row formatting, the per-row
//! write, the final sorted rewrite and the Pareto file.
//!
//! `cargo bench -p sweeps --bench engine`; throughput is reported in points/s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sweeps::{ResolvedPoint, RunOptions, Spec, run_sweep};

/// 10 × 10 × 10 × 10 = 10 000 points, a constraint and two objectives.
const SPEC: &str = r#"
metrics = ["latency_s", "energy_j"]
constraints = ["arch.pe_array.rows * arch.pe_array.cols <= 1e9"]
[base]
arch = "bench"
[base.workload]
m = 512
[[axis]]
key = "arch.pe_array.rows"
linear = { start = 8, stop = 80, step = 8 }
[[axis]]
key = "arch.pe_array.cols"
linear = { start = 8, stop = 80, step = 8 }
[[axis]]
key = "arch.global_buffer.size_kib"
geometric = { start = 1, stop = 512, factor = 2 }
[[axis]]
key = "workload.k"
linear = { start = 0.5, stop = 5.0, step = 0.5 }
[[objective]]
metric = "latency_s"
sense = "minimize"
[[objective]]
metric = "energy_j"
sense = "minimize"
"#;

fn trivial(p: &ResolvedPoint) -> Result<BTreeMap<String, f64>, String> {
    let x = (p.seed >> 11) as f64 / (1u64 << 53) as f64;
    Ok(BTreeMap::from([
        ("latency_s".to_string(), x),
        ("energy_j".to_string(), 1.0 - x),
    ]))
}

fn engine(c: &mut Criterion) {
    let spec = Spec::parse(SPEC, "bench.toml").unwrap();
    assert_eq!(spec.n_points(), 10_000);
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(spec.n_points()));
    for threads in [1, 2] {
        group.bench_function(format!("10k_points_{threads}_threads"), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    let options = RunOptions {
                        threads,
                        ..RunOptions::default()
                    };
                    black_box(run_sweep(&spec, &trivial, dir.path(), &options).unwrap());
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.bench_function("expand_and_resolve_10k_points", |b| {
        b.iter(|| {
            for id in 0..spec.n_points() {
                black_box(spec.point(id).unwrap());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
