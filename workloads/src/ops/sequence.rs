//! Operators along the sequence: Mamba's causal depthwise conv1d and selective scan, and
//! FrameFusion's token merging and pruning.

use super::{Io, Operand, Role};
use crate::tensor::{DType, Tensor};
use serde::Serialize;

/// Causal depthwise 1-D convolution over `len` new positions of `channels` channels with
/// a kernel of `kernel` taps (Mamba: 4). In decode the last `kernel − 1` inputs of each
/// channel are kept as a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Conv1d {
    /// Sequences.
    pub batch: u64,
    /// Channels (each filtered by its own kernel).
    pub channels: u64,
    /// New positions.
    pub len: u64,
    /// Kernel taps.
    pub kernel: u64,
    /// Whether a bias is added.
    pub bias: bool,
    /// Element type.
    pub dtype: DType,
    /// Reads the previous `kernel − 1` inputs from a state (decode).
    pub reads_state: bool,
    /// Writes the last `kernel − 1` inputs to a state (for the next decode step).
    pub writes_state: bool,
}

impl Conv1d {
    /// FLOPs: `2·kernel` per output element (MACs) plus 1 for the bias.
    pub fn flops(&self) -> u64 {
        let outs = self.batch * self.channels * self.len;
        2 * self.kernel * outs + if self.bias { outs } else { 0 }
    }

    /// The filtered sequence.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.batch, self.len, self.channels], self.dtype)
    }

    fn state(&self) -> Operand {
        Operand {
            role: Role::State,
            tensor: Tensor::new(
                &[self.batch, self.channels, self.kernel.saturating_sub(1)],
                self.dtype,
            ),
        }
    }

    pub(crate) fn io(&self) -> Io {
        let mut reads = vec![
            Operand::act(self.output()),
            Operand::weight(Tensor::new(&[self.channels, self.kernel], self.dtype)),
        ];
        if self.bias {
            reads.push(Operand::weight(Tensor::new(&[self.channels], self.dtype)));
        }
        if self.reads_state {
            reads.push(self.state());
        }
        let mut writes = vec![Operand::act(self.output())];
        if self.writes_state {
            writes.push(self.state());
        }
        Io { reads, writes }
    }
}

/// Mamba's selective scan (S6, arXiv 2312.00752, Algorithm 2) over `len` positions of
/// `d_inner` channels with a state of `d_state` per channel.
///
/// Per position `t` and channel `d`: `Δ = softplus(δ)`; per state element `n`:
/// `Ā = exp(Δ·A[d,n])`, `B̄x = (Δ·x)·B[t,n]`, `h = Ā·h + B̄x`, `y += h·C[t,n]`; then
/// `y += D[d]·x`. The gate `y·silu(z)` is a separate element-wise operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SelectiveScan {
    /// Sequences.
    pub batch: u64,
    /// Positions scanned (prompt length, or tokens per decode step).
    pub len: u64,
    /// Channels (`expand · hidden`).
    pub d_inner: u64,
    /// State elements per channel (N, 16 for the Mamba models).
    pub d_state: u64,
    /// Activation type.
    pub dtype: DType,
    /// Recurrent-state type (f32 in the reference kernels).
    pub state: DType,
    /// Starts from a stored state (decode) instead of zero (prefill).
    pub reads_state: bool,
    /// Stores the final state (for decode).
    pub writes_state: bool,
}

/// Scan operations per (position, channel, state element): `Δ·A` (mul), `exp`,
/// `(Δ·x)·B` (mul), `Ā·h + B̄x` (mul, add), `h·C` accumulated into `y` (mul, add): 7.
pub const SCAN_OPS_PER_STATE: u64 = 7;
/// Scan operations per (position, channel): softplus (exp, add, log), `Δ·x` (mul),
/// `D·x` skip (mul, add): 6.
pub const SCAN_OPS_PER_CHANNEL: u64 = 6;

impl SelectiveScan {
    /// FLOPs, counted from the recurrence above:
    /// `batch·len·d_inner·(7·d_state + 6)`.
    pub fn flops(&self) -> u64 {
        self.batch
            * self.len
            * self.d_inner
            * (SCAN_OPS_PER_STATE * self.d_state + SCAN_OPS_PER_CHANNEL)
    }

    /// The scan output `y`.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.batch, self.len, self.d_inner], self.dtype)
    }

    fn state_operand(&self) -> Operand {
        Operand {
            role: Role::State,
            tensor: Tensor::new(&[self.batch, self.d_inner, self.d_state], self.state),
        }
    }

    pub(crate) fn io(&self) -> Io {
        let seq = |c| Operand::act(Tensor::new(&[self.batch, self.len, c], self.dtype));
        let mut reads = vec![
            seq(self.d_inner), // x
            seq(self.d_inner), // Δ (before softplus)
            seq(self.d_state), // B
            seq(self.d_state), // C
            // A (= −exp(A_log), computed once when weights are loaded) and D.
            Operand::weight(Tensor::new(&[self.d_inner, self.d_state], self.dtype)),
            Operand::weight(Tensor::new(&[self.d_inner], self.dtype)),
        ];
        if self.reads_state {
            reads.push(self.state_operand());
        }
        let mut writes = vec![Operand::act(self.output())];
        if self.writes_state {
            writes.push(self.state_operand());
        }
        Io { reads, writes }
    }
}

