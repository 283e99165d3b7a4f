//! The work items: platform-agnostic shapes and precisions ([`Work`], [`EwOp`],
//! [`NormKind`]).

use super::{AttentionShape, DType};
use crate::ArchError;
use crate::suggest::closest;

/// An element-wise operation of [`Work::Elementwise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EwOp {
    /// `a + b`.
    Add,
    /// `a − b`.
    Sub,
    /// `a · b`.
    Mul,
    /// `exp(a)`.
    Exp,
    /// `silu(a) = a·σ(a)`.
    Silu,
    /// `gelu(a)`, taken as `a·σ(1.702a)` (Hendrycks & Gimpel 2016's sigmoid form).
    Gelu,
    /// A copy (layout change, concatenation): data movement only.
    Copy,
}

impl EwOp {
    /// Every operation.
    pub const ALL: [EwOp; 7] = [
        EwOp::Add,
        EwOp::Sub,
        EwOp::Mul,
        EwOp::Exp,
        EwOp::Silu,
        EwOp::Gelu,
        EwOp::Copy,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            EwOp::Add => "add",
            EwOp::Sub => "sub",
            EwOp::Mul => "mul",
            EwOp::Exp => "exp",
            EwOp::Silu => "silu",
            EwOp::Gelu => "gelu",
            EwOp::Copy => "copy",
        }
    }

    /// Parses a name (case-insensitive), suggesting the closest.
    pub fn parse(name: &str) -> Result<EwOp, ArchError> {
        EwOp::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ArchError::UnknownName {
                what: "element-wise op".into(),
                name: name.into(),
                suggestion: closest(name, EwOp::ALL.iter().map(|o| o.name())),
                valid: EwOp::ALL.iter().map(|o| o.name().to_string()).collect(),
            })
    }

    /// Useful operations per element: add, sub, mul, exp 1; SiLU 4 (negate, exp, add,
    /// divide); GELU 5 (SiLU's 4 and the scale by 1.702); copy 0.
    pub fn flops(self) -> u32 {
        match self {
            EwOp::Add | EwOp::Sub | EwOp::Mul | EwOp::Exp => 1,
            EwOp::Silu => 4,
            EwOp::Gelu => 5,
            EwOp::Copy => 0,
        }
    }

    /// Input tensors it reads per element (2 for add, sub, mul; else 1).
    pub fn inputs(self) -> u32 {
        match self {
            EwOp::Add | EwOp::Sub | EwOp::Mul => 2,
            _ => 1,
        }
    }
}

/// Which normalisation [`Work::Norm`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NormKind {
    /// RMSNorm: `x / rms(x) · γ` — square, sum, scale, `γ`: 4 operations per element.
    Rms,
    /// LayerNorm: `(x − mean) / std · γ + β` — sum, subtract, square, sum, scale, `γ`, `β`:
    /// 7 operations per element.
    Layer,
}

