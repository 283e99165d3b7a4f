//! One axis: its key checked, its values expanded (lists, linear and geometric ranges) or,
//! for sampling, its domain (a list or a continuous interval) with a map from a uniform
//! `u ∈ [0, 1)` to a value.
//!
//! Integers stay integers: a range whose bounds (and step or factor) are all integers
//! gives integers; any float gives floats. Float range values are computed from the index
//! (`start + i·step`, `start·factorⁱ`), never accumulated, and snapped to 12 significant
//! digits so `0.1 + 2·0.1` is written `0.3`.

use arch::suggest::closest;
use toml::Value;

use super::locate::{KeyPath, Locator};
use super::raw::{RawAxis, RawGeometric, RawLinear};
use crate::SweepError;

/// Most values one axis may expand to (a tiny step is more likely a typo than a wish).
pub(crate) const MAX_AXIS_VALUES: usize = 10_000_000;

/// A checked axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AxisDef {
    /// `arch`, `arch.<dotted>` or `workload.<dotted>`.
    pub key: String,
    /// Its values.
    pub domain: Domain,
}

/// The values of an axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Domain {
    /// A finite list (explicit, or a range with a step, factor or count).
    List(Vec<Value>),
    /// A continuous interval `[lo, hi]` (sampling only); integers when `int`.
    Linear { lo: f64, hi: f64, int: bool },
    /// A continuous interval sampled log-uniformly (sampling only); integers when `int`.
    Log { lo: f64, hi: f64, int: bool },
}

