//! The steady-state (fast-path) model of a long sequential or random stream on one
//! (pseudo-)channel.
//!
//! A long stream is periodic: the address mapping walks the same pattern of banks, rows
//! and bank groups again and again, interrupted by refresh at fixed absolute times. The
//! model has three numbers per configuration, direction and pattern, measured once by the
//! detailed channel model on one channel's share of the stream and cached process-wide:
//!
//! - `t_burst`, the steady period (cycles per burst) **without refresh**: for a
//!   sequential stream over `B/I + 3` sweeps (a sweep is the `I·C` bursts the stream
//!   spends on one set of rows: `I` = banks below `Co` in the mapping, `C` = columns per
//!   row, `B` = banks per channel; the first `B/I + 1` sweeps warm every bank up), at
//!   least `4·Q`; for a random stream over 4096 bursts. The period is taken over a
//!   window that ends `Q` bursts before the end, while the queue still looks ahead. This
//!   captures row-switch stalls the queue cannot hide, tFAW/tRRD limits, bank-group
//!   interleaving and FR-FCFS mixing of consecutive rows for any mapping, scheduler and
//!   page policy.
//! - `ε`, the start-up excess of that run over `(N − 1)·t_burst` (activation ramp).
//! - `σ`, the cost of one refresh: a second run **with refresh** over about four tREFI;
//!   `σ = (T_with − T_without) / refreshes`. It contains the drain (column commands stop
//!   when refresh is due, open banks are precharged), tRP, tRFC, the reopening of rows
//!   (ACT, tRCD), and the saving when a refresh closed a bank that a later row switch
//!   would have had to precharge.
//!
//! A transfer of `N` bursts on a channel then takes
//! `head + (N − 1)·t_burst + ε + n_ref·σ` cycles to its last column command, where
//! `head` is 0 for a row hit, tRCD + cmd for a closed bank, tRP + tRCD + 2·cmd for a
//! conflict, and `n_ref` counts the refresh due times of each rank inside the transfer
//! (a fixed point, since refresh lengthens it). Its cost is O(channels), independent of
//! `N`. The calibration costs a few thousand to ~15 000 simulated bursts, once.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use super::channel::{ChanBurst, Channel};
use super::config::{DramConfig, DramTiming, PagePolicy, Scheduler};
use super::mapping::{AddressMapping, Field};
use crate::memory::MemCounts;

/// Result of the fast path on one channel, cycles.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FastRun {
    /// First column command.
    pub first_col: u64,
    /// Last column command.
    pub last_col: u64,
    /// Refreshes counted (all ranks).
    pub refreshes: u64,
    /// Activations estimated.
    pub activates: u64,
}

/// State of a channel the fast path starts from.
#[derive(Clone, Debug)]
pub(crate) struct FastStart {
    /// Earliest cycle (arrival, command bus, data bus).
    pub start: u64,
    /// Cycles before the first column command (row state of the first bank).
    pub head: u64,
    /// Next refresh due cycle of each rank.
    pub ref_due: Vec<u64>,
}

/// Steady-state parameters of a stream on one channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Stream {
    /// Steady period without refresh, cycles per burst.
    pub t_burst: f64,
    /// Start-up excess over the steady period, cycles.
    pub excess: f64,
    /// Activations per burst in steady state.
    pub acts_per_burst: f64,
    /// Cost of one refresh, cycles.
    pub sigma_ref: f64,
}

/// The channel-local field order (least significant first) of `cfg`'s mapping.
fn local_fields(cfg: &DramConfig) -> Vec<(Field, u64)> {
    cfg.mapping
        .lsb_first()
        .into_iter()
        .filter(|f| *f != Field::Channel)
        .map(|f| (f, f.count(cfg).max(1)))
        .collect()
}

/// Decodes channel-local burst index `l` into a burst of channel 0 arriving at 0.
fn local_burst(fields: &[(Field, u64)], mut l: u64, write: bool) -> ChanBurst {
    let mut b = ChanBurst {
        arrival: 0,
        rank: 0,
        bank_group: 0,
        bank: 0,
        row: 0,
        write,
    };
    for (f, n) in fields {
        let d = u32::try_from(l % n).unwrap_or(u32::MAX);
        l /= n;
        match f {
            Field::Rank => b.rank = d,
            Field::BankGroup => b.bank_group = d,
            Field::Bank => b.bank = d,
            Field::Row => b.row = d,
            Field::Column | Field::Channel => {}
        }
    }
    b
}

/// Issue cycles (sorted) of `bursts` on a fresh channel, with or without refresh.
fn issue_times(cfg: &DramConfig, bursts: &[ChanBurst], refresh: bool) -> (Vec<u64>, u64) {
    let mut ch = Channel::new(cfg, 0);
    if !refresh {
        ch.disable_refresh();
    }
    let mut counts = MemCounts::default();
    let mut issue: Vec<u64> = ch
        .run(bursts, None, &mut counts)
        .iter()
        .map(|d| d.issue)
        .collect();
    issue.sort_unstable();
    (issue, counts.activates)
}

