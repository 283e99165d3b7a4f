//! A three-stage pipeline of servers with different initiation intervals, fed by a
//! link, simulated on the event engine; prints timing, utilisation and energy, and writes
//! a Chrome/Perfetto trace to `pipeline-trace.json`.
//!
//! Run: `cargo run --release -p sim-core --example pipeline`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sim_core::{
    ActionId, ClockDomain, CompId, Component, Ctx, Link, PipelinedServer, Simulation, Time,
};

enum Msg {
    /// An item of `bytes` arrives.
    Item { id: u32, bytes: u64 },
    /// The last stage finished an item.
    Done,
}

/// A link feeding the first stage.
struct Feeder {
    clock: ClockDomain,
    link: Link,
    next: CompId,
}

impl Component<Msg> for Feeder {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        let Msg::Item { id, bytes } = msg else { return };
        let t = self
            .link
            .transfer(self.clock.next_edge_cycle(ctx.now()), bytes);
        let (start, arrive) = (
            self.clock.cycles_to_time(t.start),
            self.clock.cycles_to_time(t.arrive),
        );
        ctx.add_busy(self.clock.cycles_to_time(t.free - t.start));
        ctx.trace(start, arrive, || format!("load {id}"));
        ctx.send_at(self.next, arrive, Msg::Item { id, bytes });
    }
}

struct Stage {
    clock: ClockDomain,
    server: PipelinedServer,
    op: ActionId,
    next: Option<CompId>,
}

impl Component<Msg> for Stage {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        let Msg::Item { id, bytes } = msg else {
            ctx.count("completed", 1);
            return;
        };
        let i = self.server.issue(self.clock.next_edge_cycle(ctx.now()));
        let (start, done) = (
            self.clock.cycles_to_time(i.start),
            self.clock.cycles_to_time(i.done),
        );
        ctx.add_busy(self.clock.cycles_to_time(self.server.ii()));
        ctx.energy().record(self.op, 1);
        ctx.trace(start, done, || format!("item {id}"));
        match self.next {
            Some(n) => ctx.send_at(n, done, Msg::Item { id, bytes }),
            None => ctx.send_at(ctx.me(), done, Msg::Done),
        }
    }
}

fn main() {
    let core = ClockDomain::from_ghz(1.0).unwrap();
    let mem = ClockDomain::from_ghz(1.6).unwrap();
    let mut sim = Simulation::new();
    sim.enable_trace();
    // (name, latency, II, pJ per op), built back to front.
    let specs = [
        ("exp", 4, 2, 1.5),
        ("mul", 3, 1, 1.1),
        ("load-align", 1, 1, 0.1),
    ];
    let mut next = None;
    for (name, lat, ii, pj) in specs {
        // The id the component is about to get (ids are dense, in order of addition).
        let c_id = CompId(sim.names().len() as u32);
        let op = sim
            .energy_mut()
            .define_action(c_id, name, "op", pj)
            .unwrap();
        let c = sim.add_component(
            name,
            Stage {
                clock: core,
                server: PipelinedServer::new(lat, ii, 1).unwrap(),
                op,
                next,
            },
        );
        sim.energy_mut().set_leakage_mw(c, name, 2.0);
        next = Some(c);
    }
    let feeder = sim.add_component(
        "link",
        Feeder {
            clock: mem,
            link: Link::new(32, 20).unwrap(),
            next: next.unwrap(),
        },
    );
    let n = 1000;
    for id in 0..n {
        sim.schedule(feeder, Time::ZERO, Msg::Item { id, bytes: 64 })
            .unwrap();
    }
    let run = sim.run().unwrap();
    println!(
        "simulated {} events; {} items done at {} ({:.3} µs)",
        run.events,
        n,
        run.end_time,
        run.end_time.as_us_f64()
    );
    for (i, name) in sim.names().iter().enumerate() {
        let u = sim.stats().utilization(CompId(i as u32), run.end_time);
        println!("  {name:<11} utilisation {:>6.2} %", 100.0 * u);
    }
    let e = sim.energy().report(run.end_time);
    for (comp, pj) in e.by_component() {
        println!("  {comp:<11} energy {:>10.1} pJ", pj);
    }
    println!("  total energy {:.3} nJ", e.total_pj() / 1e3);
    let f =
        std::fs::File::create("pipeline-trace.json").expect("cannot create pipeline-trace.json");
    sim.trace()
        .write_chrome_json(sim.names(), std::io::BufWriter::new(f))
        .unwrap();
    println!("trace: pipeline-trace.json (open in https://ui.perfetto.dev)");
}
