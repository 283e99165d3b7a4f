//! `silica workload`: build a model's operator graph for a phase and print its FLOPs,
//! bytes and intensity by category, parameters and KV-cache size.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;
use workloads::transforms::DequantMode;
use workloads::{
    AttentionImpl, Category, Graph, KvCompression, Model, Phase, Quantization, TokenReduction,
    Tokens, Totals, Workload,
};

/// Inference phase.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PhaseArg {
    /// Process the prompt (and a VLM's frames) and fill the KV cache.
    Prefill,
    /// One decode step.
    Decode,
}

/// Attention implementation.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AttentionArg {
    /// Separate QKᵀ, softmax and PV operators.
    Unfused,
    /// One flash-style fused operator.
    Fused,
    /// Unfused as HuggingFace's eager attention: the whole score rectangle is computed
    /// (the causal mask added, not skipped) and the softmax runs in fp32.
    Eager,
}

/// Where quantised weights are dequantised.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DequantArg {
    /// Inside the GEMM/GEMV kernel.
    Fused,
    /// A separate operator writing dense weights.
    Separate,
}

const EXAMPLES: &str = "\
Examples:
  silica workload llama2-7b --phase decode --context 4096
  silica workload llama2-7b --phase prefill --prompt 2048 --batch 8 --json
  silica workload mamba-2.8b --phase decode --context 2048
  silica workload llava-video-7b --phase prefill --frames 64 --token-reduction budget=0.3
  silica workload llava-onevision-7b --phase decode --context 512 --quant w3a16 --group 128
  silica workload llama2-7b --phase decode --context 32768 --kv-rank k=0.25,v=0.75 --kv-bits 4
  silica workload llama2-13b --phase prefill --prompt 4096 --int-softmax
  silica workload path/to/config.json --phase decode --tokens-per-step 4

Shipped models: llama2-7b llama2-13b llama2-70b llama3-8b opt-6.7b opt-13b opt-30b qwen2-7b
  mamba-130m mamba-370m mamba-790m mamba-1.4b mamba-2.8b llava-video-7b llava-video-72b
  llava-onevision-7b minicpm-v-8b";

/// Arguments of `silica workload`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct WorkloadArgs {
    /// A shipped model name (e.g. llama2-7b, mamba-2.8b, llava-video-7b) or a path to a
    /// HuggingFace config.json.
    pub model: String,
    /// Phase to build.
    #[arg(long, value_enum)]
    pub phase: PhaseArg,
    /// Prompt length in text tokens (prefill).
    #[arg(long, default_value_t = 512)]
    pub prompt: u64,
    /// Context length in text tokens, the new ones included (decode).
    #[arg(long, default_value_t = 2048)]
    pub context: u64,
    /// Batch, frames, quantisation and the other transforms.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Workload options shared by `silica workload` and `silica run`: batch, frames,
/// quantisation and the other transforms.
#[derive(Debug, Args)]
pub struct ShapeArgs {
    /// Sequences per batch.
    #[arg(long, default_value_t = 1)]
    pub batch: u64,
    /// Tokens verified per decode step (speculative / Jacobi decoding).
    #[arg(long, default_value_t = 1)]
    pub tokens_per_step: u64,
    /// Video frames per sequence (VLMs; default 64 for VLMs, 0 otherwise).
    #[arg(long)]
    pub frames: Option<u64>,
    /// Weight/activation quantisation: w8a8, w4a16, w4a8, w3a16 (any w<2..8>a<8|16>).
    #[arg(long)]
    pub quant: Option<String>,
    /// Quantisation group size (0 = per channel; default 128 for A16, per channel for A8).
    #[arg(long, requires = "quant")]
    pub group: Option<u64>,
    /// Dequantisation fused into the GEMM or a separate operator.
    #[arg(long, value_enum, default_value = "fused", requires = "quant")]
    pub dequant: DequantArg,
    /// FrameFusion token reduction: merge=…,prune=…,layer=… or budget=…
    /// (default merge=0.5,prune=0.4,layer=2: 30 % of vision tokens kept).
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    pub token_reduction: Option<String>,
    /// CSKV low-rank KV cache: k=…,v=…[,window=…][,reconstruct=absorbed] channel ratios (default
    /// k=0.25,v=0.75,window=32, reconstruct=explicit: every cached token up-projected per step).
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    pub kv_rank: Option<String>,
    /// KV-cache bits (2…8; quantises the compressed cache with --kv-rank, else the whole cache).
    #[arg(long)]
    pub kv_bits: Option<u8>,
    /// Replace float softmax by SoftmAP's 8-bit integer-only softmax.
    #[arg(long)]
    pub int_softmax: bool,
    /// Attention implementation.
    #[arg(long, value_enum, default_value = "unfused")]
    pub attention: AttentionArg,
}

/// One category row of the report.
#[derive(Debug, Serialize)]
struct Row {
    category: String,
    count: u64,
    flops: u64,
    bytes: u64,
    intensity: f64,
}

