//! Transformer decoders (Llama, Qwen2, Mistral, OPT), also the language model of VLMs.
//!
//! Per layer (pre-norm): norm → q/k/v projections → rotary (Llama family) → KV-cache
//! appends → attention (QKᵀ, softmax, PV, or fused) → output projection → residual add
//! → norm → FFN (gated SiLU: gate, up, SiLU, multiply, down; or fc1, ReLU, fc2) →
//! residual add. The final norm and LM head run on the last position of each sequence in
//! prefill (the logits a server needs) and on every new token in decode.

use super::{B, Ctx, LayerTokens, Linear, Plan, absorbed};
use crate::config::{DecoderConfig, Positions};
use crate::graph::OpId;
use crate::ops::{
    Attention, Concat, EltFn, Embedding, FusedAttention, KvAppend, LowRank, Norm, OpKind, Part,
    Role, Rotary, Softmax, SoftmaxKind, TokenMerge, TokenPrune,
};
use crate::tensor::{DType, Tensor};
use crate::transforms::{Reconstruct, Transforms};
use crate::workload::{AttentionImpl, Workload};

const P: Part = Part::Language;

/// Query rows whose attention ranks the vision tokens for pruning: FrameFusion's code
/// (`framefusion/utils.py`, `scaled_dot_product_attention(…, num=1)`) uses the last one.
const PRUNE_QUERIES: u64 = 1;

/// What a decoder layer hands on: its output, and the (rotated) queries and the keys its
/// attention read, which pruning re-scores.
struct LayerOut {
    out: OpId,
    q: OpId,
    k: Vec<OpId>,
}

/// Adds the language model; `vision` is the projector output of a VLM prefill.
pub(super) fn build(
    b: &mut B,
    d: &DecoderConfig,
    ctx: &Ctx,
    plan: &Plan,
    tf: &Transforms,
    vision: Option<OpId>,
) {
    let dt = ctx.dtype;
    let h = d.hidden;
    let text_tokens = ctx.batch * if plan.prefill { plan.text } else { plan.full.q };
    let emb = Embedding {
        tokens: text_tokens,
        vocab: d.vocab,
        dim: h,
        dtype: dt,
    };
    let mut x = b.add("embed_tokens", P, None, OpKind::Embedding(emb), &[]);
    if let Positions::Learned { rows } = d.positions {
        let pos = Embedding { vocab: rows, ..emb };
        let p = b.add("embed_positions", P, None, OpKind::Embedding(pos), &[]);
        x = b.elt(
            "embed_add",
            P,
            None,
            EltFn::Add,
            text_tokens,
            h,
            dt,
            &[x, p],
        );
    }
    if let Some(v) = vision {
        let c = Concat {
            batch: ctx.batch,
            tokens: plan.full.q,
            dim: h,
            dtype: dt,
        };
        x = b.add("concat_vision_text", P, None, OpKind::Concat(c), &[v, x]);
    }
    for l in 0..d.layers as u32 {
        let reduce_here = plan.prefill && plan.reduced.is_some_and(|r| r.0 == l);
        let out = layer(b, d, ctx, tf, l, plan.layer(l), x);
        x = out.out;
        if let (true, Some((_, _, merged, pruned))) = (reduce_here, plan.reduced) {
            let full = plan.full.q;
            let m = TokenMerge {
                batch: ctx.batch,
                tokens: full,
                vision: plan.vision,
                per_frame: plan.per_frame,
                merged,
                dim: h,
                dtype: dt,
            };
            let merge = b.add("token_merge", P, Some(l), OpKind::TokenMerge(m), &[x]);
            let pr = TokenPrune {
                batch: ctx.batch,
                tokens: full - merged,
                vision: plan.vision - merged,
                pruned,
                // FrameFusion ranks by the attention of the last token only (`num=1`).
                queries: PRUNE_QUERIES.min(full),
                keys: full,
                heads: d.heads,
                kv_heads: d.kv_heads,
                head_dim: d.head_dim,
                dim: h,
                dtype: dt,
            };
            let mut deps = vec![merge, out.q];
            deps.extend(out.k);
            x = b.add("token_prune", P, Some(l), OpKind::TokenPrune(pr), &deps);
        }
    }
    let rows = ctx.batch * if plan.prefill { 1 } else { plan.full.q };
    let n = Norm {
        kind: d.norm,
        rows,
        dim: h,
        dtype: dt,
    };
    let fnorm = b.add("final_norm", P, None, OpKind::Norm(n), &[x]);
    let head = Linear {
        name: "lm_head",
        part: P,
        layer: None,
        m: rows,
        k: h,
        n: d.vocab,
        bias: false,
    };
    b.linear(head, dt, None, fnorm);
}

