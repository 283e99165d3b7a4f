//! Kernel requests and estimates shared by every platform model (GPU, CPU, and later the
//! PE-array units): *what* work is asked for ([`KernelRequest`]), in which number format
//! ([`DType`]), and *what it costs* ([`KernelEstimate`]).
//!
//! # Conventions
//! - Matrix products compute `C[m×n] = A[m×k] · B[k×n]`. For a linear layer `m` is the
//!   number of tokens (batch × sequence), `k` the input features and `n` the output
//!   features; `B` holds the weights. A GEMV is the same product with a small `m`.
//! - `flops` counts useful operations by the formula of each class (a multiply-add is two
//!   operations; integer operations are counted the same way): see [`KernelRequest::flops`].
//!   Padding and tile waste are *not* in `flops` (they are in the time and energy).
//! - Times are [`sim_core::Time`] (integer picoseconds), rounded up from the model's real
//!   arithmetic once per field.

use std::fmt;

use crate::ArchError;
use crate::suggest::closest;

pub(crate) use super::estimate::secs_to_time;
pub use super::estimate::{Bound, EnergyBreakdown, KernelEstimate, KernelModel, Tiling};

/// A number format of kernel operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DType {
    /// IEEE binary32 (CUDA cores / SIMD FP32).
    Fp32,
    /// NVIDIA TF32: stored as FP32 (32 bits), multiplied with a 10-bit mantissa.
    Tf32,
    /// IEEE binary16.
    Fp16,
    /// bfloat16.
    Bf16,
    /// 8-bit float (E4M3/E5M2).
    Fp8,
    /// 8-bit integer.
    Int8,
    /// 4-bit integer (two per byte).
    Int4,
}

impl DType {
    /// Every format, in declaration order.
    pub const ALL: [DType; 7] = [
        DType::Fp32,
        DType::Tf32,
        DType::Fp16,
        DType::Bf16,
        DType::Fp8,
        DType::Int8,
        DType::Int4,
    ];

