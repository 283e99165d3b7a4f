//! What a run may choose: the mapping objective, how the mapping space is searched, and
//! a few scheduling switches. [`RunOptions::default`] is what `silica run` uses.

use serde::Serialize;

use crate::MapError;

/// What the per-operator mapping search minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Time of the operator.
    #[default]
    Latency,
    /// Energy of the operator (dynamic + leakage over its time).
    Energy,
    /// Energy × delay.
    Edp,
}

impl Objective {
    /// Every objective, in display order.
    pub const ALL: [Objective; 3] = [Objective::Latency, Objective::Energy, Objective::Edp];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Latency => "latency",
            Objective::Energy => "energy",
            Objective::Edp => "edp",
        }
    }

    /// Parses `latency`, `energy` or `edp` (case-insensitive).
    pub fn parse(s: &str) -> Result<Objective, MapError> {
        Objective::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| MapError::Option {
                option: "objective".into(),
                message: format!("unknown objective `{s}`; expected latency, energy or edp"),
            })
    }

    /// The scalar to minimise for a time (s) and an energy (pJ).
    pub fn score(self, seconds: f64, energy_pj: f64) -> f64 {
        match self {
            Objective::Latency => seconds,
            Objective::Energy => energy_pj,
            Objective::Edp => seconds * energy_pj,
        }
    }
}

/// How the mapping space of one operator is searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Search {
    /// Exhaustive when the space has at most `exhaustive_limit` points, otherwise random
    /// sampling with `budget` samples (the heuristic's mapping is always a candidate).
    Auto {
        /// Largest space searched exhaustively.
        exhaustive_limit: u64,
        /// Samples when the space is larger.
        budget: u64,
        /// Seed of the sampler.
        seed: u64,
    },
    /// Every legal point, with pruning (capacity: tiles only grow along a dimension;
    /// bound: a candidate whose compute-only lower bound cannot beat the best is skipped).
    Exhaustive,
    /// `budget` points drawn uniformly from the space with a seeded generator, plus the
    /// heuristic's point.
    Random {
        /// Samples.
        budget: u64,
        /// Seed.
        seed: u64,
    },
    /// The largest tiles that fit, shrunk one dimension at a time (one point, no search).
    Heuristic,
}

impl Default for Search {
    fn default() -> Self {
        Search::Auto {
            exhaustive_limit: 20_000,
            budget: 1_500,
            seed: 0x0051_11CA,
        }
    }
}

/// Which systolic dataflows the mapper may use on a PE array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataflowPolicy {
    /// The platform's own dataflow only (the hardware is what its TOML says).
    #[default]
    Platform,
    /// Output-, weight- and input-stationary are all candidates (a flexible array).
    Search,
}

/// How kernels are launched on a GPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuLaunch {
    /// One CUDA graph per step: one launch overhead per step, kernels back to back (what
    /// serving stacks such as vLLM and TensorRT-LLM do for decode).
    #[default]
    Graph,
    /// Every kernel pays its launch overhead (eager execution).
    PerKernel,
}

/// How tile transfers are timed against off-chip memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DramTiming {
    /// Every tile transfer through the platform's bank-level DRAM model (row hits,
    /// refresh, scheduler; long requests on its calibrated fast path); matrix products in
    /// `run_gemm`'s form run in `arch::kernel::run_gemm` itself.
    #[default]
    Detailed,
    /// At the sequential rate, latency and energy per byte that the platform's DRAM model
    /// delivers, measured once per platform (`cost::probe`): exact for streams, faster
    /// for many small tiles.
    Calibrated,
}

/// Options of one simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunOptions {
    /// What each operator's mapping minimises.
    pub objective: Objective,
    /// How mapping spaces are searched.
    pub search: Search,
    /// Which dataflows a PE array may use.
    pub dataflow: DataflowPolicy,
    /// Fuse element-wise operators into their producer where the unit allows.
    pub fusion: bool,
    /// Keep intermediates in on-chip buffers when they fit.
    pub inter_op_buffering: bool,
    /// GPU launch model.
    pub gpu_launch: GpuLaunch,
    /// Off-chip timing of tile transfers.
    pub dram: DramTiming,
    /// Record a trace (one track per unit) in [`crate::Report::trace_json`].
    pub trace: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            objective: Objective::Latency,
            search: Search::default(),
            dataflow: DataflowPolicy::Platform,
            fusion: true,
            inter_op_buffering: true,
            gpu_launch: GpuLaunch::Graph,
            dram: DramTiming::Detailed,
            trace: false,
        }
    }
}

impl RunOptions {
    /// Checks option ranges.
    pub fn validate(&self) -> Result<(), MapError> {
        let budget = match self.search {
            Search::Auto { budget, .. } | Search::Random { budget, .. } => Some(budget),
            _ => None,
        };
        if budget == Some(0) {
            return Err(MapError::Option {
                option: "search.budget".into(),
                message: "must be >= 1 sample".into(),
            });
        }
        Ok(())
    }
}
