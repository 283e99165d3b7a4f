//! The level-2 engine: tiles move DRAM → global buffer → compute unit → (global buffer →
//! DRAM) as events on a `sim_core::Simulation`.
//!
//! **Rules.** Tiles run in order. Tile `i` is loaded (one off-chip request of its bytes) as
//! soon as its operand slot is free — slot `i mod S`, with `S = 2` when the buffer is
//! double-buffered and 1 otherwise, is free once tile `i − S` has computed. Tile `i`
//! computes when it is loaded, the unit is idle, and — for the first tile of an output
//! block — the block's output slot (`block mod S`) is free, i.e. the store of block
//! `block − S` has completed. After the last tile of a block computes, its output is stored
//! (one off-chip write). Off-chip requests are served in issue order by the
//! [`crate::memory::OffChipMemory`]. Compute starts on the first clock edge at or after it is
//! ready and lasts the tile's closed-form cycles.

use sim_core::{ClockDomain, Component, Ctx, Simulation, Time};

use crate::ArchError;
use crate::memory::{AccessPattern, MemCounts, MemRequest, OffChipMemory};

/// One tile of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileSpec {
    /// Bytes loaded from off-chip before it computes.
    pub load_bytes: u64,
    /// Compute cycles (closed form, level 1).
    pub compute_cycles: u64,
    /// Output block it contributes to.
    pub block: u64,
    /// Bytes stored after it, if it is the last tile of its block (else 0).
    pub store_bytes: u64,
    /// First tile of its block.
    pub first_of_block: bool,
}

/// What the engine measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipelineRun {
    /// Time the last event completed.
    pub end: Time,
    /// Bytes read off-chip.
    pub bytes_read: u64,
    /// Bytes written off-chip.
    pub bytes_written: u64,
    /// Off-chip counters summed over requests.
    pub mem_counts: MemCounts,
    /// Off-chip dynamic energy, pJ.
    pub mem_pj: f64,
    /// `mem_pj` by action: `(action, count, pJ per action)`
    /// ([`OffChipMemory::energy_breakdown_pj`]).
    pub mem_lines: Vec<(&'static str, u64, f64)>,
    /// Cycles the compute unit was busy.
    pub busy_cycles: u64,
    /// Events handled.
    pub events: u64,
}

#[derive(Clone, Copy, Debug)]
enum Msg {
    Start,
    Loaded(usize),
    Computed(usize),
    Stored(u64),
}

struct Engine {
    tiles: Vec<TileSpec>,
    slots: usize,
    clock: ClockDomain,
    mem: Box<dyn OffChipMemory>,
    next_addr: u64,
    next_load: usize,
    loaded: Vec<bool>,
    computed: usize,
    computing: bool,
    next_compute: usize,
    /// Blocks whose store completed (or that needed none), as a count of the oldest.
    stores_done: Vec<bool>,
    run: PipelineRun,
}

impl Engine {
    fn block_free(&self, block: u64) -> bool {
        block < self.slots as u64
            || self
                .stores_done
                .get((block - self.slots as u64) as usize)
                .copied()
                .unwrap_or(false)
    }

    fn issue(&mut self, ctx: &mut Ctx<'_, Msg>) {
        // Loads whose slot is free.
        while self.next_load < self.tiles.len() && self.next_load < self.computed + self.slots {
            let i = self.next_load;
            let bytes = self.tiles[i].load_bytes;
            let done = self.access(ctx.now(), bytes, false);
            ctx.send_at(ctx.me(), done, Msg::Loaded(i));
            self.next_load += 1;
        }
        // Compute.
        let i = self.next_compute;
        if !self.computing && i < self.tiles.len() && self.loaded[i] {
            let t = self.tiles[i];
            if !t.first_of_block || self.block_free(t.block) {
                self.computing = true;
                let start = self.clock.next_edge(ctx.now());
                let end = self.clock.after(start, t.compute_cycles);
                self.run.busy_cycles += t.compute_cycles;
                ctx.add_busy(end - start);
                ctx.send_at(ctx.me(), end, Msg::Computed(i));
            }
        }
    }

    fn access(&mut self, now: Time, bytes: u64, write: bool) -> Time {
        if bytes == 0 {
            return now;
        }
        let req = MemRequest {
            addr: self.next_addr,
            bytes,
            write,
            pattern: AccessPattern::Sequential,
        };
        self.next_addr = self.next_addr.wrapping_add(bytes);
        let c = self.mem.access(now, &req);
        self.run.mem_counts.add(&c.counts);
        if write {
            self.run.bytes_written += bytes;
        } else {
            self.run.bytes_read += bytes;
        }
        c.done.max(now)
    }
}

