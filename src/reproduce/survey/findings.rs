//! The findings and assumptions of the survey reproduction, in words with the figures.

use std::collections::BTreeMap;

use anyhow::Result;

use super::sheet::{Band, LLAMA2_7B_DECODE_BYTES, SHEET};
use super::{Point, Specs};
use crate::reproduce::claims::fmt;
use crate::reproduce::rows::Rows;

pub(super) fn findings(
    specs: &Specs,
    get: &dyn Fn(&str, &str, u64) -> Point,
    context: &Rows,
    marca: &Point,
) -> Result<Vec<String>> {
    let mut f = Vec::new();
    let a100 = get("survey", "a100-sxm4-80gb", 1);
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    let (mut slo, mut shi) = (f64::INFINITY, 0.0_f64);
    for r in SHEET.iter() {
        if let Band::StackToRoofline(gb_s) = r.band {
            let roof = gb_s * 1e9 / LLAMA2_7B_DECODE_BYTES;
            lo = lo.min(r.tokens_per_s / roof);
            hi = hi.max(r.tokens_per_s / roof);
            let s = get(r.spec, r.preset, 1).tokens_per_s / roof;
            slo = slo.min(s);
            shi = shi.max(s);
        }
    }
    f.push(format!(
        "GPUs: the simulated fp16 decode runs at {} tokens/s on the A100 (survey, vLLM: 91.5), \
         close to its HBM roofline ({} tokens/s); over the four GPU rows the simulator reaches \
         {:.0}–{:.0} % of the roofline, vLLM's measured figures {:.0}–{:.0} %. The gap is the \
         serving stack (Python scheduler, sampling, per-step launches), which the simulator \
         does not model; it is largest on the HBM GPUs, whose steps are shortest.",
        fmt(a100.tokens_per_s),
        fmt(2039e9 / LLAMA2_7B_DECODE_BYTES),
        slo * 100.0,
        shi * 100.0,
        lo * 100.0,
        hi * 100.0
    ));
    let xeon = get("int4", "xeon-8488c", 1);
    let xeon16 = get("survey", "xeon-8488c", 1);
    f.push(format!(
        "CPU: at the survey's int4 precision the Xeon 8488C reaches {} tokens/s (survey 45.5); \
         at fp16 it would be {} tokens/s — the precision, not the platform, sets the row.",
        fmt(xeon.tokens_per_s),
        fmt(xeon16.tokens_per_s)
    ));
    let fl = get("int4", "flightllm-u280", 1);
    let fl8 = get("survey", "flightllm-u280", 1);
    f.push(format!(
        "FPGA: FlightLLM on the U280 gives {} tokens/s with 4-bit weights and {} with the \
         array's int8 weights (paper 55, mixed low-bit with sparsity): the paper lies between.",
        fmt(fl.tokens_per_s),
        fmt(fl8.tokens_per_s)
    ));
    f.push(format!(
        "MARCA (Mamba-2.8B, batch 1): {} tokens/s against the survey's 23.78, at {} W of modelled \
         power against the 10.44 W rated chip power; the efficiency ({} tokens/J vs 2.28) \
         differs by the same factor as the power.",
        fmt(marca.tokens_per_s),
        fmt(marca.power_w),
        fmt(marca.tokens_per_j)
    ));
    let shares: Vec<(&str, f64)> = SHEET
        .iter()
        // Snapdragon: the vendor ran the NPU; groq-576: 576 chips against one chip's
        // power (its own sentence below).
        .filter(|r| r.preset != "snapdragon-8-gen3" && r.preset != "groq-576")
        .map(|r| (r, get(r.spec, r.preset, 1)))
        .filter(|(_, p)| p.ok)
        .map(|(r, p)| (r.preset, p.power_w / r.power_w))
        .collect();
    let (below, above): (Vec<_>, Vec<_>) = shares.into_iter().partition(|(_, s)| *s <= 1.0);
    let pct = |v: &[(&str, f64)], pick: fn(f64, f64) -> f64| {
        v.iter().map(|(_, s)| *s).fold(f64::NAN, pick) * 100.0
    };
    let above_text = if above.is_empty() {
        String::new()
    } else {
        format!(
            " Above it: {} — the modelled system includes a [host] whose power the sheet's \
             figure leaves out.",
            above
                .iter()
                .map(|(p, s)| format!("{p} {:.0} %", s * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    f.push(format!(
        "Power is the largest disagreement: the survey divides throughput by a nominal power \
         (TDP, a board, a rated chip power), the simulator by the energy of the modelled step. \
         A decode at batch 1 is memory-bound, so compute units idle and the modelled power of \
         the accelerators is {:.0}–{:.0} % of the nominal one; tokens/J is higher by the \
         inverse factor.{above_text} The orderings of platforms by tokens/J hold nevertheless.",
        pct(&below, f64::min),
        pct(&below, f64::max),
    ));
    let groq = get("survey", "groq-576", 1);
    if groq.ok {
        f.push(format!(
            "Groq: the sheet's 185 W is one chip; the 576-chip groq-576 system that stands in \
             for Groq's (unpublished) 7B deployment draws {} W, mostly the chips' static power \
             (75 W each, an estimate), so its {} tokens/J is not comparable with the sheet's \
             4.40.",
            fmt(groq.power_w),
            fmt(groq.tokens_per_j)
        ));
    }
    let failed: Vec<String> = specs["survey"]
        .values()
        .filter(|p| !p.ok && p.batch == 1)
        .map(|p| {
            let why = if p.reason.contains("norm") {
                "no unit runs a norm"
            } else if p.reason.contains("memory") {
                "weights do not fit"
            } else {
                "error"
            };
            format!("{} ({why})", p.preset)
        })
        .collect();
    f.push(format!(
        "Presets that cannot run a Llama-2-7B decode step as shipped (rows kept with their \
         error in survey/results.csv): {}. Batch 8 additionally overflows the memory of: {}.",
        failed.join(", "),
        specs["survey"]
            .values()
            .filter(|p| !p.ok && p.batch == 8)
            .filter(|p| specs["survey"]
                .get(&(p.preset.clone(), 1))
                .is_some_and(|q| q.ok))
            .map(|p| p.preset.clone())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let b8: Vec<String> = SHEET
        .iter()
        .map(|r| get(r.spec, r.preset, 8))
        .filter(|p| p.ok)
        .map(|p| format!("{} {}", p.preset, fmt(p.tokens_per_s)))
        .collect();
    f.push(format!(
        "Batch 8 (not in the public sheet; predicted, tokens/s): {}.",
        b8.join(", ")
    ));
    // Context sensitivity on the A100 (survey-context.toml).
    let mut a = BTreeMap::new();
    for r in context.all(&[("arch", "a100-sxm4-80gb"), ("workload.batch", "1")]) {
        if let (Some(c), Some(t)) = (r.opt_num("workload.context")?, r.opt_num("tokens_per_s")?) {
            a.insert(c as u64, t);
        }
    }
    if let (Some(lo), Some(hi)) = (a.get(&128), a.get(&4096)) {
        f.push(format!(
            "The unpublished context length moves the A100's batch-1 figure from {} tokens/s \
             (128 tokens) to {} (4 096): {:.0} %, less than the stack gap.",
            fmt(*lo),
            fmt(*hi),
            (1.0 - hi / lo) * 100.0
        ));
    }
    Ok(f)
}

pub(super) fn assumptions() -> Vec<String> {
    vec![
        "Context length: 1 024 tokens (not published; survey-context.toml sweeps 128 … 4 096)."
            .into(),
        "Precision: fp16 weights and activations, or the PE array's own format (int8 on \
         FlightLLM, Groq, TPU-v1, generic-os-128); the CPU and FlightLLM rows also at 4-bit \
         weights (group 128, fp16 scale and zero), the survey's precision for them."
            .into(),
        "MARCA's row is Mamba-2.8B (the sheet does not name the model), on the marca preset \
         as shipped."
            .into(),
        "Power: energy ÷ time of the modelled step (dynamic and leakage of the modelled \
         components), not a board's nominal power."
            .into(),
        "Platform classes: as `silica presets` gives them; IMC presets are the survey's \
         processing-in-memory kind but are a class of their own here."
            .into(),
    ]
}
