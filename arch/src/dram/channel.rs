//! The detailed model of one (pseudo-)channel: a request queue, banks with open rows, and
//! a command scheduler that issues ACT/PRE/RD/WR/REF on integer cycles of the model clock.
//!
//! The model is an exact per-command state machine: every timing rule of
//! [`crate::dram`] is kept as an "earliest cycle" per bank, bank group, rank and channel,
//! updated when a command issues. Instead of ticking every cycle, the scheduler computes
//! for every queued request the earliest cycle its next command may issue and jumps there;
//! between two decisions nothing can change except an arrival or a refresh falling due,
//! which are events of their own, so the result equals a cycle-by-cycle scheduler.

use super::config::{DramConfig, DramTiming, PagePolicy, Scheduler};
use crate::memory::MemCounts;

/// A DRAM command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CommandKind {
    /// Activate (open) a row.
    Act,
    /// Precharge (close) a bank, on the command bus.
    Pre,
    /// Auto-precharge after a column command (closed-page policy; no command-bus slot).
    PreAuto,
    /// Read burst.
    Rd,
    /// Write burst.
    Wr,
    /// All-bank refresh of a rank.
    Ref,
}

/// One issued command, for checking and tracing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandRecord {
    /// Issue cycle (model clock).
    pub cycle: u64,
    /// (Pseudo-)channel.
    pub channel: u32,
    /// Command.
    pub kind: CommandKind,
    /// Rank.
    pub rank: u32,
    /// Bank group (0 for REF).
    pub bank_group: u32,
    /// Bank within its group (0 for REF).
    pub bank: u32,
    /// Row (ACT, RD, WR; 0 otherwise).
    pub row: u32,
}

/// One burst for a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChanBurst {
    pub arrival: u64,
    pub rank: u32,
    pub bank_group: u32,
    pub bank: u32,
    pub row: u32,
    pub write: bool,
}

