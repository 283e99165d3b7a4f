//! Attention: scores (QKᵀ), softmax, values (PV), the fused (flash-style) alternative,
//! and appends to the KV cache.
//!
//! Shapes follow grouped-query attention: `q_heads` query heads share `kv_heads` key/value
//! heads. With a causal mask only the `(query, key)` pairs a query may see are counted
//! (the minimum work; a kernel that computes masked blocks does more):
//! `pairs = q_len·(kv_len − q_len) + q_len·(q_len + 1)/2` per head, where
//! `kv_len − q_len` keys are already cached. Without a mask `pairs = q_len·kv_len`.
//!
//! FLOPs per pair and head: QKᵀ `2·head_dim` + 1 (the `1/√d` scale); PV `2·head_dim`;
//! softmax [`FLOAT_SOFTMAX_OPS`] or [`INT_SOFTMAX_OPS`].

use super::{Io, Operand, Role};
use crate::tensor::{DType, Tensor};
use serde::Serialize;

/// Operations per element of a float softmax: compare (row max), subtract, exp, add
/// (row sum), divide.
pub const FLOAT_SOFTMAX_OPS: u64 = 5;

/// Integer operations per element of the integer-only softmax of SoftmAP
/// (arXiv 2411.17847, `int_softmax.py`, see [`crate::int_softmax`]): compare (row max),
/// subtract, clamp, quantise (multiply), `z = ⌊−q / q_ln2⌋` (divide), `q_p = q + z·q_ln2`
/// (multiply, add), `(q_p + q_b)² + q_c` (add, square, add), `>> z` (shift), row sum
/// (add), `⌊(e << 20) / sum⌋` (shift, divide): 14.
pub const INT_SOFTMAX_OPS: u64 = 14;

/// Operations to quantise one element: min and max compares for the group range,
/// multiply by the inverse scale, add the zero point and round.
pub const QUANT_OPS: u64 = 4;

/// Float or integer-only softmax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoftmaxKind {
    /// Float softmax (`exp` evaluated in floating point).
    Float,
    /// SoftmAP's integer-only softmax with inputs quantised to `bits` (8 by default).
    Integer {
        /// Input quantisation width M.
        bits: u8,
    },
}

impl SoftmaxKind {
    /// Operations per element.
    pub fn ops_per_element(self) -> u64 {
        match self {
            SoftmaxKind::Float => FLOAT_SOFTMAX_OPS,
            SoftmaxKind::Integer { .. } => INT_SOFTMAX_OPS,
        }
    }
}

/// Shape and precisions of one attention computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Attention {
    /// Sequences.
    pub batch: u64,
    /// Query heads.
    pub q_heads: u64,
    /// Key/value heads (`q_heads` must be a multiple).
    pub kv_heads: u64,
    /// Queries per sequence (prompt length in prefill, tokens per step in decode).
    pub q_len: u64,
    /// Keys per sequence, the new ones included.
    pub kv_len: u64,
    /// Channels per head.
    pub head_dim: u64,
    /// Causal mask (decoder self-attention) or none (vision encoders, cross-attention).
    pub causal: bool,
    /// Keys and values are read from the KV cache (else they are activations).
    pub cached: bool,
    /// Type of Q and the output.
    pub act: DType,
    /// Type of K and V as read.
    pub kv: DType,
    /// Channels per scale group when `kv` is an integer type (fp16 scale and zero per
    /// group and token are read too).
    pub kv_group: u64,
    /// Type of scores and probabilities.
    pub score: DType,
}

impl Attention {
    /// `(query, key)` pairs per head and sequence.
    pub fn pairs_per_head(&self) -> u64 {
        if self.causal {
            let past = self.kv_len.saturating_sub(self.q_len);
            self.q_len * past + self.q_len * (self.q_len + 1) / 2
        } else {
            self.q_len * self.kv_len
        }
    }

    /// Scores (= probabilities) over all sequences and heads.
    pub fn scores(&self) -> u64 {
        self.batch * self.q_heads * self.pairs_per_head()
    }

