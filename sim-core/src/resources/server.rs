//! A pipelined server with parallel lanes.

use crate::SimError;

/// A pipelined unit: `lanes` identical pipelines, each accepting a new operation every
/// `ii` cycles (initiation interval) and finishing it `latency` cycles after it starts.
///
/// **Timing rule.** An operation ready at cycle `r` takes the lane that frees earliest
/// (lowest index on ties), starts at `s = max(r, lane_free)`, occupies the lane until
/// `s + ii` and completes at `s + latency`. Busy time counts `ii` cycles per operation per
/// lane, so utilisation = busy ÷ (lanes × elapsed).
///
/// ```
/// use sim_core::PipelinedServer;
/// let mut mul = PipelinedServer::new(4, 1, 1).unwrap(); // 4-cycle multiplier, fully pipelined
/// assert_eq!(mul.issue(0).done, 4);
/// assert_eq!(mul.issue(0).done, 5); // next slot one cycle later
/// let mut div = PipelinedServer::new(20, 20, 2).unwrap(); // unpipelined, two dividers
/// assert_eq!(div.issue(0).done, 20);
/// assert_eq!(div.issue(0).done, 20); // second lane
/// assert_eq!(div.issue(0).done, 40); // waits for lane 0
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelinedServer {
    latency: u64,
    ii: u64,
    lane_free: Vec<u64>,
    busy_cycles: u64,
    issued: u64,
}

/// Where and when one operation runs on a [`PipelinedServer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Lane used.
    pub lane: usize,
    /// Cycle the operation starts.
    pub start: u64,
    /// Cycle its result is ready (`start + latency`).
    pub done: u64,
}

impl PipelinedServer {
    /// A server of `latency` cycles, initiation interval `ii` ≥ 1 and `lanes` ≥ 1.
    pub fn new(latency: u64, ii: u64, lanes: usize) -> Result<Self, SimError> {
        if ii == 0 {
            return Err(SimError::InvalidResource {
                what: "PipelinedServer initiation interval must be >= 1 cycle".into(),
            });
        }
        if lanes == 0 {
            return Err(SimError::InvalidResource {
                what: "PipelinedServer needs at least one lane".into(),
            });
        }
        Ok(PipelinedServer {
            latency,
            ii,
            lane_free: vec![0; lanes],
            busy_cycles: 0,
            issued: 0,
        })
    }

    /// Latency in cycles.
    pub fn latency(&self) -> u64 {
        self.latency
    }

    /// Initiation interval in cycles.
    pub fn ii(&self) -> u64 {
        self.ii
    }

    /// Number of lanes.
    pub fn lanes(&self) -> usize {
        self.lane_free.len()
    }

    /// Issues one operation ready at cycle `ready` (see the timing rule).
    #[inline]
    pub fn issue(&mut self, ready: u64) -> Issue {
        let mut lane = 0;
        for (i, f) in self.lane_free.iter().enumerate() {
            if *f < self.lane_free[lane] {
                lane = i;
            }
        }
        let start = ready.max(self.lane_free[lane]);
        self.lane_free[lane] = start.saturating_add(self.ii);
        self.busy_cycles = self.busy_cycles.saturating_add(self.ii);
        self.issued += 1;
        Issue {
            lane,
            start,
            done: start.saturating_add(self.latency),
        }
    }

    /// The first cycle at which some lane can start a new operation.
    pub fn next_free(&self) -> u64 {
        self.lane_free.iter().copied().min().unwrap_or(0)
    }

    /// Lane-cycles spent issuing (ii per operation).
    pub fn busy_cycles(&self) -> u64 {
        self.busy_cycles
    }

    /// Operations issued.
    pub fn issued(&self) -> u64 {
        self.issued
    }

    /// busy ÷ (lanes × `elapsed_cycles`), 0 when nothing elapsed.
    pub fn utilization(&self, elapsed_cycles: u64) -> f64 {
        if elapsed_cycles == 0 {
            return 0.0;
        }
        self.busy_cycles as f64 / (self.lanes() as f64 * elapsed_cycles as f64)
    }
}
