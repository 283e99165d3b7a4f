//! `--set dotted.key=value` overrides applied to a parsed TOML table before it is
//! deserialised, so every design point (CLI or sweep) is validated the same way.
//!
//! The value is parsed as a TOML value (`64`, `1.5`, `true`, `"os"`, `[1, 2]`); a bare word
//! that is not valid TOML (`os`, `HBM2e`) is taken as a string. Intermediate tables are
//! created when missing only if `create_missing` is set; otherwise an unknown key is an
//! error that suggests the closest existing key. Array elements are addressed by index
//! (`memories.1.size_kib`).
//!
//! ```
//! use arch::overrides::{apply_override, parse_assignment};
//! let mut t: toml::Table = toml::from_str("[pe_array]\nrows = 128\ncols = 128").unwrap();
//! let (k, v) = parse_assignment("pe_array.rows=64").unwrap();
//! apply_override(&mut t, &k, v, false).unwrap();
//! assert_eq!(t["pe_array"]["rows"].as_integer(), Some(64));
//! assert!(apply_override(&mut t, "pe_array.rowz", toml::Value::Integer(1), false)
//!     .unwrap_err().to_string().contains("did you mean `pe_array.rows`"));
//! ```

use toml::{Table, Value};

use crate::ArchError;
use crate::suggest::closest;

/// Splits `key=value` and parses the value (TOML syntax, else a bare string).
pub fn parse_assignment(assignment: &str) -> Result<(String, Value), ArchError> {
    let Some((k, v)) = assignment.split_once('=') else {
        return Err(ArchError::Override {
            assignment: assignment.to_string(),
            message: "expected `dotted.key=value`".into(),
            suggestion: None,
        });
    };
    let k = k.trim();
    if k.is_empty() || k.split('.').any(str::is_empty) {
        return Err(ArchError::Override {
            assignment: assignment.to_string(),
            message: "the key is empty or has an empty segment".into(),
            suggestion: None,
        });
    }
    Ok((k.to_string(), parse_value(v.trim())))
}

/// Parses `text` as a TOML value, falling back to a string.
pub fn parse_value(text: &str) -> Value {
    let doc = format!("v = {text}");
    match toml::from_str::<Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// Sets `dotted` to `value` in `table`. Without `create_missing` every segment must
/// already exist (an unknown key is an error suggesting the closest one); with it, missing
/// tables and the leaf are created.
pub fn apply_override(
    table: &mut Table,
    dotted: &str,
    value: Value,
    create_missing: bool,
) -> Result<(), ArchError> {
    let segs: Vec<&str> = dotted.split('.').collect();
    set_in_table(table, &segs, 0, value, create_missing).map_err(|(message, suggestion)| {
        ArchError::Override {
            assignment: dotted.to_string(),
            message,
            suggestion,
        }
    })
}

type SetError = (String, Option<String>);

fn set_in_table(
    t: &mut Table,
    segs: &[&str],
    i: usize,
    value: Value,
    create: bool,
) -> Result<(), SetError> {
    let seg = segs[i];
    let path = segs[..=i].join(".");
    let last = i + 1 == segs.len();
    if !t.contains_key(seg) {
        if !create {
            let sug = closest(seg, t.keys().map(String::as_str)).map(|s| {
                let mut p: Vec<&str> = segs[..i].to_vec();
                p.push(&s);
                p.join(".")
            });
            return Err((format!("no key `{path}`"), sug));
        }
        let fresh = if last {
            value.clone()
        } else {
            Value::Table(Table::new())
        };
        t.insert(seg.to_string(), fresh);
    }
    let Some(slot) = t.get_mut(seg) else {
        return Err((format!("no key `{path}`"), None));
    };
    set_in_value(slot, segs, i, value, create)
}

fn set_in_value(
    slot: &mut Value,
    segs: &[&str],
    i: usize,
    value: Value,
    create: bool,
) -> Result<(), SetError> {
    if i + 1 == segs.len() {
        *slot = value;
        return Ok(());
    }
    let path = segs[..=i].join(".");
    match slot {
        Value::Table(t) => set_in_table(t, segs, i + 1, value, create),
        Value::Array(a) => {
            let seg = segs[i + 1];
            let idx: usize = seg.parse().map_err(|_| {
                (
                    format!("`{path}` is an array: address an element by index"),
                    None,
                )
            })?;
            let len = a.len();
            let elem = a
                .get_mut(idx)
                .ok_or_else(|| (format!("`{path}` has {len} elements, no index {idx}"), None))?;
            set_in_value(elem, segs, i + 1, value, create)
        }
        _ => Err((format!("`{path}` is a value, not a table"), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn values_parse_as_toml_or_strings() {
        assert_eq!(parse_value("64"), Value::Integer(64));
        assert_eq!(parse_value("1.5"), Value::Float(1.5));
        assert_eq!(parse_value("true"), Value::Boolean(true));
        assert_eq!(parse_value("\"os\""), Value::String("os".into()));
        assert_eq!(parse_value("HBM2e"), Value::String("HBM2e".into()));
        assert!(parse_assignment("novalue").is_err());
        assert!(parse_assignment("a..b=1").is_err());
    }

    #[test]
    fn nested_tables_and_arrays() {
        let mut t =
            table("[dram]\nchannels = 8\n[[buffers]]\nsize_kib = 64\n[[buffers]]\nsize_kib = 128");
        apply_override(&mut t, "buffers.1.size_kib", Value::Integer(256), false).unwrap();
        assert_eq!(t["buffers"][1]["size_kib"].as_integer(), Some(256));
        let e = apply_override(&mut t, "buffers.2.size_kib", Value::Integer(1), false).unwrap_err();
        assert!(e.to_string().contains("no index 2"), "{e}");
        let e = apply_override(&mut t, "dram.channels.x", Value::Integer(1), false).unwrap_err();
        assert!(e.to_string().contains("is a value"), "{e}");
        let e = apply_override(&mut t, "dram.chanels", Value::Integer(1), false).unwrap_err();
        assert!(
            e.to_string().contains("did you mean `dram.channels`"),
            "{e}"
        );
        apply_override(&mut t, "new.deep.key", Value::Integer(3), true).unwrap();
        assert_eq!(t["new"]["deep"]["key"].as_integer(), Some(3));
    }
}
