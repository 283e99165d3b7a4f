//! Mamba (S6) language models (arXiv 2312.00752; HuggingFace `MambaForCausalLM`).
//!
//! Per layer: RMSNorm → in_proj (hidden → 2·d_inner: x and the gate z) → causal
//! depthwise conv1d on x → SiLU → x_proj (d_inner → dt_rank + 2·d_state: Δ, B, C) →
//! dt_proj (dt_rank → d_inner, with bias) → selective scan → y·SiLU(z) → out_proj →
//! residual add. Decode steps read and write the conv and SSM states.

use super::{B, Ctx, Linear, Plan};
use crate::config::MambaConfig;
use crate::ops::{Conv1d, EltFn, Embedding, Norm, NormKind, OpKind, Part, SelectiveScan};
use crate::tensor::{DType, Tensor};
use crate::transforms::Quantization;

const P: Part = Part::Language;

/// Adds the model; returns the bytes of recurrent state (conv + SSM, all layers).
pub(super) fn build(
    b: &mut B,
    m: &MambaConfig,
    ctx: &Ctx,
    plan: &Plan,
    quant: Option<&Quantization>,
) -> u64 {
    let dt = ctx.dtype;
    let (h, di) = (m.hidden, m.d_inner);
    let len = plan.full.q;
    let rows = ctx.batch * len;
    let decode = !plan.prefill;
    let emb = Embedding {
        tokens: rows,
        vocab: m.vocab,
        dim: h,
        dtype: dt,
    };
    let mut x = b.add("embed_tokens", P, None, OpKind::Embedding(emb), &[]);
    let norm = |rows| Norm {
        kind: NormKind::Rms,
        rows,
        dim: h,
        dtype: dt,
    };
    for l in 0..m.layers as u32 {
        let lin = |name, k, n, bias| Linear {
            name,
            part: P,
            layer: Some(l),
            m: rows,
            k,
            n,
            bias,
        };
        let n1 = b.add("norm", P, Some(l), OpKind::Norm(norm(rows)), &[x]);
        let xin = b.act_input(quant, P, Some(l), n1, (rows, h), dt);
        let inp = b.linear(lin("in_proj", h, 2 * di, m.proj_bias), dt, quant, xin);
        let conv = Conv1d {
            batch: ctx.batch,
            channels: di,
            len,
            kernel: m.conv_kernel,
            bias: m.conv_bias,
            dtype: dt,
            reads_state: decode,
            writes_state: true,
        };
        let c = b.add("conv1d", P, Some(l), OpKind::Conv1d(conv), &[inp]);
        let ca = b.elt("conv_act", P, Some(l), EltFn::Silu, rows, di, dt, &[c]);
        let cin = b.act_input(quant, P, Some(l), ca, (rows, di), dt);
        let xp = b.linear(
            lin("x_proj", di, m.dt_rank + 2 * m.d_state, false),
            dt,
            quant,
            cin,
        );
        let xpin = b.act_input(quant, P, Some(l), xp, (rows, m.dt_rank), dt);
        let dtp = b.linear(lin("dt_proj", m.dt_rank, di, true), dt, quant, xpin);
        let scan = SelectiveScan {
            batch: ctx.batch,
            len,
            d_inner: di,
            d_state: m.d_state,
            dtype: dt,
            state: DType::F32,
            reads_state: decode,
            writes_state: true,
        };
        let s = b.add(
            "selective_scan",
            P,
            Some(l),
            OpKind::SelectiveScan(scan),
            &[ca, dtp, xp],
        );
        let z = b.elt("gate_act", P, Some(l), EltFn::Silu, rows, di, dt, &[inp]);
        let y = b.elt("gate_mul", P, Some(l), EltFn::Mul, rows, di, dt, &[s, z]);
        let yin = b.act_input(quant, P, Some(l), y, (rows, di), dt);
        let out = b.linear(lin("out_proj", di, h, m.proj_bias), dt, quant, yin);
        x = b.elt("residual", P, Some(l), EltFn::Add, rows, h, dt, &[x, out]);
    }
    let head_rows = ctx.batch * if plan.prefill { 1 } else { len };
    let fnorm = b.add("final_norm", P, None, OpKind::Norm(norm(head_rows)), &[x]);
    let head = Linear {
        name: "lm_head",
        part: P,
        layer: None,
        m: head_rows,
        k: h,
        n: m.vocab,
        bias: false,
    };
    b.linear(head, dt, None, fnorm);
    // Per layer and sequence: conv state d_inner × (kernel − 1) and SSM state
    // d_inner × d_state in f32.
    let conv_state = Tensor::new(&[di, m.conv_kernel - 1], dt).bytes();
    let ssm_state = Tensor::new(&[di, m.d_state], DType::F32).bytes();
    m.layers * ctx.batch * (conv_state + ssm_state)
}
