//! Picking rows of a sweep's results table by their column values, for the reproductions
//! that derive a paper's figures from sweep rows.

use anyhow::{Result, anyhow};
use reports::{Column, Table};

/// The `ok` rows of a results table, looked up by column values.
pub struct Rows<'a> {
    table: &'a Table,
    ok: Vec<usize>,
}

impl<'a> Rows<'a> {
    /// The rows of `table` whose `status` is `ok` (all rows when there is no such column).
    pub fn new(table: &'a Table) -> Rows<'a> {
        let ok = match table.column("status") {
            Ok(c) => (0..table.n_rows())
                .filter(|&r| c.category(r).as_deref() == Some("ok"))
                .collect(),
            Err(_) => (0..table.n_rows()).collect(),
        };
        Rows { table, ok }
    }

    /// The `ok` rows whose columns equal the given values (as [`Column::category`] writes
    /// them: text as is, numbers like `2048` or `2.5`), in table order.
    pub fn all(&self, want: &[(&str, &str)]) -> Vec<usize> {
        let cols: Vec<Option<&Column>> = want
            .iter()
            .map(|(name, _)| self.table.column(name).ok())
            .collect();
        self.ok
            .iter()
            .copied()
            .filter(|&r| {
                want.iter()
                    .zip(&cols)
                    .all(|((_, v), c)| c.and_then(|c| c.category(r)).as_deref() == Some(*v))
            })
            .collect()
    }

    /// The one `ok` row with these values; an error naming them when there is none.
    pub fn one(&self, want: &[(&str, &str)]) -> Result<usize> {
        self.all(want).first().copied().ok_or_else(|| {
            let what: Vec<String> = want.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            anyhow!("no successful result row with {}", what.join(", "))
        })
    }

    /// The number in column `col` of row `row`; an error when the column is missing or
    /// the cell is empty or not a number.
    pub fn num(&self, row: usize, col: &str) -> Result<f64> {
        self.table
            .numeric(col)?
            .get(row)
            .copied()
            .flatten()
            .ok_or_else(|| anyhow!("row {row} has no number in `{col}`"))
    }

    /// The text of column `col` in row `row` (as [`Column::category`] writes it); an error
    /// when the column is missing or the cell is empty.
    pub fn text(&self, row: usize, col: &str) -> Result<String> {
        self.table
            .column(col)?
            .category(row)
            .ok_or_else(|| anyhow!("row {row} has no value in `{col}`"))
    }

    /// `col` of the one row with these values.
    pub fn value(&self, want: &[(&str, &str)], col: &str) -> Result<f64> {
        self.num(self.one(want)?, col)
    }
}

/// A table of named text and numeric columns, for plots of derived figures.
pub fn table(text: Vec<(&str, Vec<String>)>, numbers: Vec<(&str, Vec<f64>)>) -> Result<Table> {
    let mut columns: Vec<(String, Column)> = Vec::new();
    for (name, v) in text {
        columns.push((name.into(), Column::Text(v.into_iter().map(Some).collect())));
    }
    for (name, v) in numbers {
        columns.push((
            name.into(),
            Column::Numeric(v.into_iter().map(Some).collect()),
        ));
    }
    Ok(Table::from_columns(columns)?)
}