    /// Elements of K (or of V) read.
    pub fn kv_elements(&self) -> u64 {
        self.batch * self.kv_heads * self.kv_len * self.head_dim
    }

    fn kv_dequant_flops(&self) -> u64 {
        if self.kv.is_int() {
            super::linear::DEQUANT_OPS * self.kv_elements()
        } else {
            0
        }
    }

    /// FLOPs of QKᵀ: `(2·head_dim + 1)` per score, plus dequantising an integer cache.
    pub fn scores_flops(&self) -> u64 {
        (2 * self.head_dim + 1) * self.scores() + self.kv_dequant_flops()
    }

    /// FLOPs of PV: `2·head_dim` per probability, plus dequantising an integer cache.
    pub fn values_flops(&self) -> u64 {
        2 * self.head_dim * self.scores() + self.kv_dequant_flops()
    }

    fn q(&self) -> Operand {
        Operand::act(Tensor::new(
            &[self.batch, self.q_len, self.q_heads * self.head_dim],
            self.act,
        ))
    }

    fn kv_operands(&self) -> Vec<Operand> {
        let role = if self.cached {
            Role::KvCache
        } else {
            Role::Activation
        };
        let mut v = vec![Operand {
            role,
            tensor: Tensor::new(
                &[self.batch, self.kv_heads, self.kv_len, self.head_dim],
                self.kv,
            ),
        }];
        if self.kv.is_int() {
            let groups = self.head_dim.div_ceil(self.kv_group.max(1));
            let t = Tensor::new(
                &[self.batch, self.kv_heads, self.kv_len, groups],
                DType::F16,
            );
            v.push(Operand { role, tensor: t });
            v.push(Operand { role, tensor: t });
        }
        v
    }

    /// The score (or probability) tensor: `[batch, q_heads, pairs]`.
    pub fn score_tensor(&self) -> Tensor {
        Tensor::new(
            &[self.batch, self.q_heads, self.pairs_per_head()],
            self.score,
        )
    }

    /// The attention output `[batch, q_len, q_heads·head_dim]`.
    pub fn output(&self) -> Tensor {
        Tensor::new(
            &[self.batch, self.q_len, self.q_heads * self.head_dim],
            self.act,
        )
    }

    pub(crate) fn scores_io(&self) -> Io {
        let mut reads = vec![self.q()];
        reads.extend(self.kv_operands());
        Io {
            reads,
            writes: vec![Operand::act(self.score_tensor())],
        }
    }

    pub(crate) fn values_io(&self) -> Io {
        let mut reads = vec![Operand::act(self.score_tensor())];
        reads.extend(self.kv_operands());
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }

    pub(crate) fn fused_io(&self) -> Io {
        let mut reads = vec![self.q()];
        reads.extend(self.kv_operands());
        reads.extend(self.kv_operands());
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// Fused (flash-style) attention: QKᵀ, softmax and PV in one operator; scores and
/// probabilities never leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FusedAttention {
    /// The attention shape.
    pub attn: Attention,
    /// The softmax inside.
    pub softmax: SoftmaxKind,
}

impl FusedAttention {
    /// FLOPs: QKᵀ + softmax + PV.
    pub fn flops(&self) -> u64 {
        self.attn.scores_flops()
            + self.softmax.ops_per_element() * self.attn.scores()
            + self.attn.values_flops()
    }
}

/// Row-wise softmax over `elements` scores in `rows` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Softmax {
    /// Rows (one per query and head).
    pub rows: u64,
    /// Elements over all rows.
    pub elements: u64,
    /// Input (score) type.
    pub input: DType,
    /// Output (probability) type.
    pub output: DType,
    /// Float or integer-only.
    pub kind: SoftmaxKind,
}

