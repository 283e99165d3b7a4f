//! The set of points: a product of factors, decoded from a point id without storing the
//! product.
//!
//! Each grid axis is one factor; each `[[zip]]` group is one factor whose rows hold one
//! value per axis of the group; `[sample]` is one factor of `n` drawn rows. The points are
//! the Cartesian product of the factors in the order written (grid axes, then zip groups,
//! then the sample), the first factor varying slowest — nested loops in reading order.
//! Point id `k` is the `k`-th element of that product (mixed-radix decoding), so ids are
//! dense, stable and the same for the same spec.
//!
//! Sampling uses `Xoshiro256PlusPlus` seeded with the sample seed. Random: point `j`,
//! axis `d` takes `u = next()`. Latin hypercube: for each axis a random permutation `πd`
//! of `0..n` (Fisher–Yates), then `u = (πd(j) + r) / n` with `r` uniform — so every one of
//! the `n` equal strata of each axis holds exactly one point. `u ∈ [0, 1)` maps to a value
//! through [`Domain::pick`]. A uniform float is `(next_u64 >> 11)·2⁻⁵³`.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};
use toml::Value;

use super::axes::{AxisDef, Domain};
use super::raw::SampleMethod;

/// One factor of the product: some axis columns and the rows of values they take.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Factor {
    /// Rows; each holds one value per axis of the factor.
    pub rows: Vec<Vec<Value>>,
}

/// All factors, with the axis columns in factor order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Design {
    /// Axis keys, one per column, in factor order.
    pub columns: Vec<String>,
    /// The factors.
    pub factors: Vec<Factor>,
    /// Number of points (product of the factor lengths).
    pub n_points: u64,
}

impl Design {
    /// Appends a factor; returns false if the point count overflows `u64`.
    pub fn push(&mut self, keys: Vec<String>, rows: Vec<Vec<Value>>) -> bool {
        let n = if self.factors.is_empty() {
            Some(rows.len() as u64)
        } else {
            self.n_points.checked_mul(rows.len() as u64)
        };
        let Some(n) = n else { return false };
        self.n_points = n;
        self.columns.extend(keys);
        self.factors.push(Factor { rows });
        true
    }

    /// The axis values of point `id` (`id < n_points`), one per column.
    pub fn values(&self, id: u64) -> Vec<&Value> {
        let mut picks = vec![0usize; self.factors.len()];
        let mut rest = id;
        for (f, pick) in self.factors.iter().zip(picks.iter_mut()).rev() {
            let len = f.rows.len().max(1) as u64;
            *pick = (rest % len) as usize;
            rest /= len;
        }
        self.factors
            .iter()
            .zip(picks)
            .flat_map(|(f, i)| f.rows.get(i).into_iter().flatten())
            .collect()
    }
}

/// The rows of a grid axis (its list, one value per row).
pub(crate) fn grid_rows(axis: &AxisDef) -> Vec<Vec<Value>> {
    match &axis.domain {
        Domain::List(v) => v.iter().map(|x| vec![x.clone()]).collect(),
        // Checked earlier: grid axes are lists.
        _ => Vec::new(),
    }
}

/// The rows of a zip group: row `i` holds the `i`-th value of every axis.
pub(crate) fn zip_rows(axes: &[AxisDef]) -> Vec<Vec<Value>> {
    let lists: Vec<&Vec<Value>> = axes
        .iter()
        .filter_map(|a| match &a.domain {
            Domain::List(v) => Some(v),
            _ => None,
        })
        .collect();
    let n = lists.first().map_or(0, |l| l.len());
    (0..n)
        .map(|i| lists.iter().filter_map(|l| l.get(i).cloned()).collect())
        .collect()
}

fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `n` sampled rows over `axes` (one value per axis per row).
pub(crate) fn sample_rows(
    method: SampleMethod,
    n: u64,
    seed: u64,
    axes: &[AxisDef],
) -> Vec<Vec<Value>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let n = n as usize;
    match method {
        SampleMethod::Random => (0..n)
            .map(|_| {
                axes.iter()
                    .map(|a| a.domain.pick(uniform(&mut rng)))
                    .collect()
            })
            .collect(),
        SampleMethod::Lhs => {
            let perms: Vec<Vec<usize>> = axes
                .iter()
                .map(|_| {
                    let mut p: Vec<usize> = (0..n).collect();
                    for i in (1..n).rev() {
                        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                        p.swap(i, j);
                    }
                    p
                })
                .collect();
            (0..n)
                .map(|j| {
                    axes.iter()
                        .zip(&perms)
                        .map(|(a, p)| {
                            let u = (p[j] as f64 + uniform(&mut rng)) / n as f64;
                            a.domain.pick(u.min(1.0 - f64::EPSILON))
                        })
                        .collect()
                })
                .collect()
        }
    }
}