    /// The name used in TOML and on the command line (`fp16`, `int8`…).
    pub fn name(self) -> &'static str {
        match self {
            DType::Fp32 => "fp32",
            DType::Tf32 => "tf32",
            DType::Fp16 => "fp16",
            DType::Bf16 => "bf16",
            DType::Fp8 => "fp8",
            DType::Int8 => "int8",
            DType::Int4 => "int4",
        }
    }

    /// Storage bits per element (TF32 is stored in 32 bits).
    pub fn bits(self) -> u32 {
        match self {
            DType::Fp32 | DType::Tf32 => 32,
            DType::Fp16 | DType::Bf16 => 16,
            DType::Fp8 | DType::Int8 => 8,
            DType::Int4 => 4,
        }
    }

    /// Storage bytes per element (0.5 for `int4`).
    pub fn bytes(self) -> f64 {
        f64::from(self.bits()) / 8.0
    }

    /// Parses a name (case-insensitive); an unknown name is an error with the closest
    /// valid one.
    pub fn parse(name: &str) -> Result<DType, ArchError> {
        let lower = name.to_ascii_lowercase();
        DType::ALL
            .into_iter()
            .find(|d| d.name() == lower)
            .ok_or_else(|| ArchError::UnknownName {
                what: "data type".into(),
                name: name.to_string(),
                suggestion: closest(name, DType::ALL.iter().map(|d| d.name())),
                valid: DType::ALL.iter().map(|d| d.name().to_string()).collect(),
            })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Shape and formats of one fused multi-head attention ([`KernelRequest::Attention`],
/// [`crate::work::Work::Attention`]). Dimensions are element counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttentionShape {
    /// Batch size.
    pub batch: u64,
    /// Query heads.
    pub heads: u64,
    /// Key/value heads (GQA/MQA when fewer than `heads`; must divide `heads`).
    pub kv_heads: u64,
    /// Query tokens (1 for decode).
    pub q_len: u64,
    /// Key/value tokens.
    pub kv_len: u64,
    /// Head dimension.
    pub head_dim: u64,
    /// Causal mask (query `i` sees keys up to `kv_len − q_len + i`).
    pub causal: bool,
    /// Format of Q and O (and of the matrix-unit products).
    pub dtype: DType,
    /// Format of K and V as stored (the KV cache's element type: a quantised cache `int8`,
    /// `int4`); dequantised on the fly, so it sets the K/V bytes, not the product rate.
    pub kv_dtype: DType,
    /// Channels of a head per FP16 scale and zero point of an integer `kv_dtype`
    /// ([`GROUP_META_BITS`] per group and token, read with K and V); 0: none.
    pub kv_group: u64,
}

/// One kernel to estimate. Dimensions are element counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KernelRequest {
    /// Dense matrix product `C[m×n] = A[m×k]·B[k×n]` on matrix units (tensor cores, AMX)
    /// where the format has them; FP32 runs on CUDA cores / SIMD.
    Gemm {
        /// Rows of A and C (tokens).
        m: u64,
        /// Columns of B and C (output features).
        n: u64,
        /// Reduction dimension (input features).
        k: u64,
        /// Format of A, B and C.
        dtype: DType,
    },
    /// Matrix–vector product(s): the weights `B` (`n×k` elements) are streamed once for
    /// `m` small vectors (batch). Memory-bound; runs on CUDA cores / SIMD.
    Gemv {
        /// Number of vectors (batch); small (≤ 8 is typical).
        m: u64,
        /// Output features (rows of the weight matrix).
        n: u64,
        /// Input features.
        k: u64,
        /// Format of weights and activations.
        dtype: DType,
    },
    /// Weight-only quantised matrix–vector product: weights of `weight_bits` bits with a
    /// scale and zero point (FP16 each, 32 bits per group) per `group_size` weights along
    /// `k`; activations in `act`.
    QuantGemv {
        /// Number of vectors (batch).
        m: u64,
        /// Output features.
        n: u64,
        /// Input features.
        k: u64,
        /// Bits per weight (1–8).
        weight_bits: u32,
        /// Weights per quantisation group along `k` (≥ 1).
        group_size: u64,
        /// Activation (and output) format.
        act: DType,
        /// Dequantise inside the product kernel (true) or in a separate kernel that writes
        /// the weights back in `act` format first (false).
        fused_dequant: bool,
    },
    /// Weight-only quantised matrix product on matrix units (Marlin-style when fused):
    /// same fields as [`KernelRequest::QuantGemv`], for larger `m`.
    QuantGemm {
        /// Rows of A and C (tokens).
        m: u64,
        /// Output features.
        n: u64,
        /// Input features.
        k: u64,
        /// Bits per weight (1–8).
        weight_bits: u32,
        /// Weights per quantisation group along `k` (≥ 1).
        group_size: u64,
        /// Activation (and output) format; selects the matrix-unit rate.
        act: DType,
        /// Dequantise inside the product kernel (true) or in a separate kernel (false).
        fused_dequant: bool,
    },
    /// Row softmax of a `rows × len` matrix.
    Softmax {
        /// Number of independent rows.
        rows: u64,
        /// Elements per row.
        len: u64,
        /// Input and output format (statistics are kept in FP32).
        dtype: DType,
    },
    /// Fused multi-head attention (FlashAttention-style: scores never reach DRAM).
    Attention(AttentionShape),
    /// An element-wise kernel over `elements` outputs with `n_inputs` inputs each.
    Elementwise {
        /// Output elements.
        elements: u64,
        /// Arithmetic operations per output element.
        flops_per_element: u32,
        /// Format of inputs and output.
        dtype: DType,
        /// Input tensors read per output element (1 for an activation, 2 for an add).
        n_inputs: u32,
    },
    /// Mamba's selective scan: `h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·B_t·u_t`, `y_t = C_t·h_t`
    /// over `seq_len` steps, independently for every (batch, channel) pair.
    SelectiveScan {
        /// Batch size.
        batch: u64,
        /// Sequence length (steps of the recurrence; 1 for decode).
        seq_len: u64,
        /// Channels (Mamba's `d_inner`).
        d_inner: u64,
        /// State size per channel (Mamba's `d_state`, 16 in Mamba-1).
        d_state: u64,
        /// Format of u, Δ, B, C and y (the state is kept in FP32).
        dtype: DType,
    },
    /// The same sequential scan written as a loop that computes one step per iteration
    /// from memory, loading step `t + 1` while it computes step `t` (the validation
    /// harness's Triton `selective_scan_seq`): same work and traffic as
    /// [`KernelRequest::SelectiveScan`], but its per-step chain is
    /// `efficiency.stepwise_scan_step_cycles` (conversions, MUFU.EX2, the FFMA, the state
    /// sum, the next step's loads) instead of Mamba's register-resident recurrence.
    SelectiveScanStepwise {
        /// Batch size.
        batch: u64,
        /// Sequence length (steps of the recurrence).
        seq_len: u64,
        /// Channels (Mamba's `d_inner`).
        d_inner: u64,
        /// State size per channel (Mamba's `d_state`).
        d_state: u64,
        /// Format of u, Δ, B, C and y (the state is kept in FP32).
        dtype: DType,
    },
    /// The same selective scan computed chunk by chunk: each chunk of time steps is solved
    /// by a parallel (associative) scan of the linear recurrence, and only the state carried
    /// from chunk to chunk is sequential (the harness's `selective_scan_assoc`). Same
    /// result and operand traffic as [`KernelRequest::SelectiveScan`].
    SelectiveScanChunked {
        /// Batch size.
        batch: u64,
        /// Sequence length (steps of the recurrence).
        seq_len: u64,
        /// Channels (Mamba's `d_inner`).
        d_inner: u64,
        /// State size per channel (Mamba's `d_state`).
        d_state: u64,
        /// Format of u, Δ, B, C and y (the state is kept in FP32).
        dtype: DType,
    },
    /// One decode step of the selective scan with the state kept in memory (Mamba's
    /// `selective_state_update`): the FP32 state `batch × d_inner × d_state` is read,
    /// updated with one token and written back.
    SelectiveScanStep {
        /// Batch size (sequences decoded together).
        batch: u64,
        /// Channels (Mamba's `d_inner`).
        d_inner: u64,
        /// State size per channel (Mamba's `d_state`).
        d_state: u64,
        /// Format of u, Δ, B, C and y.
        dtype: DType,
    },
}

