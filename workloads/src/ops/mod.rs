//! Operators: shapes, FLOPs, minimum bytes, categories.
//!
//! Conventions (see the crate README):
//! - **FLOPs**: a multiply-accumulate is 2 FLOPs; every other arithmetic operation (add,
//!   multiply, divide, compare, shift, `exp`, `tanh`, `sqrt`) is 1. Integer operations
//!   of integer-only operators (integer softmax, quantisation) are counted the same way.
//! - **Minimum bytes**: every input read once, every output written once, weights at
//!   their stored precision with their scales and zero points, cache and state reads and
//!   writes included. [`Op::bytes`] = Σ [`Io::reads`] + Σ [`Io::writes`].
//! - **Arithmetic intensity** = FLOPs / minimum bytes.

mod attention;
mod linear;
mod pointwise;
mod sequence;

pub use attention::{
    Attention, FLOAT_SOFTMAX_OPS, FusedAttention, INT_SOFTMAX_OPS, KvAppend, QUANT_OPS, Softmax,
    SoftmaxKind,
};
pub use linear::{DEQUANT_OPS, Dequantize, Gemm, LowRank, QuantGemm, QuantWeights};
pub use pointwise::{Concat, Elementwise, EltFn, Embedding, Norm, NormKind, Pool, Rotary};
pub use sequence::{
    Conv1d, SCAN_OPS_PER_CHANNEL, SCAN_OPS_PER_STATE, SelectiveScan, TokenMerge, TokenPrune,
};

use crate::tensor::Tensor;
use serde::Serialize;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

/// What kind of work an operator is, for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Matrix products with weights (GEMM, GEMV, quantised, low-rank).
    Linear,
    /// QKᵀ, PV and fused attention.
    Attention,
    /// Softmax and transcendental element-wise functions (SiLU, GELU, exp).
    Nonlinear,
    /// Arithmetic element-wise work (add, multiply, ReLU, rotary, quantise, dequantise,
    /// pooling).
    Elementwise,
    /// RMSNorm and LayerNorm.
    Normalization,
    /// Causal depthwise conv1d.
    Conv,
    /// Mamba's selective scan.
    Scan,
    /// Data movement only: embedding gathers, concatenation, KV-cache appends.
    Memory,
    /// Token merging and pruning.
    TokenReduction,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 9] = [
        Category::Linear,
        Category::Attention,
        Category::Nonlinear,
        Category::Elementwise,
        Category::Normalization,
        Category::Conv,
        Category::Scan,
        Category::Memory,
        Category::TokenReduction,
    ];

    /// Name as printed (`linear`, `token_reduction`, …).
    pub fn name(self) -> &'static str {
        match self {
            Category::Linear => "linear",
            Category::Attention => "attention",
            Category::Nonlinear => "nonlinear",
            Category::Elementwise => "elementwise",
            Category::Normalization => "normalization",
            Category::Conv => "conv",
            Category::Scan => "scan",
            Category::Memory => "memory",
            Category::TokenReduction => "token_reduction",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a tensor read or written by an operator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Produced and consumed within one forward pass.
    Activation,
    /// Model parameters.
    Weight,
    /// Scales and zero points of quantised weights (those of quantised activations and
    /// caches carry the role of the data they scale).
    QuantParams,
    /// Keys and values kept across steps.
    KvCache,
    /// Recurrent state kept across steps (Mamba's conv and SSM states).
    State,
    /// Token ids.
    Index,
    /// Constant tables (rotary cos/sin).
    Table,
}

/// One tensor an operator reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Operand {
    /// What it is.
    pub role: Role,
    /// Its shape and type.
    pub tensor: Tensor,
}

impl Operand {
    pub(crate) fn act(tensor: Tensor) -> Operand {
        Operand {
            role: Role::Activation,
            tensor,
        }
    }

    pub(crate) fn weight(tensor: Tensor) -> Operand {
        Operand {
            role: Role::Weight,
            tensor,
        }
    }
}

/// Everything an operator reads and writes (minimum traffic: each once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Io {
    /// Tensors read.
    pub reads: Vec<Operand>,
    /// Tensors written; the first is the operator's output, carried by its out-edges.
    pub writes: Vec<Operand>,
}

impl Io {
    /// Bytes of all reads and writes.
    pub fn bytes(&self) -> u64 {
        self.reads
            .iter()
            .chain(&self.writes)
            .map(|o| o.tensor.bytes())
            .sum()
    }

    /// Bytes of the operands with the given role.
    pub fn bytes_of(&self, role: Role) -> u64 {
        self.reads
            .iter()
            .chain(&self.writes)
            .filter(|o| o.role == role)
            .map(|o| o.tensor.bytes())
            .sum()
    }
}

