//! Graph builders: from a model config and a workload to an operator graph.
//!
//! Token counts per language-model layer come from a [`Plan`]: in prefill every layer
//! sees `vision + prompt` tokens; in decode `tokens_per_step` queries attend to
//! `vision + context` keys. With FrameFusion, layers after the reduction layer see
//! `vision_kept + …` instead.

mod absorbed;
mod decoder;
mod mamba;
mod vision;

use crate::config::ModelConfig;
use crate::error::{Result, WorkloadError};
use crate::graph::{Graph, OpId, Tokens};
use crate::model::Model;
use crate::ops::{Elementwise, EltFn, Gemm, Op, OpKind, Part, SoftmaxKind};
use crate::tensor::{DType, Tensor};
use crate::transforms::{DequantMode, Quantization};
use crate::workload::{AttentionImpl, Phase, Workload};
use petgraph::graph::DiGraph;
use std::sync::Arc;

/// Queries and keys per sequence in one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LayerTokens {
    pub q: u64,
    pub kv: u64,
}

/// Token counts of a language model run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub prefill: bool,
    pub text: u64,
    pub vision: u64,
    pub per_frame: u64,
    pub full: LayerTokens,
    /// (layer after which tokens are reduced, counts after it, merged, pruned).
    pub reduced: Option<(u32, LayerTokens, u64, u64)>,
}

impl Plan {
    pub fn layer(&self, l: u32) -> LayerTokens {
        match self.reduced {
            Some((after, t, _, _)) if l > after => t,
            _ => self.full,
        }
    }

    fn new(model: &Model, w: &Workload) -> Result<Plan> {
        let (vision, per_frame) = match &model.config {
            ModelConfig::Vlm(v) => (v.frame.tokens(w.frames), v.frame.per_frame_with_newlines()),
            _ if w.frames > 0 => {
                return Err(WorkloadError::Unsupported {
                    transform: "frames".into(),
                    model: model.name.clone(),
                    reason: "it has no vision tower".into(),
                });
            }
            _ => (0, 0),
        };
        let (prefill, text, full) = match w.phase {
            Phase::Prefill { prompt } => (
                true,
                prompt,
                LayerTokens {
                    q: vision + prompt,
                    kv: vision + prompt,
                },
            ),
            Phase::Decode {
                context,
                tokens_per_step,
            } => (
                false,
                context,
                LayerTokens {
                    q: tokens_per_step,
                    kv: vision + context,
                },
            ),
        };
        let reduced = match &w.transforms.token_reduction {
            None => None,
            Some(t) => {
                let why = |reason: String| WorkloadError::Unsupported {
                    transform: "token reduction".into(),
                    model: model.name.clone(),
                    reason,
                };
                if vision == 0 {
                    return Err(why(
                        "there are no vision tokens (a VLM with --frames ≥ 1 is needed)".into(),
                    ));
                }
                let layers = model.config.layers();
                if u64::from(t.layer) + 1 >= layers {
                    return Err(why(format!(
                        "layer {} leaves no later layer (the model has {layers}, 0-based)",
                        t.layer
                    )));
                }
                let (merged, pruned) = t.removed(vision);
                let kept = vision - merged - pruned;
                let after = if prefill {
                    LayerTokens {
                        q: kept + text,
                        kv: kept + text,
                    }
                } else {
                    LayerTokens {
                        q: full.q,
                        kv: kept + text,
                    }
                };
                Some((t.layer, after, merged, pruned))
            }
        };
        Ok(Plan {
            prefill,
            text,
            vision,
            per_frame,
            full,
            reduced,
        })
    }

    fn tokens(&self) -> Tokens {
        let kept = self
            .reduced
            .map_or(self.vision, |(_, _, m, p)| self.vision - m - p);
        Tokens {
            vision: self.vision,
            vision_kept: kept,
            text: self.text,
            q_len: self.full.q,
            kv_len: self.full.kv,
        }
    }
}

/// Settings every builder needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub batch: u64,
    pub dtype: DType,
    pub attention: AttentionImpl,
    pub softmax: SoftmaxKind,
}

/// Adds operators in execution order and wires their inputs.
pub(crate) struct B {
    pub g: DiGraph<Op, Tensor>,
}

