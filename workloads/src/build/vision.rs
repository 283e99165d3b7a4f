//! The vision side of a VLM prefill: SigLIP tower on every frame, then the projector.
//!
//! SigLIP layer: LayerNorm → q/k/v (bias) → bidirectional attention → o (bias) →
//! residual → LayerNorm → fc1 (bias) → GELU → fc2 (bias) → residual. The patch embedding
//! is a stride-`patch` convolution, i.e. a GEMM of `patches × (3·patch²)` pixels by
//! `(3·patch²) × hidden`; learned position embeddings are gathered and added.
//!
//! Projectors: `mlp2x_gelu` on all patches, then bilinear 2-D pooling and newline tokens
//! (LLaVA-NeXT order: `encode_images` projects, then `get_2dPool` pools); or
//! MiniCPM-V's resampler (queries cross-attend to the patches).

use super::{B, Ctx, Linear};
use crate::config::{Newline, Projector, VlmConfig};
use crate::graph::OpId;
use crate::ops::{Attention, Concat, EltFn, Embedding, Norm, NormKind, OpKind, Part, Pool};

/// Adds the vision tower and projector for `frames` frames per sequence; returns the
/// operator producing the vision tokens for the language model.
pub(super) fn build(b: &mut B, v: &VlmConfig, ctx: &Ctx, frames: u64) -> OpId {
    let dt = ctx.dtype;
    let vc = &v.vision;
    let (vh, patches) = (vc.hidden, vc.patches());
    let images = ctx.batch * frames;
    let rows = images * patches;
    let vp = Part::Vision;
    let lin = |name, part, layer, m, k, n, bias| Linear {
        name,
        part,
        layer,
        m,
        k,
        n,
        bias,
    };
    let ln = |rows, dim| {
        OpKind::Norm(Norm {
            kind: NormKind::Layer,
            rows,
            dim,
            dtype: dt,
        })
    };
    // Patch embedding reads the pixels (a graph input, no producer) and the conv weights.
    let pixels = vc.channels * vc.patch * vc.patch;
    let pe_l = lin("patch_embed", vp, None, rows, pixels, vh, true);
    let pe = b.linear_from(pe_l, dt, None, &[]);
    let pos = Embedding {
        tokens: rows,
        vocab: vc.position_rows,
        dim: vh,
        dtype: dt,
    };
    let pos = b.add("position_embed", vp, None, OpKind::Embedding(pos), &[]);
    let mut x = b.elt(
        "position_add",
        vp,
        None,
        EltFn::Add,
        rows,
        vh,
        dt,
        &[pe, pos],
    );
    let hd = vh / vc.heads;
    for l in 0..vc.layers as u32 {
        let n1 = b.add("attn_norm", vp, Some(l), ln(rows, vh), &[x]);
        let q = b.linear(lin("q_proj", vp, Some(l), rows, vh, vh, true), dt, None, n1);
        let k = b.linear(lin("k_proj", vp, Some(l), rows, vh, vh, true), dt, None, n1);
        let vv = b.linear(lin("v_proj", vp, Some(l), rows, vh, vh, true), dt, None, n1);
        let a = Attention {
            batch: images,
            q_heads: vc.heads,
            kv_heads: vc.heads,
            q_len: patches,
            kv_len: patches,
            head_dim: hd,
            causal: false,
            cached: false,
            act: dt,
            kv: dt,
            kv_group: 0,
            score: dt,
        };
        let att = super::decoder::attention(b, ctx, vp, Some(l), a, q, &[k], &[vv]);
        let o = b.linear(
            lin("o_proj", vp, Some(l), rows, vh, vh, true),
            dt,
            None,
            att,
        );
        let r1 = b.elt(
            "attn_residual",
            vp,
            Some(l),
            EltFn::Add,
            rows,
            vh,
            dt,
            &[x, o],
        );
        let n2 = b.add("ffn_norm", vp, Some(l), ln(rows, vh), &[r1]);
        let i = vc.intermediate;
        let f1 = b.linear(lin("ffn_fc1", vp, Some(l), rows, vh, i, true), dt, None, n2);
        let g = b.elt("ffn_act", vp, Some(l), EltFn::Gelu, rows, i, dt, &[f1]);
        let f2 = b.linear(lin("ffn_fc2", vp, Some(l), rows, i, vh, true), dt, None, g);
        x = b.elt(
            "ffn_residual",
            vp,
            Some(l),
            EltFn::Add,
            rows,
            vh,
            dt,
            &[r1, f2],
        );
    }
    let pp = Part::Projector;
    let h = v.llm.hidden;
    match v.projector {
        Projector::Mlp2xGelu => {
            let f1 = b.linear(lin("mm_fc1", pp, None, rows, vh, h, true), dt, None, x);
            let g = b.elt("mm_act", pp, None, EltFn::Gelu, rows, h, dt, &[f1]);
            let mut y = b.linear(lin("mm_fc2", pp, None, rows, h, h, true), dt, None, g);
            if let Some(side) = v.frame.pooled_side {
                let p = Pool {
                    images,
                    in_side: vc.side(),
                    out_side: side,
                    dim: h,
                    dtype: dt,
                };
                y = b.add("pool_2d", pp, None, OpKind::Pool(p), &[y]);
            }
            if v.frame.newline != Newline::NoToken {
                let c = Concat {
                    batch: ctx.batch,
                    tokens: v.frame.tokens(frames),
                    dim: h,
                    dtype: dt,
                };
                y = b.add("add_newlines", pp, None, OpKind::Concat(c), &[y]);
            }
            y
        }
        Projector::Resampler { queries, heads } => {
            let kvp = b.linear(lin("kv_proj", pp, None, rows, vh, h, false), dt, None, x);
            let lkv = b.add("ln_kv", pp, None, ln(rows, h), &[kvp]);
            // 2-D sin-cos position embedding added to the keys (computed, not learned).
            let kpos = b.elt("pos_add", pp, None, EltFn::Add, rows, h, dt, &[lkv]);
            // The learned queries are the same for every frame: normalised and projected
            // once.
            let lq = b.add("ln_q", pp, None, ln(queries, h), &[]);
            let q = b.linear(lin("q_proj", pp, None, queries, h, h, true), dt, None, lq);
            let k = b.linear(lin("k_proj", pp, None, rows, h, h, true), dt, None, kpos);
            let vv = b.linear(lin("v_proj", pp, None, rows, h, h, true), dt, None, lkv);
            let a = Attention {
                batch: images,
                q_heads: heads,
                kv_heads: heads,
                q_len: queries,
                kv_len: patches,
                head_dim: h / heads,
                causal: false,
                cached: false,
                act: dt,
                kv: dt,
                kv_group: 0,
                score: dt,
            };
            let att = super::decoder::attention(b, ctx, pp, None, a, q, &[k], &[vv]);
            let out_rows = images * queries;
            let o = b.linear(lin("o_proj", pp, None, out_rows, h, h, true), dt, None, att);
            let lp = b.add("ln_post", pp, None, ln(out_rows, h), &[o]);
            b.linear(lin("proj", pp, None, out_rows, h, h, false), dt, None, lp)
        }
    }
}