/// FrameFusion's similarity-based merging (arXiv 2501.01986): each vision token is
/// compared (cosine similarity) with the token at the same patch position in the previous
/// frame; `merged` tokens above the threshold are averaged into their predecessor and
/// removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TokenMerge {
    /// Sequences.
    pub batch: u64,
    /// Tokens per sequence before merging (vision and text).
    pub tokens: u64,
    /// Vision tokens among them.
    pub vision: u64,
    /// Vision tokens per frame (patch positions).
    pub per_frame: u64,
    /// Tokens merged away per sequence.
    pub merged: u64,
    /// Hidden size.
    pub dim: u64,
    /// Element type.
    pub dtype: DType,
}

impl TokenMerge {
    /// Adjacent-frame pairs compared per sequence: `vision − per_frame`.
    pub fn pairs(&self) -> u64 {
        self.vision.saturating_sub(self.per_frame)
    }

    /// FLOPs per sequence × batch: squared norms (`2·dim`) and a square root per vision
    /// token; a dot product (`2·dim`), a norm product, a divide and a threshold compare
    /// per pair; `2·dim` per merged token (add into the target, rescale the average).
    pub fn flops(&self) -> u64 {
        self.batch
            * (self.vision * (2 * self.dim + 1)
                + self.pairs() * (2 * self.dim + 3)
                + self.merged * 2 * self.dim)
    }

    /// The reduced hidden states.
    pub fn output(&self) -> Tensor {
        Tensor::new(
            &[
                self.batch,
                self.tokens - self.merged.min(self.tokens),
                self.dim,
            ],
            self.dtype,
        )
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![Operand::act(Tensor::new(
                &[self.batch, self.tokens, self.dim],
                self.dtype,
            ))],
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// FrameFusion's importance-based pruning: the attention the last `queries` tokens of the
/// reduction layer pay to each vision token, averaged over heads and those queries, ranks
/// the vision tokens; the top `vision − pruned` are kept (a one-shot top-k).
///
/// The scores are recomputed from the layer's queries and keys, as the authors' code
/// does (github.com/thu-nics/FrameFusion, `framefusion/utils.py`:
/// `scaled_dot_product_attention(…, num=1)` keeps `query[:, :, -1:, :]`, the last query
/// row, beside the layer's ordinary fused SDPA); the layer's own attention stays fused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TokenPrune {
    /// Sequences.
    pub batch: u64,
    /// Tokens per sequence before pruning.
    pub tokens: u64,
    /// Vision tokens (candidates) among them.
    pub vision: u64,
    /// Tokens removed per sequence.
    pub pruned: u64,
    /// Query rows whose attention ranks the tokens (FrameFusion: 1, the last token).
    pub queries: u64,
    /// Keys those queries attend to (the reduction layer's tokens, before merging).
    pub keys: u64,
    /// Query heads.
    pub heads: u64,
    /// Key heads (grouped-query attention).
    pub kv_heads: u64,
    /// Head dimension.
    pub head_dim: u64,
    /// Hidden size.
    pub dim: u64,
    /// Element type of hidden states, queries, keys and probabilities.
    pub dtype: DType,
}

impl TokenPrune {
    /// Attention probabilities computed per sequence: `heads × queries × keys`.
    pub fn probs(&self) -> u64 {
        self.heads * self.queries * self.keys
    }

    /// FLOPs per sequence × batch: per probability the score (`2·head_dim` for the dot
    /// product, 1 for the scale), the float softmax ([`super::FLOAT_SOFTMAX_OPS`]) and one
    /// add into the importance sum; per candidate one divide (mean) and `⌈log₂ vision⌉`
    /// compares (top-k).
    pub fn flops(&self) -> u64 {
        let log = if self.vision <= 1 {
            0
        } else {
            u64::from(u64::BITS - (self.vision - 1).leading_zeros())
        };
        let per_prob = 2 * self.head_dim + 1 + super::FLOAT_SOFTMAX_OPS + 1;
        self.batch * (self.probs() * per_prob + self.vision + self.vision * log)
    }

    /// The kept hidden states.
    pub fn output(&self) -> Tensor {
        Tensor::new(
            &[
                self.batch,
                self.tokens - self.pruned.min(self.tokens),
                self.dim,
            ],
            self.dtype,
        )
    }

    /// Reads the hidden states, the last `queries` query rows and the layer's keys; writes
    /// the kept hidden states (the probabilities stay on chip).
    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![
                Operand::act(Tensor::new(
                    &[self.batch, self.tokens, self.dim],
                    self.dtype,
                )),
                Operand::act(Tensor::new(
                    &[self.batch, self.queries, self.heads * self.head_dim],
                    self.dtype,
                )),
                Operand {
                    role: Role::KvCache,
                    tensor: Tensor::new(
                        &[self.batch, self.kv_heads, self.keys, self.head_dim],
                        self.dtype,
                    ),
                },
            ],
            writes: vec![Operand::act(self.output())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_flops_from_the_recurrence() {
        // Mamba-2.8B decode step: d_inner 5120, N 16: 5120 · (7·16 + 6) = 604 160.
        let s = SelectiveScan {
            batch: 1,
            len: 1,
            d_inner: 5120,
            d_state: 16,
            dtype: DType::F16,
            state: DType::F32,
            reads_state: true,
            writes_state: true,
        };
        assert_eq!(s.flops(), 604_160);
    }
}
