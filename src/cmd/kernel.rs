//! `silica kernel gemm|gemv|qgemv|elementwise|softmax|norm|attention|scan`: estimate one
//! kernel on any platform through `arch::Platform::estimate` (the dispatch layer) and
//! print its time, traffic and energy — with every PE-array field (cycles, utilisation,
//! MACs, SRAM counts) when a PE array or nonlinear unit ran it — or emit them as JSON.

use anyhow::{Context, bail};
use arch::Platform;
use arch::kernel::{Fidelity, GemmTiling};
use arch::overrides::parse_assignment;
use arch::pe_array::Dataflow;
use arch::work::{AttentionShape, DType, EstimateOptions, EwOp, NormKind, Unit, Work};
use clap::{Args, Subcommand};

use super::kernel_out;

const EXAMPLES: &str = "\
Examples:
  silica kernel gemm --arch generic-os-128 --m 4096 --k 4096 --n 4096
  silica kernel gemv --arch a100-sxm4-80gb --k 4096 --n 11008 --dtype fp16
  silica kernel qgemv --arch rtx-4090 --k 4096 --n 4096 --bits 4 --group 128
  silica kernel softmax --arch imc-softmap --rows 16 --len 512 --integer
  silica kernel attention --arch pim-attacc --heads 32 --kv-len 2048 --head-dim 128
  silica kernel scan --arch marca --seq-len 64 --d-inner 1536 --d-state 16
  silica kernel gemm --arch tpu-v1 --m 512 --k 512 --n 512 --level 3 --json
  silica kernel elementwise --arch generic-os-128 --n 1000000 --op silu --unit nonlinear

Every preset runs here (`silica presets` lists them); a unit that cannot run a kernel class
says so and names the units that can. Without --unit the platform's preferred unit runs it.";

/// Arguments of `silica kernel`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct KernelArgs {
    #[command(subcommand)]
    kind: KernelKind,
}

#[derive(Subcommand, Debug)]
enum KernelKind {
    /// C[M×N] = A[M×K] · W[K×N].
    Gemm {
        #[command(flatten)]
        common: Common,
        /// Rows of A and C (tokens).
        #[arg(long)]
        m: u64,
        /// Reduction dimension.
        #[arg(long)]
        k: u64,
        /// Columns of W and C.
        #[arg(long)]
        n: u64,
        /// Weight format when it differs from --dtype (e.g. int4 weights, fp16 activations).
        #[arg(long)]
        weight_dtype: Option<String>,
        /// Force a systolic dataflow on a PE array: os, ws or is.
        #[arg(long)]
        dataflow: Option<String>,
        /// PE-array tile sizes M,K,N (default: the largest tiles that fit the buffer).
        #[arg(long, value_delimiter = ',', value_name = "M,K,N")]
        tile: Option<Vec<u64>>,
    },
    /// y[1×N] = x[1×K] · W[K×N] (a GEMM with M = 1).
    Gemv {
        #[command(flatten)]
        common: Common,
        /// Reduction dimension.
        #[arg(long)]
        k: u64,
        /// Outputs.
        #[arg(long)]
        n: u64,
        /// Weight format when it differs from --dtype.
        #[arg(long)]
        weight_dtype: Option<String>,
        /// Force a systolic dataflow on a PE array: os, ws or is.
        #[arg(long)]
        dataflow: Option<String>,
    },
    /// Weight-only quantised GEMV (or GEMM with --m): BITS-bit weights, groups of GROUP.
    Qgemv {
        #[command(flatten)]
        common: Common,
        /// Vectors (batch); a GEMM for larger M.
        #[arg(long, default_value_t = 1)]
        m: u64,
        /// Reduction dimension.
        #[arg(long)]
        k: u64,
        /// Outputs.
        #[arg(long)]
        n: u64,
        /// Bits per weight (1–8).
        #[arg(long, default_value_t = 4)]
        bits: u32,
        /// Weights per quantisation group along K.
        #[arg(long, default_value_t = 128)]
        group: u64,
        /// Dequantise in a separate kernel first (default: fused into the product).
        #[arg(long)]
        unfused: bool,
    },
    /// An element-wise operation over N elements.
    Elementwise {
        #[command(flatten)]
        common: Common,
        /// Elements.
        #[arg(long)]
        n: u64,
        /// add, sub, mul, exp, silu, gelu or copy.
        #[arg(long)]
        op: String,
        /// Input tensors per element (default: 2 for add, sub, mul; else 1).
        #[arg(long)]
        inputs: Option<u32>,
    },
    /// Softmax over ROWS rows of LEN elements.
    Softmax {
        #[command(flatten)]
        common: Common,
        /// Rows.
        #[arg(long)]
        rows: u64,
        /// Elements per row.
        #[arg(long)]
        len: u64,
        /// SoftmAP's integer-only softmax.
        #[arg(long)]
        integer: bool,
    },
    /// RMSNorm (or LayerNorm with --layer) over ROWS rows of LEN elements.
    Norm {
        #[command(flatten)]
        common: Common,
        /// Rows (tokens).
        #[arg(long)]
        rows: u64,
        /// Elements per row (hidden size).
        #[arg(long)]
        len: u64,
        /// LayerNorm instead of RMSNorm.
        #[arg(long)]
        layer: bool,
    },
    /// Fused multi-head attention (decode: --q-len 1).
    Attention {
        #[command(flatten)]
        common: Common,
        /// Batch size.
        #[arg(long, default_value_t = 1)]
        batch: u64,
        /// Query heads.
        #[arg(long)]
        heads: u64,
        /// Key/value heads (default: --heads).
        #[arg(long)]
        kv_heads: Option<u64>,
        /// Query tokens.
        #[arg(long, default_value_t = 1)]
        q_len: u64,
        /// Key/value tokens.
        #[arg(long)]
        kv_len: u64,
        /// Head dimension.
        #[arg(long)]
        head_dim: u64,
        /// Causal mask.
        #[arg(long)]
        causal: bool,
        /// K/V format as stored when it differs from --dtype (a quantised cache: int4).
        #[arg(long)]
        kv_dtype: Option<String>,
        /// Channels of a head per fp16 scale and zero of an integer --kv-dtype (0: none).
        #[arg(long, default_value_t = 0)]
        kv_group: u64,
    },
    /// Mamba's selective scan.
    Scan {
        #[command(flatten)]
        common: Common,
        /// Batch size.
        #[arg(long, default_value_t = 1)]
        batch: u64,
        /// Steps (1 for decode).
        #[arg(long)]
        seq_len: u64,
        /// Channels (d_inner).
        #[arg(long)]
        d_inner: u64,
        /// State per channel (d_state).
        #[arg(long, default_value_t = 16)]
        d_state: u64,
    },
}

