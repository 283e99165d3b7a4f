//! The HuggingFace `config.json` fields read, as they appear in the files. Every field is
//! optional here; [`super::parse`] says which a model type requires. Unknown fields are
//! ignored: HuggingFace configs carry many fields (token ids, initialisation, training
//! settings) that do not change the operator graph.

use serde::Deserialize;

/// All fields read from any supported `config.json`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawConfig {
    pub model_type: Option<String>,
    // Transformer decoders (Llama, Qwen2, Mistral, OPT) and vision towers (SigLIP).
    pub hidden_size: Option<u64>,
    pub intermediate_size: Option<u64>,
    pub num_hidden_layers: Option<u64>,
    pub num_attention_heads: Option<u64>,
    pub num_key_value_heads: Option<u64>,
    pub head_dim: Option<u64>,
    pub vocab_size: Option<u64>,
    pub max_position_embeddings: Option<u64>,
    pub tie_word_embeddings: Option<bool>,
    pub attention_bias: Option<bool>,
    pub mlp_bias: Option<bool>,
    pub hidden_act: Option<String>,
    // OPT.
    pub ffn_dim: Option<u64>,
    pub word_embed_proj_dim: Option<u64>,
    pub enable_bias: Option<bool>,
    pub do_layer_norm_before: Option<bool>,
    pub activation_function: Option<String>,
    // Mamba (HuggingFace `-hf` names, and the original `mamba_ssm` names).
    pub state_size: Option<u64>,
    pub conv_kernel: Option<u64>,
    pub expand: Option<u64>,
    pub time_step_rank: Option<serde_json::Value>,
    pub use_bias: Option<bool>,
    pub use_conv_bias: Option<bool>,
    pub d_model: Option<u64>,
    pub n_layer: Option<u64>,
    pub pad_vocab_size_multiple: Option<u64>,
    pub ssm_cfg: Option<RawSsm>,
    // Vision towers.
    pub image_size: Option<u64>,
    pub patch_size: Option<u64>,
    pub num_channels: Option<u64>,
    pub vision_config: Option<Box<RawConfig>>,
    // LLaVA (LLaVA-NeXT / lmms-lab names).
    pub mm_vision_tower: Option<String>,
    pub mm_projector_type: Option<String>,
    pub mm_hidden_size: Option<u64>,
    pub mm_vision_select_layer: Option<i64>,
    pub mm_spatial_pool_stride: Option<u64>,
    pub mm_newline_position: Option<String>,
    // MiniCPM-V.
    pub query_num: Option<u64>,
    pub drop_vision_last_layer: Option<bool>,
}

/// `ssm_cfg` of original `mamba_ssm` configs (empty for the released models: defaults).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawSsm {
    pub d_state: Option<u64>,
    pub d_conv: Option<u64>,
    pub expand: Option<u64>,
}