/// Flops per (batch, step, channel, state) element of the selective scan: `exp(Δ·A)`
/// (counted as 1), `Δ·B` and `·u` (2 multiplies), the state update `h = dA·h + dBu`
/// (1 FMA = 2) and the output `y += C·h` (1 FMA = 2) — 7 in all.
pub const SCAN_FLOPS_PER_STATE: f64 = 7.0;

/// Bits of quantisation metadata per group: an FP16 scale and an FP16 zero point
/// (asymmetric quantisation, as in AWQ/GPTQ/MBQ; MBQ: "3 + 32/128 = 3.25 bits").
pub const GROUP_META_BITS: f64 = 32.0;

impl KernelRequest {
    /// The class name (`gemm`, `gemv`, `quant_gemv`, `quant_gemm`, `softmax`,
    /// `attention`, `elementwise`, `selective_scan`, `selective_scan_chunked`,
    /// `selective_scan_step`).
    pub fn class(&self) -> &'static str {
        match self {
            KernelRequest::Gemm { .. } => "gemm",
            KernelRequest::Gemv { .. } => "gemv",
            KernelRequest::QuantGemv { .. } => "quant_gemv",
            KernelRequest::QuantGemm { .. } => "quant_gemm",
            KernelRequest::Softmax { .. } => "softmax",
            KernelRequest::Attention(_) => "attention",
            KernelRequest::Elementwise { .. } => "elementwise",
            KernelRequest::SelectiveScan { .. } => "selective_scan",
            KernelRequest::SelectiveScanStepwise { .. } => "selective_scan_stepwise",
            KernelRequest::SelectiveScanChunked { .. } => "selective_scan_chunked",
            KernelRequest::SelectiveScanStep { .. } => "selective_scan_step",
        }
    }

    /// Useful operations of the request:
    /// - GEMM, GEMV and their quantised forms: `2·m·n·k`;
    /// - softmax: `5·rows·len` (max, subtract, exp, sum, scale);
    /// - attention: `4·b·h·d·P` where `P` is the number of unmasked (query, key) pairs
    ///   (`q·kv`, or with the causal mask `Σᵢ min(kv, kv − q + i + 1)`): QKᵀ and PV;
    /// - element-wise: `elements × flops_per_element`;
    /// - selective scan (either algorithm): [`SCAN_FLOPS_PER_STATE`]`·b·L·d_inner·d_state`;
    ///   its decode step: the same with `L = 1`.
    pub fn flops(&self) -> f64 {
        match *self {
            KernelRequest::Gemm { m, n, k, .. }
            | KernelRequest::Gemv { m, n, k, .. }
            | KernelRequest::QuantGemv { m, n, k, .. }
            | KernelRequest::QuantGemm { m, n, k, .. } => 2.0 * m as f64 * n as f64 * k as f64,
            KernelRequest::Softmax { rows, len, .. } => 5.0 * rows as f64 * len as f64,
            KernelRequest::Attention(AttentionShape {
                batch,
                heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                ..
            }) => {
                4.0 * batch as f64
                    * heads as f64
                    * head_dim as f64
                    * attention_pairs(q_len, kv_len, causal)
            }
            KernelRequest::Elementwise {
                elements,
                flops_per_element,
                ..
            } => elements as f64 * f64::from(flops_per_element),
            KernelRequest::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            }
            | KernelRequest::SelectiveScanStepwise {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            }
            | KernelRequest::SelectiveScanChunked {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            } => {
                SCAN_FLOPS_PER_STATE
                    * batch as f64
                    * seq_len as f64
                    * d_inner as f64
                    * d_state as f64
            }
            KernelRequest::SelectiveScanStep {
                batch,
                d_inner,
                d_state,
                ..
            } => SCAN_FLOPS_PER_STATE * batch as f64 * d_inner as f64 * d_state as f64,
        }
    }

    /// Checks the request's own consistency (no zero dimension, bits 1–8, `kv_heads`
    /// divides `heads`…). Errors name the field as `kernel.<field>`.
    pub fn validate(&self) -> Result<(), ArchError> {
        let positive = |name: &str, v: u64| -> Result<(), ArchError> {
            if v == 0 {
                Err(ArchError::Invalid {
                    key: format!("kernel.{name}"),
                    message: format!("{} needs {name} >= 1, got 0", self.class()),
                })
            } else {
                Ok(())
            }
        };
        match *self {
            KernelRequest::Gemm { m, n, k, .. } | KernelRequest::Gemv { m, n, k, .. } => {
                positive("m", m)?;
                positive("n", n)?;
                positive("k", k)
            }
            KernelRequest::QuantGemv {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                ..
            }
            | KernelRequest::QuantGemm {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                ..
            } => {
                positive("m", m)?;
                positive("n", n)?;
                positive("k", k)?;
                positive("group_size", group_size)?;
                if !(1..=8).contains(&weight_bits) {
                    return Err(ArchError::Invalid {
                        key: "kernel.weight_bits".into(),
                        message: format!("weight bits must be 1..=8, got {weight_bits}"),
                    });
                }
                if !matches!(act, DType::Fp16 | DType::Bf16 | DType::Fp8 | DType::Int8) {
                    return Err(ArchError::Invalid {
                        key: "kernel.act".into(),
                        message: format!(
                            "quantised products take fp16, bf16, fp8 or int8 activations, got {act}"
                        ),
                    });
                }
                Ok(())
            }
            KernelRequest::Softmax { rows, len, .. } => {
                positive("rows", rows)?;
                positive("len", len)
            }
            KernelRequest::Attention(AttentionShape {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                ..
            }) => {
                positive("batch", batch)?;
                positive("heads", heads)?;
                positive("kv_heads", kv_heads)?;
                positive("q_len", q_len)?;
                positive("kv_len", kv_len)?;
                positive("head_dim", head_dim)?;
                if heads % kv_heads != 0 {
                    return Err(ArchError::Invalid {
                        key: "kernel.kv_heads".into(),
                        message: format!("kv_heads ({kv_heads}) must divide heads ({heads})"),
                    });
                }
                if causal && q_len > kv_len {
                    return Err(ArchError::Invalid {
                        key: "kernel.q_len".into(),
                        message: format!(
                            "a causal attention needs q_len <= kv_len, got {q_len} > {kv_len}"
                        ),
                    });
                }
                Ok(())
            }
            KernelRequest::Elementwise {
                elements, n_inputs, ..
            } => {
                positive("elements", elements)?;
                positive("n_inputs", u64::from(n_inputs))
            }
            KernelRequest::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            }
            | KernelRequest::SelectiveScanStepwise {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            }
            | KernelRequest::SelectiveScanChunked {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            } => {
                positive("batch", batch)?;
                positive("seq_len", seq_len)?;
                positive("d_inner", d_inner)?;
                positive("d_state", d_state)
            }
            KernelRequest::SelectiveScanStep {
                batch,
                d_inner,
                d_state,
                ..
            } => {
                positive("batch", batch)?;
                positive("d_inner", d_inner)?;
                positive("d_state", d_state)
            }
        }
    }
}

