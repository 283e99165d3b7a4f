//! `silica run`: simulate one inference step of a model on a platform and explain where
//! the time and energy go (or emit the whole report as JSON).

use std::path::PathBuf;

use anyhow::Context;
use arch::Platform;
use arch::overrides::parse_assignment;
use clap::{Args, ValueEnum};
use mappers::{DataflowPolicy, DramTiming, GpuLaunch, Objective, Report, RunOptions, Search};
use workloads::{Model, Workload};

use super::workload::{PhaseArg, ShapeArgs};

const EXAMPLES: &str = "\
Examples:
  silica run                                   # Llama-2-7B decode, batch 1, context 1024, on generic-os-128
  silica run --arch h100-sxm5-80gb --model llama2-7b --phase decode --context 4096 --batch 8
  silica run --arch marca --model mamba-2.8b --phase prefill --prompt 2048
  silica run --arch generic-os-128 --set pe_array.rows=256 --phase prefill --prompt 2048 --objective edp
  silica run --arch rtx-4090 --model llama2-7b --quant w4a16 --group 128
  silica run --arch 4x-a100-sxm4-80gb-nvlink --model llama2-70b --phase prefill --prompt 1024
  silica run --arch a100-sxm4-80gb --model llava-video-7b --phase prefill --frames 64 --token-reduction
  silica run --arch flightllm-u280 --model llama2-7b --trace out.json   # open out.json in ui.perfetto.dev
  silica run --arch tpu-v1 --model opt-6.7b --json > report.json

Presets: `silica presets` lists them; models: llama2-7b llama2-13b llama2-70b llama3-8b
  opt-6.7b opt-13b opt-30b qwen2-7b mamba-130m … mamba-2.8b llava-video-7b llava-video-72b
  llava-onevision-7b minicpm-v-8b, or a path to a HuggingFace config.json.";

/// How the mapping space is searched.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SearchArg {
    /// Exhaustive for small spaces, seeded random sampling for large ones.
    Auto,
    /// Every legal mapping (with pruning).
    Exhaustive,
    /// Seeded random sampling (--budget points).
    Random,
    /// Largest tiles that fit; no search.
    Heuristic,
}

/// Off-chip timing of tile transfers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DramArg {
    /// At the rates the DRAM model delivers, measured once per platform.
    Calibrated,
    /// Every transfer through the bank-level DRAM model.
    Detailed,
}

/// Dataflows a PE array may use.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DataflowArg {
    /// The platform's own dataflow.
    Platform,
    /// Search output-, weight- and input-stationary (a flexible array).
    Search,
}

/// Arguments of `silica run`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct RunArgs {
    /// Platform preset name or .toml file.
    #[arg(long, default_value = "generic-os-128")]
    pub arch: String,
    /// Override a platform key: --set pe_array.rows=64 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A shipped model name or a path to a HuggingFace config.json.
    #[arg(long, default_value = "llama2-7b")]
    pub model: String,
    /// Phase to simulate.
    #[arg(long, value_enum, default_value = "decode")]
    pub phase: PhaseArg,
    /// Prompt length in text tokens (prefill).
    #[arg(long, default_value_t = 512)]
    pub prompt: u64,
    /// Context length in text tokens, the new ones included (decode).
    #[arg(long, default_value_t = 1024)]
    pub context: u64,
    /// Batch, frames, quantisation and the other transforms.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// What each operator's mapping minimises: latency, energy or edp.
    #[arg(long, default_value = "latency")]
    pub objective: String,
    /// Mapping search.
    #[arg(long, value_enum, default_value = "auto")]
    pub search: SearchArg,
    /// Random-search samples per operator.
    #[arg(long, default_value_t = 1500)]
    pub budget: u64,
    /// Random-search seed.
    #[arg(long, default_value_t = 0x0051_11CA)]
    pub seed: u64,
    /// Dataflows a PE array may use.
    #[arg(long, value_enum, default_value = "platform")]
    pub dataflow: DataflowArg,
    /// Do not fuse element-wise operators into producers.
    #[arg(long)]
    pub no_fusion: bool,
    /// Do not keep intermediates in on-chip buffers.
    #[arg(long)]
    pub no_buffering: bool,
    /// GPU kernels launched one by one (default: one CUDA graph per step).
    #[arg(long)]
    pub eager: bool,
    /// Off-chip timing of tile transfers: detailed (every transfer through the bank-level
    /// DRAM model) or calibrated (the DRAM model's measured sequential rates; faster).
    #[arg(long, value_enum, default_value = "detailed")]
    pub dram: DramArg,
    /// Write a Chrome/Perfetto trace (one track per unit) to this file.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Rows in the top-operator tables.
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl RunArgs {
    fn options(&self) -> anyhow::Result<RunOptions> {
        let d = RunOptions::default();
        Ok(RunOptions {
            objective: Objective::parse(&self.objective).context("--objective")?,
            search: match self.search {
                SearchArg::Auto => match d.search {
                    Search::Auto {
                        exhaustive_limit, ..
                    } => Search::Auto {
                        exhaustive_limit,
                        budget: self.budget,
                        seed: self.seed,
                    },
                    s => s,
                },
                SearchArg::Exhaustive => Search::Exhaustive,
                SearchArg::Random => Search::Random {
                    budget: self.budget,
                    seed: self.seed,
                },
                SearchArg::Heuristic => Search::Heuristic,
            },
            dataflow: match self.dataflow {
                DataflowArg::Platform => DataflowPolicy::Platform,
                DataflowArg::Search => DataflowPolicy::Search,
            },
            fusion: !self.no_fusion,
            inter_op_buffering: !self.no_buffering,
            gpu_launch: if self.eager {
                GpuLaunch::PerKernel
            } else {
                GpuLaunch::Graph
            },
            dram: match self.dram {
                DramArg::Calibrated => DramTiming::Calibrated,
                DramArg::Detailed => DramTiming::Detailed,
            },
            trace: self.trace.is_some(),
        })
    }
}

