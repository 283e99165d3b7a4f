//! # mappers — putting work on hardware
//!
//! **Owns:** per-operator mapping (tiling, loop order, spatial unrolling, dataflow,
//! double buffering) and its search ([`mapping`]), the cost of work on every unit
//! ([`cost`]), per-graph scheduling — unit assignment, fusion, inter-operation buffering,
//! tensor parallelism, capacity checks ([`schedule`]) — the execution of the schedule on
//! `sim-core` ([`exec`]) and the [`Report`].
//!
//! **Architecture invariant:** `mappers` reads validated `arch` platforms and `workloads`
//! graphs; it parses no files and draws nothing.
//!
//! ## How a run flows
//! graph → ([`prepare`]: the array's precision) → capacity check → assignment → mapping
//! (search, winner at level 2) → fusion, buffering, collectives → schedule → `sim-core`
//! → [`Report`].
//!
//! ```
//! use mappers::{RunOptions, simulate};
//! use workloads::{Model, Workload};
//! let p = arch::Platform::load("generic-os-128", &[]).unwrap();
//! let g = Model::resolve("mamba-130m").unwrap().build(&Workload::decode(64)).unwrap();
//! let r = simulate(&p, &g, &RunOptions::default()).unwrap();
//! assert!(r.seconds > 0.0 && r.energy_j > 0.0 && r.tokens == 1);
//! ```

pub mod cost;
mod error;
pub mod exec;
pub mod mapping;
mod options;
pub mod report;
pub mod schedule;
pub mod work;

use arch::Platform;
use arch::tech::Arithmetic;
use workloads::{DType, Graph, Model, Quantization, Workload};

pub use error::MapError;
pub use options::{DataflowPolicy, DramTiming, GpuLaunch, Objective, RunOptions, Search};
pub use report::Report;

use cost::PlatformCosts;

/// The graph as the platform computes it: on an integer PE array of `b ≤ 8`-bit operands,
/// a 16-bit model without a quantisation transform is quantised to `w{b}a8` (per-channel
/// weights, per-token activations; `workloads::transforms::quantize`) — an int8 array
/// cannot multiply fp16 operands. Returns the graph and a note when it changed.
pub fn prepare(p: &Platform, g: &Graph) -> Result<(Graph, Option<String>), MapError> {
    let Some(pe) = &p.pe_array else {
        return Ok((g.clone(), None));
    };
    let w = g.workload();
    let float16 = matches!(w.dtype, DType::F16 | DType::BF16);
    if pe.arithmetic != Arithmetic::Int
        || pe.operand_bits > 8
        || !float16
        || w.transforms.quant.is_some()
        || p.gpu.is_some()
        || p.cpu.is_some()
    {
        return Ok((g.clone(), None));
    }
    let bits = pe.operand_bits.clamp(2, 8);
    let scheme = format!("w{bits}a8");
    let q = Quantization::scheme(&scheme, None)?;
    let out = workloads::transforms::quantize(g, q)?;
    Ok((
        out,
        Some(format!(
            "{} computes {}-bit integers: the {} model is quantised to {scheme} (per-channel \
             weights, per-token activations) before mapping",
            p.name, pe.operand_bits, w.dtype
        )),
    ))
}

/// Simulates one step of `g` on `p` (see the crate docs for the flow).
pub fn simulate(p: &Platform, g: &Graph, opts: &RunOptions) -> Result<Report, MapError> {
    opts.validate()?;
    let (g, note) = prepare(p, g)?;
    let devices = p.system.as_ref().map_or(1, |s| s.devices()).max(1);
    schedule::fit::check(p, &g, devices)?;
    let costs = PlatformCosts::new(p, opts)?;
    let mut s = schedule::build(&g, &costs, opts)?;
    if let Some(n) = note {
        s.notes.insert(0, n);
    }
    let rate = if let Some(gpu) = &p.gpu {
        gpu.spec().mem_bytes_per_s
    } else if let Some(cpu) = &p.cpu {
        cpu.spec().mem_bytes_per_s
    } else {
        costs.mem.peak_bytes_per_s
    };
    let t = exec::run(&s, rate, opts.trace)?;
    Ok(report::build(&g, &costs, &s, t, opts))
}

/// Builds `model`'s graph for `w` and simulates it.
pub fn simulate_model(
    p: &Platform,
    model: &Model,
    w: &Workload,
    opts: &RunOptions,
) -> Result<Report, MapError> {
    let g = model.build(w)?;
    simulate(p, &g, opts)
}
