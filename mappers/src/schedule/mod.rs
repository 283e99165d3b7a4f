//! From an operator graph to a schedule of timed work items.
//!
//! 1. **Assignment** ([`assign`]): each operator's [`Work`] goes to the first unit of the
//!    cost model's candidates that can run it (GEMMs → PE array or GPU/CPU; softmax,
//!    norms and element-wise → the PE array in element-wise mode on a MARCA-like array,
//!    else the nonlinear unit; data movement → the DMA engine).
//! 2. **Tensor parallelism** ([`tp`]) on multi-device platforms: each operator's work is
//!    split across devices (Megatron pattern), with an all-reduce after each
//!    row-parallel product. **Pipeline parallelism** ([`pp`]) with `pipeline_stages`:
//!    contiguous layer ranges per stage, an activation send at each stage boundary.
//! 3. **Fusion** ([`fuse`]): element-wise operators fold into their producer's epilogue.
//! 4. **Host link** ([`host`]): on a platform with a `[host]`, an activation crossing
//!    between the platform's own units and the host is a transfer task on the link.
//! 5. **Inter-operation buffering** ([`buffer`]): intermediates stay in the global buffer
//!    when they fit; the DRAM traffic saved is counted.
//!
//! The result is a [`Schedule`]: tasks in a topological order, each with its unit, its
//! cost alone and its dependencies, ready for [`crate::exec`].

pub mod assign;
pub mod buffer;
pub mod fit;
pub mod fuse;
pub mod host;
pub mod pp;
pub mod tp;

use sim_core::Time;
use workloads::{Graph, OpId, Part};

use crate::cost::{Bound, CostModel, EnergyItem, OpCost, PlatformCosts, UnitKind};
use crate::work::Work;
use crate::{MapError, RunOptions};

/// One work item of the schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Operator name (`q_proj`, `all_reduce`…).
    pub name: String,
    /// The graph operator, if any.
    pub op: Option<OpId>,
    /// Model part.
    pub part: Option<Part>,
    /// Layer.
    pub layer: Option<u32>,
    /// Category name (`linear`, …, `communication`, `launch`).
    pub category: &'static str,
    /// The unit that runs it.
    pub unit: UnitKind,
    /// What it computes (after tensor-parallel splitting).
    pub work: Option<Work>,
    /// Its cost alone (after fusion and buffering adjustments).
    pub cost: OpCost,
    /// Useful FLOPs (per device).
    pub flops: u64,
    /// Tasks that must finish first (indices).
    pub deps: Vec<usize>,
    /// Bytes of its output tensor.
    pub out_bytes: u64,
    /// Names of operators fused into it.
    pub fused: Vec<String>,
    /// False once fused into another task (then it is not executed).
    pub alive: bool,
}

impl Task {
    /// A communication task (an all-reduce, a pipeline send, a host-link transfer): `time`
    /// on `unit` after task `dep`, no DRAM or on-chip traffic, `energy` (empty where the
    /// link's energy is not modelled), bounded by the link's latency or bandwidth.
    pub fn communication(
        name: &str,
        unit: UnitKind,
        (time, bound, energy): (Time, Bound, Vec<EnergyItem>),
        (part, layer): (Option<Part>, Option<u32>),
        dep: usize,
        bytes: u64,
    ) -> Task {
        let memory_time = if bound == Bound::Memory {
            time
        } else {
            Time::ZERO
        };
        Task {
            name: name.into(),
            op: None,
            part,
            layer,
            category: "communication",
            unit,
            work: None,
            cost: OpCost {
                unit,
                time,
                compute_time: Time::ZERO,
                memory_time,
                launch_time: Time::ZERO,
                roofline: time,
                dram_read: 0,
                dram_written: 0,
                onchip_bytes: 0,
                energy,
                fidelity: 3,
                bound,
                mapping: None,
            },
            flops: 0,
            deps: vec![dep],
            out_bytes: bytes,
            fused: Vec::new(),
            alive: true,
        }
    }
}

/// A schedule ready to execute.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Tasks (live ones execute).
    pub tasks: Vec<Task>,
    /// Tensor-parallel devices each operator is split across (1 without `[system]`).
    pub devices: u32,
    /// Pipeline stages used (1 without pipeline parallelism).
    pub pipeline_stages: u32,
    /// All devices of the system (`T × P` asked for, idle stages included).
    pub total_devices: u32,
    /// Operators fused into producers.
    pub fused_ops: u64,
    /// DRAM bytes fusion saved.
    pub fusion_saved_bytes: u64,
    /// Intermediates kept on chip.
    pub buffered_tensors: u64,
    /// DRAM bytes inter-operation buffering saved.
    pub buffer_saved_bytes: u64,
    /// Assumptions worth stating in the report.
    pub notes: Vec<String>,
}

