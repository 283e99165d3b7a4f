//! Stream efficiency of the detailed model against hand-derived expectations.

use arch::dram::{DramConfig, DramModel, DramSpec, Fidelity, check_log};
use arch::memory::{AccessPattern, MemRequest};
use sim_core::Time;

use crate::common::{logged, preset, spec};

/// Detailed-model efficiency (bytes / (done × peak)) of one request from time zero.
fn efficiency(cfg: &DramConfig, pattern: AccessPattern, bytes: u64, write: bool) -> f64 {
    let mut m = logged(cfg);
    let s = m.serve(
        Time::ZERO,
        &MemRequest {
            addr: 0,
            bytes,
            write,
            pattern,
        },
        Fidelity::Detailed,
    );
    check_log(cfg, &m.take_log()).unwrap();
    bytes as f64 / s.completion.done.as_secs_f64() / cfg.peak_bytes_per_s()
}

/// Expected cycles to the end of the data of `n` bursts on one channel that issues a
/// column command every `t` cycles after `head` cycles, loses `sigma` cycles at every
/// refresh due at k·tREFI (k ≥ 1) before its last command, and ends `tail` cycles after
/// its last command.
fn stream_cycles(n: u64, t: f64, head: f64, sigma: f64, refi: u64, tail: f64) -> f64 {
    let base = head + (n - 1) as f64 * t;
    let mut last = base;
    for _ in 0..100 {
        let refreshes = (last as u64).saturating_sub(1) / refi;
        last = base + refreshes as f64 * sigma;
    }
    last + tail
}

#[test]
fn ddr4_sequential_stream_reaches_the_expected_fraction_of_peak() {
    // DDR4-3200, default mapping RoRaBaCoBgCh: consecutive bursts rotate over the 4 bank
    // groups, so column commands are tCCD_S = tBURST = 4 cycles apart (tCCD_L = 8 spans
    // two of them). Row switches are hidden: the next rows' PRE + ACT + tRCD
    // (≤ 22 + 1 + 22 + 1 = 46 cycles) is issued when their requests enter the 32-deep
    // queue, 31 × 4 = 124 cycles before they are needed. Refresh (tREFI 12 480): column
    // commands stop at the due time, 16 open banks are precharged one per cycle (15 cycles
    // after the first; the last RD's tRTP = 12 < 15), REF tRP = 22 later, the rank is
    // blocked tRFC = 560, then ACT (1) and tRCD = 22; on average the stream had half a
    // burst period (2) left: σ = 15 + 22 + 560 + 22 + 1 − 2 = 618 cycles per refresh,
    // i.e. ≈ 1 − 618/12 480 = 95.0 % of peak (refresh alone would cost tRFC/tREFI = 4.5 %).
    let cfg = preset("DDR4-3200");
    let n = (4u64 << 20) / 64;
    // ACT at cycle 0, first RD at tRCD = 22; the last data ends tCL + tBURST = 26 after
    // the last RD.
    let cycles = stream_cycles(n, 4.0, 22.0, 618.0, 12_480, 22.0 + 4.0);
    let expected = (n * 4) as f64 / cycles;
    let got = efficiency(&cfg, AccessPattern::Sequential, 4 << 20, false);
    assert!(
        (got / expected - 1.0).abs() < 0.01,
        "got {got:.4}, expected {expected:.4}"
    );
    assert!(got < 1.0 - 560.0 / 12_480.0);
    assert!((expected - 0.9505).abs() < 0.005, "{expected}");
}

#[test]
fn hbm2e_sequential_stream_reaches_the_expected_fraction_of_peak() {
    // One HBM2E channel (2 pseudo-channels of 64 bits, 32-byte bursts, tBURST = 2 cycles at
    // 1.6 GHz). Bank groups rotate per burst: tCCD_S = 2 = tBURST, tCCD_L = 4 over two
    // bursts. Row switches hidden (23 + 1 + 23 + 1 = 48 ≤ 31 × 2 = 62 cycles of
    // look-ahead). Refresh every tREFI = 6240: σ = 15 (16 PREs) + tRP 23 + tRFC 560 +
    // tRCD 23 + 1 − 1 = 621 cycles: ≈ 1 − 621/6240 = 90.0 % of peak.
    let cfg = DramSpec {
        channels: Some(1),
        ..spec("HBM2e")
    }
    .resolve("dram")
    .unwrap();
    let n = (4u64 << 20) / 32 / 2; // bursts per pseudo-channel
    let cycles = stream_cycles(n, 2.0, 23.0, 621.0, 6240, 23.0 + 2.0);
    let expected = (n * 2) as f64 / cycles;
    let got = efficiency(&cfg, AccessPattern::Sequential, 4 << 20, false);
    assert!(
        (got / expected - 1.0).abs() < 0.01,
        "got {got:.4}, expected {expected:.4}"
    );
    assert!((expected - 0.90).abs() < 0.01, "{expected}");
}

