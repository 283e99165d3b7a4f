//! Errors of hardware descriptions and unit models.
//!
//! Every error names where it comes from (file, line/column when known, dotted key path),
//! what was expected, and — when a name is close to a valid one — a suggestion.

use thiserror::Error;

/// A problem with a hardware description or a request to a unit model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ArchError {
    /// The TOML text could not be parsed or did not match the schema. `message` carries
    /// toml's own description (with line/column and a caret snippet when available).
    #[error("{file}: {message}{}", suggestion_suffix(.suggestion))]
    Parse {
        /// File name (or `<string>`/`<preset NAME>`).
        file: String,
        /// Line and column (1-based) if known.
        line_col: Option<(usize, usize)>,
        /// Dotted key path if known.
        key: Option<String>,
        /// What went wrong.
        message: String,
        /// The closest valid key or name, if any.
        suggestion: Option<String>,
    },
    /// A value is syntactically fine but physically impossible (zero size, frequency ≤ 0,
    /// a bank count that must be a power of two, a buffer smaller than one tile…).
    #[error("{key}: {message}")]
    Invalid {
        /// Dotted key path of the offending value (prefixed by the file when known).
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// An unknown preset or name.
    #[error("unknown {what} `{name}`{}{}", suggestion_suffix(.suggestion), list_suffix(.valid))]
    UnknownName {
        /// What kind of name (preset, DRAM preset, dataflow…).
        what: String,
        /// The name given.
        name: String,
        /// The closest valid name.
        suggestion: Option<String>,
        /// All valid names (may be shortened).
        valid: Vec<String>,
    },
    /// A `--set key=value` override could not be applied.
    #[error("cannot apply override `{assignment}`: {message}{}", suggestion_suffix(.suggestion))]
    Override {
        /// The assignment as written.
        assignment: String,
        /// Why.
        message: String,
        /// The closest valid key.
        suggestion: Option<String>,
    },
    /// A unit was asked to run work it cannot run (e.g. softmax on a crossbar).
    #[error("{unit} cannot run {class}: {reason}")]
    Unsupported {
        /// The unit.
        unit: String,
        /// The kernel class.
        class: String,
        /// Why, and what can run it instead.
        reason: String,
    },
    /// A platform without off-chip memory (`[sram_only]`) was asked to hold more than its
    /// on-chip SRAM: split the work across `⌈needed / available⌉` chips (a mapper's job),
    /// or use a platform with `[dram]`.
    #[error(
        "{platform} cannot hold {what}: it has no DRAM ([sram_only]) and needs {needed_bytes} \
         bytes but its on-chip SRAM holds {available_bytes} bytes; split it across {} chips \
         or use a platform with [dram]",
        needed_bytes.div_ceil((*available_bytes).max(1))
    )]
    OnChipCapacity {
        /// The platform.
        platform: String,
        /// What did not fit (kernel and shape).
        what: String,
        /// Bytes it needs, bytes.
        needed_bytes: u64,
        /// On-chip SRAM capacity, bytes.
        available_bytes: u64,
    },
    /// Several problems found at once (validation reports every problem it can, not only
    /// the first).
    #[error("{} problems:\n{}", .0.len(), many_list(.0))]
    Many(Vec<ArchError>),
    /// An error of the simulation engine.
    #[error(transparent)]
    Sim(#[from] sim_core::SimError),
    /// A file could not be read.
    #[error("cannot read {file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
}

fn suggestion_suffix(s: &Option<String>) -> String {
    match s {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

fn many_list(v: &[ArchError]) -> String {
    v.iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ArchError {
    /// One error, or [`ArchError::Many`] when there are several; `None` when `v` is empty.
    pub fn from_list(mut v: Vec<ArchError>) -> Option<ArchError> {
        match v.len() {
            0 => None,
            1 => v.pop(),
            _ => Some(ArchError::Many(v)),
        }
    }
}

fn list_suffix(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!("; valid: {}", v.join(", "))
    }
}
