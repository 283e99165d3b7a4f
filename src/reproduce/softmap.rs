//! SoftmAP (arXiv 2411.17847): SoftmAP's integer-only softmax on an associative processor
//! (the `imc-softmap` preset, `arch::imc::assoc`) against float softmax on an A100 and
//! an RTX 3090, Llama-2-7B/13B attention shapes, L = 128 … 4096, batch 1 … 32
//! (`sweeps/specs/softmap.toml`); the AP's unpublished size as an axis
//! (`softmap-ap-size.toml`); the softmax's share of a whole prefill step on a GPU
//! (`softmap-share.toml`); and the numerics of the integer softmax measured against f64.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, anyhow};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use reports::{GroupedBarsConfig, ScatterConfig, grouped_bars, scatter};

use super::draw::{Size, figure};
use super::rows::{PlotTable, Row, Rows, min_max};
use super::{Check, Claim, Context, Outcome, run_spec};

const SOURCE: &str = "SoftmAP, arXiv 2411.17847, abstract";
const GPUS: [(&str, &str); 2] = [("a100-sxm4-80gb", "A100"), ("rtx-3090", "RTX 3090")];
const AP: &str = "imc-softmap";
/// papers.md's wording of the softmax-share figure.
const SHARE_SOURCE: &str =
    "SoftmAP, arXiv 2411.17847 (papers.md: \"up to 38 % of LLM runtime at long sequences\")";
/// Llama-2's maximum context, tokens (its config's `max_position_embeddings`).
const MAX_CONTEXT: u64 = 4096;

/// The length at which `points` (length, share %) first reach `target`, interpolated
/// linearly in log length between the two sweep points around it.
fn crossing(points: &[(u64, f64)], target: f64) -> Option<f64> {
    let mut p: Vec<(u64, f64)> = points.to_vec();
    p.sort_by_key(|x| x.0);
    p.windows(2).find_map(|w| {
        let ((l0, s0), (l1, s1)) = (w[0], w[1]);
        (s0 < target && s1 >= target).then(|| {
            let (a, b) = ((l0 as f64).ln(), (l1 as f64).ln());
            (a + (b - a) * (target - s0) / (s1 - s0)).exp()
        })
    })
}

/// (heads, batch, L).
type Shape = (u64, u64, u64);

/// Delay and energy of one softmax.
#[derive(Clone, Copy, Debug)]
struct Meas {
    seconds: f64,
    joules: f64,
}

impl Meas {
    /// The delay (`latency_s`) and energy (`energy_j`) of a sweep row.
    fn of(r: &Row) -> Result<Meas> {
        Ok(Meas {
            seconds: r.num("latency_s")?,
            joules: r.num("energy_j")?,
        })
    }

    fn edp(self) -> f64 {
        self.seconds * self.joules
    }
}

/// A GPU's figure over the AP's at one shape (> 1: the AP is better).
#[derive(Clone, Copy, Debug)]
struct Gain {
    shape: Shape,
    edp: f64,
    energy: f64,
    delay: f64,
}

struct Kernels {
    ap: BTreeMap<Shape, Meas>,
    /// (arch, dtype, shape).
    gpu: BTreeMap<(String, String, Shape), Meas>,
}

impl Kernels {
    fn read(rows: &Rows) -> Result<Kernels> {
        let mut k = Kernels {
            ap: BTreeMap::new(),
            gpu: BTreeMap::new(),
        };
        for r in rows.iter() {
            let shape = (
                r.int("workload.heads")?,
                r.int("workload.batch")?,
                r.int("workload.len")?,
            );
            let m = Meas::of(&r)?;
            let arch = r.text("arch")?;
            if arch == AP {
                k.ap.insert(shape, m);
            } else {
                k.gpu.insert((arch, r.text("workload.dtype")?, shape), m);
            }
        }
        Ok(k)
    }

    /// Gains of the AP over `gpu` in `dtype` at every shape both ran.
    fn gains(&self, ap: &BTreeMap<Shape, Meas>, gpu: &str, dtype: &str) -> Vec<Gain> {
        ap.iter()
            .filter_map(|(&shape, a)| {
                let g = self.gpu.get(&(gpu.to_string(), dtype.to_string(), shape))?;
                Some(Gain {
                    shape,
                    edp: g.edp() / a.edp(),
                    energy: g.joules / a.joules,
                    delay: g.seconds / a.seconds,
                })
            })
            .collect()
    }
}

