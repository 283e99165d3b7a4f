//! Searching the mapping space of one product for an objective.
//!
//! * **Heuristic** — for every allowed array mode and transposition, `arch`'s default
//!   tiling (`GemmTiling::default_for`: the largest tiles that fit, shrunk one dimension at
//!   a time by estimated cost), shrunk further if this operator's operand widths overflow
//!   the buffer, with `run_gemm`'s loop order and the platform's buffering; the best of
//!   these few points.
//! * **Exhaustive with pruning** — every (mode, transposition, tile, buffering, order).
//!   Candidate tiles are sorted, so a dimension stops growing once the working set
//!   overflows the whole buffer (capacity pruning); a tiling whose compute-only lower
//!   bound (its compute time; the fixed energy plus compulsory DRAM energy) cannot beat
//!   the best point so far skips its 12 buffering × order variants (bound pruning).
//! * **Random** — `budget` legal points drawn uniformly (mode, transposition, a candidate
//!   per dimension, buffering, order) from a `Xoshiro256PlusPlus` seeded with the run's
//!   seed, at most `8 × budget` draws; the heuristic's points are always candidates.
//!
//! Ties keep the first point found, so results are deterministic.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use arch::kernel::GemmTiling;

use super::cost::{self, MappingCost};
use super::legality;
use super::space::PeCtx;
use super::{ArrayMode, Dim, LoopOrder, Mapping, Tile};
use crate::MapError;
use crate::options::{Objective, Search};
use crate::work::GemmWork;

/// The outcome of a search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchResult {
    /// The best mapping.
    pub mapping: Mapping,
    /// Its closed-form cost.
    pub cost: MappingCost,
    /// Points evaluated.
    pub evaluated: u64,
    /// Points in the space.
    pub space: u64,
    /// Which method ran (`heuristic`, `exhaustive`, `random`).
    pub method: &'static str,
}

struct Best {
    found: Option<(Mapping, MappingCost, f64)>,
    evaluated: u64,
    objective: Objective,
}

impl Best {
    fn offer(&mut self, m: Mapping, c: MappingCost) {
        self.evaluated += 1;
        let s = c.score(self.objective);
        if self.found.is_none_or(|(_, _, b)| s < b) {
            self.found = Some((m, c, s));
        }
    }

    fn score(&self) -> f64 {
        self.found.map_or(f64::INFINITY, |f| f.2)
    }
}

/// Searches the space of `w` (one product) on `ctx` for `objective` with `strategy`.
pub fn search(
    ctx: &PeCtx<'_>,
    w: &GemmWork,
    objective: Objective,
    strategy: Search,
) -> Result<SearchResult, MapError> {
    let space = ctx.space_size(w);
    let mut best = Best {
        found: None,
        evaluated: 0,
        objective,
    };
    for m in heuristic_points(ctx, w) {
        let c = cost::evaluate(ctx, w, &m);
        best.offer(m, c);
    }
    let method = match strategy {
        Search::Heuristic => "heuristic",
        Search::Exhaustive => {
            exhaustive(ctx, w, &mut best);
            "exhaustive"
        }
        Search::Random { budget, seed } => {
            random(ctx, w, &mut best, budget, seed);
            "random"
        }
        Search::Auto {
            exhaustive_limit,
            budget,
            seed,
        } => {
            if space <= exhaustive_limit {
                exhaustive(ctx, w, &mut best);
                "exhaustive"
            } else {
                random(ctx, w, &mut best, budget, seed);
                "random"
            }
        }
    };
    let Some((mapping, cost, _)) = best.found else {
        return Err(MapError::Illegal(format!(
            "no tile of gemm {}x{}x{} fits the {}-byte global buffer of {}",
            w.m, w.k, w.n, ctx.buffer.size_bytes, ctx.platform.name
        )));
    };
    Ok(SearchResult {
        mapping,
        cost,
        evaluated: best.evaluated,
        space,
        method,
    })
}

