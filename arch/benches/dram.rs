//! DRAM model throughput.
//!
//! * `detailed/random64/<preset>` — 4096 independent 64-byte random reads through
//!   `OffChipMemory::access` on the detailed model (one element = one request).
//! * `detailed/seq64k/<preset>` — 64 KiB sequential reads (one element = one burst).
//! * `fast/13GB/HBM3x5` — the fast path for a 13 GB sequential stream on five HBM3
//!   stacks (one element = one request), with the steady state already calibrated.
//! * `fast/calibrate/<preset>` — the one-off calibration of a new configuration (each
//!   iteration uses a different tREFI, so nothing is cached).
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use arch::dram::{DramModel, DramSpec, Fidelity};
use arch::memory::{AccessPattern, MemRequest, OffChipMemory};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sim_core::Time;

const PRESETS: [&str; 3] = ["DDR4-3200", "HBM2e", "HBM3"];

fn model(spec: DramSpec) -> DramModel {
    DramModel::new(spec.resolve("dram").unwrap())
}

fn spec(name: &str) -> DramSpec {
    DramSpec {
        preset: name.into(),
        ..Default::default()
    }
}

fn random_requests(name: &str, n: u64) -> Time {
    let mut m = model(spec(name));
    let req = MemRequest {
        addr: 0,
        bytes: 64,
        write: false,
        pattern: AccessPattern::Random { request_bytes: 64 },
    };
    let mut done = Time::ZERO;
    for k in 0..n {
        done = m.access(Time::from_ns(k), &req).done;
    }
    done
}

fn sequential(name: &str, bytes: u64) -> Time {
    let mut m = model(spec(name));
    let req = MemRequest {
        addr: 0,
        bytes,
        write: false,
        pattern: AccessPattern::Sequential,
    };
    m.serve(Time::ZERO, &req, Fidelity::Detailed)
        .completion
        .done
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("detailed");
    g.sample_size(10);
    for name in PRESETS {
        g.throughput(Throughput::Elements(4096));
        g.bench_with_input(BenchmarkId::new("random64", name), &name, |b, &n| {
            b.iter(|| black_box(random_requests(n, 4096)))
        });
        let bursts = if name.starts_with("DDR") { 1024 } else { 2048 };
        g.throughput(Throughput::Elements(bursts));
        g.bench_with_input(BenchmarkId::new("seq64k", name), &name, |b, &n| {
            b.iter(|| black_box(sequential(n, 64 << 10)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("fast");
    g.sample_size(10);
    let hbm3x5 = DramSpec {
        stacks: Some(5),
        ..spec("HBM3")
    };
    let req = MemRequest {
        addr: 0,
        bytes: 13_000_000_000,
        write: false,
        pattern: AccessPattern::Sequential,
    };
    // Calibrate once outside the measurement.
    model(hbm3x5.clone()).serve(Time::ZERO, &req, Fidelity::Fast);
    g.throughput(Throughput::Elements(1));
    g.bench_function("13GB/HBM3x5", |b| {
        b.iter(|| {
            let mut m = model(hbm3x5.clone());
            black_box(m.serve(Time::ZERO, &req, Fidelity::Fast).completion.done)
        })
    });
    for name in PRESETS {
        g.bench_with_input(BenchmarkId::new("calibrate", name), &name, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // A tREFI never used before: a cold cache.
                    let base = spec(n).resolve("dram").unwrap().timing.refi;
                    let fresh = DramSpec {
                        t_refi: Some(base as u32 + fresh_offset()),
                        ..spec(n)
                    };
                    let mut m = model(fresh);
                    let start = Instant::now();
                    black_box(m.serve(Time::ZERO, &req, Fidelity::Fast));
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

/// 1, 2, 3, …: a tREFI offset never used before in this process.
fn fresh_offset() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

criterion_group!(benches, bench);
criterion_main!(benches);
