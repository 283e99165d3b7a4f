//! Banked storage with ports per bank.

use crate::SimError;

/// Shape and timing of a [`BankedStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankedStoreConfig {
    /// Number of banks (≥ 1).
    pub n_banks: u64,
    /// Ports per bank: accesses one bank can serve at once (≥ 1).
    pub ports_per_bank: u64,
    /// Cycles one access occupies its port (≥ 1).
    pub service_cycles: u64,
    /// Bytes of consecutive address space mapped to one bank before the next (≥ 1):
    /// `bank = (address / interleave_bytes) mod n_banks`.
    pub interleave_bytes: u64,
}

/// Storage split into banks, each with a few ports.
///
/// **Timing rule.** An access to address `a` ready at cycle `r` goes to bank
/// `b = (a / interleave_bytes) mod n_banks`, takes the port of `b` that frees earliest
/// (lowest index on ties), starts at `s = max(r, port_free)` and completes at
/// `s + service_cycles`. Accesses to different banks proceed in parallel; `k` accesses
/// to one single-ported bank take `k × service_cycles` (a bank conflict serialises them).
///
/// ```
/// use sim_core::{BankedStore, BankedStoreConfig};
/// let cfg = BankedStoreConfig { n_banks: 4, ports_per_bank: 1, service_cycles: 2, interleave_bytes: 8 };
/// let mut s = BankedStore::new(cfg).unwrap();
/// assert_eq!(s.access(0, 0).done, 2);  // bank 0
/// assert_eq!(s.access(0, 8).done, 2);  // bank 1, in parallel
/// assert_eq!(s.access(0, 32).done, 4); // bank 0 again: conflict, waits
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankedStore {
    cfg: BankedStoreConfig,
    port_free: Vec<u64>,
    accesses: u64,
    conflict_cycles: u64,
}

/// Where and when one access runs on a [`BankedStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Bank accessed.
    pub bank: u64,
    /// Cycle the access starts.
    pub start: u64,
    /// Cycle it completes.
    pub done: u64,
}

impl BankedStore {
    /// A store with the given shape; every field must be ≥ 1.
    pub fn new(cfg: BankedStoreConfig) -> Result<Self, SimError> {
        for (name, v) in [
            ("n_banks", cfg.n_banks),
            ("ports_per_bank", cfg.ports_per_bank),
            ("service_cycles", cfg.service_cycles),
            ("interleave_bytes", cfg.interleave_bytes),
        ] {
            if v == 0 {
                return Err(SimError::InvalidResource {
                    what: format!("BankedStore {name} must be >= 1"),
                });
            }
        }
        let ports = cfg.n_banks.checked_mul(cfg.ports_per_bank).ok_or_else(|| {
            SimError::InvalidResource {
                what: "BankedStore n_banks x ports_per_bank overflows".into(),
            }
        })?;
        Ok(BankedStore {
            cfg,
            port_free: vec![0; ports as usize],
            accesses: 0,
            conflict_cycles: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &BankedStoreConfig {
        &self.cfg
    }

    /// The bank holding byte address `addr`.
    pub fn bank_of(&self, addr: u64) -> u64 {
        (addr / self.cfg.interleave_bytes) % self.cfg.n_banks
    }

    /// Accesses byte address `addr`, ready at cycle `ready` (see the timing rule).
    #[inline]
    pub fn access(&mut self, ready: u64, addr: u64) -> Access {
        let bank = self.bank_of(addr);
        let p = self.cfg.ports_per_bank as usize;
        let base = bank as usize * p;
        let ports = &mut self.port_free[base..base + p];
        let mut best = 0;
        for (i, f) in ports.iter().enumerate() {
            if *f < ports[best] {
                best = i;
            }
        }
        let start = ready.max(ports[best]);
        let done = start.saturating_add(self.cfg.service_cycles);
        ports[best] = done;
        self.accesses += 1;
        self.conflict_cycles = self.conflict_cycles.saturating_add(start - ready);
        Access { bank, start, done }
    }

    /// Accesses so far.
    pub fn accesses(&self) -> u64 {
        self.accesses
    }

    /// Total cycles accesses waited for a busy port (bank-conflict stalls).
    pub fn conflict_cycles(&self) -> u64 {
        self.conflict_cycles
    }
}
