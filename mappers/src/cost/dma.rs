//! Data movement (embedding gathers, concatenation, unquantised KV-cache appends) on an
//! accelerator: a DMA engine moves the bytes between DRAM and the buffers at the probed
//! sequential rates (level 3: no tiles to simulate; gathers are treated as sequential).

use sim_core::Time;

use super::{Bound, EnergyItem, OpCost, PlatformCosts, UnitKind, secs};
use crate::MapError;
use crate::work::Work;

/// Cost of moving `w`'s bytes.
pub fn cost(pc: &PlatformCosts<'_>, w: &Work) -> Result<OpCost, MapError> {
    let (read, written) = match *w {
        Work::Move(m) => (m.read_bytes, m.write_bytes),
        _ => {
            return Err(MapError::CannotRun {
                platform: pc.platform.name.clone(),
                op: w.class().into(),
                kind: w.class().into(),
                reason: "the DMA engine only moves data".into(),
            });
        }
    };
    let t = secs(pc.mem.seconds(read, written));
    let roof = secs((read + written) as f64 / pc.mem.peak_bytes_per_s.max(1.0));
    Ok(OpCost {
        unit: UnitKind::Dma,
        time: t,
        compute_time: Time::ZERO,
        memory_time: t,
        launch_time: Time::ZERO,
        roofline: roof.min(t),
        dram_read: read,
        dram_written: written,
        onchip_bytes: 0,
        energy: vec![EnergyItem::new(
            "dram",
            "access",
            pc.mem.energy_pj(read, written),
        )],
        fidelity: 3,
        bound: Bound::Memory,
        mapping: None,
    })
}