/// The heuristic's points: one per allowed mode and transposition (see the module docs).
pub fn heuristic_points(ctx: &PeCtx<'_>, w: &GemmWork) -> Vec<Mapping> {
    let db = ctx.buffer.double_buffered;
    let bytes_per_cycle = ctx.mem.read_bytes_per_s / ctx.clock_hz;
    let mut out = Vec::new();
    for (mode, pe) in &ctx.arrays {
        for transpose in [false, true] {
            let shape = cost::array_shape(transpose, w.m, w.k, w.n);
            let Ok(t) = GemmTiling::default_for(pe, ctx.buffer, shape, bytes_per_cycle) else {
                continue;
            };
            let (tm, tn) = if transpose {
                (t.tile_n, t.tile_m)
            } else {
                (t.tile_m, t.tile_n)
            };
            let mut tile = Tile {
                m: tm.min(w.m),
                k: t.tile_k.min(w.k),
                n: tn.min(w.n),
            };
            // Wider operands than the array's own may overflow: halve the largest dimension.
            while ctx.working_set(w, tile.m, tile.k, tile.n) > ctx.capacity(db) {
                let d = [Dim::K, Dim::N, Dim::M]
                    .into_iter()
                    .max_by_key(|d| tile.get(*d))
                    .unwrap_or(Dim::K);
                if tile.get(d) <= 1 {
                    break;
                }
                match d {
                    Dim::M => tile.m = tile.m.div_ceil(2),
                    Dim::K => tile.k = tile.k.div_ceil(2),
                    Dim::N => tile.n = tile.n.div_ceil(2),
                }
            }
            let order = if transpose {
                LoopOrder([Dim::N, Dim::M, Dim::K])
            } else {
                LoopOrder([Dim::M, Dim::N, Dim::K])
            };
            let m = Mapping {
                mode: *mode,
                transpose,
                tile,
                order,
                double_buffered: db,
            };
            if legality::check(ctx, w, &m).is_ok() {
                out.push(m);
            }
        }
    }
    out
}

fn exhaustive(ctx: &PeCtx<'_>, w: &GemmWork, best: &mut Best) {
    let full = ctx.capacity(false);
    let fixed_lb = |mode: ArrayMode, tr: bool| {
        cost::fixed_energy_pj(ctx, w, mode, tr) + ctx.mem.energy_pj(w.min_bytes(), 0)
    };
    for (mode, _) in &ctx.arrays {
        for transpose in [false, true] {
            let cm = ctx.candidates(*mode, transpose, Dim::M, w.m);
            let ck = ctx.candidates(*mode, transpose, Dim::K, w.k);
            let cn = ctx.candidates(*mode, transpose, Dim::N, w.n);
            let e_lb = fixed_lb(*mode, transpose);
            for &tm in &cm {
                if ctx.working_set(w, tm, ck[0], cn[0]) > full {
                    break;
                }
                for &tk in &ck {
                    if ctx.working_set(w, tm, tk, cn[0]) > full {
                        break;
                    }
                    for &tn in &cn {
                        let ws = ctx.working_set(w, tm, tk, tn);
                        if ws > full {
                            break;
                        }
                        let tile = Tile {
                            m: tm,
                            k: tk,
                            n: tn,
                        };
                        let tc = cost::tiling_cost(ctx, w, *mode, transpose, &tile);
                        let t_lb = tc.compute_cycles as f64 / ctx.clock_hz;
                        let lb = best.objective.score(t_lb, e_lb);
                        if lb >= best.score() {
                            continue;
                        }
                        for db in [true, false] {
                            if ws > ctx.capacity(db) {
                                continue;
                            }
                            for order in LoopOrder::ALL {
                                let m = Mapping {
                                    mode: *mode,
                                    transpose,
                                    tile,
                                    order,
                                    double_buffered: db,
                                };
                                let c = cost::evaluate_with(ctx, w, &m, &tc);
                                best.offer(m, c);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn random(ctx: &PeCtx<'_>, w: &GemmWork, best: &mut Best, budget: u64, seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let grids: Vec<(ArrayMode, bool, [Vec<u64>; 3])> = ctx
        .arrays
        .iter()
        .flat_map(|(mode, _)| {
            [false, true].map(|tr| {
                (
                    *mode,
                    tr,
                    [
                        ctx.candidates(*mode, tr, Dim::M, w.m),
                        ctx.candidates(*mode, tr, Dim::K, w.k),
                        ctx.candidates(*mode, tr, Dim::N, w.n),
                    ],
                )
            })
        })
        .collect();
    let mut legal = 0u64;
    let mut draws = 0u64;
    while legal < budget && draws < budget.saturating_mul(8) {
        draws += 1;
        let (mode, transpose, [cm, ck, cn]) = &grids[rng.random_range(0..grids.len())];
        let tile = Tile {
            m: cm[rng.random_range(0..cm.len())],
            k: ck[rng.random_range(0..ck.len())],
            n: cn[rng.random_range(0..cn.len())],
        };
        let m = Mapping {
            mode: *mode,
            transpose: *transpose,
            tile,
            order: LoopOrder::ALL[rng.random_range(0..LoopOrder::ALL.len())],
            double_buffered: rng.random_bool(0.5),
        };
        if legality::check(ctx, w, &m).is_err() {
            continue;
        }
        legal += 1;
        best.offer(m, cost::evaluate(ctx, w, &m));
    }
}
