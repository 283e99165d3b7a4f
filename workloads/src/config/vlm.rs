//! Vision-language models: a vision tower (SigLIP), a projector (2-layer MLP or a
//! perceiver resampler) and a Qwen2 language model.
//!
//! - LLaVA-Video / LLaVA-OneVision (LLaVA-NeXT `config.json`, `model_type` `llava`):
//!   the tower is named by `mm_vision_tower` and its config is looked up among the shipped
//!   towers; LLaVA-NeXT drops the tower's last layer (`mm_vision_select_layer` −2:
//!   26 of SigLIP-so400m's 27 layers); the projector `mlp2x_gelu` runs on all 27×27
//!   patches of a frame, then `get_2dPool` (bilinear, stride `mm_spatial_pool_stride`)
//!   resizes the grid to ⌈27/2⌉ = 14 per side; `mm_newline_position` `grid` adds one
//!   newline token per row: 14·14 + 14 = 210 tokens per frame (LLaVA-Video).
//! - MiniCPM-V 2.6 (`model_type` `minicpmv`): `vision_config` inline; one 448×448 slice
//!   per frame (32×32 patches), a resampler of `query_num` = 64 learned queries
//!   cross-attending to the patches: 64 tokens per frame.

use super::raw::RawConfig;
use super::{DecoderConfig, Fields, llama};
use crate::error::{Result, WorkloadError};
use serde::Serialize;

/// A ViT vision tower (SigLIP): patch embedding, LayerNorm pre-norm blocks with GELU FFN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisionConfig {
    /// `hidden_size`.
    pub hidden: u64,
    /// Layers run (after the projector's layer selection).
    pub layers: u64,
    /// `num_attention_heads`.
    pub heads: u64,
    /// `intermediate_size`.
    pub intermediate: u64,
    /// `patch_size` (pixels per side).
    pub patch: u64,
    /// Input image side in pixels for one frame.
    pub image: u64,
    /// Rows of the learned position-embedding table.
    pub position_rows: u64,
    /// Input channels (3).
    pub channels: u64,
}

impl VisionConfig {
    /// Patches per image side: `⌊image / patch⌋`.
    pub fn side(&self) -> u64 {
        self.image / self.patch
    }

    /// Patches per image.
    pub fn patches(&self) -> u64 {
        self.side() * self.side()
    }
}

/// The projector from vision features to the language model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Projector {
    /// `mlp2x_gelu`: Linear(vision → hidden), GELU, Linear(hidden → hidden), with biases.
    Mlp2xGelu,
    /// MiniCPM-V's resampler: `queries` learned queries, one cross-attention with
    /// `heads` heads of width `hidden / heads` (= 128).
    Resampler {
        /// Learned queries (tokens per frame).
        queries: u64,
        /// Attention heads.
        heads: u64,
    },
}

/// Where LLaVA puts its learned newline tokens (`mm_newline_position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Newline {
    /// One per row of the pooled grid of every frame.
    Grid,
    /// One per frame.
    Frame,
    /// One after the whole video.
    OneToken,
    /// None.
    NoToken,
}

/// How a frame becomes language-model tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameTokens {
    /// Pooled grid side (`⌈side / stride⌉`), or `None` without pooling (resampler).
    pub pooled_side: Option<u64>,
    /// Newline placement.
    pub newline: Newline,
    /// Tokens per frame before newlines.
    pub per_frame: u64,
}

impl FrameTokens {
    /// Vision tokens for `frames` frames, newlines included.
    pub fn tokens(&self, frames: u64) -> u64 {
        if frames == 0 {
            return 0;
        }
        let newlines = match self.newline {
            Newline::Grid => frames * self.pooled_side.unwrap_or(0),
            Newline::Frame => frames,
            Newline::OneToken => 1,
            Newline::NoToken => 0,
        };
        frames * self.per_frame + newlines
    }

    /// Tokens per frame, newlines of that frame included (`one_token` excluded).
    pub fn per_frame_with_newlines(&self) -> u64 {
        match self.newline {
            Newline::Grid => self.per_frame + self.pooled_side.unwrap_or(0),
            Newline::Frame => self.per_frame + 1,
            Newline::OneToken | Newline::NoToken => self.per_frame,
        }
    }
}

/// A video VLM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VlmConfig {
    /// The language model.
    pub llm: DecoderConfig,
    /// The vision tower.
    pub vision: VisionConfig,
    /// The projector.
    pub projector: Projector,
    /// Tokens per frame.
    pub frame: FrameTokens,
    /// Name of the vision tower.
    pub tower: String,
}

/// Vision towers shipped with the crate, by the names LLaVA configs use.
pub(crate) const TOWERS: [(&str, &str); 1] = [(
    "google/siglip-so400m-patch14-384",
    include_str!("../../models/siglip-so400m-patch14-384.json"),
)];

