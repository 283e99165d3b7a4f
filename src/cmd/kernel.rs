//! `silica kernel gemm|gemv|elementwise|softmax`: simulate one kernel on a platform and
//! print its cycles, utilisation, traffic and energy (or emit them as JSON).

use anyhow::Context;
use arch::Platform;
use arch::kernel::{
    Fidelity, GemmOptions, GemmTiling, KernelReport, run_elementwise, run_gemm, run_gemv,
    run_softmax,
};
use arch::nonlinear::ElementwiseOp;
use arch::overrides::parse_assignment;
use arch::pe_array::{Dataflow, GemmShape};
use clap::{Args, Subcommand};

/// Arguments of `silica kernel`.
#[derive(Args, Debug)]
pub struct KernelArgs {
    #[command(subcommand)]
    kind: KernelKind,
}

#[derive(Subcommand, Debug)]
enum KernelKind {
    /// C[M×N] = A[M×K] · B[K×N].
    Gemm {
        #[command(flatten)]
        common: Common,
        /// Rows of A and C.
        #[arg(long)]
        m: u64,
        /// Reduction dimension.
        #[arg(long)]
        k: u64,
        /// Columns of B and C.
        #[arg(long)]
        n: u64,
        /// Force a systolic dataflow: os, ws or is.
        #[arg(long)]
        dataflow: Option<String>,
        /// Tile sizes M,K,N (default: the largest tiles that fit the buffer).
        #[arg(long, value_delimiter = ',', value_name = "M,K,N")]
        tile: Option<Vec<u64>>,
    },
    /// y[1×N] = x[1×K] · W[K×N].
    Gemv {
        #[command(flatten)]
        common: Common,
        /// Reduction dimension.
        #[arg(long)]
        k: u64,
        /// Outputs.
        #[arg(long)]
        n: u64,
        /// Force a systolic dataflow: os, ws or is.
        #[arg(long)]
        dataflow: Option<String>,
    },
    /// An element-wise operation over N elements.
    Elementwise {
        #[command(flatten)]
        common: Common,
        /// Elements.
        #[arg(long)]
        n: u64,
        /// mul, add, exp or silu.
        #[arg(long)]
        op: String,
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
    },
}

#[derive(Args, Debug)]
struct Common {
    /// Platform preset name or .toml file.
    #[arg(long)]
    arch: String,
    /// Override a platform key: --set pe_array.rows=64 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Fidelity level: 2 (tile events, default) or 3 (roofline).
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
            l => anyhow::bail!("--level {l}: expected 2 (tile events) or 3 (roofline)"),
        }
    }
}

fn dataflow(s: &Option<String>) -> anyhow::Result<Option<Dataflow>> {
    s.as_deref()
        .map(Dataflow::parse)
        .transpose()
        .context("--dataflow")
}

/// Runs `silica kernel …`.
pub fn run(args: &KernelArgs) -> anyhow::Result<()> {
    let (common, report) = match &args.kind {
        KernelKind::Gemm {
            common,
            m,
            k,
            n,
            dataflow: df,
            tile,
        } => {
            let p = common.platform()?;
            let tiling = match tile.as_deref() {
                None => None,
                Some(&[tile_m, tile_k, tile_n]) => Some(GemmTiling {
                    tile_m,
                    tile_k,
                    tile_n,
                }),
                Some(t) => anyhow::bail!("--tile takes three sizes M,K,N; got {} values", t.len()),
            };
            let opts = GemmOptions {
                dataflow: dataflow(df)?,
                tiling,
                fidelity: common.fidelity()?,
            };
            let r =
                run_gemm(&p, GemmShape::new(*m, *k, *n), &opts).context("simulating the GEMM")?;
            (common, r)
        }
        KernelKind::Gemv {
            common,
            k,
            n,
            dataflow: df,
        } => {
            let p = common.platform()?;
            let opts = GemmOptions {
                dataflow: dataflow(df)?,
                tiling: None,
                fidelity: common.fidelity()?,
            };
            (
                common,
                run_gemv(&p, *k, *n, &opts).context("simulating the GEMV")?,
            )
        }
        KernelKind::Elementwise { common, n, op } => {
            let p = common.platform()?;
            let op = ElementwiseOp::parse(op).context("--op")?;
            (
                common,
                run_elementwise(&p, *n, op, common.fidelity()?)
                    .context("simulating the element-wise kernel")?,
            )
        }
        KernelKind::Softmax { common, rows, len } => {
            let p = common.platform()?;
            (
                common,
                run_softmax(&p, *rows, *len, common.fidelity()?)
                    .context("simulating the softmax")?,
            )
        }
    };
    if common.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", text(&report));
    }
    Ok(())
}

fn text(r: &KernelReport) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: String| s.push_str(&format!("{k:<20} {v}\n"));
    line("kernel", r.kernel.clone());
    line("platform", r.platform.clone());
    line("unit", r.unit.clone());
    line(
        "fidelity",
        format!("level {} ({:?})", r.fidelity_level, r.fidelity),
    );
    line("compute_cycles", r.compute_cycles.to_string());
    line("total_cycles", r.total_cycles.to_string());
    line("roofline_cycles", r.roofline_cycles.to_string());
    line("time", format!("{:.3} us", r.seconds * 1e6));
    line("utilization", format!("{:.4}", r.utilization));
    if r.macs > 0 {
        line("macs", r.macs.to_string());
    }
    if r.elements > 0 {
        line("elements", r.elements.to_string());
    }
    if let Some(t) = r.tiling {
        line(
            "tiling",
            format!("{}x{}x{} ({} tiles)", t.tile_m, t.tile_k, t.tile_n, r.tiles),
        );
    }
    let o = &r.sram;
    line(
        "sram A reads/writes",
        format!("{} / {}", o.a_reads, o.a_writes),
    );
    line(
        "sram B reads/writes",
        format!("{} / {}", o.b_reads, o.b_writes),
    );
    line(
        "sram C reads/writes",
        format!("{} / {}", o.c_reads, o.c_writes),
    );
    line(
        "dram bytes r/w",
        format!("{} / {}", r.dram_bytes_read, r.dram_bytes_written),
    );
    line("energy", format!("{:.1} pJ", r.energy_pj));
    for e in &r.energy {
        line(
            &format!("  {}.{}", e.unit, e.action),
            format!("{:.1} pJ ({} x {:.4})", e.pj, e.count, e.pj_per_action),
        );
    }
    s
}