/// One decoder layer.
fn layer(
    b: &mut B,
    d: &DecoderConfig,
    ctx: &Ctx,
    tf: &Transforms,
    l: u32,
    t: LayerTokens,
    x: OpId,
) -> LayerOut {
    let (dt, h, hd) = (ctx.dtype, d.hidden, d.head_dim);
    let (heads, kvh) = (d.heads, d.kv_heads);
    let rows = ctx.batch * t.q;
    let quant = tf.quant.as_ref();
    let lin = |name, k, n, bias| Linear {
        name,
        part: P,
        layer: Some(l),
        m: rows,
        k,
        n,
        bias,
    };
    let norm = |rows| Norm {
        kind: d.norm,
        rows,
        dim: h,
        dtype: dt,
    };
    let rotary = |b: &mut B, name, tokens, nh, positions, dep| {
        let r = Rotary {
            tokens,
            heads: nh,
            head_dim: hd,
            positions,
            dtype: dt,
        };
        b.add(name, P, Some(l), OpKind::Rotary(r), &[dep])
    };
    let rope = d.positions == Positions::Rotary;

    let n1 = b.add("attn_norm", P, Some(l), OpKind::Norm(norm(rows)), &[x]);
    let xin = b.act_input(quant, P, Some(l), n1, (rows, h), dt);
    let mut q = b.linear(lin("q_proj", h, heads * hd, d.qkv_bias), dt, quant, xin);
    if rope {
        q = rotary(b, "rotary_q", rows, heads, t.q, q);
    }
    let append = |b: &mut B, name, tokens, heads, channels, stored: DType, group, dep| {
        let a = KvAppend {
            batch: ctx.batch,
            heads,
            tokens,
            channels,
            input: dt,
            stored,
            group,
        };
        b.add(name, P, Some(l), OpKind::KvAppend(a), &[dep])
    };
    let kv = tf.kv.as_ref();
    let (kv_dtype, kv_group, cached, mut k_deps, v_deps, absorbed) =
        match kv.and_then(|c| c.ranks(kvh * hd).map(|r| (c, r))) {
            None => {
                let mut k = b.linear(lin("k_proj", h, kvh * hd, d.qkv_bias), dt, quant, xin);
                let v = b.linear(lin("v_proj", h, kvh * hd, d.qkv_bias), dt, quant, xin);
                if rope {
                    k = rotary(b, "rotary_k", rows, kvh, t.q, k);
                }
                let stored = kv.map_or(dt, |c| c.stored(dt));
                let group = kv.map_or(0, |c| c.group);
                let ka = append(b, "k_append", t.q, kvh, hd, stored, group, k);
                let va = append(b, "v_append", t.q, kvh, hd, stored, group, v);
                (stored, group, true, vec![ka], vec![va], None)
            }
            Some((c, (rk, rv))) => {
                let stored = c.stored(dt);
                let low = |b: &mut B, name, m, k, n, input: DType, role, dep| {
                    let lr = LowRank {
                        m,
                        k,
                        n,
                        heads: 1,
                        input,
                        input_role: role,
                        input_group: c.group,
                        dtype: dt,
                        shared_weights: role == Role::KvCache,
                    };
                    b.add(name, P, Some(l), OpKind::LowRank(lr), &[dep])
                };
                let act = Role::Activation;
                let kd = low(b, "k_down", rows, h, rk, dt, act, n1);
                let vd = low(b, "v_down", rows, h, rv, dt, act, n1);
                let mut kn = low(b, "k_up", rows, rk, kvh * hd, dt, act, kd);
                let vn = low(b, "v_up", rows, rv, kvh * hd, dt, act, vd);
                if rope {
                    kn = rotary(b, "rotary_k", rows, kvh, t.q, kn);
                }
                let kc = append(b, "k_append_compressed", t.q, 1, rk, stored, c.group, kd);
                let vc = append(b, "v_append_compressed", t.q, 1, rv, stored, c.group, vd);
                // Only the last `window` new tokens stay in the fp16 window.
                let (mut kdeps, mut vdeps) = (vec![kn], vec![vn]);
                let w = t.q.min(c.window);
                if w > 0 {
                    kdeps[0] = append(b, "k_append_window", w, kvh, hd, dt, 0, kn);
                    vdeps[0] = append(b, "v_append_window", w, kvh, hd, dt, 0, vn);
                }
                // Cached tokens older than the window are reconstructed from the compressed
                // cache: up-projected (and, for keys, rotated) at every step — or attended
                // in the compressed space (`absorbed`).
                let rec = (t.kv - t.q).saturating_sub(c.window);
                let absorbed = (c.reconstruct == Reconstruct::Absorbed && rec > 0).then_some(
                    absorbed::Compressed {
                        k: kc,
                        v: vc,
                        tokens: rec,
                        rank_k: rk,
                        rank_v: rv,
                        stored,
                        group: c.group,
                    },
                );
                if rec > 0 && absorbed.is_none() {
                    let m = ctx.batch * rec;
                    let cache = Role::KvCache;
                    let mut kr = low(b, "k_reconstruct", m, rk, kvh * hd, stored, cache, kc);
                    if rope {
                        kr = rotary(b, "rotary_k_reconstructed", m, kvh, rec, kr);
                    }
                    let vr = low(b, "v_reconstruct", m, rv, kvh * hd, stored, cache, vc);
                    kdeps.push(kr);
                    vdeps.push(vr);
                }
                // The absorbed form reads the window from the cache.
                (dt, 0, absorbed.is_some(), kdeps, vdeps, absorbed)
            }
        };
    let a = Attention {
        batch: ctx.batch,
        q_heads: heads,
        kv_heads: kvh,
        q_len: t.q,
        kv_len: t.kv - absorbed.map_or(0, |c| c.tokens),
        head_dim: hd,
        causal: true,
        cached,
        act: dt,
        kv: kv_dtype,
        kv_group,
        score: dt,
    };
    let attn = match absorbed {
        Some(c) => {
            let out = absorbed::attention(b, ctx, P, Some(l), a, c, q, &k_deps, &v_deps);
            k_deps.push(c.k);
            out
        }
        None => attention(b, ctx, P, Some(l), a, q, &k_deps, &v_deps),
    };
    let ain = b.act_input(quant, P, Some(l), attn, (rows, heads * hd), dt);
    let o = b.linear(lin("o_proj", heads * hd, h, d.o_bias), dt, quant, ain);
    let r1 = b.elt(
        "attn_residual",
        P,
        Some(l),
        EltFn::Add,
        rows,
        h,
        dt,
        &[x, o],
    );
    let n2 = b.add("ffn_norm", P, Some(l), OpKind::Norm(norm(rows)), &[r1]);
    let fin = b.act_input(quant, P, Some(l), n2, (rows, h), dt);
    let i = d.intermediate;
    let down = if d.gated_ffn {
        let gate = b.linear(lin("ffn_gate", h, i, d.ffn_bias), dt, quant, fin);
        let up = b.linear(lin("ffn_up", h, i, d.ffn_bias), dt, quant, fin);
        let act = b.elt("ffn_act", P, Some(l), d.act, rows, i, dt, &[gate]);
        let mul = b.elt("ffn_mul", P, Some(l), EltFn::Mul, rows, i, dt, &[act, up]);
        let din = b.act_input(quant, P, Some(l), mul, (rows, i), dt);
        b.linear(lin("ffn_down", i, h, d.ffn_bias), dt, quant, din)
    } else {
        let fc1 = b.linear(lin("ffn_fc1", h, i, d.ffn_bias), dt, quant, fin);
        let act = b.elt("ffn_act", P, Some(l), d.act, rows, i, dt, &[fc1]);
        let din = b.act_input(quant, P, Some(l), act, (rows, i), dt);
        b.linear(lin("ffn_fc2", i, h, d.ffn_bias), dt, quant, din)
    };
    let r2 = b.elt(
        "ffn_residual",
        P,
        Some(l),
        EltFn::Add,
        rows,
        h,
        dt,
        &[r1, down],
    );
    LayerOut {
        out: r2,
        q,
        k: k_deps,
    }
}

