//! `kind = "model"` workloads (the default): a whole model's inference step, built by
//! `workloads` and simulated by `mappers`.
//!
//! Keys (`[base.workload]` or `workload.<key>` axes):
//!
//! | key | what |
//! | --- | --- |
//! | `model` | a shipped model (`llama2-7b`, `mamba-2.8b`, `llava-video-7b`…) or a `config.json` path (relative to the spec) |
//! | `phase` | `prefill` or `decode` |
//! | `batch` | sequences per batch (default 1) |
//! | `prompt` | prompt tokens (prefill; default 512) |
//! | `context` | context tokens, the new ones included (decode; default 2048) |
//! | `tokens_per_step` | tokens verified per decode step (default 1) |
//! | `frames` | video frames per sequence (VLMs; default 64 for VLMs, 0 otherwise) |
//! | `attention` | `unfused` (default), `fused` or `eager` (HuggingFace's: whole score rectangle, fp32 softmax) |
//! | `quant` | `"w4a16"`, `"none"` (16-bit weights, for an axis), or a table `{ weight_bits, activation_bits = 16, group_size, fused_dequant = true }` |
//! | `token_reduction` | FrameFusion: `{ layer = 2, merge_ratio = 0.5, prune_ratio = 0.4 }`, or `cost` (FrameFusion's compute budget, the mean vision-token fraction over the language layers; 1 = dense) in place of `prune_ratio` |
//! | `kv_compression` | CSKV: `{ k_ratio, v_ratio, window = 32, bits, group = 128, reconstruct = "explicit" }` (ratios optional: `bits` alone quantises the whole cache; `reconstruct = "absorbed"` attends in the compressed space instead of up-projecting every cached token, `workloads::Reconstruct`); `false`: uncompressed (an axis's baseline) |
//! | `int_softmax` | `true` (8-bit) or the bit width of SoftmAP's integer softmax |
//! | `objective` | what the mapper minimises: `latency` (default), `energy` or `edp` |
//! | `fusion` | operator fusion (default `true`) |
//! | `inter_op_buffering` | keep intermediates between on-chip units in the global buffer (default `true`) |
//! | `gpu_launch` | `graph` (one CUDA graph per step, the default) or `eager` (every kernel pays its launch overhead) |

use std::path::Path;

use workloads::config::ModelConfig;
use workloads::transforms::DequantMode;
use workloads::{
    AttentionImpl, Graph, KvCompression, Model, Phase, Quantization, Reconstruct, TokenReduction,
    Workload,
};

use super::keys::Keys;

const KEYS: [&str; 17] = [
    "kind",
    "model",
    "phase",
    "batch",
    "prompt",
    "context",
    "tokens_per_step",
    "frames",
    "attention",
    "quant",
    "token_reduction",
    "kv_compression",
    "int_softmax",
    "objective",
    "fusion",
    "inter_op_buffering",
    "gpu_launch",
];

/// A parsed model workload.
#[derive(Debug, Clone)]
pub struct ModelWork {
    /// The model.
    pub model: Model,
    /// The workload (phase, batch, frames, transforms).
    pub workload: Workload,
    /// How `mappers` maps and schedules it.
    pub options: mappers::RunOptions,
}

