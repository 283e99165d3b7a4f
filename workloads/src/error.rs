//! Errors of model configs, workload descriptions and transforms.

use thiserror::Error;

/// A problem with a model config, a workload description or a transform.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum WorkloadError {
    /// A config file could not be read.
    #[error("cannot read {file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
    /// A config is not valid JSON or lacks a required field (serde's message names it).
    /// Fix the file; HuggingFace `config.json` field names are expected.
    #[error("{file}: {message}")]
    Parse {
        /// The file (or `<shipped NAME>`).
        file: String,
        /// What went wrong, with line and column.
        message: String,
    },
    /// A config field has an impossible value (zero heads, heads not dividing the hidden
    /// size, …). Fix the named field.
    #[error("{file}: {key}: {message}")]
    Config {
        /// The file.
        file: String,
        /// The field (dotted path for nested configs).
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// An unknown model name; use one of the shipped names or a path to a `config.json`.
    #[error("unknown model `{name}`{}; valid: {}", suggestion_suffix(.suggestion), .valid.join(", "))]
    UnknownModel {
        /// The name given.
        name: String,
        /// The closest shipped name.
        suggestion: Option<String>,
        /// All shipped names.
        valid: Vec<String>,
    },
    /// A workload or transform parameter is out of range (batch 0, a ratio outside
    /// [0, 1), …).
    #[error("{what}: {message}")]
    Invalid {
        /// The parameter.
        what: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A transform does not apply to this model or graph (token reduction on a model
    /// without vision tokens, a transform applied twice, …).
    #[error("{transform} does not apply to {model}: {reason}")]
    Unsupported {
        /// The transform.
        transform: String,
        /// The model.
        model: String,
        /// Why.
        reason: String,
    },
}

fn suggestion_suffix(s: &Option<String>) -> String {
    match s {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// Result with a [`WorkloadError`].
pub type Result<T> = std::result::Result<T, WorkloadError>;

pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> WorkloadError {
    WorkloadError::Invalid {
        what: what.into(),
        message: message.into(),
    }
}