/// Attention as QKᵀ → softmax → PV, or fused; returns the output.
#[allow(clippy::too_many_arguments)]
pub(super) fn attention(
    b: &mut B,
    ctx: &Ctx,
    part: Part,
    layer: Option<u32>,
    a: Attention,
    q: OpId,
    k: &[OpId],
    v: &[OpId],
) -> OpId {
    if ctx.attention == AttentionImpl::Fused {
        let f = FusedAttention {
            attn: a,
            softmax: ctx.softmax,
        };
        let mut deps = vec![q];
        deps.extend_from_slice(k);
        deps.extend_from_slice(v);
        return b.add("attention", part, layer, OpKind::FusedAttention(f), &deps);
    }
    let eager = ctx.attention == AttentionImpl::Eager;
    // Eager attention computes the whole rectangle: the mask is added, not skipped.
    let a = Attention {
        causal: a.causal && !eager,
        ..a
    };
    let mut deps = vec![q];
    deps.extend_from_slice(k);
    let s = b.add("attn_scores", part, layer, OpKind::AttnScores(a), &deps);
    let mut sm = Softmax::of(&a, ctx.softmax);
    if eager && ctx.softmax == SoftmaxKind::Float {
        sm.input = DType::F32;
        sm.output = DType::F32;
    }
    let p = b.add("softmax", part, layer, OpKind::Softmax(sm), &[s]);
    let mut deps = vec![p];
    deps.extend_from_slice(v);
    b.add("attn_values", part, layer, OpKind::AttnValues(a), &deps)
}

/// KV-cache bytes of one layer of one sequence holding `kv` tokens.
pub(super) fn kv_bytes_per_layer(d: &DecoderConfig, w: &Workload, kv: u64) -> u64 {
    let (hd, kvh, dt) = (d.head_dim, d.kv_heads, w.dtype);
    let quantised = |tokens: u64, channels: u64, stored: DType, group: u64| {
        let mut bytes = Tensor::new(&[tokens, channels], stored).bytes();
        if stored.is_int() {
            bytes +=
                2 * Tensor::new(&[tokens, channels.div_ceil(group.max(1))], DType::F16).bytes();
        }
        bytes
    };
    match w.transforms.kv {
        None => 2 * Tensor::new(&[kvh, kv, hd], dt).bytes(),
        Some(c) => match c.ranks(kvh * hd) {
            None => 2 * kvh * quantised(kv, hd, c.stored(dt), c.group),
            Some((rk, rv)) => {
                let window = c.window.min(kv);
                let comp = kv - window;
                2 * Tensor::new(&[kvh, window, hd], dt).bytes()
                    + quantised(comp, rk, c.stored(dt), c.group)
                    + quantised(comp, rv, c.stored(dt), c.group)
            }
        },
    }
}
