//! Transforms: functions from graph to graph whose parameters are recorded on the
//! result ([`crate::Graph::workload`]`.transforms`).
//!
//! Each transform re-derives the graph from the model and the workload with the
//! transform added, so every shape downstream of a change (a token count after
//! FrameFusion, a compressed cache) stays consistent. Applying the same kind of
//! transform twice is an error.
//!
//! - [`quantize`]: weight (and activation) quantisation of the language model's linear
//!   layers — W8A8, W4A16, W4A8, W3A16 (any `w{2..8}a{8|16}`) with a group size;
//!   dequantisation fused into the GEMM or a separate operator.
//! - [`reduce_tokens`]: FrameFusion token merging + pruning after a layer.
//! - [`compress_kv`]: CSKV low-rank KV channels with a full-precision window, optionally
//!   quantised; or plain KV quantisation.
//! - [`int_softmax`]: SoftmAP's integer-only softmax in place of every float softmax.

use crate::error::{Result, WorkloadError, invalid};
use crate::graph::Graph;
use crate::ops::QuantWeights;
use crate::tensor::DType;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Dequantisation inside the GEMM kernel or as a separate operator writing dense
/// weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DequantMode {
    /// Fused into the GEMM/GEMV ([`crate::ops::QuantGemm`]).
    #[default]
    Fused,
    /// A [`crate::ops::Dequantize`] operator before a dense GEMM.
    Separate,
}

/// Weight (and activation) quantisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quantization {
    /// Weight storage.
    pub weights: QuantWeights,
    /// Activation type fed to the quantised layers (`Int(8)` for A8; `None` keeps the
    /// workload's 16-bit type).
    pub act: Option<DType>,
    /// Fused or separate dequantisation.
    pub dequant: DequantMode,
}

impl Quantization {
    /// A scheme `w{b}a{a}` (`w8a8`, `w4a16`, `w4a8`, `w3a16`, …; b in 2…8, a 8 or 16)
    /// with its usual storage:
    /// - A16 (weight-only, AWQ/MBQ style): groups of 128, asymmetric, fp16 scale and
    ///   zero (MBQ, arXiv 2412.19509: 3.25 bits per weight for W3);
    /// - A8: per-output-channel weights (MBQ's W4A8: per-channel 4-bit weights,
    ///   per-token 8-bit activations), symmetric at 8 bits, asymmetric below.
    ///
    /// `group` overrides the group size (0 = per channel).
    pub fn scheme(name: &str, group: Option<u64>) -> Result<Quantization> {
        let lower = name.to_ascii_lowercase();
        let parsed = lower.strip_prefix('w').and_then(|r| {
            let (w, a) = r.split_once('a')?;
            Some((w.parse::<u8>().ok()?, a.parse::<u8>().ok()?))
        });
        let Some((bits, act_bits)) = parsed else {
            return Err(invalid(
                "quantisation scheme",
                format!("`{name}` is not of the form w<bits>a<bits> (w8a8, w4a16, w4a8, w3a16)"),
            ));
        };
        if !(2..=8).contains(&bits) {
            return Err(invalid(
                "quantisation scheme",
                format!("weight bits {bits} outside 2…8"),
            ));
        }
        let act = match act_bits {
            16 => None,
            8 => Some(DType::Int(8)),
            other => {
                return Err(invalid(
                    "quantisation scheme",
                    format!("activation bits {other}: expected 8 or 16"),
                ));
            }
        };
        let default_group = if act.is_some() { 0 } else { 128 };
        let zero = if act.is_some() && bits == 8 {
            None
        } else {
            Some(DType::F16)
        };
        Ok(Quantization {
            weights: QuantWeights {
                bits,
                group: group.unwrap_or(default_group),
                scale: DType::F16,
                zero,
            },
            act,
            dequant: DequantMode::Fused,
        })
    }

    /// Name such as `w4a16 g128`.
    pub fn name(&self) -> String {
        let a = self.act.map_or(16, DType::bits);
        let g = if self.weights.group == 0 {
            "per-channel".to_string()
        } else {
            format!("g{}", self.weights.group)
        };
        format!("w{}a{a} {g}", self.weights.bits)
    }
}

