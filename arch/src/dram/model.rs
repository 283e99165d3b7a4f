//! [`DramModel`]: the bank-level DRAM as an [`OffChipMemory`], with the fast path for long
//! transfers.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use sim_core::{ClockDomain, Time};

use super::channel::{BurstDone, ChanBurst, Channel, CommandRecord};
use super::config::DramConfig;
use super::fast::{self, FastStart};
use super::mapping::{DramAddress, Field};
use crate::memory::{AccessPattern, MemCompletion, MemCounts, MemRequest, OffChipMemory};

/// Which model serves a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fidelity {
    /// The detailed model below `fast_path_min_bytes`, the steady-state model above.
    Auto,
    /// Always the detailed (bank-level, per-command) model.
    Detailed,
    /// Always the steady-state model.
    Fast,
}

/// What serving one request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served {
    /// Timing and counts, as [`OffChipMemory::access`] returns them.
    pub completion: MemCompletion,
    /// Requested bytes actually moved (partial first/last bursts count their used part).
    pub bytes: u64,
    /// Bursts moved.
    pub bursts: u64,
    /// Whether the steady-state model served it.
    pub fast: bool,
}

/// One burst given directly to the detailed model (for tests and traces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurstRequest {
    /// Cycle (model clock) at which it enters its channel's queue.
    pub arrival_cycle: u64,
    /// Byte address.
    pub addr: u64,
    /// A write (else a read).
    pub write: bool,
}

/// When a [`BurstRequest`] was served, in cycles of the model clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurstResult {
    /// Its (pseudo-)channel.
    pub channel: u32,
    /// Cycle of its RD/WR command.
    pub issue_cycle: u64,
    /// First data beat.
    pub data_start_cycle: u64,
    /// End of its data.
    pub done_cycle: u64,
}

/// The DRAM model (see [`crate::dram`] for the timing rules, the scheduler and the fast
/// path). Requests are served in call order; each channel keeps its bank, bus and refresh
/// state between requests.
#[derive(Clone, Debug)]
pub struct DramModel {
    cfg: DramConfig,
    clock: ClockDomain,
    channels: Vec<Channel>,
    rng: Xoshiro256PlusPlus,
    log: Option<Vec<CommandRecord>>,
}

/// Seed of the random-address generator (requests with `AccessPattern::Random`).
const RANDOM_SEED: u64 = 0x5111_CA0D_0A11;