impl Component<Msg> for Engine {
    fn handle(&mut self, msg: Msg, ctx: &mut Ctx<'_, Msg>) {
        self.run.events += 1;
        self.run.end = self.run.end.max(ctx.now());
        match msg {
            Msg::Start => {}
            Msg::Loaded(i) => self.loaded[i] = true,
            Msg::Computed(i) => {
                self.computing = false;
                self.computed = i + 1;
                self.next_compute = i + 1;
                let t = self.tiles[i];
                let last = self.tiles.get(i + 1).is_none_or(|n| n.block != t.block);
                if last {
                    if t.store_bytes > 0 {
                        let done = self.access(ctx.now(), t.store_bytes, true);
                        ctx.send_at(ctx.me(), done, Msg::Stored(t.block));
                    } else {
                        self.mark_stored(t.block);
                    }
                }
            }
            Msg::Stored(b) => self.mark_stored(b),
        }
        self.issue(ctx);
    }
}

impl Engine {
    fn mark_stored(&mut self, b: u64) {
        let b = b as usize;
        if self.stores_done.len() <= b {
            self.stores_done.resize(b + 1, false);
        }
        self.stores_done[b] = true;
    }
}

/// Runs `tiles` through the pipeline with `slots` buffer slots (1 or 2).
pub fn run_pipeline(
    tiles: Vec<TileSpec>,
    slots: usize,
    clock: ClockDomain,
    mem: Box<dyn OffChipMemory>,
) -> Result<PipelineRun, ArchError> {
    let n = tiles.len();
    let mut sim: Simulation<Msg> = Simulation::new();
    let id = sim.add_component(
        "tile_pipeline",
        Engine {
            tiles,
            slots: slots.max(1),
            clock,
            mem,
            next_addr: 0,
            next_load: 0,
            loaded: vec![false; n],
            computed: 0,
            computing: false,
            next_compute: 0,
            stores_done: Vec::new(),
            run: PipelineRun::default(),
        },
    );
    sim.schedule(id, Time::ZERO, Msg::Start)?;
    sim.run()?;
    let eng = sim
        .component_mut::<Engine>(id)
        .ok_or_else(|| ArchError::Invalid {
            key: "kernel".into(),
            message: "pipeline component lost".into(),
        })?;
    if eng.computed != n {
        return Err(ArchError::Invalid {
            key: "kernel".into(),
            message: format!("pipeline stalled after {} of {n} tiles", eng.computed),
        });
    }
    let mut run = std::mem::take(&mut eng.run);
    run.mem_pj = eng
        .mem
        .energy_pj(&run.mem_counts, run.bytes_read, run.bytes_written);
    run.mem_lines = eng
        .mem
        .energy_breakdown_pj(&run.mem_counts, run.bytes_read, run.bytes_written);
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::IdealMemory;

    fn tile(load: u64, compute: u64, block: u64, store: u64, first: bool) -> TileSpec {
        TileSpec {
            load_bytes: load,
            compute_cycles: compute,
            block,
            store_bytes: store,
            first_of_block: first,
        }
    }

    #[test]
    fn double_buffering_overlaps_loads_with_compute() {
        // 1 GB/s = 1 byte/ns, no latency; 1 GHz clock. Three tiles: load 100 B (100 ns),
        // compute 150 cycles (150 ns), each its own block storing 50 B.
        let clk = ClockDomain::from_ghz(1.0).unwrap();
        let tiles = vec![
            tile(100, 150, 0, 50, true),
            tile(100, 150, 1, 50, true),
            tile(100, 150, 2, 50, true),
        ];
        let mem = || Box::new(IdealMemory::new(1_000_000_000, Time::ZERO, 0.0));
        // Double-buffered: loads 0–100 and 100–200; compute 0 at 100–250; at 250 store 0
        // (issued first) runs 250–300, load 2 300–400, compute 1 250–400; compute 2
        // 400–550 (block 2 needs block 0's store: done at 300); stores 1 and 2 at 400–450
        // and 550–600. End 600 ns.
        let r = run_pipeline(tiles.clone(), 2, clk, mem()).unwrap();
        assert_eq!(r.end, Time::from_ns(600));
        assert_eq!(
            (r.bytes_read, r.bytes_written, r.busy_cycles),
            (300, 150, 450)
        );
        // Single buffer: load 0–100, compute 100–250, store 250–300 and load 250..: the
        // store is issued first (Computed handler) so load 2 runs 300–400, compute 400–550,
        // store 550–600, load 600–700, compute 700–850, store 850–900.
        let r = run_pipeline(tiles, 1, clk, mem()).unwrap();
        assert_eq!(r.end, Time::from_ns(900));
    }
}