impl B {
    fn new(capacity: usize) -> B {
        B {
            g: DiGraph::with_capacity(capacity, capacity * 2),
        }
    }

    /// Adds an operator fed by `deps` (each edge carries the producer's output).
    pub fn add(
        &mut self,
        name: &'static str,
        part: Part,
        layer: Option<u32>,
        kind: OpKind,
        deps: &[OpId],
    ) -> OpId {
        let id = self.g.add_node(Op::new(name, part, layer, kind));
        for &d in deps {
            let t = self.g[d].kind.output();
            self.g.add_edge(d, id, t);
        }
        id
    }

    /// An element-wise operator over `rows × cols`.
    #[allow(clippy::too_many_arguments)]
    pub fn elt(
        &mut self,
        name: &'static str,
        part: Part,
        layer: Option<u32>,
        func: EltFn,
        rows: u64,
        cols: u64,
        dtype: DType,
        deps: &[OpId],
    ) -> OpId {
        let kind = OpKind::Elementwise(Elementwise {
            func,
            rows,
            cols,
            input: dtype,
            output: dtype,
        });
        self.add(name, part, layer, kind, deps)
    }
}

/// Where a linear layer sits and what it does.
pub(crate) struct Linear {
    pub name: &'static str,
    pub part: Part,
    pub layer: Option<u32>,
    pub m: u64,
    pub k: u64,
    pub n: u64,
    pub bias: bool,
}

impl B {
    /// A linear layer on `x`: dense, or quantised with fused or separate dequantisation.
    /// With integer activations `x` must already be quantised ([`B::act_input`]).
    pub fn linear(
        &mut self,
        l: Linear,
        dtype: DType,
        quant: Option<&Quantization>,
        x: OpId,
    ) -> OpId {
        self.linear_from(l, dtype, quant, &[x])
    }

    /// [`B::linear`] fed by `deps` (none for a graph input).
    pub fn linear_from(
        &mut self,
        l: Linear,
        dtype: DType,
        quant: Option<&Quantization>,
        deps: &[OpId],
    ) -> OpId {
        match quant {
            None => {
                let kind = OpKind::matmul(Gemm::linear(l.m, l.k, l.n, dtype, l.bias));
                self.add(l.name, l.part, l.layer, kind, deps)
            }
            Some(q) if q.dequant == DequantMode::Separate => {
                let d = crate::ops::Dequantize {
                    k: l.k,
                    n: l.n,
                    w: q.weights,
                    out: dtype,
                };
                let deq = self.add("dequantize", l.part, l.layer, OpKind::Dequantize(d), &[]);
                let g = Gemm {
                    b_role: crate::ops::Role::Activation,
                    a: q.act.unwrap_or(dtype),
                    ..Gemm::linear(l.m, l.k, l.n, dtype, l.bias)
                };
                let mut d = deps.to_vec();
                d.push(deq);
                self.add(l.name, l.part, l.layer, OpKind::matmul(g), &d)
            }
            Some(q) => {
                let g = crate::ops::QuantGemm {
                    m: l.m,
                    k: l.k,
                    n: l.n,
                    act: q.act.unwrap_or(dtype),
                    w: q.weights,
                    out: dtype,
                    bias: l.bias,
                };
                self.add(l.name, l.part, l.layer, OpKind::quant_matmul(g), deps)
            }
        }
    }

    /// `x` itself, or `x` quantised per token when the quantisation has integer
    /// activations.
    pub fn act_input(
        &mut self,
        quant: Option<&Quantization>,
        part: Part,
        layer: Option<u32>,
        x: OpId,
        (rows, cols): (u64, u64),
        dtype: DType,
    ) -> OpId {
        match quant.and_then(|q| q.act) {
            Some(a) => {
                let kind = OpKind::Elementwise(Elementwise {
                    func: EltFn::Quantize,
                    rows,
                    cols,
                    input: dtype,
                    output: a,
                });
                self.add("act_quant", part, layer, kind, &[x])
            }
            None => x,
        }
    }
}

