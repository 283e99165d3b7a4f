//! Reading the workload table of a sweep point: every key checked against the keys its
//! kind takes (an unknown key is an error naming the closest valid one), values typed.

use arch::suggest::closest;
use toml::{Table, Value};

/// A workload table (or a sub-table of it) with the keys it may hold.
pub struct Keys<'a> {
    table: &'a Table,
    /// Dotted path of this table inside the point (`workload`, `workload.quant`).
    path: String,
}

impl<'a> Keys<'a> {
    /// Checks that every key of `table` is in `allowed`; `what` names the table's kind in
    /// the message ("a gemm kernel").
    pub fn new(
        table: &'a Table,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Result<Keys<'a>, String> {
        for key in table.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = closest(key, allowed.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "{path}.{key}: not a key of {what}{hint}; valid keys: {}",
                    allowed.join(", ")
                ));
            }
        }
        Ok(Keys {
            table,
            path: path.to_string(),
        })
    }

    fn name(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The raw value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.table.get(key)
    }

    /// A string, if set.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(format!(
                "{}: expected a string, found {} `{v}`",
                self.name(key),
                v.type_str()
            )),
        }
    }

    /// A string that must be set.
    pub fn req_str(&self, key: &str, expected: &str) -> Result<&'a str, String> {
        self.str(key)?
            .ok_or_else(|| format!("{}: missing; expected {expected}", self.name(key)))
    }

    /// A positive integer (≥ `min`), if set. Floats with an integer value are accepted
    /// (a `linear` axis over floats may produce `64.0`).
    pub fn uint(&self, key: &str, min: u64) -> Result<Option<u64>, String> {
        let Some(v) = self.table.get(key) else {
            return Ok(None);
        };
        let n = match v {
            Value::Integer(i) if *i >= 0 => Some(*i as u64),
            Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15 => Some(*f as u64),
            _ => None,
        };
        match n {
            Some(n) if n >= min => Ok(Some(n)),
            _ => Err(format!(
                "{}: expected an integer ≥ {min}, found `{v}`",
                self.name(key)
            )),
        }
    }

    /// A positive integer that must be set.
    pub fn req_uint(&self, key: &str, min: u64) -> Result<u64, String> {
        self.uint(key, min)?
            .ok_or_else(|| format!("{}: missing; expected an integer ≥ {min}", self.name(key)))
    }

    /// A number in `[lo, hi)`, if set.
    pub fn fraction(&self, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, String> {
        let Some(v) = self.table.get(key) else {
            return Ok(None);
        };
        let x = match v {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            _ => f64::NAN,
        };
        if x >= lo && x < hi {
            Ok(Some(x))
        } else {
            Err(format!(
                "{}: expected a number in [{lo}, {hi}), found `{v}`",
                self.name(key)
            ))
        }
    }

    /// A boolean, if set.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(format!(
                "{}: expected true or false, found `{v}`",
                self.name(key)
            )),
        }
    }

    /// A sub-table, checked against `allowed`, if set.
    pub fn table(
        &self,
        key: &str,
        what: &str,
        allowed: &[&str],
    ) -> Result<Option<Keys<'a>>, String> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Keys::new(t, &self.name(key), what, allowed).map(Some),
            Some(v) => Err(format!(
                "{}: expected a table ({}), found `{v}`",
                self.name(key),
                allowed.join(", ")
            )),
        }
    }

    /// One of `choices`, if set; a wrong word names the closest.
    pub fn choice(
        &self,
        key: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>, String> {
        let Some(s) = self.str(key)? else {
            return Ok(None);
        };
        if let Some(c) = choices.iter().find(|c| c.eq_ignore_ascii_case(s)) {
            return Ok(Some(c));
        }
        let hint = closest(s, choices.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        Err(format!(
            "{}: `{s}` is not one of {}{hint}",
            self.name(key),
            choices.join(", ")
        ))
    }
}
