//! The legality checker: a mapping is legal when its array mode is allowed on the
//! platform, every tile dimension is between 1 and the operator's size, its working set
//! fits the buffer (half of it when double-buffered), and its tiles cover the iteration
//! space exactly once ([`tiles`] enumerates them; [`check_coverage`] verifies).

use super::space::PeCtx;
use super::{Dim, Mapping};
use crate::MapError;
use crate::work::GemmWork;

/// A tile of the iteration space: half-open ranges along m, k, n.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileRange {
    /// Rows `[m0, m1)`.
    pub m: (u64, u64),
    /// Reduction `[k0, k1)`.
    pub k: (u64, u64),
    /// Columns `[n0, n1)`.
    pub n: (u64, u64),
}

/// Checks `m` against `w` on `ctx`; the error says which rule it broke.
pub fn check(ctx: &PeCtx<'_>, w: &GemmWork, m: &Mapping) -> Result<(), MapError> {
    if ctx.array(m.mode).is_none() {
        let allowed: Vec<&str> = ctx.arrays.iter().map(|a| a.0.name()).collect();
        return Err(MapError::Illegal(format!(
            "array mode `{}` is not available on {} (allowed: {}; a systolic array may switch \
             dataflow only with the dataflow search option)",
            m.mode.name(),
            ctx.platform.name,
            allowed.join(", ")
        )));
    }
    for d in [Dim::M, Dim::K, Dim::N] {
        let (t, size) = (m.tile.get(d), dim(w, d));
        if t == 0 {
            return Err(MapError::Illegal(format!(
                "tile {} is 0; expected 1..={size}",
                d.letter()
            )));
        }
        if t > size {
            return Err(MapError::Illegal(format!(
                "tile {} = {t} exceeds the operator's {} = {size}",
                d.letter(),
                d.letter()
            )));
        }
    }
    let ws = ctx.working_set(w, m.tile.m, m.tile.k, m.tile.n);
    let cap = ctx.capacity(m.double_buffered);
    if ws > cap {
        return Err(MapError::Illegal(format!(
            "tile m{}×k{}×n{} needs {ws} bytes (A {} + B {} + C {} at the accumulator width) but \
             the global buffer holds {cap} bytes per tile{}",
            m.tile.m,
            m.tile.k,
            m.tile.n,
            w.a_block_bytes(m.tile.m, m.tile.k),
            w.b_block_bytes(m.tile.k, m.tile.n),
            m.tile.m * m.tile.n * ctx.acc_bytes(),
            if m.double_buffered {
                " (half of it: double-buffered)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Size of `w` along `d`.
pub fn dim(w: &GemmWork, d: Dim) -> u64 {
    match d {
        Dim::M => w.m,
        Dim::K => w.k,
        Dim::N => w.n,
    }
}

/// The tiles of `m` over `w`, in loop order.
pub fn tiles(w: &GemmWork, m: &Mapping) -> Vec<TileRange> {
    let trips = |d: Dim| dim(w, d).div_ceil(m.tile.get(d).max(1));
    let [o0, o1, o2] = m.order.0;
    let mut out = Vec::new();
    for i0 in 0..trips(o0) {
        for i1 in 0..trips(o1) {
            for i2 in 0..trips(o2) {
                let idx = |d: Dim| {
                    if d == o0 {
                        i0
                    } else if d == o1 {
                        i1
                    } else {
                        i2
                    }
                };
                let range = |d: Dim| {
                    let t = m.tile.get(d).max(1);
                    let lo = idx(d) * t;
                    (lo, (lo + t).min(dim(w, d)))
                };
                out.push(TileRange {
                    m: range(Dim::M),
                    k: range(Dim::K),
                    n: range(Dim::N),
                });
            }
        }
    }
    out
}

/// Verifies that `m`'s tiles cover every point of `w`'s `m × k × n` space exactly once.
/// Small spaces (≤ 2²² points) are checked point by point; larger ones by volume and
/// bounds (tiles of a grid are disjoint by construction).
pub fn check_coverage(w: &GemmWork, m: &Mapping) -> Result<(), MapError> {
    let ts = tiles(w, m);
    let total = w.m * w.k * w.n;
    let mut volume = 0u64;
    for t in &ts {
        for (r, size, d) in [(t.m, w.m, 'm'), (t.k, w.k, 'k'), (t.n, w.n, 'n')] {
            if r.0 >= r.1 || r.1 > size {
                return Err(MapError::Illegal(format!(
                    "tile range {d} [{}, {}) is empty or outside 0..{size}",
                    r.0, r.1
                )));
            }
        }
        volume += (t.m.1 - t.m.0) * (t.k.1 - t.k.0) * (t.n.1 - t.n.0);
    }
    if volume != total {
        return Err(MapError::Illegal(format!(
            "tiles cover {volume} points of a {total}-point iteration space"
        )));
    }
    if total <= 1 << 22 {
        let mut seen = vec![false; total as usize];
        for t in &ts {
            for i in t.m.0..t.m.1 {
                for l in t.k.0..t.k.1 {
                    for j in t.n.0..t.n.1 {
                        let p = ((i * w.k + l) * w.n + j) as usize;
                        if std::mem::replace(&mut seen[p], true) {
                            return Err(MapError::Illegal(format!(
                                "point (m {i}, k {l}, n {j}) is covered twice"
                            )));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
