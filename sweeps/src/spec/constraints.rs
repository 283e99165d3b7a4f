//! Constraints compiled against the spec: each variable of an expression is bound once to
//! an axis column, a constant from `[base]`, or (metric constraints) a metric.

use arch::suggest::closest;
use toml::{Table, Value};

use super::locate::{KeyPath, Locator};
use crate::SweepError;
use crate::expr::Expr;

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Axis(usize),
    Const(f64),
    Metric(usize),
}

/// A parsed constraint with its variables bound.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compiled {
    expr: Expr,
    slots: Vec<Slot>,
}

/// The names a constraint may use.
pub(crate) struct Scope<'a> {
    /// Axis columns.
    pub axes: &'a [String],
    /// `arch.<key>` constants from `[base.arch_set]`.
    pub arch_set: &'a [(String, Value)],
    /// The base workload (its leaves are `workload.<dotted>` constants).
    pub workload: &'a Table,
    /// Metric names (metric constraints only).
    pub metrics: &'a [String],
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Boolean(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn workload_leaf<'t>(t: &'t Table, dotted: &str) -> Option<&'t Value> {
    let mut segs = dotted.split('.');
    let mut v = t.get(segs.next()?)?;
    for s in segs {
        v = v.as_table()?.get(s)?;
    }
    Some(v)
}

fn leaf_names(prefix: &str, t: &Table, out: &mut Vec<String>) {
    for (k, v) in t {
        let name = format!("{prefix}.{k}");
        match v {
            Value::Table(inner) => leaf_names(&name, inner, out),
            _ => out.push(name),
        }
    }
}

impl Scope<'_> {
    fn bind(&self, name: &str) -> Result<Slot, String> {
        if let Some(i) = self.axes.iter().position(|a| a == name) {
            return Ok(Slot::Axis(i));
        }
        if let Some(i) = self.metrics.iter().position(|m| m == name) {
            return Ok(Slot::Metric(i));
        }
        let constant = if let Some(k) = name.strip_prefix("arch.") {
            self.arch_set.iter().find(|(a, _)| a == k).map(|(_, v)| v)
        } else if let Some(k) = name.strip_prefix("workload.") {
            workload_leaf(self.workload, k)
        } else {
            None
        };
        match constant {
            Some(v) => number(v)
                .map(Slot::Const)
                .ok_or_else(|| format!("`{name}` is not a number ({})", v.type_str())),
            None => Err(String::new()),
        }
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.axes.to_vec();
        names.extend(self.metrics.iter().cloned());
        names.extend(self.arch_set.iter().map(|(k, _)| format!("arch.{k}")));
        leaf_names("workload", self.workload, &mut names);
        names
    }
}

/// Parses and binds constraint `text` found at `path`.
pub(crate) fn compile(
    loc: &Locator<'_>,
    path: &KeyPath,
    text: &str,
    scope: &Scope<'_>,
) -> Result<Compiled, SweepError> {
    let snippet = |column: usize, message: &str| {
        let caret = " ".repeat(column.saturating_sub(1));
        format!("{message} at column {column} of\n    {text}\n    {caret}^")
    };
    let expr = Expr::parse_condition(text)
        .map_err(|e| loc.error_suggest(path, snippet(e.column, &e.message), e.suggestion))?;
    let mut slots = Vec::new();
    for (i, name) in expr.variables().iter().enumerate() {
        let col = expr.variable_column(i);
        match scope.bind(name) {
            Ok(s) => slots.push(s),
            Err(why) if !why.is_empty() => return Err(loc.error(path, snippet(col, &why))),
            Err(_) => {
                let names = scope.names();
                let hint = if name.starts_with("arch.") {
                    "; constraints see axis values and `[base]` values, not the architecture \
                     file: add the key to `[base.arch_set]`"
                } else if scope.metrics.is_empty() {
                    "; constraints see axis values and `[base]` values (metrics go in \
                     `metric_constraints`)"
                } else {
                    ""
                };
                return Err(loc.error_suggest(
                    path,
                    snippet(col, &format!("unknown name `{name}`{hint}")),
                    closest(name, names.iter().map(String::as_str)),
                ));
            }
        }
    }
    Ok(Compiled { expr, slots })
}

impl Compiled {
    /// The constraint as written.
    pub fn text(&self) -> &str {
        self.expr.text()
    }

    /// Whether the constraint holds for axis values `axes` (and `metrics`, for metric
    /// constraints). An axis value that is not a number is an error.
    pub fn holds(&self, axes: &[&Value], metrics: &[f64]) -> Result<bool, String> {
        let var = |i: usize| -> Result<f64, String> {
            match self.slots.get(i) {
                Some(Slot::Const(c)) => Ok(*c),
                Some(Slot::Metric(m)) => metrics
                    .get(*m)
                    .copied()
                    .ok_or_else(|| "metric missing".to_string()),
                Some(Slot::Axis(a)) => {
                    let v = axes.get(*a).ok_or_else(|| "axis missing".to_string())?;
                    number(v).ok_or_else(|| {
                        format!(
                            "constraint `{}`: `{}` is not a number here ({v})",
                            self.text(),
                            self.expr.variables()[i]
                        )
                    })
                }
                None => Err("unbound variable".to_string()),
            }
        };
        self.expr.eval_bool(&var)
    }
}
