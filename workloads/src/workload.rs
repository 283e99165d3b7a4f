//! What to run: phase, batch, frames, precision, attention implementation, transforms.

use crate::error::{Result, invalid};
use crate::tensor::DType;
use crate::transforms::Transforms;
use serde::Serialize;

/// Inference phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Process a prompt of `prompt` text tokens per sequence (plus the vision tokens of a
    /// VLM) and fill the KV cache.
    Prefill {
        /// Text tokens per sequence.
        prompt: u64,
    },
    /// One decode step: `tokens_per_step` new tokens per sequence (1 for ordinary decoding;
    /// k for speculative or Jacobi decoding, which verify k tokens per step) attend to a
    /// context of `context` text tokens (the new ones included; a VLM's vision tokens are
    /// added to it).
    Decode {
        /// Text tokens in the context after this step.
        context: u64,
        /// Tokens processed per step.
        tokens_per_step: u64,
    },
}

/// Attention as separate QKᵀ, softmax, PV operators or one fused operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionImpl {
    /// QKᵀ, softmax and PV, with scores and probabilities written in between.
    #[default]
    Unfused,
    /// Flash-style fused attention.
    Fused,
    /// Unfused as HuggingFace transformers' "eager" attention runs it: the whole `QKᵀ`
    /// rectangle is computed (a causal mask is added, not skipped), and the softmax reads
    /// and writes fp32 (`softmax(scores, dtype=torch.float32)`); the products stay 16-bit.
    /// The cast back to 16 bits before `PV` is not a separate operator.
    Eager,
}

/// Largest `batch × tokens` per step: keeps every FLOP count within `u64`.
pub const MAX_TOKENS_PER_STEP: u64 = 1 << 24;

/// A workload: everything about a run except the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// Phase.
    pub phase: Phase,
    /// Sequences processed together.
    pub batch: u64,
    /// Video frames per sequence (VLMs only; 0 for text-only input).
    pub frames: u64,
    /// Type of weights and activations before any quantisation (fp16 by default: the
    /// models are served in 16-bit; `bf16` has the same size).
    pub dtype: DType,
    /// Attention implementation.
    pub attention: AttentionImpl,
    /// Transforms applied.
    pub transforms: Transforms,
}

impl Workload {
    /// Prefill of `prompt` tokens, batch 1, fp16, no frames, no transforms.
    pub fn prefill(prompt: u64) -> Workload {
        Workload::new(Phase::Prefill { prompt })
    }

    /// One decode step at context `context`, one token per step, batch 1, fp16.
    pub fn decode(context: u64) -> Workload {
        Workload::new(Phase::Decode {
            context,
            tokens_per_step: 1,
        })
    }

    fn new(phase: Phase) -> Workload {
        Workload {
            phase,
            batch: 1,
            frames: 0,
            dtype: DType::F16,
            attention: AttentionImpl::Unfused,
            transforms: Transforms::default(),
        }
    }

    /// The same workload with another batch size.
    pub fn with_batch(mut self, batch: u64) -> Workload {
        self.batch = batch;
        self
    }

    /// The same workload with `frames` video frames.
    pub fn with_frames(mut self, frames: u64) -> Workload {
        self.frames = frames;
        self
    }

    /// Checks sizes: batch, prompt, context and tokens per step ≥ 1, tokens per step ≤
    /// context, `batch × (tokens + 1024·frames)` ≤ [`MAX_TOKENS_PER_STEP`] (a frame
    /// counts as 1 024 tokens, the most patches per frame of the shipped towers).
    pub fn validate(&self) -> Result<()> {
        if self.batch == 0 {
            return Err(invalid("batch", "must be ≥ 1"));
        }
        let tokens = match self.phase {
            Phase::Prefill { prompt } => {
                if prompt == 0 {
                    return Err(invalid("prompt", "must be ≥ 1 token"));
                }
                prompt
            }
            Phase::Decode {
                context,
                tokens_per_step,
            } => {
                if tokens_per_step == 0 {
                    return Err(invalid("tokens per step", "must be ≥ 1"));
                }
                if context < tokens_per_step {
                    return Err(invalid(
                        "context",
                        format!("{context} is less than the {tokens_per_step} tokens per step"),
                    ));
                }
                context
            }
        };
        let total = self
            .batch
            .checked_mul(tokens.saturating_add(self.frames.saturating_mul(1024)));
        if total.is_none_or(|t| t > MAX_TOKENS_PER_STEP) {
            return Err(invalid(
                "batch × tokens",
                format!("must be ≤ {MAX_TOKENS_PER_STEP} (2^24)"),
            ));
        }
        self.transforms.validate()
    }
}
