//! Errors of the engine.

use thiserror::Error;

use crate::Time;

/// Something the engine refused to do. Each variant says what to change.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SimError {
    /// A clock frequency must be finite, above zero and at most 1 THz.
    #[error("invalid clock frequency {hz} Hz: expected a value in (0, 1e12] Hz")]
    InvalidFrequency {
        /// The frequency asked for, in hertz.
        hz: f64,
    },
    /// An event was scheduled before the current time; schedule at or after `now`.
    #[error("event scheduled at {at} but the simulation is already at {now}")]
    EventInPast {
        /// Requested time.
        at: Time,
        /// Current time.
        now: Time,
    },
    /// A message was addressed to a component id that was never added.
    #[error("no component with id #{id}")]
    UnknownComponent {
        /// The id used.
        id: u32,
    },
    /// A resource was built with an impossible parameter (e.g. zero lanes or bandwidth).
    #[error("invalid resource parameter: {what}")]
    InvalidResource {
        /// Which parameter, and why.
        what: String,
    },
    /// An energy per action must be finite and non-negative.
    #[error("invalid energy for {what}: {value} pJ (expected a finite value >= 0)")]
    InvalidEnergy {
        /// Which action.
        what: String,
        /// The value given.
        value: f64,
    },
    /// A component failed while handling a message.
    #[error("component `{name}` at {at}: {source}")]
    Component {
        /// The component's name.
        name: String,
        /// When.
        at: Time,
        /// What went wrong.
        source: Box<SimError>,
    },
}
