//! Executing a schedule on `sim-core`.
//!
//! **Components.** One component per unit that has work (PE array, nonlinear unit, DMA,
//! GPU, CPU, interconnect, host link), one for the off-chip memory, and a scheduler.
//! - The **scheduler** sends a task to its unit once all its dependencies are done.
//! - A **unit** runs one task at a time, in the order tasks become ready (FIFO). Starting
//!   a task, it asks the memory for the task's off-chip bytes and schedules the end of
//!   its own time alone; the task ends when both have happened. So a task that runs
//!   alone takes exactly its cost, and tasks overlapping on different units share the
//!   memory.
//! - The **memory** is a `sim_core::Link` at the platform's peak bandwidth, in picosecond
//!   cycles, serving requests first come first served: an operator's bytes are reserved
//!   when it starts (a FIFO approximation of bandwidth sharing). At peak, a transfer
//!   never outlasts the operator that made it (its cost was computed at or below peak),
//!   so only overlapping operators wait for each other.
//!
//! Each unit records a trace span per task (one track per unit; a unit runs one task at a
//! time, so its spans never overlap) and the memory a span per transfer.

use std::collections::VecDeque;
use std::rc::Rc;

use sim_core::{CompId, Component, Ctx, Link, Simulation, Time};

use crate::MapError;
use crate::cost::UnitKind;
use crate::schedule::Schedule;

/// When each task ran and how busy each unit was.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Per task: (start, end); `None` for tasks fused away.
    pub spans: Vec<Option<(Time, Time)>>,
    /// End of the last task.
    pub end: Time,
    /// (unit, busy time).
    pub busy: Vec<(UnitKind, Time)>,
    /// Memory link busy time.
    pub dram_busy: Time,
    /// Events handled.
    pub events: u64,
    /// Chrome trace JSON, when asked for.
    pub trace_json: Option<String>,
}

struct ExecTask {
    comp: CompId,
    time: Time,
    bytes: u64,
    label: String,
}

#[derive(Clone, Copy, Debug)]
enum Msg {
    Kick,
    Ready(usize),
    DramReq {
        task: usize,
        bytes: u64,
        reply: CompId,
    },
    DramDone(usize),
    ComputeDone(usize),
    Done(usize, Time),
}

struct Unit {
    tasks: Rc<Vec<ExecTask>>,
    sched: CompId,
    dram: CompId,
    queue: VecDeque<usize>,
    /// (task, start, compute done, memory done).
    running: Option<(usize, Time, bool, bool)>,
}

impl Unit {
    fn try_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.running.is_some() {
            return;
        }
        let Some(t) = self.queue.pop_front() else {
            return;
        };
        let now = ctx.now();
        let task = &self.tasks[t];
        self.running = Some((t, now, false, task.bytes == 0));
        ctx.send_at(ctx.me(), now + task.time, Msg::ComputeDone(t));
        if task.bytes > 0 {
            ctx.send(
                self.dram,
                Time::ZERO,
                Msg::DramReq {
                    task: t,
                    bytes: task.bytes,
                    reply: ctx.me(),
                },
            );
        }
    }

    fn maybe_finish(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if let Some((t, start, true, true)) = self.running {
            let now = ctx.now();
            let tasks = Rc::clone(&self.tasks);
            ctx.trace(start, now, || tasks[t].label.clone());
            ctx.add_busy(now - start);
            ctx.send(self.sched, Time::ZERO, Msg::Done(t, start));
            self.running = None;
            self.try_start(ctx);
        }
    }
}

impl Component<Msg> for Unit {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::Ready(t) => {
                self.queue.push_back(t);
                self.try_start(ctx);
            }
            Msg::ComputeDone(t) => {
                if let Some(r) = self.running.as_mut().filter(|r| r.0 == t) {
                    r.2 = true;
                }
                self.maybe_finish(ctx);
            }
            Msg::DramDone(t) => {
                if let Some(r) = self.running.as_mut().filter(|r| r.0 == t) {
                    r.3 = true;
                }
                self.maybe_finish(ctx);
            }
            _ => {}
        }
    }
}

struct Dram {
    link: Link,
    tasks: Rc<Vec<ExecTask>>,
}

impl Component<Msg> for Dram {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        if let Msg::DramReq { task, bytes, reply } = msg {
            let x = self.link.transfer(ctx.now().as_ps(), bytes);
            let (s, e) = (Time::from_ps(x.start), Time::from_ps(x.arrive));
            let tasks = Rc::clone(&self.tasks);
            ctx.trace(s, e, || tasks[task].label.clone());
            ctx.add_busy(Time::from_ps(x.free - x.start));
            ctx.send_at(reply, e, Msg::DramDone(task));
        }
    }
}

struct Scheduler {
    tasks: Rc<Vec<ExecTask>>,
    waiting: Vec<usize>,
    dependents: Vec<Vec<usize>>,
    roots: Vec<usize>,
    spans: Vec<Option<(Time, Time)>>,
    done: usize,
}

