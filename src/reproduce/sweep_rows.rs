//! Reading a reproduction's sweep results (the `ok` rows of a `results.csv`, numbers and
//! text by column name) and building the small tables its plots draw.

use anyhow::{Context as _, Result, anyhow};
use reports::{Column, Table};

/// The `ok` rows of a sweep's results table.
pub struct Rows {
    table: Table,
    ok: Vec<usize>,
    /// Rows whose status is not `ok`: (point id, status, reason).
    pub failed: Vec<(String, String, String)>,
}

/// One `ok` row.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    index: usize,
}

impl Rows {
    /// The rows of `table` (a `results.csv`), split into `ok` ones and the others.
    pub fn new(table: Table) -> Result<Rows> {
        let status = table.column("status")?;
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for i in 0..table.n_rows() {
            let s = status.category(i).unwrap_or_default();
            if s == "ok" {
                ok.push(i);
            } else {
                let id = table.column("point_id")?.category(i).unwrap_or_default();
                let reason = table.column("reason")?.category(i).unwrap_or_default();
                failed.push((id, s, reason));
            }
        }
        Ok(Rows { table, ok, failed })
    }

    /// The rows of `table`, every one of which must be `ok`: a reproduction whose spec
    /// defines only points that should run treats a failed point as its own failure.
    pub fn all_ok(table: Table) -> Result<Rows> {
        let rows = Rows::new(table)?;
        if let Some((id, status, reason)) = rows.failed.first() {
            return Err(anyhow!(
                "{} of the sweep's points did not run; the first, {id}, is `{status}`: {reason}",
                rows.failed.len()
            ));
        }
        Ok(rows)
    }

    /// The `ok` rows, in point order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.ok.iter().map(|&index| Row {
            table: &self.table,
            index,
        })
    }
}

impl Row<'_> {
    /// The number in `column`.
    pub fn num(&self, column: &str) -> Result<f64> {
        match self.table.column(column)? {
            Column::Numeric(v) => v
                .get(self.index)
                .copied()
                .flatten()
                .ok_or_else(|| anyhow!("column `{column}` is empty in row {}", self.index + 1)),
            Column::Text(v) => {
                let cell = v.get(self.index).cloned().flatten().unwrap_or_default();
                cell.parse::<f64>()
                    .with_context(|| format!("column `{column}` row {}: `{cell}`", self.index + 1))
            }
        }
    }

    /// The number in `column` as an integer (sizes, counts).
    pub fn int(&self, column: &str) -> Result<u64> {
        let x = self.num(column)?;
        if x >= 0.0 && x.fract() == 0.0 {
            Ok(x as u64)
        } else {
            Err(anyhow!("column `{column}`: {x} is not a count"))
        }
    }

    /// The cell of `column` as text (numbers as written by `Column::category`).
    pub fn text(&self, column: &str) -> Result<String> {
        Ok(self
            .table
            .column(column)?
            .category(self.index)
            .unwrap_or_default())
    }
}

/// A table of named columns for a plot.
pub struct PlotTable {
    columns: Vec<(String, Column)>,
}

impl PlotTable {
    /// An empty table.
    pub fn new() -> PlotTable {
        PlotTable {
            columns: Vec::new(),
        }
    }

    /// Adds a numeric column.
    pub fn num(mut self, name: &str, values: Vec<f64>) -> PlotTable {
        self.columns.push((
            name.to_string(),
            Column::Numeric(values.into_iter().map(Some).collect()),
        ));
        self
    }

    /// Adds a text column.
    pub fn text(mut self, name: &str, values: Vec<String>) -> PlotTable {
        self.columns.push((
            name.to_string(),
            Column::Text(values.into_iter().map(Some).collect()),
        ));
        self
    }

    /// The table.
    pub fn build(self) -> Result<Table> {
        Table::from_columns(self.columns).map_err(Into::into)
    }
}

/// The smallest and largest of `values` (NaN-free), or `None` when empty.
pub fn min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
    })
}
