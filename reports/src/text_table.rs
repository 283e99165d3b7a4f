//! [`TextTable`]: rows of cells written as a Markdown table or a plain terminal table.
//!
//! Numbers go through [`format_number`] with [`TextTable::significant`] digits; a column
//! whose non-empty cells are all numbers is right-aligned, any other left-aligned.
//!
//! ```
//! use reports::{Cell, TextTable};
//! let mut t = TextTable::new(vec!["platform".into(), "tokens_per_s".into()]);
//! t.push_row(vec![Cell::text("gpu"), Cell::Number(41.52)]).unwrap();
//! t.push_row(vec![Cell::text("asic"), Cell::Number(1234.0)]).unwrap();
//! assert_eq!(
//!     t.to_markdown(),
//!     "| platform | tokens_per_s |\n\
//!      | :------- | -----------: |\n\
//!      | gpu      |        41.52 |\n\
//!      | asic     |         1234 |\n"
//! );
//! ```

use crate::error::ReportError;
use crate::format::format_number;
use crate::table::{Column, Table};

/// One cell of a [`TextTable`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number, formatted when written.
    Number(f64),
    /// Text, written as is (`|` escaped in Markdown).
    Text(String),
    /// Nothing.
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// Horizontal alignment of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned (text).
    Left,
    /// Right-aligned (numbers).
    Right,
}

/// A header and rows of cells, ready to write as Markdown or terminal text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, each with one cell per header.
    pub rows: Vec<Vec<Cell>>,
    /// Significant digits for numbers (see [`format_number`]); default 4.
    pub significant: usize,
}

impl TextTable {
    /// An empty table with these headers and 4 significant digits.
    pub fn new(headers: Vec<String>) -> TextTable {
        TextTable {
            headers,
            rows: Vec::new(),
            significant: 4,
        }
    }

    /// Appends a row; it must have one cell per header.
    pub fn push_row(&mut self, row: Vec<Cell>) -> Result<(), ReportError> {
        if row.len() != self.headers.len() {
            return Err(ReportError::LengthMismatch {
                what: format!("row {} of the text table", self.rows.len() + 1),
                expected: self.headers.len(),
                found: row.len(),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    /// The given columns of `table` (all of them when `columns` is empty), every row.
    pub fn from_table(table: &Table, columns: &[&str]) -> Result<TextTable, ReportError> {
        let all: Vec<&str> = table.column_names().iter().map(String::as_str).collect();
        let names = if columns.is_empty() {
            &all[..]
        } else {
            columns
        };
        let cols = names
            .iter()
            .map(|n| table.column(n))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = TextTable::new(names.iter().map(|n| n.to_string()).collect());
        for row in 0..table.n_rows() {
            out.rows
                .push(cols.iter().map(|c| cell_of(c, row)).collect());
        }
        Ok(out)
    }

    /// The alignment of each column: right when every non-empty cell is a number and at
    /// least one is, else left.
    pub fn alignments(&self) -> Vec<Align> {
        (0..self.headers.len())
            .map(|c| {
                let cells = self.rows.iter().filter_map(|r| r.get(c));
                let mut any_number = false;
                for cell in cells {
                    match cell {
                        Cell::Number(_) => any_number = true,
                        Cell::Text(_) => return Align::Left,
                        Cell::Empty => {}
                    }
                }
                if any_number {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect()
    }

    fn rendered(&self, escape_pipes: bool) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Cell::Number(x) => format_number(*x, self.significant),
                        Cell::Text(s) if escape_pipes => s.replace('|', "\\|").replace('\n', " "),
                        Cell::Text(s) => s.replace('\n', " "),
                        Cell::Empty => String::new(),
                    })
                    .collect()
            })
            .collect()
    }

    fn widths(&self, cells: &[Vec<String>], min: usize) -> Vec<usize> {
        (0..self.headers.len())
            .map(|c| {
                cells
                    .iter()
                    .filter_map(|r| r.get(c))
                    .chain(std::iter::once(&self.headers[c]))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(min)
            })
            .collect()
    }

    /// A GitHub-flavoured Markdown table with padded, aligned columns (`:---` left,
    /// `---:` right), ending in a newline.
    pub fn to_markdown(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|h| h.replace('|', "\\|")).collect();
        let cells = self.rendered(true);
        let widths = self.widths(&cells, 3);
        let aligns = self.alignments();
        let mut out = String::new();
        let line = |out: &mut String, row: &[String]| {
            out.push('|');
            for (c, w) in widths.iter().enumerate() {
                let s = row.get(c).map_or("", String::as_str);
                out.push(' ');
                out.push_str(&pad(s, *w, aligns[c]));
                out.push_str(" |");
            }
            out.push('\n');
        };
        line(&mut out, &headers);
        out.push('|');
        for (w, a) in widths.iter().zip(&aligns) {
            out.push(' ');
            match a {
                Align::Left => out.push_str(&format!(":{}", "-".repeat(w - 1))),
                Align::Right => out.push_str(&format!("{}:", "-".repeat(w - 1))),
            }
            out.push_str(" |");
        }
        out.push('\n');
        for row in &cells {
            line(&mut out, row);
        }
        out
    }

    /// A plain table for a terminal: columns separated by two spaces, headers
    /// underlined with `-`, no trailing spaces, ending in a newline.
    pub fn to_terminal(&self) -> String {
        let cells = self.rendered(false);
        let widths = self.widths(&cells, 0);
        let aligns = self.alignments();
        let mut out = String::new();
        let line = |out: &mut String, row: &[String]| {
            let parts: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(c, w)| pad(row.get(c).map_or("", String::as_str), *w, aligns[c]))
                .collect();
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(&mut out, &self.headers);
        let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&mut out, &rules);
        for row in &cells {
            line(&mut out, row);
        }
        out
    }
}

fn pad(s: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(s.chars().count()));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// The cell at `row` of `column` (numbers stay numbers, empty cells `Empty`).
pub(crate) fn cell_of(column: &Column, row: usize) -> Cell {
    match column {
        Column::Numeric(v) => v
            .get(row)
            .copied()
            .flatten()
            .map_or(Cell::Empty, Cell::Number),
        Column::Text(v) => v
            .get(row)
            .cloned()
            .flatten()
            .map_or(Cell::Empty, Cell::Text),
    }
}
