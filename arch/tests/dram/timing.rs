//! Command timing of single requests, FR-FCFS versus FCFS, and refresh.

use arch::dram::{BurstRequest, CommandKind, DramModel, DramSpec, check_log, preset_names};
use arch::memory::{AccessPattern, MemRequest, OffChipMemory};
use sim_core::Time;

use crate::common::{addr, logged, preset, spec};

fn read(arrival_cycle: u64, addr: u64) -> BurstRequest {
    BurstRequest {
        arrival_cycle,
        addr,
        write: false,
    }
}

#[test]
fn closed_bank_hit_and_conflict_latencies() {
    for name in preset_names() {
        let cfg = preset(name);
        let t = cfg.timing;
        let mut m = logged(&cfg);
        // (1) Closed bank at cycle 0: ACT at 0, RD at tRCD, data ends tCL + tBURST later.
        let (r, _) = m.simulate_bursts(&[read(0, addr(&cfg, 0, 0, 0, 0))]);
        assert_eq!(r[0].done_cycle, t.rcd + t.cl + t.burst, "{name} closed");
        // (2) Row hit at cycle 1000 (tRAS, tCCD long satisfied): RD at 1000.
        let (r, _) = m.simulate_bursts(&[read(1000, addr(&cfg, 0, 0, 0, 1))]);
        assert_eq!(r[0].done_cycle, 1000 + t.cl + t.burst, "{name} hit");
        // (3) Row conflict at 2000: PRE at 2000, ACT at +tRP, RD at +tRCD.
        let (r, _) = m.simulate_bursts(&[read(2000, addr(&cfg, 0, 0, 1, 0))]);
        assert_eq!(
            r[0].done_cycle,
            2000 + t.rp + t.rcd + t.cl + t.burst,
            "{name} conflict"
        );
        let log = m.take_log();
        let kinds: Vec<CommandKind> = log.iter().map(|c| c.kind).collect();
        use CommandKind::*;
        assert_eq!(kinds, [Act, Rd, Rd, Pre, Act, Rd], "{name}");
        check_log(&cfg, &log).unwrap();
    }
}

#[test]
fn a_request_through_the_trait_reports_picoseconds() {
    // HBM2e: 1.6 GHz clock (625 ps). A 32-byte read of a closed bank: tRCD 23 + tCL 23 +
    // tBURST 2 = 48 cycles = 30 000 ps; its data starts at 46 cycles.
    let mut m = spec("HBM2e").build("dram").unwrap();
    let c = m.access(
        Time::ZERO,
        &MemRequest {
            addr: 0,
            bytes: 32,
            write: false,
            pattern: AccessPattern::Sequential,
        },
    );
    assert_eq!(c.start, Time::from_ps(46 * 625));
    assert_eq!(c.done, Time::from_ps(48 * 625));
    assert_eq!((c.counts.activates, c.counts.read_bursts), (1, 1));
    // A write: tRCD 23 + tCWL 7 + tBURST 2 after an arrival at 100 ns (cycle 160).
    let mut m = spec("HBM2e").build("dram").unwrap();
    let c = m.access(
        Time::from_ns(100),
        &MemRequest {
            addr: 0,
            bytes: 32,
            write: true,
            pattern: AccessPattern::Sequential,
        },
    );
    assert_eq!(c.done, Time::from_ps((160 + 23 + 7 + 2) * 625));
}

#[test]
fn fr_fcfs_serves_a_later_row_hit_before_an_earlier_miss() {
    for sched in ["fr-fcfs", "fcfs"] {
        let s = DramSpec {
            scheduler: Some(sched.into()),
            ..spec("DDR4-3200")
        };
        let cfg = s.resolve("dram").unwrap();
        let t = cfg.timing;
        let mut m = logged(&cfg);
        m.simulate_bursts(&[read(0, addr(&cfg, 0, 0, 0, 0))]);
        // At cycle 500 the older request X misses (row 1), the younger Y hits row 0.
        let (r, _) = m.simulate_bursts(&[
            read(500, addr(&cfg, 0, 0, 1, 0)),
            read(500, addr(&cfg, 0, 0, 0, 5)),
        ]);
        let (x, y) = (r[0].done_cycle, r[1].done_cycle);
        if sched == "fr-fcfs" {
            // Y issues at once; X's PRE waits for Y's RD + tRTP (the row had a hit
            // queued), then tRP, ACT, tRCD.
            assert_eq!(y, 500 + t.cl + t.burst);
            assert_eq!(x, 500 + t.rtp + t.rp + t.rcd + t.cl + t.burst);
            assert!(y < x);
        } else {
            // Strict order: X first (PRE at 500, ACT at 500 + tRP), then Y reopens row 0:
            // PRE no earlier than X's RD + tRTP and X's ACT + tRAS, then tRP and tRCD.
            assert_eq!(x, 500 + t.rp + t.rcd + t.cl + t.burst);
            let (x_act, x_rd) = (500 + t.rp, 500 + t.rp + t.rcd);
            let pre = (x_rd + t.rtp).max(x_act + t.ras);
            assert_eq!(y, pre + t.rp + t.rcd + t.cl + t.burst);
            assert!(x < y);
        }
        check_log(&cfg, &m.take_log()).unwrap();
    }
}

