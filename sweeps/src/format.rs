//! How numbers and values are written in result cells: exact and the same on every
//! machine.
//!
//! A float is written as the shortest decimal that parses back to the same `f64` (Rust's
//! `{}`), switching to scientific notation (`{:e}`, also shortest round-trip) outside
//! `[1e-5, 1e16)` so tiny and huge values stay short: `0.25`, `1e-12`, `3.5e20`. `NaN`,
//! `inf` and `-inf` are written so (pandas reads them). Integers as integers, strings
//! as they are, booleans `true`/`false`, arrays and tables as inline TOML.

use toml::Value;

/// Writes `x` exactly (see the module docs).
///
/// ```
/// use sweeps::format::fmt_f64;
/// assert_eq!(fmt_f64(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(fmt_f64(1e-12), "1e-12");
/// assert_eq!(fmt_f64(2.0), "2");
/// assert_eq!(fmt_f64(f64::INFINITY), "inf");
/// ```
pub fn fmt_f64(x: f64) -> String {
    let a = x.abs();
    if x.is_nan() {
        "NaN".to_string()
    } else if a == 0.0 || a.is_infinite() || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Writes a TOML value as one cell.
pub fn fmt_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => fmt_f64(*f),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) | Value::Table(_) => v.to_string(),
    }
}

/// Makes a message fit on one CSV line: line breaks become ` | `, so every result row is
/// one physical line (which lets a resumed run drop a half-written last line).
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}
