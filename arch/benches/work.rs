//! Dispatch-layer throughput: `Platform::estimate` per backend, in estimates per second.
//! The mapper calls it once per operator shape, so the fixed cost per call matters: a
//! PE-array level-2 estimate builds one sim-core run; everything else is closed-form.
//! `memory/build` is what each PE-array estimate pays to build the DRAM model (its
//! fast-path calibration is cached per process, so only the first call per DRAM
//! configuration pays that).
//!
//! Run: `cargo bench -p arch --bench work`.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use arch::Platform;
use arch::kernel::Fidelity;
use arch::work::{AttentionShape, DType, EstimateOptions, Unit, Work};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn gemm(m: u64, k: u64, n: u64, d: DType) -> Work {
    Work::Gemm {
        m,
        k,
        n,
        act: d,
        weight: d,
    }
}

fn decode_attention(kv_heads: u64) -> Work {
    Work::Attention(AttentionShape {
        batch: 1,
        heads: 32,
        kv_heads,
        q_len: 1,
        kv_len: 1024,
        head_dim: 128,
        causal: true,
        dtype: DType::Fp16,
        kv_dtype: DType::Fp16,
        kv_group: 0,
    })
}

fn bench(c: &mut Criterion) {
    let h = DType::Fp16;
    let i8 = DType::Int8;
    let level3 = EstimateOptions {
        fidelity: Fidelity::Roofline,
        ..Default::default()
    };
    // (benchmark name, preset, unit, work, options)
    let cases: Vec<(&str, &str, Unit, Work, EstimateOptions)> = vec![
        (
            "pe_array/gemm_512_level2",
            "generic-os-128",
            Unit::PeArray,
            gemm(512, 512, 512, i8),
            EstimateOptions::default(),
        ),
        (
            "pe_array/gemm_4096_level2",
            "generic-os-128",
            Unit::PeArray,
            gemm(4096, 4096, 4096, i8),
            EstimateOptions::default(),
        ),
        (
            "pe_array/gemm_4096_level3",
            "generic-os-128",
            Unit::PeArray,
            gemm(4096, 4096, 4096, i8),
            level3,
        ),
        (
            "pe_array/gemv_4096x11008_fpga",
            "flightllm-u280",
            Unit::PeArray,
            gemm(1, 4096, 11008, i8),
            EstimateOptions::default(),
        ),
        (
            "pe_array/attention_decode_decomposed",
            "generic-os-128",
            Unit::PeArray,
            decode_attention(32),
            EstimateOptions::default(),
        ),
        (
            "pe_array/scan_marca",
            "marca",
            Unit::PeArray,
            Work::Scan {
                batch: 1,
                seq_len: 64,
                d_inner: 5120,
                d_state: 16,
                dtype: h,
            },
            EstimateOptions::default(),
        ),
        (
            "nonlinear/softmax_32x4096",
            "generic-os-128",
            Unit::Nonlinear,
            Work::Softmax {
                rows: 32,
                len: 4096,
                dtype: h,
                integer: false,
            },
            EstimateOptions::default(),
        ),
        (
            "gpu/gemv_4096x11008",
            "a100-sxm4-80gb",
            Unit::Gpu,
            gemm(1, 4096, 11008, h),
            EstimateOptions::default(),
        ),
        (
            "gpu/gemm_2048x4096x4096",
            "h100-sxm5-80gb",
            Unit::Gpu,
            gemm(2048, 4096, 4096, h),
            EstimateOptions::default(),
        ),
        (
            "gpu/attention_decode",
            "a100-sxm4-80gb",
            Unit::Gpu,
            decode_attention(8),
            EstimateOptions::default(),
        ),
        (
            "cpu/gemv_4096x11008",
            "xeon-8358p",
            Unit::Cpu,
            gemm(1, 4096, 11008, h),
            EstimateOptions::default(),
        ),
        (
            "crossbar/gemv_1024x1024",
            "imc-sram-7nm",
            Unit::Crossbar,
            gemm(1, 1024, 1024, i8),
            EstimateOptions::default(),
        ),
        (
            "assoc_processor/int_softmax_16x512",
            "imc-softmap",
            Unit::AssocProcessor,
            Work::Softmax {
                rows: 16,
                len: 512,
                dtype: i8,
                integer: true,
            },
            EstimateOptions::default(),
        ),
        (
            "pim/gemv_4096x4096",
            "pim-hbm-pim",
            Unit::Pim,
            gemm(1, 4096, 4096, h),
            EstimateOptions::default(),
        ),
        (
            "pim/attention_decode",
            "pim-attacc",
            Unit::Pim,
            decode_attention(8),
            EstimateOptions::default(),
        ),
    ];
    let mut g = c.benchmark_group("estimate");
    g.throughput(Throughput::Elements(1));
    for (name, preset, unit, work, opts) in &cases {
        let p = Platform::load(preset, &[]).expect("preset");
        p.estimate(*unit, work, opts).expect("runs");
        g.bench_function(*name, |b| {
            b.iter(|| black_box(p.estimate(*unit, black_box(work), opts).expect("runs")))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("memory");
    let p = Platform::load("generic-os-128", &[]).expect("preset");
    g.bench_function("build", |b| {
        b.iter(|| black_box(p.memory().expect("memory")))
    });
    g.bench_function("candidate_units", |b| {
        b.iter(|| black_box(p.candidate_units(black_box(&gemm(1, 4096, 4096, i8)))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