impl ModelWork {
    /// Parses and checks the workload table; a `model` path is relative to `spec_dir`.
    pub fn parse(table: &toml::Table, spec_dir: Option<&Path>) -> Result<ModelWork, String> {
        let keys = Keys::new(table, "workload", "a model workload", &KEYS)?;
        let name = keys.req_str("model", "a shipped model name or a config.json path")?;
        let resolved = match spec_dir {
            Some(d) if name.ends_with(".json") && Path::new(name).is_relative() => {
                d.join(name).display().to_string()
            }
            _ => name.to_string(),
        };
        let model = Model::resolve(&resolved).map_err(|e| format!("workload.model: {e}"))?;
        let phase = keys
            .choice("phase", &["prefill", "decode"])?
            .ok_or("workload.phase: missing; expected prefill or decode")?;
        let mut w = if phase == "prefill" {
            if keys.get("context").is_some() || keys.get("tokens_per_step").is_some() {
                return Err(
                    "workload.context, tokens_per_step: decode keys; prefill takes `prompt`".into(),
                );
            }
            Workload::prefill(keys.uint("prompt", 1)?.unwrap_or(512))
        } else {
            if keys.get("prompt").is_some() {
                return Err(
                    "workload.prompt: a prefill key; decode takes `context` (tokens so far, the new ones included)"
                        .into(),
                );
            }
            let mut w = Workload::decode(keys.uint("context", 1)?.unwrap_or(2048));
            if let Phase::Decode {
                tokens_per_step, ..
            } = &mut w.phase
            {
                *tokens_per_step = keys.uint("tokens_per_step", 1)?.unwrap_or(1);
            }
            w
        };
        w.batch = keys.uint("batch", 1)?.unwrap_or(1);
        let vlm = matches!(model.config, ModelConfig::Vlm(_));
        w.frames = keys.uint("frames", 0)?.unwrap_or(if vlm { 64 } else { 0 });
        if !vlm && w.frames > 0 {
            return Err(format!(
                "workload.frames: {} is a text-only model; frames are for VLMs",
                model.name
            ));
        }
        w.attention = match keys.choice("attention", &["unfused", "fused", "eager"])? {
            Some("fused") => AttentionImpl::Fused,
            Some("eager") => AttentionImpl::Eager,
            _ => AttentionImpl::Unfused,
        };
        let t = &mut w.transforms;
        t.quant = quant(&keys)?;
        if let Some(r) = keys.table(
            "token_reduction",
            "token_reduction",
            &["layer", "merge_ratio", "prune_ratio", "cost"],
        )? {
            let d = TokenReduction::default();
            let layer = r
                .uint("layer", 0)?
                .map_or(Ok(d.layer), u32::try_from)
                .map_err(|_| "workload.token_reduction.layer: too large".to_string())?;
            let merge = r.fraction("merge_ratio", 0.0, 1.0)?.unwrap_or(d.merge);
            let cost = match r.get("cost") {
                None => None,
                Some(toml::Value::Float(c)) if *c > 0.0 && *c <= 1.0 => Some(*c),
                Some(toml::Value::Integer(1)) => Some(1.0),
                Some(v) => {
                    return Err(format!(
                        "workload.token_reduction.cost: expected a number in (0, 1] (1 = dense), found `{v}`"
                    ));
                }
            };
            t.token_reduction = match cost {
                Some(_) if r.get("prune_ratio").is_some() => {
                    return Err(
                        "workload.token_reduction: give prune_ratio or cost, not both".into(),
                    );
                }
                // The dense model: no merge or prune operators at all.
                Some(c) if c >= 1.0 => None,
                Some(c) => Some(
                    TokenReduction::with_cost(c, merge, layer, model.config.layers())
                        .map_err(|e| format!("workload.token_reduction: {e}"))?,
                ),
                None => Some(TokenReduction {
                    layer,
                    merge,
                    prune: r.fraction("prune_ratio", 0.0, 1.0)?.unwrap_or(d.prune),
                }),
            };
        }
        // `kv_compression = false`: the uncompressed cache (the baseline of an axis).
        let kv_off = matches!(
            keys.get("kv_compression"),
            Some(toml::Value::Boolean(false))
        );
        if let Some(k) = (!kv_off)
            .then(|| {
                keys.table(
                    "kv_compression",
                    "kv_compression",
                    &[
                        "k_ratio",
                        "v_ratio",
                        "window",
                        "bits",
                        "group",
                        "reconstruct",
                    ],
                )
            })
            .transpose()?
            .flatten()
        {
            let d = KvCompression::default();
            let ratio = |key| k.fraction(key, f64::MIN_POSITIVE, 1.000_000_1);
            let rank = match (ratio("k_ratio")?, ratio("v_ratio")?) {
                (None, None) => None,
                (kr, vr) => Some((
                    kr.unwrap_or(d.rank.map_or(0.25, |r| r.0)),
                    vr.unwrap_or(d.rank.map_or(0.75, |r| r.1)),
                )),
            };
            let bits = k
                .uint("bits", 2)?
                .map(|b| u8::try_from(b).map_err(|_| "workload.kv_compression.bits: expected 2…8"))
                .transpose()?;
            if rank.is_none() && bits.is_none() {
                return Err("workload.kv_compression: set k_ratio/v_ratio, bits, or both".into());
            }
            t.kv = Some(KvCompression {
                rank,
                window: k
                    .uint("window", 0)?
                    .unwrap_or(if rank.is_some() { d.window } else { 0 }),
                bits,
                group: k.uint("group", 1)?.unwrap_or(d.group),
                reconstruct: match k.choice("reconstruct", &["explicit", "absorbed"])? {
                    Some("absorbed") => Reconstruct::Absorbed,
                    _ => Reconstruct::Explicit,
                },
            });
        }
        t.int_softmax = match keys.get("int_softmax") {
            None => None,
            Some(toml::Value::Boolean(b)) => b.then_some(8),
            Some(_) => Some(
                u8::try_from(keys.req_uint("int_softmax", 2)?)
                    .map_err(|_| "workload.int_softmax: expected true or a bit width")?,
            ),
        };
        let mut options = mappers::RunOptions::default();
        if let Some(o) = keys.choice("objective", &["latency", "energy", "edp"])? {
            options.objective =
                mappers::Objective::parse(o).map_err(|e| format!("workload.objective: {e}"))?;
        }
        if let Some(f) = keys.bool("fusion")? {
            options.fusion = f;
        }
        if let Some(b) = keys.bool("inter_op_buffering")? {
            options.inter_op_buffering = b;
        }
        if let Some(l) = keys.choice("gpu_launch", &["graph", "eager"])? {
            options.gpu_launch = if l == "eager" {
                mappers::GpuLaunch::PerKernel
            } else {
                mappers::GpuLaunch::Graph
            };
        }
        Ok(ModelWork {
            model,
            workload: w,
            options,
        })
    }