impl Component<Msg> for Scheduler {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            Msg::Kick => {
                for &r in &self.roots {
                    ctx.send(self.tasks[r].comp, Time::ZERO, Msg::Ready(r));
                }
            }
            Msg::Done(t, start) => {
                self.spans[t] = Some((start, ctx.now()));
                self.done += 1;
                for &d in &self.dependents[t] {
                    self.waiting[d] -= 1;
                    if self.waiting[d] == 0 {
                        ctx.send(self.tasks[d].comp, Time::ZERO, Msg::Ready(d));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Runs `s` with off-chip memory of `dram_bytes_per_s`.
pub fn run(s: &Schedule, dram_bytes_per_s: f64, trace: bool) -> Result<Timeline, MapError> {
    let mut sim: Simulation<Msg> = Simulation::new();
    if trace {
        sim.enable_trace();
    }
    // Units in a fixed order, only those with live tasks.
    let order = [
        UnitKind::PeArray,
        UnitKind::Nonlinear,
        UnitKind::Dma,
        UnitKind::Gpu,
        UnitKind::Cpu,
        UnitKind::Crossbar,
        UnitKind::AssocProcessor,
        UnitKind::Pim,
        UnitKind::Interconnect,
        UnitKind::HostLink,
    ];
    let used: Vec<UnitKind> = order
        .into_iter()
        .filter(|u| s.tasks.iter().any(|t| t.alive && t.unit == *u))
        .collect();
    let n_units = used.len() as u32;
    let dram_id = CompId(n_units);
    let sched_id = CompId(n_units + 1);
    let comp_of = |u: UnitKind| CompId(used.iter().position(|x| *x == u).unwrap_or(0) as u32);
    let tasks: Rc<Vec<ExecTask>> = Rc::new(
        s.tasks
            .iter()
            .map(|t| ExecTask {
                comp: comp_of(t.unit),
                time: t.cost.time,
                bytes: if t.unit.in_memory() {
                    0
                } else {
                    t.cost.dram_read + t.cost.dram_written
                },
                label: match t.layer {
                    Some(l) => format!("{} L{l}", t.name),
                    None => t.name.clone(),
                },
            })
            .collect(),
    );
    for u in &used {
        sim.add_component(
            u.name(),
            Unit {
                tasks: Rc::clone(&tasks),
                sched: sched_id,
                dram: dram_id,
                queue: VecDeque::new(),
                running: None,
            },
        );
    }
    let rate = dram_bytes_per_s.clamp(1.0, u64::MAX as f64 / 2.0) as u64;
    sim.add_component(
        "dram",
        Dram {
            link: Link::with_rate(rate.max(1), 1_000_000_000_000, 0)?,
            tasks: Rc::clone(&tasks),
        },
    );
    let n = s.tasks.len();
    let mut waiting = vec![0usize; n];
    let mut dependents = vec![Vec::new(); n];
    for (i, t) in s.tasks.iter().enumerate().filter(|(_, t)| t.alive) {
        for &d in &t.deps {
            if d < n && s.tasks[d].alive {
                waiting[i] += 1;
                dependents[d].push(i);
            }
        }
    }
    let roots: Vec<usize> = (0..n)
        .filter(|&i| s.tasks[i].alive && waiting[i] == 0)
        .collect();
    let live = s.tasks.iter().filter(|t| t.alive).count();
    sim.add_component(
        "scheduler",
        Scheduler {
            tasks: Rc::clone(&tasks),
            waiting,
            dependents,
            roots,
            spans: vec![None; n],
            done: 0,
        },
    );
    sim.schedule(sched_id, Time::ZERO, Msg::Kick)?;
    let summary = sim.run()?;
    let busy = used
        .iter()
        .enumerate()
        .map(|(i, u)| (*u, sim.stats().busy(CompId(i as u32))))
        .collect();
    let dram_busy = sim.stats().busy(dram_id);
    let trace_json = if trace {
        let mut buf = Vec::new();
        sim.trace()
            .write_chrome_json(sim.names(), &mut buf)
            .map_err(|e| MapError::Option {
                option: "trace".into(),
                message: e.to_string(),
            })?;
        Some(String::from_utf8_lossy(&buf).into_owned())
    } else {
        None
    };
    let sched = sim
        .component_mut::<Scheduler>(sched_id)
        .ok_or_else(|| MapError::Illegal("scheduler component lost".into()))?;
    if sched.done != live {
        return Err(MapError::Illegal(format!(
            "schedule deadlocked: {} of {live} tasks ran (a dependency cycle)",
            sched.done
        )));
    }
    let spans = std::mem::take(&mut sched.spans);
    let end = spans
        .iter()
        .flatten()
        .map(|s| s.1)
        .max()
        .unwrap_or(Time::ZERO);
    Ok(Timeline {
        spans,
        end,
        busy,
        dram_busy,
        events: summary.events,
        trace_json,
    })
}
