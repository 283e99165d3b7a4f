//! Model configs read from HuggingFace-style `config.json` files.
//!
//! [`parse`] reads the text, dispatches on `model_type` (`llama`, `mistral`, `qwen2`,
//! `opt`, `mamba`, `llava`/`llava_qwen`, `minicpmv`; an original `mamba_ssm` config with
//! `d_model`/`n_layer` and no `model_type` is read as Mamba) and validates: a required
//! field that is missing, a zero size, or heads that do not divide the hidden size give a
//! [`WorkloadError`] naming the file and field.

mod raw;
mod vlm;

pub use vlm::{FrameTokens, Newline, Projector, VisionConfig, VlmConfig};

use crate::error::{Result, WorkloadError};
use crate::ops::{EltFn, NormKind};
use raw::RawConfig;
use serde::Serialize;

/// Supported `model_type` values.
pub const MODEL_TYPES: [&str; 8] = [
    "llama",
    "mistral",
    "qwen2",
    "opt",
    "mamba",
    "llava",
    "llava_qwen",
    "minicpmv",
];

/// Position information of a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Positions {
    /// Rotary embedding applied to queries and keys.
    Rotary,
    /// A learned table of `rows` positions added to the token embeddings (OPT: 2 048 + 2
    /// offset rows).
    Learned {
        /// Rows of the table.
        rows: u64,
    },
}

/// A transformer decoder (Llama, Qwen2, Mistral, OPT).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecoderConfig {
    /// `hidden_size`.
    pub hidden: u64,
    /// `num_hidden_layers`.
    pub layers: u64,
    /// `num_attention_heads`.
    pub heads: u64,
    /// `num_key_value_heads` (= heads when absent).
    pub kv_heads: u64,
    /// Channels per head (`head_dim`, else hidden / heads).
    pub head_dim: u64,
    /// FFN width (`intermediate_size`, OPT `ffn_dim`).
    pub intermediate: u64,
    /// `vocab_size`.
    pub vocab: u64,
    /// RMSNorm (Llama family) or LayerNorm (OPT).
    pub norm: NormKind,
    /// Gated FFN (`down(act(gate(x)) · up(x))`, Llama) or plain (`fc2(act(fc1(x)))`, OPT).
    pub gated_ffn: bool,
    /// FFN activation.
    pub act: EltFn,
    /// Biases on the q/k/v projections (Qwen2, OPT).
    pub qkv_bias: bool,
    /// Bias on the output projection (OPT).
    pub o_bias: bool,
    /// Biases on the FFN (OPT).
    pub ffn_bias: bool,
    /// Position information.
    pub positions: Positions,
    /// LM head shares the embedding table.
    pub tied_embeddings: bool,
}

/// A Mamba (S6) language model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MambaConfig {
    /// `hidden_size` / `d_model`.
    pub hidden: u64,
    /// `num_hidden_layers` / `n_layer`.
    pub layers: u64,
    /// `intermediate_size` (= expand · hidden).
    pub d_inner: u64,
    /// `state_size` (N).
    pub d_state: u64,
    /// `conv_kernel`.
    pub conv_kernel: u64,
    /// `time_step_rank` (`auto`: ⌈hidden / 16⌉).
    pub dt_rank: u64,
    /// `vocab_size`, padded to `pad_vocab_size_multiple`.
    pub vocab: u64,
    /// `use_conv_bias`.
    pub conv_bias: bool,
    /// `use_bias` (in_proj/out_proj biases).
    pub proj_bias: bool,
    /// LM head shares the embedding table (true for the released models).
    pub tied_embeddings: bool,
}

/// The architecture of a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum ModelConfig {
    /// Transformer decoder.
    Decoder(DecoderConfig),
    /// Mamba.
    Mamba(MambaConfig),
    /// Vision-language model: vision encoder, projector, transformer decoder.
    Vlm(VlmConfig),
}

impl ModelConfig {
    /// The language model's layers.
    pub fn layers(&self) -> u64 {
        match self {
            ModelConfig::Decoder(d) => d.layers,
            ModelConfig::Mamba(m) => m.layers,
            ModelConfig::Vlm(v) => v.llm.layers,
        }
    }
}

/// Reads fields of one (possibly nested) config object, naming them in errors.
pub(crate) struct Fields<'a> {
    pub file: &'a str,
    pub prefix: &'a str,
    pub model_type: &'a str,
}

