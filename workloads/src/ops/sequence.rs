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

/// FrameFusion's importance-based pruning: the attention each vision token receives,
/// averaged over heads and queries of the reduction layer, ranks the tokens; the top
/// `vision − pruned` are kept (a one-shot top-k).
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
    /// Attention probabilities read per sequence (heads × pairs of the reduction layer).
    pub probs: u64,
    /// Hidden size.
    pub dim: u64,
    /// Element type of hidden states and probabilities.
    pub dtype: DType,
}

impl TokenPrune {
    /// FLOPs per sequence × batch: one add per attention probability (importance sums), one
    /// divide per candidate (mean), `⌈log₂ vision⌉` compares per candidate (top-k).
    pub fn flops(&self) -> u64 {
        let log = if self.vision <= 1 {
            0
        } else {
            u64::from(u64::BITS - (self.vision - 1).leading_zeros())
        };
        self.batch * (self.probs + self.vision + self.vision * log)
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

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: vec![
                Operand::act(Tensor::new(
                    &[self.batch, self.tokens, self.dim],
                    self.dtype,
                )),
                Operand::act(Tensor::new(&[self.batch, self.probs], self.dtype)),
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
