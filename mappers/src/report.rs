//! The result of a run: [`Report`] (serde-serialisable; the CLI prints it as text or
//! JSON, the sweep engine reads its numbers).
//!
//! **Energy** = Σ over executed tasks of their dynamic energy (actions × pJ, from the unit
//! models) + the platform's static power over the whole run: leakage of PE array,
//! reduction trees, global buffer and nonlinear unit, DRAM background power, a GPU's or
//! CPU's idle power (a `[host]`'s included, beside the platform's own DRAM). Multi-device runs multiply by the device count.
//!
//! **Tokens.** Prefill: `batch × q_len` tokens processed (vision tokens included),
//! time to first token = the step's time. Decode: `batch × tokens_per_step` tokens per
//! step.

use std::collections::BTreeMap;

use serde::Serialize;
use workloads::{Graph, Phase, Workload};

use crate::cost::{PlatformCosts, UnitKind};
use crate::exec::Timeline;
use crate::options::Objective;
use crate::schedule::Schedule;

/// A named share of a total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    /// Name.
    pub name: String,
    /// Energy, J.
    pub joules: f64,
    /// Fraction of the total.
    pub share: f64,
}

/// Energy of one (unit, action).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionEnergy {
    /// Unit.
    pub unit: String,
    /// Action.
    pub action: String,
    /// Energy, J.
    pub joules: f64,
}

/// Totals of one operator category.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryRow {
    /// Category (`linear`, `attention`, …, `communication`).
    pub category: String,
    /// Tasks.
    pub ops: u64,
    /// Unit time, s (Σ task durations).
    pub seconds: f64,
    /// Energy, J (dynamic).
    pub energy_j: f64,
    /// FLOPs.
    pub flops: u64,
}

/// Totals of one operator category within one model part (vision tower, projector,
/// language model): e.g. the language model's attention apart from the vision tower's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartCategoryRow {
    /// Model part (`vision`, `projector`, `language`; `other` for tasks of no part, such
    /// as a CUDA-graph launch).
    pub part: String,
    /// Category (`linear`, `attention`, …, `communication`).
    pub category: String,
    /// Tasks.
    pub ops: u64,
    /// Unit time, s (Σ task durations).
    pub seconds: f64,
    /// Energy, J (dynamic).
    pub energy_j: f64,
    /// FLOPs.
    pub flops: u64,
}

/// One unit's activity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitRow {
    /// Unit.
    pub unit: String,
    /// Busy time, s.
    pub busy_s: f64,
    /// Busy time ÷ total time.
    pub utilization: f64,
    /// Tasks run.
    pub tasks: u64,
}

/// Bytes moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Traffic {
    /// Off-chip bytes read (per device).
    pub dram_read_bytes: u64,
    /// Off-chip bytes written (per device).
    pub dram_written_bytes: u64,
    /// On-chip buffer bytes read and written (per device).
    pub onchip_bytes: u64,
    /// Bytes each device sent over the interconnect.
    pub interconnect_bytes: u64,
    /// Activation bytes moved over the `[host]` link, both directions.
    pub host_link_bytes: u64,
    /// Memory link busy ÷ total time.
    pub dram_utilization: f64,
    /// Operators fused into producers.
    pub fused_ops: u64,
    /// DRAM bytes fusion saved.
    pub fusion_saved_bytes: u64,
    /// Intermediates kept in the global buffer.
    pub buffered_tensors: u64,
    /// DRAM bytes inter-operation buffering saved.
    pub buffer_saved_bytes: u64,
}

/// One layer's share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerRow {
    /// Model part.
    pub part: String,
    /// Layer index.
    pub layer: u32,
    /// From its first task's start to its last task's end, s.
    pub span_s: f64,
    /// Σ task durations, s.
    pub busy_s: f64,
    /// Energy, J (dynamic).
    pub energy_j: f64,
}

/// Totals of all tasks with one name (e.g. `q_proj` over every layer).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperatorRow {
    /// Operator name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Unit.
    pub unit: String,
    /// Tasks.
    pub count: u64,
    /// Σ durations, s.
    pub seconds: f64,
    /// Energy, J (dynamic).
    pub energy_j: f64,
    /// FLOPs.
    pub flops: u64,
    /// Off-chip bytes.
    pub dram_bytes: u64,
    /// Fidelity level of its cost.
    pub fidelity: u8,
    /// What bounds it.
    pub bound: String,
    /// Operators fused into it.
    pub fused: Vec<String>,
}

