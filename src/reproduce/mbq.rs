//! MBQ (arXiv 2412.19509, CVPR'25): LLaVA-OneVision-7B on an RTX 4090 at W16, W4 and W3
//! (weight-only, group 128, fp16 scale and zero point, dequantisation fused into the
//! GEMV) — the decode steps (`sweeps/specs/mbq.toml`) and the prefills
//! (`mbq-prefill.toml`) of the same requests, combined into end-to-end request times over
//! the unpublished visual input and answer length; the per-layer GEMV speed-ups of a decode
//! step; and the same decode step on a 128 × 128 PE array with fp16 or 4-bit MACs
//! (`mbq-pe.toml`).

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use reports::{GroupedBarsConfig, ScatterConfig, grouped_bars, scatter};

use super::draw::{Size, figure};
use super::rows::{PlotTable, Row, Rows, min_max};
use super::{Check, Claim, Context, Outcome, run_spec};

const SOURCE: &str = "MBQ, arXiv 2412.19509, abstract (RTX 4090, LLaVA-OneVision-7B)";
/// Answer lengths (decode steps per request) the end-to-end figure is computed for: a
/// short VQA answer, a paragraph, a long description (not published).
const OUTPUT_TOKENS: [u64; 3] = [16, 64, 256];
/// The language model's linear layers, in the order of a layer, and the LM head.
const LAYERS: [&str; 8] = [
    "q_proj", "k_proj", "v_proj", "o_proj", "ffn_gate", "ffn_up", "ffn_down", "lm_head",
];
/// Bits per weight with an fp16 scale and zero point per group of 128: `b + 32 / 128`.
fn bits_per_weight(b: f64) -> f64 {
    b + 32.0 / 128.0
}

/// Precision label of a `workload.quant` value.
fn precision(q: &str) -> &'static str {
    match q {
        "w4a16" => "W4",
        "w3a16" => "W3",
        _ => "W16",
    }
}

