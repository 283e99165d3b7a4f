//! End-to-end tests of the engine. Every expected value is derived by hand in a comment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use sim_core::{
    BankedStore, BankedStoreConfig, ClockDomain, CompId, Component, Ctx, Link, PipelinedServer,
    Simulation, Time,
};

/// A pipeline stage: issues each arriving item on its server and forwards it when done.
struct Stage {
    clock: ClockDomain,
    server: PipelinedServer,
    next: CompId,
}

impl Component<u32> for Stage {
    fn handle(&mut self, item: u32, ctx: &mut Ctx<'_, u32>) {
        let ready = self.clock.next_edge_cycle(ctx.now());
        let issue = self.server.issue(ready);
        let start = self.clock.cycles_to_time(issue.start);
        let done = self.clock.cycles_to_time(issue.done);
        ctx.add_busy(self.clock.cycles_to_time(self.server.ii()));
        ctx.trace(start, done, || format!("item {item}"));
        ctx.send_at(self.next, done, item);
    }
}

/// Records when each item arrives.
#[derive(Default)]
struct Sink {
    arrivals: Vec<(u32, Time)>,
}

impl Component<u32> for Sink {
    fn handle(&mut self, item: u32, ctx: &mut Ctx<'_, u32>) {
        self.arrivals.push((item, ctx.now()));
    }
}

fn three_stage_pipeline(n_items: u32, trace: bool) -> Simulation<u32> {
    let clk = ClockDomain::from_ghz(1.0).unwrap();
    let mut sim = Simulation::new();
    if trace {
        sim.enable_trace();
    }
    let sink = sim.add_component("sink", Sink::default());
    // (latency, II): (1, 2), (3, 4), (2, 1), built back to front.
    let s3 = sim.add_component(
        "s3",
        Stage {
            clock: clk,
            server: PipelinedServer::new(1, 2, 1).unwrap(),
            next: sink,
        },
    );
    let s2 = sim.add_component(
        "s2",
        Stage {
            clock: clk,
            server: PipelinedServer::new(3, 4, 1).unwrap(),
            next: s3,
        },
    );
    let s1 = sim.add_component(
        "s1",
        Stage {
            clock: clk,
            server: PipelinedServer::new(2, 1, 1).unwrap(),
            next: s2,
        },
    );
    for i in 0..n_items {
        sim.schedule(s1, Time::ZERO, i).unwrap();
    }
    sim
}

#[test]
fn pipeline_throughput_is_the_slowest_stage() {
    // Stage 1 (L=2, II=1): item i starts at i, done at i+2.
    // Stage 2 (L=3, II=4): starts at max(i+2, prev+4) = 2+4i, done 5+4i.
    // Stage 3 (L=1, II=2): starts at max(5+4i, prev+2) = 5+4i, done 6+4i.
    // First result at 6 = 2+3+1 (sum of latencies); then one every 4 cycles (max II).
    let mut sim = three_stage_pipeline(10, false);
    let run = sim.run().unwrap();
    let sink = sim.component::<Sink>(CompId(0)).unwrap();
    let expect: Vec<(u32, Time)> = (0..10)
        .map(|i| (i, Time::from_ns(6 + 4 * i as u64)))
        .collect();
    assert_eq!(sink.arrivals, expect);
    assert_eq!(run.end_time, Time::from_ns(42));
    // 10 items enter + 3 hops each = 40 events.
    assert_eq!(run.events, 40);
    // Stage 2 is busy 10 × 4 ns of the 42 ns.
    let u = sim.stats().utilization(CompId(2), run.end_time);
    assert!((u - 40.0 / 42.0).abs() < 1e-12);
}