/// When a burst was served (cycles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BurstDone {
    /// Cycle of its RD/WR command.
    pub issue: u64,
    /// First data beat.
    pub data_start: u64,
    /// End of its data.
    pub done: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Bank {
    open: Option<u32>,
    fresh: bool,
    next_act: u64,
    next_pre: u64,
    next_rd: u64,
    next_wr: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Group {
    next_act: u64,
    next_rd: u64,
    next_wr: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rank {
    next_act: u64,
    next_rd: u64,
    next_wr: u64,
    next_ref: u64,
    acts: [u64; 4],
    n_acts: u64,
    ref_due: u64,
    ref_block: u64,
}

/// Indices of a burst's bank, bank group and rank in the channel's tables.
#[derive(Clone, Copy, Debug)]
struct Loc {
    bank: usize,
    group: usize,
    rank: usize,
}

/// What the scheduler decided to do.
#[derive(Clone, Copy, Debug)]
enum Action {
    Act(usize),
    Pre(usize),
    Col(usize),
    RefPre(usize),
    Ref(u32),
}

/// State of one (pseudo-)channel, kept between requests.
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    id: u32,
    t: DramTiming,
    cmd: u64,
    groups_per_rank: usize,
    banks_per_group: usize,
    policy: PagePolicy,
    scheduler: Scheduler,
    depth: usize,
    banks: Vec<Bank>,
    groups: Vec<Group>,
    ranks: Vec<Rank>,
    /// Earliest cycle of the next command (command bus).
    pub now: u64,
    /// End of the last scheduled data transfer.
    pub bus_free: u64,
    last_rank: Option<u32>,
    has_hit: Vec<u64>,
    seen_hit: Vec<u64>,
    seen_miss: Vec<u64>,
    decision: u64,
}

impl Channel {
    /// A channel of `cfg` numbered `id`, all banks closed, refresh of rank `r` first due at
    /// `tREFI + r · tREFI / ranks` (staggered).
    pub(crate) fn new(cfg: &DramConfig, id: u32) -> Self {
        let ranks = cfg.ranks as usize;
        let groups = ranks * cfg.bank_groups as usize;
        let banks = groups * cfg.banks_per_group as usize;
        let t = cfg.timing;
        Channel {
            id,
            t,
            cmd: cfg.command_cycles,
            groups_per_rank: cfg.bank_groups as usize,
            banks_per_group: cfg.banks_per_group as usize,
            policy: cfg.page_policy,
            scheduler: cfg.scheduler,
            depth: cfg.queue_depth as usize,
            banks: vec![Bank::default(); banks],
            groups: vec![Group::default(); groups],
            ranks: (0..ranks as u64)
                .map(|r| Rank {
                    ref_due: t.refi + r * t.refi / ranks as u64,
                    ..Rank::default()
                })
                .collect(),
            now: 0,
            bus_free: 0,
            last_rank: None,
            has_hit: vec![0; banks],
            seen_hit: vec![0; 2 * banks],
            seen_miss: vec![0; banks],
            decision: 0,
        }
    }

    fn bank_index(&self, b: &ChanBurst) -> usize {
        (b.rank as usize * self.groups_per_rank + b.bank_group as usize) * self.banks_per_group
            + b.bank as usize
    }

    fn loc(&self, b: &ChanBurst) -> Loc {
        let group = b.rank as usize * self.groups_per_rank + b.bank_group as usize;
        Loc {
            bank: group * self.banks_per_group + b.bank as usize,
            group,
            rank: b.rank as usize,
        }
    }

    fn group_of(&self, bank: usize) -> usize {
        bank / self.banks_per_group
    }

    fn rank_of(&self, bank: usize) -> usize {
        bank / (self.banks_per_group * self.groups_per_rank)
    }

    /// The row open in the bank of `b`, if any.
    pub(crate) fn open_row(&self, b: &ChanBurst) -> Option<u32> {
        self.banks[self.bank_index(b)].open
    }

    /// Turns refresh off (for steady-state calibration).
    pub(crate) fn disable_refresh(&mut self) {
        for r in &mut self.ranks {
            r.ref_due = u64::MAX;
        }
    }

    /// When rank `rank`'s next refresh is due.
    pub(crate) fn ref_due(&self, rank: usize) -> u64 {
        self.ranks[rank].ref_due
    }

    fn earliest_act(&self, l: Loc) -> u64 {
        let r = &self.ranks[l.rank];
        let faw = if r.n_acts >= 4 {
            r.acts[(r.n_acts % 4) as usize] + self.t.faw
        } else {
            0
        };
        self.now
            .max(self.banks[l.bank].next_act)
            .max(r.next_act)
            .max(self.groups[l.group].next_act)
            .max(faw)
            .max(r.ref_block)
    }

    fn earliest_col(&self, l: Loc, write: bool) -> u64 {
        let (r, g, b) = (
            &self.ranks[l.rank],
            &self.groups[l.group],
            &self.banks[l.bank],
        );
        let gap = match self.last_rank {
            Some(x) if x as usize != l.rank => self.t.rtrs,
            _ => 0,
        };
        let (lat, own) = if write {
            (self.t.cwl, b.next_wr.max(r.next_wr).max(g.next_wr))
        } else {
            (self.t.cl, b.next_rd.max(r.next_rd).max(g.next_rd))
        };
        self.now
            .max(own)
            .max((self.bus_free + gap).saturating_sub(lat))
    }

    fn record(
        &self,
        log: &mut Option<&mut Vec<CommandRecord>>,
        cycle: u64,
        kind: CommandKind,
        bank: usize,
        row: u32,
    ) {
        if let Some(log) = log.as_deref_mut() {
            let g = self.group_of(bank);
            log.push(CommandRecord {
                cycle,
                channel: self.id,
                kind,
                rank: self.rank_of(bank) as u32,
                bank_group: (g % self.groups_per_rank) as u32,
                bank: (bank % self.banks_per_group) as u32,
                row,
            });
        }
    }

    fn do_act(&mut self, at: u64, l: Loc, row: u32) {
        let t = self.t;
        let (rank, group) = (l.rank, l.group);
        let b = &mut self.banks[l.bank];
        b.open = Some(row);
        b.fresh = true;
        b.next_rd = at + t.rcd;
        b.next_wr = at + t.rcd;
        b.next_pre = b.next_pre.max(at + t.ras);
        let r = &mut self.ranks[rank];
        r.next_act = r.next_act.max(at + t.rrd_s);
        r.acts[(r.n_acts % 4) as usize] = at;
        r.n_acts += 1;
        let g = &mut self.groups[group];
        g.next_act = g.next_act.max(at + t.rrd_l);
    }

    fn do_pre(&mut self, at: u64, bank: usize) {
        let rank = self.rank_of(bank);
        let b = &mut self.banks[bank];
        b.open = None;
        b.next_act = b.next_act.max(at + self.t.rp);
        let r = &mut self.ranks[rank];
        r.next_ref = r.next_ref.max(at + self.t.rp);
    }

    /// Issues the column command of `burst` at `at`; returns (data start, data end) and
    /// whether it was a row hit.
    fn do_col(&mut self, at: u64, l: Loc, write: bool) -> (u64, u64, bool) {
        let t = self.t;
        let (rank, group) = (l.rank, l.group);
        let b = &mut self.banks[l.bank];
        let hit = !b.fresh;
        b.fresh = false;
        let r = &mut self.ranks[rank];
        let g = &mut self.groups[group];
        let lat = if write {
            b.next_pre = b.next_pre.max(at + t.wr_to_pre());
            r.next_wr = r.next_wr.max(at + t.ccd_s);
            g.next_wr = g.next_wr.max(at + t.ccd_l);
            r.next_rd = r.next_rd.max(at + t.wr_to_rd_s());
            g.next_rd = g.next_rd.max(at + t.wr_to_rd_l());
            t.cwl
        } else {
            b.next_pre = b.next_pre.max(at + t.rtp);
            r.next_rd = r.next_rd.max(at + t.ccd_s);
            g.next_rd = g.next_rd.max(at + t.ccd_l);
            r.next_wr = r.next_wr.max(at + t.rd_to_wr());
            t.cl
        };
        self.bus_free = at + lat + t.burst;
        self.last_rank = Some(rank as u32);
        (at + lat, at + lat + t.burst, hit)
    }

    fn do_ref(&mut self, at: u64, rank: u32) {
        let t = self.t;
        let r = &mut self.ranks[rank as usize];
        r.ref_block = at + t.rfc;
        r.ref_due += t.refi;
        let per_rank = self.groups_per_rank * self.banks_per_group;
        let first = rank as usize * per_rank;
        for b in &mut self.banks[first..first + per_rank] {
            b.next_act = b.next_act.max(at + t.rfc);
        }
    }

    /// Serves `bursts` (in arrival order, arrivals non-decreasing) and returns when each
    /// was served. Commands are appended to `log` when given; `counts` accumulates.
    pub(crate) fn run(
        &mut self,
        bursts: &[ChanBurst],
        mut log: Option<&mut Vec<CommandRecord>>,
        counts: &mut MemCounts,
    ) -> Vec<BurstDone> {
        let n = bursts.len();
        let mut done = vec![BurstDone::default(); n];
        let locs: Vec<Loc> = bursts.iter().map(|b| self.loc(b)).collect();
        let mut queue: Vec<usize> = Vec::with_capacity(self.depth);
        let mut next = 0usize;
        let fr = self.scheduler == Scheduler::FrFcfs;
        let n_banks = self.banks.len();
        loop {
            while next < n && queue.len() < self.depth && bursts[next].arrival <= self.now {
                queue.push(next);
                next += 1;
            }
            if queue.is_empty() && next == n {
                break;
            }
            let mut wake = if next < n && queue.len() < self.depth {
                bursts[next].arrival
            } else {
                u64::MAX
            };
            // (cycle, class, age, action): earliest first, then class, then oldest.
            let mut best: Option<(u64, u8, usize, Action)> = None;
            let consider = |best: &mut Option<(u64, u8, usize, Action)>,
                            c: (u64, u8, usize, Action)| {
                if best.is_none_or(|b| (c.0, c.1, c.2) < (b.0, b.1, b.2)) {
                    *best = Some(c);
                }
            };
            let per_rank = self.groups_per_rank * self.banks_per_group;
            for (ri, r) in self.ranks.iter().enumerate() {
                if r.ref_due > self.now {
                    wake = wake.min(r.ref_due);
                    continue;
                }
                let first = ri * per_rank;
                let mut any_open = false;
                for bank in first..first + per_rank {
                    if self.banks[bank].open.is_some() {
                        any_open = true;
                        let e = self.now.max(self.banks[bank].next_pre);
                        consider(&mut best, (e, 0, 0, Action::RefPre(bank)));
                    }
                }
                if !any_open {
                    let e = self.now.max(r.next_ref).max(r.ref_block);
                    consider(&mut best, (e, 0, 0, Action::Ref(ri as u32)));
                }
            }
            self.decision += 1;
            let d = self.decision;
            if fr {
                for &qi in &queue {
                    let bank = locs[qi].bank;
                    if self.banks[bank].open == Some(bursts[qi].row) {
                        self.has_hit[bank] = d;
                    }
                }
            }
            // Requests to one bank share their earliest cycle per command kind, so only
            // the oldest hit (per direction) and the oldest miss of each bank is evaluated.
            for (age, &qi) in queue.iter().enumerate() {
                let b = &bursts[qi];
                let l = locs[qi];
                let due = self.ranks[l.rank].ref_due;
                if due <= self.now {
                    if !fr {
                        break;
                    }
                    continue;
                }
                let cand = match self.banks[l.bank].open {
                    Some(row) if row == b.row => {
                        let slot = l.bank + n_banks * usize::from(b.write);
                        if self.seen_hit[slot] == d {
                            None
                        } else {
                            self.seen_hit[slot] = d;
                            Some((self.earliest_col(l, b.write), 1, Action::Col(qi)))
                        }
                    }
                    _ if self.seen_miss[l.bank] == d => None,
                    Some(_) => {
                        self.seen_miss[l.bank] = d;
                        if fr && self.has_hit[l.bank] == d {
                            None
                        } else {
                            let e = self.now.max(self.banks[l.bank].next_pre);
                            Some((e, 2, Action::Pre(l.bank)))
                        }
                    }
                    None => {
                        self.seen_miss[l.bank] = d;
                        Some((self.earliest_act(l), 2, Action::Act(qi)))
                    }
                };
                if let Some((e, class, action)) = cand
                    && e < due
                {
                    consider(&mut best, (e, class, age, action));
                }
                if !fr || best.is_some_and(|b| b.0 == self.now && b.1 <= 1) {
                    // FCFS looks at the oldest request only; a hit issuable now cannot be
                    // beaten by a younger request.
                    break;
                }
            }
            let Some((at, _, _, action)) = best.filter(|b| b.0 < wake) else {
                if wake == u64::MAX {
                    break; // nothing can happen: cannot occur with valid timings
                }
                self.now = self.now.max(wake);
                continue;
            };
            self.now = at + self.cmd;
            match action {
                Action::Act(qi) => {
                    let l = locs[qi];
                    self.do_act(at, l, bursts[qi].row);
                    counts.activates += 1;
                    counts.row_misses += 1;
                    self.record(&mut log, at, CommandKind::Act, l.bank, bursts[qi].row);
                }
                Action::Pre(bank) | Action::RefPre(bank) => {
                    self.do_pre(at, bank);
                    counts.precharges += 1;
                    self.record(&mut log, at, CommandKind::Pre, bank, 0);
                }
                Action::Ref(rank) => {
                    self.do_ref(at, rank);
                    counts.refreshes += 1;
                    if let Some(log) = log.as_deref_mut() {
                        log.push(CommandRecord {
                            cycle: at,
                            channel: self.id,
                            kind: CommandKind::Ref,
                            rank,
                            bank_group: 0,
                            bank: 0,
                            row: 0,
                        });
                    }
                }
                Action::Col(qi) => {
                    let b = bursts[qi];
                    let l = locs[qi];
                    let bank = l.bank;
                    let (start, end, hit) = self.do_col(at, l, b.write);
                    let kind = if b.write {
                        counts.write_bursts += 1;
                        CommandKind::Wr
                    } else {
                        counts.read_bursts += 1;
                        CommandKind::Rd
                    };
                    if hit {
                        counts.row_hits += 1;
                    }
                    self.record(&mut log, at, kind, bank, b.row);
                    done[qi] = BurstDone {
                        issue: at,
                        data_start: start,
                        done: end,
                    };
                    queue.retain(|&q| q != qi);
                    if self.policy == PagePolicy::Closed
                        && !queue
                            .iter()
                            .any(|&q| locs[q].bank == bank && bursts[q].row == b.row)
                    {
                        let p = self.banks[bank].next_pre;
                        self.do_pre(p, bank);
                        counts.precharges += 1;
                        self.record(&mut log, p, CommandKind::PreAuto, bank, 0);
                    }
                }
            }
        }
        done
    }

    /// After a steady-state (fast-path) transfer: the channel is busy until `end` (cycle
    /// of its last column command + 1) with data until `data_end`; every bank is left
    /// precharged at `end`, and refreshes due before `end` are marked done.
    pub(crate) fn skip_to(&mut self, end: u64, data_end: u64) {
        let t = self.t;
        self.now = self.now.max(end);
        self.bus_free = self.bus_free.max(data_end);
        for b in &mut self.banks {
            b.open = None;
            b.fresh = false;
            b.next_act = b.next_act.max(end + t.rp);
            b.next_pre = b.next_pre.max(end);
        }
        for r in &mut self.ranks {
            r.next_ref = r.next_ref.max(end + t.rp);
            if r.ref_due < end {
                r.ref_due += (end - r.ref_due).div_ceil(t.refi) * t.refi;
            }
        }
    }
}