impl Fields<'_> {
    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub(crate) fn error(&self, key: &str, message: impl Into<String>) -> WorkloadError {
        WorkloadError::Config {
            file: self.file.to_string(),
            key: self.key(key),
            message: message.into(),
        }
    }

    /// A required field, which must be > 0.
    pub(crate) fn req(&self, v: Option<u64>, key: &str) -> Result<u64> {
        let v = v.ok_or_else(|| {
            self.error(
                key,
                format!(
                    "missing field (required for model_type `{}`)",
                    self.model_type
                ),
            )
        })?;
        self.positive(v, key)
    }

    /// A value that must be > 0 and ≤ 2²² (keeps every FLOP count within `u64`).
    pub(crate) fn positive(&self, v: u64, key: &str) -> Result<u64> {
        if v == 0 {
            return Err(self.error(key, "must be > 0"));
        }
        if v > 1 << 22 {
            return Err(self.error(key, format!("{v} is implausibly large (limit 2^22)")));
        }
        Ok(v)
    }

    /// An optional field with a default, which must be > 0.
    pub(crate) fn opt(&self, v: Option<u64>, default: u64, key: &str) -> Result<u64> {
        self.positive(v.unwrap_or(default), key)
    }
}

/// Parses and validates a `config.json` text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<ModelConfig> {
    let raw: RawConfig = serde_json::from_str(text).map_err(|e| WorkloadError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let model_type = match (&raw.model_type, raw.d_model) {
        (Some(t), _) => t.clone(),
        (None, Some(_)) => "mamba".to_string(),
        (None, None) => {
            return Err(WorkloadError::Config {
                file: file.to_string(),
                key: "model_type".into(),
                message: format!("missing field; expected one of {}", MODEL_TYPES.join(", ")),
            });
        }
    };
    let f = Fields {
        file,
        prefix: "",
        model_type: &model_type,
    };
    match model_type.as_str() {
        "llama" | "mistral" | "qwen2" => Ok(ModelConfig::Decoder(llama(&raw, &f)?)),
        "opt" => Ok(ModelConfig::Decoder(opt(&raw, &f)?)),
        "mamba" => Ok(ModelConfig::Mamba(mamba(&raw, &f)?)),
        "llava" | "llava_qwen" => Ok(ModelConfig::Vlm(vlm::llava(&raw, &f)?)),
        "minicpmv" => Ok(ModelConfig::Vlm(vlm::minicpmv(&raw, &f)?)),
        other => {
            let s = crate::suggest::closest(other, MODEL_TYPES);
            Err(f.error(
                "model_type",
                format!(
                    "unsupported `{other}`{}; expected one of {}",
                    s.map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default(),
                    MODEL_TYPES.join(", ")
                ),
            ))
        }
    }
}

/// Heads, KV heads and head size, checked: heads divide the hidden size (unless
/// `head_dim` is given), KV heads divide heads.
fn heads(raw: &RawConfig, f: &Fields, hidden: u64) -> Result<(u64, u64, u64)> {
    let heads = f.req(raw.num_attention_heads, "num_attention_heads")?;
    let kv_heads = f.opt(raw.num_key_value_heads, heads, "num_key_value_heads")?;
    let head_dim = match raw.head_dim {
        Some(d) => f.positive(d, "head_dim")?,
        None => {
            if !hidden.is_multiple_of(heads) {
                return Err(f.error(
                    "num_attention_heads",
                    format!("{heads} heads do not divide hidden_size {hidden}"),
                ));
            }
            hidden / heads
        }
    };
    if !heads.is_multiple_of(kv_heads) {
        return Err(f.error(
            "num_key_value_heads",
            format!("{kv_heads} key/value heads do not divide {heads} attention heads"),
        ));
    }
    Ok((heads, kv_heads, head_dim))
}

fn act(name: Option<&str>, default: EltFn, f: &Fields, key: &str) -> Result<EltFn> {
    match name {
        None => Ok(default),
        Some("silu" | "swish") => Ok(EltFn::Silu),
        Some("relu") => Ok(EltFn::Relu),
        Some("gelu" | "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast") => Ok(EltFn::Gelu),
        Some(other) => Err(f.error(
            key,
            format!("unsupported activation `{other}`; expected silu, relu or gelu"),
        )),
    }
}

/// Llama / Mistral / Qwen2.
pub(crate) fn llama(raw: &RawConfig, f: &Fields) -> Result<DecoderConfig> {
    let hidden = f.req(raw.hidden_size, "hidden_size")?;
    let layers = f.req(raw.num_hidden_layers, "num_hidden_layers")?;
    let (heads, kv_heads, head_dim) = heads(raw, f, hidden)?;
    // Qwen2 always has q/k/v biases (no config field); Llama reads `attention_bias`.
    let qwen = f.model_type != "llama" && f.model_type != "mistral";
    let attention_bias = raw.attention_bias.unwrap_or(false);
    Ok(DecoderConfig {
        hidden,
        layers,
        heads,
        kv_heads,
        head_dim,
        intermediate: f.req(raw.intermediate_size, "intermediate_size")?,
        vocab: f.req(raw.vocab_size, "vocab_size")?,
        norm: NormKind::Rms,
        gated_ffn: true,
        act: act(raw.hidden_act.as_deref(), EltFn::Silu, f, "hidden_act")?,
        qkv_bias: qwen || attention_bias,
        o_bias: attention_bias,
        ffn_bias: raw.mlp_bias.unwrap_or(false),
        positions: Positions::Rotary,
        tied_embeddings: raw.tie_word_embeddings.unwrap_or(false),
    })
}

