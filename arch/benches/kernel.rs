//! Benchmarks of the kernel models.
//!
//! * `level2/gemm_4096_128x128`: the tile-level model answers a 4096×4096×4096 GEMM on the
//!   128×128 `generic-os-128` preset (default tiling; target: well under 1 ms).
//! * `level2/gemm_4096_fine_tiles`: the same GEMM with 256×256×256 tiles (4096 tiles, one
//!   event-driven pipeline step each).
//! * `reference/*`: the cycle-stepped reference; throughput is reported in PE-cycles
//!   (target ≥ 100 M PE-cycles/s).
//!
//! Run: `cargo bench -p arch --bench kernel`.

use std::hint::black_box;

use arch::Platform;
use arch::kernel::{GemmOptions, GemmTiling, run_gemm};
use arch::pe_array::{Dataflow, GemmShape, fold_timing};
use arch::reference::{RefConfig, run_gemm as ref_gemm};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn level2(c: &mut Criterion) {
    let Ok(p) = Platform::load("generic-os-128", &[]) else {
        return;
    };
    let s = GemmShape::new(4096, 4096, 4096);
    let mut g = c.benchmark_group("level2");
    g.bench_function("gemm_4096_128x128", |b| {
        b.iter(|| {
            run_gemm(black_box(&p), black_box(s), &GemmOptions::default()).map(|r| r.total_cycles)
        })
    });
    let fine = GemmOptions {
        tiling: Some(GemmTiling {
            tile_m: 256,
            tile_k: 256,
            tile_n: 256,
        }),
        ..Default::default()
    };
    g.bench_function("gemm_4096_fine_tiles", |b| {
        b.iter(|| run_gemm(black_box(&p), black_box(s), &fine).map(|r| r.total_cycles))
    });
    g.finish();
}

fn reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    g.sample_size(10);
    for (df, rows, cols, shape) in [
        (
            Dataflow::OutputStationary,
            64,
            64,
            GemmShape::new(128, 256, 128),
        ),
        (
            Dataflow::WeightStationary,
            64,
            64,
            GemmShape::new(256, 128, 128),
        ),
        (
            Dataflow::InputStationary,
            64,
            64,
            GemmShape::new(128, 128, 256),
        ),
        (
            Dataflow::OutputStationary,
            16,
            16,
            GemmShape::new(64, 64, 64),
        ),
    ] {
        let cycles = fold_timing(rows, cols, df, false, shape).compute_cycles;
        g.throughput(Throughput::Elements(cycles * rows * cols));
        let a: Vec<i32> = (0..shape.m * shape.k).map(|i| (i % 7) as i32 - 3).collect();
        let bm: Vec<i32> = (0..shape.k * shape.n).map(|i| (i % 5) as i32 - 2).collect();
        let cfg = RefConfig {
            rows: rows as usize,
            cols: cols as usize,
            dataflow: df,
            fold_overlap: false,
        };
        g.bench_function(format!("{}_{rows}x{cols}", df.short()), |b| {
            b.iter(|| ref_gemm(cfg, shape, black_box(&a), black_box(&bm)).map(|r| r.cycles))
        });
    }
    g.finish();
}

criterion_group!(benches, level2, reference);
criterion_main!(benches);
