//! FrameFusion (arXiv 2501.01986, ICCV'25): similarity-based merging then importance-based
//! pruning of the vision tokens inside a video LVLM's language model.
//!
//! The paper: 70 % fewer vision tokens (its compute budget `cost = 0.3`), **3.4–4.4×** LLM
//! speed-up, **1.6–1.9×** end to end (v1; a later version: **1.6–3.6×** across 2B–72B
//! models). Simulated here: LLaVA-Video-7B and -72B prefill at 32 … 256 frames under
//! budgets 0.7 / 0.5 / 0.3 and dense on A100 and H100 presets (72B both tensor-parallel on
//! 4 × A100 / 8 × H100 and layer-split as the authors' `device_map="auto"` loads it),
//! from three specs:
//! - `framefusion.toml`: the prefill points (LLM time = the language model's tasks,
//!   `language_s`; end to end = vision tower + projector + LLM, `latency_s`);
//! - `framefusion-decode.toml`: one answer decode step per point, for the end-to-end
//!   figure with an answer of `n` tokens (`prefill + n · step`);
//! - `framefusion-split.toml`: what the paper leaves out (reduction layer, merge/prune
//!   split, tokens per frame, attention kernel) at the 0.3 budget.
//!
//! Speed-ups are dense over reduced time of the same model, platform and frame count.
//! Points beyond LLaVA-Video's 32 768-token context (256 frames × 210 tokens) are drawn
//! but stay out of the claims.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};

use super::rows::{Row, Rows};
use super::{Check, Claim, Context, Outcome, run_spec};

mod plots;
mod sensitivity;
mod text;

use plots::PlotRow;
use sensitivity::Sensitivity;

/// Where the paper's figures come from.
const SOURCE: &str = "FrameFusion, arXiv 2501.01986: v1 abstract (3.4–4.4× LLM, 1.6–1.9× end to end), v2 abstract (1.6–3.6× end to end, 2B–72B)";

/// LLaVA-Video's context (`max_position_embeddings`), tokens.
const CONTEXT: u64 = 32_768;
/// Vision tokens per frame of LLaVA-Video (14 × 14 pooled patches + 14 newlines; the
/// paper's 64 frames → 13 440).
const TOKENS_PER_FRAME: u64 = 210;
/// Text tokens of the prompt in the specs.
const PROMPT: u64 = 64;
/// The paper's headline frame count (64 frames → 13 440 vision tokens).
const HEADLINE_FRAMES: u64 = 64;
/// Answer lengths of the end-to-end-with-answer figure, tokens.
const ANSWERS: [u64; 6] = [1, 4, 16, 32, 64, 256];

/// One simulated prefill (and its answer's decode step).
#[derive(Clone, Debug)]
struct Point {
    setup: Setup,
    frames: u64,
    /// FrameFusion's budget (1 = dense).
    cost: f64,
    /// Prefill, s.
    latency: f64,
    /// The language model's tasks, s.
    language: f64,
    /// The vision tower's tasks, s.
    vision: f64,
    /// Merging and pruning, s.
    reduction: f64,
    /// One decode step of the answer, s.
    decode: f64,
}

/// A model on a platform, in the order of the specs' zip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Setup {
    A100_7b,
    H100_7b,
    TpA100_72b,
    TpH100_72b,
    SplitA100_72b,
    SplitH100_72b,
}

impl Setup {
    const ALL: [Setup; 6] = [
        Setup::A100_7b,
        Setup::H100_7b,
        Setup::TpA100_72b,
        Setup::TpH100_72b,
        Setup::SplitA100_72b,
        Setup::SplitH100_72b,
    ];

    fn of(model: &str, arch: &str, mem: f64) -> Result<Setup> {
        let split = mem > 80.0 * 1024f64.powi(3);
        Ok(match (model, arch, split) {
            ("llava-video-7b", "a100-sxm4-80gb", false) => Setup::A100_7b,
            ("llava-video-7b", "h100-sxm5-80gb", false) => Setup::H100_7b,
            ("llava-video-72b", "4x-a100-sxm4-80gb-nvlink", false) => Setup::TpA100_72b,
            ("llava-video-72b", "8x-h100-sxm5-80gb-nvlink", false) => Setup::TpH100_72b,
            ("llava-video-72b", "a100-sxm4-80gb", true) => Setup::SplitA100_72b,
            ("llava-video-72b", "h100-sxm5-80gb", true) => Setup::SplitH100_72b,
            _ => bail!("unexpected model/platform pair {model} on {arch} ({mem} B per GPU)"),
        })
    }

