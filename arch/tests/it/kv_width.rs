//! Fused attention reads K and V at the KV cache's width (`kv_dtype`, scale groups) on
//! every unit that estimates it: a decode step over a 4-bit cache moves about a quarter of
//! the bytes of an fp16 one, and a memory-bound step takes that much less time.

use arch::Platform;
use arch::work::{AttentionShape, Bound, DType, EstimateOptions, Unit, Work};

/// One Llama-2-7B layer's decode attention at 128 k tokens: 32 heads of 128 channels.
fn decode(kv_dtype: DType, kv_group: u64) -> Work {
    Work::Attention(AttentionShape {
        batch: 1,
        heads: 32,
        kv_heads: 32,
        q_len: 1,
        kv_len: 131_072,
        head_dim: 128,
        causal: false,
        dtype: DType::Fp16,
        kv_dtype,
        kv_group,
    })
}

fn est(p: &Platform, unit: Unit, w: &Work) -> arch::work::Estimate {
    p.estimate(unit, w, &EstimateOptions::default()).unwrap()
}

// K and V of one head and token: fp16 128 × 2 = 256 B; int4 with an fp16 scale and zero per
// 128 channels 128 / 2 + 4 = 68 B. Over 32 heads × 131 072 tokens × (K, V):
const FP16_KV: u64 = 2 * 32 * 131_072 * 256; // 2 147 483 648 B
const INT4_KV: u64 = 2 * 32 * 131_072 * 68; //    570 425 344 B

#[test]
fn gpu_decode_attention_reads_the_cache_at_its_width() {
    let p = Platform::load("a100-sxm4-80gb", &[]).unwrap();
    let f = est(&p, Unit::Gpu, &decode(DType::Fp16, 0));
    let q = est(&p, Unit::Gpu, &decode(DType::Int4, 128));
    // Reads: Q (32 × 128 × 2 B) and K/V once (one head's 64 MiB of K/V exceeds the 40 MB
    // L2, but its single packed query tile streams it once).
    assert_eq!(f.dram_bytes_read, 8192 + FP16_KV);
    // The shorter int4 step may split the keys (flash-decoding): the main kernel writes
    // fp32 partials, at most 32 heads × 129 values × 4 B × 16 splits, and the combine
    // reads them back (the dispatch layer counts all but the output as read).
    let extra = q.dram_bytes_read - (8192 + INT4_KV);
    assert!(extra <= 2 * 32 * 129 * 4 * 16, "{extra}");
    assert_eq!(f.bound, Bound::Memory);
    assert_eq!(q.bound, Bound::Memory);
    // Memory-bound: the time follows the bytes, 68 / 256 = 0.266 (the same writes of the
    // split's partials, Q, and the same fixed costs add a little).
    let r = q.time.as_secs_f64() / f.time.as_secs_f64();
    assert!((r - 68.0 / 256.0).abs() < 0.02, "{r}");
    // The compute format is unchanged: the same FLOPs.
    assert_eq!(q.flops, f.flops);
    // An fp16 cache given explicitly is the old estimate (no group metadata for floats).
    assert_eq!(est(&p, Unit::Gpu, &decode(DType::Fp16, 128)).time, f.time);
}

#[test]
fn cpu_decode_attention_reads_the_cache_at_its_width() {
    let p = Platform::load("xeon-8358p", &[]).unwrap();
    let f = est(&p, Unit::Cpu, &decode(DType::Fp16, 0));
    let q = est(&p, Unit::Cpu, &decode(DType::Int4, 128));
    let moved = |e: &arch::work::Estimate| e.dram_bytes_read + e.dram_bytes_written;
    assert_eq!(moved(&f) - moved(&q), FP16_KV - INT4_KV);
}

#[test]
fn pim_decode_attention_streams_the_cache_at_its_width() {
    // AttAcc's banks hold fp16 elements: the fp16 cache is streamed as before, the int4
    // one at 68 of 256 bytes per head and token.
    let p = Platform::load("pim-attacc", &[]).unwrap();
    let f = est(&p, Unit::Pim, &decode(DType::Fp16, 0));
    let q = est(&p, Unit::Pim, &decode(DType::Int4, 128));
    assert_eq!(f.dram_bytes_read, FP16_KV);
    assert_eq!(q.dram_bytes_read, INT4_KV);
    assert!(q.time < f.time);
}

#[test]
fn pe_array_attention_takes_the_cache_as_a_quantised_operand() {
    // The PE array runs QKᵀ and PV as products whose second operand is the cache: an int4
    // cache with scale groups makes them quantised products (`quant_gemm … w4 g128`), which
    // the array streams at its operand width, as it does quantised weights (`silica run`
    // costs PE-array attention in `mappers`, which packs them).
    let p = Platform::load("generic-os-128", &[]).unwrap();
    let w = Work::Attention(AttentionShape {
        batch: 1,
        heads: 8,
        kv_heads: 8,
        q_len: 1,
        kv_len: 1024,
        head_dim: 128,
        causal: false,
        dtype: DType::Int8,
        kv_dtype: DType::Int4,
        kv_group: 128,
    });
    let e = est(&p, Unit::PeArray, &w);
    let arch::work::Backend::Parts { parts, .. } = &e.backend else {
        panic!("{e:?}")
    };
    assert_eq!(parts[0].kernel, "quant_gemm 1x128x1024 int8 w4 g128");
    assert_eq!(parts[2].kernel, "quant_gemm 1x1024x128 int8 w4 g128");
}

#[test]
fn gpu_runs_a_wide_shared_head_memory_bound() {
    // Absorbed CSKV 20 % at 128 k: 32 query heads over one shared head of 819 channels and
    // 131 040 compressed tokens. It is staged in 256-channel slices (an 819-wide tile would
    // not fit the A100's shared memory) and split over many blocks (one unit alone).
    // Reads: K and V 2 × 131 040 × 819 × 2 B = 429 287 040 B and Q 32 × 819 × 2 = 52 416 B,
    // plus at most the fp32 partials of 128 splits written and read back (2 × 32 × 820 ×
    // 4 B × 128). FLOPs 4 × 32 × 819 × 131 040 = 13.7 G: 63 µs at 70 % of 312 TFLOP/s,
    // against 211 µs for the bytes at 2.04 TB/s — memory-bound.
    let p = Platform::load("a100-sxm4-80gb", &[]).unwrap();
    let w = Work::Attention(AttentionShape {
        batch: 1,
        heads: 32,
        kv_heads: 1,
        q_len: 1,
        kv_len: 131_040,
        head_dim: 819,
        causal: false,
        dtype: DType::Fp16,
        kv_dtype: DType::Fp16,
        kv_group: 0,
    });
    let e = est(&p, Unit::Gpu, &w);
    assert_eq!(e.bound, Bound::Memory);
    let base = 429_287_040 + 52_416;
    assert!(e.dram_bytes_read >= base, "{e:?}");
    assert!(e.dram_bytes_read - base <= 2 * 32 * 820 * 4 * 128, "{e:?}");
    assert_eq!(e.flops, 4.0 * 32.0 * 819.0 * 131_040.0);
}
