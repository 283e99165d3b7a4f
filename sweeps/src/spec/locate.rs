//! Where in the spec text a key lives, so errors can give line, column and key path.
//!
//! The text is parsed a second time into toml's spanned tree (`toml::de::DeTable`); a key
//! path (`axis[2].linear.step`) maps to the span of its value, and a byte offset (from a
//! serde error) maps back to the deepest key path that contains it.

use std::fmt;
use std::ops::Range;

use arch::suggest::closest;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::SweepError;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A key path such as `axis[2].linear.step`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn key(&self, k: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

/// Builds a key path from `"axis"`, `2`, `"linear"`… with [`KeyPath::key`]/[`KeyPath::index`].
pub(crate) fn path(k: &str) -> KeyPath {
    KeyPath::default().key(k)
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) if k.contains('.') => write!(f, ".\"{k}\"")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The spec text with its spanned tree, for locating keys.
pub(crate) struct Locator<'a> {
    file: String,
    text: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    pub fn new(file: &str, text: &'a str) -> Self {
        Locator {
            file: file.to_string(),
            text,
            root: DeTable::parse(text).ok(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// The span of the value at `path`, if it exists in the text.
    pub fn span_of(&self, path: &KeyPath) -> Option<Range<usize>> {
        let root = self.root.as_ref()?;
        let mut table: &DeTable<'_> = root.get_ref();
        let mut current: Option<&Spanned<DeValue<'_>>> = None;
        for seg in &path.0 {
            let next = match (seg, current.map(Spanned::get_ref)) {
                (Seg::Key(k), None) => table.iter().find(|(kk, _)| kk.get_ref() == k)?.1,
                (Seg::Key(k), Some(DeValue::Table(t))) => {
                    table = t;
                    table.iter().find(|(kk, _)| kk.get_ref() == k)?.1
                }
                (Seg::Index(i), Some(DeValue::Array(a))) => a.get(*i)?,
                _ => return None,
            };
            current = Some(next);
        }
        current.map(Spanned::span)
    }

    /// The deepest key path whose key or value contains `offset`.
    pub fn path_at(&self, offset: usize) -> Option<KeyPath> {
        let root = self.root.as_ref()?;
        let mut found = KeyPath::default();
        walk_table(root.get_ref(), offset, &mut found).then_some(found)
    }

    /// A spec error at `path`, located when the key is in the text.
    pub fn error(&self, path: &KeyPath, message: impl Into<String>) -> SweepError {
        self.error_suggest(path, message, None)
    }

    /// A spec error at `path` with a suggestion.
    pub fn error_suggest(
        &self,
        path: &KeyPath,
        message: impl Into<String>,
        suggestion: Option<String>,
    ) -> SweepError {
        SweepError::Spec {
            file: self.file.clone(),
            line_col: self.span_of(path).map(|s| self.line_col(s.start)),
            key: Some(path.to_string()),
            message: message.into(),
            suggestion,
        }
    }

    /// Turns a toml/serde error into a located spec error with a suggestion for unknown
    /// fields and variants.
    pub fn toml_error(&self, e: &toml::de::Error) -> SweepError {
        let span = e.span();
        let message = e.message().trim_end().to_string();
        SweepError::Spec {
            file: self.file.clone(),
            line_col: span.as_ref().map(|s| self.line_col(s.start)),
            key: span
                .as_ref()
                .and_then(|s| self.path_at(s.start))
                .map(|p| p.to_string()),
            suggestion: suggest_from_message(&message),
            message,
        }
    }
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// Depth-first search for the deepest key whose key or value span contains `offset`
/// (headers of `[[axis]]` tables span only the header, so every child is searched).
fn walk_table(t: &DeTable<'_>, offset: usize, found: &mut KeyPath) -> bool {
    for (k, v) in t {
        found.0.push(Seg::Key(k.get_ref().to_string()));
        if walk_value(v.get_ref(), offset, found)
            || contains(&k.span(), offset)
            || contains(&v.span(), offset)
        {
            return true;
        }
        found.0.pop();
    }
    false
}

fn walk_value(v: &DeValue<'_>, offset: usize, found: &mut KeyPath) -> bool {
    match v {
        DeValue::Table(t) => walk_table(t, offset, found),
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                found.0.push(Seg::Index(i));
                if walk_value(e.get_ref(), offset, found) || contains(&e.span(), offset) {
                    return true;
                }
                found.0.pop();
            }
            false
        }
        _ => false,
    }
}

/// Extracts the unknown name and the expected ones from serde's "unknown field `x`,
/// expected one of `a`, `b`" (or "unknown variant") and suggests the closest.
fn suggest_from_message(message: &str) -> Option<String> {
    let rest = message
        .split_once("unknown field `")
        .or_else(|| message.split_once("unknown variant `"))?
        .1;
    let (name, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    closest(name, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_from_serde_message() {
        let m = "unknown field `metric`, expected one of `name`, `seed`, `metrics`";
        assert_eq!(suggest_from_message(m).as_deref(), Some("metrics"));
        assert_eq!(suggest_from_message("missing field `base`"), None);
    }

    #[test]
    fn paths_and_spans() {
        let text = "seed = 1\n[[axis]]\nkey = \"a\"\n[[axis]]\nkey = \"b\"\nlinear = { start = 1, stop = 2 }\n";
        let loc = Locator::new("s.toml", text);
        let p = path("axis").index(1).key("linear").key("stop");
        let span = loc.span_of(&p).unwrap();
        assert_eq!(&text[span.clone()], "2");
        // `linear = { start = 1, stop = ` is 29 characters.
        assert_eq!(loc.line_col(span.start), (6, 30));
        assert_eq!(
            loc.path_at(span.start).unwrap().to_string(),
            "axis[1].linear.stop"
        );
    }
}
