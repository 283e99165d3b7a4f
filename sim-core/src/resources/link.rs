//! A bandwidth-limited link with a fixed latency.

use crate::SimError;

/// A point-to-point link moving `bytes` bytes every `per_cycles` cycles (so fractional
/// bandwidths such as 12.8 B/cycle are exact: 64 bytes per 5 cycles), after a fixed
/// `latency` in cycles.
///
/// **Timing rule.** A transfer of `N` bytes ready at cycle `r` starts at
/// `s = max(r, free)`, occupies the link for `occ = ⌈N · per_cycles / bytes⌉` cycles (so
/// back-to-back transfers queue behind each other, each rounded up on its own) and
/// arrives at `s + latency + occ`. On an idle link, `N` bytes therefore take
/// `latency + ⌈N / bytes_per_cycle⌉` cycles. A zero-byte transfer occupies nothing and
/// arrives after the latency.
///
/// ```
/// use sim_core::Link;
/// let mut l = Link::new(16, 10).unwrap();      // 16 B/cycle, 10-cycle latency
/// let a = l.transfer(0, 100);                  // ⌈100/16⌉ = 7 cycles on the wire
/// assert_eq!((a.start, a.arrive), (0, 17));
/// let b = l.transfer(0, 64);                   // queues until cycle 7, 4 cycles
/// assert_eq!((b.start, b.arrive), (7, 21));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    bytes: u64,
    per_cycles: u64,
    latency: u64,
    free_at: u64,
    busy_cycles: u64,
    bytes_moved: u64,
    transfers: u64,
}

/// When one transfer runs on a [`Link`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Cycle the first byte enters the link.
    pub start: u64,
    /// Cycle the link is free again (`start + occupancy`).
    pub free: u64,
    /// Cycle the last byte arrives (`start + latency + occupancy`).
    pub arrive: u64,
}

impl Link {
    /// A link of `bytes_per_cycle` ≥ 1 bytes per cycle and `latency` cycles.
    pub fn new(bytes_per_cycle: u64, latency: u64) -> Result<Self, SimError> {
        Self::with_rate(bytes_per_cycle, 1, latency)
    }

    /// A link moving `bytes` bytes every `per_cycles` cycles (both ≥ 1).
    pub fn with_rate(bytes: u64, per_cycles: u64, latency: u64) -> Result<Self, SimError> {
        if bytes == 0 || per_cycles == 0 {
            return Err(SimError::InvalidResource {
                what: format!("Link bandwidth {bytes} bytes per {per_cycles} cycles must be > 0"),
            });
        }
        Ok(Link {
            bytes,
            per_cycles,
            latency,
            free_at: 0,
            busy_cycles: 0,
            bytes_moved: 0,
            transfers: 0,
        })
    }

    /// Cycles `n_bytes` occupy the link: `⌈n_bytes · per_cycles / bytes⌉`.
    pub fn occupancy(&self, n_bytes: u64) -> u64 {
        let c = (n_bytes as u128 * self.per_cycles as u128).div_ceil(self.bytes as u128);
        u64::try_from(c).unwrap_or(u64::MAX)
    }

    /// Bandwidth in bytes per cycle (lossy: for reporting).
    pub fn bytes_per_cycle(&self) -> f64 {
        self.bytes as f64 / self.per_cycles as f64
    }

    /// Latency in cycles.
    pub fn latency(&self) -> u64 {
        self.latency
    }

    /// Sends `n_bytes` ready at cycle `ready` (see the timing rule).
    #[inline]
    pub fn transfer(&mut self, ready: u64, n_bytes: u64) -> Transfer {
        let start = ready.max(self.free_at);
        let occ = self.occupancy(n_bytes);
        let free = start.saturating_add(occ);
        self.free_at = free;
        self.busy_cycles = self.busy_cycles.saturating_add(occ);
        self.bytes_moved = self.bytes_moved.saturating_add(n_bytes);
        self.transfers += 1;
        Transfer {
            start,
            free,
            arrive: free.saturating_add(self.latency),
        }
    }

    /// The cycle the link is next free.
    pub fn free_at(&self) -> u64 {
        self.free_at
    }

    /// Cycles the link spent moving data.
    pub fn busy_cycles(&self) -> u64 {
        self.busy_cycles
    }

    /// Bytes moved so far.
    pub fn bytes_moved(&self) -> u64 {
        self.bytes_moved
    }

    /// Transfers so far.
    pub fn transfers(&self) -> u64 {
        self.transfers
    }
}
