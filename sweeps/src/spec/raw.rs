//! The sweep spec as written in TOML (serde structs, unknown keys rejected).
//!
//! These structs are also serialised back: the *resolved* spec (`spec.toml` in an output
//! folder) is `toml::to_string` of them with defaults made explicit, and the spec hash is
//! taken over that text, so comments and key order do not change it.

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// Default sweep seed (`seed` absent): an arbitrary fixed number, so that two runs of a
/// spec without a seed agree.
pub const DEFAULT_SEED: u64 = 0x5111CA;

/// The whole spec file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// A short name for the sweep (titles, reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seed of sampling and of the per-point seeds.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Metric columns to record, in order (units in the names: `latency_s`, `energy_j`).
    pub metrics: Vec<String>,
    /// Constraints on point values; a point that violates one is skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    /// Constraints on metric values, checked after evaluation; a violating point is
    /// marked infeasible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metric_constraints: Vec<String>,
    /// The base design every point starts from.
    pub base: RawBase,
    /// Grid axes (Cartesian product, first axis varies slowest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub axis: Vec<RawAxis>,
    /// Groups of axes that advance together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zip: Vec<RawZip>,
    /// Random or Latin-hypercube sampling over some axes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<RawSample>,
    /// Objectives of the Pareto front.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objective: Vec<Objective>,
    /// Plots to draw once the sweep is done (drawn by the CLI, not by this crate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plot: Vec<Plot>,
    /// Defaults for running the sweep as a Slurm job array (`silica sweep --slurm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm: Option<SlurmDefaults>,
}

/// `[slurm]`: defaults for `silica sweep --slurm`; the command line overrides each. None of
/// it changes the result rows, so it is not part of the spec hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmDefaults {
    /// Number of shards, one array task each (default 1 per 1 000 points, at least 1,
    /// at most 100 — see `sweeps::slurm::default_shards`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<u64>,
    /// `--partition`: the Slurm partition (queue) to submit to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `--time`: the time limit of each array task, in a form Slurm reads (`90`,
    /// `1:30:00`, `2-00:00:00`; minutes when a bare number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// `--cpus-per-task`: CPUs of each array task; the task runs that many worker threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus_per_task: Option<u32>,
    /// Further `#SBATCH` lines, with or without the `#SBATCH` prefix (`"--mem=4G"`,
    /// `"#SBATCH --account=arch-lab"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// `[base]`: the architecture and workload every point starts from.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBase {
    /// A preset name or a path to an architecture TOML (relative to the spec's folder).
    pub arch: String,
    /// Overrides applied to the architecture of every point (nested tables or quoted
    /// dotted keys).
    #[serde(default, skip_serializing_if = "Table::is_empty")]
    pub arch_set: Table,
    /// The workload (model, phase, batch, …): free form, interpreted by the evaluator.
    #[serde(default)]
    pub workload: Table,
}

/// One axis: a key and its values (exactly one of `values`, `linear`, `geometric`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxis {
    /// `arch`, `arch.<dotted>` or `workload.<dotted>`.
    pub key: String,
    /// An explicit list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// A linear range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear: Option<RawLinear>,
    /// A geometric range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometric: Option<RawGeometric>,
}

/// `linear = { start, stop, step | count }`; both bounds inclusive. Without `step` and
/// `count` (sampling only) the interval is continuous.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLinear {
    /// First value.
    pub start: Value,
    /// Last value (included when the steps land on it).
    pub stop: Value,
    /// Distance between values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Value>,
    /// Number of evenly spaced values from `start` to `stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// `geometric = { start, stop, factor | count }`; both bounds inclusive. Without `factor`
/// and `count` (sampling only) the interval is continuous, sampled log-uniformly.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGeometric {
    /// First value (> 0).
    pub start: Value,
    /// Last value (> 0).
    pub stop: Value,
    /// Ratio between neighbouring values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<Value>,
    /// Number of log-evenly spaced values from `start` to `stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// `[[zip]]`: axes of equal length that advance together.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawZip {
    /// The axes of the group.
    pub axis: Vec<RawAxis>,
}

/// How `[sample]` draws its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleMethod {
    /// Every coordinate independently uniform.
    Random,
    /// Latin hypercube: each of `n` equal strata of every axis is hit exactly once.
    Lhs,
}

/// `[sample]`: `n` points over its axes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSample {
    /// `random` or `lhs`.
    pub method: SampleMethod,
    /// Number of points drawn.
    pub n: u64,
    /// Seed of the draw (default: the spec's `seed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The sampled axes.
    pub axis: Vec<RawAxis>,
}

/// Whether an objective is minimised or maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    /// Smaller is better (latency, energy, area).
    Minimize,
    /// Larger is better (tokens/s, tokens/J).
    Maximize,
}

/// `[[objective]]`: one axis of the Pareto front.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// A name from `metrics`.
    pub metric: String,
    /// `minimize` or `maximize`.
    pub sense: Sense,
}

/// The kind of a plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PlotKind {
    /// One marker per point.
    #[default]
    Scatter,
    /// Markers joined in `x` order, one line per `color` value.
    Line,
    /// Grouped bars: `x` groups, `color` series.
    Bars,
}

/// `[[plot]]`: a plot drawn from `results.csv` when the sweep ends.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plot {
    /// `scatter` (default), `line` or `bars`.
    #[serde(default)]
    pub kind: PlotKind,
    /// Column on the x axis.
    pub x: String,
    /// Column on the y axis.
    pub y: String,
    /// Column that colours the markers (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Highlight the Pareto front of `x` and `y` (senses from `[[objective]]`).
    #[serde(default)]
    pub pareto: bool,
    /// Logarithmic x axis.
    #[serde(default)]
    pub log_x: bool,
    /// Logarithmic y axis.
    #[serde(default)]
    pub log_y: bool,
    /// Output file name inside the output folder (`.png` or `.svg`).
    pub file: String,
    /// Title (default: `y` vs `x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}