/// Builds the schedule of `g` on the platform of `costs`.
pub fn build(
    g: &Graph,
    costs: &PlatformCosts<'_>,
    opts: &RunOptions,
) -> Result<Schedule, MapError> {
    let p = costs.platform;
    let plan = tp::Plan::new(p, g);
    let n = g.len();
    let mut index = vec![usize::MAX; n];
    let mut tasks: Vec<Task> = Vec::with_capacity(n + 8);
    for id in g.topo_order() {
        let op = g.op(id);
        let mut split = plan.split(id);
        let mut work = tp::shard(Work::of(&op.kind), split, plan.devices);
        let mut assigned = assign::assign(costs, &work);
        // In-memory units (PIM, crossbars) are one system shared by every device: they
        // run the whole operator, not one device's share.
        if let Ok((u, _)) = &assigned
            && u.in_memory()
            && split != tp::Split::Whole
        {
            split = tp::Split::Whole;
            work = Work::of(&op.kind);
            assigned = costs
                .cost(*u, &work)
                .map(|c| (*u, c))
                .map_err(|e| e.to_string());
        }
        let (unit, cost) = assigned.map_err(|reasons| MapError::CannotRun {
            platform: p.name.clone(),
            op: match op.layer {
                Some(l) => format!("{} (layer {l})", op.name),
                None => op.name.to_string(),
            },
            kind: op.kind.name().into(),
            reason: reasons,
        })?;
        let mut deps: Vec<usize> = g
            .inputs(id)
            .filter_map(|i| index.get(i.index()).copied())
            .filter(|&i| i != usize::MAX)
            .collect();
        deps.sort_unstable();
        deps.dedup();
        index[id.index()] = tasks.len();
        tasks.push(Task {
            name: op.name.to_string(),
            op: Some(id),
            part: Some(op.part),
            layer: op.layer,
            category: op.category().name(),
            unit,
            work: Some(work),
            cost,
            flops: tp::shard_count(op.flops(), split, plan.devices),
            deps,
            out_bytes: tp::shard_output(op.kind.output().bytes(), split, plan.devices),
            fused: Vec::new(),
            alive: true,
        });
    }
    let stages = pp::Stages::of(p, g);
    let mut s = Schedule {
        tasks,
        devices: plan.devices,
        pipeline_stages: stages.used(),
        total_devices: p.system.as_ref().map_or(1, |s| s.devices()).max(1),
        fused_ops: 0,
        fusion_saved_bytes: 0,
        buffered_tensors: 0,
        buffer_saved_bytes: 0,
        notes: Vec::new(),
    };
    if let Some(sys) = &p.system {
        stages.insert_sends(&mut s, sys);
    }
    if opts.fusion {
        fuse::fuse(&mut s, costs);
    }
    plan.insert_collectives(&mut s, &index)?;
    if let Some(h) = &p.host {
        host::insert_transfers(&mut s, h);
    }
    if opts.inter_op_buffering {
        buffer::keep_on_chip(&mut s, costs);
    }
    add_graph_launch(&mut s, costs);
    Ok(s)
}

/// With CUDA-graph launches, one launch overhead per step before everything else.
fn add_graph_launch(s: &mut Schedule, costs: &PlatformCosts<'_>) {
    if costs.opts.gpu_launch != crate::options::GpuLaunch::Graph {
        return;
    }
    let Some(first) = s
        .tasks
        .iter()
        .find(|t| t.unit == UnitKind::Gpu && t.cost.launch_time > Time::ZERO)
    else {
        return;
    };
    let launch = first.cost.launch_time;
    let mut cost = first.cost.clone();
    cost.time = launch;
    cost.compute_time = Time::ZERO;
    cost.memory_time = Time::ZERO;
    cost.roofline = Time::ZERO;
    cost.dram_read = 0;
    cost.dram_written = 0;
    cost.energy.clear();
    cost.mapping = None;
    cost.bound = crate::cost::Bound::Latency;
    let idx = s.tasks.len();
    for t in s.tasks.iter_mut().filter(|t| t.alive && t.deps.is_empty()) {
        t.deps.push(idx);
    }
    s.tasks.push(Task {
        name: "graph_launch".into(),
        op: None,
        part: None,
        layer: None,
        category: "launch",
        unit: UnitKind::Gpu,
        work: None,
        cost,
        flops: 0,
        deps: Vec::new(),
        out_bytes: 0,
        fused: Vec::new(),
        alive: true,
    });
    s.notes.push(format!(
        "GPU kernels run as one CUDA graph: one launch overhead ({:.1} µs) per step",
        launch.as_us_f64()
    ));
}
