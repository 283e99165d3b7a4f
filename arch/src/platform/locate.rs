//! Turning serde/TOML errors into errors that name the file, line, column, dotted key path
//! and the closest valid name.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::ArchError;
use crate::suggest::closest;

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let off = offset.min(text.len());
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The dotted key path of the deepest key or value whose span contains `offset`.
pub fn path_at(table: &DeTable<'_>, offset: usize) -> Vec<String> {
    let mut path = Vec::new();
    walk_table(table, offset, &mut path);
    path
}

fn walk_table(t: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (k, v) in t.iter() {
        let (ks, vs) = (k.span(), v.span());
        if ks.contains(&offset) {
            path.push(k.get_ref().to_string());
            return true;
        }
        if vs.contains(&offset) || (vs.start == offset && vs.is_empty()) {
            path.push(k.get_ref().to_string());
            walk_value(v, offset, path);
            return true;
        }
        // Tables declared by a header have a value span that may not cover their keys:
        // look inside anyway.
        if let DeValue::Table(inner) = v.get_ref() {
            let mut sub = Vec::new();
            if walk_table(inner, offset, &mut sub) {
                path.push(k.get_ref().to_string());
                path.extend(sub);
                return true;
            }
        }
    }
    false
}

fn walk_value(v: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<String>) {
    match v.get_ref() {
        DeValue::Table(t) => {
            walk_table(t, offset, path);
        }
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                if e.span().contains(&offset) {
                    path.push(i.to_string());
                    walk_value(e, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// The span of the value at `path` (dotted) in `table`, if present.
pub fn span_of(table: &DeTable<'_>, path: &str) -> Option<Range<usize>> {
    let mut cur: Option<&Spanned<DeValue<'_>>> = None;
    let mut t = table;
    for seg in path.split('.') {
        let v = t.iter().find(|(k, _)| k.get_ref() == seg).map(|(_, v)| v)?;
        cur = Some(v);
        if let DeValue::Table(inner) = v.get_ref() {
            t = inner;
        }
    }
    // Prefer the key's span for tables (their value span can be empty), else the value's.
    cur.map(|v| v.span())
}

/// The closest valid name mentioned in a serde message of the form
/// "unknown field `x`, expected one of `a`, `b`" (also "expected `a` or `b`", variants).
pub fn suggestion_in(message: &str) -> Option<String> {
    let (head, tail) = message.split_once("expected")?;
    let bad = head.split('`').nth(1)?;
    let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    closest(bad, candidates)
}

/// Where a key comes from, for messages: " (FILE line L, column C)" or " (set by an override)".
pub struct Locator<'a> {
    /// File label.
    pub file: &'a str,
    /// Original text.
    pub text: &'a str,
    /// Parsed original (for spans).
    pub spanned: &'a DeTable<'a>,
    /// Keys set by overrides.
    pub overridden: Vec<String>,
    /// The preset the file extends (`extends = "…"`), whose keys it inherits.
    pub base: Option<String>,
}

impl Locator<'_> {
    /// Whether `path` (or a table above it) was set by an override.
    pub fn is_overridden(&self, path: &str) -> bool {
        self.overridden
            .iter()
            .any(|o| o == path || path.starts_with(&format!("{o}.")))
    }

    /// Location suffix for `path`.
    pub fn at(&self, path: &str) -> String {
        if self.is_overridden(path) {
            return format!(" (in {}, set by an override)", self.file);
        }
        match span_of(self.spanned, path) {
            Some(s) => {
                let (l, c) = line_col(self.text, s.start);
                format!(" (in {} at line {l}, column {c})", self.file)
            }
            None => match &self.base {
                Some(b) => format!(" (in {}, inherited from preset {b})", self.file),
                None => format!(" (in {})", self.file),
            },
        }
    }
}

/// A TOML syntax error as an [`ArchError::Parse`].
pub fn syntax_error(file: &str, text: &str, e: &toml::de::Error) -> ArchError {
    let line_col = e.span().map(|s| line_col(text, s.start));
    let loc = line_col.map_or(String::new(), |(l, c)| format!("line {l}, column {c}: "));
    ArchError::Parse {
        file: file.to_string(),
        line_col,
        key: None,
        message: format!("{loc}{}", e.message().trim()),
        suggestion: None,
    }
}

/// A schema error (from deserialising `doc`, which is the original text or its rewrite
/// after overrides) as an [`ArchError::Parse`] located in the original text.
pub fn schema_error(loc: &Locator<'_>, doc: &str, e: &toml::de::Error) -> ArchError {
    let msg = e.message().trim().to_string();
    let doc_spanned = DeTable::parse(doc).ok();
    let path = match (&doc_spanned, e.span()) {
        (Some(t), Some(s)) => path_at(t.get_ref(), s.start),
        _ => Vec::new(),
    };
    let key = path.join(".");
    let (line_col, place) = if doc == loc.text {
        let lc = e.span().map(|s| line_col(loc.text, s.start));
        let place = lc.map_or(String::new(), |(l, c)| format!("line {l}, column {c}: "));
        (lc, place)
    } else if key.is_empty() {
        (None, String::new())
    } else if loc.is_overridden(&key) {
        (None, "set by an override: ".to_string())
    } else {
        let lc = span_of(loc.spanned, &key).map(|s| line_col(loc.text, s.start));
        let place = match (lc, &loc.base) {
            (Some((l, c)), _) => format!("line {l}, column {c}: "),
            (None, Some(b)) => format!("inherited from preset {b}: "),
            (None, None) => "set by an override: ".to_string(),
        };
        (lc, place)
    };
    let key_part = if key.is_empty() {
        String::new()
    } else {
        format!("`{key}`: ")
    };
    ArchError::Parse {
        file: loc.file.to_string(),
        line_col,
        key: (!key.is_empty()).then_some(key),
        message: format!("{place}{key_part}{msg}"),
        suggestion: suggestion_in(&msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_suggestions() {
        let text = "name = \"x\"\n[pe_array]\nrows = 4\ncols = 8\n";
        let t = DeTable::parse(text).unwrap();
        let off = text.find("cols").unwrap();
        assert_eq!(path_at(t.get_ref(), off), vec!["pe_array", "cols"]);
        assert_eq!(line_col(text, off), (4, 1));
        assert!(span_of(t.get_ref(), "pe_array.rows").is_some());
        assert_eq!(
            suggestion_in("unknown field `size_kb`, expected one of `size_kib`, `n_banks`")
                .as_deref(),
            Some("size_kib")
        );
        assert_eq!(
            suggestion_in("unknown variant `oss`, expected one of `os`, `ws`, `is`").as_deref(),
            Some("os")
        );
    }
}
