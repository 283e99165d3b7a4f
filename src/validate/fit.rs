//! Calibration: a deterministic 50/50 split of the cases and a derivative-free fit of the
//! GPU preset's `[gpu.efficiency]` parameters (and the host's launch gap, a
//! [`Composition`] parameter) on the training half.
//!
//! # Split
//! Cases are grouped by [`score::group`]; inside a group they are ordered by
//! `splitmix64(fnv1a(case_id) ⊕ splitmix64(seed))` and the first `⌈n/2⌉` train, the rest
//! are held out. The split depends only on the case ids and the seed, not on file order.
//!
//! # Objective
//! The mean over the training groups of each group's MAPE, so that 5 attention cases
//! weigh as much as 110 GEMVs. Groups the model does not describe ([`FIT_EXCLUDED`]; none
//! at present) are left out.
//!
//! # Minimiser
//! A compass (pattern) search in the box of [`Param::range`], each parameter scaled to
//! [0, 1]: from the preset's values, try `±step` on each parameter in a fixed order and
//! keep the first strict improvement; when a sweep improves nothing, halve every step.
//! Start step 1/4, stop when steps fall below [`MIN_STEP`] or after [`MAX_SWEEPS`]
//! sweeps. MAPE is not differentiable, and the search is deterministic (no random
//! restarts). Fitted values are rounded to 4 significant digits before they are
//! reported or written, so the held-out figures are those of the written preset.

use arch::gpu::{Gpu, GpuSpec};

use super::data::Case;
use super::predict::{Composition, predict_us};
use super::score::{self, CaseResult};

/// Groups left out of the fit objective: those the model does not describe (none: the
/// chunked associative scan, once left out, is modelled).
pub const FIT_EXCLUDED: [&str; 0] = [];

/// Smallest step of the search, in units of a parameter's range.
pub const MIN_STEP: f64 = 1e-4;
/// Restarts of the search from its result with the first step (escapes some of the
/// valleys a compass search stalls in).
pub const RESTARTS: usize = 2;
/// Most sweeps of the search.
pub const MAX_SWEEPS: usize = 400;

/// A fitted parameter: a `[gpu.efficiency]` key or a [`Composition`] field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Param {
    /// `tensor`.
    Tensor,
    /// `attention`.
    Attention,
    /// `alu`.
    Alu,
    /// `mem_bandwidth`.
    MemBandwidth,
    /// `launch_overhead_us`.
    LaunchOverheadUs,
    /// `stepwise_scan_step_cycles` (the harness's sequential scan is the stepwise loop;
    /// Mamba's `scan_step_cycles` is not measured, so not fitted).
    StepwiseScanStepCycles,
    /// `dequant_alu`.
    DequantAlu,
    /// `softmax_bandwidth`.
    SoftmaxBandwidth,
    /// `blas_bandwidth`.
    BlasBandwidth,
    /// `mem_latency_cycles`.
    MemLatencyCycles,
    /// [`Composition::host_launch_gap_us`].
    HostLaunchGapUs,
    /// `stream_launch_overhead_us`.
    StreamLaunchOverheadUs,
}

impl Param {
    /// Every parameter, in search order.
    pub const ALL: [Param; 12] = [
        Param::MemBandwidth,
        Param::LaunchOverheadUs,
        Param::Tensor,
        Param::Attention,
        Param::Alu,
        Param::DequantAlu,
        Param::SoftmaxBandwidth,
        Param::BlasBandwidth,
        Param::MemLatencyCycles,
        Param::StepwiseScanStepCycles,
        Param::StreamLaunchOverheadUs,
        Param::HostLaunchGapUs,
    ];

    /// Its key: the `[gpu.efficiency]` field, or the composition field.
    pub fn key(self) -> &'static str {
        match self {
            Param::Tensor => "tensor",
            Param::Attention => "attention",
            Param::Alu => "alu",
            Param::MemBandwidth => "mem_bandwidth",
            Param::LaunchOverheadUs => "launch_overhead_us",
            Param::StepwiseScanStepCycles => "stepwise_scan_step_cycles",
            Param::DequantAlu => "dequant_alu",
            Param::SoftmaxBandwidth => "softmax_bandwidth",
            Param::BlasBandwidth => "blas_bandwidth",
            Param::MemLatencyCycles => "mem_latency_cycles",
            Param::HostLaunchGapUs => "host_launch_gap_us",
            Param::StreamLaunchOverheadUs => "stream_launch_overhead_us",
        }
    }

    /// Whether it lives in `[gpu.efficiency]` (else in [`Composition`]: the host gap).
    pub fn in_preset(self) -> bool {
        self != Param::HostLaunchGapUs
    }

    /// The search box `(lo, hi)`: fractions in [0.05, 1], times in µs, cycles.
    pub fn range(self) -> (f64, f64) {
        match self {
            Param::LaunchOverheadUs | Param::StreamLaunchOverheadUs => (0.0, 20.0),
            Param::HostLaunchGapUs => (0.0, 50.0),
            Param::StepwiseScanStepCycles | Param::MemLatencyCycles => (0.0, 4000.0),
            _ => (0.05, 1.0),
        }
    }
}