/// Unmasked (query, key) pairs of one head: `q·kv`, or with the causal mask
/// `Σ_{i<q} min(kv, kv − q + i + 1) = q·(kv − q) + q·(q + 1)/2` (for `q ≤ kv`).
pub fn attention_pairs(q_len: u64, kv_len: u64, causal: bool) -> f64 {
    let (q, kv) = (q_len as f64, kv_len as f64);
    if causal && q_len <= kv_len {
        q * (kv - q) + q * (q + 1.0) / 2.0
    } else {
        q * kv
    }
}

/// Bytes of one token's K (or V) in one head: `head_dim` elements at `kv_dtype`, plus
/// [`GROUP_META_BITS`] (an FP16 scale and zero) per `kv_group` channels when `kv_dtype` is
/// an integer format and `kv_group > 0`: `d·bits/8 + ⌈d/g⌉·4`.
pub fn kv_row_bytes(head_dim: u64, kv_dtype: DType, kv_group: u64) -> f64 {
    let meta = if kv_group > 0 && matches!(kv_dtype, DType::Int8 | DType::Int4) {
        head_dim.div_ceil(kv_group) as f64 * GROUP_META_BITS / 8.0
    } else {
        0.0
    };
    head_dim as f64 * kv_dtype.bytes() + meta
}