    fn label(self) -> &'static str {
        match self {
            Setup::A100_7b => "7B, A100",
            Setup::H100_7b => "7B, H100",
            Setup::TpA100_72b => "72B, 4×A100 TP",
            Setup::TpH100_72b => "72B, 8×H100 TP",
            Setup::SplitA100_72b => "72B, 4×A100 layer-split",
            Setup::SplitH100_72b => "72B, 4×H100 layer-split",
        }
    }
}

/// (setup, frames, cost) of a row.
fn key(r: &Row) -> Result<(Setup, u64, f64)> {
    let setup = Setup::of(
        &r.text("workload.model")?,
        &r.text("arch")?,
        r.num("arch.gpu.mem_capacity_bytes")?,
    )?;
    Ok((
        setup,
        r.int("workload.frames")?,
        r.num("workload.token_reduction.cost")?,
    ))
}

/// Budget as a map key (thousandths).
fn milli(cost: f64) -> u32 {
    (cost * 1000.0).round() as u32
}

/// Joins the prefill and decode rows into points.
fn points(prefill: &Rows, decode: &Rows) -> Result<Vec<Point>> {
    let mut step: BTreeMap<(Setup, u64, u32), f64> = BTreeMap::new();
    for r in decode.iter() {
        let (s, f, c) = key(&r)?;
        step.insert((s, f, milli(c)), r.num("latency_s")?);
    }
    prefill
        .iter()
        .map(|r| {
            let (setup, frames, cost) = key(&r)?;
            let decode = *step
                .get(&(setup, frames, milli(cost)))
                .with_context(|| format!("no decode step for {setup:?}, {frames} frames"))?;
            Ok(Point {
                setup,
                frames,
                cost,
                latency: r.num("latency_s")?,
                language: r.num("language_s")?,
                vision: r.num("vision_s")?,
                reduction: r.num("token_reduction_s")?,
                decode,
            })
        })
        .collect()
}

/// A reduced point beside its dense baseline.
#[derive(Clone, Debug)]
struct Speedup {
    setup: Setup,
    frames: u64,
    cost: f64,
    /// Dense over reduced LLM time.
    llm: f64,
    /// Dense over reduced prefill (vision + projector + LLM).
    e2e: f64,
    /// The vision tower's share of the dense prefill.
    vision_share: f64,
    /// Merging and pruning over the reduced prefill.
    overhead: f64,
    dense: Point,
    reduced: Point,
}

impl Speedup {
    /// End to end with an answer of `n` tokens: (prefill + n · step) dense over reduced.
    fn with_answer(&self, n: u64) -> f64 {
        let n = n as f64;
        (self.dense.latency + n * self.dense.decode)
            / (self.reduced.latency + n * self.reduced.decode)
    }

    /// Within LLaVA-Video's context.
    fn in_context(&self) -> bool {
        self.frames * TOKENS_PER_FRAME + PROMPT <= CONTEXT
    }
}

fn speedups(points: &[Point]) -> Result<Vec<Speedup>> {
    let dense: BTreeMap<(Setup, u64), &Point> = points
        .iter()
        .filter(|p| milli(p.cost) == 1000)
        .map(|p| ((p.setup, p.frames), p))
        .collect();
    points
        .iter()
        .filter(|p| milli(p.cost) < 1000)
        .map(|p| {
            let d = dense.get(&(p.setup, p.frames)).with_context(|| {
                format!("no dense point for {:?}, {} frames", p.setup, p.frames)
            })?;
            Ok(Speedup {
                setup: p.setup,
                frames: p.frames,
                cost: p.cost,
                llm: d.language / p.language,
                e2e: d.latency / p.latency,
                vision_share: d.vision / d.latency,
                overhead: p.reduction / p.latency,
                dense: (*d).clone(),
                reduced: p.clone(),
            })
        })
        .collect()
}

fn find(s: &[Speedup], setup: Setup, frames: u64, cost: u32) -> Result<&Speedup> {
    s.iter()
        .find(|x| x.setup == setup && x.frames == frames && milli(x.cost) == cost)
        .with_context(|| format!("no point {setup:?}, {frames} frames, budget {cost}‰"))
}