#[test]
fn link_moves_bytes_and_contends() {
    // 16 B/cycle, 10-cycle latency: 1000 B occupy ⌈1000/16⌉ = 63 cycles → arrive 73.
    let mut l = Link::new(16, 10).unwrap();
    let a = l.transfer(0, 1000);
    assert_eq!((a.start, a.free, a.arrive), (0, 63, 73));
    // A second transfer ready at 0 waits until 63; ⌈500/16⌉ = 32 → arrives 63+32+10 = 105.
    let b = l.transfer(0, 500);
    assert_eq!((b.start, b.arrive), (63, 105));
    // Ready after the link went idle: no queueing.
    let c = l.transfer(200, 16);
    assert_eq!((c.start, c.arrive), (200, 211));
    assert_eq!(l.bytes_moved(), 1516);
    assert_eq!(l.busy_cycles(), 63 + 32 + 1);
    // A fractional rate: 12.8 B/cycle = 64 B per 5 cycles; 100 B → ⌈100·5/64⌉ = 8 cycles.
    let mut d = Link::with_rate(64, 5, 0).unwrap();
    assert_eq!(d.transfer(0, 100).arrive, 8);
    assert!(Link::new(0, 1).is_err());
}

/// Component in one clock domain that asks a peer in another and records the answer.
struct Requester {
    clock: ClockDomain,
    peer: Option<CompId>,
    answered_at_cycle: Option<u64>,
}

struct Responder {
    clock: ClockDomain,
    requester: CompId,
}

#[derive(Debug)]
enum Msg {
    Start,
    Request,
    Reply,
}

impl Component<Msg> for Requester {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        match msg {
            // Send the request on this domain's edge 3.
            Msg::Start => ctx.send_at(
                self.peer.unwrap(),
                self.clock.cycles_to_time(3),
                Msg::Request,
            ),
            // Take the reply on the first own edge at or after its arrival.
            Msg::Reply => self.answered_at_cycle = Some(self.clock.next_edge_cycle(ctx.now())),
            Msg::Request => unreachable!(),
        }
    }
}

impl Component<Msg> for Responder {
    fn handle(&mut self, _msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        // Two cycles of work starting at the next own edge.
        let done = self.clock.after(ctx.now(), 2);
        ctx.send_at(self.requester, done, Msg::Reply);
    }
}

#[test]
fn two_clock_domains_exchange_messages() {
    // Requester at 1 GHz (1000 ps), responder at 1.6 GHz (625 ps).
    // Request sent at edge 3 = 3000 ps. Responder's next edge ≥ 3000 ps is ⌈3000/625⌉ = 5
    // (3125 ps); two cycles later, edge 7 = 4375 ps, the reply is sent. The requester's
    // first edge ≥ 4375 ps is ⌈4.375⌉ = 5, i.e. 5000 ps.
    let slow = ClockDomain::from_mhz(1000.0).unwrap();
    let fast = ClockDomain::from_ghz(1.6).unwrap();
    let mut sim = Simulation::new();
    let req = sim.add_component(
        "req",
        Requester {
            clock: slow,
            peer: None,
            answered_at_cycle: None,
        },
    );
    let resp = sim.add_component(
        "resp",
        Responder {
            clock: fast,
            requester: req,
        },
    );
    sim.component_mut::<Requester>(req).unwrap().peer = Some(resp);
    sim.schedule(req, Time::ZERO, Msg::Start).unwrap();
    let run = sim.run().unwrap();
    assert_eq!(run.end_time, Time::from_ps(4375));
    assert_eq!(
        sim.component::<Requester>(req).unwrap().answered_at_cycle,
        Some(5)
    );
}

#[test]
fn bank_conflicts_serialise() {
    let cfg = BankedStoreConfig {
        n_banks: 4,
        ports_per_bank: 1,
        service_cycles: 3,
        interleave_bytes: 64,
    };
    // Five requests to bank 2 (addresses 128 + 256·j all map to (addr/64) mod 4 = 2):
    // served back to back, done at 3, 6, 9, 12, 15 = k × service time.
    let mut s = BankedStore::new(cfg).unwrap();
    let done: Vec<u64> = (0..5).map(|j| s.access(0, 128 + 256 * j).done).collect();
    assert_eq!(done, vec![3, 6, 9, 12, 15]);
    assert_eq!(s.conflict_cycles(), 3 + 6 + 9 + 12);
    // Four requests to four different banks all finish after one service time.
    let mut s = BankedStore::new(cfg).unwrap();
    let done: Vec<u64> = (0..4).map(|j| s.access(0, 64 * j).done).collect();
    assert_eq!(done, vec![3, 3, 3, 3]);
    // Two ports per bank: four same-bank requests take two rounds.
    let mut s = BankedStore::new(BankedStoreConfig {
        ports_per_bank: 2,
        ..cfg
    })
    .unwrap();
    let done: Vec<u64> = (0..4).map(|j| s.access(0, 256 * j).done).collect();
    assert_eq!(done, vec![3, 3, 6, 6]);
    assert!(BankedStore::new(BankedStoreConfig { n_banks: 0, ..cfg }).is_err());
}

