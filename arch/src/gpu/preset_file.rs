//! Reading one section of a whole-platform preset file (`name`, `description`, `sources`,
//! `tech_nm`, then `[gpu]`/`[cpu]`/`[system]`) — a stop-gap until the platform loader
//! reads presets; shared by the GPU, CPU and multi-device modules.

use serde::de::DeserializeOwned;

use crate::ArchError;
use crate::suggest::closest;

/// Finds preset `name` (case-insensitive) in `list`; unknown names are an error with the
/// closest valid one, `what` naming the kind (`"GPU preset"`).
pub(crate) fn find<'a>(
    list: &'a [(&'static str, &'static str)],
    name: &str,
    what: &str,
) -> Result<&'a (&'static str, &'static str), ArchError> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .ok_or_else(|| ArchError::UnknownName {
            what: what.to_string(),
            name: name.to_string(),
            suggestion: closest(name, list.iter().map(|(n, _)| *n)),
            valid: list.iter().map(|(n, _)| n.to_string()).collect(),
        })
}

/// Parses `section` of the platform TOML `text` (from `file`) into `T`; returns the file's
/// top-level `name` with it.
pub(crate) fn section<T: DeserializeOwned>(
    text: &str,
    file: &str,
    section: &str,
) -> Result<(String, T), ArchError> {
    let parse_err = |e: toml::de::Error| ArchError::Parse {
        file: file.to_string(),
        line_col: e.span().map(|s| line_col(text, s.start)),
        key: Some(section.to_string()),
        message: e.to_string(),
        suggestion: None,
    };
    let table: toml::Table = toml::from_str(text).map_err(parse_err)?;
    let name = table
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or(file)
        .to_string();
    let value = table
        .get(section)
        .cloned()
        .ok_or_else(|| ArchError::Parse {
            file: file.to_string(),
            line_col: None,
            key: Some(section.to_string()),
            message: format!("missing section `[{section}]`"),
            suggestion: None,
        })?;
    let parsed = value.try_into::<T>().map_err(|e| ArchError::Parse {
        file: file.to_string(),
        line_col: None,
        key: Some(section.to_string()),
        message: format!("[{section}]: {}", e.message()),
        suggestion: None,
    })?;
    Ok((name, parsed))
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}
