//! Pareto fronts: the points no other point dominates.
//!
//! Point `q` dominates `p` when `q` is at least as good in every objective and strictly
//! better in one. Equal points do not dominate each other (both stay on the front). A point
//! with a NaN objective is never on the front and dominates nothing.
//!
//! Two objectives: sort by the first (then the second), sweep keeping the best second
//! value seen so far — O(n log n). More objectives: sort lexicographically (a dominator
//! always sorts before what it dominates) and test each point against the front found so
//! far — O(n·f·k) for a front of `f` points, exact for any `k`.
//!
//! ```
//! use sweeps::pareto::front;
//! use sweeps::Sense::{Maximize, Minimize};
//! // (latency_s, tokens_per_j): (3, 1) is dominated by (2, 2).
//! let pts = vec![vec![1.0, 1.0], vec![2.0, 2.0], vec![3.0, 1.0]];
//! assert_eq!(front(&pts, &[Minimize, Maximize]), [true, true, false]);
//! ```

use std::cmp::Ordering;
use std::path::Path;

use crate::SweepError;
use crate::results::{Row, Status, parse_lines, render, write_atomically};
use crate::spec::{Sense, Spec};

/// Which points are on the Pareto front (`result[i]` for `points[i]`). Each point has
/// one value per objective, `senses[j]` says whether objective `j` is minimised or
/// maximised. Points shorter than `senses` are treated as having NaN objectives.
pub fn front(points: &[Vec<f64>], senses: &[Sense]) -> Vec<bool> {
    let k = senses.len();
    // Everything as "smaller is better".
    let keys: Vec<Option<Vec<f64>>> = points
        .iter()
        .map(|p| {
            if p.len() < k || p[..k].iter().any(|x| x.is_nan()) {
                return None;
            }
            Some(
                p.iter()
                    .zip(senses)
                    .map(|(x, s)| if *s == Sense::Maximize { -x } else { *x })
                    .collect(),
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..points.len()).filter(|i| keys[*i].is_some()).collect();
    let key = |i: usize| keys[i].as_deref().unwrap_or(&[]);
    order.sort_by(|a, b| lex(key(*a), key(*b)).then(a.cmp(b)));
    let mut on = vec![false; points.len()];
    match k {
        0 => order.iter().for_each(|i| on[*i] = true),
        1 => {
            if let Some(best) = order.first().map(|i| key(*i)[0]) {
                order
                    .iter()
                    .filter(|i| key(**i)[0] == best)
                    .for_each(|i| on[*i] = true);
            }
        }
        2 => front2(&order, &key, &mut on),
        _ => {
            let mut found: Vec<usize> = Vec::new();
            for &i in &order {
                if !found.iter().any(|&f| dominates(key(f), key(i))) {
                    found.push(i);
                    on[i] = true;
                }
            }
        }
    }
    on
}

fn lex(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.partial_cmp(y).unwrap_or(Ordering::Equal))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Whether `a` dominates `b` (minimising every coordinate).
fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

fn front2<'a>(order: &[usize], key: &dyn Fn(usize) -> &'a [f64], on: &mut [bool]) {
    // Groups of equal first objective, each sorted by the second: the group's first
    // point(s) are on the front iff their second value beats every earlier group's.
    let mut best: Option<f64> = None;
    let mut g = 0;
    while g < order.len() {
        let a = key(order[g])[0];
        let mut end = g;
        while end < order.len() && key(order[end])[0] == a {
            end += 1;
        }
        let b0 = key(order[g])[1];
        if best.is_none_or(|b| b0 < b) {
            for &i in &order[g..end] {
                if key(i)[1] == b0 {
                    on[i] = true;
                }
            }
            best = Some(b0);
        }
        g = end;
    }
}

/// Writes `pareto.csv` (rows with status `ok` on the front of the spec's objectives) into
/// `dir`; nothing when the spec has no objectives.
pub(crate) fn write_pareto(
    spec: &Spec,
    header: &[String],
    rows: &[&Row],
    dir: &Path,
) -> Result<(), SweepError> {
    let objectives = spec.objectives();
    if objectives.is_empty() {
        return Ok(());
    }
    let cols: Vec<usize> = objectives
        .iter()
        .filter_map(|o| header.iter().position(|h| *h == o.metric))
        .collect();
    let senses: Vec<Sense> = objectives.iter().map(|o| o.sense).collect();
    let ok: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.status == Status::Ok)
        .collect();
    let text: String = ok.iter().map(|r| r.line.as_str()).collect();
    let points: Vec<Vec<f64>> = parse_lines(&text)
        .iter()
        .map(|cells| {
            cols.iter()
                .map(|c| {
                    cells
                        .get(*c)
                        .and_then(|x| x.parse().ok())
                        .unwrap_or(f64::NAN)
                })
                .collect()
        })
        .collect();
    let on = front(&points, &senses);
    let chosen: Vec<&Row> = ok
        .iter()
        .zip(on)
        .filter(|(_, o)| *o)
        .map(|(r, _)| *r)
        .collect();
    write_atomically(&dir.join("pareto.csv"), &render(header, &chosen))
}
