//! The ablation of MARCA's three ideas (`marca-ablation.toml`): each variant's latency
//! and DRAM traffic relative to MARCA at the same point, and the claims they give.

use anyhow::Result;

use super::super::rows::Rows;
use super::super::{Check, Claim};
use super::{MARCA, holds};

/// The ablation variants of `marca-ablation.toml`: (arch value, inter-op buffering, label).
pub const VARIANTS: [(&str, &str, &str); 4] = [
    ("marca-variants/no-bypass.toml", "true", "no tree bypass"),
    (
        "marca-variants/nonlinear-unit.toml",
        "true",
        "exp/SiLU on a 64-lane unit",
    ),
    (
        "marca-variants/exp-unit-per-pe.toml",
        "true",
        "exp/SiLU unit in every PE",
    ),
    (MARCA, "false", "no inter-op buffering"),
];

/// One ablation variant at one point: its latency and DRAM bytes ÷ MARCA's.
#[derive(Clone, Debug)]
pub struct Ablated {
    /// Variant label ([`VARIANTS`]).
    pub label: &'static str,
    /// Point label, e.g. `130M, L=2048`.
    pub point: String,
    /// Latency ÷ MARCA's.
    pub slowdown: f64,
    /// DRAM bytes ÷ MARCA's.
    pub dram: f64,
}

/// The ablation's rows, relative to MARCA at the same point.
pub struct Ablation {
    /// Every variant at every point.
    pub rows: Vec<Ablated>,
}

pub(super) fn figures(a: &Rows) -> Result<Ablation> {
    let mut rows = Vec::new();
    for m in ["mamba-130m", "mamba-2.8b"] {
        for l in ["2048", "8192"] {
            let at = |arch: &str, buf: &str, col: &str| {
                a.value(
                    &[
                        ("arch", arch),
                        ("workload.inter_op_buffering", buf),
                        ("workload.model", m),
                        ("workload.prompt", l),
                    ],
                    col,
                )
            };
            let point = format!("{}, L={l}", m.trim_start_matches("mamba-").to_uppercase());
            for (arch, buf, label) in VARIANTS {
                let rel = |col: &str| {
                    Ok::<_, anyhow::Error>(at(arch, buf, col)? / at(MARCA, "true", col)?)
                };
                rows.push(Ablated {
                    label,
                    point: point.clone(),
                    slowdown: rel("latency_s")?,
                    dram: rel("dram_bytes")?,
                });
            }
        }
    }
    Ok(Ablation { rows })
}

impl Ablation {
    /// (min, max) of `f` over the points of variant `label`.
    pub fn range(&self, label: &str, f: fn(&Ablated) -> f64) -> (f64, f64) {
        self.rows
            .iter()
            .filter(|r| r.label == label)
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(x), hi.max(x))
            })
    }

    pub(super) fn claims(&self) -> Vec<Claim> {
        let src = "MARCA, arXiv 2409.11440, ideas (1)–(3); marca-ablation.toml";
        let (bp_lo, bp_hi) = self.range(VARIANTS[0].2, |r| r.slowdown);
        let (nl_lo, nl_hi) = self.range(VARIANTS[1].2, |r| r.slowdown);
        let (pp_lo, pp_hi) = self.range(VARIANTS[2].2, |r| r.slowdown);
        let (bf_lo, bf_hi) = self.range(VARIANTS[3].2, |r| r.slowdown);
        let (dr_lo, dr_hi) = self.range(VARIANTS[3].2, |r| r.dram);
        let sim = |what: &str, v: f64, note: String| Claim {
            what: what.into(),
            paper: None,
            paper_text: "not published".into(),
            simulated: v,
            unit: "×".into(),
            check: Check::Report,
            source: src.into(),
            note,
        };
        let holds_at = |what: &str, ok: bool, note: String| {
            let mut c = holds(what, ok, note);
            c.source = src.into();
            c
        };
        vec![
            holds_at(
                "tree bypass: removing it slows every ablation point",
                bp_lo > 1.0,
                format!("latency × {bp_lo:.2}–{bp_hi:.2}"),
            ),
            sim(
                "tree bypass: latency without it, max over ablation points",
                bp_hi,
                format!(
                    "{bp_lo:.2}–{bp_hi:.2}×: the selective scan's element-wise work drops from \
                     4 096 PEs to the tree's 64 outputs"
                ),
            ),
            holds_at(
                "PE-reused exp/SiLU: a 64-lane exp/SiLU unit instead slows every point",
                nl_lo > 1.0,
                format!("latency × {nl_lo:.2}–{nl_hi:.2}"),
            ),
            sim(
                "PE-reused exp/SiLU: latency with a 64-lane unit, max over ablation points",
                nl_hi,
                format!(
                    "{nl_lo:.2}–{nl_hi:.2}×; a unit in every PE instead runs at \
                     {pp_lo:.2}–{pp_hi:.2}× of MARCA's latency but costs ~30 % more PE area \
                     (the paper's exp-unit area; arch has no area model)"
                ),
            ),
            holds_at(
                "inter-op buffering: removing it adds DRAM traffic at every point",
                dr_lo > 1.0,
                format!("DRAM bytes × {dr_lo:.3}–{dr_hi:.3}"),
            ),
            sim(
                "inter-op buffering: latency without it, max over ablation points",
                bf_hi,
                format!(
                    "{bf_lo:.3}–{bf_hi:.3}×: prefill is bound by the projections' compute, so \
                     the extra DRAM traffic mostly hides under it"
                ),
            ),
        ]
    }
}