/// OPT: LayerNorm, learned positions (offset 2), biases, ReLU FFN, tied LM head.
fn opt(raw: &RawConfig, f: &Fields) -> Result<DecoderConfig> {
    let hidden = f.req(raw.hidden_size, "hidden_size")?;
    let (heads, _, head_dim) = heads(raw, f, hidden)?;
    if let Some(p) = raw.word_embed_proj_dim
        && p != hidden
    {
        return Err(f.error(
            "word_embed_proj_dim",
            format!("{p} ≠ hidden_size {hidden}: embedding projections are not modelled"),
        ));
    }
    if raw.do_layer_norm_before == Some(false) {
        return Err(f.error(
            "do_layer_norm_before",
            "post-norm OPT (350M) is not modelled; expected true",
        ));
    }
    let bias = raw.enable_bias.unwrap_or(true);
    let max_pos = f.req(raw.max_position_embeddings, "max_position_embeddings")?;
    Ok(DecoderConfig {
        hidden,
        layers: f.req(raw.num_hidden_layers, "num_hidden_layers")?,
        heads,
        kv_heads: heads,
        head_dim,
        intermediate: f.req(raw.ffn_dim, "ffn_dim")?,
        vocab: f.req(raw.vocab_size, "vocab_size")?,
        norm: NormKind::Layer,
        gated_ffn: false,
        act: act(
            raw.activation_function.as_deref(),
            EltFn::Relu,
            f,
            "activation_function",
        )?,
        qkv_bias: bias,
        o_bias: bias,
        ffn_bias: bias,
        // OPTLearnedPositionalEmbedding: max_position_embeddings + offset 2 rows.
        positions: Positions::Learned { rows: max_pos + 2 },
        tied_embeddings: raw.tie_word_embeddings.unwrap_or(true),
    })
}

/// Mamba, from HuggingFace `-hf` fields or original `mamba_ssm` fields.
fn mamba(raw: &RawConfig, f: &Fields) -> Result<MambaConfig> {
    let hidden_key = if raw.hidden_size.is_some() || raw.d_model.is_none() {
        "hidden_size"
    } else {
        "d_model"
    };
    let hidden = f.req(raw.hidden_size.or(raw.d_model), hidden_key)?;
    let layers_key = if raw.num_hidden_layers.is_some() || raw.n_layer.is_none() {
        "num_hidden_layers"
    } else {
        "n_layer"
    };
    let layers = f.req(raw.num_hidden_layers.or(raw.n_layer), layers_key)?;
    let ssm = raw.ssm_cfg.as_ref();
    // Defaults of mamba_ssm's Mamba block: d_state 16, d_conv 4, expand 2.
    let d_state = f.opt(
        raw.state_size.or(ssm.and_then(|s| s.d_state)),
        16,
        "state_size",
    )?;
    let conv_kernel = f.opt(
        raw.conv_kernel.or(ssm.and_then(|s| s.d_conv)),
        4,
        "conv_kernel",
    )?;
    let expand = f.opt(raw.expand.or(ssm.and_then(|s| s.expand)), 2, "expand")?;
    let d_inner = f.opt(raw.intermediate_size, expand * hidden, "intermediate_size")?;
    let dt_rank = match &raw.time_step_rank {
        None => hidden.div_ceil(16),
        Some(serde_json::Value::String(s)) if s == "auto" => hidden.div_ceil(16),
        Some(v) => match v.as_u64() {
            Some(r) => f.positive(r, "time_step_rank")?,
            None => {
                return Err(f.error(
                    "time_step_rank",
                    format!("expected a positive integer or \"auto\", found {v}"),
                ));
            }
        },
    };
    let vocab = f.req(raw.vocab_size, "vocab_size")?;
    let pad = f.opt(raw.pad_vocab_size_multiple, 1, "pad_vocab_size_multiple")?;
    Ok(MambaConfig {
        hidden,
        layers,
        d_inner,
        d_state,
        conv_kernel,
        dt_rank,
        vocab: vocab.div_ceil(pad) * pad,
        conv_bias: raw.use_conv_bias.unwrap_or(true),
        proj_bias: raw.use_bias.unwrap_or(false),
        tied_embeddings: raw.tie_word_embeddings.unwrap_or(true),
    })
}
