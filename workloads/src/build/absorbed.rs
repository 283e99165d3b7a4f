//! Attention over a CSKV cache with the up-projections absorbed
//! ([`crate::Reconstruct::Absorbed`]; DeepSeek-V2's MLA, Palu arXiv 2407.21118).
//!
//! The tokens older than the window are cached as `c_k` (`r_k` channels) and `c_v` (`r_v`
//! channels), shared by all heads; `B_k` (`r_k × channels`) and `B_v` rebuild them. Per
//! head `i`, `q_i·k_tᵀ = (q_i·B_k,iᵀ)·c_k,tᵀ` and `Σ_t p_t·v_t = (Σ_t p_t·c_v,t)·B_v,i`, so
//! per layer and step:
//!
//! 1. `q_absorb`: the queries into the compressed key space, `heads` products
//!    `[rows × head_dim]·[head_dim × r_k]` with `B_k`'s weights (the `k_up` weights of the
//!    new tokens, read again, stored once): `2·rows·heads·head_dim·r_k` FLOPs;
//! 2. attention over the compressed cache as one shared K/V head (`kv_heads = 1`): keys of
//!    `r_k` channels, values of `r_v`, not masked (every compressed token is older than
//!    every query), reading only the compressed bytes;
//! 3. attention over the fp16 window (and the new tokens), per KV head, causal;
//! 4. one softmax over both parts' scores (unfused), or, fused, each part's own online
//!    softmax and a combine of the two partial outputs (`attention_combine`: an add of the
//!    two outputs rescaled by their log-sum-exps, as flash-decoding combines splits);
//! 5. `v_absorb`: the compressed output back to each head's channels, `heads` products
//!    `[rows × r_v]·[r_v × head_dim]` with `B_v`'s weights; added to the window's output.
//!
//! A fused kernel's shape has one head width: the compressed part is given
//! `⌈(r_k + r_v)/2⌉`, which keeps its FLOPs (`2·(r_k + r_v)` per score) and K/V bytes
//! exact when `r_k + r_v` is even.

use super::{B, Ctx};
use crate::graph::OpId;
use crate::ops::SoftmaxKind;
use crate::ops::{Attention, EltFn, FusedAttention, LowRank, OpKind, Part, Role, Softmax};
use crate::tensor::DType;
use crate::workload::AttentionImpl;

/// The compressed part of a layer's cache.
#[derive(Debug, Clone, Copy)]
pub(super) struct Compressed {
    /// Compressed keys (the append that stores them).
    pub k: OpId,
    /// Compressed values.
    pub v: OpId,
    /// Cached tokens held compressed (older than the window).
    pub tokens: u64,
    /// Key channels kept.
    pub rank_k: u64,
    /// Value channels kept.
    pub rank_v: u64,
    /// Stored type.
    pub stored: DType,
    /// Channels per scale group of an integer `stored`.
    pub group: u64,
}

/// Attention of `window` (the fp16 window and the new tokens, read from `k_win`/`v_win`)
/// plus the compressed cache `c` with absorbed up-projections; returns the output
/// `[rows, heads·head_dim]` (see the module docs).
#[allow(clippy::too_many_arguments)]
pub(super) fn attention(
    b: &mut B,
    ctx: &Ctx,
    part: Part,
    layer: Option<u32>,
    window: Attention,
    c: Compressed,
    q: OpId,
    k_win: &[OpId],
    v_win: &[OpId],
) -> OpId {
    let (dt, heads, hd) = (ctx.dtype, window.q_heads, window.head_dim);
    let rows = ctx.batch * window.q_len;
    let absorb = |k, n| {
        OpKind::LowRank(LowRank {
            m: rows,
            k,
            n,
            heads,
            input: dt,
            input_role: Role::Activation,
            input_group: 0,
            dtype: dt,
            shared_weights: true,
        })
    };
    let compressed = |head_dim| Attention {
        kv_heads: 1,
        kv_len: c.tokens,
        head_dim,
        causal: false,
        cached: true,
        kv: c.stored,
        kv_group: if c.stored.is_int() { c.group } else { 0 },
        ..window
    };
    let qa = b.add("q_absorb", part, layer, absorb(hd, c.rank_k), &[q]);
    let mut wdeps = vec![q];
    wdeps.extend_from_slice(k_win);
    if ctx.attention == AttentionImpl::Fused {
        let f = |attn| {
            OpKind::FusedAttention(FusedAttention {
                attn,
                softmax: ctx.softmax,
            })
        };
        let ca = compressed((c.rank_k + c.rank_v).div_ceil(2));
        let oc = b.add("attention_compressed", part, layer, f(ca), &[qa, c.k, c.v]);
        wdeps.extend_from_slice(v_win);
        let ow = b.add("attention", part, layer, f(window), &wdeps);
        let ov = b.add("v_absorb", part, layer, absorb(c.rank_v, hd), &[oc]);
        return b.elt(
            "attention_combine",
            part,
            layer,
            EltFn::Add,
            rows,
            heads * hd,
            dt,
            &[ov, ow],
        );
    }
    let eager = ctx.attention == AttentionImpl::Eager;
    let window = Attention {
        causal: window.causal && !eager,
        ..window
    };
    let (ck, cv) = (compressed(c.rank_k), compressed(c.rank_v));
    let sc = b.add(
        "attn_scores_compressed",
        part,
        layer,
        OpKind::AttnScores(ck),
        &[qa, c.k],
    );
    let sw = b.add(
        "attn_scores",
        part,
        layer,
        OpKind::AttnScores(window),
        &wdeps,
    );
    let mut sm = Softmax::of(&window, ctx.softmax);
    sm.elements += ck.scores();
    if eager && ctx.softmax == SoftmaxKind::Float {
        sm.input = DType::F32;
        sm.output = DType::F32;
    }
    let p = b.add("softmax", part, layer, OpKind::Softmax(sm), &[sc, sw]);
    let vc = b.add(
        "attn_values_compressed",
        part,
        layer,
        OpKind::AttnValues(cv),
        &[p, c.v],
    );
    let mut vdeps = vec![p];
    vdeps.extend_from_slice(v_win);
    let vw = b.add(
        "attn_values",
        part,
        layer,
        OpKind::AttnValues(window),
        &vdeps,
    );
    let ov = b.add("v_absorb", part, layer, absorb(c.rank_v, hd), &[vc]);
    b.elt(
        "attn_values_sum",
        part,
        layer,
        EltFn::Add,
        rows,
        heads * hd,
        dt,
        &[ov, vw],
    )
}