/// FrameFusion token reduction (arXiv 2501.01986): after layer `layer` of the language
/// model, merge a fraction `merge` of the vision tokens into their predecessors at the
/// same patch position in the previous frame, then prune a fraction `prune` of the
/// remaining vision tokens by attention importance. Later layers (and their KV cache) see
/// the reduced count; text tokens are untouched. Prefill runs the merge and prune
/// operators; decode only sees the smaller cache.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TokenReduction {
    /// Layer (0-based) after which tokens are reduced.
    pub layer: u32,
    /// Fraction of vision tokens merged, in [0, 1).
    pub merge: f64,
    /// Fraction of the remaining vision tokens pruned, in [0, 1).
    pub prune: f64,
}

impl Default for TokenReduction {
    /// Layer 2, merge 0.5, prune 0.4: 30 % of the vision tokens remain (FrameFusion's
    /// default budget of 0.3: 13 440 → 4 032 for LLaVA-Video-7B at 64 frames). How the
    /// 70 % splits between merging and pruning depends on the video; the split is a
    /// parameter.
    fn default() -> TokenReduction {
        TokenReduction {
            layer: 2,
            merge: 0.5,
            prune: 0.4,
        }
    }
}

impl TokenReduction {
    /// Vision tokens (merged away, pruned away) out of `vision`: `round(v·merge)` and
    /// `round((v − merged)·prune)`.
    pub fn removed(&self, vision: u64) -> (u64, u64) {
        let merged = ((vision as f64) * self.merge).round() as u64;
        let rest = vision - merged.min(vision);
        let pruned = ((rest as f64) * self.prune).round() as u64;
        (merged.min(vision), pruned.min(rest))
    }

    /// Fraction of vision tokens kept: `(1 − merge)(1 − prune)`.
    pub fn budget(&self) -> f64 {
        (1.0 - self.merge) * (1.0 - self.prune)
    }

    /// The reduction that meets FrameFusion's compute budget `cost` (its `cost`
    /// parameter, 0.3 by default: the mean over the `layers` language layers of the
    /// fraction of vision tokens each layer processes — the authors' code,
    /// `framefusion/main.py`, `_compute_pruning_ratio`): layers `0..=layer` see every
    /// vision token, the later `layers − layer − 1` a fraction `k` with
    /// `(layer + 1 + (layers − layer − 1)·k) / layers = cost`, reached by merging a fraction
    /// `merge` and pruning the rest: `prune = 1 − k / (1 − merge)`. A `merge` beyond
    /// `1 − k` is capped there and nothing is pruned, as FrameFusion caps merging at the
    /// budget and then skips pruning.
    ///
    /// Errors: no layer after `layer`, `merge` outside [0, 1), or a cost below what the
    /// full layers alone take (`k < 0`) or above 1.
    pub fn with_cost(cost: f64, merge: f64, layer: u32, layers: u64) -> Result<TokenReduction> {
        let what = "token reduction cost";
        let full = u64::from(layer) + 1;
        if full >= layers {
            return Err(invalid(
                what,
                format!("layer {layer} leaves no later layer (the model has {layers})"),
            ));
        }
        if !(0.0..1.0).contains(&merge) {
            return Err(invalid(what, format!("merge {merge} is outside [0, 1)")));
        }
        let n = layers as f64;
        let lowest = full as f64 / n;
        if !(lowest..=1.0).contains(&cost) {
            return Err(invalid(
                what,
                format!(
                    "cost {cost} must be in [{lowest:.4}, 1]: layers 0…{layer} alone cost \
                     {full}/{layers} (reduce after an earlier layer for a smaller cost)"
                ),
            ));
        }
        let kept = (cost * n - full as f64) / (n - full as f64);
        let merge = merge.min(1.0 - kept);
        let prune = (1.0 - kept / (1.0 - merge)).clamp(0.0, 1.0);
        let t = TokenReduction {
            layer,
            merge,
            prune,
        };
        t.validate()?;
        Ok(t)
    }

