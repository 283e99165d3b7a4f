//! Errors of sweep specs, runs and merges.
//!
//! Every spec error names the file, the line/column when known, the key path
//! (`axis[2].linear.step`) and, when a name is close to a valid one, a suggestion.

use thiserror::Error;

/// A problem with a sweep spec, its output folder or a merge.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SweepError {
    /// The spec TOML could not be parsed, did not match the schema, or holds a value that
    /// cannot be swept (an empty range, an unknown axis prefix, a bad constraint…). Fix the
    /// key named in the message.
    #[error("{}{}{}{}", location(.file, .line_col), key_prefix(.key), .message, suggestion_suffix(.suggestion))]
    Spec {
        /// File name (or `<string>`).
        file: String,
        /// Line and column (1-based) if known.
        line_col: Option<(usize, usize)>,
        /// Dotted key path (`axis[2].linear.step`) if known.
        key: Option<String>,
        /// What went wrong and what is expected.
        message: String,
        /// The closest valid key or name, if any.
        suggestion: Option<String>,
    },
    /// A file or folder could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: String,
        /// The OS error.
        message: String,
    },
    /// An existing `results.csv` or `meta.json` is malformed (not written by this crate,
    /// or edited by hand). Move it away or fix the named line.
    #[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Results {
        /// The file.
        file: String,
        /// The 1-based line, if the problem is on one line.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The output folder cannot be used for this run: it holds results of another spec or
    /// shard, or holds results and `resume` was not asked for.
    #[error("{dir}: {message}")]
    Output {
        /// The output folder.
        dir: String,
        /// Why, and what to do.
        message: String,
    },
    /// Result folders cannot be merged: different specs, or points missing or doubled.
    #[error("cannot merge: {message}")]
    Merge {
        /// Which folders and points are concerned.
        message: String,
    },
    /// A run option is invalid (a shard `i/N` with `i ≥ N`, a thread pool that cannot be
    /// built).
    #[error("{message}")]
    Options {
        /// What is wrong.
        message: String,
    },
    /// The evaluator rejected the first point before the sweep started (see
    /// [`crate::Evaluator::check`]): typically a typo in an `arch.` key. Nothing was run.
    #[error("{location}point {point} was rejected before the sweep started: {message}")]
    Check {
        /// Where the spec sets the rejected key followed by `: ` (see
        /// [`crate::Spec::locate`]), or empty.
        location: String,
        /// The point id checked.
        point: u64,
        /// The evaluator's message.
        message: String,
    },
}

impl SweepError {
    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        SweepError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

fn location(file: &str, line_col: &Option<(usize, usize)>) -> String {
    match line_col {
        Some((l, c)) => format!("{file}:{l}:{c}: "),
        None => format!("{file}: "),
    }
}

fn key_prefix(key: &Option<String>) -> String {
    match key {
        Some(k) if !k.is_empty() => format!("{k}: "),
        _ => String::new(),
    }
}

fn suggestion_suffix(s: &Option<String>) -> String {
    match s {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}
