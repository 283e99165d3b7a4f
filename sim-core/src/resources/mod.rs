//! Reusable timing resources that hardware units are built from.
//!
//! Each resource is a small state machine over **cycles of its own clock** (`u64`): it
//! answers "if work is ready at cycle `r`, when does it start and finish?" and remembers
//! when it is next free. A component owning a resource converts between its cycles and
//! [`crate::Time`] with its [`crate::ClockDomain`]. Resources never look at the event queue,
//! so the same models serve the event-driven engine and closed-form (tile-level) models.
//!
//! * [`PipelinedServer`] — latency `L`, initiation interval `II`, `k` lanes.
//! * [`Link`] — bandwidth in bytes per cycle (a ratio) and a fixed latency.
//! * [`BankedStore`] — banks × ports, bank conflicts serialise.

mod banked;
mod link;
mod server;

pub use banked::{Access, BankedStore, BankedStoreConfig};
pub use link::{Link, Transfer};
pub use server::{Issue, PipelinedServer};