/// A piece of work, independent of the platform: shapes (element counts) and precisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// `C[m×n] = A[m×k]·W[k×n]` (a GEMV when `m` is small).
    Gemm {
        /// Rows of A and C (tokens).
        m: u64,
        /// Reduction dimension (input features).
        k: u64,
        /// Columns of W and C (output features).
        n: u64,
        /// Format of A and C.
        act: DType,
        /// Format of W.
        weight: DType,
    },
    /// Weight-only quantised product: `weight_bits`-bit weights with an FP16 scale and
    /// zero point per `group_size` weights along `k`.
    QuantGemm {
        /// Rows of A and C.
        m: u64,
        /// Reduction dimension.
        k: u64,
        /// Output features.
        n: u64,
        /// Format of A and C.
        act: DType,
        /// Bits per weight (1–8).
        weight_bits: u32,
        /// Weights per quantisation group along `k`.
        group_size: u64,
        /// Dequantise inside the product kernel (else a separate kernel first).
        fused_dequant: bool,
    },
    /// Row softmax of a `rows × len` matrix.
    Softmax {
        /// Independent rows.
        rows: u64,
        /// Elements per row.
        len: u64,
        /// Format of input and output.
        dtype: DType,
        /// SoftmAP's integer-only softmax (integer scores in, integer probabilities out).
        integer: bool,
    },
    /// Fused multi-head attention (FlashAttention-style where the unit can fuse).
    Attention(AttentionShape),
    /// An element-wise operation over `elements` outputs.
    Elementwise {
        /// Output elements.
        elements: u64,
        /// The operation.
        op: EwOp,
        /// Input tensors read per output element.
        n_inputs: u32,
        /// Format of inputs and output.
        dtype: DType,
    },
    /// RMSNorm or LayerNorm over `rows` rows of `len`.
    Norm {
        /// Rows (tokens).
        rows: u64,
        /// Elements per row (hidden size).
        len: u64,
        /// Which normalisation.
        kind: NormKind,
        /// Format of input and output.
        dtype: DType,
    },
    /// Mamba's selective scan over `seq_len` steps for every (batch, channel).
    Scan {
        /// Batch size.
        batch: u64,
        /// Steps (1 for decode).
        seq_len: u64,
        /// Channels (`d_inner`).
        d_inner: u64,
        /// State per channel (`d_state`).
        d_state: u64,
        /// Format of u, Δ, B, C and y.
        dtype: DType,
    },
}