/// Bytes of a weight matrix of `n × k` elements at `weight_bits` bits with
/// [`GROUP_META_BITS`] of metadata per `group_size` weights along `k`:
/// `n·k·bits/8 + n·⌈k/g⌉·32/8`.
pub fn quant_weight_bytes(n: u64, k: u64, weight_bits: u32, group_size: u64) -> f64 {
    let groups = k.div_ceil(group_size.max(1)) as f64;
    n as f64 * (k as f64 * f64::from(weight_bits) + groups * GROUP_META_BITS) / 8.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names_round_trip_and_suggest() {
        for d in DType::ALL {
            assert_eq!(DType::parse(d.name()).unwrap(), d);
        }
        assert_eq!(DType::parse("FP16").unwrap(), DType::Fp16);
        match DType::parse("fp166") {
            Err(ArchError::UnknownName { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("fp16"))
            }
            other => panic!("expected UnknownName, got {other:?}"),
        }
    }

    #[test]
    fn causal_pairs_by_hand() {
        // q = kv = 4: 1 + 2 + 3 + 4 = 10 pairs.
        assert_eq!(attention_pairs(4, 4, true), 10.0);
        // q = 2, kv = 5: row 0 sees 4 keys, row 1 sees 5 keys.
        assert_eq!(attention_pairs(2, 5, true), 9.0);
        assert_eq!(attention_pairs(2, 5, false), 10.0);
    }

    #[test]
    fn scan_variants_count_and_check_like_the_scan() {
        // 7 flops per (step, channel, state): 7 · 2 · 3 · 4 · 5 for the chunked scan, and
        // the decode step is one step: 7 · 2 · 4 · 5.
        let chunked = KernelRequest::SelectiveScanChunked {
            batch: 2,
            seq_len: 3,
            d_inner: 4,
            d_state: 5,
            dtype: DType::Fp16,
        };
        assert_eq!(chunked.flops(), 840.0);
        assert_eq!(chunked.class(), "selective_scan_chunked");
        let step = KernelRequest::SelectiveScanStep {
            batch: 2,
            d_inner: 4,
            d_state: 5,
            dtype: DType::Fp16,
        };
        assert_eq!(step.flops(), 280.0);
        let bad = KernelRequest::SelectiveScanStep {
            batch: 2,
            d_inner: 4,
            d_state: 0,
            dtype: DType::Fp16,
        };
        assert!(
            matches!(bad.validate(), Err(ArchError::Invalid { key, .. }) if key == "kernel.d_state")
        );
    }

    #[test]
    fn kv_row_bytes_by_hand() {
        // fp16: 128 × 2 B; int4 with groups of 128: 64 B + one fp16 scale and zero (4 B);
        // int4 with groups of 32: 64 + 4 × 4 = 80 B; a float format carries no metadata.
        assert_eq!(kv_row_bytes(128, DType::Fp16, 0), 256.0);
        assert_eq!(kv_row_bytes(128, DType::Int4, 128), 68.0);
        assert_eq!(kv_row_bytes(128, DType::Int4, 32), 80.0);
        assert_eq!(kv_row_bytes(128, DType::Fp8, 32), 128.0);
    }

    #[test]
    fn quant_bytes_by_hand() {
        // 4096 × 4096 at 3 bits, g = 128: 4096·(4096·3 + 32·32)/8 = 4096·1664 bytes.
        assert_eq!(quant_weight_bytes(4096, 4096, 3, 128), 4096.0 * 1664.0);
    }

    #[test]
    fn validation_names_the_field() {
        let r = KernelRequest::Gemm {
            m: 0,
            n: 1,
            k: 1,
            dtype: DType::Fp16,
        };
        match r.validate() {
            Err(ArchError::Invalid { key, .. }) => assert_eq!(key, "kernel.m"),
            other => panic!("expected Invalid, got {other:?}"),
        }
        let a = KernelRequest::Attention(AttentionShape {
            batch: 1,
            heads: 32,
            kv_heads: 5,
            q_len: 1,
            kv_len: 10,
            head_dim: 128,
            causal: false,
            dtype: DType::Fp16,
            kv_dtype: DType::Fp16,
            kv_group: 0,
        });
        assert!(
            matches!(a.validate(), Err(ArchError::Invalid { key, .. }) if key == "kernel.kv_heads")
        );
    }
}
