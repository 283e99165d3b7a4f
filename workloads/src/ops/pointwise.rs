//! Norms, rotary embedding, element-wise functions, embedding lookup, concatenation and
//! 2-D pooling.
//!
//! Operation counts per element (each add, multiply, divide, compare, `exp`, `tanh`,
//! `sqrt` counts one): see the constants and the `flops` docs.

use super::{Io, Operand, Role};
use crate::tensor::{DType, Tensor};
use serde::Serialize;

/// RMSNorm or LayerNorm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    /// `x / rms(x) · γ` (Llama, Qwen2, Mamba).
    Rms,
    /// `(x − mean) / std · γ + β` (OPT, SigLIP).
    Layer,
}

/// A normalisation of `rows` vectors of `dim` elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Norm {
    /// RMS or Layer.
    pub kind: NormKind,
    /// Vectors (tokens).
    pub rows: u64,
    /// Elements per vector.
    pub dim: u64,
    /// Element type (input, output and γ/β).
    pub dtype: DType,
}

impl Norm {
    /// FLOPs. RMSNorm: 4 per element (square, add, multiply by 1/rms, multiply by γ) and 3
    /// per row (divide by `dim`, add ε, reciprocal square root). LayerNorm: 7 per element
    /// (add for the mean, subtract, square, add for the variance, multiply by 1/std,
    /// multiply by γ, add β) and 4 per row (two divides, add ε, reciprocal square root).
    pub fn flops(&self) -> u64 {
        let (per_elem, per_row) = match self.kind {
            NormKind::Rms => (4, 3),
            NormKind::Layer => (7, 4),
        };
        per_elem * self.rows * self.dim + per_row * self.rows
    }

    /// The normalised vectors.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.rows, self.dim], self.dtype)
    }

    pub(crate) fn io(&self) -> Io {
        let mut reads = vec![
            Operand::act(self.output()),
            Operand::weight(Tensor::new(&[self.dim], self.dtype)),
        ];
        if self.kind == NormKind::Layer {
            reads.push(Operand::weight(Tensor::new(&[self.dim], self.dtype)));
        }
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// Rotary position embedding on `tokens` vectors of `heads × head_dim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rotary {
    /// Tokens (batch × positions).
    pub tokens: u64,
    /// Heads rotated.
    pub heads: u64,
    /// Channels per head.
    pub head_dim: u64,
    /// Distinct positions (rows of the cos/sin table read).
    pub positions: u64,
    /// Element type.
    pub dtype: DType,
}

impl Rotary {
    /// FLOPs: 3 per element (each pair `(x₀, x₁)` becomes `x₀c − x₁s, x₀s + x₁c`: four
    /// multiplies and two adds).
    pub fn flops(&self) -> u64 {
        3 * self.tokens * self.heads * self.head_dim
    }

    /// The rotated vectors.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.tokens, self.heads * self.head_dim], self.dtype)
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![
                Operand::act(self.output()),
                Operand {
                    role: Role::Table,
                    // cos and sin, head_dim/2 each, per position.
                    tensor: Tensor::new(&[self.positions, self.head_dim], self.dtype),
                },
            ],
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// An element-wise function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EltFn {
    /// `a + b` (1 op).
    Add,
    /// `a · b` (1 op).
    Mul,
    /// `x · σ(x)`: exp, add, reciprocal, multiply (4 ops).
    Silu,
    /// tanh-approximated GELU `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`: 9 ops.
    Gelu,
    /// `max(x, 0)` (1 op).
    Relu,
    /// `eˣ` (1 op).
    Exp,
    /// Per-row (per-token) quantisation to an integer type: [`super::QUANT_OPS`] per
    /// element; writes one fp16 scale per row too.
    Quantize,
}

impl EltFn {
    /// Operations per output element.
    pub fn ops(self) -> u64 {
        match self {
            EltFn::Add | EltFn::Mul | EltFn::Relu | EltFn::Exp => 1,
            EltFn::Silu => 4,
            EltFn::Gelu => 9,
            EltFn::Quantize => super::QUANT_OPS,
        }
    }