/// An operator with its shape. Two operators with equal `OpKind` do identical work:
/// the mapper can key a cache on it (it is `Eq + Hash`; [`OpKind::key`] gives a `u64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    /// Dense matrix product with more than one row per matrix.
    Gemm(Gemm),
    /// Dense matrix–vector product (`m = 1`; `batch` > 1 for batched GEMV).
    Gemv(Gemm),
    /// Weight-quantised GEMM with fused dequantisation.
    QuantGemm(QuantGemm),
    /// Weight-quantised GEMV (`m = 1`) with fused dequantisation.
    QuantGemv(QuantGemm),
    /// Separate dequantisation of a weight matrix.
    Dequantize(Dequantize),
    /// A projection into or out of a low-rank space (CSKV's compressed KV channels).
    LowRank(LowRank),
    /// Attention scores QKᵀ.
    AttnScores(Attention),
    /// Softmax (float or integer-only).
    Softmax(Softmax),
    /// Attention output PV.
    AttnValues(Attention),
    /// Fused (flash-style) attention.
    FusedAttention(FusedAttention),
    /// Append to the KV cache.
    KvAppend(KvAppend),
    /// RMSNorm / LayerNorm.
    Norm(Norm),
    /// Rotary position embedding.
    Rotary(Rotary),
    /// Element-wise function.
    Elementwise(Elementwise),
    /// Embedding lookup.
    Embedding(Embedding),
    /// Concatenation along tokens.
    Concat(Concat),
    /// 2-D bilinear pooling of vision tokens.
    Pool(Pool),
    /// Causal depthwise conv1d.
    Conv1d(Conv1d),
    /// Mamba selective scan.
    SelectiveScan(SelectiveScan),
    /// FrameFusion merging.
    TokenMerge(TokenMerge),
    /// FrameFusion pruning.
    TokenPrune(TokenPrune),
}

impl OpKind {
    /// A dense matrix product: `Gemv` when `m = 1`, else `Gemm`.
    pub fn matmul(g: Gemm) -> OpKind {
        if g.m == 1 {
            OpKind::Gemv(g)
        } else {
            OpKind::Gemm(g)
        }
    }

    /// A weight-quantised product: `QuantGemv` when `m = 1`, else `QuantGemm`.
    pub fn quant_matmul(g: QuantGemm) -> OpKind {
        if g.m == 1 {
            OpKind::QuantGemv(g)
        } else {
            OpKind::QuantGemm(g)
        }
    }

    /// Floating-point (or integer) operations, MAC = 2.
    pub fn flops(&self) -> u64 {
        match self {
            OpKind::Gemm(g) | OpKind::Gemv(g) => g.flops(),
            OpKind::LowRank(l) => l.flops(),
            OpKind::QuantGemm(g) | OpKind::QuantGemv(g) => g.flops(),
            OpKind::Dequantize(d) => d.flops(),
            OpKind::AttnScores(a) => a.scores_flops(),
            OpKind::Softmax(s) => s.flops(),
            OpKind::AttnValues(a) => a.values_flops(),
            OpKind::FusedAttention(f) => f.flops(),
            OpKind::KvAppend(k) => k.flops(),
            OpKind::Norm(n) => n.flops(),
            OpKind::Rotary(r) => r.flops(),
            OpKind::Elementwise(e) => e.flops(),
            OpKind::Embedding(e) => e.flops(),
            OpKind::Concat(c) => c.flops(),
            OpKind::Pool(p) => p.flops(),
            OpKind::Conv1d(c) => c.flops(),
            OpKind::SelectiveScan(s) => s.flops(),
            OpKind::TokenMerge(t) => t.flops(),
            OpKind::TokenPrune(t) => t.flops(),
        }
    }

    /// Tensors read and written (minimum traffic).
    pub fn io(&self) -> Io {
        match self {
            OpKind::Gemm(g) | OpKind::Gemv(g) => g.io(),
            OpKind::LowRank(l) => l.io(),
            OpKind::QuantGemm(g) | OpKind::QuantGemv(g) => g.io(),
            OpKind::Dequantize(d) => d.io(),
            OpKind::AttnScores(a) => a.scores_io(),
            OpKind::Softmax(s) => s.io(),
            OpKind::AttnValues(a) => a.values_io(),
            OpKind::FusedAttention(f) => f.attn.fused_io(),
            OpKind::KvAppend(k) => k.io(),
            OpKind::Norm(n) => n.io(),
            OpKind::Rotary(r) => r.io(),
            OpKind::Elementwise(e) => e.io(),
            OpKind::Embedding(e) => e.io(),
            OpKind::Concat(c) => c.io(),
            OpKind::Pool(p) => p.io(),
            OpKind::Conv1d(c) => c.io(),
            OpKind::SelectiveScan(s) => s.io(),
            OpKind::TokenMerge(t) => t.io(),
            OpKind::TokenPrune(t) => t.io(),
        }
    }

