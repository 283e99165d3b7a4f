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

/// The platform as the mapper runs it: a platform with a host ([`Platform::host`]) gets
/// the host preset's GPU or CPU as its `gpu`/`cpu`, `devices` of them joined by the
/// host's interconnect (NVLink 3 when the host preset has none) as a `[system]`.
///
/// - `[host]` ([`HostRole::Fallback`]): an operator goes to the platform's own unit when
///   one can run it, else to the host; activations crossing between the two are
///   transfers on the host link ([`schedule::host`]). The platform keeps its own clock.
/// - `[pim.attention] host_platform` (AttAcc, [`HostRole::AttentionOffload`]): the host
///   runs everything but the decode attention offloaded to the PIM (whose estimate
///   charges its own link traffic); the platform takes the host's clock.
///
/// Returns the platform (its `host` set, so the cost model knows the rule) and a note
/// when it changed.
///
/// [`HostRole::Fallback`]: arch::host::HostRole::Fallback
/// [`HostRole::AttentionOffload`]: arch::host::HostRole::AttentionOffload
pub fn compose_host(p: &Platform) -> Result<(Platform, Option<String>), MapError> {
    use arch::host::HostRole;
    let Some(host) = p.host() else {
        return Ok((p.clone(), None));
    };
    let key = match host.role {
        HostRole::Fallback => "host",
        HostRole::AttentionOffload => "pim.attention.host_platform",
    };
    let h = Platform::load(&host.platform, &[]).map_err(|e| {
        MapError::Arch(arch::ArchError::Invalid {
            key: key.into(),
            message: format!("the host preset `{}` does not load: {e}", host.platform),
        })
    })?;
    let mut out = p.clone();
    out.gpu = h.gpu.clone();
    out.cpu = h.cpu.clone();
    if host.role == HostRole::AttentionOffload {
        out.clock = h.clock;
        out.clock_mhz = h.clock_mhz;
    }
    let devices = host.devices.max(1);
    out.system = match (&h.system, devices) {
        (Some(s), 1) => Some(s.clone()),
        (Some(_), n) => {
            return Err(MapError::Arch(arch::ArchError::Invalid {
                key: format!("{key} / devices"),
                message: format!(
                    "{n} devices of `{}`, which is itself a multi-device system; name its \
                     single-device preset",
                    h.name
                ),
            }));
        }
        (None, 1) => None,
        (None, n) => Some(
            arch::system::SystemSpec {
                devices: n,
                interconnect: "nvlink3".into(),
                topology: None,
                link_bytes_per_s: None,
                step_latency_us: None,
                base_latency_us: None,
                pipeline_stages: None,
                group_devices: None,
                global_link_bytes_per_s: None,
            }
            .validate(key)?,
        ),
    };
    let note = match host.role {
        HostRole::Fallback => format!(
            "host: {devices} × {} ([host]) runs what {}'s own units cannot",
            h.name, p.name
        ),
        HostRole::AttentionOffload => format!(
            "host: {devices} × {} ([pim.attention] host_platform) run everything but the \
             offloaded attention",
            h.name
        ),
    };
    out.host = Some(host);
    Ok((out, Some(note)))
}

/// The graph as the platform computes it:
/// - on an integer PE array of `b ≤ 8`-bit operands, a 16-bit model without a
///   quantisation transform is quantised to `w{b}a8` (per-channel weights, per-token
///   activations; `workloads::transforms::quantize`) — an int8 array cannot multiply fp16
///   operands;
/// - on a platform that offloads decode attention to PIM (AttAcc), unfused decode
///   attention is rebuilt fused, the form the PIM runs.
///
/// Returns the graph and notes on what changed.
pub fn prepare(p: &Platform, g: &Graph) -> Result<(Graph, Vec<String>), MapError> {
    let mut notes = Vec::new();
    let mut g = g.clone();
    let w = g.workload().clone();
    let offload = arch::work::Work::Attention(arch::work::AttentionShape {
        batch: 1,
        heads: 1,
        kv_heads: 1,
        q_len: 1,
        kv_len: 1,
        head_dim: 1,
        causal: true,
        dtype: arch::work::DType::Fp16,
        kv_dtype: arch::work::DType::Fp16,
        kv_group: 0,
    });
    if matches!(w.phase, workloads::Phase::Decode { .. })
        && w.attention != workloads::AttentionImpl::Fused
        && p.can_run(arch::work::Unit::Pim, &offload)
    {
        let mut fused = w.clone();
        fused.attention = workloads::AttentionImpl::Fused;
        g = g.model().build(&fused)?;
        notes.push(format!(
            "decode attention fused to run on {}'s PIM (attention offload)",
            p.name
        ));
    }
    if let Some(q) = quantize_for_array(p, &g)? {
        notes.push(q.1);
        g = q.0;
    }
    Ok((g, notes))
}

fn quantize_for_array(p: &Platform, g: &Graph) -> Result<Option<(Graph, String)>, MapError> {
    let Some(pe) = &p.pe_array else {
        return Ok(None);
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
        return Ok(None);
    }
    let bits = pe.operand_bits.clamp(2, 8);
    let scheme = format!("w{bits}a8");
    let q = Quantization::scheme(&scheme, None)?;
    let out = workloads::transforms::quantize(g, q)?;
    Ok(Some((
        out,
        format!(
            "{} computes {}-bit integers: the {} model is quantised to {scheme} (per-channel \
             weights, per-token activations) before mapping",
            p.name, pe.operand_bits, w.dtype
        ),
    )))
}

/// Simulates one step of `g` on `p` (see the crate docs for the flow).
pub fn simulate(p: &Platform, g: &Graph, opts: &RunOptions) -> Result<Report, MapError> {
    opts.validate()?;
    let (platform, host_note) = compose_host(p)?;
    let p = &platform;
    let (g, mut notes) = prepare(p, g)?;
    notes.extend(host_note);
    let devices = p.system.as_ref().map_or(1, |s| s.devices()).max(1);
    schedule::fit::check(p, &g, devices)?;
    let costs = PlatformCosts::new(p, opts)?;
    let mut s = schedule::build(&g, &costs, opts)?;
    for (i, n) in notes.into_iter().enumerate() {
        s.notes.insert(i, n);
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

/// The memory footprint of one step of `g` on `p` — weights as the platform stores them
/// (after [`prepare`]), KV cache and state, device memory, and the largest batch that
/// fits ([`schedule::fit::Footprint`]) — without simulating; works for steps that do not
/// fit (their `max_batch` is below their batch).
pub fn footprint(p: &Platform, g: &Graph) -> Result<schedule::fit::Footprint, MapError> {
    let (platform, _) = compose_host(p)?;
    let (g, _) = prepare(&platform, g)?;
    let devices = platform.system.as_ref().map_or(1, |s| s.devices()).max(1);
    Ok(schedule::fit::footprint(&platform, &g, devices))
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