#[derive(Args, Debug)]
struct Common {
    /// Platform preset name or .toml file (`silica presets` lists the presets).
    #[arg(long)]
    arch: String,
    /// Override a platform key: --set pe_array.rows=64 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Unit to run on: pe_array, nonlinear, gpu, cpu, crossbar, assoc_processor, pim
    /// (default: the platform's preferred unit for the kernel class).
    #[arg(long)]
    unit: Option<String>,
    /// Operand format: fp32, tf32, fp16, bf16, fp8, int8, int4 (default: the PE array's
    /// format, else fp16).
    #[arg(long)]
    dtype: Option<String>,
    /// Fidelity level on PE arrays and nonlinear units: 2 (tile events, default) or 3
    /// (roofline).
    #[arg(long, default_value_t = 2)]
    level: u8,
    /// Emit JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Common {
    fn platform(&self) -> anyhow::Result<Platform> {
        let overrides = self
            .set
            .iter()
            .map(|s| parse_assignment(s))
            .collect::<Result<Vec<_>, _>>()?;
        Platform::load(&self.arch, &overrides)
            .with_context(|| format!("loading platform `{}`", self.arch))
    }

    fn fidelity(&self) -> anyhow::Result<Fidelity> {
        match self.level {
            2 => Ok(Fidelity::TileEvents),
            3 => Ok(Fidelity::Roofline),
            l => bail!("--level {l}: expected 2 (tile events) or 3 (roofline)"),
        }
    }

    fn dtype(&self, p: &Platform) -> anyhow::Result<DType> {
        match &self.dtype {
            Some(d) => DType::parse(d).context("--dtype"),
            None => Ok(p.pe_array_dtype().unwrap_or(DType::Fp16)),
        }
    }
}

fn parse_dtype(s: &Option<String>, default: DType, flag: &str) -> anyhow::Result<DType> {
    match s {
        Some(d) => DType::parse(d).with_context(|| flag.to_string()),
        None => Ok(default),
    }
}

/// The work, its common arguments, and the PE-array-only options given.
struct Request<'a> {
    common: &'a Common,
    platform: Platform,
    work: Work,
    dataflow: Option<Dataflow>,
    tiling: Option<GemmTiling>,
}