    /// Number of inputs.
    pub fn arity(self) -> usize {
        match self {
            EltFn::Add | EltFn::Mul => 2,
            _ => 1,
        }
    }

    /// Whether the function is transcendental (exp/tanh inside): its category is
    /// `nonlinear` rather than `elementwise`.
    pub fn is_nonlinear(self) -> bool {
        matches!(self, EltFn::Silu | EltFn::Gelu | EltFn::Exp)
    }
}

/// An element-wise function over a `rows × cols` tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Elementwise {
    /// The function.
    pub func: EltFn,
    /// Rows (tokens).
    pub rows: u64,
    /// Columns (channels).
    pub cols: u64,
    /// Input type.
    pub input: DType,
    /// Output type.
    pub output: DType,
}

impl Elementwise {
    /// FLOPs: [`EltFn::ops`] per element.
    pub fn flops(&self) -> u64 {
        self.func.ops() * self.rows * self.cols
    }

    /// The result.
    pub fn output_tensor(&self) -> Tensor {
        Tensor::new(&[self.rows, self.cols], self.output)
    }

    pub(crate) fn io(&self) -> Io {
        let x = Operand::act(Tensor::new(&[self.rows, self.cols], self.input));
        let mut writes = vec![Operand::act(self.output_tensor())];
        if self.func == EltFn::Quantize {
            writes.push(Operand::act(Tensor::new(&[self.rows], DType::F16)));
        }
        Io {
            reads: vec![x; self.func.arity()],
            writes,
        }
    }
}

/// Gather `tokens` rows of a `vocab × dim` table (token or learned-position embedding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Embedding {
    /// Rows gathered.
    pub tokens: u64,
    /// Rows in the table (parameters: `vocab·dim`).
    pub vocab: u64,
    /// Row width.
    pub dim: u64,
    /// Table and output type.
    pub dtype: DType,
}

impl Embedding {
    /// FLOPs: 0 (a gather).
    pub fn flops(&self) -> u64 {
        0
    }

    /// The gathered rows.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.tokens, self.dim], self.dtype)
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![
                Operand {
                    role: Role::Index,
                    tensor: Tensor::new(&[self.tokens], DType::Int(32)),
                },
                // Only the gathered rows are read.
                Operand::weight(Tensor::new(&[self.tokens, self.dim], self.dtype)),
            ],
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// Concatenate pieces along the token axis (vision + text embeddings, newline tokens):
/// reads every piece once, writes the whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Concat {
    /// Sequences.
    pub batch: u64,
    /// Tokens per sequence after concatenation.
    pub tokens: u64,
    /// Channels.
    pub dim: u64,
    /// Element type.
    pub dtype: DType,
}

impl Concat {
    /// FLOPs: 0 (a copy).
    pub fn flops(&self) -> u64 {
        0
    }

    /// The concatenation.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.batch, self.tokens, self.dim], self.dtype)
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![Operand::act(self.output())],
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// Bilinear 2-D resize of `images` grids of `in_side × in_side` tokens to
/// `out_side × out_side` (LLaVA's `get_2dPool`, stride 2: 27×27 → 14×14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Pool {
    /// Images (frames × batch).
    pub images: u64,
    /// Input grid side.
    pub in_side: u64,
    /// Output grid side.
    pub out_side: u64,
    /// Channels.
    pub dim: u64,
    /// Element type.
    pub dtype: DType,
}

impl Pool {
    /// FLOPs: 7 per output element (4 weighted taps: 4 multiplies + 3 adds).
    pub fn flops(&self) -> u64 {
        7 * self.images * self.out_side * self.out_side * self.dim
    }

    /// The pooled grids.
    pub fn output(&self) -> Tensor {
        Tensor::new(
            &[self.images, self.out_side * self.out_side, self.dim],
            self.dtype,
        )
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![Operand::act(Tensor::new(
                &[self.images, self.in_side * self.in_side, self.dim],
                self.dtype,
            ))],
            writes: vec![Operand::act(self.output())],
        }
    }
}
