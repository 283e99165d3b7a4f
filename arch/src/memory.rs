//! The interface between on-chip units and off-chip memory.
//!
//! Unit models (PE arrays, buffers, kernels) move data to and from off-chip memory through
//! the [`OffChipMemory`] trait, so the same kernel can run against an ideal bandwidth
//! model ([`IdealMemory`]: the roofline's memory) or the bank-level DRAM model in
//! [`crate::dram`].

use sim_core::{PS_PER_SECOND, Time};

/// How the bytes of one request are laid out in the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessPattern {
    /// Consecutive addresses from `MemRequest::addr` (a tile row, a weight stream).
    Sequential,
    /// Independent requests of `request_bytes` each at random addresses (gathers, KV
    /// lookups).
    Random {
        /// Bytes per independent request.
        request_bytes: u64,
    },
}

/// One transfer between a unit and off-chip memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemRequest {
    /// First byte address (for `Sequential`; ignored for `Random`).
    pub addr: u64,
    /// Bytes moved.
    pub bytes: u64,
    /// A write (else a read).
    pub write: bool,
    /// Layout of the bytes.
    pub pattern: AccessPattern,
}

/// What the memory did for a request, for energy and statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemCounts {
    /// Row activations.
    pub activates: u64,
    /// Precharges.
    pub precharges: u64,
    /// Read bursts.
    pub read_bursts: u64,
    /// Write bursts.
    pub write_bursts: u64,
    /// Refresh commands issued while the request was served.
    pub refreshes: u64,
    /// Column accesses that hit an open row.
    pub row_hits: u64,
    /// Column accesses that needed an activation.
    pub row_misses: u64,
}

impl MemCounts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &MemCounts) {
        self.activates += other.activates;
        self.precharges += other.precharges;
        self.read_bursts += other.read_bursts;
        self.write_bursts += other.write_bursts;
        self.refreshes += other.refreshes;
        self.row_hits += other.row_hits;
        self.row_misses += other.row_misses;
    }
}

/// When a request was served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemCompletion {
    /// When its first byte moved.
    pub start: Time,
    /// When its last byte arrived.
    pub done: Time,
    /// What the memory did.
    pub counts: MemCounts,
}

/// Off-chip memory as seen by a unit: requests served in the order they are made.
pub trait OffChipMemory {
    /// A short name for reports (`"HBM2e x4"`, `"ideal 1 TB/s"`).
    fn name(&self) -> String;
    /// Peak bandwidth, bytes per second (the roofline's memory roof).
    fn peak_bytes_per_s(&self) -> f64;
    /// Serves `req`, ready at `ready`, after everything issued before it.
    fn access(&mut self, ready: Time, req: &MemRequest) -> MemCompletion;
    /// Energy per action in pJ, by action name (`"activate"`, `"read_burst"`,
    /// `"write_burst"`, `"refresh"`, `"read_byte"`…), matching the names a report uses.
    fn energy_table_pj(&self) -> Vec<(&'static str, f64)>;
    /// Energy of `counts` plus `bytes` moved, pJ.
    fn energy_pj(&self, counts: &MemCounts, bytes_read: u64, bytes_written: u64) -> f64;
    /// The energy of `counts` plus `bytes` moved, by action: `(action, count, pJ per
    /// action)`, in the names of [`OffChipMemory::energy_table_pj`]; the lines add up to
    /// [`OffChipMemory::energy_pj`] (up to rounding). By default one `byte` line: every
    /// byte moved at the average energy per byte.
    fn energy_breakdown_pj(
        &self,
        counts: &MemCounts,
        bytes_read: u64,
        bytes_written: u64,
    ) -> Vec<(&'static str, u64, f64)> {
        let bytes = bytes_read + bytes_written;
        let pj = self.energy_pj(counts, bytes_read, bytes_written);
        if bytes == 0 {
            return Vec::new();
        }
        vec![("byte", bytes, pj / bytes as f64)]
    }
    /// Background (standby/leakage) power, mW.
    fn background_mw(&self) -> f64 {
        0.0
    }
}

/// Memory with a fixed bandwidth and latency and nothing else: the roofline's memory.
///
/// **Timing rule.** A request of `N` bytes ready at `r` starts at `s = max(r, free)`,
/// occupies the interface for `⌈N · 10¹² / B⌉` ps (B in bytes/s) and completes at
/// `s + occupancy + latency`. Energy: `pj_per_byte` per byte moved.
#[derive(Clone, Debug, PartialEq)]
pub struct IdealMemory {
    bytes_per_s: u64,
    latency: Time,
    pj_per_byte: f64,
    free_at: Time,
}

impl IdealMemory {
    /// Memory of `bytes_per_s` (≥ 1) with `latency` and `pj_per_byte` energy per byte.
    pub fn new(bytes_per_s: u64, latency: Time, pj_per_byte: f64) -> Self {
        IdealMemory {
            bytes_per_s: bytes_per_s.max(1),
            latency,
            pj_per_byte,
            free_at: Time::ZERO,
        }
    }

    /// Time `bytes` occupy the interface.
    pub fn occupancy(&self, bytes: u64) -> Time {
        let ps = (bytes as u128 * PS_PER_SECOND as u128).div_ceil(self.bytes_per_s as u128);
        Time::from_ps(u64::try_from(ps).unwrap_or(u64::MAX))
    }
}

impl OffChipMemory for IdealMemory {
    fn name(&self) -> String {
        format!("ideal {:.1} GB/s", self.bytes_per_s as f64 / 1e9)
    }
    fn peak_bytes_per_s(&self) -> f64 {
        self.bytes_per_s as f64
    }
    fn access(&mut self, ready: Time, req: &MemRequest) -> MemCompletion {
        let start = ready.max(self.free_at);
        self.free_at = start + self.occupancy(req.bytes);
        MemCompletion {
            start,
            done: self.free_at + self.latency,
            counts: MemCounts::default(),
        }
    }
    fn energy_table_pj(&self) -> Vec<(&'static str, f64)> {
        vec![("byte", self.pj_per_byte)]
    }
    fn energy_pj(&self, _counts: &MemCounts, bytes_read: u64, bytes_written: u64) -> f64 {
        (bytes_read + bytes_written) as f64 * self.pj_per_byte
    }
    fn energy_breakdown_pj(
        &self,
        _counts: &MemCounts,
        bytes_read: u64,
        bytes_written: u64,
    ) -> Vec<(&'static str, u64, f64)> {
        vec![("byte", bytes_read + bytes_written, self.pj_per_byte)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideal_memory_queues_and_adds_latency() {
        // 1 GB/s = 1 byte per ns: 100 bytes occupy 100 ns, plus 50 ns latency.
        let mut m = IdealMemory::new(1_000_000_000, Time::from_ns(50), 1.0);
        let r = MemRequest {
            addr: 0,
            bytes: 100,
            write: false,
            pattern: AccessPattern::Sequential,
        };
        let a = m.access(Time::ZERO, &r);
        assert_eq!((a.start, a.done), (Time::ZERO, Time::from_ns(150)));
        let b = m.access(Time::ZERO, &r);
        assert_eq!((b.start, b.done), (Time::from_ns(100), Time::from_ns(250)));
        assert_eq!(m.energy_pj(&a.counts, 100, 0), 100.0);
    }
}
