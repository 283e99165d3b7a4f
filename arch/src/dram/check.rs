//! An independent checker of a command log against every timing rule.
//!
//! It re-derives each constraint pairwise from the log alone (the most recent earlier
//! command of each kind at bank, bank-group, rank and channel scope), without the
//! scheduler's bookkeeping, so a scheduler bug shows up as a violation here. Used by the
//! property tests; usable on any [`CommandRecord`] log from [`crate::dram::DramModel`].

use std::collections::BTreeMap;

use super::channel::{CommandKind, CommandRecord};
use super::config::DramConfig;

#[derive(Clone, Copy, Debug, Default)]
struct BankHist {
    open: Option<u32>,
    act: Option<u64>,
    pre: Option<u64>,
    rd: Option<u64>,
    wr: Option<u64>,
}

#[derive(Clone, Debug, Default)]
struct RankHist {
    acts: Vec<u64>,
    act_group: BTreeMap<u32, u64>,
    rd: Option<u64>,
    wr: Option<u64>,
    rd_group: BTreeMap<u32, u64>,
    wr_group: BTreeMap<u32, u64>,
    pre: Option<u64>,
    refresh: Option<u64>,
}

fn after(prev: Option<u64>, gap: u64, at: u64) -> bool {
    prev.is_none_or(|p| at >= p + gap)
}

/// Checks `log` (any order; sorted by cycle per channel here) against the timing rules of
/// `cfg`. Returns the first violation as a readable message.
pub fn check_log(cfg: &DramConfig, log: &[CommandRecord]) -> Result<(), String> {
    let mut by_channel: BTreeMap<u32, Vec<CommandRecord>> = BTreeMap::new();
    for r in log {
        by_channel.entry(r.channel).or_default().push(*r);
    }
    for (ch, mut cmds) in by_channel {
        cmds.sort_by_key(|r| r.cycle);
        check_channel(cfg, ch, &cmds)?;
    }
    Ok(())
}

fn check_channel(cfg: &DramConfig, ch: u32, cmds: &[CommandRecord]) -> Result<(), String> {
    let t = cfg.timing;
    let mut banks: BTreeMap<(u32, u32, u32), BankHist> = BTreeMap::new();
    let mut ranks: BTreeMap<u32, RankHist> = BTreeMap::new();
    let mut last_cmd: Option<u64> = None;
    let mut data_end: Option<(u64, u32)> = None;
    for c in cmds {
        let at = c.cycle;
        let fail = |rule: &str| {
            Err(format!(
                "channel {ch}: {:?} at cycle {at} violates {rule}",
                c
            ))
        };
        if c.kind != CommandKind::PreAuto {
            if !after(last_cmd, cfg.command_cycles, at) {
                return fail("the command bus (one command per command_cycles)");
            }
            last_cmd = Some(at);
        }
        let r = ranks.entry(c.rank).or_default();
        if c.kind == CommandKind::Ref {
            let open = banks
                .iter()
                .any(|((rk, _, _), b)| *rk == c.rank && b.open.is_some());
            if open {
                return fail("REF needs every bank of the rank precharged");
            }
            if !after(r.pre, t.rp, at) {
                return fail("PRE -> REF >= tRP");
            }
            if !after(r.refresh, t.rfc, at) {
                return fail("REF -> REF >= tRFC");
            }
            r.refresh = Some(at);
            continue;
        }
        let b = banks.entry((c.rank, c.bank_group, c.bank)).or_default();
        match c.kind {
            CommandKind::Act => {
                if b.open.is_some() {
                    return fail("ACT needs a precharged bank");
                }
                if !after(b.pre, t.rp, at) {
                    return fail("PRE -> ACT >= tRP");
                }
                if !after(b.act, t.rc(), at) {
                    return fail("ACT -> ACT (same bank) >= tRC");
                }
                if !after(r.acts.last().copied(), t.rrd_s, at) {
                    return fail("ACT -> ACT (rank) >= tRRD_S");
                }
                if !after(r.act_group.get(&c.bank_group).copied(), t.rrd_l, at) {
                    return fail("ACT -> ACT (bank group) >= tRRD_L");
                }
                if r.acts.len() >= 4 && !after(Some(r.acts[r.acts.len() - 4]), t.faw, at) {
                    return fail("four ACTs within tFAW");
                }
                if !after(r.refresh, t.rfc, at) {
                    return fail("REF -> ACT >= tRFC");
                }
                b.open = Some(c.row);
                b.act = Some(at);
                r.acts.push(at);
                r.act_group.insert(c.bank_group, at);
            }
            CommandKind::Pre | CommandKind::PreAuto => {
                if b.open.is_none() {
                    return fail("PRE of a precharged bank");
                }
                if !after(b.act, t.ras, at) {
                    return fail("ACT -> PRE >= tRAS");
                }
                if !after(b.rd, t.rtp, at) {
                    return fail("RD -> PRE >= tRTP");
                }
                if !after(b.wr, t.wr_to_pre(), at) {
                    return fail("WR -> PRE >= tCWL + tBURST + tWR");
                }
                b.open = None;
                b.pre = Some(at);
                r.pre = Some(r.pre.map_or(at, |p| p.max(at)));
            }
            CommandKind::Rd | CommandKind::Wr => {
                let write = c.kind == CommandKind::Wr;
                if b.open != Some(c.row) {
                    return fail("a column command needs its row open");
                }
                if !after(b.act, t.rcd, at) {
                    return fail("ACT -> RD/WR >= tRCD");
                }
                let (same_r, same_g) = if write {
                    (r.wr, r.wr_group.get(&c.bank_group))
                } else {
                    (r.rd, r.rd_group.get(&c.bank_group))
                };
                if !after(same_r, t.ccd_s, at) {
                    return fail("column -> column (rank) >= tCCD_S");
                }
                if !after(same_g.copied(), t.ccd_l, at) {
                    return fail("column -> column (bank group) >= tCCD_L");
                }
                if write {
                    if !after(r.rd, t.rd_to_wr(), at) {
                        return fail("RD -> WR >= tCL + tBURST + 2 - tCWL");
                    }
                } else {
                    if !after(r.wr, t.wr_to_rd_s(), at) {
                        return fail("WR -> RD >= tCWL + tBURST + tWTR_S");
                    }
                    if !after(r.wr_group.get(&c.bank_group).copied(), t.wr_to_rd_l(), at) {
                        return fail("WR -> RD (bank group) >= tCWL + tBURST + tWTR_L");
                    }
                }
                let start = at + if write { t.cwl } else { t.cl };
                if let Some((end, rank)) = data_end {
                    let gap = if rank != c.rank { t.rtrs } else { 0 };
                    if start < end + gap {
                        return fail("the data bus (bursts overlap, or tRTRS between ranks)");
                    }
                }
                let end = start + t.burst;
                data_end = Some(data_end.map_or((end, c.rank), |(e, rk)| {
                    if end >= e { (end, c.rank) } else { (e, rk) }
                }));
                if write {
                    b.wr = Some(at);
                    r.wr = Some(at);
                    r.wr_group.insert(c.bank_group, at);
                } else {
                    b.rd = Some(at);
                    r.rd = Some(at);
                    r.rd_group.insert(c.bank_group, at);
                }
            }
            CommandKind::Ref => {}
        }
    }
    Ok(())
}
