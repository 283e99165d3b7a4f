//! What the FrameFusion paper leaves out, at its 0.3 budget (`framefusion-split.toml`):
//! tokens per frame, the reduction layer, the merge/prune split and the attention kernel.

use anyhow::{Context as _, Result, bail};

use super::super::rows::Rows;

/// One point of the sensitivity spec.
#[derive(Clone, Debug)]
struct Row {
    /// Vision tokens per frame of the model's config.
    tokens_per_frame: u64,
    fused: bool,
    layer: u64,
    merge: f64,
    cost: f64,
    latency: f64,
    vision: f64,
    language: f64,
    reduction: f64,
}

/// The sensitivity rows.
pub(super) struct Sensitivity {
    rows: Vec<Row>,
}

/// Tokens per frame of a model of the spec: LLaVA-Video's `mm_spatial_pool_stride` 1 / 2
/// / 3 pools the 27 × 27 SigLIP patches to 27, 14 or 9 per side, plus one newline per row.
fn tokens_per_frame(model: &str) -> Result<u64> {
    let side: u64 = if model.contains("pool1") {
        27
    } else if model.contains("pool3") {
        9
    } else if model == "llava-video-7b" {
        14
    } else {
        bail!("framefusion-split.toml: unexpected model `{model}`")
    };
    Ok(side * side + side)
}

impl Sensitivity {
    /// Reads the results of `framefusion-split.toml`.
    pub(super) fn from_rows(rows: &Rows) -> Result<Sensitivity> {
        let rows = rows
            .iter()
            .map(|r| {
                Ok(Row {
                    tokens_per_frame: tokens_per_frame(&r.text("workload.model")?)?,
                    fused: r.text("workload.attention")? == "fused",
                    layer: r.int("workload.token_reduction.layer")?,
                    merge: r.num("workload.token_reduction.merge_ratio")?,
                    cost: r.num("workload.token_reduction.cost")?,
                    latency: r.num("latency_s")?,
                    vision: r.num("vision_s")?,
                    language: r.num("language_s")?,
                    reduction: r.num("token_reduction_s")?,
                })
            })
            .collect::<Result<Vec<Row>>>()?;
        Ok(Sensitivity { rows })
    }

    fn dense(&self, tpf: u64, fused: bool) -> Result<&Row> {
        self.rows
            .iter()
            .find(|r| r.tokens_per_frame == tpf && r.fused == fused && r.cost >= 1.0)
            .with_context(|| {
                format!("framefusion-split.toml: no dense point at {tpf} tokens/frame")
            })
    }

    fn reduced(&self, tpf: u64, fused: bool, layer: u64, merge: f64) -> Result<&Row> {
        self.rows
            .iter()
            .find(|r| {
                r.tokens_per_frame == tpf
                    && r.fused == fused
                    && r.cost < 1.0
                    && r.layer == layer
                    && (r.merge - merge).abs() < 1e-9
            })
            .with_context(|| {
                format!("framefusion-split.toml: no point at {tpf} tokens/frame, layer {layer}, merge {merge}")
            })
    }

    /// (LLM, end-to-end) speed-up of a reduced point over its dense baseline.
    fn speedup(&self, tpf: u64, fused: bool, layer: u64, merge: f64) -> Result<(f64, f64)> {
        let d = self.dense(tpf, fused)?;
        let r = self.reduced(tpf, fused, layer, merge)?;
        Ok((d.language / r.language, d.latency / r.latency))
    }

    /// End-to-end speed-up at `tpf` tokens per frame with the authors' settings (fused
    /// attention, reduction after layer 2, half merged).
    pub(super) fn e2e_fused_headline(&self, tpf: u64) -> Result<f64> {
        Ok(self.speedup(tpf, true, 2, 0.5)?.1)
    }

    /// What each left-out parameter does, in words.
    pub(super) fn findings(&self) -> Result<Vec<String>> {
        let mut tpf = Vec::new();
        for t in [756, 210, 90] {
            let (l, e) = self.speedup(t, true, 2, 0.5)?;
            let d = self.dense(t, true)?;
            tpf.push(format!(
                "{t}: LLM {l:.2}×, end to end {e:.2}× (vision {:.0} %)",
                100.0 * d.vision / d.latency
            ));
        }
        let layers = |fused: bool| -> Result<String> {
            let v = [0, 2, 4, 6]
                .iter()
                .map(|&l| Ok(format!("{:.2}", self.speedup(210, fused, l, 0.5)?.0)))
                .collect::<Result<Vec<String>>>()?;
            Ok(v.join(" / "))
        };
        let merges = [0.0, 0.5, 0.7]
            .iter()
            .map(|&m| {
                let r = self.reduced(210, true, 2, m)?;
                Ok(format!(
                    "merge {m}: LLM {:.2}×, merging + pruning {:.0} µs",
                    self.speedup(210, true, 2, m)?.0,
                    1e6 * r.reduction
                ))
            })
            .collect::<Result<Vec<String>>>()?;
        Ok(vec![
            format!(
                "Tokens per frame (32 frames, H100, budget 0.3) decide the end-to-end figure: \
                 {}. Fewer tokens per frame make the vision tower a larger share of the \
                 prefill, which FrameFusion does not shorten.",
                tpf.join("; ")
            ),
            format!(
                "Reduction layer (after layer 0 / 2 / 4 / 6, 210 tokens/frame): LLM speed-up \
                 {} with fused attention, {} unfused. At a fixed budget the token-layers are \
                 fixed, so only attention (quadratic) depends on the layer: with fused \
                 attention the layer hardly matters (the differences are kernel tiling), with \
                 unfused attention it dominates and an early reduction pays most.",
                layers(true)?,
                layers(false)?
            ),
            format!(
                "Merge/prune split: {} — the budget fixes the kept tokens, so the split only \
                 moves the (small) overhead of merging and pruning.",
                merges.join("; ")
            ),
        ])
    }
}
