//! # mappers — putting work on hardware
//!
//! **Owns:** per-operator mapping (tiling, loop order, spatial unrolling, dataflow) and its
//! search, legality checks, per-graph scheduling (unit assignment, fusion, inter-operation
//! buffering) and the execution of the schedule on `sim-core` into a report.
//!
//! **Architecture invariant:** `mappers` reads validated `arch` platforms and `workloads`
//! graphs; it parses no files and draws nothing.