    /// The compute budget this reduction meets in a model of `layers` language layers:
    /// the mean over layers of the fraction of vision tokens processed (the inverse of
    /// [`TokenReduction::with_cost`]).
    pub fn cost(&self, layers: u64) -> f64 {
        let full = (u64::from(self.layer) + 1).min(layers) as f64;
        let n = layers.max(1) as f64;
        (full + (n - full) * self.budget()) / n
    }

    fn validate(&self) -> Result<()> {
        for (name, v) in [("merge", self.merge), ("prune", self.prune)] {
            if !(0.0..1.0).contains(&v) {
                return Err(invalid(
                    format!("token reduction {name}"),
                    format!("{v} is outside [0, 1)"),
                ));
            }
        }
        Ok(())
    }
}

/// Parses `key=value` pairs separated by commas, rejecting unknown keys with a
/// suggestion.
fn pairs<'a>(s: &'a str, what: &str, keys: &[&'a str]) -> Result<BTreeMap<&'a str, &'a str>> {
    let mut map = BTreeMap::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(invalid(what, format!("`{part}` is not key=value")));
        };
        let k = k.trim();
        if !keys.contains(&k) {
            let s = crate::suggest::closest(k, keys.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(invalid(
                what,
                format!("unknown key `{k}`{s}; expected {}", keys.join(", ")),
            ));
        }
        map.insert(k, v.trim());
    }
    Ok(map)
}

fn num<T: FromStr>(map: &BTreeMap<&str, &str>, key: &str, what: &str) -> Result<Option<T>> {
    map.get(key)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| invalid(what, format!("{key}=`{v}` is not a number")))
        })
        .transpose()
}

impl FromStr for TokenReduction {
    type Err = WorkloadError;

    /// `merge=0.5,prune=0.4,layer=2`, or `budget=0.3[,merge=…][,layer=…]` (prune then
    /// follows: `1 − budget / (1 − merge)`). Missing keys take the defaults.
    fn from_str(s: &str) -> Result<TokenReduction> {
        let what = "token reduction";
        let map = pairs(s, what, &["merge", "prune", "layer", "budget"])?;
        let d = TokenReduction::default();
        let merge = num(&map, "merge", what)?.unwrap_or(d.merge);
        let layer = num(&map, "layer", what)?.unwrap_or(d.layer);
        let budget: Option<f64> = num(&map, "budget", what)?;
        let prune = match (num(&map, "prune", what)?, budget) {
            (Some(_), Some(_)) => {
                return Err(invalid(what, "give prune or budget, not both"));
            }
            (Some(p), None) => p,
            (None, Some(b)) => {
                if !(0.0..=1.0).contains(&b) || b > 1.0 - merge {
                    return Err(invalid(
                        what,
                        format!("budget {b} must be in [0, 1 − merge = {}]", 1.0 - merge),
                    ));
                }
                1.0 - b / (1.0 - merge)
            }
            (None, None) => d.prune,
        };
        let t = TokenReduction {
            layer,
            merge,
            prune,
        };
        t.validate()?;
        Ok(t)
    }
}

/// How attention uses a low-rank (CSKV) cache: the older tokens' compressed keys `c_k`
/// and values `c_v` (rank `r` channels shared by all heads) with the up-projections `B_k`,
/// `B_v` (`r × channels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconstruct {
    /// Every cached key and value is up-projected (`c·B`, keys re-rotated) at every step
    /// and attention runs on the full-rank result: `2·tokens·r·channels` FLOPs per K and
    /// per V and layer, growing with the context.
    #[default]
    Explicit,
    /// The up-projections are absorbed (DeepSeek-V2's MLA, Palu arXiv 2407.21118): per head
    /// `scores = (q·B_kᵀ)·c_kᵀ` and `out = (p·c_v)·B_v`, so attention runs on the
    /// compressed cache (`r` MACs per head and cached token instead of `head_dim`, reading
    /// only the compressed bytes), plus two small per-step projections of the queries and
    /// of the output. With rotary embeddings this is exact only when the rotation is kept
    /// off the compressed channels (MLA's decoupled RoPE); the graph does not add it.
    Absorbed,
}

