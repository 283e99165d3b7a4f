//! Property tests: every command log obeys every timing rule (checked by the independent
//! checker), bytes are conserved, FCFS completes in order, and every burst is served.

use arch::dram::{
    BurstRequest, DramConfig, DramModel, DramSpec, Fidelity, Scheduler, check_log, preset_names,
};
use arch::memory::{AccessPattern, MemRequest};
use proptest::prelude::*;
use sim_core::Time;

const MAPPINGS: [&str; 4] = ["RoRaBaCoBgCh", "RoBaRaCoCh", "RoCoRaBaBgCh", "ChRaBaRoCoBg"];

/// A small configuration: a preset with few rows (so random addresses hit and conflict),
/// optionally two ranks, any scheduler, page policy, mapping and queue depth.
fn config() -> impl Strategy<Value = DramConfig> {
    (
        0..preset_names().len(),
        any::<bool>(),
        any::<bool>(),
        0..MAPPINGS.len(),
        prop_oneof![Just(2u32), Just(8), Just(32)],
        any::<bool>(),
    )
        .prop_map(|(p, fcfs, closed, mapping, depth, two_ranks)| {
            DramSpec {
                preset: preset_names()[p].into(),
                channels: Some(1),
                rows: Some(4),
                ranks: Some(if two_ranks { 2 } else { 1 }),
                scheduler: Some(if fcfs { "fcfs" } else { "fr-fcfs" }.into()),
                page_policy: Some(if closed { "closed" } else { "open" }.into()),
                address_mapping: Some(MAPPINGS[mapping].into()),
                queue_depth: Some(depth),
                // Short refresh interval so that refreshes interleave with the bursts.
                t_refi: Some(2000),
                t_rfc: Some(300),
                ..Default::default()
            }
            .resolve("dram")
            .unwrap()
        })
}

fn bursts() -> impl Strategy<Value = Vec<(u64, u64, bool)>> {
    proptest::collection::vec((0u64..40, 0u64..1 << 20, any::<bool>()), 1..80)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_command_obeys_every_timing_rule(cfg in config(), raw in bursts()) {
        let mut m = DramModel::new(cfg.clone());
        m.enable_log();
        let mut arrival = 0;
        let reqs: Vec<BurstRequest> = raw
            .iter()
            .map(|&(gap, addr, write)| {
                arrival += gap;
                BurstRequest { arrival_cycle: arrival, addr: addr % cfg.capacity_bytes(), write }
            })
            .collect();
        let (res, counts) = m.simulate_bursts(&reqs);
        let log = m.take_log();
        prop_assert_eq!(check_log(&cfg, &log), Ok(()));
        prop_assert_eq!(counts.read_bursts + counts.write_bursts, reqs.len() as u64);
        let t = cfg.timing;
        for (q, r) in reqs.iter().zip(&res) {
            // Served, no earlier than a row hit could be.
            let lat = if q.write { t.cwl } else { t.cl };
            prop_assert!(r.issue_cycle >= q.arrival_cycle);
            prop_assert_eq!(r.done_cycle, r.issue_cycle + lat + t.burst);
        }
        if cfg.scheduler == Scheduler::Fcfs {
            // In order per channel: completions never decrease.
            for ch in 0..cfg.units() as u32 {
                let done: Vec<u64> = res.iter().filter(|r| r.channel == ch).map(|r| r.done_cycle).collect();
                prop_assert!(done.windows(2).all(|w| w[0] <= w[1]), "{:?}", done);
            }
        }
    }

    #[test]
    fn requests_conserve_bytes(
        cfg in config(),
        reqs in proptest::collection::vec(
            (0u64..1 << 22, 1u64..6000, any::<bool>(), prop_oneof![Just(0u64), Just(64), Just(100)], 0u64..200),
            1..6,
        ),
    ) {
        let mut m = DramModel::new(cfg.clone());
        m.enable_log();
        let mut ready = Time::ZERO;
        for (addr, bytes, write, rb, gap_ns) in reqs {
            let pattern = if rb == 0 {
                AccessPattern::Sequential
            } else {
                AccessPattern::Random { request_bytes: rb }
            };
            let req = MemRequest { addr, bytes, write, pattern };
            let s = m.serve(ready, &req, Fidelity::Detailed);
            prop_assert_eq!(s.bytes, bytes);
            let c = s.completion;
            prop_assert_eq!(c.counts.read_bursts + c.counts.write_bursts, s.bursts);
            prop_assert!(s.bursts * cfg.burst_bytes() >= bytes);
            prop_assert!(c.start >= ready && c.done > c.start);
            ready += Time::from_ns(gap_ns);
        }
        prop_assert_eq!(check_log(&cfg, &m.take_log()), Ok(()));
    }
}