fn vision(
    raw: &RawConfig,
    f: &Fields,
    select_layer: i64,
    image: Option<u64>,
) -> Result<VisionConfig> {
    let hidden = f.req(raw.hidden_size, "hidden_size")?;
    let heads = f.req(raw.num_attention_heads, "num_attention_heads")?;
    if !hidden.is_multiple_of(heads) {
        return Err(f.error(
            "num_attention_heads",
            format!("{heads} heads do not divide hidden_size {hidden}"),
        ));
    }
    let all = f.req(raw.num_hidden_layers, "num_hidden_layers")?;
    // hidden_states has layers + 1 entries; index −2 is the output of layer L − 1.
    let layers = if select_layer < 0 {
        (all as i64 + 1 + select_layer).max(0) as u64
    } else {
        (select_layer as u64).min(all)
    };
    if layers == 0 {
        return Err(f.error("mm_vision_select_layer", "selects no vision layer"));
    }
    let patch = f.req(raw.patch_size, "patch_size")?;
    let table_image = f.req(raw.image_size, "image_size")?;
    let image = image.unwrap_or(table_image);
    if image < patch {
        return Err(f.error(
            "image_size",
            format!("{image} is smaller than patch_size {patch}"),
        ));
    }
    // A stride-`patch` convolution: ⌊image / patch⌋ patches per side (384 / 14 → 27).
    let table_side = table_image / patch;
    Ok(VisionConfig {
        hidden,
        layers,
        heads,
        intermediate: f.req(raw.intermediate_size, "intermediate_size")?,
        patch,
        image,
        position_rows: table_side * table_side,
        channels: f.opt(raw.num_channels, 3, "num_channels")?,
    })
}

/// LLaVA-NeXT family (LLaVA-Video, LLaVA-OneVision) with a Qwen2 language model.
pub(crate) fn llava(raw: &RawConfig, f: &Fields) -> Result<VlmConfig> {
    let lf = Fields {
        model_type: "qwen2",
        ..*f
    };
    let llm = llama(raw, &lf)?;
    let tower = raw.mm_vision_tower.clone().ok_or_else(|| {
        f.error(
            "mm_vision_tower",
            "missing field (required for model_type `llava`)",
        )
    })?;
    let select = raw.mm_vision_select_layer.unwrap_or(-2);
    let vision = match &raw.vision_config {
        Some(v) => vision(
            v,
            &Fields {
                prefix: "vision_config.",
                ..*f
            },
            select,
            None,
        )?,
        None => {
            let known = TOWERS.iter().find(|(n, _)| *n == tower).ok_or_else(|| {
                let names: Vec<&str> = TOWERS.iter().map(|t| t.0).collect();
                f.error(
                    "mm_vision_tower",
                    format!(
                        "unknown tower `{tower}`{}; shipped: {} (or give `vision_config`)",
                        crate::suggest::closest(&tower, names.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default(),
                        names.join(", ")
                    ),
                )
            })?;
            let file = format!("<shipped {}>", known.0);
            let tr: RawConfig =
                serde_json::from_str(known.1).map_err(|e| WorkloadError::Parse {
                    file: file.clone(),
                    message: e.to_string(),
                })?;
            let vc = tr.vision_config.as_deref().unwrap_or(&tr);
            let tf = Fields {
                file: &file,
                prefix: "vision_config.",
                model_type: "siglip",
            };
            vision(vc, &tf, select, None)?
        }
    };
    if let Some(mm) = raw.mm_hidden_size
        && mm != vision.hidden
    {
        return Err(f.error(
            "mm_hidden_size",
            format!("{mm} ≠ the vision tower's hidden_size {}", vision.hidden),
        ));
    }
    match raw.mm_projector_type.as_deref() {
        None | Some("mlp2x_gelu") => {}
        Some(other) => {
            return Err(f.error(
                "mm_projector_type",
                format!("unsupported `{other}`; expected mlp2x_gelu"),
            ));
        }
    }
    let stride = f.opt(raw.mm_spatial_pool_stride, 1, "mm_spatial_pool_stride")?;
    let side = vision.side().div_ceil(stride);
    let newline = match raw.mm_newline_position.as_deref() {
        // LLaVA-NeXT's default: getattr(config, "mm_newline_position", "one_token").
        None | Some("one_token") => Newline::OneToken,
        Some("grid") => Newline::Grid,
        Some("frame") => Newline::Frame,
        Some("no_token") => Newline::NoToken,
        Some(other) => {
            return Err(f.error(
                "mm_newline_position",
                format!("unsupported `{other}`; expected grid, frame, one_token or no_token"),
            ));
        }
    };
    Ok(VlmConfig {
        llm,
        vision,
        projector: Projector::Mlp2xGelu,
        frame: FrameTokens {
            pooled_side: (stride > 1).then_some(side),
            newline,
            per_frame: side * side,
        },
        tower,
    })
}

/// MiniCPM-V 2.6: SigLIP-400M, resampler, Qwen2-7B.
pub(crate) fn minicpmv(raw: &RawConfig, f: &Fields) -> Result<VlmConfig> {
    let lf = Fields {
        model_type: "qwen2",
        ..*f
    };
    let llm = llama(raw, &lf)?;
    let vc = raw.vision_config.as_deref().ok_or_else(|| {
        f.error(
            "vision_config",
            "missing field (required for model_type `minicpmv`)",
        )
    })?;
    let select = if raw.drop_vision_last_layer.unwrap_or(false) {
        -2
    } else {
        -1
    };
    // One slice per frame at the config's `image_size` (448).
    let image = f.req(raw.image_size, "image_size")?;
    let vision = vision(
        vc,
        &Fields {
            prefix: "vision_config.",
            ..*f
        },
        select,
        Some(image),
    )?;
    let queries = f.req(raw.query_num, "query_num")?;
    // Resampler(embed_dim = hidden_size, num_heads = hidden_size // 128).
    let heads = (llm.hidden / 128).max(1);
    Ok(VlmConfig {
        llm,
        vision,
        projector: Projector::Resampler { queries, heads },
        frame: FrameTokens {
            pooled_side: None,
            newline: Newline::NoToken,
            per_frame: queries,
        },
        tower: "siglip (vision_config)".into(),
    })
}
