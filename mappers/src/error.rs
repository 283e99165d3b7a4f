//! Errors of mapping, scheduling and simulation.

use thiserror::Error;

/// Why a model could not be mapped onto a platform or simulated.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MapError {
    /// The platform description or a unit model refused the work (an unsupported kernel
    /// class, an invalid override…). Its message names the unit and the reason.
    #[error(transparent)]
    Arch(#[from] arch::ArchError),
    /// The model or workload is invalid (unknown model, batch 0…).
    #[error(transparent)]
    Workload(#[from] workloads::WorkloadError),
    /// The event engine failed (a scheduling bug, reported instead of a hang or panic).
    #[error("simulation engine: {0}")]
    Sim(#[from] sim_core::SimError),
    /// Something does not fit in the platform's memory: weights, KV cache or state.
    /// Use a platform with more memory, more devices, a smaller batch or context, or a
    /// quantised model.
    #[error(
        "{platform} does not have the memory for {what}: needs {needed_bytes} bytes ({:.2} GiB) \
         but {place} holds {available_bytes} bytes ({:.2} GiB), short by {} bytes ({:.2} GiB){}",
        gib(*needed_bytes),
        gib(*available_bytes),
        needed_bytes.saturating_sub(*available_bytes),
        gib(needed_bytes.saturating_sub(*available_bytes)),
        hint_suffix(.hint)
    )]
    DoesNotFit {
        /// The platform.
        platform: String,
        /// What does not fit (e.g. `the weights (6.74 B parameters) and KV cache`).
        what: String,
        /// Where it was meant to go (e.g. `its HBM2e (1 stack)`).
        place: String,
        /// Bytes needed.
        needed_bytes: u64,
        /// Bytes available.
        available_bytes: u64,
        /// What would make it fit, if known.
        hint: Option<String>,
    },
    /// No unit of the platform can run an operator of the graph.
    #[error("{platform} cannot run {op} ({kind}): {reason}")]
    CannotRun {
        /// The platform.
        platform: String,
        /// The operator (name and layer).
        op: String,
        /// Its kind (`softmax`, `gemm`…).
        kind: String,
        /// Why, and which units were tried.
        reason: String,
    },
    /// A mapping broke a rule of the mapping space (an overflowing buffer, tiles that do
    /// not cover the operator…). Produced by the legality checker.
    #[error("illegal mapping: {0}")]
    Illegal(String),
    /// A run option is out of range (a zero search budget…).
    #[error("{option}: {message}")]
    Option {
        /// The option.
        option: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

fn gib(b: u64) -> f64 {
    b as f64 / f64::from(1u32 << 30)
}

fn hint_suffix(h: &Option<String>) -> String {
    h.as_ref().map(|h| format!("; {h}")).unwrap_or_default()
}
