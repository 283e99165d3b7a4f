//! # sweeps — design-space exploration
//!
//! **Owns:** sweep specifications (axes over dotted keys, sampling, constraints), parallel
//! and resumable execution of the points, sharding and merging, Pareto fronts.
//!
//! **Architecture invariant:** `sweeps` produces result rows; it draws nothing (that is
//! `reports`) and models no hardware itself (that is `arch` via `mappers`).
