//! Markdown summary of a sweep directory: [`SweepSummary`], fed plain data by the caller.
//!
//! The caller (the CLI's `silica report`) loads `results.csv`, computes the Pareto front
//! (in `sweeps`), draws the plots and hands this module the pieces; this module only
//! lays them out. [`best_per_objective`] and [`pareto_rows`] build the two tables from a
//! [`Table`].
//!
//! ```
//! use reports::{Direction, Objective, SweepSummary, Table, best_per_objective};
//! let csv = "rows,latency_s,energy_j\n8,2.0,1.0\n16,1.0,3.0\n";
//! let t = Table::from_csv_reader(csv.as_bytes(), "inline").unwrap();
//! let best = best_per_objective(
//!     &t,
//!     &[Objective::new("latency_s", Direction::Minimize)],
//!     &["rows"],
//! )
//! .unwrap();
//! let md = SweepSummary { title: "PE sweep".into(), best: Some(best), ..Default::default() }
//!     .to_markdown();
//! assert!(md.contains("| min latency_s |"));
//! ```

use crate::error::ReportError;
use crate::table::Table;
use crate::text_table::{Cell, TextTable, cell_of};

/// Whether smaller or larger values of an objective are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Smaller is better (latency, energy, EDP, area).
    #[default]
    Minimize,
    /// Larger is better (tokens/s, tokens/J).
    Maximize,
}

impl Direction {
    /// `"min"` or `"max"`.
    pub fn short(self) -> &'static str {
        match self {
            Direction::Minimize => "min",
            Direction::Maximize => "max",
        }
    }

    /// Whether `a` is strictly better than `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        match self {
            Direction::Minimize => a < b,
            Direction::Maximize => a > b,
        }
    }
}

/// A metric column and which way is better.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    /// The column, e.g. `latency_s`.
    pub column: String,
    /// Which way is better.
    pub direction: Direction,
}

impl Objective {
    /// An objective on `column`.
    pub fn new(column: impl Into<String>, direction: Direction) -> Objective {
        Objective {
            column: column.into(),
            direction,
        }
    }
}

/// One table row per objective: `objective` (`"min latency_s"`), `row` (from 1),
/// `value`, then the `columns` of the best row (the first one on ties). Empty cells are
/// skipped; an objective with no value at all gets a row of empty cells.
pub fn best_per_objective(
    table: &Table,
    objectives: &[Objective],
    columns: &[&str],
) -> Result<TextTable, ReportError> {
    let shown = columns
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut headers = vec![
        "objective".to_string(),
        "row".to_string(),
        "value".to_string(),
    ];
    headers.extend(columns.iter().map(|c| c.to_string()));
    let mut out = TextTable::new(headers);
    for objective in objectives {
        let values = table.numeric(&objective.column)?;
        let mut best: Option<(usize, f64)> = None;
        for (row, v) in values.iter().enumerate() {
            if let Some(v) = v
                && !v.is_nan()
                && best.is_none_or(|(_, b)| objective.direction.better(*v, b))
            {
                best = Some((row, *v));
            }
        }
        let label = Cell::text(format!(
            "{} {}",
            objective.direction.short(),
            objective.column
        ));
        let mut cells = vec![label];
        match best {
            Some((row, value)) => {
                cells.push(Cell::Number((row + 1) as f64));
                cells.push(Cell::Number(value));
                for column in &shown {
                    cells.push(cell_of(column, row));
                }
            }
            None => cells.extend(std::iter::repeat_n(Cell::Empty, columns.len() + 2)),
        }
        out.push_row(cells)?;
    }
    Ok(out)
}

/// The rows flagged in `on_front` (one flag per table row), in table order, with the
/// given columns (all when `columns` is empty) after a `row` column (from 1).
pub fn pareto_rows(
    table: &Table,
    on_front: &[bool],
    columns: &[&str],
) -> Result<TextTable, ReportError> {
    if on_front.len() != table.n_rows() {
        return Err(ReportError::LengthMismatch {
            what: "Pareto flags (one per table row)".to_string(),
            expected: table.n_rows(),
            found: on_front.len(),
        });
    }
    let rows: Vec<usize> = (0..table.n_rows()).filter(|&r| on_front[r]).collect();
    let inner = TextTable::from_table(&table.select_rows(&rows), columns)?;
    let mut headers = vec!["row".to_string()];
    headers.extend(inner.headers);
    let mut out = TextTable::new(headers);
    for (r, cells) in rows.iter().zip(inner.rows) {
        let mut row = vec![Cell::Number((r + 1) as f64)];
        row.extend(cells);
        out.push_row(row)?;
    }
    Ok(out)
}

/// A plot to show in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotLink {
    /// The caption, used as heading and alt text.
    pub caption: String,
    /// The image path as the Markdown file should link it (usually relative to it).
    pub path: String,
}

/// The parts of a sweep summary; [`SweepSummary::to_markdown`] lays them out. Empty
/// parts are left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SweepSummary {
    /// Level-1 heading.
    pub title: String,
    /// Key facts as a bullet list, e.g. `("points", "512")`, `("failed", "3")`.
    pub facts: Vec<(String, String)>,
    /// Free paragraphs after the facts.
    pub paragraphs: Vec<String>,
    /// "Best point per objective" table (see [`best_per_objective`]).
    pub best: Option<TextTable>,
    /// "Pareto front" table (see [`pareto_rows`]).
    pub pareto: Option<TextTable>,
    /// Plots, each shown as an image under its caption.
    pub plots: Vec<PlotLink>,
}

impl SweepSummary {
    /// The summary as Markdown, ending in a newline.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        if !self.facts.is_empty() {
            out.push('\n');
            for (key, value) in &self.facts {
                out.push_str(&format!("- **{key}:** {value}\n"));
            }
        }
        for p in &self.paragraphs {
            out.push_str(&format!("\n{p}\n"));
        }
        if let Some(best) = &self.best {
            out.push_str("\n## Best point per objective\n\n");
            out.push_str(&best.to_markdown());
        }
        if let Some(pareto) = &self.pareto {
            let n = pareto.rows.len();
            let s = if n == 1 { "" } else { "s" };
            out.push_str(&format!("\n## Pareto front\n\n{n} point{s}.\n\n"));
            out.push_str(&pareto.to_markdown());
        }
        if !self.plots.is_empty() {
            out.push_str("\n## Plots\n");
            for plot in &self.plots {
                out.push_str(&format!("\n### {}\n\n", plot.caption));
                let link = plot.path.replace(' ', "%20");
                out.push_str(&format!("![{}]({link})\n", plot.caption));
            }
        }
        out
    }
}
