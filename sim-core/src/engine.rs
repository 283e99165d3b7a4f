//! The discrete-event engine: components, messages and the run loop.
//!
//! A [`Simulation`] owns a set of components (anything implementing [`Component`]), each
//! addressed by a dense [`CompId`], and a deterministic [`EventQueue`] of messages. Running
//! pops the earliest message, hands it to its target's [`Component::handle`] with a
//! [`Ctx`] through which the component reads the time, sends further messages, counts
//! statistics, records energy and trace spans. A run ends when the queue is empty or the
//! next message lies beyond a time limit.
//!
//! ```
//! use sim_core::{Component, Ctx, Simulation, Time};
//!
//! /// Bounces a counter back and forth, 10 ns per hop, until it reaches 3.
//! struct Player { partner: Option<sim_core::CompId> }
//! impl Component<u32> for Player {
//!     fn handle(&mut self, n: u32, ctx: &mut Ctx<'_, u32>) {
//!         ctx.count("hits", 1);
//!         if n < 3 {
//!             ctx.send(self.partner.unwrap(), Time::from_ns(10), n + 1);
//!         }
//!     }
//! }
//! let mut sim = Simulation::new();
//! let a = sim.add_component("a", Player { partner: None });
//! let b = sim.add_component("b", Player { partner: Some(a) });
//! sim.component_mut::<Player>(a).unwrap().partner = Some(b);
//! sim.schedule(a, Time::ZERO, 0).unwrap();
//! let run = sim.run().unwrap();
//! assert_eq!(run.end_time, Time::from_ns(30));
//! assert_eq!(run.events, 4);
//! assert_eq!(sim.stats().counter_value(a, "hits"), 2);
//! ```

use std::any::Any;
use std::fmt;

use crate::{EnergyLedger, EventQueue, SimError, Stats, Time, Trace};

/// Dense index of a component within one [`Simulation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CompId(pub u32);

impl CompId {
    /// The index as `usize`, for dense tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for CompId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A simulation model that reacts to messages of type `M`.
pub trait Component<M>: Any {
    /// Handles `msg`, delivered at `ctx.now()`.
    fn handle(&mut self, msg: M, ctx: &mut Ctx<'_, M>);
}

/// What a component sees while it handles a message.
pub struct Ctx<'a, M> {
    now: Time,
    me: CompId,
    n_components: usize,
    queue: &'a mut EventQueue<(CompId, M)>,
    stats: &'a mut Stats,
    energy: &'a mut EnergyLedger,
    trace: &'a mut Trace,
    error: &'a mut Option<SimError>,
}

impl<M> Ctx<'_, M> {
    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// The id of the component handling the message.
    #[inline]
    pub fn me(&self) -> CompId {
        self.me
    }

    /// Delivers `msg` to `to` after `delay` (zero delay is allowed: it is served after
    /// everything already scheduled for now).
    #[inline]
    pub fn send(&mut self, to: CompId, delay: Time, msg: M) {
        self.send_at(to, self.now + delay, msg);
    }

    /// Delivers `msg` to `to` at time `at`. Sending into the past or to an unknown
    /// component does not panic: it stops the run with an error.
    #[inline]
    pub fn send_at(&mut self, to: CompId, at: Time, msg: M) {
        if to.index() >= self.n_components {
            self.fail(SimError::UnknownComponent { id: to.0 });
            return;
        }
        if let Err(e) = self.queue.push(at, (to, msg)) {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: SimError) {
        if self.error.is_none() {
            *self.error = Some(e);
        }
    }

    /// Adds `n` to this component's counter `name`.
    #[inline]
    pub fn count(&mut self, name: &str, n: u64) {
        self.stats.add(self.me, name, n);
    }

    /// Adds `span` to this component's busy time.
    #[inline]
    pub fn add_busy(&mut self, span: Time) {
        self.stats.add_busy(self.me, span);
    }

    /// The statistics of the whole simulation.
    pub fn stats(&mut self) -> &mut Stats {
        self.stats
    }

    /// The energy ledger of the whole simulation.
    pub fn energy(&mut self) -> &mut EnergyLedger {
        self.energy
    }

    /// Records a trace span of this component; `label` is only called when tracing is on.
    #[inline]
    pub fn trace(&mut self, start: Time, end: Time, label: impl FnOnce() -> String) {
        self.trace.record_with(self.me, start, end, label);
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// No event was left.
    Drained,
    /// The next event lies after the time limit; it is still queued.
    TimeLimit,
}

/// What a call to [`Simulation::run`] or [`Simulation::run_until`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Time of the last event handled (the time limit if the run stopped at it).
    pub end_time: Time,
    /// Number of events handled by this call.
    pub events: u64,
    /// Why the run stopped.
    pub stop: StopReason,
}

/// A discrete-event simulation over messages of type `M`.
pub struct Simulation<M> {
    components: Vec<Box<dyn Component<M>>>,
    names: Vec<String>,
    queue: EventQueue<(CompId, M)>,
    stats: Stats,
    energy: EnergyLedger,
    trace: Trace,
    now: Time,
}

impl<M: 'static> Default for Simulation<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: 'static> Simulation<M> {
    /// An empty simulation at time zero, tracing off.
    pub fn new() -> Self {
        Simulation {
            components: Vec::new(),
            names: Vec::new(),
            queue: EventQueue::new(),
            stats: Stats::new(),
            energy: EnergyLedger::new(),
            trace: Trace::disabled(),
            now: Time::ZERO,
        }
    }