impl Reconstruct {
    /// Every choice.
    pub const ALL: [Reconstruct; 2] = [Reconstruct::Explicit, Reconstruct::Absorbed];

    /// Name as written in workloads (`explicit`, `absorbed`).
    pub fn name(self) -> &'static str {
        match self {
            Reconstruct::Explicit => "explicit",
            Reconstruct::Absorbed => "absorbed",
        }
    }

    /// Parses a name (case-insensitive); an unknown one is an error with the closest.
    pub fn parse(s: &str) -> Result<Reconstruct> {
        Reconstruct::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                invalid(
                    "kv reconstruct",
                    format!(
                        "`{s}` is not one of explicit, absorbed{}",
                        crate::suggest::closest(s, Reconstruct::ALL.iter().map(|r| r.name()))
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_default()
                    ),
                )
            })
    }
}

/// KV-cache compression: CSKV (arXiv 2409.10593) low-rank channels and/or quantisation.
///
/// With `rank` set, keys and values are projected to `round(ratio × kv channels)`
/// channels (K 25 % / V 75 % in the authors' code, 50/50 in their README; 20 % on
/// average gives −80 %); the `window` most recent tokens stay full-rank in fp16; older
/// tokens are cached compressed and, at each step, reconstructed (up-projected, keys
/// re-rotated) or attended in the compressed space ([`Reconstruct`]). With `bits` the
/// compressed (or, without `rank`, the whole) cache is stored as `bits`-bit integers with
/// an fp16 scale and zero per `group` channels and token.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KvCompression {
    /// (key, value) channel ratios in (0, 1], or `None` for quantisation only.
    pub rank: Option<(f64, f64)>,
    /// Full-precision window of recent tokens (CSKV: 32); used with `rank`.
    pub window: u64,
    /// Stored bits (2…8), or `None` for 16-bit.
    pub bits: Option<u8>,
    /// Channels per scale group when quantised.
    pub group: u64,
    /// How attention uses the low-rank cache (with `rank`).
    pub reconstruct: Reconstruct,
}

impl Default for KvCompression {
    /// CSKV's code defaults: K 25 %, V 75 %, window 32, no quantisation (group 128 if
    /// bits are added).
    fn default() -> KvCompression {
        KvCompression {
            rank: Some((0.25, 0.75)),
            window: 32,
            bits: None,
            group: 128,
            reconstruct: Reconstruct::Explicit,
        }
    }
}

impl KvCompression {
    /// Quantisation of the whole cache to `bits`, no low rank.
    pub fn quantized(bits: u8) -> KvCompression {
        KvCompression {
            rank: None,
            window: 0,
            bits: Some(bits),
            group: 128,
            reconstruct: Reconstruct::Explicit,
        }
    }

    /// Channels kept for a cache of `channels` channels per token: `round(ratio·channels)`,
    /// at least 1.
    pub fn ranks(&self, channels: u64) -> Option<(u64, u64)> {
        let r = |x: f64| (((channels as f64) * x).round() as u64).clamp(1, channels);
        self.rank.map(|(k, v)| (r(k), r(v)))
    }

    /// The stored type of compressed entries.
    pub fn stored(&self, dtype: DType) -> DType {
        self.bits.map_or(dtype, DType::Int)
    }

    fn validate(&self) -> Result<()> {
        if let Some((k, v)) = self.rank {
            for (name, x) in [("k", k), ("v", v)] {
                if !(x > 0.0 && x <= 1.0) {
                    return Err(invalid("kv rank", format!("{name}={x} is outside (0, 1]")));
                }
            }
        }
        if let Some(b) = self.bits
            && !(2..=8).contains(&b)
        {
            return Err(invalid("kv bits", format!("{b} is outside 2…8")));
        }
        if self.group == 0 {
            return Err(invalid("kv group", "must be ≥ 1"));
        }
        Ok(())
    }
}

impl FromStr for KvCompression {
    type Err = WorkloadError;