/// A node that forwards a token to a random peer after a random delay.
struct Hopper {
    rng: Xoshiro256PlusPlus,
    n_nodes: u32,
    hops_left: u32,
}

impl Component<u32> for Hopper {
    fn handle(&mut self, token: u32, ctx: &mut Ctx<'_, u32>) {
        ctx.count("visits", 1);
        if self.hops_left == 0 {
            return;
        }
        self.hops_left -= 1;
        let delay = Time::from_ps(self.rng.random_range(0..5));
        let to = CompId(self.rng.random_range(0..self.n_nodes));
        ctx.trace(ctx.now(), ctx.now() + delay, || format!("token {token}"));
        ctx.send(to, delay, token);
    }
}

fn random_network(seed: u64) -> Simulation<u32> {
    let mut sim = Simulation::new();
    sim.enable_trace();
    for i in 0..8u64 {
        let rng = Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_add(i));
        sim.add_component(
            format!("n{i}"),
            Hopper {
                rng,
                n_nodes: 8,
                hops_left: 200,
            },
        );
    }
    for t in 0..16 {
        sim.schedule(CompId(t % 8), Time::from_ps(t as u64 % 3), t)
            .unwrap();
    }
    sim
}

#[test]
fn same_model_twice_gives_identical_stats_and_trace() {
    let mut a = random_network(42);
    let mut b = random_network(42);
    let ra = a.run().unwrap();
    let rb = b.run().unwrap();
    assert_eq!(ra, rb);
    assert_eq!(a.stats(), b.stats());
    assert_eq!(a.trace(), b.trace());
    assert!(a.trace().spans().len() > 1000);
    let (mut ja, mut jb) = (Vec::new(), Vec::new());
    a.trace().write_chrome_json(a.names(), &mut ja).unwrap();
    b.trace().write_chrome_json(b.names(), &mut jb).unwrap();
    assert_eq!(ja, jb);
}

#[test]
fn run_until_stops_at_the_limit_and_resumes() {
    let mut sim = three_stage_pipeline(10, true);
    let first = sim.run_until(Time::from_ns(20)).unwrap();
    assert_eq!(first.stop, sim_core::StopReason::TimeLimit);
    // Arrivals at 6, 10, 14, 18 ns are before the limit.
    assert_eq!(sim.component::<Sink>(CompId(0)).unwrap().arrivals.len(), 4);
    let rest = sim.run().unwrap();
    assert_eq!(rest.stop, sim_core::StopReason::Drained);
    assert_eq!(rest.end_time, Time::from_ns(42));
    assert_eq!(first.events + rest.events, 40);
    // Spans on one single-lane stage never overlap.
    let mut s2: Vec<_> = sim
        .trace()
        .spans()
        .iter()
        .filter(|s| s.comp == CompId(2))
        .collect();
    s2.sort_by_key(|s| s.start);
    assert_eq!(s2.len(), 10);
    // Stage 2 spans are [2+4i, 5+4i] ns: 3 ns long, 4 ns apart.
    assert!(s2.windows(2).all(|w| w[0].end <= w[1].start));
    assert_eq!(
        (s2[1].start, s2[1].end),
        (Time::from_ns(6), Time::from_ns(9))
    );
}

#[test]
fn errors_inside_a_component_stop_the_run() {
    struct Bad;
    impl Component<()> for Bad {
        fn handle(&mut self, _: (), ctx: &mut Ctx<'_, ()>) {
            ctx.send(CompId(99), Time::ZERO, ());
        }
    }
    let mut sim = Simulation::new();
    let b = sim.add_component("bad", Bad);
    sim.schedule(b, Time::ZERO, ()).unwrap();
    let e = sim.run().unwrap_err();
    assert!(e.to_string().contains("bad"), "{e}");
    assert!(sim.schedule(CompId(5), Time::ZERO, ()).is_err());
}
