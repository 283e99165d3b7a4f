//! Parameter counts, in closed form from the config (independent of the graph builder).
//!
//! Counted: the parameters of the operators a forward pass uses — embeddings (the whole
//! table), every layer run, final norm, LM head (once if tied). For VLMs, the vision
//! layers dropped by the projector's layer selection and SigLIP's unused pooling head are
//! not counted.

use crate::config::{DecoderConfig, MambaConfig, ModelConfig, Positions, Projector, VisionConfig};
use crate::ops::NormKind;

/// Parameters by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ParamCount {
    /// Token (and learned position) embeddings.
    pub embedding: u64,
    /// Language-model layers, final norm included.
    pub layers: u64,
    /// LM head (0 when tied to the embedding).
    pub head: u64,
    /// Vision tower.
    pub vision: u64,
    /// Projector.
    pub projector: u64,
}

impl ParamCount {
    /// Sum of all parts.
    pub fn total(&self) -> u64 {
        self.embedding + self.layers + self.head + self.vision + self.projector
    }
}

fn norm(kind: NormKind, dim: u64) -> u64 {
    match kind {
        NormKind::Rms => dim,
        NormKind::Layer => 2 * dim,
    }
}

fn decoder(d: &DecoderConfig) -> ParamCount {
    let h = d.hidden;
    let q = d.heads * d.head_dim;
    let kv = d.kv_heads * d.head_dim;
    let b = |on: bool, n: u64| if on { n } else { 0 };
    let attn = h * q + 2 * h * kv + b(d.qkv_bias, q + 2 * kv) + q * h + b(d.o_bias, h);
    let ffn = if d.gated_ffn {
        3 * h * d.intermediate + b(d.ffn_bias, 2 * d.intermediate + h)
    } else {
        2 * h * d.intermediate + b(d.ffn_bias, d.intermediate + h)
    };
    let layer = attn + ffn + 2 * norm(d.norm, h);
    let pos = match d.positions {
        Positions::Rotary => 0,
        Positions::Learned { rows } => rows * h,
    };
    ParamCount {
        embedding: d.vocab * h + pos,
        layers: d.layers * layer + norm(d.norm, h),
        head: if d.tied_embeddings { 0 } else { d.vocab * h },
        vision: 0,
        projector: 0,
    }
}

fn mamba(m: &MambaConfig) -> ParamCount {
    let (h, di, n, r, k) = (m.hidden, m.d_inner, m.d_state, m.dt_rank, m.conv_kernel);
    let b = |on: bool, x: u64| if on { x } else { 0 };
    let layer = h * 2 * di + b(m.proj_bias, 2 * di) // in_proj
        + di * k + b(m.conv_bias, di) // conv1d
        + di * (r + 2 * n) // x_proj
        + r * di + di // dt_proj with bias
        + di * n + di // A_log, D
        + di * h + b(m.proj_bias, h) // out_proj
        + h; // RMSNorm
    ParamCount {
        embedding: m.vocab * h,
        layers: m.layers * layer + h,
        head: if m.tied_embeddings { 0 } else { m.vocab * h },
        vision: 0,
        projector: 0,
    }
}

fn vision(v: &VisionConfig) -> u64 {
    let h = v.hidden;
    let patch = v.channels * v.patch * v.patch * h + h;
    let pos = v.position_rows * h;
    let layer = 4 * (h * h + h) + 2 * h * v.intermediate + v.intermediate + h + 2 * 2 * h;
    patch + pos + v.layers * layer
}

/// Parameters of a model.
pub fn count(c: &ModelConfig) -> ParamCount {
    match c {
        ModelConfig::Decoder(d) => decoder(d),
        ModelConfig::Mamba(m) => mamba(m),
        ModelConfig::Vlm(v) => {
            let h = v.llm.hidden;
            let vh = v.vision.hidden;
            let projector = match v.projector {
                Projector::Mlp2xGelu => vh * h + h + h * h + h,
                Projector::Resampler { queries, .. } => {
                    queries * h // learned queries
                        + vh * h // kv_proj (no bias)
                        + 4 * h * h + 4 * h // attention in/out projections with biases
                        + 3 * 2 * h // ln_q, ln_kv, ln_post
                        + h * h // proj (no bias)
                }
            };
            ParamCount {
                vision: vision(&v.vision),
                projector,
                ..decoder(&v.llm)
            }
        }
    }
}
