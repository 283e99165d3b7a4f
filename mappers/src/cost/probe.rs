//! What the off-chip memory delivers, measured once per platform on its own model.
//!
//! Closed-form costs need a bandwidth and an energy per byte; the DRAM model has neither
//! as a constant (they depend on row hits, refresh, the scheduler). [`MemProbe::of`]
//! serves one sequential read and one sequential write of [`PROBE_BYTES`] on a fresh
//! `Platform::memory()` and keeps the achieved rate and the energy per byte. The rates are
//! what the event-driven execution uses for the shared DRAM link, so a memory-bound
//! operator alone on the platform takes the same time in both.

use arch::Platform;
use arch::memory::{AccessPattern, MemRequest};
use sim_core::Time;

use crate::MapError;

/// Bytes of each probe request (large enough for the DRAM model's calibrated fast path).
pub const PROBE_BYTES: u64 = 8 << 20;

/// Off-chip memory figures of a platform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemProbe {
    /// Peak bandwidth, bytes/s.
    pub peak_bytes_per_s: f64,
    /// Achieved sequential read bandwidth, bytes/s.
    pub read_bytes_per_s: f64,
    /// Achieved sequential write bandwidth, bytes/s.
    pub write_bytes_per_s: f64,
    /// Dynamic energy per byte read, pJ.
    pub read_pj_per_byte: f64,
    /// Dynamic energy per byte written, pJ.
    pub write_pj_per_byte: f64,
    /// Background power, mW.
    pub background_mw: f64,
    /// Latency of one small (64-byte) read on an idle memory.
    pub latency: Time,
}

impl MemProbe {
    /// Probes `p`'s off-chip memory (see the module docs).
    pub fn of(p: &Platform) -> Result<MemProbe, MapError> {
        let probe = |write: bool| -> Result<(f64, f64), MapError> {
            let mut mem = p.memory()?;
            let req = MemRequest {
                addr: 0,
                bytes: PROBE_BYTES,
                write,
                pattern: AccessPattern::Sequential,
            };
            let c = mem.access(Time::ZERO, &req);
            let secs = (c.done - c.start).as_secs_f64().max(1e-15);
            let (r, w) = if write {
                (0, PROBE_BYTES)
            } else {
                (PROBE_BYTES, 0)
            };
            let pj = mem.energy_pj(&c.counts, r, w);
            Ok((PROBE_BYTES as f64 / secs, pj / PROBE_BYTES as f64))
        };
        let (rbw, rpj) = probe(false)?;
        let (wbw, wpj) = probe(true)?;
        let mut mem = p.memory()?;
        let small = MemRequest {
            addr: 0,
            bytes: 64,
            write: false,
            pattern: AccessPattern::Sequential,
        };
        let latency = mem.access(Time::ZERO, &small).done;
        let peak = mem.peak_bytes_per_s();
        Ok(MemProbe {
            peak_bytes_per_s: peak,
            read_bytes_per_s: rbw.min(peak),
            write_bytes_per_s: wbw.min(peak),
            read_pj_per_byte: rpj,
            write_pj_per_byte: wpj,
            background_mw: mem.background_mw(),
            latency,
        })
    }

    /// The memory model tile transfers run against: the platform's own (bank-level
    /// DRAM) when `detailed`, else a [`CalibratedMemory`] at these figures.
    pub fn memory(
        &self,
        p: &Platform,
        detailed: bool,
    ) -> Result<Box<dyn arch::memory::OffChipMemory>, MapError> {
        if detailed {
            Ok(p.memory()?)
        } else {
            Ok(Box::new(CalibratedMemory::new(*self)))
        }
    }

    /// Seconds to move `read` and `written` bytes at the achieved rates.
    pub fn seconds(&self, read: u64, written: u64) -> f64 {
        read as f64 / self.read_bytes_per_s.max(1.0)
            + written as f64 / self.write_bytes_per_s.max(1.0)
    }

    /// Dynamic energy of moving the bytes, pJ.
    pub fn energy_pj(&self, read: u64, written: u64) -> f64 {
        read as f64 * self.read_pj_per_byte + written as f64 * self.write_pj_per_byte
    }
}

/// Off-chip memory at the probed rates: a request of `N` bytes starts when the interface
/// is free, occupies it `N / rate` (read or write rate) and completes after the probed
/// latency of a small read; energy is the probed pJ per byte. It serves tile transfers
/// quickly (`DramTiming::Calibrated`); sequential streams get the same
/// rate as the DRAM model's own steady state.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibratedMemory {
    probe: MemProbe,
    free_at: Time,
}

impl CalibratedMemory {
    /// A memory behaving as `probe` measured.
    pub fn new(probe: MemProbe) -> CalibratedMemory {
        CalibratedMemory {
            probe,
            free_at: Time::ZERO,
        }
    }
}

impl arch::memory::OffChipMemory for CalibratedMemory {
    fn name(&self) -> String {
        format!("calibrated {:.1} GB/s", self.probe.read_bytes_per_s / 1e9)
    }
    fn peak_bytes_per_s(&self) -> f64 {
        self.probe.peak_bytes_per_s
    }
    fn access(&mut self, ready: Time, req: &MemRequest) -> arch::memory::MemCompletion {
        let start = ready.max(self.free_at);
        let rate = if req.write {
            self.probe.write_bytes_per_s
        } else {
            self.probe.read_bytes_per_s
        };
        let occ = (req.bytes as f64 * 1e12 / rate.max(1.0)).ceil() as u64;
        self.free_at = start + Time::from_ps(occ);
        arch::memory::MemCompletion {
            start,
            done: self.free_at + self.probe.latency,
            counts: arch::memory::MemCounts::default(),
        }
    }
    fn energy_table_pj(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("read_byte", self.probe.read_pj_per_byte),
            ("write_byte", self.probe.write_pj_per_byte),
        ]
    }
    fn energy_pj(&self, _counts: &arch::memory::MemCounts, read: u64, written: u64) -> f64 {
        self.probe.energy_pj(read, written)
    }
    fn energy_breakdown_pj(
        &self,
        _counts: &arch::memory::MemCounts,
        read: u64,
        written: u64,
    ) -> Vec<(&'static str, u64, f64)> {
        vec![
            ("read_byte", read, self.probe.read_pj_per_byte),
            ("write_byte", written, self.probe.write_pj_per_byte),
        ]
    }
    fn background_mw(&self) -> f64 {
        self.probe.background_mw
    }
}