/// Runs the reproduction.
pub fn run(ctx: &Context) -> Result<Outcome> {
    let every_point = |file: &str, sub: &str| {
        Rows::all_ok(run_spec(ctx, file, sub)?)
            .with_context(|| format!("{file}: every point is needed"))
    };
    let prefill = every_point("framefusion.toml", "prefill")?;
    let decode = every_point("framefusion-decode.toml", "decode")?;
    let sens = Sensitivity::from_rows(&every_point("framefusion-split.toml", "split")?)?;
    let s = speedups(&points(&prefill, &decode)?)?;
    let claims = claims(&s, &sens)?;
    let plots = plots::draw(ctx, &s_rows(&s))?;
    Ok(Outcome {
        name: "framefusion".into(),
        title: "FrameFusion: token merging + pruning for video LVLMs (LLaVA-Video-7B/72B prefill)"
            .into(),
        command: "silica reproduce framefusion".into(),
        claims,
        tables: Vec::new(),
        plots,
        findings: text::findings(&s, &sens)?,
        assumptions: text::assumptions(),
    })
}

/// The speed-ups as plot rows: (setup label, is 72B, frames, budget, LLM, end to end,
/// end to end with each answer length).
fn s_rows(s: &[Speedup]) -> Vec<PlotRow> {
    s.iter()
        .map(|x| PlotRow {
            setup: x.setup.label(),
            single_h100_family: matches!(x.setup, Setup::H100_7b | Setup::TpH100_72b),
            frames: x.frames,
            cost: x.cost,
            llm: x.llm,
            e2e: x.e2e,
            answers: ANSWERS.iter().map(|&n| (n, x.with_answer(n))).collect(),
        })
        .collect()
}

fn claim(
    what: String,
    paper: Option<f64>,
    text: &str,
    sim: f64,
    check: Check,
    note: &str,
) -> Claim {
    Claim {
        what,
        paper,
        paper_text: text.into(),
        simulated: sim,
        unit: "×".into(),
        check,
        source: SOURCE.into(),
        note: note.into(),
    }
}

fn holds(what: &str, ok: bool, text: &str, note: &str) -> Claim {
    Claim {
        what: what.into(),
        paper: None,
        paper_text: text.into(),
        simulated: if ok { 1.0 } else { 0.0 },
        unit: String::new(),
        check: Check::Holds,
        source: SOURCE.into(),
        note: note.into(),
    }
}

