//! # sweeps — design-space exploration
//!
//! **Owns:** sweep specifications (axes over dotted keys, sampling, constraints), parallel
//! and resumable execution of the points, sharding and merging, Pareto fronts.
//!
//! **Architecture invariant:** `sweeps` produces result rows; it draws nothing (that is
//! `reports`) and models no hardware itself (that is `arch` via `mappers`): how a point is
//! evaluated is an [`Evaluator`] handed in by the caller.
//!
//! Flow: [`Spec::from_file`] parses and checks a spec (all errors located at the key);
//! [`run_sweep`] evaluates its points — all, or one [`Shard`] — into an output folder;
//! [`merge`] joins shard folders; [`slurm`] runs the shards as a Slurm job array. Points are numbered `0..n` in the order of the
//! Cartesian product of the axes (first axis slowest), see [`Spec::point`].
//!
//! ```
//! use std::collections::BTreeMap;
//! use sweeps::{ResolvedPoint, RunOptions, Spec, run_sweep};
//!
//! let spec = Spec::parse(r#"
//!     metrics = ["area_mm2"]
//!     constraints = ["arch.rows * arch.cols <= 2048"]
//!     [base]
//!     arch = "toy"
//!     [[axis]]
//!     key = "arch.rows"
//!     values = [16, 32, 64, 128]
//!     [[axis]]
//!     key = "arch.cols"
//!     geometric = { start = 16, stop = 64, factor = 2 }
//! "#, "example.toml").unwrap();
//! assert_eq!(spec.n_points(), 12);
//!
//! let area = |p: &ResolvedPoint| -> Result<BTreeMap<String, f64>, String> {
//!     let x = |k: &str| p.axis_value(k).and_then(|v| v.as_integer()).unwrap_or(0) as f64;
//!     Ok(BTreeMap::from([("area_mm2".to_string(), 1e-3 * x("arch.rows") * x("arch.cols"))]))
//! };
//! let dir = std::env::temp_dir().join(format!("sweeps-doc-{}", std::process::id()));
//! let summary = run_sweep(&spec, &area, &dir, &RunOptions::default()).unwrap();
//! // 64×64, 128×32 and 128×64 exceed 2048 PEs and are skipped.
//! assert_eq!((summary.counts.ok, summary.counts.skipped), (9, 3));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod engine;
mod error;
pub mod expr;
pub mod format;
pub mod merge;
pub mod meta;
pub mod pareto;
mod point;
pub mod results;
pub mod slurm;
pub mod spec;
pub mod synthetic;

pub use engine::{Evaluator, RunOptions, RunSummary, Shard, run_sweep};
pub use error::SweepError;
pub use merge::{MergeSummary, find_shard_dirs, merge};
pub use point::{ResolvedPoint, point_seed, splitmix64};
pub use results::Status;
pub use spec::{Objective, Plot, PlotKind, SampleMethod, Sense, SlurmDefaults, Spec};
