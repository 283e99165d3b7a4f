//! Inter-operation buffer management: keep intermediates in the global buffer.
//!
//! A [`RESERVED_DEN`]-th of the global buffer is set aside for tensors passed between
//! operators (the mapping search and the vector chunks use the rest). Walking the tasks
//! in execution order, a producer's output stays on chip when producer and every consumer
//! run on units that read the buffer (PE array, nonlinear unit, DMA), the output is not
//! persistent (KV-cache appends and final outputs go to DRAM), and it fits beside the
//! tensors still live; it is freed after its last consumer. Each kept tensor removes the
//! producer's write and the consumers' reads from DRAM. A task's time becomes
//! `max(compute, memory × remaining/original bytes) + its fixed overhead` (fill/drain), and
//! its DRAM energy shrinks with its bytes.

use super::{Schedule, Task};
use crate::cost::{PlatformCosts, UnitKind, secs};

/// The reserved fraction of the global buffer is `1 / RESERVED_DEN`.
pub const RESERVED_DEN: u64 = 4;

fn on_chip(u: UnitKind) -> bool {
    matches!(u, UnitKind::PeArray | UnitKind::Nonlinear | UnitKind::Dma)
}

/// Removes `r` bytes read and `w` written from a task's DRAM traffic.
pub fn remove_traffic(t: &mut Task, r: u64, w: u64, costs: &PlatformCosts<'_>) {
    let c = &mut t.cost;
    let r = r.min(c.dram_read);
    let w = w.min(c.dram_written);
    let old = c.dram_read + c.dram_written;
    if old == 0 || r + w == 0 {
        return;
    }
    let new = old - r - w;
    let slack = c.time.saturating_sub(c.compute_time.max(c.memory_time));
    let new_mem = secs(c.memory_time.as_secs_f64() * new as f64 / old as f64);
    c.time = c.compute_time.max(new_mem) + slack;
    c.memory_time = new_mem;
    c.dram_read -= r;
    c.dram_written -= w;
    let mut left = costs.mem.energy_pj(r, w);
    for e in c
        .energy
        .iter_mut()
        .filter(|e| e.unit == "dram" && e.action == "access")
    {
        let take = left.min(e.pj);
        e.pj -= take;
        left -= take;
    }
}

/// Keeps what fits on chip (see the module docs).
pub fn keep_on_chip(s: &mut Schedule, costs: &PlatformCosts<'_>) {
    let p = costs.platform;
    let Some(buf) = &p.global_buffer else {
        return;
    };
    if (p.gpu.is_some() || p.cpu.is_some()) && p.host.is_none() {
        return;
    }
    let budget = buf.size_bytes / RESERVED_DEN;
    let n = s.tasks.len();
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in s.tasks.iter().enumerate().filter(|(_, t)| t.alive) {
        for &d in &t.deps {
            if let Some(c) = consumers.get_mut(d) {
                c.push(i);
            }
        }
    }
    let mut live: Vec<(usize, u64)> = Vec::new();
    let mut used = 0u64;
    for (i, cons) in consumers.iter().enumerate() {
        live.retain(|&(last, bytes)| {
            if last < i {
                used -= bytes;
                false
            } else {
                true
            }
        });
        let t = &s.tasks[i];
        if !t.alive
            || !on_chip(t.unit)
            || t.out_bytes == 0
            || t.name.contains("append")
            || cons.is_empty()
            || cons.iter().any(|&c| !on_chip(s.tasks[c].unit))
            || used + t.out_bytes > budget
        {
            continue;
        }
        let bytes = t.out_bytes;
        let last = cons.iter().copied().max().unwrap_or(i);
        used += bytes;
        live.push((last, bytes));
        let before: u64 = std::iter::once(i)
            .chain(cons.iter().copied())
            .map(|j| s.tasks[j].cost.dram_read + s.tasks[j].cost.dram_written)
            .sum();
        remove_traffic(&mut s.tasks[i], 0, bytes, costs);
        for &c in cons {
            remove_traffic(&mut s.tasks[c], bytes, 0, costs);
        }
        let after: u64 = std::iter::once(i)
            .chain(cons.iter().copied())
            .map(|j| s.tasks[j].cost.dram_read + s.tasks[j].cost.dram_written)
            .sum();
        s.buffered_tensors += 1;
        s.buffer_saved_bytes += before - after;
    }
}
