//! Named counters and busy time per component.
//!
//! Counters are kept per component in insertion order (a short vector scanned by name:
//! components have a handful of counters, and iteration order is deterministic). Busy
//! time is a [`Time`] per component; utilisation is busy time divided by elapsed time.
//!
//! ```
//! use sim_core::{CompId, Stats, Time};
//! let mut s = Stats::new();
//! let pe = CompId(0);
//! s.register(pe, "pe_array");
//! s.add(pe, "macs", 64);
//! s.add_busy(pe, Time::from_ns(3));
//! assert_eq!(s.counter_value(pe, "macs"), 64);
//! assert_eq!(s.utilization(pe, Time::from_ns(4)), 0.75);
//! ```

use crate::{CompId, Time};

#[derive(Clone, Debug, Default, PartialEq)]
struct CompStats {
    name: String,
    counters: Vec<(String, u64)>,
    busy: Time,
}

/// Statistics of a simulation: counters and busy time per component.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    comps: Vec<CompStats>,
}

impl Stats {
    /// Empty statistics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names component `id` (components may also be created implicitly, unnamed, by the
    /// first counter that mentions them).
    pub fn register(&mut self, id: CompId, name: &str) {
        self.slot(id).name = name.to_string();
    }

    fn slot(&mut self, id: CompId) -> &mut CompStats {
        let i = id.index();
        if i >= self.comps.len() {
            self.comps.resize_with(i + 1, CompStats::default);
        }
        &mut self.comps[i]
    }

    /// Adds `n` to counter `name` of component `id` (created at zero if new; saturating).
    #[inline]
    pub fn add(&mut self, id: CompId, name: &str, n: u64) {
        let c = self.slot(id);
        if let Some((_, v)) = c.counters.iter_mut().find(|(k, _)| k == name) {
            *v = v.saturating_add(n);
        } else {
            c.counters.push((name.to_string(), n));
        }
    }

    /// The value of counter `name` of component `id` (zero if never counted).
    pub fn counter_value(&self, id: CompId, name: &str) -> u64 {
        self.comps
            .get(id.index())
            .and_then(|c| c.counters.iter().find(|(k, _)| k == name))
            .map_or(0, |(_, v)| *v)
    }

    /// Adds `span` to the busy time of component `id`.
    #[inline]
    pub fn add_busy(&mut self, id: CompId, span: Time) {
        let c = self.slot(id);
        c.busy += span;
    }

    /// Busy time of component `id`.
    pub fn busy(&self, id: CompId) -> Time {
        self.comps.get(id.index()).map_or(Time::ZERO, |c| c.busy)
    }

    /// Busy time ÷ `elapsed` (0 when `elapsed` is zero). May exceed 1 for a component
    /// with parallel lanes that adds each lane's busy time.
    pub fn utilization(&self, id: CompId, elapsed: Time) -> f64 {
        if elapsed == Time::ZERO {
            return 0.0;
        }
        self.busy(id).as_ps() as f64 / elapsed.as_ps() as f64
    }

    /// Every counter as `(component id, component name, counter name, value)`, by
    /// component then insertion order.
    pub fn counters(&self) -> impl Iterator<Item = (CompId, &str, &str, u64)> + '_ {
        self.comps.iter().enumerate().flat_map(|(i, c)| {
            c.counters
                .iter()
                .map(move |(k, v)| (CompId(i as u32), c.name.as_str(), k.as_str(), *v))
        })
    }

    /// The name of component `id` ("" if unnamed).
    pub fn name(&self, id: CompId) -> &str {
        self.comps.get(id.index()).map_or("", |c| c.name.as_str())
    }

    /// Number of components known.
    pub fn n_components(&self) -> usize {
        self.comps.len()
    }
}