    /// Builds the operator graph (checks shapes and transforms).
    pub fn graph(&self) -> Result<Graph, String> {
        self.model
            .build(&self.workload)
            .map_err(|e| format!("workload: cannot build the {} graph: {e}", self.model.name))
    }
}

fn quant(keys: &Keys) -> Result<Option<Quantization>, String> {
    if let Some(toml::Value::String(s)) = keys.get("quant") {
        // `"none"`: the model's own 16-bit weights (an axis value next to `"w4a16"`…).
        if s.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        return Quantization::scheme(s, None)
            .map(Some)
            .map_err(|e| format!("workload.quant: {e}"));
    }
    let Some(q) = keys.table(
        "quant",
        "quant",
        &[
            "weight_bits",
            "activation_bits",
            "group_size",
            "fused_dequant",
        ],
    )?
    else {
        return Ok(None);
    };
    let w = q.req_uint("weight_bits", 2)?;
    let a = q.uint("activation_bits", 8)?.unwrap_or(16);
    let mut scheme = Quantization::scheme(&format!("w{w}a{a}"), q.uint("group_size", 0)?)
        .map_err(|e| format!("workload.quant: {e}"))?;
    if q.bool("fused_dequant")? == Some(false) {
        scheme.dequant = DequantMode::Separate;
    }
    Ok(Some(scheme))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(s: &str) -> Result<ModelWork, String> {
        ModelWork::parse(&toml::from_str(s).unwrap(), None)
    }

    #[test]
    fn keys_are_checked_with_suggestions() {
        let e = parse("model='llama2-7b'\nphase='decode'\ncontxt=5").unwrap_err();
        assert!(e.contains("did you mean `context`"), "{e}");
        let e = parse("model='llama-2-7b'\nphase='decode'").unwrap_err();
        assert!(e.contains("llama2-7b"), "{e}");
        let e = parse("model='llama2-7b'\nphase='prefill'\nquant={weight_bit=4}").unwrap_err();
        assert!(
            e.contains("workload.quant.weight_bit") && e.contains("weight_bits"),
            "{e}"
        );
    }

    #[test]
    fn transforms_reach_the_workload() {
        let m = parse(
            "model='llava-video-7b'\nphase='prefill'\nframes=16\nquant={weight_bits=3,group_size=64}\n\
             token_reduction={merge_ratio=0.2,prune_ratio=0.1}\nint_softmax=true",
        )
        .unwrap();
        let t = &m.workload.transforms;
        assert_eq!(m.workload.frames, 16);
        assert_eq!(t.quant.unwrap().weights.bits, 3);
        assert_eq!(t.quant.unwrap().weights.group, 64);
        let r = t.token_reduction.unwrap();
        assert_eq!((r.layer, r.merge, r.prune), (2, 0.2, 0.1));
        assert_eq!(t.int_softmax, Some(8));
        m.graph().unwrap();
        let none = parse("model='llama2-7b'\nphase='decode'\nquant='none'").unwrap();
        assert!(none.workload.transforms.quant.is_none());
    }

    #[test]
    fn framefusion_cost_sets_the_prune_ratio() {
        // Qwen2-7B, 28 layers, after layer 2: kept (0.3·28 − 3)/25 = 0.216; merge 0.5 →
        // prune 1 − 0.216/0.5 = 0.568.
        let m = parse(
            "model='llava-video-7b'\nphase='prefill'\ntoken_reduction={cost=0.3,merge_ratio=0.5}",
        )
        .unwrap();
        let r = m.workload.transforms.token_reduction.unwrap();
        assert!((r.prune - 0.568).abs() < 1e-12, "{r:?}");
        // Cost 1 is the dense model.
        let m =
            parse("model='llava-video-7b'\nphase='prefill'\ntoken_reduction={cost=1.0}").unwrap();
        assert!(m.workload.transforms.token_reduction.is_none());
        let e = parse(
            "model='llava-video-7b'\nphase='prefill'\ntoken_reduction={cost=0.3,prune_ratio=0.4}",
        )
        .unwrap_err();
        assert!(e.contains("not both"), "{e}");
        let e = parse("model='llava-video-7b'\nphase='prefill'\ntoken_reduction={cost=1.3}")
            .unwrap_err();
        assert!(
            e.contains("token_reduction.cost") && e.contains("(0, 1]"),
            "{e}"
        );
        let e = parse("model='llava-video-7b'\nphase='prefill'\ntoken_reduction={cost=0.05}")
            .unwrap_err();
        assert!(e.contains("must be in [0.1071, 1]"), "{e}");
    }

    #[test]
    fn kv_compression_false_is_the_uncompressed_cache() {
        let m = parse("model='llama2-7b'\nphase='decode'\nkv_compression=false").unwrap();
        assert_eq!(m.workload.transforms.kv, None);
        let m = parse("model='llama2-7b'\nphase='decode'\nkv_compression={bits=4}").unwrap();
        assert_eq!(m.workload.transforms.kv.unwrap().bits, Some(4));
        let e = parse("model='llama2-7b'\nphase='decode'\nkv_compression=true").unwrap_err();
        assert!(e.contains("kv_compression"), "{e}");
        let m = parse(
            "model='llama2-7b'\nphase='decode'\nkv_compression={k_ratio=0.2,reconstruct='absorbed'}",
        )
        .unwrap();
        assert_eq!(
            m.workload.transforms.kv.map(|k| k.reconstruct),
            Some(Reconstruct::Absorbed)
        );
        let e = parse(
            "model='llama2-7b'\nphase='decode'\nkv_compression={k_ratio=0.2,reconstruct='absorb'}",
        )
        .unwrap_err();
        assert!(e.contains("did you mean `absorbed`"), "{e}");
    }
}
