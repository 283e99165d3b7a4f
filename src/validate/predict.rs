//! Predicting a measured case with the GPU model: the class → [`KernelRequest`] mapping,
//! and the decoder step composed from its kernels.
//!
//! | class | request |
//! | --- | --- |
//! | `gemv` | `Gemv { m, n, k, dtype }`: CUDA-core GEMV, weights streamed once (cuBLAS runs GEMV-style kernels for these m ≤ 16, all memory-bound) |
//! | `gemm` | `Gemm { m, n, k, dtype }` |
//! | `qgemv` | `QuantGemv { m: 1, n, k, weight_bits, group_size, act: dtype, fused_dequant: true }`; for `m > 1` its busy time plus `m − 1` times its compute time: the harness's Triton kernel runs one program per activation row in one launch, so every row unpacks the weights again while the weights stream from DRAM once |
//! | `softmax` | `Softmax { rows: m, len: n, dtype }` |
//! | `attention` | `Attention(AttentionShape { batch, heads, kv_heads, q_len: seq_len, kv_len: seq_len, head_dim, causal: true, dtype, kv_dtype: dtype, kv_group: 0 })` for `op` `sdpa_causal_prefill` (or empty); `causal: false` for `sdpa_prefill`; `q_len: 1, causal: false` for `sdpa_decode` |
//! | `elementwise` | `Elementwise { elements: m, flops_per_element: 1, dtype, n_inputs }`, 2 inputs for `op` `add`/`mul`, else 1 |
//! | `scan` | by `op`: `selective_scan_seq` → `SelectiveScanStepwise { batch, seq_len, d_inner, d_state, dtype }`; `selective_scan_assoc` → `SelectiveScanChunked { .. }` (same fields); `selective_scan_step` → `SelectiveScanStep { batch, d_inner, d_state, dtype }` |
//! | `decoder_step` | the kernels of [`decoder_layer`] × `layers`, launched as in [`LaunchMode`] |
//!
//! Each scan variant has its own request: the sequential recurrence, the chunked
//! associative scan and the decode step with the state in memory (`arch::gpu`'s `scan`
//! module describes the three).

use arch::gpu::{AttentionShape, DType, Gpu, KernelModel, KernelRequest};

use super::data::{Case, KernelClass, LaunchMode, ScanVariant, Timing};

/// How the host issues a sequence of kernels (a decoder step): a property of the host
/// and its framework, not of the GPU, so not in `[gpu.efficiency]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Composition {
    /// Time the host framework needs to issue one kernel in eager mode (PyTorch's
    /// dispatcher, argument checks and the CUDA launch call), µs. A CUDA-graph replay
    /// issues the whole step at once and pays none of it.
    pub host_launch_gap_us: f64,
}

/// Default host launch gap: 10.16 µs, fitted on the training half of
/// `validation/data/h100-sxm.csv` (PyTorch 2.11 eager on that machine's host; `silica
/// validate --fit` prints it for new data).
pub const DEFAULT_HOST_LAUNCH_GAP_US: f64 = 10.16;

impl Default for Composition {
    fn default() -> Self {
        Composition {
            host_launch_gap_us: DEFAULT_HOST_LAUNCH_GAP_US,
        }
    }
}

/// The kernel request of a single-kernel case (`None` for `decoder_step`).
pub fn request(c: &Case) -> Option<KernelRequest> {
    Some(match c.class {
        KernelClass::Gemv => KernelRequest::Gemv {
            m: c.m,
            n: c.n,
            k: c.k,
            dtype: c.dtype,
        },
        KernelClass::Gemm => KernelRequest::Gemm {
            m: c.m,
            n: c.n,
            k: c.k,
            dtype: c.dtype,
        },
        KernelClass::Qgemv => KernelRequest::QuantGemv {
            m: c.m,
            n: c.n,
            k: c.k,
            weight_bits: c.weight_bits,
            group_size: c.group_size,
            act: c.dtype,
            fused_dequant: true,
        },
        KernelClass::Softmax => KernelRequest::Softmax {
            rows: c.m,
            len: c.n,
            dtype: c.dtype,
        },
        KernelClass::Attention => KernelRequest::Attention(AttentionShape {
            batch: c.batch,
            heads: c.heads,
            kv_heads: c.kv_heads,
            q_len: if c.op == "sdpa_decode" { 1 } else { c.seq_len },
            kv_len: c.seq_len,
            head_dim: c.head_dim,
            causal: !matches!(c.op.as_str(), "sdpa_prefill" | "sdpa_decode"),
            dtype: c.dtype,
            kv_dtype: c.dtype,
            kv_group: 0,
        }),
        KernelClass::Elementwise => KernelRequest::Elementwise {
            elements: c.m,
            flops_per_element: 1,
            dtype: c.dtype,
            n_inputs: if matches!(c.op.as_str(), "add" | "mul") {
                2
            } else {
                1
            },
        },
        KernelClass::Scan => match c.scan_variant() {
            Some(ScanVariant::Associative) => KernelRequest::SelectiveScanChunked {
                batch: c.batch,
                seq_len: c.seq_len,
                d_inner: c.d_inner,
                d_state: c.d_state,
                dtype: c.dtype,
            },
            Some(ScanVariant::Step) => KernelRequest::SelectiveScanStep {
                batch: c.batch,
                d_inner: c.d_inner,
                d_state: c.d_state,
                dtype: c.dtype,
            },
            _ => KernelRequest::SelectiveScanStepwise {
                batch: c.batch,
                seq_len: c.seq_len,
                d_inner: c.d_inner,
                d_state: c.d_state,
                dtype: c.dtype,
            },
        },
        KernelClass::DecoderStep => return None,
    })
}

