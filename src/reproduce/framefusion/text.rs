//! The FrameFusion reproduction's findings and assumptions, as `REPRODUCTION.md` shows
//! them.

use anyhow::{Context as _, Result};

use super::sensitivity::Sensitivity;
use super::{HEADLINE_FRAMES, Setup, Speedup, answer_for, find, milli, outside_llm};

pub(super) fn findings(s: &[Speedup], sens: &Sensitivity) -> Result<Vec<String>> {
    let e7 = find(s, Setup::H100_7b, HEADLINE_FRAMES, 300)?;
    let a7 = find(s, Setup::A100_7b, HEADLINE_FRAMES, 300)?;
    let tp = find(s, Setup::TpH100_72b, HEADLINE_FRAMES, 300)?;
    let ls = find(s, Setup::SplitH100_72b, HEADLINE_FRAMES, 300)?;
    let mut f = vec![
        format!(
            "LLM-only speed-up at the 70 % point matches: {:.2}× (H100) and {:.2}× (A100) for \
             LLaVA-Video-7B at 64 frames, inside 3.4–4.4×. Linear layers scale with the \
             kept tokens (0.3 of the dense token-layers by construction of the budget); \
             attention, quadratic in the prompt, falls further, so the speed-up exceeds \
             1/0.3 = 3.3× and grows with frames (to {:.2}× at 128 frames).",
            e7.llm,
            a7.llm,
            find(s, Setup::H100_7b, 128, 300)?.llm
        ),
        format!(
            "End to end the simulation is faster than v1's 1.6–1.9×: {:.2}× for 7B at 64 \
             frames on H100 (prefill only). The simulated SigLIP tower is {:.0} % of the dense \
             prefill; Amdahl with a {:.2}× LLM speed-up needs {:.0} % outside the LLM for 1.75×. \
             Two unstated parameters close the gap: an answer of ~{:.0} decoded tokens \
             (decode is untouched by FrameFusion) or fewer tokens per frame (90 tokens/frame, \
             pool stride 3: {:.2}× at 32 frames). Video decoding and frame resizing on the \
             CPU, not modelled, would also count.",
            e7.e2e,
            100.0 * e7.vision_share,
            e7.llm,
            100.0 * outside_llm(1.75, e7.llm),
            answer_for(e7, 1.75),
            sens.e2e_fused_headline(90)?
        ),
        format!(
            "72B: the vision tower is a small share ({:.0} % tensor-parallel on 8×H100, {:.0} % \
             layer-split), so end to end reaches {:.2}× / {:.2}× at 64 frames, near the later \
             version's 3.6× upper end; the 72B end-to-end speed-up is above 7B's at every \
             frame count, as the paper's 1.6–3.6× spread over 2B–72B suggests.",
            100.0 * tp.vision_share,
            100.0 * ls.vision_share,
            tp.e2e,
            ls.e2e
        ),
    ];
    let tp32 = find(s, Setup::TpH100_72b, 32, 300)?;
    let lowest = s
        .iter()
        .filter(|x| milli(x.cost) == 300 && x.in_context())
        .min_by(|a, b| a.llm.total_cmp(&b.llm))
        .context("no point at budget 0.3")?;
    f.push(format!(
        "The lowest LLM speed-up at 0.3 is {} at {} frames ({:.2}×). For 72B on 8×H100 \
         (tensor parallel) at 32 frames ({:.2}×), attention is a small share of the LLM time \
         and the reduced products (about 1 500 rows, an eighth of the width per GPU) run less \
         efficiently than the dense ones, so the linear layers gain less than the 3.3× cut of \
         their rows.",
        lowest.setup.label(),
        lowest.frames,
        lowest.llm,
        tp32.llm
    ));
    f.push(format!(
        "256 frames (53 824 tokens) exceed LLaVA-Video's 32 768-token context; they are \
         drawn (LLM speed-up {:.2}× for 7B on H100) but left out of the claims.",
        find(s, Setup::H100_7b, 256, 300)?.llm
    ));
    f.extend(sens.findings()?);
    Ok(f)
}

pub(super) fn assumptions() -> Vec<String> {
    [
        "Budget: FrameFusion's `cost` (authors' code, `_compute_pruning_ratio`) is the mean over \
         LLM layers of the vision-token fraction processed; layers 0–2 run every token, so the \
         later layers keep (28·0.3 − 3)/25 = 21.6 % for Qwen2-7B (`workload.token_reduction.cost`).",
        "Where the reduction happens: one merge + prune after layer 2 (the code merges in \
         successive shallow layers, then prunes once); merged share 0.5 of the vision tokens, a \
         property of the video. Axes `layer`, `merge_ratio` in framefusion-split.toml.",
        "Merging/pruning overhead: counted work (cosine similarity of adjacent frames, merge, \
         re-scoring by the last token's attention as the code's `num=1`, top-k), `token_reduction_s`.",
        "Tokens per frame: 210 (paper); 756 / 90 via `mm_spatial_pool_stride` 1 / 3 in \
         framefusion-split.toml.",
        "Vision encoder cost: SigLIP-so400m at 384 px on every frame, simulated like the LLM; \
         video decoding and preprocessing on the CPU are not modelled.",
        "Attention: fused SDPA (the authors' HF `attn_implementation='sdpa'`); unfused is an \
         axis of framefusion-split.toml.",
        "72B: tensor-parallel on 4×A100 / 8×H100 presets (Megatron split, NVLink all-reduces), \
         and layer-split as HF `device_map=\"auto\"` (one GPU of 4 × 80 GiB; the inter-GPU \
         activation hop is left out).",
        "End to end = vision tower + projector + LLM prefill; with an answer, + n decode steps \
         on the reduced KV cache (framefusion-decode.toml, n = 1 … 256 in the answer plot).",
        "Prompt: 64 text tokens; batch 1; bf16. 256 frames exceed the 32 768-token context and \
         stay out of the claims.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