    /// `k=0.25,v=0.75[,window=32][,reconstruct=absorbed]`.
    fn from_str(s: &str) -> Result<KvCompression> {
        let what = "kv rank";
        let map = pairs(s, what, &["k", "v", "window", "reconstruct"])?;
        let d = KvCompression::default();
        let (dk, dv) = d.rank.unwrap_or((0.25, 0.75));
        let k = num(&map, "k", what)?.unwrap_or(dk);
        let v = num(&map, "v", what)?.unwrap_or(dv);
        let c = KvCompression {
            rank: Some((k, v)),
            window: num(&map, "window", what)?.unwrap_or(d.window),
            reconstruct: map
                .get("reconstruct")
                .map(|r| Reconstruct::parse(r))
                .transpose()?
                .unwrap_or_default(),
            ..d
        };
        c.validate()?;
        Ok(c)
    }
}

/// The transforms of a workload; each kind at most once.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Transforms {
    /// Weight/activation quantisation.
    pub quant: Option<Quantization>,
    /// FrameFusion token reduction.
    pub token_reduction: Option<TokenReduction>,
    /// KV-cache compression.
    pub kv: Option<KvCompression>,
    /// Integer-only softmax input bits (SoftmAP: 8), or `None` for float softmax.
    pub int_softmax: Option<u8>,
}

impl Transforms {
    /// Checks every parameter.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = &self.token_reduction {
            t.validate()?;
        }
        if let Some(k) = &self.kv {
            k.validate()?;
        }
        if let Some(b) = self.int_softmax {
            crate::int_softmax::IntSoftmaxConsts::new(b)?;
        }
        Ok(())
    }

    /// Names of the transforms applied, for display.
    pub fn names(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(q) = &self.quant {
            v.push(q.name());
        }
        if let Some(t) = &self.token_reduction {
            v.push(format!(
                "framefusion layer {} merge {} prune {}",
                t.layer, t.merge, t.prune
            ));
        }
        if let Some(k) = &self.kv {
            let mut s = match k.rank {
                Some((a, b)) => format!("cskv k {a} v {b} window {}", k.window),
                None => "kv".to_string(),
            };
            if let Some(b) = k.bits {
                s.push_str(&format!(" {b}-bit"));
            }
            v.push(s);
        }
        if let Some(b) = self.int_softmax {
            v.push(format!("int softmax {b}-bit"));
        }
        v
    }
}

impl fmt::Display for Transforms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.names();
        if n.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&n.join(", "))
        }
    }
}

fn twice(g: &Graph, what: &str) -> WorkloadError {
    WorkloadError::Unsupported {
        transform: what.into(),
        model: g.model().name.clone(),
        reason: "already applied to this graph".into(),
    }
}

/// Quantises the language model's linear layers (embeddings, LM head, vision tower and
/// projector stay 16-bit, as AWQ/MBQ deployments keep them).
pub fn quantize(g: &Graph, q: Quantization) -> Result<Graph> {
    let mut w = g.workload().clone();
    if w.transforms.quant.is_some() {
        return Err(twice(g, "quantisation"));
    }
    w.transforms.quant = Some(q);
    g.model().build(&w)
}

/// Applies FrameFusion token reduction.
pub fn reduce_tokens(g: &Graph, t: TokenReduction) -> Result<Graph> {
    let mut w = g.workload().clone();
    if w.transforms.token_reduction.is_some() {
        return Err(twice(g, "token reduction"));
    }
    w.transforms.token_reduction = Some(t);
    g.model().build(&w)
}

/// Applies KV-cache compression (CSKV and/or quantisation).
pub fn compress_kv(g: &Graph, k: KvCompression) -> Result<Graph> {
    let mut w = g.workload().clone();
    if w.transforms.kv.is_some() {
        return Err(twice(g, "kv compression"));
    }
    w.transforms.kv = Some(k);
    g.model().build(&w)
}

