//! Scoring predictions against measurements: per-case error, MAPE per group and overall,
//! and the seed papers' claims checked as ratios.

use std::collections::BTreeMap;

use super::data::{Case, KernelClass, ScanVariant};

/// One case, predicted.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// `case_id`.
    pub id: String,
    /// Reporting group ([`group`]).
    pub group: String,
    /// Measured median, µs.
    pub measured_us: f64,
    /// Model, µs.
    pub predicted_us: f64,
}

impl CaseResult {
    /// Signed error, percent of the measurement: `100·(predicted − measured)/measured`.
    pub fn error_pct(&self) -> f64 {
        100.0 * (self.predicted_us - self.measured_us) / self.measured_us
    }
}

/// The group a case is scored in: its class, except that the scan is split by variant
/// (`scan` is the sequential kernel; `scan_assoc` the chunked associative scan and
/// `scan_step` the decode step, different algorithms with their own requests, reported
/// apart).
pub fn group(c: &Case) -> String {
    match (c.class, c.scan_variant()) {
        (KernelClass::Scan, Some(ScanVariant::Associative)) => "scan_assoc".into(),
        (KernelClass::Scan, Some(ScanVariant::Step)) => "scan_step".into(),
        (cls, _) => cls.name().into(),
    }
}

/// Mean absolute percentage error of `results`, percent (0 for none).
pub fn mape(results: &[&CaseResult]) -> f64 {
    if results.is_empty() {
        return 0.0;
    }
    results.iter().map(|r| r.error_pct().abs()).sum::<f64>() / results.len() as f64
}

/// MAPE per group, in name order: (group, cases, MAPE %).
pub fn mape_by_group(results: &[CaseResult]) -> Vec<(String, usize, f64)> {
    let mut by: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        by.entry(r.group.as_str()).or_default().push(r);
    }
    by.into_iter()
        .map(|(g, rs)| (g.to_string(), rs.len(), mape(&rs)))
        .collect()
}

/// Which claim a ratio checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Claim {
    /// MBQ: a fused `bits`-bit GEMV over the fp16 GEMV of the same shape, at batch `m`.
    FusedGemv {
        /// Weight bits.
        bits: u32,
        /// Activation rows.
        m: u64,
    },
    /// FrameFusion: attention at `dense` tokens over `reduced` tokens.
    TokenReduction {
        /// Tokens before the reduction.
        dense: u64,
        /// Tokens after it.
        reduced: u64,
    },
}

impl Claim {
    /// A one-line description.
    pub fn describe(&self) -> String {
        match *self {
            Claim::FusedGemv { bits, m } => format!("fused W{bits} GEMV vs fp16, m{m}"),
            Claim::TokenReduction { dense, reduced } => {
                format!("attention N{dense} vs N{reduced} (70 % fewer vision tokens)")
            }
        }
    }
}

/// A speed-up claim checked on the data: `baseline / improved`, measured and predicted.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    /// The claim.
    pub claim: Claim,
    /// What is compared (`w3 vs fp16 gemv, llama2_7b qkvo_proj m1`).
    pub what: String,
    /// Baseline case id.
    pub baseline: String,
    /// Improved case id.
    pub improved: String,
    /// Measured speed-up.
    pub measured: f64,
    /// Predicted speed-up.
    pub predicted: f64,
}

/// Token counts of FrameFusion's claim on LLaVA-Video-7B: 64 frames × 210 vision tokens
/// plus 128 text tokens = 13568 dense; keeping 30 % of the vision tokens gives 4032 plus
/// 128 = 4160 (`validation/gpu/cases.py`).
pub const FRAMEFUSION_TOKENS: (u64, u64) = (13568, 4160);

/// The claims in `cases`/`results` (same order): for every `qgemv` row, the fp16 `gemv`
/// row of the same `m`, `n`, `k` (and `op` where one matches) over it (MBQ: fused W3 GEMV 1.4× over fp16 on an RTX
/// 4090); for each attention shape measured at both [`FRAMEFUSION_TOKENS`], the dense
/// time over the reduced one (FrameFusion's 70 % token reduction).
pub fn claims(cases: &[Case], results: &[CaseResult]) -> Vec<Ratio> {
    let mut out = Vec::new();
    let pair = |claim: Claim, what: String, base: usize, imp: usize| Ratio {
        claim,
        what,
        baseline: results[base].id.clone(),
        improved: results[imp].id.clone(),
        measured: results[base].measured_us / results[imp].measured_us,
        predicted: results[base].predicted_us / results[imp].predicted_us,
    };
    for (i, q) in cases.iter().enumerate() {
        if q.class != KernelClass::Qgemv {
            continue;
        }
        // The fp16 GEMV of the same shape; of the harness's two weight layouts, the one of
        // the same projection (`op`): W[k, n], as the packed low-bit weights are stored.
        let same_shape = |g: &&Case| {
            g.class == KernelClass::Gemv && g.dtype == q.dtype && (g.m, g.n, g.k) == (q.m, q.n, q.k)
        };
        let base = cases
            .iter()
            .position(|g| same_shape(&g) && g.op == q.op)
            .or_else(|| cases.iter().position(|g| same_shape(&g)));
        if let Some(b) = base {
            let what = format!(
                "w{} vs {} gemv, m{} n{} k{}",
                q.weight_bits, q.dtype, q.m, q.n, q.k
            );
            let claim = Claim::FusedGemv {
                bits: q.weight_bits,
                m: q.m,
            };
            out.push(pair(claim, what, b, i));
        }
    }
    let (dense, reduced) = FRAMEFUSION_TOKENS;
    for (i, a) in cases.iter().enumerate() {
        if a.class != KernelClass::Attention || a.seq_len != dense {
            continue;
        }
        let red = cases.iter().position(|r| {
            r.class == KernelClass::Attention
                && r.seq_len == reduced
                && (r.batch, r.heads, r.kv_heads, r.head_dim, r.dtype)
                    == (a.batch, a.heads, a.kv_heads, a.head_dim, a.dtype)
        });
        if let Some(r) = red {
            let what = format!(
                "attention N{dense} vs N{reduced} (70 % fewer vision tokens), h{} kv{} d{}",
                a.heads, a.kv_heads, a.head_dim
            );
            out.push(pair(Claim::TokenReduction { dense, reduced }, what, i, r));
        }
    }
    out
}

/// One line per claim: the geometric mean of its ratios, `(claim, ratios, measured,
/// predicted)`, in claim order.
pub fn claim_summary(ratios: &[Ratio]) -> Vec<(Claim, usize, f64, f64)> {
    let mut claims: Vec<Claim> = ratios.iter().map(|r| r.claim).collect();
    claims.sort();
    claims.dedup();
    claims
        .into_iter()
        .map(|c| {
            let rs: Vec<&Ratio> = ratios.iter().filter(|r| r.claim == c).collect();
            let (m, p) = geomean(&rs);
            (c, rs.len(), m, p)
        })
        .collect()
}

/// Geometric mean of the measured and predicted ratios of `ratios` (1 for none).
pub fn geomean(ratios: &[&Ratio]) -> (f64, f64) {
    if ratios.is_empty() {
        return (1.0, 1.0);
    }
    let n = ratios.len() as f64;
    let m = ratios.iter().map(|r| r.measured.ln()).sum::<f64>() / n;
    let p = ratios.iter().map(|r| r.predicted.ln()).sum::<f64>() / n;
    (m.exp(), p.exp())
}