/// A distinct mapped product.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MappingRow {
    /// Operators using it (first name).
    pub op: String,
    /// Tasks using it.
    pub uses: u64,
    /// Shape, e.g. `32 × gemm 1x128x1024`.
    pub shape: String,
    /// The mapping, printed.
    pub mapping: String,
    /// Search method.
    pub method: String,
    /// Points evaluated.
    pub evaluated: u64,
    /// Points in the space.
    pub space: u64,
    /// Level-2 engine.
    pub via: String,
    /// Level-2 time of one task, s.
    pub level2_s: f64,
    /// Closed-form estimate, s.
    pub estimate_s: f64,
    /// Level-3 roofline, s.
    pub roofline_s: f64,
}

/// Which models produced the numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FidelityInfo {
    /// The weakest level used (2 = tile events, 3 = analytical).
    pub level: u8,
    /// Tasks per level.
    pub tasks_by_level: BTreeMap<u8, u64>,
    /// In words.
    pub summary: String,
}

/// The result of one simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Platform name.
    pub platform: String,
    /// Platform class (GPU, CPU, FPGA, ASIC, IMC, PIM/NDP).
    pub platform_class: String,
    /// Model name.
    pub model: String,
    /// The workload.
    pub workload: Workload,
    /// Transforms applied, by name.
    pub transforms: Vec<String>,
    /// Mapping objective.
    pub objective: Objective,
    /// Fidelity.
    pub fidelity: FidelityInfo,
    /// Devices (all of them: tensor-parallel × pipeline stages asked for).
    pub devices: u32,
    /// Tensor-parallel devices per pipeline stage.
    pub tensor_parallel: u32,
    /// Pipeline stages used (1 without pipeline parallelism).
    pub pipeline_stages: u32,
    /// Simulated time of the step, s.
    pub seconds: f64,
    /// The same, ps.
    pub time_ps: u64,
    /// The same in cycles of the platform clock.
    pub cycles: u64,
    /// Platform clock, MHz.
    pub clock_mhz: f64,
    /// Energy of the step, J (all devices).
    pub energy_j: f64,
    /// Energy ÷ time, W.
    pub average_power_w: f64,
    /// Tokens processed (prefill) or generated (decode) in the step.
    pub tokens: u64,
    /// Tokens per second.
    pub tokens_per_s: f64,
    /// Tokens per joule.
    pub tokens_per_j: f64,
    /// Time to first token (prefill), s.
    pub ttft_s: Option<f64>,
    /// Useful FLOPs of the step (all devices).
    pub flops: u64,
    /// FLOPs ÷ (peak ops/s × time), when the platform states a peak.
    pub compute_utilization: Option<f64>,
    /// Energy by unit.
    pub energy_by_unit: Vec<Share>,
    /// Energy by (unit, action).
    pub energy_by_action: Vec<ActionEnergy>,
    /// By operator category.
    pub by_category: Vec<CategoryRow>,
    /// By model part and operator category, in part order (vision, projector, language,
    /// other), then most time first.
    pub by_part: Vec<PartCategoryRow>,
    /// Unit utilisation.
    pub units: Vec<UnitRow>,
    /// Traffic.
    pub traffic: Traffic,
    /// Per layer.
    pub layers: Vec<LayerRow>,
    /// Operators by name, most time first.
    pub operators: Vec<OperatorRow>,
    /// Distinct mapped products.
    pub mappings: Vec<MappingRow>,
    /// Assumptions and approximations of this run.
    pub notes: Vec<String>,
    /// Events the engine handled.
    pub events: u64,
    /// Chrome/Perfetto trace JSON (when asked for).
    #[serde(skip)]
    pub trace_json: Option<String>,
}