impl DramModel {
    /// A model of `cfg` (from [`crate::dram::DramSpec::resolve`]), all banks closed.
    pub fn new(cfg: DramConfig) -> Self {
        let units = u32::try_from(cfg.units()).unwrap_or(u32::MAX);
        DramModel {
            clock: cfg.clock(),
            channels: (0..units).map(|c| Channel::new(&cfg, c)).collect(),
            rng: Xoshiro256PlusPlus::seed_from_u64(RANDOM_SEED),
            log: None,
            cfg,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DramConfig {
        &self.cfg
    }

    /// Starts recording every command of the detailed model.
    pub fn enable_log(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// The commands recorded so far (emptied), in issue order per channel.
    pub fn take_log(&mut self) -> Vec<CommandRecord> {
        self.log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Serves `req`, ready at `ready`, with the model chosen by `fidelity`.
    pub fn serve(&mut self, ready: Time, req: &MemRequest, fidelity: Fidelity) -> Served {
        let ready_cycle = self.clock.next_edge_cycle(ready);
        if req.bytes == 0 {
            return Served {
                completion: MemCompletion {
                    start: ready,
                    done: ready,
                    counts: MemCounts::default(),
                },
                bytes: 0,
                bursts: 0,
                fast: false,
            };
        }
        let fast = match fidelity {
            Fidelity::Auto => req.bytes >= self.cfg.fast_path_min_bytes,
            Fidelity::Detailed => false,
            Fidelity::Fast => true,
        };
        if fast {
            self.serve_fast(ready_cycle, req)
        } else {
            self.serve_detailed(ready_cycle, req)
        }
    }

    /// Serves individual bursts with the detailed model (arrival cycles non-decreasing
    /// per channel). Returns one result per burst, in input order.
    pub fn simulate_bursts(&mut self, bursts: &[BurstRequest]) -> (Vec<BurstResult>, MemCounts) {
        let mut per: Vec<Vec<(usize, ChanBurst)>> = vec![Vec::new(); self.channels.len()];
        for (i, b) in bursts.iter().enumerate() {
            let a = self.cfg.mapping.decode(&self.cfg, b.addr);
            per[a.channel as usize].push((i, chan_burst(&a, b.arrival_cycle, b.write)));
        }
        let mut out = vec![
            BurstResult {
                channel: 0,
                issue_cycle: 0,
                data_start_cycle: 0,
                done_cycle: 0,
            };
            bursts.len()
        ];
        let mut counts = MemCounts::default();
        for (c, list) in per.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let cb: Vec<ChanBurst> = list.iter().map(|x| x.1).collect();
            let done = self.channels[c].run(&cb, self.log.as_mut(), &mut counts);
            for ((i, _), d) in list.iter().zip(done) {
                out[*i] = BurstResult {
                    channel: c as u32,
                    issue_cycle: d.issue,
                    data_start_cycle: d.data_start,
                    done_cycle: d.done,
                };
            }
        }
        (out, counts)
    }

    /// Splits `req` into (byte address of the burst, useful bytes) pairs.
    fn bursts_of(&mut self, req: &MemRequest) -> Vec<(u64, u64)> {
        let bb = self.cfg.burst_bytes();
        let mut out = Vec::new();
        let push_range = |out: &mut Vec<(u64, u64)>, addr: u64, len: u64| {
            let end = addr.saturating_add(len);
            let mut b = addr / bb * bb;
            while b < end {
                let used = end.min(b + bb) - addr.max(b);
                out.push((b, used));
                b += bb;
            }
        };
        match req.pattern {
            AccessPattern::Sequential => push_range(&mut out, req.addr, req.bytes),
            AccessPattern::Random { request_bytes } => {
                let rb = request_bytes.max(1);
                let slots = (self.cfg.capacity_bytes() / bb).max(1);
                let mut left = req.bytes;
                while left > 0 {
                    let len = left.min(rb);
                    let addr = self.rng.random_range(0..slots) * bb;
                    push_range(&mut out, addr, len);
                    left -= len;
                }
            }
        }
        out
    }

    fn serve_detailed(&mut self, ready: u64, req: &MemRequest) -> Served {
        let pieces = self.bursts_of(req);
        let mut per: Vec<Vec<ChanBurst>> = vec![Vec::new(); self.channels.len()];
        let mut bytes = 0;
        for &(addr, used) in &pieces {
            let a = self.cfg.mapping.decode(&self.cfg, addr);
            bytes += used;
            per[a.channel as usize].push(chan_burst(&a, ready, req.write));
        }
        let mut counts = MemCounts::default();
        let (mut first, mut last) = (u64::MAX, 0);
        for (c, list) in per.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let done: Vec<BurstDone> = self.channels[c].run(list, self.log.as_mut(), &mut counts);
            for d in done {
                first = first.min(d.data_start);
                last = last.max(d.done);
            }
        }
        Served {
            completion: MemCompletion {
                start: self.clock.cycles_to_time(first),
                done: self.clock.cycles_to_time(last),
                counts,
            },
            bytes,
            bursts: pieces.len() as u64,
            fast: false,
        }
    }

    /// Start state of channel `c` for a fast transfer whose first burst is `a`.
    fn fast_start(&self, c: usize, ready: u64, a: &DramAddress, write: bool) -> FastStart {
        let t = self.cfg.timing;
        let cmd = self.cfg.command_cycles;
        let ch = &self.channels[c];
        let lat = if write { t.cwl } else { t.cl };
        let head = match ch.open_row(&chan_burst(a, 0, write)) {
            Some(r) if r == a.row => 0,
            Some(_) => t.rp + t.rcd + 2 * cmd,
            None => t.rcd + cmd,
        };
        FastStart {
            start: ready.max(ch.now).max(ch.bus_free.saturating_sub(lat)),
            head,
            ref_due: (0..self.cfg.ranks as usize)
                .map(|r| ch.ref_due(r))
                .collect(),
        }
    }

    fn serve_fast(&mut self, ready: u64, req: &MemRequest) -> Served {
        let cfg = self.cfg.clone();
        let t = cfg.timing;
        let bb = cfg.burst_bytes();
        let lat = if req.write { t.cwl } else { t.cl };
        let units = cfg.units();
        let mut counts = MemCounts::default();
        let (mut first, mut last) = (u64::MAX, 0u64);
        let mut bursts = 0u64;
        // (channel, bursts, fast run)
        let mut runs = Vec::new();
        match req.pattern {
            AccessPattern::Sequential => {
                let st = fast::stream(&cfg, 0, req.write);
                let b0 = req.addr / bb;
                let b1 = req.addr.saturating_add(req.bytes).div_ceil(bb);
                let fields = cfg.mapping.lsb_first();
                let below: u64 = fields
                    .iter()
                    .take_while(|f| **f != Field::Channel)
                    .map(|f| f.count(&cfg).max(1))
                    .product();
                let span = below * units;
                let count_c = |b: u64, c: u64| -> u64 {
                    (b / span) * below + (b % span).saturating_sub(c * below).min(below)
                };
                for c in 0..units {
                    let l0 = count_c(b0, c);
                    let n = count_c(b1, c) - l0;
                    if n == 0 {
                        continue;
                    }
                    let global = (l0 / below) * span + c * below + l0 % below;
                    let a = cfg.mapping.decode_burst(&cfg, global);
                    let s = self.fast_start(c as usize, ready, &a, req.write);
                    runs.push((c as usize, n, fast::run(&cfg, &st, &s, n)));
                }
            }
            AccessPattern::Random { request_bytes } => {
                let rb = request_bytes.max(1);
                let per_req = rb.div_ceil(bb);
                let st = fast::stream(&cfg, per_req, req.write);
                // Bursts (the last request may be shorter) spread evenly over the channels.
                let total = req.bytes / rb * per_req + (req.bytes % rb).div_ceil(bb);
                for c in 0..units {
                    let n = total / units + u64::from(c < total % units);
                    if n == 0 {
                        continue;
                    }
                    let a = DramAddress {
                        channel: c as u32,
                        ..DramAddress::default()
                    };
                    let mut s = self.fast_start(c as usize, ready, &a, req.write);
                    s.head = t.rcd + cfg.command_cycles;
                    // The request ends with its busiest channel: with random addresses a
                    // channel's share is binomial, and the largest of `units` shares is
                    // about z·σ above the mean (Blom's approximation).
                    let mean = total as f64 / units as f64;
                    let sd = (mean * (1.0 - 1.0 / units as f64)).sqrt();
                    let busiest = (n as f64 + fast::expected_max_normal(units) * sd).round();
                    let run = fast::run(&cfg, &st, &s, busiest as u64);
                    runs.push((c as usize, n, run));
                }
            }
        }
        for (c, n, run) in runs {
            bursts += n;
            let data_end = run.last_col + lat + t.burst;
            first = first.min(run.first_col + lat);
            last = last.max(data_end);
            self.channels[c].skip_to(run.last_col + cfg.command_cycles, data_end);
            if req.write {
                counts.write_bursts += n;
            } else {
                counts.read_bursts += n;
            }
            let acts = run.activates.min(n);
            counts.activates += acts;
            counts.precharges += acts;
            counts.row_misses += acts;
            counts.row_hits += n - acts;
            counts.refreshes += run.refreshes;
        }
        Served {
            completion: MemCompletion {
                start: self.clock.cycles_to_time(first),
                done: self.clock.cycles_to_time(last),
                counts,
            },
            bytes: req.bytes,
            bursts,
            fast: true,
        }
    }
}

fn chan_burst(a: &DramAddress, arrival: u64, write: bool) -> ChanBurst {
    ChanBurst {
        arrival,
        rank: a.rank,
        bank_group: a.bank_group,
        bank: a.bank,
        row: a.row,
        write,
    }
}

impl OffChipMemory for DramModel {
    fn name(&self) -> String {
        let stacks = if self.cfg.stacks > 1 {
            format!(" x{}", self.cfg.stacks)
        } else {
            String::new()
        };
        format!("{}{} ({} ch)", self.cfg.name, stacks, self.cfg.units())
    }
    fn peak_bytes_per_s(&self) -> f64 {
        self.cfg.peak_bytes_per_s()
    }
    fn access(&mut self, ready: Time, req: &MemRequest) -> MemCompletion {
        self.serve(ready, req, Fidelity::Auto).completion
    }
    fn energy_table_pj(&self) -> Vec<(&'static str, f64)> {
        let e = &self.cfg.energy;
        vec![
            ("activate", e.activate_pj),
            ("read_burst", e.read_burst_pj),
            ("write_burst", e.write_burst_pj),
            ("refresh", e.refresh_pj),
            ("io_bit", e.io_pj_per_bit),
        ]
    }
    fn energy_pj(&self, counts: &MemCounts, bytes_read: u64, bytes_written: u64) -> f64 {
        let e = &self.cfg.energy;
        counts.activates as f64 * e.activate_pj
            + counts.read_bursts as f64 * e.read_burst_pj
            + counts.write_bursts as f64 * e.write_burst_pj
            + counts.refreshes as f64 * e.refresh_pj
            + (bytes_read + bytes_written) as f64 * 8.0 * e.io_pj_per_bit
    }
    fn energy_breakdown_pj(
        &self,
        counts: &MemCounts,
        bytes_read: u64,
        bytes_written: u64,
    ) -> Vec<(&'static str, u64, f64)> {
        let e = &self.cfg.energy;
        vec![
            ("activate", counts.activates, e.activate_pj),
            ("read_burst", counts.read_bursts, e.read_burst_pj),
            ("write_burst", counts.write_bursts, e.write_burst_pj),
            ("refresh", counts.refreshes, e.refresh_pj),
            ("io_bit", (bytes_read + bytes_written) * 8, e.io_pj_per_bit),
        ]
    }
    fn background_mw(&self) -> f64 {
        self.cfg.energy.background_mw * self.cfg.units() as f64
    }
}
