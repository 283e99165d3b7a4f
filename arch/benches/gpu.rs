//! Kernel-estimate throughput: the mapper estimates every operator of every layer, so one
//! estimate must cost well under a microsecond (target ≥ 1 M GPU estimates/s).
//!
//! Run: `cargo bench -p arch --bench gpu`.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use arch::gpu::{self, AttentionShape, DType, KernelModel, KernelRequest};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// One decoder layer of a 7B model at batch 1 plus a prefill GEMM and attention: the mix a
/// mapper asks for.
fn requests() -> Vec<KernelRequest> {
    let h = DType::Fp16;
    vec![
        KernelRequest::Gemv {
            m: 1,
            n: 12288,
            k: 4096,
            dtype: h,
        },
        KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: h,
        },
        KernelRequest::Gemv {
            m: 1,
            n: 22016,
            k: 4096,
            dtype: h,
        },
        KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 11008,
            dtype: h,
        },
        KernelRequest::Gemm {
            m: 2048,
            n: 4096,
            k: 4096,
            dtype: h,
        },
        KernelRequest::Gemm {
            m: 2048,
            n: 11008,
            k: 4096,
            dtype: h,
        },
        KernelRequest::QuantGemv {
            m: 1,
            n: 4096,
            k: 4096,
            weight_bits: 4,
            group_size: 128,
            act: h,
            fused_dequant: true,
        },
        KernelRequest::Attention(AttentionShape {
            batch: 1,
            heads: 32,
            kv_heads: 32,
            q_len: 1,
            kv_len: 2048,
            head_dim: 128,
            causal: true,
            dtype: h,
            kv_dtype: h,
            kv_group: 0,
        }),
        KernelRequest::Attention(AttentionShape {
            batch: 1,
            heads: 32,
            kv_heads: 8,
            q_len: 2048,
            kv_len: 2048,
            head_dim: 128,
            causal: true,
            dtype: h,
            kv_dtype: h,
            kv_group: 0,
        }),
        KernelRequest::Softmax {
            rows: 32,
            len: 2048,
            dtype: h,
        },
        KernelRequest::Elementwise {
            elements: 11008,
            flops_per_element: 8,
            dtype: h,
            n_inputs: 2,
        },
        KernelRequest::SelectiveScan {
            batch: 1,
            seq_len: 2048,
            d_inner: 5120,
            d_state: 16,
            dtype: h,
        },
    ]
}

fn bench(c: &mut Criterion) {
    let a100 = gpu::preset("a100-sxm4-80gb").expect("preset");
    let reqs = requests();
    let mut g = c.benchmark_group("gpu_estimate");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    g.bench_function("a100_layer_mix", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(a100.estimate(black_box(r)).expect("estimate"));
            }
        })
    });
    let gemm = KernelRequest::Gemm {
        m: 2048,
        n: 4096,
        k: 4096,
        dtype: DType::Fp16,
    };
    g.throughput(Throughput::Elements(1));
    g.bench_function("a100_gemm", |b| {
        b.iter(|| black_box(a100.estimate(black_box(&gemm)).expect("estimate")))
    });
    let gemv = KernelRequest::Gemv {
        m: 1,
        n: 4096,
        k: 4096,
        dtype: DType::Fp16,
    };
    g.bench_function("a100_gemv", |b| {
        b.iter(|| black_box(a100.estimate(black_box(&gemv)).expect("estimate")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