#[test]
fn ramulator_mapping_keeps_a_stream_in_one_bank_group() {
    // RoBaRaCoCh (= RoBaBgRaCoCh): a 8 KB row (128 bursts) is read from one bank group, so
    // bursts are tCCD_L = 8 cycles apart: 50 % of peak. FR-FCFS mixes the current and the
    // next row (another bank group, tCCD_S = 4) for at most 2·(Q − 1) = 62 bursts per row:
    // at best 128 bursts per 66·8 + 62·4 = 776 cycles = 66 % of peak. With refresh
    // (≈ 5 %) the result lies between 0.5 × 0.95 and 0.66.
    let cfg = DramSpec {
        address_mapping: Some("RoBaRaCoCh".into()),
        ..spec("DDR4-3200")
    }
    .resolve("dram")
    .unwrap();
    let got = efficiency(&cfg, AccessPattern::Sequential, 2 << 20, false);
    assert!(got > 0.5 * 0.95 && got < 512.0 / 776.0, "{got}");
}

#[test]
fn random_64_byte_reads_reach_far_less() {
    // DDR4-3200: every 64-byte read opens a row. Bounds per read: the data bus needs
    // tBURST = 4 cycles; a rank allows 4 ACTs per tFAW = 34 cycles → 8.5 cycles; tRRD_S
    // = 4; each bank is busy tRC = tRAS + tRP = 74 cycles, 16 banks → 4.6 cycles. The tFAW
    // bound wins: ≤ 4/8.5 = 47.1 % of peak, and refresh (16 PREs + tRP + tRFC ≈ 597 of
    // every 12 480 cycles) takes ≈ 4.8 % of that: ≈ 44.8 %.
    let cfg = preset("DDR4-3200");
    let seq = efficiency(&cfg, AccessPattern::Sequential, 1 << 20, false);
    let rnd = efficiency(
        &cfg,
        AccessPattern::Random { request_bytes: 64 },
        1 << 20,
        false,
    );
    let bound = 4.0 / 8.5;
    let with_refresh = bound * (1.0 - 597.0 / 12_480.0);
    assert!(rnd <= bound, "{rnd}");
    assert!(rnd > 0.9 * with_refresh, "{rnd} vs {with_refresh}");
    assert!(rnd < 0.5 * seq, "{rnd} vs {seq}");

    // HBM2e: a 64-byte read is two 32-byte bursts on two pseudo-channels, one ACT each.
    // tFAW = 48 → 12 cycles per burst against tBURST = 2: ≤ 16.7 % of peak; refresh
    // (15 + 23 + 560 ≈ 598 of 6240 cycles) leaves ≈ 15.1 %.
    let cfg = preset("HBM2e");
    let rnd = efficiency(
        &cfg,
        AccessPattern::Random { request_bytes: 64 },
        1 << 20,
        false,
    );
    let bound = 2.0 / 12.0;
    assert!(rnd <= bound, "{rnd}");
    assert!(rnd > 0.85 * bound * (1.0 - 598.0 / 6240.0), "{rnd}");
}

#[test]
fn closed_page_random_reads_avoid_explicit_precharges() {
    // Under the closed-page policy every random read auto-precharges: no PRE command
    // slots, the same number of activations.
    let cfg = DramSpec {
        page_policy: Some("closed".into()),
        ..spec("DDR4-3200")
    }
    .resolve("dram")
    .unwrap();
    let mut m = DramModel::new(cfg.clone());
    m.enable_log();
    let s = m.serve(
        Time::ZERO,
        &MemRequest {
            addr: 0,
            bytes: 64 * 500,
            write: false,
            pattern: AccessPattern::Random { request_bytes: 64 },
        },
        Fidelity::Detailed,
    );
    let log = m.take_log();
    check_log(&cfg, &log).unwrap();
    use arch::dram::CommandKind;
    let pre = log.iter().filter(|c| c.kind == CommandKind::Pre).count();
    let auto = log
        .iter()
        .filter(|c| c.kind == CommandKind::PreAuto)
        .count() as u64;
    assert_eq!(pre, 0);
    assert_eq!(auto, s.completion.counts.activates);
}
