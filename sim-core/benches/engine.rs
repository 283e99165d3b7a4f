//! Engine throughput: the classic *hold* model and a message ping-pong.
//!
//! * `hold/queue/N` — the bare [`EventQueue`] holding N events: pop the earliest, push one
//!   at now + a random delay (uniform 1..=1000 ps). One element = one pop + one push.
//! * `hold/engine/N` — the same through [`Simulation`]: N tokens, each a message to a
//!   component that re-sends it after a random delay. One element = one event handled.
//! * `ping_pong` — two components bouncing one message; one element = one event.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use sim_core::{CompId, Component, Ctx, EventQueue, Simulation, Time};
use std::hint::black_box;

const EVENTS: u64 = 1_000_000;

fn hold_queue(n: usize) -> u64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut q = EventQueue::new();
    for i in 0..n {
        q.push(Time::from_ps(rng.random_range(0..1000)), i as u32)
            .unwrap();
    }
    let mut acc = 0u64;
    for _ in 0..EVENTS {
        let (t, v) = q.pop().unwrap();
        acc = acc.wrapping_add(v as u64);
        q.push(t + Time::from_ps(rng.random_range(1..=1000)), v)
            .unwrap();
    }
    acc
}

struct Holder {
    rng: Xoshiro256PlusPlus,
    remaining: u64,
}

impl Component<u32> for Holder {
    fn handle(&mut self, token: u32, ctx: &mut Ctx<'_, u32>) {
        if self.remaining > 0 {
            self.remaining -= 1;
            let d = Time::from_ps(self.rng.random_range(1..=1000));
            ctx.send(ctx.me(), d, token);
        }
    }
}

fn hold_engine(n: usize) -> u64 {
    let mut sim = Simulation::new();
    let h = sim.add_component(
        "holder",
        Holder {
            rng: Xoshiro256PlusPlus::seed_from_u64(2),
            remaining: EVENTS - n as u64,
        },
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    for i in 0..n {
        sim.schedule(h, Time::from_ps(rng.random_range(0..1000)), i as u32)
            .unwrap();
    }
    sim.run().unwrap().events
}

struct Player {
    partner: CompId,
    remaining: u64,
}

impl Component<u64> for Player {
    fn handle(&mut self, n: u64, ctx: &mut Ctx<'_, u64>) {
        if self.remaining > 0 {
            self.remaining -= 1;
            ctx.send(self.partner, Time::from_ps(500), n + 1);
        }
    }
}

fn ping_pong() -> u64 {
    let mut sim = Simulation::new();
    let a = sim.add_component(
        "ping",
        Player {
            partner: CompId(1),
            remaining: EVENTS / 2,
        },
    );
    let _b = sim.add_component(
        "pong",
        Player {
            partner: CompId(0),
            remaining: EVENTS / 2,
        },
    );
    sim.schedule(a, Time::ZERO, 0).unwrap();
    sim.run().unwrap().events
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("hold");
    g.throughput(Throughput::Elements(EVENTS));
    g.sample_size(10);
    for n in [1_000usize, 100_000] {
        g.bench_with_input(BenchmarkId::new("queue", n), &n, |b, &n| {
            b.iter(|| black_box(hold_queue(n)))
        });
        g.bench_with_input(BenchmarkId::new("engine", n), &n, |b, &n| {
            b.iter(|| black_box(hold_engine(n)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("ping_pong");
    g.throughput(Throughput::Elements(EVENTS));
    g.sample_size(10);
    g.bench_function("two_components", |b| b.iter(|| black_box(ping_pong())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