/// Shape of one decoder layer's decode step (the `decoder_step` columns).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecoderShape {
    /// Sequences decoded together.
    pub batch: u64,
    /// Hidden size (`k` column).
    pub hidden: u64,
    /// MLP size (`n` column).
    pub intermediate: u64,
    /// Query heads.
    pub heads: u64,
    /// Key/value heads.
    pub kv_heads: u64,
    /// Head dimension.
    pub head_dim: u64,
    /// Cached tokens before this step (`seq_len` column); attention sees one more.
    pub context: u64,
    /// Format of weights and activations.
    pub dtype: DType,
}

/// The kernels one decode step of one Llama-style layer launches, in order, as the
/// harness's PyTorch code (`validation/gpu/harness.py`, `build_decoder`) issues them
/// eagerly: 40 kernels for a layer —
/// - RMSNorm ×2, 8 element-wise kernels each (`x.float()`, `pow`, `mean`, `+ eps`,
///   `rsqrt`, `*`, `.to(fp16)`, `* g`; the `mean` reduction is costed as an element-wise
///   pass over its input);
/// - q, k, v GEMVs; rotary on q and on k, 5 kernels each (`t·cos`, negate a half,
///   `cat`, `·sin`, `+`); two KV-cache writes; attention of 1 query over `context + 1`
///   keys; o GEMV and the residual add;
/// - gate and up GEMVs, `silu`, the product, the down GEMV and the residual add.
pub fn decoder_layer(s: &DecoderShape) -> Vec<KernelRequest> {
    let b = s.batch;
    let (q_dim, kv_dim) = (s.heads * s.head_dim, s.kv_heads * s.head_dim);
    let ew = |elements: u64, n_inputs: u32, dtype: DType| KernelRequest::Elementwise {
        elements,
        flops_per_element: 1,
        dtype,
        n_inputs,
    };
    let gemv = |n: u64, k: u64| KernelRequest::Gemv {
        m: b,
        n,
        k,
        dtype: s.dtype,
    };
    let x = b * s.hidden;
    let rms = [
        ew(x, 1, DType::Fp32),
        ew(x, 1, DType::Fp32),
        ew(x, 1, DType::Fp32),
        ew(b, 1, DType::Fp32),
        ew(b, 1, DType::Fp32),
        ew(x, 2, DType::Fp32),
        ew(x, 1, s.dtype),
        ew(x, 2, s.dtype),
    ];
    let rope = |e: u64| {
        [
            ew(e, 2, s.dtype),
            ew(e / 2, 1, s.dtype),
            ew(e, 2, s.dtype),
            ew(e, 2, s.dtype),
            ew(e, 2, s.dtype),
        ]
    };
    let mut k = Vec::with_capacity(40);
    k.extend(rms);
    k.push(gemv(q_dim, s.hidden));
    k.extend(rope(b * q_dim));
    k.push(gemv(kv_dim, s.hidden));
    k.extend(rope(b * kv_dim));
    k.push(gemv(kv_dim, s.hidden));
    k.push(ew(b * kv_dim, 1, s.dtype));
    k.push(ew(b * kv_dim, 1, s.dtype));
    k.push(KernelRequest::Attention(AttentionShape {
        batch: b,
        heads: s.heads,
        kv_heads: s.kv_heads,
        q_len: 1,
        kv_len: s.context + 1,
        head_dim: s.head_dim,
        causal: false,
        dtype: s.dtype,
        kv_dtype: s.dtype,
        kv_group: 0,
    }));
    k.push(gemv(s.hidden, q_dim));
    k.push(ew(x, 2, s.dtype));
    k.extend(rms);
    k.push(gemv(s.intermediate, s.hidden));
    k.push(ew(b * s.intermediate, 1, s.dtype));
    k.push(gemv(s.intermediate, s.hidden));
    k.push(ew(b * s.intermediate, 2, s.dtype));
    k.push(gemv(s.hidden, s.intermediate));
    k.push(ew(x, 2, s.dtype));
    k
}