fn best(gains: &[Gain]) -> Result<Gain> {
    gains
        .iter()
        .copied()
        .max_by(|a, b| a.edp.total_cmp(&b.edp))
        .ok_or_else(|| anyhow!("no AP/GPU pair of points to compare"))
}

fn range(gains: &[Gain], f: impl Fn(&Gain) -> f64) -> (f64, f64) {
    min_max(gains.iter().map(f)).unwrap_or((f64::NAN, f64::NAN))
}

fn where_(s: Shape) -> String {
    let model = if s.0 == 40 { "13B" } else { "7B" };
    format!("Llama-2-{model}, L = {}, batch {}", s.2, s.1)
}

/// Runs the reproduction.
pub fn run(ctx: &Context) -> Result<Outcome> {
    let kernels = Kernels::read(&Rows::all_ok(run_spec(ctx, "softmap.toml", "kernels")?)?)?;
    let sizes = Rows::all_ok(run_spec(ctx, "softmap-ap-size.toml", "ap-size")?)?;
    let share = Rows::all_ok(run_spec(ctx, "softmap-share.toml", "share")?)?;
    let num = numerics()?;

    let mut claims = Vec::new();
    let mut findings = Vec::new();
    let mut per_gpu = Vec::new();
    for (gpu, label) in GPUS {
        let g16 = kernels.gains(&kernels.ap, gpu, "fp16");
        let g32 = kernels.gains(&kernels.ap, gpu, "fp32");
        let (b16, b32) = (best(&g16)?, best(&g32)?);
        claims.push(Claim {
            what: format!("best softmax EDP, AP vs {label} (fp16 kernel), over the sweep"),
            paper: Some(1000.0),
            paper_text: "up to ≈ 10³× (three orders of magnitude)".into(),
            simulated: b16.edp,
            unit: "×".into(),
            check: Check::Report,
            source: SOURCE.into(),
            note: format!(
                "not asserted: the AP's size is not published and the EDP ratio grows with it \
                 (delay ∝ 1/arrays until every row has its own array, energy unchanged); at the \
                 preset's 64 arrays the best point is {} ({:.1}× lower energy, {:.2}× the delay); \
                 against PyTorch's fp32 softmax {:.1}× ({})",
                where_(b16.shape),
                b16.energy,
                1.0 / b16.delay,
                b32.edp,
                where_(b32.shape)
            ),
        });
        per_gpu.push((gpu, label, g16, g32));
    }
    // Orderings the paper states: less energy and better EDP than both GPUs.
    let all16: Vec<Gain> = per_gpu.iter().flat_map(|p| p.2.clone()).collect();
    let all32: Vec<Gain> = per_gpu.iter().flat_map(|p| p.3.clone()).collect();
    let (e_lo, e_hi) = range(&all16, |g| g.energy);
    let (d_lo, d_hi) = range(&all16, |g| 1.0 / g.delay);
    let (x32_lo, _) = range(&all32, |g| g.edp);
    let (x16_lo, _) = range(&all16, |g| g.edp);
    claims.push(Claim {
        what: "AP softmax energy below both GPUs' at every sweep point".into(),
        paper: None,
        paper_text: "AP better on energy (part of the EDP claim)".into(),
        simulated: f64::from(u8::from(e_lo > 1.0)),
        unit: String::new(),
        check: Check::Holds,
        source: SOURCE.into(),
        note: format!("{e_lo:.1}–{e_hi:.1}× less energy than the fp16 GPU kernels"),
    });
    claims.push(Claim {
        what: "AP softmax EDP better than both GPUs' fp32 softmax at every sweep point".into(),
        paper: None,
        paper_text: "better EDP than A100 and RTX 3090".into(),
        simulated: f64::from(u8::from(x32_lo > 1.0)),
        unit: String::new(),
        check: Check::Holds,
        source: SOURCE.into(),
        note: format!(
            "worst point {x32_lo:.2}× against fp32 softmax (how HuggingFace's Llama runs it); \
             against fused fp16 kernels the worst point is {x16_lo:.2}× (below 1: the GPU wins there)"
        ),
    });

    // The AP's size: the best EDP ratio vs the A100 (fp16) per number of arrays.
    let mut by_size: BTreeMap<u64, BTreeMap<Shape, Meas>> = BTreeMap::new();
    for r in sizes.iter() {
        let shape = (32, r.int("workload.batch")?, r.int("workload.len")?);
        by_size
            .entry(r.int("arch.assoc_processor.arrays")?)
            .or_default()
            .insert(shape, Meas::of(&r)?);
    }
    let mut size_best = Vec::new();
    for (&arrays, ap) in &by_size {
        let g = best(&kernels.gains(ap, GPUS[0].0, "fp16"))?;
        size_best.push((arrays, g));
    }
    let reach = size_best.iter().find(|(_, g)| g.edp >= 1000.0);
    claims.push(Claim {
        what: "AP arrays (of 4096 words) for a 10³× best EDP vs A100 (fp16), Llama-2-7B".into(),
        paper: None,
        paper_text: "not published".into(),
        simulated: reach.map_or(f64::NAN, |r| r.0 as f64),
        unit: "arrays".into(),
        check: Check::Report,
        source: "softmap-ap-size.toml".into(),
        note: size_best
            .iter()
            .map(|(a, g)| format!("{a} arrays: {:.0}× ({})", g.edp, where_(g.shape)))
            .collect::<Vec<_>>()
            .join("; "),
    });

    // Softmax share of a prefill step.
    let mut shares: Vec<(String, String, u64, f64)> = Vec::new();
    for r in share.iter() {
        shares.push((
            r.text("workload.attention")?,
            r.text("workload.model")?,
            r.int("workload.prompt")?,
            100.0 * r.num("op_softmax_s")? / r.num("latency_s")?,
        ));
    }
    // Llama-2's own maximum context: the paper does not say at which length its 38 % was
    // measured, so the claim is compared where the model can run.
    let at = |att: &str, model: &str, prompt: u64| {
        shares
            .iter()
            .find(|s| s.0 == att && s.1 == model && s.2 == prompt)
            .map(|s| s.3)
            .ok_or_else(|| anyhow!("no `{att}` {model} row at {prompt} tokens in the share sweep"))
    };
    let (eager, unfused) = (
        at("eager", "llama2-7b", MAX_CONTEXT)?,
        at("unfused", "llama2-7b", MAX_CONTEXT)?,
    );
    let (eager_8k, eager_16k) = (
        at("eager", "llama2-7b", 8192)?,
        at("eager", "llama2-7b", 16384)?,
    );
    let eager_7b: Vec<(u64, f64)> = shares
        .iter()
        .filter(|s| s.0 == "eager" && s.1 == "llama2-7b")
        .map(|s| (s.2, s.3))
        .collect();
    let reach = match crossing(&eager_7b, 38.0) {
        Some(l) => format!(
            "it reaches 38 % near {l:.0} tokens (log-linear between sweep points), {:.1}× Llama-2's context",
            l / MAX_CONTEXT as f64
        ),
        None => "it does not reach 38 % within the sweep (≤ 16 384 tokens)".into(),
    };
    claims.push(Claim {
        what: format!(
            "softmax share of a prefill step, A100, eager attention, Llama-2-7B at {MAX_CONTEXT} tokens"
        ),
        paper: Some(38.0),
        paper_text: "up to 38 % at long sequences".into(),
        simulated: eager,
        unit: "%".into(),
        check: Check::Report,
        source: SHARE_SOURCE.into(),
        note: format!(
            "not asserted: the paper does not say at which length (or on which model and \
             implementation) the 38 % was measured, and at Llama-2's maximum context of \
             {MAX_CONTEXT} tokens the simulated share is {eager:.1} % (ratio {:.2}, outside ±30 %); \
             beyond the model's context the same graph gives {eager_8k:.1} % at 8 192 and \
             {eager_16k:.1} % at 16 384 tokens, so {reach}. Eager = HuggingFace's eager \
             attention (whole L × L rectangle, fp32 softmax); the fp32→fp16 cast after the \
             softmax is not counted, so the share is a lower bound",
            eager / 38.0
        ),
    });
    claims.push(Claim {
        what: format!(
            "softmax share with causal-aware fp16 kernels, Llama-2-7B at {MAX_CONTEXT} tokens"
        ),
        paper: Some(38.0),
        paper_text: "up to 38 %".into(),
        simulated: unfused,
        unit: "%".into(),
        check: Check::Report,
        source: SHARE_SOURCE.into(),
        note: "the lower end: kernels that skip the masked half of the scores and keep them \
               in fp16 do a quarter of eager attention's softmax traffic"
            .into(),
    });
    claims.push(Claim {
        what: format!(
            "integer softmax (M = 8) max |error| vs f64 softmax, {} rows of L = 128 … 4096",
            num.rows
        ),
        paper: None,
        paper_text: "no accuracy loss claimed".into(),
        simulated: num.max_err,
        unit: "(probability)".into(),
        check: Check::Report,
        source: "workloads::int_softmax; bounds in workloads/tests/it/int_softmax.rs".into(),
        note: format!(
            "worst row: L = {}, logits ~ N(0, {}²); mean |error| {:.2e}",
            num.worst.0, num.worst.1, num.mean_err
        ),
    });
    claims.push(Claim {
        what: format!(
            "AP bit-level emulator = integer-softmax references, {} rows of {}",
            num.emulated_rows, num.emulated_len
        ),
        paper: None,
        paper_text: "the algorithm of int_softmax.py".into(),
        simulated: f64::from(u8::from(num.bit_exact)),
        unit: String::new(),
        check: Check::Holds,
        source: "arch::imc::assoc::emulate, arch::imc::assoc::numerics, workloads::int_softmax"
            .into(),
        note: "every output identical (units of 2⁻²⁰) across the CAM emulator, arch's \
               reference and workloads' reference"
            .into(),
    });

    let plots = plot(ctx, &kernels, &per_gpu, &size_best, &shares)?;

    let b_a100 = best(&per_gpu[0].2)?;
    findings.push(format!(
        "Energy matches the paper's direction: the AP's softmax uses {e_lo:.0}–{e_hi:.0}× less \
         energy than the GPUs' fp16 kernels (a few fJ per word per compare/write pass against \
         ~4 bytes of HBM/GDDR traffic and idle power per element). Delay does not: with the \
         preset's 64 arrays the AP is {d_lo:.1}–{d_hi:.0}× slower, because a layer's batch × \
         heads × L rows run in rounds of 64 arrays (one 4096-element row, or several shorter \
         ones, per array), each round a bit-serial pass sequence dominated by the restoring \
         division of the output (21 quotient bits of ≈ 16 passes per bit of the row sum). The \
         best EDP ratio is therefore {:.1}× vs the A100 ({}), not 10³×.",
        b_a100.edp,
        where_(b_a100.shape)
    ));
    findings.push(format!(
        "Which assumption explains the gap: the AP's size, which SoftmAP does not publish. The \
         EDP ratio scales with the number of arrays until every row has its own: {}. A 10³× \
         ratio needs the AP to hold most of a layer's scores at once (gigabits of CAM), or a \
         GPU baseline measured with framework overhead and board power rather than kernel \
         time and energy (this model's GPU side is calibrated on measured PyTorch softmax \
         kernels, validation/README.md).",
        size_best
            .iter()
            .map(|(a, g)| format!("{a} arrays {:.0}×", g.edp))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    findings.push(format!(
        "The GPU baseline's precision matters: PyTorch's fp32 softmax (HuggingFace upcasts the \
         scores) doubles the GPU's bytes, so the AP's EDP advantage rises to {:.1}× at best and \
         never falls below {x32_lo:.1}×; against fused fp16 kernels the A100 wins at the \
         smallest rows at large batch (worst {x16_lo:.2}×).",
        best(&all32)?.edp
    ));
    findings.push(format!(
        "Softmax share (paper: up to 38 % at long sequences, length not published): at \
         Llama-2-7B's maximum context of {MAX_CONTEXT} tokens a prefill step on the A100 spends \
         {eager:.0} % in the softmax with HuggingFace-style eager attention and {unfused:.0} % \
         with causal-aware fp16 kernels — below the paper's figure (ratio {:.2}). The share \
         grows with L (the softmax is O(L²), the linear layers O(L)): {eager_8k:.0} % at 8 192 \
         and {eager_16k:.0} % at 16 384 tokens, beyond the model's context; {reach}. Which \
         assumption explains the gap: the paper's 38 % must come from longer sequences (or a \
         slower, unfused baseline) than Llama-2 runs natively. Decode steps and fused (flash) \
         attention have no comparable share.",
        eager / 38.0
    ));
    findings.push(format!(
        "Numerics: the integer softmax is implemented bit-exactly as specified (int_softmax.py \
         in papers.md) in workloads::int_softmax and arch::imc::assoc::numerics, and the AP's \
         CAM emulator executes it pass by pass with identical outputs; against f64 softmax its \
         largest error over {} attention-like rows is {:.3} (bounds derived and tested in \
         workloads/tests/it/int_softmax.rs: ≤ 0.022 on two-element rows, ≤ 0.05 on rows of ≤ 16 \
         logits, ≤ 0.12 on heavy-tailed 1 024-element rows; longer heavy-tailed rows lose a \
         little more mass), from the range reduction stepping by ⌊ln 2 / S⌋·S = 0.661 instead \
         of ln 2 and the truncating shift, both of which shrink the small exponentials.",
        num.rows, num.max_err
    ));
    let assumptions = vec![
        "The AP's organisation (64 arrays × 4096 words × 192 bits, 1 GHz, 16 nm) and its \
         per-pass energies are first-principles estimates (arch/presets/imc/imc-softmap.toml); \
         the number of arrays is swept in softmap-ap-size.toml."
            .into(),
        "One sweep point is the softmax of one attention layer in prefill: batch × heads × L \
         rows of L (the whole rectangle, as a kernel-level comparison computes it)."
            .into(),
        "GPU softmax in fp16 and in fp32 (the `workload.dtype` of the zip); GPU time is kernel \
         time with one launch, energy idle power × time plus per-operation and per-byte energy."
            .into(),
        "The softmax share uses whole prefill steps on the A100 with two attention \
         implementations (`workload.attention`: causal-aware fp16 kernels, HuggingFace eager)."
            .into(),
    ];
    Ok(Outcome {
        name: "softmap".into(),
        title: "SoftmAP — integer softmax on an associative processor vs A100 / RTX 3090".into(),
        command: "silica reproduce softmap".into(),
        claims,
        tables: Vec::new(),
        plots,
        findings,
        assumptions,
    })
}

/// The integer softmax against f64, and the AP emulator against the references.
struct Numerics {
    rows: usize,
    max_err: f64,
    mean_err: f64,
    /// (L, σ) of the worst row.
    worst: (usize, f64),
    emulated_rows: usize,
    emulated_len: usize,
    bit_exact: bool,
}

/// A standard normal sample (Box–Muller).
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = rng.random_range(1e-12..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn numerics() -> Result<Numerics> {
    use workloads::int_softmax::{int_softmax, int_softmax_raw, softmax_f64};
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2411);
    let (mut max_err, mut sum_err, mut n_err, mut worst, mut rows) =
        (0.0, 0.0, 0usize, (0, 0.0), 0);
    for len in [128usize, 512, 2048, 4096] {
        for sigma in [1.0, 2.0, 3.0] {
            for _ in 0..8 {
                let row: Vec<f64> = (0..len).map(|_| sigma * normal(&mut rng)).collect();
                let a = int_softmax(&row, 8).map_err(|e| anyhow!("{e}"))?;
                let b = softmax_f64(&row);
                for (x, y) in a.iter().zip(&b) {
                    let e = (x - y).abs();
                    sum_err += e;
                    n_err += 1;
                    if e > max_err {
                        max_err = e;
                        worst = (len, sigma);
                    }
                }
                rows += 1;
            }
        }
    }
    // Bit-exactness: integer scores on the S grid through the CAM emulator, arch's
    // reference and workloads' reference (on x = s·S).
    let (n_rows, len, m_bits) = (4usize, 64usize, 8u32);
    let scale = 7.0 / 127.0;
    let grid: Vec<Vec<i64>> = (0..n_rows)
        .map(|_| {
            (0..len)
                .map(|_| (2.0 * normal(&mut rng) / scale).round() as i64)
                .collect()
        })
        .collect();
    let emulated =
        arch::imc::assoc::emulate::run_int_softmax(&grid, 16, m_bits).context("the AP emulator")?;
    let mut bit_exact = emulated.outputs.len() == n_rows;
    for (s, out) in grid.iter().zip(&emulated.outputs) {
        let arch_ref = arch::imc::assoc::numerics::int_softmax_from_grid(s, m_bits)?;
        let x: Vec<f64> = s.iter().map(|&v| v as f64 * scale).collect();
        let wl_ref = int_softmax_raw(&x, 8).map_err(|e| anyhow!("{e}"))?;
        bit_exact &= *out == arch_ref
            && out.len() == wl_ref.len()
            && out.iter().zip(&wl_ref).all(|(a, b)| i64::from(*a) == *b);
    }
    Ok(Numerics {
        rows,
        max_err,
        mean_err: sum_err / n_err.max(1) as f64,
        worst,
        emulated_rows: n_rows,
        emulated_len: len,
        bit_exact,
    })
}

type PerGpu<'a> = (&'a str, &'a str, Vec<Gain>, Vec<Gain>);

/// Every figure's size, pixels.
const SIZE: Size = (1100, 700);

fn plot(
    ctx: &Context,
    k: &Kernels,
    per_gpu: &[PerGpu<'_>],
    size_best: &[(u64, Gain)],
    shares: &[(String, String, u64, f64)],
) -> Result<Vec<std::path::PathBuf>> {
    let mut plots = Vec::new();
    // EDP ratio vs L per batch (Llama-2-7B, fp16 GPU kernels), one plot per GPU.
    for (gpu, label, g16, _) in per_gpu {
        let pts: Vec<&Gain> = g16.iter().filter(|g| g.shape.0 == 32).collect();
        let t = PlotTable::new()
            .num("L", pts.iter().map(|g| g.shape.2 as f64).collect())
            .num("edp_ratio", pts.iter().map(|g| g.edp).collect())
            .text(
                "batch",
                pts.iter().map(|g| format!("batch {}", g.shape.1)).collect(),
            )
            .build()?;
        let short = if gpu.starts_with("a100") {
            "a100"
        } else {
            "rtx3090"
        };
        let cfg = ScatterConfig {
            color: Some("batch".into()),
            log_x: true,
            log_y: true,
            title: format!("softmax EDP, {label} (fp16) ÷ AP — Llama-2-7B, 32 heads"),
            x_label: Some("sequence length L".into()),
            y_label: Some(format!("EDP ratio {label} / AP (×)")),
            ..ScatterConfig::new("L", "edp_ratio")
        };
        plots.push(figure(ctx, &format!("edp-ratio-{short}.png"), SIZE, |o| {
            scatter(&t, &cfg, o)
        })?);
    }
    // Energy and delay bars at batch 1, Llama-2-7B: (L, platform, joules, seconds).
    let mut bars = Vec::new();
    for (&(h, b, l), a) in &k.ap {
        if h != 32 || b != 1 {
            continue;
        }
        bars.push((format!("L={l}"), "AP (int8)".to_string(), *a));
        for (gpu, label) in GPUS {
            if let Some(g) = k.gpu.get(&(gpu.to_string(), "fp16".to_string(), (h, b, l))) {
                bars.push((format!("L={l}"), format!("{label} (fp16)"), *g));
            }
        }
    }
    for (name, col, value) in [
        (
            "energy",
            "energy_j",
            (|m: Meas| m.joules) as fn(Meas) -> f64,
        ),
        ("delay", "latency_s", |m: Meas| m.seconds),
    ] {
        let t = PlotTable::new()
            .bars(
                ("L", "platform", col),
                bars.iter()
                    .map(|(l, p, m)| (l.clone(), p.clone(), value(*m))),
            )
            .build()?;
        let cfg = GroupedBarsConfig {
            log_y: true,
            title: format!("softmax {name} of one attention layer, Llama-2-7B, batch 1"),
            ..GroupedBarsConfig::new("L", "platform", col)
        };
        plots.push(figure(ctx, &format!("{name}-bars.png"), SIZE, |o| {
            grouped_bars(&t, &cfg, o)
        })?);
    }
    // Best EDP ratio vs the AP's size.
    let t = PlotTable::new()
        .num("arrays", size_best.iter().map(|s| s.0 as f64).collect())
        .num("edp_ratio", size_best.iter().map(|s| s.1.edp).collect())
        .build()?;
    let cfg = ScatterConfig {
        log_x: true,
        log_y: true,
        title: "best softmax EDP ratio vs A100 (fp16) by AP size, Llama-2-7B".into(),
        x_label: Some("AP arrays of 4096 words (preset: 64)".into()),
        y_label: Some("best EDP ratio A100 / AP (×)".into()),
        ..ScatterConfig::new("arrays", "edp_ratio")
    };
    plots.push(figure(ctx, "ap-size.png", SIZE, |o| scatter(&t, &cfg, o))?);
    // Softmax share vs prompt length.
    let t = PlotTable::new()
        .num("prompt", shares.iter().map(|s| s.2 as f64).collect())
        .num("share", shares.iter().map(|s| s.3).collect())
        .text(
            "run",
            shares.iter().map(|s| format!("{} {}", s.1, s.0)).collect(),
        )
        .build()?;
    let cfg = ScatterConfig {
        color: Some("run".into()),
        log_x: true,
        title: "softmax share of a prefill step on an A100".into(),
        x_label: Some("prompt tokens".into()),
        y_label: Some("softmax share of the step (%)".into()),
        ..ScatterConfig::new("prompt", "share")
    };
    plots.push(figure(ctx, "softmax-share.png", SIZE, |o| {
        scatter(&t, &cfg, o)
    })?);
    Ok(plots)
}
