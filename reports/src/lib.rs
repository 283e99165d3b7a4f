//! # reports — plots and tables
//!
//! **Owns:** plots (scatter with Pareto front, grouped bars, stacked breakdowns, roofline)
//! as PNG and SVG, and tables (terminal, Markdown, CSV).
//!
//! **Architecture invariant:** `reports` reads result rows and knows nothing of how they
//! were made.