impl Softmax {
    /// Softmax over the scores of an attention.
    pub fn of(a: &Attention, kind: SoftmaxKind) -> Softmax {
        Softmax {
            rows: a.batch * a.q_heads * a.q_len,
            elements: a.scores(),
            input: a.score,
            output: a.score,
            kind,
        }
    }

    /// FLOPs (integer operations for the integer kind): per element, see
    /// [`SoftmaxKind::ops_per_element`].
    pub fn flops(&self) -> u64 {
        self.kind.ops_per_element() * self.elements
    }

    /// The probabilities.
    pub fn output_tensor(&self) -> Tensor {
        Tensor::new(&[self.elements], self.output)
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![Operand::act(Tensor::new(&[self.elements], self.input))],
            writes: vec![Operand::act(self.output_tensor())],
        }
    }
}

/// Append `tokens` new keys (or values) per sequence to a cache, quantising them when the
/// stored type is narrower than the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct KvAppend {
    /// Sequences.
    pub batch: u64,
    /// Heads stored (1 for a low-rank cache whose features are not per head).
    pub heads: u64,
    /// New tokens per sequence.
    pub tokens: u64,
    /// Channels per head and token.
    pub channels: u64,
    /// Type of the new keys/values.
    pub input: DType,
    /// Type stored in the cache.
    pub stored: DType,
    /// Channels per scale group when `stored` is an integer type.
    pub group: u64,
}

impl KvAppend {
    fn elements(&self) -> u64 {
        self.batch * self.heads * self.tokens * self.channels
    }

    fn quantises(&self) -> bool {
        self.stored.is_int() && self.stored.bits() < self.input.bits()
    }

    /// FLOPs: [`QUANT_OPS`] per element when quantising, else 0 (a copy).
    pub fn flops(&self) -> u64 {
        if self.quantises() {
            QUANT_OPS * self.elements()
        } else {
            0
        }
    }

    /// The slice written to the cache.
    pub fn output(&self) -> Tensor {
        Tensor::new(
            &[self.batch, self.heads, self.tokens, self.channels],
            self.stored,
        )
    }

    pub(crate) fn io(&self) -> Io {
        let mut writes = vec![Operand {
            role: Role::KvCache,
            tensor: self.output(),
        }];
        if self.stored.is_int() {
            let groups = self.channels.div_ceil(self.group.max(1));
            let t = Tensor::new(&[self.batch, self.heads, self.tokens, groups], DType::F16);
            for _ in 0..2 {
                writes.push(Operand {
                    role: Role::KvCache,
                    tensor: t,
                });
            }
        }
        Io {
            reads: vec![Operand::act(Tensor::new(
                &[self.batch, self.tokens, self.heads * self.channels],
                self.input,
            ))],
            writes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attn(q_len: u64, kv_len: u64, causal: bool) -> Attention {
        Attention {
            batch: 1,
            q_heads: 32,
            kv_heads: 32,
            q_len,
            kv_len,
            head_dim: 128,
            causal,
            cached: true,
            act: DType::F16,
            kv: DType::F16,
            kv_group: 0,
            score: DType::F16,
        }
    }

    #[test]
    fn causal_pairs() {
        // Prefill of 4 tokens: 1 + 2 + 3 + 4 = 10 pairs.
        assert_eq!(attn(4, 4, true).pairs_per_head(), 10);
        // Decode of 1 token at context 100: 100 pairs.
        assert_eq!(attn(1, 100, true).pairs_per_head(), 100);
        // 3 tokens verified at context 10 (7 past): 3·7 + 6 = 27.
        assert_eq!(attn(3, 10, true).pairs_per_head(), 27);
        assert_eq!(attn(4, 4, false).pairs_per_head(), 16);
    }

    #[test]
    fn decode_flops() {
        // Llama-2-7B layer at context 4096: 32 heads × 4096 keys × (2·128 + 1) for QKᵀ.
        let a = attn(1, 4096, true);
        assert_eq!(a.scores_flops(), 32 * 4096 * 257);
        assert_eq!(a.values_flops(), 32 * 4096 * 256);
    }
}