/// Runs `silica run`.
pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let overrides = args
        .set
        .iter()
        .map(|s| parse_assignment(s))
        .collect::<Result<Vec<_>, _>>()?;
    let platform = Platform::load(&args.arch, &overrides)
        .with_context(|| format!("loading platform `{}`", args.arch))?;
    let model = Model::resolve(&args.model)?;
    let base = match args.phase {
        PhaseArg::Prefill => Workload::prefill(args.prompt),
        PhaseArg::Decode => Workload::decode(args.context),
    };
    let w = args.shape.apply(base, &model)?;
    let opts = args.options()?;
    let g = model
        .build(&w)
        .with_context(|| format!("cannot build the {} graph", model.name))?;
    let report = mappers::simulate(&platform, &g, &opts)
        .with_context(|| format!("cannot run {} on {}", model.name, platform.name))?;
    if let (Some(path), Some(json)) = (&args.trace, &report.trace_json) {
        std::fs::write(path, json)
            .with_context(|| format!("writing the trace to {}", path.display()))?;
    }
    let mut out = if args.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        text(&report, args.top)
    };
    if let (false, Some(path)) = (args.json, &args.trace) {
        out.push_str(&format!(
            "trace        {} (open in ui.perfetto.dev)\n",
            path.display()
        ));
    }
    // A closed pipe (`silica run | head`) is not an error.
    use std::io::Write;
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A time with a unit that keeps 3–4 significant digits.
fn t(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.3} µs", s * 1e6)
    } else {
        format!("{:.1} ns", s * 1e9)
    }
}

fn joules(j: f64) -> String {
    if j >= 1.0 {
        format!("{j:.3} J")
    } else if j >= 1e-3 {
        format!("{:.3} mJ", j * 1e3)
    } else {
        format!("{:.3} µJ", j * 1e6)
    }
}

fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else {
        format!("{:.1} kB", b / 1e3)
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// The terminal summary.
pub fn text(r: &Report, top: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let w = &r.workload;
    let phase = match w.phase {
        workloads::Phase::Prefill { prompt } => format!("prefill, prompt {prompt}"),
        workloads::Phase::Decode {
            context,
            tokens_per_step,
        } => format!("decode, context {context}, {tokens_per_step} token(s)/step"),
    };
    let mut line = |k: &str, v: String| {
        let _ = writeln!(s, "{k:<12} {v}");
    };
    line(
        "run",
        format!(
            "{} {phase}, batch {} on {} ({}, {} device{})",
            r.model,
            w.batch,
            r.platform,
            r.platform_class,
            r.devices,
            if r.devices == 1 { "" } else { "s" }
        ),
    );
    if !r.transforms.is_empty() {
        line("transforms", r.transforms.join(", "));
    }
    line("fidelity", r.fidelity.summary.clone());
    line("objective", r.objective.name().into());
    line(
        "latency",
        format!(
            "{}  ({} cycles at {} MHz)",
            t(r.seconds),
            r.cycles,
            r.clock_mhz
        ),
    );
    line(
        "throughput",
        format!(
            "{:.2} tokens/s ({} token{} per step)",
            r.tokens_per_s,
            r.tokens,
            if r.tokens == 1 { "" } else { "s" }
        ),
    );
    if let Some(ttft) = r.ttft_s {
        line("TTFT", t(ttft));
    }
    line(
        "energy",
        format!(
            "{}  ({}/token, {:.3} tokens/J)",
            joules(r.energy_j),
            joules(r.energy_j / r.tokens.max(1) as f64),
            r.tokens_per_j
        ),
    );
    line("power", format!("{:.2} W average", r.average_power_w));
    if let Some(u) = r.compute_utilization {
        line("compute", format!("{} of peak", pct(u)));
    }
    let tr = &r.traffic;
    line(
        "DRAM",
        format!(
            "{} read, {} written (link busy {}); on-chip {}",
            bytes(tr.dram_read_bytes),
            bytes(tr.dram_written_bytes),
            pct(tr.dram_utilization),
            bytes(tr.onchip_bytes)
        ),
    );
    line(
        "saved",
        format!(
            "fusion: {} ops, {} DRAM; on-chip buffering: {} tensors, {} DRAM",
            tr.fused_ops,
            bytes(tr.fusion_saved_bytes),
            tr.buffered_tensors,
            bytes(tr.buffer_saved_bytes)
        ),
    );
    if tr.interconnect_bytes > 0 {
        line(
            "interconnect",
            format!("{} sent per device", bytes(tr.interconnect_bytes)),
        );
    }
    if tr.host_link_bytes > 0 {
        line(
            "host link",
            format!("{} of activations, both ways", bytes(tr.host_link_bytes)),
        );
    }
    if let (Some(first), Some(last)) = (r.layers.first(), r.layers.last()) {
        let spans: Vec<f64> = r.layers.iter().map(|l| l.span_s).collect();
        let min = spans.iter().copied().fold(f64::INFINITY, f64::min);
        let max = spans.iter().copied().fold(0.0, f64::max);
        line(
            "layers",
            format!(
                "{} ({} {} … {} {}), {} to {} each",
                r.layers.len(),
                first.part,
                first.layer,
                last.part,
                last.layer,
                t(min),
                t(max)
            ),
        );
    }
    let _ = writeln!(s, "\nunits         busy          util    tasks");
    for u in &r.units {
        let _ = writeln!(
            s,
            "  {:<12}{:>12}  {:>7}  {:>6}",
            u.unit,
            t(u.busy_s),
            pct(u.utilization),
            u.tasks
        );
    }
    let total_time: f64 = r
        .operators
        .iter()
        .map(|o| o.seconds)
        .sum::<f64>()
        .max(1e-30);
    let _ = writeln!(
        s,
        "\ntop operators by time      unit          count        time   share      energy  bound"
    );
    let row = |s: &mut String, o: &mappers::report::OperatorRow| {
        let fused = if o.fused.is_empty() {
            String::new()
        } else {
            format!(" +{}", o.fused.join("+"))
        };
        let _ = writeln!(
            s,
            "  {:<24}  {:<12}{:>6}  {:>10}  {:>6}  {:>10}  {}{}",
            o.name,
            o.unit,
            o.count,
            t(o.seconds),
            pct(o.seconds / total_time),
            joules(o.energy_j),
            o.bound,
            fused
        );
    };
    for o in r.operators.iter().take(top) {
        row(&mut s, o);
    }
    let mut by_e: Vec<_> = r.operators.iter().collect();
    by_e.sort_by(|a, b| b.energy_j.total_cmp(&a.energy_j));
    let _ = writeln!(
        s,
        "\ntop operators by energy    unit          count        time   share      energy  bound"
    );
    for o in by_e.into_iter().take(top) {
        row(&mut s, o);
    }
    let _ = writeln!(s, "\nenergy by unit");
    for e in &r.energy_by_unit {
        let _ = writeln!(
            s,
            "  {:<16}{:>12}  {:>7}",
            e.name,
            joules(e.joules),
            pct(e.share)
        );
    }
    if !r.mappings.is_empty() {
        let _ = writeln!(s, "\nmappings (distinct products; level-2 time per task)");
        for m in r.mappings.iter().take(top) {
            let _ = writeln!(
                s,
                "  {:<14} {} (×{}): {}\n  {:<14} {} of {} points ({}), {} at level 2 via {}, roofline {}",
                m.op,
                m.shape,
                m.uses,
                m.mapping,
                "",
                m.evaluated,
                m.space,
                m.method,
                t(m.level2_s),
                m.via,
                t(m.roofline_s)
            );
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\nnotes");
        for n in &r.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}