    /// The primary output (what the out-edges carry): the first write.
    pub fn output(&self) -> Tensor {
        match self {
            OpKind::Gemm(g) | OpKind::Gemv(g) => g.output(),
            OpKind::LowRank(l) => l.output(),
            OpKind::QuantGemm(g) | OpKind::QuantGemv(g) => g.output(),
            OpKind::Dequantize(d) => d.output(),
            OpKind::AttnScores(a) => a.score_tensor(),
            OpKind::Softmax(s) => s.output_tensor(),
            OpKind::AttnValues(a) => a.output(),
            OpKind::FusedAttention(f) => f.attn.output(),
            OpKind::KvAppend(k) => k.output(),
            OpKind::Norm(n) => n.output(),
            OpKind::Rotary(r) => r.output(),
            OpKind::Elementwise(e) => e.output_tensor(),
            OpKind::Embedding(e) => e.output(),
            OpKind::Concat(c) => c.output(),
            OpKind::Pool(p) => p.output(),
            OpKind::Conv1d(c) => c.output(),
            OpKind::SelectiveScan(s) => s.output(),
            OpKind::TokenMerge(t) => t.output(),
            OpKind::TokenPrune(t) => t.output(),
        }
    }

    /// The summary category.
    pub fn category(&self) -> Category {
        match self {
            OpKind::Gemm(_)
            | OpKind::Gemv(_)
            | OpKind::QuantGemm(_)
            | OpKind::QuantGemv(_)
            | OpKind::LowRank(_) => Category::Linear,
            OpKind::AttnScores(_) | OpKind::AttnValues(_) | OpKind::FusedAttention(_) => {
                Category::Attention
            }
            OpKind::Softmax(_) => Category::Nonlinear,
            OpKind::Elementwise(e) if e.func.is_nonlinear() => Category::Nonlinear,
            OpKind::Elementwise(_)
            | OpKind::Rotary(_)
            | OpKind::Dequantize(_)
            | OpKind::Pool(_) => Category::Elementwise,
            OpKind::Norm(_) => Category::Normalization,
            OpKind::Conv1d(_) => Category::Conv,
            OpKind::SelectiveScan(_) => Category::Scan,
            OpKind::KvAppend(_) | OpKind::Embedding(_) | OpKind::Concat(_) => Category::Memory,
            OpKind::TokenMerge(_) | OpKind::TokenPrune(_) => Category::TokenReduction,
        }
    }

    /// Short name of the variant (`gemm`, `attn_scores`, …).
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::Gemm(_) => "gemm",
            OpKind::Gemv(_) => "gemv",
            OpKind::QuantGemm(_) => "quant_gemm",
            OpKind::QuantGemv(_) => "quant_gemv",
            OpKind::Dequantize(_) => "dequantize",
            OpKind::LowRank(_) => "low_rank",
            OpKind::AttnScores(_) => "attn_scores",
            OpKind::Softmax(_) => "softmax",
            OpKind::AttnValues(_) => "attn_values",
            OpKind::FusedAttention(_) => "fused_attention",
            OpKind::KvAppend(_) => "kv_append",
            OpKind::Norm(_) => "norm",
            OpKind::Rotary(_) => "rotary",
            OpKind::Elementwise(_) => "elementwise",
            OpKind::Embedding(_) => "embedding",
            OpKind::Concat(_) => "concat",
            OpKind::Pool(_) => "pool",
            OpKind::Conv1d(_) => "conv1d",
            OpKind::SelectiveScan(_) => "selective_scan",
            OpKind::TokenMerge(_) => "token_merge",
            OpKind::TokenPrune(_) => "token_prune",
        }
    }

    /// A structural key: equal for operators with the same variant, shape and types.
    /// Stable within one build of the program (not across Rust versions); for a key
    /// that never collides, use the `OpKind` itself (`Eq + Hash`).
    pub fn key(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

/// Which part of a model an operator belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The vision encoder of a VLM.
    Vision,
    /// The projector (MLP or resampler) between vision encoder and language model.
    Projector,
    /// The language model (or the whole model for text-only models).
    Language,
}

impl Part {
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Part::Vision => "vision",
            Part::Projector => "projector",
            Part::Language => "language",
        }
    }
}

/// A node of the graph: an operator, where it sits, and its cached counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Op {
    /// Role in the model (`q_proj`, `attn_scores`, `ffn_down`, …).
    pub name: &'static str,
    /// Model part.
    pub part: Part,
    /// Layer index within the part (`None` for embeddings, heads, glue).
    pub layer: Option<u32>,
    /// The operator and its shape.
    pub kind: OpKind,
    flops: u64,
    bytes: u64,
}

impl Op {
    /// A node; FLOPs and bytes are computed once here.
    pub fn new(name: &'static str, part: Part, layer: Option<u32>, kind: OpKind) -> Op {
        Op {
            name,
            part,
            layer,
            kind,
            flops: kind.flops(),
            bytes: kind.io().bytes(),
        }
    }

    /// FLOPs (MAC = 2).
    pub fn flops(&self) -> u64 {
        self.flops
    }

    /// Minimum bytes: each input read once, each output written once.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// FLOPs per byte (0 when no bytes move).
    pub fn intensity(&self) -> f64 {
        if self.bytes == 0 {
            0.0
        } else {
            self.flops as f64 / self.bytes as f64
        }
    }

    /// The summary category.
    pub fn category(&self) -> Category {
        self.kind.category()
    }

    /// Bytes of weights (with scales and zeros) this operator reads.
    pub fn weight_bytes(&self) -> u64 {
        let io = self.kind.io();
        io.bytes_of(Role::Weight) + io.bytes_of(Role::QuantParams)
    }
}
