//! # reports — plots and tables
//!
//! **Owns:** plots (scatter with Pareto front, grouped bars, stacked breakdowns, roofline)
//! as PNG and SVG, and tables (terminal, Markdown) and the Markdown summary of a sweep.
//!
//! **Architecture invariant:** `reports` reads result rows and knows nothing of how they
//! were made (of the other crates it uses only `arch::suggest` for "did you mean").
//! Pareto fronts are computed elsewhere
//! (`sweeps`) and passed in as one flag per row.
//!
//! Data come in as a [`Table`] (typed columns loaded from CSV) or as plain structs
//! ([`Breakdown`], [`Roofline`]); each plot kind is one function taking the data, a
//! config struct and an [`Output`] (path + size; `.png` or `.svg` picks the format):
//!
//! ```no_run
//! use reports::{Output, ScatterConfig, Table, scatter};
//! # fn main() -> Result<(), reports::ReportError> {
//! let table = Table::from_csv_path("results.csv".as_ref())?;
//! let config = ScatterConfig { log_x: true, ..ScatterConfig::new("latency_s", "energy_j") };
//! scatter(&table, &config, &Output::new("pareto.png").with_size(1200, 800))?;
//! # Ok(())
//! # }
//! ```

mod error;
mod format;
mod plot;
mod summary;
mod table;
mod text_table;

pub use arch::suggest::{closest, edit_distance};
pub use error::ReportError;
pub use format::{axis_label, format_number, format_si, split_unit};
pub use plot::{
    Breakdown, ColorScale, ComputeCeiling, GroupedBarsConfig, ImageFormat, MemoryCeiling,
    OperatorPoint, Output, ParetoFront, PointLabels, ReferenceLine, Roofline, RooflineConfig,
    ScatterConfig, StackedBarsConfig, grouped_bars, roofline, scatter, stacked_bars,
};
pub use summary::{Direction, Objective, PlotLink, SweepSummary, best_per_objective, pareto_rows};
pub use table::{Column, Table};
pub use text_table::{Align, Cell, TextTable};