fn claims(s: &[Speedup], sens: &Sensitivity) -> Result<Vec<Claim>> {
    let mut c = Vec::new();
    let range = Check::Range { lo: 3.4, hi: 4.4 };
    for setup in [Setup::A100_7b, Setup::H100_7b] {
        let x = find(s, setup, HEADLINE_FRAMES, 300)?;
        c.push(claim(
            format!("LLM speed-up, budget 0.3, 64 frames, {}", setup.label()),
            Some(3.9),
            "3.4–4.4×",
            x.llm,
            range,
            "the paper's range; its GPU is not named, so both presets are checked",
        ));
    }
    let at30: Vec<&Speedup> = s
        .iter()
        .filter(|x| milli(x.cost) == 300 && x.in_context())
        .collect();
    let lo = at30.iter().map(|x| x.llm).fold(f64::INFINITY, f64::min);
    let hi = at30.iter().map(|x| x.llm).fold(0.0, f64::max);
    let note = "±30 % of the range's end: the paper's frame counts, models and GPUs per figure \
                are not published; over 7B/72B, every platform, 32–128 frames";
    c.push(claim(
        "LLM speed-up, budget 0.3, lowest".into(),
        Some(3.4),
        "3.4×",
        lo,
        Check::within(0.3),
        note,
    ));
    c.push(claim(
        "LLM speed-up, budget 0.3, highest".into(),
        Some(4.4),
        "4.4×",
        hi,
        Check::within(0.3),
        note,
    ));
    let e7 = find(s, Setup::H100_7b, HEADLINE_FRAMES, 300)?;
    c.push(claim(
        "End-to-end speed-up, budget 0.3, 7B, 64 frames, H100 (prefill)".into(),
        Some(1.75),
        "1.6–1.9× (v1)",
        e7.e2e,
        Check::Report,
        &format!(
            "not asserted: the paper does not define its end-to-end time (answer length, video \
             decoding); the simulated vision tower is {:.0} % of the dense prefill, while \
             1.75× with a 3.9× LLM speed-up implies {:.0} % outside the LLM (see findings)",
            100.0 * e7.vision_share,
            100.0 * outside_llm(1.75, 3.9)
        ),
    ));
    for setup in [Setup::TpH100_72b, Setup::SplitH100_72b] {
        let x = find(s, setup, HEADLINE_FRAMES, 300)?;
        c.push(claim(
            format!(
                "End-to-end speed-up, budget 0.3, 64 frames, {}",
                setup.label()
            ),
            Some(3.6),
            "1.6–3.6× (2B–72B)",
            x.e2e,
            Check::Range { lo: 1.6, hi: 3.6 },
            "the later version's range across 2B–72B models",
        ));
    }
    let n = answer_for(e7, 1.75);
    c.push(Claim {
        unit: "tokens".into(),
        ..claim(
            "Answer tokens for 1.75× end to end, 7B, 64 frames, H100".into(),
            None,
            "not stated",
            n,
            Check::Report,
            "the answer length at which prefill + decode falls to the middle of 1.6–1.9×",
        )
    });
    let grows = Setup::ALL.iter().all(|&st| {
        let v: Vec<f64> = [32, 64, 128, 256]
            .iter()
            .filter_map(|&f| find(s, st, f, 300).ok().map(|x| x.llm))
            .collect();
        v.len() == 4 && v.windows(2).all(|w| w[1] > w[0])
    });
    c.push(holds(
        "LLM speed-up at 0.3 grows with frames, every setup",
        grows,
        "more frames, more redundancy removed",
        "attention's quadratic share grows with the prompt",
    ));
    let ordered = s.iter().all(|x| {
        [(700, 500), (500, 300)].iter().all(|&(a, b)| {
            match (find(s, x.setup, x.frames, a), find(s, x.setup, x.frames, b)) {
                (Ok(p), Ok(q)) => q.llm > p.llm && q.e2e > p.e2e,
                _ => false,
            }
        })
    });
    c.push(holds(
        "Smaller budget ⇒ larger speed-up, every point",
        ordered,
        "0.3 fastest",
        "",
    ));
    let bigger = [32, 64, 128].iter().all(|&f| {
        match (
            find(s, Setup::H100_7b, f, 300),
            find(s, Setup::TpH100_72b, f, 300),
        ) {
            (Ok(a), Ok(b)) => b.e2e > a.e2e,
            _ => false,
        }
    });
    c.push(holds(
        "72B end-to-end speed-up above 7B's (8×H100 TP vs H100)",
        bigger,
        "up to 3.6× for the largest model",
        "the vision tower is a smaller share of a 72B prefill",
    ));
    let worst = at30.iter().map(|x| x.overhead).fold(0.0, f64::max);
    c.push(Claim {
        unit: "%".into(),
        ..claim(
            "Merging + pruning share of the reduced prefill, worst".into(),
            None,
            "not stated",
            100.0 * worst,
            Check::Report,
            "counted work of similarity, merge, last-row re-scoring and top-k",
        )
    });
    c.push(claim(
        "End-to-end speed-up at 90 tokens/frame (pool stride 3), 7B, 32 frames, H100".into(),
        Some(1.75),
        "1.6–1.9× (v1)",
        sens.e2e_fused_headline(90)?,
        Check::Report,
        "sensitivity: with fewer tokens per frame the vision tower's share grows",
    ));
    Ok(c)
}

/// The share of dense time outside the LLM for which an LLM speed-up `llm` gives an
/// end-to-end speed-up `e2e` (Amdahl: `1/e2e = f + (1 − f)/llm`).
fn outside_llm(e2e: f64, llm: f64) -> f64 {
    (1.0 / e2e - 1.0 / llm) / (1.0 - 1.0 / llm)
}

/// The answer length (tokens) at which end to end falls to `target`; ∞ if never.
fn answer_for(x: &Speedup, target: f64) -> f64 {
    // (D + n·d) / (R + n·r) = t  ⇒  n = (D − t·R) / (t·r − d).
    let (dd, rr) = (x.dense.latency, x.reduced.latency);
    let (d, r) = (x.dense.decode, x.reduced.decode);
    let den = target * r - d;
    if den <= 0.0 {
        return f64::INFINITY;
    }
    ((dd - target * rr) / den).max(0.0)
}