impl Work {
    /// The class name: `gemm`, `quant_gemm`, `softmax`, `attention`, `elementwise`,
    /// `norm`, `scan`.
    pub fn class(&self) -> &'static str {
        match self {
            Work::Gemm { .. } => "gemm",
            Work::QuantGemm { .. } => "quant_gemm",
            Work::Softmax { .. } => "softmax",
            Work::Attention(_) => "attention",
            Work::Elementwise { .. } => "elementwise",
            Work::Norm { .. } => "norm",
            Work::Scan { .. } => "scan",
        }
    }

    /// A short label with the shape, e.g. `gemm 1x4096x4096 fp16`.
    pub fn label(&self) -> String {
        match *self {
            Work::Gemm {
                m,
                k,
                n,
                act,
                weight,
            } => {
                if act == weight {
                    format!("gemm {m}x{k}x{n} {act}")
                } else {
                    format!("gemm {m}x{k}x{n} {act}x{weight}")
                }
            }
            Work::QuantGemm {
                m,
                k,
                n,
                act,
                weight_bits,
                group_size,
                ..
            } => format!("quant_gemm {m}x{k}x{n} {act} w{weight_bits} g{group_size}"),
            Work::Softmax {
                rows,
                len,
                dtype,
                integer,
            } => format!(
                "softmax {rows}x{len} {}",
                if integer { "integer" } else { dtype.name() }
            ),
            Work::Attention(AttentionShape {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                dtype,
                kv_dtype,
                kv_group,
            }) => format!(
                "attention b{batch} h{heads}/{kv_heads} q{q_len} kv{kv_len} d{head_dim}{} {dtype}{}",
                if causal { " causal" } else { "" },
                match (kv_dtype == dtype, kv_group) {
                    (true, _) => String::new(),
                    (false, 0) => format!(" kv {kv_dtype}"),
                    (false, g) => format!(" kv {kv_dtype} g{g}"),
                }
            ),
            Work::Elementwise {
                elements,
                op,
                dtype,
                ..
            } => format!("elementwise {} {elements} {dtype}", op.name()),
            Work::Norm {
                rows,
                len,
                kind,
                dtype,
            } => format!(
                "{} {rows}x{len} {dtype}",
                match kind {
                    NormKind::Rms => "rmsnorm",
                    NormKind::Layer => "layernorm",
                }
            ),
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => format!("scan {batch}x{seq_len}x{d_inner}x{d_state} {dtype}"),
        }
    }

    /// Useful operations: products `2·m·k·n`; softmax `5·rows·len`; attention
    /// `4·b·h·d·P` with `P` the unmasked (query, key) pairs
    /// ([`crate::gpu::attention_pairs`]); element-wise `elements ·` [`EwOp::flops`]; norm
    /// `rows·len·(4 | 7)` ([`NormKind`]); scan `7·b·L·d_inner·d_state`
    /// ([`crate::gpu::SCAN_FLOPS_PER_STATE`]).
    pub fn flops(&self) -> f64 {
        self.request(DType::Fp16).flops()
    }

    /// The format of the work's main operands (the activations for products).
    pub fn dtype(&self) -> DType {
        match *self {
            Work::Gemm { act, .. } | Work::QuantGemm { act, .. } => act,
            Work::Softmax { dtype, .. }
            | Work::Attention(AttentionShape { dtype, .. })
            | Work::Elementwise { dtype, .. }
            | Work::Norm { dtype, .. }
            | Work::Scan { dtype, .. } => dtype,
        }
    }

    /// Bytes of the output tensor at the work's format.
    pub fn output_bytes(&self) -> f64 {
        let b = self.dtype().bytes();
        let elems = match *self {
            Work::Gemm { m, n, .. } | Work::QuantGemm { m, n, .. } => m * n,
            Work::Softmax { rows, len, .. } | Work::Norm { rows, len, .. } => rows * len,
            Work::Attention(AttentionShape {
                batch,
                heads,
                q_len,
                head_dim,
                ..
            }) => batch * heads * q_len * head_dim,
            Work::Elementwise { elements, .. } => elements,
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                ..
            } => batch * seq_len * d_inner,
        };
        elems as f64 * b
    }

    /// Checks the work's own consistency (no zero dimension, `kv_heads` divides `heads`,
    /// weight bits 1–8…); errors name the field as `kernel.<field>`.
    pub fn validate(&self) -> Result<(), ArchError> {
        self.request(self.dtype()).validate()?;
        let dims: &[u64] = match self {
            Work::Gemm { m, k, n, .. } | Work::QuantGemm { m, k, n, .. } => &[*m, *k, *n],
            Work::Softmax { rows, len, .. } | Work::Norm { rows, len, .. } => &[*rows, *len],
            Work::Attention(AttentionShape {
                batch,
                heads,
                q_len,
                kv_len,
                head_dim,
                ..
            }) => &[*batch, *heads, *q_len, *kv_len, *head_dim],
            Work::Elementwise { elements, .. } => &[*elements],
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            } => &[*batch, *seq_len, *d_inner, *d_state],
        };
        let points = dims.iter().try_fold(1u64, |acc, d| acc.checked_mul(*d));
        match points {
            Some(p) if p <= super::MAX_POINTS => Ok(()),
            _ => Err(ArchError::Invalid {
                key: "kernel".into(),
                message: format!(
                    "{} has more than 2^48 iteration points (the product of its dimensions); \
                     split it",
                    self.label()
                ),
            }),
        }
    }

    /// The GPU/CPU request that carries the same shape (also used for `flops` and
    /// validation): products as `Gemm` / `QuantGemm` in `gemm_dtype`, norms as
    /// element-wise kernels.
    pub(super) fn request(&self, gemm_dtype: DType) -> crate::gpu::KernelRequest {
        use crate::gpu::KernelRequest as R;
        match *self {
            Work::Gemm { m, k, n, .. } => R::Gemm {
                m,
                n,
                k,
                dtype: gemm_dtype,
            },
            Work::QuantGemm {
                m,
                k,
                n,
                act,
                weight_bits,
                group_size,
                fused_dequant,
            } => R::QuantGemm {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            },
            Work::Softmax {
                rows, len, dtype, ..
            } => R::Softmax { rows, len, dtype },
            Work::Attention(a) => R::Attention(a),
            Work::Elementwise {
                elements,
                op,
                n_inputs,
                dtype,
            } => R::Elementwise {
                elements,
                flops_per_element: op.flops(),
                dtype,
                n_inputs,
            },
            Work::Norm {
                rows,
                len,
                kind,
                dtype,
            } => R::Elementwise {
                elements: rows.saturating_mul(len),
                flops_per_element: match kind {
                    NormKind::Rms => 4,
                    NormKind::Layer => 7,
                },
                dtype,
                n_inputs: 1,
            },
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => R::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            },
        }
    }
}