/// Everything a prediction depends on: the GPU section (its efficiency table edited by
/// the fit) and the composition parameters.
#[derive(Clone, Debug)]
pub struct Model {
    /// Platform name (for the GPU's name).
    pub name: String,
    /// The `[gpu]` section.
    pub spec: GpuSpec,
    /// Launch composition.
    pub comp: Composition,
}

impl Model {
    /// A model of `gpu` with composition `comp`.
    pub fn new(gpu: &Gpu, comp: Composition) -> Model {
        let mut spec = gpu.spec().clone();
        // Make every efficiency explicit, so that the fit edits resolved values.
        let e = gpu.efficiency();
        let s = &mut spec.efficiency;
        s.tensor = Some(e.tensor);
        s.attention = Some(e.attention);
        s.alu = Some(e.alu);
        s.mem_bandwidth = Some(e.mem_bandwidth);
        s.launch_overhead_us = Some(e.launch_overhead_us);
        s.stream_launch_overhead_us = Some(e.stream_launch_overhead_us);
        s.scan_step_cycles = Some(e.scan_step_cycles);
        s.stepwise_scan_step_cycles = Some(e.stepwise_scan_step_cycles);
        s.dequant_alu = Some(e.dequant_alu);
        s.softmax_bandwidth = Some(e.softmax_bandwidth);
        s.blas_bandwidth = Some(e.blas_bandwidth);
        s.mem_latency_cycles = Some(e.mem_latency_cycles);
        Model {
            name: gpu.gpu_name().to_string(),
            spec,
            comp,
        }
    }

    /// The validated GPU.
    pub fn gpu(&self) -> anyhow::Result<Gpu> {
        Ok(self.spec.validate("gpu")?.named(&self.name))
    }

    fn slot(&mut self, p: Param) -> &mut f64 {
        let e = &mut self.spec.efficiency;
        let opt = match p {
            Param::Tensor => &mut e.tensor,
            Param::Attention => &mut e.attention,
            Param::Alu => &mut e.alu,
            Param::MemBandwidth => &mut e.mem_bandwidth,
            Param::LaunchOverheadUs => &mut e.launch_overhead_us,
            Param::StepwiseScanStepCycles => &mut e.stepwise_scan_step_cycles,
            Param::DequantAlu => &mut e.dequant_alu,
            Param::SoftmaxBandwidth => &mut e.softmax_bandwidth,
            Param::BlasBandwidth => &mut e.blas_bandwidth,
            Param::MemLatencyCycles => &mut e.mem_latency_cycles,
            Param::HostLaunchGapUs => return &mut self.comp.host_launch_gap_us,
            Param::StreamLaunchOverheadUs => &mut e.stream_launch_overhead_us,
        };
        opt.get_or_insert(0.0)
    }

    /// The value of `p`.
    pub fn get(&self, p: Param) -> f64 {
        let e = &self.spec.efficiency;
        let v = match p {
            Param::Tensor => e.tensor,
            Param::Attention => e.attention,
            Param::Alu => e.alu,
            Param::MemBandwidth => e.mem_bandwidth,
            Param::LaunchOverheadUs => e.launch_overhead_us,
            Param::StepwiseScanStepCycles => e.stepwise_scan_step_cycles,
            Param::DequantAlu => e.dequant_alu,
            Param::SoftmaxBandwidth => e.softmax_bandwidth,
            Param::BlasBandwidth => e.blas_bandwidth,
            Param::MemLatencyCycles => e.mem_latency_cycles,
            Param::HostLaunchGapUs => Some(self.comp.host_launch_gap_us),
            Param::StreamLaunchOverheadUs => e.stream_launch_overhead_us,
        };
        v.unwrap_or(0.0)
    }

    /// Sets `p` to `v`.
    pub fn set(&mut self, p: Param, v: f64) {
        *self.slot(p) = v;
    }

    /// Predicts `cases`.
    pub fn predict(&self, cases: &[Case]) -> anyhow::Result<Vec<CaseResult>> {
        let gpu = self.gpu()?;
        cases
            .iter()
            .map(|c| {
                Ok(CaseResult {
                    id: c.id.clone(),
                    group: score::group(c),
                    measured_us: c.measured_us,
                    predicted_us: predict_us(&gpu, &self.comp, c)?,
                })
            })
            .collect()
    }
}

/// FNV-1a, 64 bits.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64's finaliser.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether each case trains (true) or is held out (see the module docs).
pub fn split(cases: &[Case], seed: u64) -> Vec<bool> {
    let key = |c: &Case| splitmix64(fnv1a(&c.id) ^ splitmix64(seed));
    let mut train = vec![false; cases.len()];
    let mut groups: Vec<String> = cases.iter().map(score::group).collect();
    groups.sort();
    groups.dedup();
    for g in groups {
        let mut idx: Vec<usize> = (0..cases.len())
            .filter(|&i| score::group(&cases[i]) == g)
            .collect();
        idx.sort_by_key(|&i| (key(&cases[i]), cases[i].id.clone()));
        for &i in idx.iter().take(idx.len().div_ceil(2)) {
            train[i] = true;
        }
    }
    train
}