/// Time of kernels of device times `t_us` issued by a host that needs `gap_us` per launch
/// (eager): kernel `i` is issued at `i·gap` and starts at `max(issue_i, end_{i−1})`. With
/// `gap = 0` (CUDA graph) this is `Σ t_i`.
pub fn issue_and_run(t_us: &[f64], gap_us: f64) -> f64 {
    let mut end = 0.0_f64;
    for (i, t) in t_us.iter().enumerate() {
        let issue = i as f64 * gap_us;
        end = end.max(issue) + t;
    }
    end
}

fn us(t: sim_core::Time) -> f64 {
    t.as_secs_f64() * 1e6
}

/// Predicted time of `c` on `gpu`, µs: a single kernel's busy time plus its launches
/// (`launch_overhead_us` each when timed `isolated`, `stream_launch_overhead_us` when
/// `stream`), or
/// the composed decoder step.
pub fn predict_us(gpu: &Gpu, comp: &Composition, c: &Case) -> anyhow::Result<f64> {
    let single = if c.class == KernelClass::Qgemv && c.m > 1 {
        // The harness's Triton kernel runs one program per activation row: m one-row
        // GEMVs in one launch, each unpacking the weights again (m times the compute),
        // sharing one DRAM stream of the weights (the other rows hit L2) and its latency.
        let one = Case { m: 1, ..c.clone() };
        request(&one).map(|r| (r, c.m as f64))
    } else {
        request(c).map(|r| (r, 1.0))
    };
    if let Some((req, rows)) = single {
        let e = gpu.estimate(&req)?;
        let busy = us(e.time) - us(e.launch_time) + (rows - 1.0) * us(e.compute_time);
        let per_launch = match c.timing {
            Timing::Isolated => gpu.efficiency().launch_overhead_us,
            Timing::Stream => gpu.efficiency().stream_launch_overhead_us,
        };
        return Ok(busy + f64::from(e.kernels) * per_launch);
    }
    let shape = DecoderShape {
        batch: c.batch,
        hidden: c.k,
        intermediate: c.n,
        heads: c.heads,
        kv_heads: c.kv_heads,
        head_dim: c.head_dim,
        context: c.seq_len,
        dtype: c.dtype,
    };
    // Each kernel in the stream: its busy time plus `stream_launch_overhead_us` per launch.
    let stream = gpu.efficiency().stream_launch_overhead_us;
    let layer = decoder_layer(&shape)
        .iter()
        .map(|r| {
            gpu.estimate(r)
                .map(|e| us(e.time) - us(e.launch_time) + f64::from(e.kernels) * stream)
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let all: Vec<f64> = (0..c.layers).flat_map(|_| layer.iter().copied()).collect();
    let gap = match c.launch_mode() {
        LaunchMode::Eager => comp.host_launch_gap_us,
        LaunchMode::CudaGraph => 0.0,
    };
    // The first kernel pays an isolated launch.
    let first = (gpu.efficiency().launch_overhead_us - stream).max(0.0);
    Ok(first + issue_and_run(&all, gap))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn host_gap_queue_by_hand() {
        // Kernels of 5, 1, 1 µs. Graph (no gap): 7. Gap 3: k0 0–5; k1 issued 3, runs 5–6;
        // k2 issued 6, runs 6–7 → 7 (the device was the bottleneck). Gap 10: k1 issued 10,
        // runs 10–11; k2 issued 20, runs 20–21 → 21 (the host was).
        assert_eq!(issue_and_run(&[5.0, 1.0, 1.0], 0.0), 7.0);
        assert_eq!(issue_and_run(&[5.0, 1.0, 1.0], 3.0), 7.0);
        assert_eq!(issue_and_run(&[5.0, 1.0, 1.0], 10.0), 21.0);
    }

    #[test]
    fn a_llama_layer_is_the_harness_kernel_list() {
        // harness.py build_decoder: 2 × RMSNorm (8 kernels each), 7 GEMVs, 2 × rotary (5
        // each), 2 cache writes, attention, silu, product, 2 residual adds = 40.
        let s = DecoderShape {
            batch: 1,
            hidden: 4096,
            intermediate: 11008,
            heads: 32,
            kv_heads: 32,
            head_dim: 128,
            context: 1024,
            dtype: DType::Fp16,
        };
        let k = decoder_layer(&s);
        assert_eq!(k.len(), 40);
        let gemvs: Vec<(u64, u64)> = k
            .iter()
            .filter_map(|r| match *r {
                KernelRequest::Gemv { n, k, .. } => Some((n, k)),
                _ => None,
            })
            .collect();
        assert_eq!(
            gemvs,
            [
                (4096, 4096),
                (4096, 4096),
                (4096, 4096),
                (4096, 4096),
                (11008, 4096),
                (11008, 4096),
                (4096, 11008)
            ]
        );
        let attn = k
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    KernelRequest::Attention(AttentionShape {
                        kv_len: 1025,
                        q_len: 1,
                        ..
                    })
                )
            })
            .count();
        assert_eq!(attn, 1);
    }
}
