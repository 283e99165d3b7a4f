//! Matrix products and fused attention on a PE array.
//!
//! A product is mapped by [`crate::mapping::search`] on one of its `batch` instances and
//! the winner runs at level 2 ([`crate::mapping::level2`]) for all of them.
//!
//! **Fused attention** on a PE array runs as QKᵀ (a product), softmax (on the vector
//! unit) and PV (a product), back to back. The scores and probabilities of one
//! (sequence, KV head) stay in the global buffer when they fit in half of it, which
//! removes their off-chip write and read: those bytes, and their time at the probed
//! bandwidth, are subtracted (never below the parts' compute time).

use sim_core::Time;

use super::{Bound, CostModel, MappingInfo, OpCost, PlatformCosts, UnitKind, secs};
use crate::MapError;
use crate::mapping::{level2, search};
use crate::work::{AttentionWork, GemmWork, Work};

/// Cost of `g` on the PE array.
pub fn gemm(pc: &PlatformCosts<'_>, g: &GemmWork) -> Result<OpCost, MapError> {
    let Some(ctx) = pc.pe.as_ref() else {
        return Err(arch::ArchError::Unsupported {
            unit: pc.platform.name.clone(),
            class: "matrix products".into(),
            reason: "the platform has no [pe_array] with a [global_buffer]".into(),
        }
        .into());
    };
    let one = GemmWork { batch: 1, ..*g };
    let found = search::search(ctx, &one, pc.opts.objective, pc.opts.search)?;
    let l2 = level2::run(ctx, g, &found.mapping)?;
    let compute_time = pc.platform.clock.cycles_to_time(l2.compute_cycles);
    let memory_time = secs(pc.mem.seconds(l2.dram_read, l2.dram_written));
    Ok(OpCost {
        unit: UnitKind::PeArray,
        time: l2.time,
        compute_time,
        memory_time,
        launch_time: Time::ZERO,
        roofline: l2.roofline,
        dram_read: l2.dram_read,
        dram_written: l2.dram_written,
        onchip_bytes: l2.sram_read + l2.sram_written,
        energy: l2.energy,
        fidelity: 2,
        bound: if compute_time >= memory_time {
            Bound::Compute
        } else {
            Bound::Memory
        },
        mapping: Some(MappingInfo {
            mapping: found.mapping,
            method: found.method,
            evaluated: found.evaluated,
            space: found.space,
            via: l2.via,
            estimate_s: found.cost.seconds * g.batch.max(1) as f64,
        }),
    })
}

/// Cost of fused attention on the PE array (see the module docs).
pub fn attention(pc: &PlatformCosts<'_>, a: &AttentionWork) -> Result<OpCost, MapError> {
    let scores = a.scores();
    let mut values = a.values();
    values.a_bits = scores.out_bits;
    let qk = gemm(pc, &scores)?;
    let pv = gemm(pc, &values)?;
    let sm_work = Work::Softmax(a.softmax());
    let vu = pc
        .candidates(&sm_work)
        .into_iter()
        .find(|u| matches!(u, UnitKind::PeArray | UnitKind::Nonlinear))
        .ok_or_else(|| MapError::CannotRun {
            platform: pc.platform.name.clone(),
            op: "fused attention".into(),
            kind: "softmax".into(),
            reason: "no nonlinear unit and no bypassable reduction tree whose PEs run exp for \
                     its softmax"
                .into(),
        })?;
    let sm = pc.cost(vu, &sm_work)?;
    let per_product = scores.c_block_bytes(scores.m, scores.n);
    let half = pc.pe.as_ref().map_or(0, |c| c.buffer.size_bytes / 2);
    // Scores written and read, probabilities written and read.
    let saved = if per_product <= half {
        4 * per_product * scores.batch
    } else {
        0
    };
    let mut out = qk.clone();
    out.time = qk.time + sm.time + pv.time;
    out.compute_time = qk.compute_time + sm.compute_time + pv.compute_time;
    out.memory_time = qk.memory_time + sm.memory_time + pv.memory_time;
    out.roofline = qk.roofline.max(pv.roofline);
    out.dram_read = qk.dram_read + sm.dram_read + pv.dram_read;
    out.dram_written = qk.dram_written + sm.dram_written + pv.dram_written;
    let saved_r = saved / 2;
    let saved_w = saved - saved_r;
    let saved_r = saved_r.min(out.dram_read);
    let saved_w = saved_w.min(out.dram_written);
    out.dram_read -= saved_r;
    out.dram_written -= saved_w;
    let dt = secs(pc.mem.seconds(saved_r, saved_w));
    out.time = out.time.saturating_sub(dt).max(out.compute_time);
    out.memory_time = out.memory_time.saturating_sub(dt);
    out.onchip_bytes = qk.onchip_bytes + sm.onchip_bytes + pv.onchip_bytes;
    out.energy = qk.energy;
    out.energy.extend(sm.energy);
    out.energy.extend(pv.energy);
    let dram_pj = pc.mem.energy_pj(saved_r, saved_w);
    out.energy
        .push(super::EnergyItem::new("dram", "saved_on_chip", -dram_pj));
    out.bound = if out.compute_time >= out.memory_time {
        Bound::Compute
    } else {
        Bound::Memory
    };
    Ok(out)
}