#[test]
fn refresh_costs_trfc_every_trefi() {
    // DDR4-3200 with tREFI shortened to 3000 cycles so that a 1 MiB stream (16 384 bursts,
    // ≥ 65 536 cycles) crosses about 23 refreshes.
    let s = DramSpec {
        t_refi: Some(3000),
        ..spec("DDR4-3200")
    };
    let cfg = s.resolve("dram").unwrap();
    let t = cfg.timing;
    let mut m = logged(&cfg);
    let served = m.serve(
        Time::ZERO,
        &MemRequest {
            addr: 0,
            bytes: 1 << 20,
            write: false,
            pattern: AccessPattern::Sequential,
        },
        arch::dram::Fidelity::Detailed,
    );
    let log = m.take_log();
    check_log(&cfg, &log).unwrap();
    let refs: Vec<u64> = log
        .iter()
        .filter(|c| c.kind == CommandKind::Ref)
        .map(|c| c.cycle)
        .collect();
    let last_rd = log
        .iter()
        .filter(|c| c.kind == CommandKind::Rd)
        .map(|c| c.cycle)
        .max()
        .unwrap();
    // One refresh per tREFI boundary before the last command: due at k·3000.
    assert_eq!(refs.len() as u64, last_rd / 3000);
    assert_eq!(served.completion.counts.refreshes, refs.len() as u64);
    for (k, &f) in refs.iter().enumerate() {
        let due = (k as u64 + 1) * 3000;
        // Issued after its due time, within the drain: the last RD's tRTP or tRAS of the
        // youngest row, one PRE per open bank (16), and tRP.
        assert!(f >= due && f <= due + t.ras + 16 + t.rp, "REF {k} at {f}");
        // No ACT, and so no data, for tRFC after it.
        assert!(
            !log.iter()
                .any(|c| c.kind == CommandKind::Act && c.cycle > f && c.cycle < f + t.rfc),
            "ACT within tRFC of REF {k}"
        );
        let before = log
            .iter()
            .filter(|c| c.kind == CommandKind::Rd && c.cycle < f)
            .map(|c| c.cycle)
            .max()
            .unwrap();
        let after = log
            .iter()
            .filter(|c| c.kind == CommandKind::Rd && c.cycle > f)
            .map(|c| c.cycle)
            .min()
            .unwrap();
        // The data stream pauses for at least tRP + tRFC + tRCD around each refresh.
        assert!(after - before >= t.rp + t.rfc + t.rcd, "gap {k}");
    }
}

#[test]
fn refreshes_falling_in_idle_time_are_counted_with_the_next_request() {
    let cfg = preset("HBM2");
    let refi = cfg.timing.refi;
    let mut m = logged(&cfg);
    let req = MemRequest {
        addr: 0,
        bytes: 64,
        write: false,
        pattern: AccessPattern::Sequential,
    };
    m.access(Time::ZERO, &req);
    // Ten refresh intervals later (1 GHz clock: cycles = ns).
    let c = m.access(Time::from_ns(10 * refi + 5), &req);
    // 64 bytes = 2 bursts on pseudo-channels 0 and 1, each refreshed 10 times meanwhile.
    assert_eq!(c.counts.refreshes, 20);
    check_log(&cfg, &m.take_log()).unwrap();
}

#[test]
fn requests_are_deterministic() {
    let run = || {
        let mut m = DramModel::new(preset("LPDDR5-6400"));
        let mut out = Vec::new();
        for k in 0..5u64 {
            let c = m.access(
                Time::from_ns(k * 50),
                &MemRequest {
                    addr: k * 4096,
                    bytes: 3000,
                    write: k % 2 == 1,
                    pattern: AccessPattern::Random { request_bytes: 64 },
                },
            );
            out.push((c.start, c.done, c.counts));
        }
        out
    };
    assert_eq!(run(), run());
}

#[test]
fn the_checker_catches_violations() {
    let cfg = preset("DDR4-3200");
    let t = cfg.timing;
    let mut m = logged(&cfg);
    m.simulate_bursts(&[
        read(0, addr(&cfg, 0, 0, 0, 0)),
        read(0, addr(&cfg, 1, 0, 0, 0)),
        read(0, addr(&cfg, 0, 0, 0, 1)),
    ]);
    let log = m.take_log();
    check_log(&cfg, &log).unwrap();
    // Each tampering breaks one rule.
    let find = |k: CommandKind, n: usize| {
        log.iter()
            .enumerate()
            .filter(|(_, c)| c.kind == k)
            .nth(n)
            .unwrap()
            .0
    };
    let cases: [(usize, i64, &str); 4] = [
        (find(CommandKind::Rd, 0), -1, "tRCD"),
        (find(CommandKind::Act, 1), -(t.rrd_l as i64), "ACT"),
        (find(CommandKind::Rd, 2), -1, "tCCD"),
        (find(CommandKind::Rd, 1), -(t.ccd_s as i64), "column"),
    ];
    for (i, shift, rule) in cases {
        let mut bad = log.clone();
        bad[i].cycle = (bad[i].cycle as i64 + shift) as u64;
        let e = check_log(&cfg, &bad).unwrap_err();
        assert!(e.contains("violates"), "{rule}: {e}");
    }
    // A RD to a row that is not open.
    let mut bad = log.clone();
    let i = find(CommandKind::Rd, 0);
    bad[i].row = 7;
    assert!(check_log(&cfg, &bad).unwrap_err().contains("row open"));
}