/// Refresh due points of one rank in `[due, end)`.
fn refreshes_before(due: u64, end: u64, refi: u64) -> u64 {
    if due >= end {
        0
    } else {
        (end - 1 - due) / refi + 1
    }
}

/// Refresh due cycles of a fresh channel's ranks.
fn fresh_dues(cfg: &DramConfig) -> Vec<u64> {
    let (refi, ranks) = (cfg.timing.refi, u64::from(cfg.ranks));
    (0..ranks).map(|r| refi + r * refi / ranks).collect()
}

/// Measures a stream: `first(n)` gives the stream's first `n` channel-local bursts;
/// `short` bursts for the period, `window` of them for its measurement.
fn calibrate(
    cfg: &DramConfig,
    first: &mut dyn FnMut(usize) -> Vec<ChanBurst>,
    short: usize,
    window: usize,
) -> Stream {
    let q = cfg.queue_depth as usize;
    let bursts = first(short);
    let (issue, acts) = issue_times(cfg, &bursts, false);
    let n = issue.len();
    let end = n - 1 - q.min(n / 4);
    let window = window.min(end).max(1);
    let t_burst = ((issue[end] - issue[end - window]) as f64 / window as f64).max(1e-9);
    let excess = ((issue[end] - issue[0]) as f64 - end as f64 * t_burst).max(0.0);
    // With refresh: about four refresh intervals (at least the short run).
    let refi = cfg.timing.refi as f64;
    let long = ((4.0 * refi / t_burst) as usize + q + 1).clamp(short, 1 << 17);
    let bursts = first(long);
    let (with, _) = issue_times(cfg, &bursts, true);
    let end = with.len() - 1 - q.min(with.len() / 4);
    let without = with[0] as f64 + excess + end as f64 * t_burst;
    let refs: u64 = fresh_dues(cfg)
        .iter()
        .map(|&d| refreshes_before(d, with[end], cfg.timing.refi))
        .sum();
    let sigma_ref = if refs > 0 {
        ((with[end] as f64 - without) / refs as f64).max(0.0)
    } else {
        (cfg.timing.rp + cfg.timing.rfc) as f64
    };
    Stream {
        t_burst,
        excess,
        acts_per_burst: acts as f64 / n as f64,
        sigma_ref,
    }
}

/// Cache of calibrated streams: process-wide (shared by sweep threads), keyed by the
/// debug rendering of everything that shapes one channel's timing, plus a per-thread list
/// of the last few configurations compared by value, so a hit costs no formatting.
fn cache() -> &'static Mutex<BTreeMap<String, Stream>> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Stream>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// The fields of a configuration that shape one channel's stream timing.
#[derive(Clone, Debug, PartialEq)]
struct Shape {
    timing: DramTiming,
    geometry: [u64; 10],
    mapping: AddressMapping,
    page_policy: PagePolicy,
    scheduler: Scheduler,
}

/// The geometry fields of `cfg` that the fast path's result depends on.
fn geometry(cfg: &DramConfig) -> [u64; 10] {
    [
        u64::from(cfg.ranks),
        u64::from(cfg.bank_groups),
        u64::from(cfg.banks_per_group),
        u64::from(cfg.rows),
        u64::from(cfg.row_bytes),
        cfg.burst_bytes(),
        cfg.units(),
        cfg.command_cycles,
        u64::from(cfg.queue_depth),
        cfg.capacity_bytes(),
    ]
}

impl Shape {
    fn of(cfg: &DramConfig) -> Shape {
        Shape {
            timing: cfg.timing,
            geometry: geometry(cfg),
            mapping: cfg.mapping.clone(),
            page_policy: cfg.page_policy,
            scheduler: cfg.scheduler,
        }
    }

    fn same_as(&self, cfg: &DramConfig) -> bool {
        self.timing == cfg.timing
            && self.geometry == geometry(cfg)
            && self.mapping == cfg.mapping
            && self.page_policy == cfg.page_policy
            && self.scheduler == cfg.scheduler
    }

    fn key(&self, per_request: u64, write: bool) -> String {
        format!("{self:?}|{per_request}|{write}")
    }
}

/// Entries kept per thread (a sweep point uses one or two DRAM configurations).
const RECENT: usize = 8;

