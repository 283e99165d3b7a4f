//! Models: shipped configs addressable by short names, or any `config.json` by path.

use crate::config::{self, ModelConfig};
use crate::error::{Result, WorkloadError};
use crate::graph::Graph;
use crate::params::{self, ParamCount};
use crate::workload::Workload;
use std::path::Path;

/// Shipped configs: (short name, HuggingFace repo id, `config.json` text).
pub const SHIPPED: [(&str, &str, &str); 17] = [
    (
        "llama2-7b",
        "meta-llama/Llama-2-7b-hf",
        include_str!("../models/llama2-7b.json"),
    ),
    (
        "llama2-13b",
        "meta-llama/Llama-2-13b-hf",
        include_str!("../models/llama2-13b.json"),
    ),
    (
        "llama2-70b",
        "meta-llama/Llama-2-70b-hf",
        include_str!("../models/llama2-70b.json"),
    ),
    (
        "llama3-8b",
        "meta-llama/Meta-Llama-3-8B",
        include_str!("../models/llama3-8b.json"),
    ),
    (
        "opt-6.7b",
        "facebook/opt-6.7b",
        include_str!("../models/opt-6.7b.json"),
    ),
    (
        "opt-13b",
        "facebook/opt-13b",
        include_str!("../models/opt-13b.json"),
    ),
    (
        "opt-30b",
        "facebook/opt-30b",
        include_str!("../models/opt-30b.json"),
    ),
    (
        "qwen2-7b",
        "Qwen/Qwen2-7B",
        include_str!("../models/qwen2-7b.json"),
    ),
    (
        "mamba-130m",
        "state-spaces/mamba-130m-hf",
        include_str!("../models/mamba-130m.json"),
    ),
    (
        "mamba-370m",
        "state-spaces/mamba-370m-hf",
        include_str!("../models/mamba-370m.json"),
    ),
    (
        "mamba-790m",
        "state-spaces/mamba-790m-hf",
        include_str!("../models/mamba-790m.json"),
    ),
    (
        "mamba-1.4b",
        "state-spaces/mamba-1.4b-hf",
        include_str!("../models/mamba-1.4b.json"),
    ),
    (
        "mamba-2.8b",
        "state-spaces/mamba-2.8b-hf",
        include_str!("../models/mamba-2.8b.json"),
    ),
    (
        "llava-video-7b",
        "lmms-lab/LLaVA-Video-7B-Qwen2",
        include_str!("../models/llava-video-7b.json"),
    ),
    (
        "llava-video-72b",
        "lmms-lab/LLaVA-Video-72B-Qwen2",
        include_str!("../models/llava-video-72b.json"),
    ),
    (
        "llava-onevision-7b",
        "lmms-lab/llava-onevision-qwen2-7b-ov",
        include_str!("../models/llava-onevision-7b.json"),
    ),
    (
        "minicpm-v-8b",
        "openbmb/MiniCPM-V-2_6",
        include_str!("../models/minicpm-v-8b.json"),
    ),
];

/// Short names of the shipped models.
pub fn shipped_names() -> impl Iterator<Item = &'static str> {
    SHIPPED.iter().map(|s| s.0)
}

/// A model: a name, where its config came from, and the validated config.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Model {
    /// Short name (or the file stem for a config given by path).
    pub name: String,
    /// The HuggingFace repo id of a shipped config, or the file path.
    pub source: String,
    /// The architecture.
    pub config: ModelConfig,
}

impl Model {
    /// Parses a `config.json` text; `file` names it in errors.
    pub fn from_json(name: &str, text: &str, file: &str) -> Result<Model> {
        Ok(Model {
            name: name.to_string(),
            source: file.to_string(),
            config: config::parse(text, file)?,
        })
    }

    /// A shipped model by short name; an unknown name gives the closest shipped one.
    pub fn shipped(name: &str) -> Result<Model> {
        match SHIPPED.iter().find(|s| s.0.eq_ignore_ascii_case(name)) {
            Some((n, repo, text)) => {
                let mut m = Model::from_json(n, text, &format!("<shipped {n}>"))?;
                m.source = (*repo).to_string();
                Ok(m)
            }
            None => Err(WorkloadError::UnknownModel {
                name: name.to_string(),
                suggestion: crate::suggest::closest(name, shipped_names()),
                valid: shipped_names().map(String::from).collect(),
            }),
        }
    }

    /// A model from a `config.json` file.
    pub fn from_file(path: &Path) -> Result<Model> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| WorkloadError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let stem = path
            .parent()
            .filter(|_| path.file_stem().is_some_and(|s| s == "config"))
            .and_then(Path::file_name)
            .or_else(|| path.file_stem())
            .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
        Model::from_json(&stem, &text, &file)
    }

    /// A shipped name, or a path to a `config.json` (anything ending in `.json` or
    /// naming an existing file).
    pub fn resolve(name_or_path: &str) -> Result<Model> {
        let p = Path::new(name_or_path);
        if name_or_path.ends_with(".json") || p.is_file() {
            Model::from_file(p)
        } else {
            Model::shipped(name_or_path)
        }
    }

    /// Parameters by part.
    pub fn param_count(&self) -> ParamCount {
        params::count(&self.config)
    }

    /// Total parameters.
    pub fn params(&self) -> u64 {
        self.param_count().total()
    }

    /// Builds the operator graph of a workload.
    pub fn build(&self, w: &Workload) -> Result<Graph> {
        crate::build::build(self, w)
    }

    /// Bytes of the KV cache after one step of `w` (all layers and sequences): for a
    /// decode step at context C, C tokens (plus a VLM's vision tokens) per sequence.
    pub fn kv_cache_bytes(&self, w: &Workload) -> Result<u64> {
        crate::build::kv_cache_bytes(self, w)
    }
}