impl Domain {
    /// The value at uniform coordinate `u ∈ [0, 1)`: a list is cut into equal strata, one
    /// per element; an integer interval `[lo, hi]` into `hi − lo + 1` strata.
    pub fn pick(&self, u: f64) -> Value {
        match self {
            Domain::List(v) => {
                let i = ((u * v.len() as f64) as usize).min(v.len().saturating_sub(1));
                v.get(i).cloned().unwrap_or(Value::Integer(0))
            }
            Domain::Linear { lo, hi, int: true } => {
                let k = (u * (hi - lo + 1.0)).floor().min(hi - lo);
                Value::Integer((lo + k) as i64)
            }
            Domain::Linear { lo, hi, int: false } => Value::Float(lo + u * (hi - lo)),
            Domain::Log { lo, hi, int } => {
                let x = (lo.ln() + u * (hi.ln() - lo.ln())).exp();
                if *int {
                    Value::Integer(x.round().clamp(*lo, *hi) as i64)
                } else {
                    Value::Float(x.clamp(*lo, *hi))
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Integer(i) => Some(Num::I(*i)),
        Value::Float(f) if f.is_finite() => Some(Num::F(*f)),
        _ => None,
    }
}

/// Rounds to 12 significant digits (exactly, through the decimal text).
fn snap(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Checks an axis key: `arch`, `arch.<dotted>` or `workload.<dotted>`.
pub(crate) fn check_key(loc: &Locator<'_>, path: &KeyPath, key: &str) -> Result<(), SweepError> {
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    let ok_head = head == "arch" || head == "workload";
    let segments_ok = !rest.is_empty() && !rest.split('.').any(str::is_empty);
    if key == "arch" || (ok_head && segments_ok) {
        return Ok(());
    }
    if ok_head {
        let message = if head == "workload" && rest.is_empty() {
            "`workload` alone cannot be an axis: sweep its keys (`workload.model`, \
             `workload.batch`…)"
                .to_string()
        } else {
            format!("`{key}` has an empty key segment")
        };
        return Err(loc.error(path, message));
    }
    let suggestion = closest(head, ["arch", "workload"]).map(|h| {
        if rest.is_empty() {
            h
        } else {
            format!("{h}.{rest}")
        }
    });
    Err(loc.error_suggest(
        path,
        format!("axis key `{key}` must be `arch`, `arch.<key>` or `workload.<key>`"),
        suggestion,
    ))
}

/// Parses an axis. `continuous_ok`: ranges without step/count are allowed (sampling).
pub(crate) fn parse_axis(
    loc: &Locator<'_>,
    path: &KeyPath,
    raw: &RawAxis,
    continuous_ok: bool,
) -> Result<AxisDef, SweepError> {
    check_key(loc, &path.key("key"), &raw.key)?;
    let given = [
        raw.values.is_some(),
        raw.linear.is_some(),
        raw.geometric.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(loc.error(
            path,
            format!(
                "axis `{}` needs exactly one of `values`, `linear`, `geometric`",
                raw.key
            ),
        ));
    }
    let domain = if let Some(v) = &raw.values {
        if v.is_empty() {
            return Err(loc.error(&path.key("values"), "the list of values is empty"));
        }
        Domain::List(v.clone())
    } else if let Some(l) = &raw.linear {
        linear(loc, &path.key("linear"), l, continuous_ok)?
    } else if let Some(g) = &raw.geometric {
        geometric(loc, &path.key("geometric"), g, continuous_ok)?
    } else {
        return Err(loc.error(path, "missing values"));
    };
    if raw.key == "arch" {
        let strings = match &domain {
            Domain::List(v) => v.iter().all(Value::is_str),
            _ => false,
        };
        if !strings {
            return Err(loc.error(
                path,
                "the `arch` axis lists preset names or file paths (strings)",
            ));
        }
    }
    Ok(AxisDef {
        key: raw.key.clone(),
        domain,
    })
}

fn bounds(
    loc: &Locator<'_>,
    path: &KeyPath,
    start: &Value,
    stop: &Value,
) -> Result<(Num, Num), SweepError> {
    let s = num(start).ok_or_else(|| loc.error(&path.key("start"), "expected a number"))?;
    let e = num(stop).ok_or_else(|| loc.error(&path.key("stop"), "expected a number"))?;
    Ok((s, e))
}

fn too_many(loc: &Locator<'_>, path: &KeyPath, n: f64) -> Result<(), SweepError> {
    if n > MAX_AXIS_VALUES as f64 {
        return Err(loc.error(
            path,
            format!("the range has {n:.0} values, more than {MAX_AXIS_VALUES}: check the step"),
        ));
    }
    Ok(())
}

fn no_duplicates(loc: &Locator<'_>, path: &KeyPath, v: &[Value]) -> Result<(), SweepError> {
    if v.windows(2).any(|w| w[0] == w[1]) {
        return Err(loc.error(
            &path.key("count"),
            "integer bounds with this count give repeated values: lower `count` or use \
             float bounds",
        ));
    }
    Ok(())
}

fn linear(
    loc: &Locator<'_>,
    path: &KeyPath,
    r: &RawLinear,
    continuous_ok: bool,
) -> Result<Domain, SweepError> {
    let (s, e) = bounds(loc, path, &r.start, &r.stop)?;
    let ints = matches!((s, e), (Num::I(_), Num::I(_)));
    match (&r.step, r.count) {
        (Some(_), Some(_)) => Err(loc.error(path, "give `step` or `count`, not both")),
        (None, None) if continuous_ok => {
            let (lo, hi) = (s.f().min(e.f()), s.f().max(e.f()));
            Ok(Domain::Linear { lo, hi, int: ints })
        }
        (None, None) => Err(loc.error(
            path,
            "a grid range needs `step` or `count` (a range without them is for `[sample]`)",
        )),
        (Some(step), None) => {
            let sp = path.key("step");
            let st = num(step).ok_or_else(|| loc.error(&sp, "expected a number"))?;
            let span = e.f() - s.f();
            if st.f() == 0.0 || (span != 0.0 && span.signum() != st.f().signum()) {
                return Err(loc.error(
                    &sp,
                    "the step must be non-zero and lead from `start` towards `stop`",
                ));
            }
            match (s, e, st) {
                (Num::I(a), Num::I(b), Num::I(d)) => {
                    let (a, b, d) = (i128::from(a), i128::from(b), i128::from(d));
                    let n = (b - a) / d + 1;
                    too_many(loc, path, n as f64)?;
                    // Every value lies between `start` and `stop`, so it fits an i64.
                    let v = (0..n).map(|i| Value::Integer((a + i * d) as i64));
                    Ok(Domain::List(v.collect()))
                }
                _ => {
                    let n = (span / st.f() + 1e-9).floor() + 1.0;
                    too_many(loc, path, n)?;
                    let v = (0..n as u64)
                        .map(|i| Value::Float(snap(s.f() + i as f64 * st.f())))
                        .collect();
                    Ok(Domain::List(v))
                }
            }
        }
        (None, Some(count)) => {
            too_many(loc, path, count as f64)?;
            if count == 0 {
                return Err(loc.error(&path.key("count"), "the count must be at least 1"));
            }
            let frac = |i: u64| {
                if count == 1 {
                    0.0
                } else {
                    i as f64 / (count - 1) as f64
                }
            };
            let v: Vec<Value> = match (s, e) {
                (Num::I(a), Num::I(b)) => (0..count)
                    .map(|i| Value::Integer(a + (frac(i) * (b - a) as f64).round() as i64))
                    .collect(),
                _ => (0..count)
                    .map(|i| Value::Float(snap(s.f() + frac(i) * (e.f() - s.f()))))
                    .collect(),
            };
            no_duplicates(loc, path, &v)?;
            Ok(Domain::List(v))
        }
    }
}

fn geometric(
    loc: &Locator<'_>,
    path: &KeyPath,
    r: &RawGeometric,
    continuous_ok: bool,
) -> Result<Domain, SweepError> {
    let (s, e) = bounds(loc, path, &r.start, &r.stop)?;
    if s.f() <= 0.0 || e.f() <= 0.0 {
        return Err(loc.error(path, "a geometric range needs `start` and `stop` > 0"));
    }
    let ints = matches!((s, e), (Num::I(_), Num::I(_)));
    match (&r.factor, r.count) {
        (Some(_), Some(_)) => Err(loc.error(path, "give `factor` or `count`, not both")),
        (None, None) if continuous_ok => {
            let (lo, hi) = (s.f().min(e.f()), s.f().max(e.f()));
            Ok(Domain::Log { lo, hi, int: ints })
        }
        (None, None) => Err(loc.error(
            path,
            "a grid range needs `factor` or `count` (a range without them is for `[sample]`)",
        )),
        (Some(factor), None) => {
            let fp = path.key("factor");
            let f = num(factor).ok_or_else(|| loc.error(&fp, "expected a number"))?;
            let up = e.f() >= s.f();
            if f.f() <= 0.0 || f.f() == 1.0 || (e.f() != s.f() && (f.f() > 1.0) != up) {
                return Err(loc.error(
                    &fp,
                    "the factor must be positive, not 1, and lead from `start` towards `stop`",
                ));
            }
            let n = ((e.f() / s.f()).ln() / f.f().ln() + 1e-9).floor() + 1.0;
            too_many(loc, path, n)?;
            let v = match (s, f) {
                (Num::I(a), Num::I(k)) if ints => (0..n as u32)
                    .map_while(|i| k.checked_pow(i).and_then(|p| a.checked_mul(p)))
                    .map(Value::Integer)
                    .collect(),
                _ => (0..n as i32)
                    .map(|i| Value::Float(snap(s.f() * f.f().powi(i))))
                    .collect(),
            };
            Ok(Domain::List(v))
        }
        (None, Some(count)) => {
            too_many(loc, path, count as f64)?;
            if count == 0 {
                return Err(loc.error(&path.key("count"), "the count must be at least 1"));
            }
            let at = |i: u64| {
                if i + 1 == count && count > 1 {
                    e.f()
                } else if count == 1 {
                    s.f()
                } else {
                    s.f() * (e.f() / s.f()).powf(i as f64 / (count - 1) as f64)
                }
            };
            let v: Vec<Value> = if ints {
                (0..count)
                    .map(|i| Value::Integer(at(i).round() as i64))
                    .collect()
            } else {
                (0..count).map(|i| Value::Float(snap(at(i)))).collect()
            };
            no_duplicates(loc, path, &v)?;
            Ok(Domain::List(v))
        }
    }
}