thread_local! {
    static RECENT_STREAMS: std::cell::RefCell<Vec<(Shape, u64, bool, Stream)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The calibrated steady state of a sequential (`per_request == 0`) or random stream of
/// `per_request` bursts per request, read or write; cached process-wide.
pub(crate) fn stream(cfg: &DramConfig, per_request: u64, write: bool) -> Stream {
    let recent = RECENT_STREAMS.with(|r| {
        r.borrow()
            .iter()
            .find(|(shape, p, w, _)| *p == per_request && *w == write && shape.same_as(cfg))
            .map(|e| e.3)
    });
    if let Some(s) = recent {
        return s;
    }
    let shape = Shape::of(cfg);
    let k = shape.key(per_request, write);
    let cached = cache().lock().ok().and_then(|c| c.get(&k).copied());
    let s = match cached {
        Some(s) => s,
        None => {
            let s = if per_request == 0 {
                sequential(cfg, write)
            } else {
                random(cfg, per_request, write)
            };
            if let Ok(mut c) = cache().lock() {
                c.insert(k, s);
            }
            s
        }
    };
    RECENT_STREAMS.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() == RECENT {
            r.remove(0);
        }
        r.push((shape, per_request, write, s));
    });
    s
}

fn sequential(cfg: &DramConfig, write: bool) -> Stream {
    let fields = local_fields(cfg);
    let col_pos = fields
        .iter()
        .position(|(f, _)| *f == Field::Column)
        .unwrap_or(0);
    let i_set: u64 = fields[..col_pos].iter().map(|(_, n)| *n).product();
    let sweep = (i_set * Field::Column.count(cfg)).max(1);
    let banks = u64::from(cfg.banks_per_rank() * cfg.ranks);
    let q = u64::from(cfg.queue_depth);
    let warm = (banks / i_set.max(1) + 1) * sweep;
    let window = (2 * sweep).max(2 * q);
    let short = (warm + window + q).max(4 * q).min(1 << 16);
    let mut first = |n: usize| -> Vec<ChanBurst> {
        (0..n as u64)
            .map(|l| local_burst(&fields, l, write))
            .collect()
    };
    calibrate(cfg, &mut first, short as usize, window as usize)
}

fn random(cfg: &DramConfig, per_request: u64, write: bool) -> Stream {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};
    // Channel 0's share of a random stream, extended as the runs need it.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let slots = (cfg.capacity_bytes() / cfg.burst_bytes()).max(1);
    let mut all: Vec<ChanBurst> = Vec::new();
    let mut first = |n: usize| -> Vec<ChanBurst> {
        // Each request has at least one burst in some channel; give up on channel 0 after
        // far more draws than the expected `n · units` (cannot happen with a valid mapping).
        let mut guard = 0u64;
        while all.len() < n && guard < (n as u64 + 16) * cfg.units() * 64 {
            guard += 1;
            let start = rng.random_range(0..slots);
            for k in 0..per_request.max(1) {
                let a = cfg.mapping.decode_burst(cfg, (start + k) % slots);
                if a.channel == 0 {
                    all.push(ChanBurst {
                        arrival: 0,
                        rank: a.rank,
                        bank_group: a.bank_group,
                        bank: a.bank,
                        row: a.row,
                        write,
                    });
                }
            }
        }
        if all.is_empty() {
            all.push(ChanBurst {
                arrival: 0,
                rank: 0,
                bank_group: 0,
                bank: 0,
                row: 0,
                write,
            });
        }
        (0..n).map(|k| all[k % all.len()]).collect()
    };
    let short = 4096usize.max(4 * cfg.queue_depth as usize);
    calibrate(cfg, &mut first, short, short / 2)
}

/// Expected maximum of `u` independent standard normal variables, by Blom's
/// approximation `Φ⁻¹((u − 0.375) / (u + 0.25))` (0 for `u ≤ 1`).
pub(crate) fn expected_max_normal(u: u64) -> f64 {
    if u <= 1 {
        return 0.0;
    }
    let u = u as f64;
    inverse_normal_cdf((u - 0.375) / (u + 0.25))
}

/// Φ⁻¹(p) for 0.5 ≤ p < 1 by Acklam's rational approximation (relative error < 1.2e-9),
/// upper region only (the caller needs p ≥ 0.5).
fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(0.5, 1.0 - 1e-12);
    if p <= 0.975_75 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// The fast path on one channel: `n` bursts of stream `st` from state `s`.
pub(crate) fn run(cfg: &DramConfig, st: &Stream, s: &FastStart, n: u64) -> FastRun {
    if n == 0 {
        return FastRun::default();
    }
    let refi = cfg.timing.refi;
    let first = s.start + s.head;
    let base = (n - 1) as f64 * st.t_burst + st.excess;
    // last = first + base + n_ref(last)·σ, with n_ref counted at absolute due times: a
    // monotone fixed point.
    let mut last = first + base.ceil() as u64;
    let mut refreshes = 0;
    for _ in 0..64 {
        refreshes = s
            .ref_due
            .iter()
            .map(|&d| refreshes_before(d, last, refi))
            .sum::<u64>();
        let next = first + (base + refreshes as f64 * st.sigma_ref).ceil() as u64;
        if next == last {
            break;
        }
        last = next;
    }
    let acts = (n as f64 * st.acts_per_burst).round() as u64;
    FastRun {
        first_col: first,
        last_col: last,
        refreshes,
        activates: acts.clamp(1, n),
    }
}
