//! On-chip SRAM buffers: capacity, banks, ports, word width, double buffering, and energy
//! per access that grows with capacity ([`crate::tech::sram_access_pj_45nm`]).
//!
//! **Timing rule.** Words are interleaved across banks (`bank = word mod n_banks`), so a
//! sequential stream of `w` words is served at `n_banks × ports_per_bank` words per cycle:
//! [`SramBuffer::stream_cycles`] `= ⌈w / (n_banks · ports)⌉`, plus `latency_cycles` before the
//! first word. [`SramBuffer::simulate_stream`] serves an explicit address list on a
//! [`sim_core::BankedStore`] (bank conflicts serialise); for sequential addresses the two
//! agree (tested).
//!
//! **Double buffering.** With `double_buffered`, the buffer is two halves: one feeds the
//! array while the other is filled, so a tile's working set must fit in half the capacity.
//!
//! **Energy.** One word access to a bank of `size / n_banks` bytes costs the Horowitz-anchored
//! 64-bit energy of that capacity × `word_bits / 64` × the node factor (a banked array
//! touches one bank per access).

use serde::Serialize;
use sim_core::{BankedStore, BankedStoreConfig};

use crate::ArchError;

/// A validated SRAM buffer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SramBuffer {
    /// Capacity, bytes.
    pub size_bytes: u64,
    /// Banks (a power of two).
    pub n_banks: u64,
    /// Ports per bank.
    pub ports_per_bank: u64,
    /// Width of one bank access, bits (a multiple of 8).
    pub word_bits: u64,
    /// Two halves: loads overlap compute.
    pub double_buffered: bool,
    /// Cycles from request to first word.
    pub latency_cycles: u64,
    /// One word read, pJ.
    pub read_pj: f64,
    /// One word write, pJ.
    pub write_pj: f64,
    /// Leakage, mW.
    pub leakage_mw: f64,
}

impl SramBuffer {
    /// Bytes per word.
    pub fn word_bytes(&self) -> u64 {
        (self.word_bits / 8).max(1)
    }

    /// Capacity of one bank, bytes.
    pub fn bank_bytes(&self) -> u64 {
        self.size_bytes / self.n_banks.max(1)
    }

    /// Bytes available to one tile's working set (half when double-buffered).
    pub fn tile_capacity_bytes(&self) -> u64 {
        if self.double_buffered {
            self.size_bytes / 2
        } else {
            self.size_bytes
        }
    }

    /// Peak bytes per cycle, `n_banks · ports · word_bytes`.
    pub fn bytes_per_cycle(&self) -> u64 {
        self.n_banks * self.ports_per_bank * self.word_bytes()
    }

    /// Words touched by `bytes` bytes, `⌈bytes / word_bytes⌉`.
    pub fn words(&self, bytes: u64) -> u64 {
        bytes.div_ceil(self.word_bytes())
    }

    /// Cycles to stream `bytes` sequential bytes (see the timing rule; latency excluded).
    pub fn stream_cycles(&self, bytes: u64) -> u64 {
        self.words(bytes)
            .div_ceil(self.n_banks * self.ports_per_bank)
    }

    /// Serves word accesses at byte addresses `addrs`, all ready at cycle 0, on a banked
    /// store; returns the cycle the last one completes (latency excluded).
    pub fn simulate_stream(&self, addrs: impl IntoIterator<Item = u64>) -> Result<u64, ArchError> {
        let mut store = BankedStore::new(BankedStoreConfig {
            n_banks: self.n_banks,
            ports_per_bank: self.ports_per_bank,
            service_cycles: 1,
            interleave_bytes: self.word_bytes(),
        })?;
        Ok(addrs
            .into_iter()
            .map(|a| store.access(0, a).done)
            .max()
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(n_banks: u64, ports: u64) -> SramBuffer {
        SramBuffer {
            size_bytes: 1 << 20,
            n_banks,
            ports_per_bank: ports,
            word_bits: 64,
            double_buffered: true,
            latency_cycles: 1,
            read_pj: 1.0,
            write_pj: 1.0,
            leakage_mw: 0.0,
        }
    }

    #[test]
    fn sequential_stream_matches_banked_store() {
        for (banks, ports, bytes) in [(1, 1, 64), (4, 1, 1000), (8, 2, 4096), (16, 1, 8)] {
            let b = buf(banks, ports);
            let addrs = (0..b.words(bytes)).map(|w| w * b.word_bytes());
            assert_eq!(
                b.simulate_stream(addrs).unwrap(),
                b.stream_cycles(bytes),
                "{banks} {ports} {bytes}"
            );
        }
        // 1000 bytes = 125 words over 4 banks: ⌈125/4⌉ = 32 cycles.
        assert_eq!(buf(4, 1).stream_cycles(1000), 32);
        // All accesses to one bank serialise: 10 words at stride 4 words on 4 banks.
        let b = buf(4, 1);
        assert_eq!(b.simulate_stream((0..10).map(|i| i * 32)).unwrap(), 10);
        assert_eq!(b.tile_capacity_bytes(), 1 << 19);
    }
}
