//! [`Table`]: result rows loaded from CSV into typed columns.
//!
//! A column is [`Column::Numeric`] when every non-empty cell parses as an `f64` (after
//! trimming spaces), otherwise [`Column::Text`]. Empty cells are `None` in either kind:
//! a sweep leaves a failed point's metrics empty. Columns are looked up by name; a wrong
//! name gives [`ReportError::UnknownColumn`] with the closest name.
//!
//! ```
//! use reports::Table;
//! let csv = "platform,batch,tokens_per_s\ngpu,1,41.5\nasic,1,\n";
//! let t = Table::from_csv_reader(csv.as_bytes(), "inline").unwrap();
//! assert_eq!(t.n_rows(), 2);
//! assert_eq!(t.numeric("tokens_per_s").unwrap(), &[Some(41.5), None]);
//! let err = t.column("tokens_per_sec").unwrap_err().to_string();
//! assert!(err.contains("did you mean `tokens_per_s`"));
//! ```

use std::path::Path;

use crate::error::ReportError;
use crate::format::format_number;
use arch::suggest::closest;

/// The cells of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Every non-empty cell is a number.
    Numeric(Vec<Option<f64>>),
    /// At least one non-empty cell is not a number.
    Text(Vec<Option<String>>),
}

impl Column {
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the column is numeric.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Column::Numeric(_))
    }

    /// The cell at `row` (from 0) as display text: numbers through
    /// [`format_number`] with `significant` digits, empty cells as `""`.
    pub fn display(&self, row: usize, significant: usize) -> String {
        match self {
            Column::Numeric(v) => v
                .get(row)
                .copied()
                .flatten()
                .map_or_else(String::new, |x| format_number(x, significant)),
            Column::Text(v) => v.get(row).cloned().flatten().unwrap_or_default(),
        }
    }

    /// The cell at `row` (from 0) as a category key: text as is, numbers with full
    /// precision (`1`, `0.5`), `None` for an empty cell.
    pub fn category(&self, row: usize) -> Option<String> {
        match self {
            Column::Numeric(v) => v.get(row).copied().flatten().map(|x| format!("{x}")),
            Column::Text(v) => v.get(row).cloned().flatten(),
        }
    }
}

/// Named, typed columns of equal length, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    n_rows: usize,
}

impl Table {
    /// Builds a table from named columns, checking that names are unique and every
    /// column has the same length.
    pub fn from_columns(columns: Vec<(String, Column)>) -> Result<Table, ReportError> {
        let n_rows = columns.first().map_or(0, |(_, c)| c.len());
        let mut names = Vec::with_capacity(columns.len());
        let mut cols = Vec::with_capacity(columns.len());
        for (name, column) in columns {
            if names.contains(&name) {
                return Err(ReportError::DuplicateColumn { name });
            }
            if column.len() != n_rows {
                return Err(ReportError::LengthMismatch {
                    what: format!("column `{name}`"),
                    expected: n_rows,
                    found: column.len(),
                });
            }
            names.push(name);
            cols.push(column);
        }
        Ok(Table {
            names,
            columns: cols,
            n_rows,
        })
    }

    /// Reads a CSV file with a header row.
    pub fn from_csv_path(path: &Path) -> Result<Table, ReportError> {
        let file = std::fs::File::open(path).map_err(|source| ReportError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        Table::from_csv_reader(file, &path.display().to_string())
    }

    /// Reads CSV text with a header row from `reader`; `source_name` names it in errors.
    pub fn from_csv_reader<R: std::io::Read>(
        reader: R,
        source_name: &str,
    ) -> Result<Table, ReportError> {
        let csv_err = |source| ReportError::Csv {
            source_name: source_name.to_string(),
            source,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(reader);
        let names: Vec<String> = rdr
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
        for record in rdr.records() {
            let record = record.map_err(csv_err)?;
            for (col, field) in cells.iter_mut().zip(record.iter()) {
                col.push(field.trim().to_string());
            }
        }
        let columns = names
            .into_iter()
            .zip(cells)
            .map(|(name, raw)| (name, typed_column(raw)))
            .collect();
        Table::from_columns(columns)
    }

    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Column names in file order.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// The column called `name`, or [`ReportError::UnknownColumn`] naming the closest one.
    pub fn column(&self, name: &str) -> Result<&Column, ReportError> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(&self.columns[i]),
            None => Err(ReportError::UnknownColumn {
                name: name.to_string(),
                suggestion: closest(name, self.names.iter().map(String::as_str)),
                available: self.names.clone(),
            }),
        }
    }

    /// The numeric column called `name`; [`ReportError::NotNumeric`] names the first
    /// cell that is not a number.
    pub fn numeric(&self, name: &str) -> Result<&[Option<f64>], ReportError> {
        match self.column(name)? {
            Column::Numeric(v) => Ok(v),
            Column::Text(v) => {
                let (row, value) = v
                    .iter()
                    .enumerate()
                    .find_map(|(i, c)| {
                        c.as_ref()
                            .filter(|s| s.parse::<f64>().is_err())
                            .map(|s| (i + 1, s.clone()))
                    })
                    .unwrap_or((0, String::new()));
                Err(ReportError::NotNumeric {
                    column: name.to_string(),
                    row,
                    value,
                })
            }
        }
    }

    /// Keeps the rows (from 0) listed in `rows`, in that order; out-of-range indices are
    /// skipped.
    pub fn select_rows(&self, rows: &[usize]) -> Table {
        let rows: Vec<usize> = rows.iter().copied().filter(|&r| r < self.n_rows).collect();
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(rows.iter().map(|&r| v[r]).collect()),
                Column::Text(v) => Column::Text(rows.iter().map(|&r| v[r].clone()).collect()),
            })
            .collect();
        Table {
            names: self.names.clone(),
            columns,
            n_rows: rows.len(),
        }
    }
}

/// Numeric if every non-empty cell parses as `f64`, else text; empty cells become `None`.
fn typed_column(raw: Vec<String>) -> Column {
    let parsed: Option<Vec<Option<f64>>> = raw
        .iter()
        .map(|s| {
            if s.is_empty() {
                Some(None)
            } else {
                s.parse::<f64>().ok().map(Some)
            }
        })
        .collect();
    match parsed {
        Some(values) => Column::Numeric(values),
        None => Column::Text(
            raw.into_iter()
                .map(|s| if s.is_empty() { None } else { Some(s) })
                .collect(),
        ),
    }
}