impl Row {
    fn new(name: &str, t: &Totals) -> Row {
        Row {
            category: name.to_string(),
            count: t.count,
            flops: t.flops,
            bytes: t.bytes,
            intensity: t.intensity(),
        }
    }
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    model: &'a str,
    source: &'a str,
    workload: &'a Workload,
    transforms: Vec<String>,
    tokens: Tokens,
    params: u64,
    weight_bytes: u64,
    kv_cache_bytes: u64,
    state_bytes: u64,
    categories: Vec<Row>,
    total: Row,
}

fn workload(args: &WorkloadArgs, model: &Model) -> Result<Workload> {
    let phase = match args.phase {
        PhaseArg::Prefill => Workload::prefill(args.prompt),
        PhaseArg::Decode => Workload::decode(args.context),
    };
    args.shape.apply(phase, model)
}

impl ShapeArgs {
    /// `base` (a prefill or decode workload) with these options applied.
    pub fn apply(&self, base: Workload, model: &Model) -> Result<Workload> {
        let args = self;
        let mut w = base;
        if let Phase::Decode {
            tokens_per_step, ..
        } = &mut w.phase
        {
            *tokens_per_step = args.tokens_per_step;
        }
        w.batch = args.batch;
        let vlm = matches!(model.config, workloads::config::ModelConfig::Vlm(_));
        w.frames = args.frames.unwrap_or(if vlm { 64 } else { 0 });
        w.attention = match args.attention {
            AttentionArg::Unfused => AttentionImpl::Unfused,
            AttentionArg::Fused => AttentionImpl::Fused,
            AttentionArg::Eager => AttentionImpl::Eager,
        };
        let t = &mut w.transforms;
        if let Some(q) = &args.quant {
            let mut q = Quantization::scheme(q, args.group).context("--quant")?;
            if let DequantArg::Separate = args.dequant {
                q.dequant = DequantMode::Separate;
            }
            t.quant = Some(q);
        }
        if let Some(s) = &args.token_reduction {
            t.token_reduction = Some(s.parse::<TokenReduction>().context("--token-reduction")?);
        }
        t.kv = match (&args.kv_rank, args.kv_bits) {
            (Some(s), bits) => {
                let mut k = s.parse::<KvCompression>().context("--kv-rank")?;
                k.bits = bits;
                Some(k)
            }
            (None, Some(b)) => Some(KvCompression::quantized(b)),
            (None, None) => None,
        };
        if args.int_softmax {
            t.int_softmax = Some(8);
        }
        Ok(w)
    }
}

/// Runs `silica workload`.
pub fn run(args: &WorkloadArgs) -> Result<()> {
    let model = Model::resolve(&args.model)?;
    let w = workload(args, &model)?;
    let g = model
        .build(&w)
        .with_context(|| format!("cannot build the {} graph", model.name))?;
    let s = g.summary();
    let report = Report {
        model: &model.name,
        source: &model.source,
        workload: g.workload(),
        transforms: g.workload().transforms.names(),
        tokens: g.tokens(),
        params: g.params(),
        weight_bytes: g.weight_bytes(),
        kv_cache_bytes: g.kv_cache_bytes(),
        state_bytes: g.state_bytes(),
        categories: s
            .categories
            .iter()
            .map(|(c, t)| Row::new(c.name(), t))
            .collect(),
        total: Row::new("total", &s.total),
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report, &g);
    }
    Ok(())
}

fn gib(bytes: u64) -> String {
    format!(
        "{:.3} GiB ({bytes} B)",
        bytes as f64 / f64::from(1u32 << 30)
    )
}

fn print_table(r: &Report, g: &Graph) {
    let w = g.workload();
    let phase = match w.phase {
        Phase::Prefill { prompt } => format!("prefill, prompt {prompt}"),
        Phase::Decode {
            context,
            tokens_per_step,
        } => format!("decode, context {context}, {tokens_per_step} token(s)/step"),
    };
    outln!("model       {} ({})", r.model, r.source);
    outln!(
        "workload    {phase}, batch {}, frames {}, {}",
        w.batch,
        w.frames,
        w.dtype
    );
    let t = r.tokens;
    outln!(
        "tokens      q {} kv {} per sequence (vision {} → {}, text {})",
        t.q_len,
        t.kv_len,
        t.vision,
        t.vision_kept,
        t.text
    );
    outln!("transforms  {}", w.transforms);
    outln!("parameters  {:.3} B ({})", r.params as f64 / 1e9, r.params);
    outln!("weights     {} read per step", gib(r.weight_bytes));
    outln!("KV cache    {}", gib(r.kv_cache_bytes));
    if r.state_bytes > 0 {
        outln!("state       {}", gib(r.state_bytes));
    }
    outln!();
    outln!(
        "{:<16} {:>6} {:>14} {:>12} {:>10}",
        "category",
        "ops",
        "GFLOP",
        "MB",
        "FLOP/B"
    );
    let row = |x: &Row| {
        outln!(
            "{:<16} {:>6} {:>14.3} {:>12.3} {:>10.2}",
            x.category,
            x.count,
            x.flops as f64 / 1e9,
            x.bytes as f64 / 1e6,
            x.intensity
        );
    };
    for c in Category::ALL {
        if let Some(x) = r.categories.iter().find(|x| x.category == c.name()) {
            row(x);
        }
    }
    row(&r.total);
}