    /// Turns span recording on (see [`Trace`]).
    pub fn enable_trace(&mut self) {
        self.trace = Trace::enabled();
    }

    /// Adds a component named `name` and returns its id.
    pub fn add_component<C: Component<M>>(&mut self, name: impl Into<String>, c: C) -> CompId {
        let id = CompId(self.components.len() as u32);
        let name = name.into();
        self.stats.register(id, &name);
        self.names.push(name);
        self.components.push(Box::new(c));
        id
    }

    /// The component `id` as its concrete type, if it is one.
    pub fn component<C: Component<M>>(&self, id: CompId) -> Option<&C> {
        let c: &dyn Any = self.components.get(id.index())?.as_ref();
        c.downcast_ref::<C>()
    }

    /// The component `id` as its concrete type, mutably, if it is one.
    pub fn component_mut<C: Component<M>>(&mut self, id: CompId) -> Option<&mut C> {
        let c: &mut dyn Any = self.components.get_mut(id.index())?.as_mut();
        c.downcast_mut::<C>()
    }

    /// Component names, indexed by [`CompId::index`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Schedules `msg` for `to` at `at` (from outside the run loop).
    pub fn schedule(&mut self, to: CompId, at: Time, msg: M) -> Result<(), SimError> {
        if to.index() >= self.components.len() {
            return Err(SimError::UnknownComponent { id: to.0 });
        }
        self.queue.push(at, (to, msg))
    }

    /// The current time: that of the last event handled.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Runs until no event is left.
    pub fn run(&mut self) -> Result<RunSummary, SimError> {
        self.run_until(Time::MAX)
    }

    /// Runs every event at or before `limit`; later events stay queued.
    pub fn run_until(&mut self, limit: Time) -> Result<RunSummary, SimError> {
        let mut events = 0u64;
        let mut error = None;
        let n_components = self.components.len();
        while let Some((t, (to, msg))) = self.queue.pop_until(limit) {
            self.now = t;
            events += 1;
            let mut ctx = Ctx {
                now: t,
                me: to,
                n_components,
                queue: &mut self.queue,
                stats: &mut self.stats,
                energy: &mut self.energy,
                trace: &mut self.trace,
                error: &mut error,
            };
            // `to` was checked when the event was queued.
            if let Some(c) = self.components.get_mut(to.index()) {
                c.handle(msg, &mut ctx);
            }
            if let Some(e) = error.take() {
                return Err(SimError::Component {
                    name: self.names.get(to.index()).cloned().unwrap_or_default(),
                    at: t,
                    source: Box::new(e),
                });
            }
        }
        let stop = if self.queue.is_empty() {
            StopReason::Drained
        } else {
            self.now = self.now.max(limit);
            StopReason::TimeLimit
        };
        Ok(RunSummary {
            end_time: self.now,
            events,
            stop,
        })
    }

    /// Statistics gathered so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The energy ledger (register actions and leakage on it before running).
    pub fn energy(&self) -> &EnergyLedger {
        &self.energy
    }

    /// The energy ledger, mutably.
    pub fn energy_mut(&mut self) -> &mut EnergyLedger {
        &mut self.energy
    }

    /// The recorded trace (empty when tracing is off).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
}