/// Replaces every float softmax by SoftmAP's integer-only softmax with `bits`-bit
/// inputs (8 in the paper).
pub fn int_softmax(g: &Graph, bits: u8) -> Result<Graph> {
    let mut w = g.workload().clone();
    if w.transforms.int_softmax.is_some() {
        return Err(twice(g, "integer softmax"));
    }
    w.transforms.int_softmax = Some(bits);
    g.model().build(&w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_token_reduction() {
        let t: TokenReduction = "merge=0.5,budget=0.3,layer=2".parse().unwrap();
        assert!((t.prune - 0.4).abs() < 1e-12);
        // 13 440 → merge 6 720 → prune 2 688 → 4 032 (FrameFusion, LLaVA-Video-7B).
        assert_eq!(t.removed(13_440), (6_720, 2_688));
        let e = "merg=0.5"
            .parse::<TokenReduction>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `merge`"), "{e}");
        assert!("merge=1.5".parse::<TokenReduction>().is_err());
    }

    #[test]
    fn cost_budget_counts_the_full_layers() {
        // Qwen2-7B, 28 layers, reduction after layer 2: layers 0–2 see every vision token,
        // the other 25 a fraction k with (3 + 25k)/28 = 0.3 → k = 5.4/25 = 0.216; with half
        // merged, prune = 1 − 0.216/0.5 = 0.568.
        let t = TokenReduction::with_cost(0.3, 0.5, 2, 28).unwrap();
        assert!((t.budget() - 0.216).abs() < 1e-12, "{t:?}");
        assert!((t.prune - 0.568).abs() < 1e-12, "{t:?}");
        assert!((t.cost(28) - 0.3).abs() < 1e-12);
        // The defaults (merge 0.5, prune 0.4 after layer 2) cost (3 + 25·0.3)/28 = 0.375.
        assert!((TokenReduction::default().cost(28) - 0.375).abs() < 1e-12);
        // Cost 0.7 keeps (19.6 − 3)/25 = 0.664 after layer 2: merging half would remove
        // more, so merging is capped at 0.336 and nothing is pruned.
        let c = TokenReduction::with_cost(0.7, 0.5, 2, 28).unwrap();
        assert!(
            (c.merge - 0.336).abs() < 1e-12 && c.prune.abs() < 1e-12,
            "{c:?}"
        );
        assert!((c.cost(28) - 0.7).abs() < 1e-12);
        // Cost 1 keeps everything.
        let d = TokenReduction::with_cost(1.0, 0.5, 2, 28).unwrap();
        assert!(d.merge.abs() < 1e-12 && d.prune.abs() < 1e-12, "{d:?}");
        // Layers 0–2 alone cost 3/28 = 0.107.
        let e = TokenReduction::with_cost(0.1, 0.5, 2, 28).unwrap_err();
        assert!(e.to_string().contains("must be in [0.1071, 1]"), "{e}");
        assert!(TokenReduction::with_cost(0.3, 1.0, 2, 28).is_err());
        assert!(TokenReduction::with_cost(0.3, 0.5, 27, 28).is_err());
    }

    #[test]
    fn parse_kv_and_schemes() {
        let k: KvCompression = "k=0.5,v=0.5".parse().unwrap();
        assert_eq!(k.rank, Some((0.5, 0.5)));
        assert_eq!(k.window, 32);
        assert_eq!(k.ranks(4096), Some((2048, 2048)));
        assert_eq!(k.reconstruct, Reconstruct::Explicit);
        let a: KvCompression = "k=0.2,v=0.2,reconstruct=absorbed".parse().unwrap();
        assert_eq!(a.reconstruct, Reconstruct::Absorbed);
        let e = "k=0.2,reconstruct=absorb"
            .parse::<KvCompression>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `absorbed`"), "{e}");
        let q = Quantization::scheme("W3A16", None).unwrap();
        assert_eq!(q.weights.group, 128);
        assert_eq!(q.name(), "w3a16 g128");
        let q = Quantization::scheme("w8a8", None).unwrap();
        assert_eq!((q.act, q.weights.zero), (Some(DType::Int(8)), None));
        assert!(Quantization::scheme("w9a16", None).is_err());
        assert!(Quantization::scheme("int4", None).is_err());
    }
}
