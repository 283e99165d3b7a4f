//! `results.csv`: one row per point, one physical line per row.
//!
//! Columns: `point_id`, `status` (`ok`, `error`, `skipped`, `infeasible`), `reason` (the
//! error, or the constraint that skipped the point or made it infeasible), one column per
//! axis (named by its key, e.g. `arch.pe_array.rows`), one per metric (named by the spec,
//! units in the name). Cells are written by [`crate::format`]; messages are kept on one line
//! so a row never spans two lines.
//!
//! While a sweep runs, rows are appended in the order points finish, one `write` per row;
//! a process killed mid-write leaves at most one partial last line (no final `\n`), which
//! [`read_results`] drops. At the end the file is rewritten sorted by point id (to a
//! temporary file, then renamed over it).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use crate::SweepError;

/// The columns every results file starts with.
pub const FIXED_COLUMNS: [&str; 3] = ["point_id", "status", "reason"];

/// The outcome of one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Evaluated; metrics recorded.
    Ok,
    /// The evaluator failed or panicked (or gave no value for a metric); `reason` says why.
    Error,
    /// A point constraint did not hold; not evaluated; `reason` is the constraint.
    Skipped,
    /// Evaluated, but a metric constraint did not hold; metrics recorded; `reason` is the
    /// constraint.
    Infeasible,
}

impl Status {
    /// The word written in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Infeasible => "infeasible",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ok" => Ok(Status::Ok),
            "error" => Ok(Status::Error),
            "skipped" => Ok(Status::Skipped),
            "infeasible" => Ok(Status::Infeasible),
            _ => Err(format!(
                "status `{s}` is not one of ok, error, skipped, infeasible"
            )),
        }
    }
}

/// One written row: its point id, status and the exact line (with its `\n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Point id.
    pub id: u64,
    /// Status.
    pub status: Status,
    /// The CSV line, ending in `\n`.
    pub line: String,
}

/// Formats cells as one CSV line ending in `\n` (quoted only where needed).
pub(crate) fn csv_line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail; fall back to a plain join just in case.
    if w.write_record(cells).is_err() {
        return format!("{}\n", cells.join(","));
    }
    match w.into_inner() {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => format!("{}\n", cells.join(",")),
    }
}

/// The parsed cells of one row line. (To parse many lines, [`parse_lines`] is much faster:
/// building a CSV reader costs more than reading a row.)
pub fn parse_cells(line: &str) -> Vec<String> {
    parse_lines(line).into_iter().next().unwrap_or_default()
}

/// The parsed cells of every line of `text`, one reader for all.
pub fn parse_lines(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.map(|rec| rec.iter().map(str::to_string).collect())
                .unwrap_or_default()
        })
        .collect()
}

/// The content of a results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsFile {
    /// Column names.
    pub header: Vec<String>,
    /// Complete rows, in file order.
    pub rows: Vec<Row>,
    /// Length in bytes of the complete lines (header included).
    pub valid_len: u64,
    /// Whether a partial last line (a row cut by a kill) was dropped.
    pub dropped_partial: bool,
}

/// Reads `path`; `Ok(None)` if it does not exist or holds not even a complete header.
/// A partial last line is dropped; any other malformed line is an error naming it.
pub fn read_results(path: &Path) -> Result<Option<ResultsFile>, SweepError> {
    let text = match fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SweepError::io(path, &e)),
    };
    let valid = text.rfind('\n').map_or(0, |i| i + 1);
    let dropped_partial = valid < text.len();
    let lines: Vec<&str> = text[..valid].split_inclusive('\n').collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let records = parse_lines(&text[..valid]);
    let file = path.display().to_string();
    let bad = |line: usize, message: String| SweepError::Results {
        file: file.clone(),
        line: Some(line),
        message,
    };
    if records.len() != lines.len() {
        return Err(SweepError::Results {
            file: file.clone(),
            line: None,
            message: "a row spans several lines (quoted line breaks): not written by a sweep"
                .into(),
        });
    }
    let mut records = records.into_iter();
    let header = records.next().unwrap_or_default();
    if header.len() < FIXED_COLUMNS.len() || header[..3] != FIXED_COLUMNS {
        return Err(bad(
            1,
            format!(
                "expected a header starting with {}",
                FIXED_COLUMNS.join(",")
            ),
        ));
    }
    let mut rows = Vec::new();
    for (i, (line, cells)) in lines.iter().skip(1).zip(records).enumerate() {
        if cells.len() != header.len() {
            return Err(bad(
                i + 2,
                format!("{} cells, the header has {}", cells.len(), header.len()),
            ));
        }
        let id = cells[0]
            .parse::<u64>()
            .map_err(|_| bad(i + 2, format!("point id `{}` is not a number", cells[0])))?;
        let status = cells[1].parse::<Status>().map_err(|m| bad(i + 2, m))?;
        rows.push(Row {
            id,
            status,
            line: line.to_string(),
        });
    }
    Ok(Some(ResultsFile {
        header,
        rows,
        valid_len: valid as u64,
        dropped_partial,
    }))
}

/// Writes `contents` to `path` through `<path>.tmp` and a rename,
/// so readers never see a half-written file (no `fsync`: this guards against a killed
/// process, not a power cut).
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), SweepError> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents)?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| SweepError::io(path, &e))
}

/// The file contents for a header and sorted rows.
pub(crate) fn render(header: &[String], rows: &[&Row]) -> Vec<u8> {
    let mut out = csv_line(header).into_bytes();
    for r in rows {
        out.extend_from_slice(r.line.as_bytes());
    }
    out
}
