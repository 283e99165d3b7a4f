//! # sim-core — Silica's discrete-event engine
//!
//! **Owns:** simulated time ([`Time`], picoseconds in a `u64`), clock domains
//! ([`ClockDomain`], exact cycle ↔ time conversion), a deterministic event queue
//! ([`EventQueue`], ties served in insertion order), the component/message run loop
//! ([`Simulation`], [`Component`], [`Ctx`]), reusable timing resources
//! ([`PipelinedServer`], [`Link`], [`BankedStore`]), statistics ([`Stats`]), an energy
//! ledger ([`EnergyLedger`]) and optional Chrome/Perfetto traces ([`Trace`]).
//!
//! **Architecture invariant:** sim-core knows nothing of ML, of any particular hardware,
//! or of configuration files — no serde, no TOML. Units are built on it in `arch`.
//!
//! ## Example: a two-stage pipeline
//! ```
//! use sim_core::{ClockDomain, CompId, Component, Ctx, PipelinedServer, Simulation, Time};
//!
//! struct Stage { clock: ClockDomain, server: PipelinedServer, next: Option<CompId> }
//! impl Component<u32> for Stage {
//!     fn handle(&mut self, item: u32, ctx: &mut Ctx<'_, u32>) {
//!         let ready = self.clock.next_edge_cycle(ctx.now());
//!         let done = self.clock.cycles_to_time(self.server.issue(ready).done);
//!         match self.next {
//!             Some(n) => ctx.send_at(n, done, item),
//!             None => ctx.count("completed", 1),
//!         }
//!     }
//! }
//! let clk = ClockDomain::from_ghz(1.0).unwrap();
//! let mut sim = Simulation::new();
//! let s2 = sim.add_component("s2", Stage { clock: clk, server: PipelinedServer::new(3, 2, 1).unwrap(), next: None });
//! let s1 = sim.add_component("s1", Stage { clock: clk, server: PipelinedServer::new(5, 1, 1).unwrap(), next: Some(s2) });
//! for i in 0..4 { sim.schedule(s1, Time::ZERO, i).unwrap(); }
//! sim.run().unwrap();
//! assert_eq!(sim.stats().counter_value(s2, "completed"), 4);
//! ```

mod energy;
mod engine;
mod error;
mod queue;
pub mod resources;
mod stats;
mod time;
mod trace;

pub use energy::{ActionId, EnergyLedger, EnergyReport, EnergyRow};
pub use engine::{CompId, Component, Ctx, RunSummary, Simulation, StopReason};
pub use error::SimError;
pub use queue::EventQueue;
pub use resources::{
    Access, BankedStore, BankedStoreConfig, Issue, Link, PipelinedServer, Transfer,
};
pub use stats::Stats;
pub use time::{ClockDomain, PS_PER_SECOND, Time};
pub use trace::{Span, Trace, json_string};