/// Training cases at which a group gets its full weight in the objective.
pub const FULL_WEIGHT_CASES: usize = 5;

/// The objective: the mean over groups (not in [`FIT_EXCLUDED`]) of the group MAPE,
/// percent, each group weighted by `min(cases, FULL_WEIGHT_CASES)`: groups of five or more
/// training cases weigh the same, whatever their size, and a group of one case (a single,
/// noisy measurement) cannot move the shared parameters as much as a group of fifty.
pub fn objective(results: &[CaseResult]) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (g, n, m) in score::mape_by_group(results) {
        if FIT_EXCLUDED.contains(&g.as_str()) {
            continue;
        }
        let w = n.min(FULL_WEIGHT_CASES) as f64;
        sum += w * m;
        weights += w;
    }
    if weights > 0.0 { sum / weights } else { 0.0 }
}

/// `v` rounded to 4 significant digits.
pub fn round4(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(3 - v.abs().log10().floor() as i32);
    (v * mag).round() / mag
}

/// The outcome of a fit.
#[derive(Clone, Debug)]
pub struct Fit {
    /// The fitted model (values rounded, [`round4`]).
    pub model: Model,
    /// Objective on the training half before and after, percent.
    pub train_objective: (f64, f64),
    /// Objective evaluations spent.
    pub evaluations: usize,
}

/// Fits `params` of `start` to `train` (see the module docs).
pub fn fit(start: &Model, train: &[Case], params: &[Param]) -> anyhow::Result<Fit> {
    let mut model = start.clone();
    let eval = |m: &Model| -> anyhow::Result<f64> { Ok(objective(&m.predict(train)?)) };
    let before = eval(&model)?;
    let mut best = before;
    let mut evaluations = 1;
    let scale = |p: Param, v: f64| {
        let (lo, hi) = p.range();
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    };
    let unscale = |p: Param, u: f64| {
        let (lo, hi) = p.range();
        lo + u.clamp(0.0, 1.0) * (hi - lo)
    };
    let mut u: Vec<f64> = params.iter().map(|&p| scale(p, model.get(p))).collect();
    let mut step = 0.25;
    let mut restarts = 0;
    for _ in 0..MAX_SWEEPS {
        let mut improved = false;
        for (i, &p) in params.iter().enumerate() {
            for dir in [1.0, -1.0] {
                let cand = (u[i] + dir * step).clamp(0.0, 1.0);
                if cand == u[i] {
                    continue;
                }
                let mut m = model.clone();
                m.set(p, unscale(p, cand));
                evaluations += 1;
                let Ok(f) = eval(&m) else { continue };
                if f < best {
                    best = f;
                    u[i] = cand;
                    model = m;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            step /= 2.0;
            if step < MIN_STEP {
                if restarts == RESTARTS {
                    break;
                }
                restarts += 1;
                step = 0.25;
            }
        }
    }
    for &p in params {
        let v = round4(model.get(p));
        model.set(p, v);
    }
    let after = eval(&model)?;
    Ok(Fit {
        model,
        train_objective: (before, after),
        evaluations,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rounding_keeps_four_digits() {
        assert_eq!(round4(0.123456), 0.1235);
        assert_eq!(round4(281.27), 281.3);
        assert_eq!(round4(0.0), 0.0);
    }

    fn case(id: &str, class: &str) -> Case {
        let head = "case_id,kernel_class,dtype,m,n,k,median_us,device\n";
        let t = format!("{head}{id},{class},fp16,1,64,64,5,x\n");
        super::super::data::parse(&t, "t").unwrap().cases.remove(0)
    }

    #[test]
    fn split_takes_the_larger_half_of_each_class_whatever_the_order() {
        let mut cases: Vec<Case> = (0..5).map(|i| case(&format!("g{i}"), "gemv")).collect();
        cases.extend((0..2).map(|i| case(&format!("m{i}"), "gemm")));
        let s = split(&cases, 1);
        assert_eq!(s[..5].iter().filter(|t| **t).count(), 3);
        assert_eq!(s[5..].iter().filter(|t| **t).count(), 1);
        // Reversing the file keeps every case's side.
        let rev: Vec<Case> = cases.iter().rev().cloned().collect();
        let r = split(&rev, 1);
        let back: Vec<bool> = r.into_iter().rev().collect();
        assert_eq!(back, s);
    }

    #[test]
    fn hashes_are_the_published_ones() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (Fowler/Noll/Vo test vectors).
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        // SplitMix64 from state 0: first output 0xe220a8397b1dcdaf (Vigna's reference).
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
    }
}