/// Static power of the platform's components, mW, by (unit, action).
fn static_mw(pc: &PlatformCosts<'_>) -> Vec<(&'static str, &'static str, f64)> {
    let p = pc.platform;
    let mut v = Vec::new();
    if let Some(pe) = &p.pe_array {
        v.push(("pe_array", "leakage", pe.energy.leakage_mw));
        if let Some(t) = &pe.reduction_tree {
            v.push(("reduction_tree", "leakage", t.leakage_mw));
        }
    }
    if let Some(b) = &p.global_buffer {
        v.push(("global_buffer", "leakage", b.leakage_mw));
    }
    if let Some(n) = &p.nonlinear {
        v.push(("nonlinear", "leakage", n.energy.leakage_mw));
    }
    if let Some(g) = &p.gpu {
        v.push(("gpu", "idle", g.spec().idle_w * 1e3));
    } else if let Some(c) = &p.cpu {
        v.push(("cpu", "idle", c.spec().idle_w * 1e3));
    }
    // Without a GPU/CPU of its own, or beside a [host]'s: the platform's DRAM.
    if (p.gpu.is_none() && p.cpu.is_none()) || pc.host_fallback() {
        v.push(("dram", "background", pc.mem.background_mw));
    }
    v.retain(|x| x.2 > 0.0);
    v
}