/// Builds the graph of `w` on `model`.
pub(crate) fn build(model: &Model, w: &Workload) -> Result<Graph> {
    w.validate()?;
    let plan = Plan::new(model, w)?;
    check_size(model, w, &plan)?;
    let ctx = Ctx {
        batch: w.batch,
        dtype: w.dtype,
        attention: w.attention,
        softmax: match w.transforms.int_softmax {
            Some(bits) => SoftmaxKind::Integer { bits },
            None => SoftmaxKind::Float,
        },
    };
    if matches!(model.config, ModelConfig::Mamba(_)) {
        let why = |t: &str, r: &str| WorkloadError::Unsupported {
            transform: t.into(),
            model: model.name.clone(),
            reason: r.into(),
        };
        if w.transforms.kv.is_some() {
            return Err(why("kv compression", "Mamba has no KV cache"));
        }
        if w.transforms.int_softmax.is_some() {
            return Err(why("integer softmax", "Mamba has no softmax"));
        }
    }
    let layers = model.config.layers() as usize;
    let mut b = B::new(layers * 24 + 64);
    let state_bytes = match &model.config {
        ModelConfig::Decoder(d) => {
            decoder::build(&mut b, d, &ctx, &plan, &w.transforms, None);
            0
        }
        ModelConfig::Vlm(v) => {
            let vis = if plan.prefill && w.frames > 0 {
                Some(vision::build(&mut b, v, &ctx, w.frames))
            } else {
                None
            };
            decoder::build(&mut b, &v.llm, &ctx, &plan, &w.transforms, vis);
            0
        }
        ModelConfig::Mamba(m) => mamba::build(&mut b, m, &ctx, &plan, w.transforms.quant.as_ref()),
    };
    Ok(Graph {
        g: b.g,
        model: Arc::new(model.clone()),
        workload: w.clone(),
        tokens: plan.tokens(),
        kv_cache_bytes: kv_bytes(model, w, &plan),
        state_bytes,
    })
}

/// Largest FLOP estimate accepted: counts are `u64`, and sums over operators need
/// headroom.
const MAX_FLOPS: f64 = 4.0e18;

/// Rejects workloads whose FLOPs could overflow `u64`: an upper estimate in f64 of
/// `2·params·tokens + attention` (language model and vision tower).
fn check_size(model: &Model, w: &Workload, plan: &Plan) -> Result<()> {
    let b = w.batch as f64;
    let params = model.params() as f64;
    let q = plan.full.q as f64;
    let kv = plan.full.kv as f64;
    let mut est = b * q * 2.0 * params;
    let attn = |layers: u64, heads: u64, hd: u64, q: f64, kv: f64| {
        layers as f64 * heads as f64 * (4.0 * hd as f64 + 20.0) * q * kv
    };
    match &model.config {
        ModelConfig::Decoder(d) => est += b * attn(d.layers, d.heads, d.head_dim, q, kv),
        ModelConfig::Vlm(v) => {
            est += b * attn(v.llm.layers, v.llm.heads, v.llm.head_dim, q, kv);
            let p = v.vision.patches() as f64;
            let images = b * w.frames as f64;
            est += images * p * 2.0 * params;
            est += images
                * attn(
                    v.vision.layers,
                    v.vision.heads,
                    v.vision.hidden / v.vision.heads,
                    p,
                    p,
                );
        }
        ModelConfig::Mamba(m) => est += b * q * (m.layers * m.d_inner * (7 * m.d_state + 6)) as f64,
    }
    if est > MAX_FLOPS {
        return Err(crate::error::invalid(
            "workload size",
            format!(
                "about {est:.2e} FLOPs per step exceeds the supported {MAX_FLOPS:.0e}; reduce batch, tokens or frames"
            ),
        ));
    }
    Ok(())
}

/// KV-cache bytes after one step of `w`.
pub(crate) fn kv_cache_bytes(model: &Model, w: &Workload) -> Result<u64> {
    w.validate()?;
    let plan = Plan::new(model, w)?;
    Ok(kv_bytes(model, w, &plan))
}

fn kv_bytes(model: &Model, w: &Workload, plan: &Plan) -> u64 {
    let d = match &model.config {
        ModelConfig::Decoder(d) => d,
        ModelConfig::Vlm(v) => &v.llm,
        ModelConfig::Mamba(_) => return 0,
    };
    (0..d.layers as u32)
        .map(|l| w.batch * decoder::kv_bytes_per_layer(d, w, plan.layer(l).kv))
        .sum()
}