/// One decode step or prefill: (precision, frames) → row figures.
type ByPoint<T> = BTreeMap<(&'static str, u64), T>;

struct Decode {
    seconds: f64,
    /// Seconds per layer kind (summed over the 28 layers), in [`LAYERS`] order.
    layers: Vec<f64>,
}

/// The (precision, frames) of a sweep row.
fn point(r: &Row) -> Result<(&'static str, u64)> {
    Ok((
        precision(&r.text("workload.quant")?),
        r.int("workload.frames")?,
    ))
}

fn read_decode(rows: &Rows) -> Result<ByPoint<Decode>> {
    let mut out = BTreeMap::new();
    for r in rows.iter() {
        let layers = LAYERS
            .iter()
            .map(|l| r.num(&format!("op_{l}_s")))
            .collect::<Result<Vec<_>>>()?;
        let seconds = r.num("latency_s")?;
        out.insert(point(&r)?, Decode { seconds, layers });
    }
    Ok(out)
}

fn read_seconds(rows: &Rows) -> Result<ByPoint<f64>> {
    let mut out = BTreeMap::new();
    for r in rows.iter() {
        out.insert(point(&r)?, r.num("latency_s")?);
    }
    Ok(out)
}

/// A PE-array decode step: (precision, MAC bits, frames) → (seconds, joules).
type PePoints = BTreeMap<(&'static str, u64, u64), (f64, f64)>;

fn read_pe(rows: &Rows) -> Result<PePoints> {
    let mut out = BTreeMap::new();
    for r in rows.iter() {
        let (p, frames) = point(&r)?;
        let bits = r.int("arch.pe_array.operand_bits")?;
        out.insert((p, bits, frames), (r.num("latency_s")?, r.num("energy_j")?));
    }
    Ok(out)
}

fn get<K: Ord + std::fmt::Debug, V>(m: &BTreeMap<K, V>, k: K) -> Result<&V> {
    let msg = format!("no sweep point {k:?}");
    m.get(&k).ok_or_else(|| anyhow!(msg))
}

/// End-to-end request speed-up of `p` over W16: one prefill and `n` decode steps.
struct E2e {
    frames: u64,
    n: u64,
    speedup: f64,
}

fn e2e(decode: &ByPoint<Decode>, prefill: &ByPoint<f64>, p: &'static str) -> Result<Vec<E2e>> {
    let mut out = Vec::new();
    for &(q, frames) in decode.keys() {
        if q != "W16" {
            continue;
        }
        for n in OUTPUT_TOKENS {
            let t = |q: &'static str| -> Result<f64> {
                Ok(get(prefill, (q, frames))? + n as f64 * get(decode, (q, frames))?.seconds)
            };
            out.push(E2e {
                frames,
                n,
                speedup: t("W16")? / t(p)?,
            });
        }
    }
    Ok(out)
}

/// Runs the reproduction.
pub fn run(ctx: &Context) -> Result<Outcome> {
    let decode = read_decode(&Rows::all_ok(run_spec(ctx, "mbq.toml", "decode")?)?)?;
    let prefill = read_seconds(&Rows::all_ok(run_spec(
        ctx,
        "mbq-prefill.toml",
        "prefill",
    )?)?)?;
    let pe = read_pe(&Rows::all_ok(run_spec(ctx, "mbq-pe.toml", "pe-array")?)?)?;
    let frames: Vec<u64> = decode
        .keys()
        .map(|k| k.1)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();

    let mut claims = Vec::new();
    // End to end: the paper's 1.4× against every (visual input, answer length).
    let w3 = e2e(&decode, &prefill, "W3")?;
    let (lo, hi) = min_max(w3.iter().map(|e| e.speedup)).ok_or_else(|| anyhow!("no requests"))?;
    let near: Vec<String> = w3
        .iter()
        .filter(|e| (e.speedup / 1.4 - 1.0).abs() <= 0.3)
        .map(|e| format!("{} frames, {} tokens: {:.2}×", e.frames, e.n, e.speedup))
        .collect();
    claims.push(Claim {
        what: "paper's end-to-end W3 speed-up within the simulated span over visual input × answer length".into(),
        paper: None,
        paper_text: "1.4× (W3 vs fp16, RTX 4090)".into(),
        simulated: f64::from(u8::from(lo <= 1.4 && 1.4 <= hi)),
        unit: String::new(),
        check: Check::Holds,
        source: SOURCE.into(),
        note: format!(
            "request = prefill + N decode steps; simulated {lo:.2}–{hi:.2}× over frames \
             {frames:?} × N {OUTPUT_TOKENS:?}; within ±30 % of 1.4×: {}",
            if near.is_empty() { "none".to_string() } else { near.join("; ") }
        ),
    });
    // The decode step alone (what the fused kernel accelerates).
    let step = |p: &'static str, f: u64| -> Result<f64> {
        Ok(get(&decode, ("W16", f))?.seconds / get(&decode, (p, f))?.seconds)
    };
    let f_mid = frames.get(frames.len() / 2).copied().unwrap_or(0);
    let step_w3: Vec<f64> = frames
        .iter()
        .map(|&f| step("W3", f))
        .collect::<Result<_>>()?;
    let step_w4: Vec<f64> = frames
        .iter()
        .map(|&f| step("W4", f))
        .collect::<Result<_>>()?;
    claims.push(Claim {
        what: format!("decode-step speed-up W3 vs W16, RTX 4090 ({f_mid} frames)"),
        paper: Some(1.4),
        paper_text: "1.4× (if read per decode step)".into(),
        simulated: step("W3", f_mid)?,
        unit: "×".into(),
        check: Check::Report,
        source: SOURCE.into(),
        note: format!(
            "not asserted: the paper's figure is end to end; a batch-1 decode step is \
             weight-bound, so W3 (3.25 bits per weight) approaches the 16 / 3.25 = 4.9× byte \
             ratio, diluted by the fp16 LM head, attention and small operators: {} over \
             frames {frames:?}",
            step_w3
                .iter()
                .map(|s| format!("{s:.2}×"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    claims.push(Claim {
        what: format!("decode-step speed-up W4 vs W16, RTX 4090 ({f_mid} frames)"),
        paper: None,
        paper_text: "not published".into(),
        simulated: step("W4", f_mid)?,
        unit: "×".into(),
        check: Check::Report,
        source: "mbq.toml".into(),
        note: format!(
            "byte ratio 16 / 4.25 = 3.8×; {} over frames {frames:?}",
            step_w4
                .iter()
                .map(|s| format!("{s:.2}×"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    let ordered = frames.iter().all(|&f| {
        let s = |p| decode.get(&(p, f)).map_or(f64::NAN, |d| d.seconds);
        s("W3") < s("W4") && s("W4") < s("W16")
    });
    claims.push(Claim {
        what: "decode step: W3 faster than W4 faster than W16 at every visual input".into(),
        paper: None,
        paper_text: "W3 kernel faster than fp16".into(),
        simulated: f64::from(u8::from(ordered)),
        unit: String::new(),
        check: Check::Holds,
        source: SOURCE.into(),
        note: String::new(),
    });
    // Per-layer GEMV speed-ups (W3 over W16) at the middle visual input.
    let d16 = get(&decode, ("W16", f_mid))?;
    let d3 = get(&decode, ("W3", f_mid))?;
    let d4 = get(&decode, ("W4", f_mid))?;
    let per_layer: Vec<(&str, f64, f64)> = LAYERS
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                *l,
                d16.layers[i] / d4.layers[i],
                d16.layers[i] / d3.layers[i],
            )
        })
        .collect();
    let quantised: Vec<f64> = per_layer
        .iter()
        .filter(|l| l.0 != "lm_head")
        .map(|l| l.2)
        .collect();
    let (g_lo, g_hi) = min_max(quantised).ok_or_else(|| anyhow!("no layers"))?;
    claims.push(Claim {
        what: "per-layer GEMV speed-up W3 vs W16, RTX 4090 (smallest over the linear layers)"
            .into(),
        paper: None,
        paper_text: "not published".into(),
        simulated: g_lo,
        unit: "×".into(),
        check: Check::Report,
        source: "mbq.toml, op_<layer>_s".into(),
        note: format!(
            "{g_lo:.2}–{g_hi:.2}× (byte ratio {:.2}×); {}; the LM head stays fp16",
            16.0 / bits_per_weight(3.0),
            per_layer
                .iter()
                .map(|(l, w4, w3)| format!("{l} W4 {w4:.2}× W3 {w3:.2}×"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    // The PE array.
    let pe_at = |p: &'static str, bits: u64| get(&pe, (p, bits, f_mid)).copied();
    let (t16, e16) = pe_at("W16", 16)?;
    let (t3, e3) = pe_at("W3", 16)?;
    let (t3i, e3i) = pe_at("W3", 4)?;
    claims.push(Claim {
        what: format!("decode-step speed-up W3 vs W16, 128×128 PE array ({f_mid} frames)"),
        paper: None,
        paper_text: "not evaluated in the paper".into(),
        simulated: t16 / t3,
        unit: "×".into(),
        check: Check::Report,
        source: "mbq-pe.toml".into(),
        note: format!(
            "a batch-1 GEMV on an output-stationary 128 × 128 array keeps one row of 128 \
             PEs busy (1/128 of the array), so the step is compute-bound and fewer weight \
             bytes barely matter; 4-bit MACs: {:.2}×",
            t16 / t3i
        ),
    });
    let pe_energy_ordered = frames.iter().all(|&f| {
        let e = |p, b| pe.get(&(p, b, f)).map_or(f64::NAN, |x| x.1);
        e("W3", 4) < e("W3", 16) && e("W3", 16) < e("W16", 16)
    });
    claims.push(Claim {
        what: "PE array energy per decode step: W3 on 4-bit MACs < W3 on fp16 MACs < W16".into(),
        paper: None,
        paper_text: "not evaluated in the paper".into(),
        simulated: f64::from(u8::from(pe_energy_ordered)),
        unit: String::new(),
        check: Check::Holds,
        source: "mbq-pe.toml".into(),
        note: format!(
            "{f_mid} frames: W16 {:.0} mJ, W3 fp16 MACs {:.0} mJ ({:.2}× less), W3 4-bit \
             MACs {:.0} mJ ({:.2}× less)",
            e16 * 1e3,
            e3 * 1e3,
            e16 / e3,
            e3i * 1e3,
            e16 / e3i
        ),
    });

    let plots = plot(ctx, &per_layer, &w3, &e2e(&decode, &prefill, "W4")?, &pe)?;

    let p16 = |f| get(&prefill, ("W16", f)).copied();
    let p3 = |f| get(&prefill, ("W3", f)).copied();
    let f_max = frames.last().copied().unwrap_or(0);
    let findings = vec![
        format!(
            "Per token, the simulator gives W3 a {:.2}–{:.2}× faster decode step than fp16 \
             (W4 {:.2}–{:.2}×): a batch-1 step on the RTX 4090 is bound by weight bytes, the \
             quantised GEMVs run {g_lo:.2}–{g_hi:.2}× faster (the byte ratio 16 / 3.25 = 4.92×, \
             scale and zero point included: the GPU model keeps the fused kernel at the memory \
             roofline, its 3-bit unpacking on the CUDA cores hidden under the weight stream; \
             the paper's kernel may not reach that), and the fp16 LM head ({:.2} ms), attention \
             and small operators dilute it. That is well above the paper's 1.4×.",
            min_max(step_w3.iter().copied()).map_or(f64::NAN, |m| m.0),
            min_max(step_w3.iter().copied()).map_or(f64::NAN, |m| m.1),
            min_max(step_w4.iter().copied()).map_or(f64::NAN, |m| m.0),
            min_max(step_w4.iter().copied()).map_or(f64::NAN, |m| m.1),
            d3.layers[7] * 1e3,
        ),
        format!(
            "End to end, a request also runs the prefill (vision tower and {} visual tokens at \
             {f_max} frames), which is compute-bound and barely changes with W3 ({:.3} s vs \
             {:.3} s at {f_max} frames). Over the unpublished visual input and answer length \
             the W3 request speed-up spans {lo:.2}–{hi:.2}×, so in this model the paper's \
             1.4× is what a video-sized input with a short answer gives ({}). Which assumption explains the \
             gap to the per-token figure: what the paper's \"end to end\" timed (not \
             published); a PyTorch eager baseline's per-kernel dispatch time, which W3 does \
             not shrink and which is not modelled here (one CUDA graph per step), would pull \
             the per-token figure down as well.",
            196 * f_max + 1,
            p16(f_max)?,
            p3(f_max)?,
            if near.is_empty() {
                "none within ±30 %".to_string()
            } else {
                near.join("; ")
            }
        ),
        format!(
            "On the 128 × 128 output-stationary PE array, W3 saves energy ({:.2}× with fp16 \
             MACs after dequantisation, {:.2}× with 4-bit MACs) but not time ({:.2}×): one \
             decode token keeps one row of PEs busy, so the step is compute-bound at 128 MACs \
             per cycle and the weight bytes W3 removes were not the bottleneck. A GEMV-shaped \
             engine (a dot-product array, or batching) would be needed before low-bit weights pay \
             off in speed on such an accelerator.",
            e16 / e3,
            e16 / e3i,
            t16 / t3
        ),
    ];
    let assumptions = vec![
        "W3/W4: weight-only, asymmetric, group 128 with an fp16 scale and zero point (3.25 / \
         4.25 bits per weight), dequantisation fused into the GEMV/GEMM; embeddings, LM head, \
         vision tower and projector stay fp16."
            .into(),
        format!(
            "A request = one prefill (64 prompt tokens plus the visual input) and N decode \
             steps at a 128-token text context besides the visual tokens; the visual input \
             (`workload.frames` {frames:?}, 196 tokens per frame) and N ({OUTPUT_TOKENS:?}) \
             are not published and span the figure."
        ),
        "GPU kernels at the calibrated memory/compute rooflines of the rtx-4090 preset, one \
         CUDA graph per step (no per-kernel CPU dispatch)."
            .into(),
        "PE array: generic-os-128 with fp16 MACs for W16 and W4/W3 (dequantised on the way \
         in) or 4-bit integer MACs for W4/W3 (`arch.pe_array.*` overrides in mbq-pe.toml)."
            .into(),
    ];
    Ok(Outcome {
        name: "mbq".into(),
        title: "MBQ — W3/W4 fused-dequant GEMV on LLaVA-OneVision-7B (RTX 4090, PE array)".into(),
        command: "silica reproduce mbq".into(),
        claims,
        tables: Vec::new(),
        plots,
        findings,
        assumptions,
    })
}

/// Every figure's size, pixels.
const SIZE: Size = (1100, 700);

fn plot(
    ctx: &Context,
    per_layer: &[(&str, f64, f64)],
    w3: &[E2e],
    w4: &[E2e],
    pe: &PePoints,
) -> Result<Vec<std::path::PathBuf>> {
    let mut plots = Vec::new();
    // Per-layer GEMV speed-ups.
    let bars = per_layer.iter().flat_map(|(l, s4, s3)| {
        [("W4 g128", s4), ("W3 g128", s3)].map(|(name, s)| (l.to_string(), name.to_string(), *s))
    });
    let t = PlotTable::new()
        .bars(("layer", "precision", "speedup"), bars)
        .build()?;
    let cfg = GroupedBarsConfig {
        title: "per-layer GEMV speed-up over fp16, LLaVA-OneVision-7B decode, RTX 4090".into(),
        x_label: Some("layer (LM head stays fp16)".into()),
        y_label: Some("speed-up over W16 (×)".into()),
        ..GroupedBarsConfig::new("layer", "precision", "speedup")
    };
    plots.push(figure(ctx, "gemv-speedup.png", SIZE, |o| {
        grouped_bars(&t, &cfg, o)
    })?);
    // End-to-end speed-up vs answer length, per visual input; the paper's 1.4× as a series.
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut run = Vec::new();
    for (p, list) in [("W3", w3), ("W4", w4)] {
        for e in list {
            x.push(e.n as f64);
            y.push(e.speedup);
            run.push(format!("{p}, {} frames", e.frames));
        }
    }
    for n in OUTPUT_TOKENS {
        x.push(n as f64);
        y.push(1.4);
        run.push("paper: W3 1.4×".into());
    }
    let t = PlotTable::new()
        .num("output_tokens", x)
        .num("speedup", y)
        .text("run", run)
        .build()?;
    let cfg = ScatterConfig {
        color: Some("run".into()),
        log_x: true,
        title: "end-to-end request speed-up over fp16, RTX 4090 (prefill + N decode steps)".into(),
        x_label: Some("output tokens N".into()),
        y_label: Some("speed-up over W16 (×)".into()),
        ..ScatterConfig::new("output_tokens", "speedup")
    };
    plots.push(figure(ctx, "e2e-speedup.png", SIZE, |o| {
        scatter(&t, &cfg, o)
    })?);
    // PE array: energy and latency per decode step by precision and MACs.
    for (name, col, value) in [
        (
            "energy",
            "energy_j",
            (|m: (f64, f64)| m.1) as fn((f64, f64)) -> f64,
        ),
        ("latency", "latency_s", |m: (f64, f64)| m.0),
    ] {
        let bars = pe.iter().map(|(&(p, bits, f), &m)| {
            let macs = if bits == 16 {
                "fp16 MACs"
            } else {
                "4-bit MACs"
            };
            (format!("{f} frames"), format!("{p}, {macs}"), value(m))
        });
        let t = PlotTable::new()
            .bars(("frames", "config", col), bars)
            .build()?;
        let cfg = GroupedBarsConfig {
            title: format!("decode-step {name}, LLaVA-OneVision-7B on a 128×128 PE array"),
            ..GroupedBarsConfig::new("frames", "config", col)
        };
        plots.push(figure(ctx, &format!("pe-{name}.png"), SIZE, |o| {
            grouped_bars(&t, &cfg, o)
        })?);
    }
    Ok(plots)
}