/// Builds the report of a run.
pub fn build(
    g: &Graph,
    pc: &PlatformCosts<'_>,
    s: &Schedule,
    t: Timeline,
    opts: &crate::RunOptions,
) -> Report {
    let p = pc.platform;
    // Dynamic energy and FLOPs: each operator runs on one stage's `T` devices; static
    // power and peak: every device of the system.
    let tensor = s.devices.max(1);
    let dev = f64::from(tensor);
    let devices = s.total_devices.max(tensor);
    let all = f64::from(devices);
    let secs = t.end.as_secs_f64();
    let live = || s.tasks.iter().enumerate().filter(|(_, t)| t.alive);
    // Energy by (unit, action): dynamic per task, then static over the run.
    let mut by_action: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (_, task) in live() {
        for e in &task.cost.energy {
            if matches!(e.action.as_str(), "leakage" | "idle") {
                continue;
            }
            *by_action
                .entry((e.unit.clone(), e.action.clone()))
                .or_default() += e.pj * 1e-12 * dev;
        }
    }
    for (u, a, mw) in static_mw(pc) {
        *by_action.entry((u.into(), a.into())).or_default() += mw * 1e-3 * secs * all;
    }
    let energy_j: f64 = by_action.values().sum();
    let mut by_unit: BTreeMap<String, f64> = BTreeMap::new();
    for ((u, _), j) in &by_action {
        *by_unit.entry(u.clone()).or_default() += j;
    }
    let share = |j: f64| if energy_j > 0.0 { j / energy_j } else { 0.0 };
    let mut energy_by_unit: Vec<Share> = by_unit
        .into_iter()
        .map(|(name, joules)| Share {
            name,
            joules,
            share: share(joules),
        })
        .collect();
    energy_by_unit.sort_by(|a, b| b.joules.total_cmp(&a.joules));
    let energy_by_action = by_action
        .into_iter()
        .map(|((unit, action), joules)| ActionEnergy {
            unit,
            action,
            joules,
        })
        .collect();
    let dur = |i: usize| {
        t.spans[i]
            .map(|(a, b)| (b - a).as_secs_f64())
            .unwrap_or(0.0)
    };
    let dyn_j = |i: usize| {
        s.tasks[i]
            .cost
            .energy
            .iter()
            .filter(|e| !matches!(e.action.as_str(), "leakage" | "idle"))
            .map(|e| e.pj * 1e-12)
            .sum::<f64>()
    };
    // Parts × categories.
    let part_rank = |p: &str| match p {
        "vision" => 0,
        "projector" => 1,
        "language" => 2,
        _ => 3,
    };
    let mut parts: BTreeMap<(&str, &str), PartCategoryRow> = BTreeMap::new();
    for (i, task) in live() {
        let part = task.part.map_or("other", |p| p.name());
        let r = parts
            .entry((part, task.category))
            .or_insert_with(|| PartCategoryRow {
                part: part.into(),
                category: task.category.into(),
                ops: 0,
                seconds: 0.0,
                energy_j: 0.0,
                flops: 0,
            });
        r.ops += 1;
        r.seconds += dur(i);
        r.energy_j += dyn_j(i);
        r.flops += task.flops;
    }
    // Categories: the parts' rows summed (one pass over the tasks serves both).
    let mut cats: BTreeMap<&str, CategoryRow> = BTreeMap::new();
    for (&(_, category), p) in &parts {
        let r = cats.entry(category).or_insert_with(|| CategoryRow {
            category: category.into(),
            ops: 0,
            seconds: 0.0,
            energy_j: 0.0,
            flops: 0,
        });
        r.ops += p.ops;
        r.seconds += p.seconds;
        r.energy_j += p.energy_j;
        r.flops += p.flops;
    }
    let mut by_category: Vec<CategoryRow> = cats.into_values().collect();
    by_category.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let mut by_part: Vec<PartCategoryRow> = parts.into_values().collect();
    by_part.sort_by(|a, b| {
        part_rank(&a.part)
            .cmp(&part_rank(&b.part))
            .then(b.seconds.total_cmp(&a.seconds))
    });
    // Units.
    let units = t
        .busy
        .iter()
        .map(|(u, busy)| UnitRow {
            unit: u.name().into(),
            busy_s: busy.as_secs_f64(),
            utilization: if secs > 0.0 {
                busy.as_secs_f64() / secs
            } else {
                0.0
            },
            tasks: live().filter(|(_, x)| x.unit == *u).count() as u64,
        })
        .collect();
    // Traffic.
    let sum = |f: &dyn Fn(&crate::schedule::Task) -> u64| live().map(|(_, x)| f(x)).sum::<u64>();
    let traffic = Traffic {
        dram_read_bytes: sum(&|x| x.cost.dram_read),
        dram_written_bytes: sum(&|x| x.cost.dram_written),
        onchip_bytes: sum(&|x| x.cost.onchip_bytes),
        interconnect_bytes: sum(&|x| {
            if x.unit == UnitKind::Interconnect {
                x.out_bytes
            } else {
                0
            }
        }),
        host_link_bytes: sum(&|x| {
            if x.unit == UnitKind::HostLink {
                x.out_bytes
            } else {
                0
            }
        }),
        dram_utilization: if secs > 0.0 {
            t.dram_busy.as_secs_f64() / secs
        } else {
            0.0
        },
        fused_ops: s.fused_ops,
        fusion_saved_bytes: s.fusion_saved_bytes,
        buffered_tensors: s.buffered_tensors,
        buffer_saved_bytes: s.buffer_saved_bytes,
    };
    // Layers.
    let mut layers: BTreeMap<(String, u32), LayerRow> = BTreeMap::new();
    let mut bounds: BTreeMap<(String, u32), (f64, f64)> = BTreeMap::new();
    for (i, task) in live() {
        let (Some(part), Some(l)) = (task.part, task.layer) else {
            continue;
        };
        let key = (part.name().to_string(), l);
        let r = layers.entry(key.clone()).or_insert_with(|| LayerRow {
            part: part.name().into(),
            layer: l,
            span_s: 0.0,
            busy_s: 0.0,
            energy_j: 0.0,
        });
        r.busy_s += dur(i);
        r.energy_j += dyn_j(i);
        if let Some((a, b)) = t.spans[i] {
            let e = bounds
                .entry(key)
                .or_insert((a.as_secs_f64(), b.as_secs_f64()));
            e.0 = e.0.min(a.as_secs_f64());
            e.1 = e.1.max(b.as_secs_f64());
        }
    }
    for (k, r) in layers.iter_mut() {
        if let Some((a, b)) = bounds.get(k) {
            r.span_s = b - a;
        }
    }
    let mut layers: Vec<LayerRow> = layers.into_values().collect();
    layers.sort_by(|a, b| {
        let rank = |p: &str| match p {
            "vision" => 0,
            "projector" => 1,
            _ => 2,
        };
        (rank(&a.part), a.layer).cmp(&(rank(&b.part), b.layer))
    });
    // Operators by name.
    let mut ops: BTreeMap<(String, String), OperatorRow> = BTreeMap::new();
    for (i, task) in live() {
        let r = ops
            .entry((task.name.clone(), task.unit.name().to_string()))
            .or_insert_with(|| OperatorRow {
                name: task.name.clone(),
                category: task.category.into(),
                unit: task.unit.name().into(),
                count: 0,
                seconds: 0.0,
                energy_j: 0.0,
                flops: 0,
                dram_bytes: 0,
                fidelity: task.cost.fidelity,
                bound: format!("{:?}", task.cost.bound).to_lowercase(),
                fused: task.fused.clone(),
            });
        r.count += 1;
        r.seconds += dur(i);
        r.energy_j += dyn_j(i);
        r.flops += task.flops;
        r.dram_bytes += task.cost.dram_read + task.cost.dram_written;
        r.fidelity = r.fidelity.max(task.cost.fidelity);
    }
    let mut operators: Vec<OperatorRow> = ops.into_values().collect();
    operators.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    // Mappings.
    let mut maps: Vec<(crate::work::Work, MappingRow)> = Vec::new();
    for (i, task) in live() {
        let (Some(m), Some(w)) = (task.cost.mapping, task.work) else {
            continue;
        };
        if let Some(r) = maps.iter_mut().find(|x| x.0 == w) {
            r.1.uses += 1;
            continue;
        }
        let shape = match w {
            crate::work::Work::Gemm(g) => {
                let b = if g.batch > 1 {
                    format!("{} × ", g.batch)
                } else {
                    String::new()
                };
                format!("{b}gemm {}x{}x{}", g.m, g.k, g.n)
            }
            other => other.class().to_string(),
        };
        maps.push((
            w,
            MappingRow {
                op: task.name.clone(),
                uses: 1,
                shape,
                mapping: m.mapping.to_string(),
                method: m.method.into(),
                evaluated: m.evaluated,
                space: m.space,
                via: m.via.into(),
                level2_s: s.tasks[i].cost.time.as_secs_f64().max(dur(i)),
                estimate_s: m.estimate_s,
                roofline_s: task.cost.roofline.as_secs_f64(),
            },
        ));
    }
    // Fidelity.
    let mut tasks_by_level: BTreeMap<u8, u64> = BTreeMap::new();
    for (_, task) in live() {
        *tasks_by_level.entry(task.cost.fidelity).or_default() += 1;
    }
    let level = tasks_by_level.keys().copied().max().unwrap_or(2);
    let words = tasks_by_level
        .iter()
        .map(|(l, n)| {
            format!(
                "level {l} ({}) for {n} tasks",
                if *l == 2 { "tile events" } else { "analytical" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let fidelity = FidelityInfo {
        level,
        tasks_by_level,
        summary: format!(
            "{words}; schedule, unit contention and DRAM sharing as events on sim-core"
        ),
    };
    // Tokens.
    let w = g.workload();
    let tk = g.tokens();
    let (tokens, ttft) = match w.phase {
        Phase::Prefill { .. } => (w.batch * tk.q_len, Some(secs)),
        Phase::Decode {
            tokens_per_step, ..
        } => (w.batch * tokens_per_step, None),
    };
    let flops = live().map(|(_, x)| x.flops).sum::<u64>() * u64::from(tensor);
    let peak = p
        .gpu
        .as_ref()
        .and_then(|gp| gp.peak_ops(arch::gpu::DType::Fp16))
        .or_else(|| p.peak_ops_per_s())
        .map(|x| x * all);
    let clock_mhz = p.clock_mhz;
    Report {
        platform: p.name.clone(),
        platform_class: p.class().into(),
        model: g.model().name.clone(),
        workload: w.clone(),
        transforms: w.transforms.names(),
        objective: opts.objective,
        fidelity,
        devices,
        tensor_parallel: tensor,
        pipeline_stages: s.pipeline_stages.max(1),
        seconds: secs,
        time_ps: t.end.as_ps(),
        cycles: p.clock.cycles_at(t.end),
        clock_mhz,
        energy_j,
        average_power_w: if secs > 0.0 { energy_j / secs } else { 0.0 },
        tokens,
        tokens_per_s: if secs > 0.0 {
            tokens as f64 / secs
        } else {
            0.0
        },
        tokens_per_j: if energy_j > 0.0 {
            tokens as f64 / energy_j
        } else {
            0.0
        },
        ttft_s: ttft,
        flops,
        compute_utilization: peak
            .filter(|x| *x > 0.0 && secs > 0.0)
            .map(|x| flops as f64 / (x * secs)),
        energy_by_unit,
        energy_by_action,
        by_category,
        by_part,
        units,
        traffic,
        layers,
        operators,
        mappings: maps.into_iter().map(|m| m.1).collect(),
        notes: s.notes.clone(),
        events: t.events,
        trace_json: t.trace_json,
    }
}
