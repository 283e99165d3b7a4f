//! Estimates per second of the IMC and PIM unit models on their presets.
//!
//! `cargo bench -p arch --bench imc`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use arch::imc::assoc::{AssocProcessor, AssocProcessorSpec};
use arch::imc::crossbar::{Crossbar, CrossbarSpec};
use arch::imc::kernel::{AttentionShape, Kernel};
use arch::pim::{Pim, PimSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::DeserializeOwned;
use std::hint::black_box;

fn section<T: DeserializeOwned>(preset: &str, key: &str) -> T {
    let all: Vec<_> = arch::imc::presets()
        .into_iter()
        .chain(arch::pim::presets())
        .collect();
    let (_, text) = all.iter().find(|(n, _)| *n == preset).unwrap();
    let table: toml::Table = toml::from_str(text).unwrap();
    table[key].clone().try_into().unwrap()
}

fn crossbar(preset: &str) -> Crossbar {
    section::<CrossbarSpec>(preset, "crossbar")
        .validate("crossbar")
        .unwrap()
}

fn ap() -> AssocProcessor {
    section::<AssocProcessorSpec>("imc-softmap", "assoc_processor")
        .validate("assoc_processor")
        .unwrap()
}

fn pim(preset: &str) -> Pim {
    section::<PimSpec>(preset, "pim").validate("pim").unwrap()
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("imc");
    g.throughput(Throughput::Elements(1));
    let isaac = crossbar("imc-reram-isaac");
    g.bench_function("crossbar/isaac_gemv_4096x4096", |b| {
        b.iter(|| {
            isaac
                .estimate(black_box(&Kernel::Gemv { k: 4096, n: 4096 }))
                .unwrap()
        })
    });
    g.bench_function("crossbar/isaac_gemm_64x4096x4096", |b| {
        b.iter(|| {
            isaac
                .estimate(black_box(&Kernel::Gemm {
                    m: 64,
                    k: 4096,
                    n: 4096,
                }))
                .unwrap()
        })
    });
    let sram = crossbar("imc-sram-7nm");
    g.bench_function("crossbar/sram_macro_gemv_512x512_reprogrammed", |b| {
        b.iter(|| {
            sram.estimate(black_box(&Kernel::Gemv { k: 512, n: 512 }))
                .unwrap()
        })
    });
    let softmap = ap();
    g.bench_function("ap/softmax_32x4096", |b| {
        b.iter(|| {
            softmap
                .estimate(black_box(&Kernel::Softmax {
                    rows: 32,
                    len: 4096,
                }))
                .unwrap()
        })
    });
    let rows = vec![(0..64).map(|i| (i * 37 % 200) - 100).collect::<Vec<i64>>()];
    g.bench_function("ap/emulated_softmax_1x64", |b| {
        b.iter(|| softmap.run_int_softmax(black_box(&rows)).unwrap())
    });
    let aimx = pim("pim-aimx");
    g.bench_function("pim/aimx_gemv_4096x4096", |b| {
        b.iter(|| {
            aimx.estimate(black_box(&Kernel::Gemv { k: 4096, n: 4096 }))
                .unwrap()
        })
    });
    let attacc = pim("pim-attacc");
    let shape = AttentionShape {
        batch: 16,
        heads: 96,
        kv_heads: 96,
        seq_len: 2048,
        head_dim: 128,
        kv_bits: None,
        kv_group: 0,
    };
    g.bench_function("pim/attacc_attention_b16_h96_l2048", |b| {
        b.iter(|| {
            attacc
                .estimate(black_box(&Kernel::Attention(shape)))
                .unwrap()
        })
    });
    let upmem = pim("pim-upmem");
    g.bench_function("pim/upmem_gemv_4096x4096", |b| {
        b.iter(|| {
            upmem
                .estimate(black_box(&Kernel::Gemv { k: 4096, n: 4096 }))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(imc, benches);
criterion_main!(imc);