fn request(kind: &KernelKind) -> anyhow::Result<Request<'_>> {
    let (common, dataflow_arg, tiling) = match kind {
        KernelKind::Gemm {
            common,
            dataflow,
            tile,
            ..
        } => {
            let tiling = match tile.as_deref() {
                None => None,
                Some(&[tile_m, tile_k, tile_n]) => Some(GemmTiling {
                    tile_m,
                    tile_k,
                    tile_n,
                }),
                Some(t) => bail!("--tile takes three sizes M,K,N; got {} values", t.len()),
            };
            (common, dataflow.as_deref(), tiling)
        }
        KernelKind::Gemv {
            common, dataflow, ..
        } => (common, dataflow.as_deref(), None),
        KernelKind::Qgemv { common, .. }
        | KernelKind::Elementwise { common, .. }
        | KernelKind::Softmax { common, .. }
        | KernelKind::Norm { common, .. }
        | KernelKind::Attention { common, .. }
        | KernelKind::Scan { common, .. } => (common, None, None),
    };
    let dataflow = dataflow_arg
        .map(Dataflow::parse)
        .transpose()
        .context("--dataflow")?;
    let p = common.platform()?;
    let d = common.dtype(&p)?;
    let work = match *kind {
        KernelKind::Gemm {
            m,
            k,
            n,
            ref weight_dtype,
            ..
        } => Work::Gemm {
            m,
            k,
            n,
            act: d,
            weight: parse_dtype(weight_dtype, d, "--weight-dtype")?,
        },
        KernelKind::Gemv {
            k,
            n,
            ref weight_dtype,
            ..
        } => Work::Gemm {
            m: 1,
            k,
            n,
            act: d,
            weight: parse_dtype(weight_dtype, d, "--weight-dtype")?,
        },
        KernelKind::Qgemv {
            m,
            k,
            n,
            bits,
            group,
            unfused,
            ref common,
        } => Work::QuantGemm {
            m,
            k,
            n,
            // Quantised products take floating-point (or int8) activations: fp16 unless
            // asked otherwise, whatever the PE array's format.
            act: parse_dtype(&common.dtype, DType::Fp16, "--dtype")?,
            weight_bits: bits,
            group_size: group,
            fused_dequant: !unfused,
        },
        KernelKind::Elementwise {
            n, ref op, inputs, ..
        } => {
            let op = EwOp::parse(op).context("--op")?;
            Work::Elementwise {
                elements: n,
                op,
                n_inputs: inputs.unwrap_or(op.inputs()),
                dtype: d,
            }
        }
        KernelKind::Softmax {
            rows, len, integer, ..
        } => Work::Softmax {
            rows,
            len,
            dtype: d,
            integer,
        },
        KernelKind::Norm {
            rows, len, layer, ..
        } => Work::Norm {
            rows,
            len,
            kind: if layer {
                NormKind::Layer
            } else {
                NormKind::Rms
            },
            dtype: d,
        },
        KernelKind::Attention {
            batch,
            heads,
            kv_heads,
            q_len,
            kv_len,
            head_dim,
            causal,
            ref kv_dtype,
            kv_group,
            ..
        } => Work::Attention(AttentionShape {
            batch,
            heads,
            kv_heads: kv_heads.unwrap_or(heads),
            q_len,
            kv_len,
            head_dim,
            causal,
            dtype: d,
            kv_dtype: parse_dtype(kv_dtype, d, "--kv-dtype")?,
            kv_group,
        }),
        KernelKind::Scan {
            batch,
            seq_len,
            d_inner,
            d_state,
            ..
        } => Work::Scan {
            batch,
            seq_len,
            d_inner,
            d_state,
            dtype: d,
        },
    };
    Ok(Request {
        common,
        platform: p,
        work,
        dataflow,
        tiling,
    })
}

/// Runs `silica kernel …`.
pub fn run(args: &KernelArgs) -> anyhow::Result<()> {
    let r = request(&args.kind)?;
    let p = &r.platform;
    let unit = match &r.common.unit {
        Some(u) => Unit::parse(u).context("--unit")?,
        None => p
            .preferred_unit(&r.work)
            .with_context(|| format!("estimating {}", r.work.label()))?,
    };
    if unit != Unit::PeArray && (r.dataflow.is_some() || r.tiling.is_some()) {
        bail!(
            "--dataflow and --tile apply to a pe_array; {} runs on {unit}",
            r.work.label()
        );
    }
    let opts = EstimateOptions {
        tiling: r.tiling,
        dataflow: r.dataflow,
        fidelity: r.common.fidelity()?,
    };
    let est = p
        .estimate(unit, &r.work, &opts)
        .with_context(|| format!("estimating {} on {}", r.work.label(), p.name))?;
    if r.common.json {
        let v = kernel_out::json(p, &est)?;
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        out!("{}", kernel_out::text(p, &est));
    }
    Ok(())
}
