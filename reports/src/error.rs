//! The one error type of this crate: every failure names the file, column or row at fault.

use std::path::PathBuf;

/// What went wrong while reading a table or drawing a plot.
///
/// Rows are counted from 1 over the data rows (the header is not a row), so row `n` of a
/// CSV file is on line `n + 1`.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written: check the path and its permissions.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// `"read"` or `"write"`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The CSV text is malformed (e.g. rows with different numbers of fields).
    #[error("cannot parse CSV `{source_name}`: {source}")]
    Csv {
        /// The file name or other description of where the CSV came from.
        source_name: String,
        /// The parser's error, with the line.
        source: csv::Error,
    },
    /// A column name that the table does not have: use one of the names listed.
    #[error("unknown column `{name}`{}; columns are: {}", did_you_mean(suggestion), available.join(", "))]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The closest column name, if one is close enough to be a plausible typo.
        suggestion: Option<String>,
        /// Every column of the table, in file order.
        available: Vec<String>,
    },
    /// Two columns have the same name: rename one.
    #[error("column `{name}` appears twice")]
    DuplicateColumn {
        /// The repeated name.
        name: String,
    },
    /// A number was needed but the column holds text: pick a numeric column.
    #[error("column `{column}` is not numeric: row {row} holds `{value}`")]
    NotNumeric {
        /// The column.
        column: String,
        /// The first row (from 1) whose cell does not parse as a number.
        row: usize,
        /// That cell's text.
        value: String,
    },
    /// Inputs that must have one entry per row (or per category) have different lengths.
    #[error("{what}: expected {expected} entries, found {found}")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A logarithmic axis cannot show zero or negative values: drop the log option or
    /// filter the rows.
    #[error(
        "column `{column}` row {row} is {value}, but the {axis} axis is logarithmic and can only show positive values"
    )]
    NonPositiveOnLogAxis {
        /// The column (or series name) holding the value.
        column: String,
        /// The row (from 1) holding it.
        row: usize,
        /// The value.
        value: f64,
        /// `"x"` or `"y"`.
        axis: &'static str,
    },
    /// A value that must be finite (and, where stated, positive or non-negative) is not.
    #[error("{what} must be {expected}, got {value}")]
    InvalidValue {
        /// Which value (e.g. ``"roofline point `qkv` intensity"``).
        what: String,
        /// What it must be, e.g. `"positive and finite"`.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// Two rows give a value for the same bar: the table is ambiguous for this plot.
    #[error("rows {first} and {second} both give a value for group `{group}`, series `{series}`")]
    DuplicateBar {
        /// Group (x category).
        group: String,
        /// Series within the group.
        series: String,
        /// First row (from 1).
        first: usize,
        /// Second row (from 1).
        second: usize,
    },
    /// Nothing to draw (every row has an empty cell in a needed column, or no rows).
    #[error("nothing to draw: {what}")]
    NoData {
        /// What was missing.
        what: String,
    },
    /// The output path does not end in a format this crate writes.
    #[error("cannot tell the image format of `{path}`: expected a name ending in .png or .svg")]
    UnsupportedFormat {
        /// The path given.
        path: PathBuf,
    },
    /// The requested canvas is too small (or too large) to draw on.
    #[error(
        "canvas of {width_px}×{height_px} px is out of range: each side must be 200 to 10000 px"
    )]
    CanvasSize {
        /// Width asked for (px).
        width_px: u32,
        /// Height asked for (px).
        height_px: u32,
    },
    /// The drawing library failed while drawing or writing the image.
    #[error("cannot draw `{path}`: {message}")]
    Draw {
        /// The image being drawn.
        path: PathBuf,
        /// The drawing library's message.
        message: String,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}
