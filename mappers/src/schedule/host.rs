//! Transfers over the host link (`[host]`, `arch::host`).
//!
//! On a platform with a host, assignment puts an operator on the platform's own units when
//! one can run it and on the host's GPU or CPU otherwise ([`crate::cost::PlatformCosts`]
//! orders the candidates). Every dependency whose producer and consumer sit on different
//! sides is an activation crossing the host link: one **transfer task** per (producer,
//! direction) on the `host_link` unit, carrying the producer's output tensor
//! (`out_bytes`, whoever consumes it on the other side) in
//! `α + bytes ÷ bandwidth` (`arch::host::Host::transfer_time`) at `bytes × pJ/byte`
//! (energy line `host_link.transfer`). Consumers on the other side wait for the transfer.
//!
//! Sides: GPU, CPU and the host devices' interconnect are the host; the PE array,
//! nonlinear unit, DMA, crossbar and associative processor are the platform's own. PIM
//! is neither: its kernels (`arch::pim`) already move their input vectors in and their
//! results out over the devices' external interface (bank PIM's channel buses, UPMEM's
//! measured host↔DPU rates), so no transfer is added around a PIM task. The link is one
//! lane, shared by both directions (transfers in a decode step form a dependency chain,
//! so they rarely overlap).
//!
//! With several host devices (`devices > 1`), the all-reduce tensor parallelism puts after
//! a row-parallel product is dropped when the product ran on the platform's own units
//! (whole, as in-memory units run for every device).
//!
//! AttAcc's `[pim.attention] host_platform` ([`arch::host::HostRole::AttentionOffload`])
//! adds no tasks here: its PIM attention estimate already charges the query in and the
//! context out over the same link.

use arch::host::{Host, HostRole};

use super::{Schedule, Task};
use crate::cost::{Bound, EnergyItem, UnitKind};

/// Which side of the host link a unit is on: `Some(true)` the host, `Some(false)` the
/// platform's own units, `None` for edges no transfer is added to (the link itself, and
/// PIM, whose kernels charge their own inputs and outputs over its external interface).
fn on_host(u: UnitKind) -> Option<bool> {
    match u {
        UnitKind::Gpu | UnitKind::Cpu | UnitKind::Interconnect => Some(true),
        UnitKind::HostLink | UnitKind::Pim => None,
        _ => Some(false),
    }
}

/// Inserts a transfer task for every activation that crosses the host link (see the
/// module docs). Returns the bytes moved.
pub fn insert_transfers(s: &mut Schedule, host: &Host) -> u64 {
    if host.role != HostRole::Fallback {
        return 0;
    }
    drop_own_all_reduces(s);
    let n = s.tasks.len();
    // transfer[p]: the index of p's output transfer, once made.
    let mut transfer: Vec<Option<usize>> = vec![None; n];
    let mut moved = 0;
    for ci in 0..n {
        if !s.tasks[ci].alive {
            continue;
        }
        let Some(c_host) = on_host(s.tasks[ci].unit) else {
            continue;
        };
        let deps = s.tasks[ci].deps.clone();
        let mut new_deps = Vec::with_capacity(deps.len());
        for d in deps {
            let p = &s.tasks[d];
            let crosses = p.alive && on_host(p.unit).is_some_and(|p_host| p_host != c_host);
            if !crosses {
                new_deps.push(d);
                continue;
            }
            let ti = match transfer[d] {
                Some(t) => t,
                None => {
                    let bytes = p.out_bytes;
                    let t = link_task(p, d, bytes, c_host, host);
                    moved += bytes;
                    s.tasks.push(t);
                    let ti = s.tasks.len() - 1;
                    transfer[d] = Some(ti);
                    ti
                }
            };
            new_deps.push(ti);
        }
        new_deps.sort_unstable();
        new_deps.dedup();
        s.tasks[ci].deps = new_deps;
    }
    if moved > 0 {
        s.notes.push(format!(
            "host link ({} × {}): operators the platform's own units cannot run go to the \
             host; {} activations cross at {:.1} GB/s, {:.2} µs and {} pJ/B per transfer",
            host.devices,
            host.platform,
            bytes_text(moved),
            host.link_bytes_per_s as f64 / 1e9,
            host.link_latency.as_secs_f64() * 1e6,
            host.link_pj_per_byte
        ));
    }
    moved
}

/// With several host devices, tensor parallelism puts an all-reduce after every
/// row-parallel product; a product on the platform's own units ran whole (in-memory units
/// are one system shared by every device), so its all-reduce is dropped and its consumers
/// wait on the product itself.
fn drop_own_all_reduces(s: &mut Schedule) {
    for i in 0..s.tasks.len() {
        let t = &s.tasks[i];
        let own_producer = match t.deps.as_slice() {
            [d] => on_host(s.tasks[*d].unit) == Some(false),
            _ => false,
        };
        if !(t.alive && t.unit == UnitKind::Interconnect && own_producer) {
            continue;
        }
        let d = t.deps[0];
        s.tasks[i].alive = false;
        for other in s.tasks.iter_mut() {
            for x in other.deps.iter_mut() {
                if *x == i {
                    *x = d;
                }
            }
        }
    }
}

fn link_task(p: &Task, pi: usize, bytes: u64, to_host: bool, host: &Host) -> Task {
    let energy = vec![EnergyItem::new(
        "host_link",
        "transfer",
        host.transfer_pj(bytes),
    )];
    Task::communication(
        if to_host { "to_host" } else { "from_host" },
        UnitKind::HostLink,
        (host.transfer_time(bytes), Bound::Memory, energy),
        (p.part, p.layer),
        pi,
        bytes,
    )
}

fn bytes_text(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.2} MiB of", b as f64 / f64::from(1u32 << 20))
    } else {
        format!("{:.1} KiB of", b as f64 / 1024.0)
    }
}
