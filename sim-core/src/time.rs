//! Simulated time and clock domains.
//!
//! Time is an integer count of picoseconds ([`Time`]), so arithmetic is exact and two runs
//! can never disagree through floating-point rounding. A [`ClockDomain`] holds a frequency
//! in hertz and converts between its cycles and picoseconds.
//!
//! # Rounding rule
//! Edge `n` of a domain of frequency `f` lies at the real instant `n · 10¹² / f` ps. It is
//! placed at the **first whole picosecond at or after** that instant:
//! `edge(n) = ⌈n · 10¹² / f⌉`. Edges are computed from `n` directly (never by adding a
//! rounded period), so rounding never accumulates: edge 3·10⁹ of a 3 GHz clock is exactly
//! one second (see the tests). Conversely, [`ClockDomain::cycles_at`] gives the
//! number of edges strictly after time zero that are at or before `t`
//! (`⌊t · f / 10¹²⌋`, consistent with `edge` because `edge(n) ≤ t ⇔ n ≤ t·f/10¹²`), and
//! [`ClockDomain::next_edge_cycle`] the first edge at or after `t`, so that
//! `next_edge_cycle(edge(n)) = n` for every `n`.
//!
//! ```
//! use sim_core::{ClockDomain, Time};
//! let ddr = ClockDomain::from_ghz(1.6).unwrap(); // period 625 ps exactly
//! let core = ClockDomain::from_mhz(1000.0).unwrap(); // period 1000 ps
//! assert_eq!(ddr.cycles_to_time(8), Time::from_ps(5_000));
//! assert_eq!(core.cycles_at(Time::from_ps(5_000)), 5);
//! ```

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

use crate::SimError;

/// Picoseconds in one second.
pub const PS_PER_SECOND: u64 = 1_000_000_000_000;

/// A point in (or a span of) simulated time, in picoseconds.
///
/// `u64` picoseconds cover about 213 days of simulated time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

impl Time {
    /// Time zero.
    pub const ZERO: Time = Time(0);
    /// The largest representable time (used as "no limit").
    pub const MAX: Time = Time(u64::MAX);

    /// A time of `ps` picoseconds.
    pub const fn from_ps(ps: u64) -> Self {
        Time(ps)
    }
    /// A time of `ns` nanoseconds (saturating).
    pub const fn from_ns(ns: u64) -> Self {
        Time(ns.saturating_mul(1_000))
    }
    /// A time of `us` microseconds (saturating).
    pub const fn from_us(us: u64) -> Self {
        Time(us.saturating_mul(1_000_000))
    }
    /// This time in picoseconds.
    pub const fn as_ps(self) -> u64 {
        self.0
    }
    /// This time in seconds (lossy: for reporting only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / PS_PER_SECOND as f64
    }
    /// This time in microseconds (lossy: for reporting and traces).
    pub fn as_us_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// `self + rhs`, saturating at [`Time::MAX`].
    pub const fn saturating_add(self, rhs: Time) -> Time {
        Time(self.0.saturating_add(rhs.0))
    }
    /// `self - rhs`, or zero if `rhs` is later.
    pub const fn saturating_sub(self, rhs: Time) -> Time {
        Time(self.0.saturating_sub(rhs.0))
    }
}

impl Add for Time {
    type Output = Time;
    /// Saturating addition (simulated time never wraps).
    fn add(self, rhs: Time) -> Time {
        self.saturating_add(rhs)
    }
}

impl AddAssign for Time {
    fn add_assign(&mut self, rhs: Time) {
        *self = *self + rhs;
    }
}

impl Sub for Time {
    type Output = Time;
    /// Saturating subtraction (a span is never negative).
    fn sub(self, rhs: Time) -> Time {
        self.saturating_sub(rhs)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ps", self.0)
    }
}

/// A clock of a fixed frequency, converting its cycles to and from [`Time`] exactly
/// (see the module docs for the rounding rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClockDomain {
    freq_hz: u64,
}

impl ClockDomain {
    /// A clock of `freq_hz` hertz. Errors if the frequency is zero or above 1 THz (a period
    /// under one picosecond cannot be represented).
    pub fn from_hz(freq_hz: u64) -> Result<Self, SimError> {
        if freq_hz == 0 || freq_hz > PS_PER_SECOND {
            return Err(SimError::InvalidFrequency { hz: freq_hz as f64 });
        }
        Ok(ClockDomain { freq_hz })
    }

    /// A clock of `mhz` megahertz, rounded to the nearest hertz. Errors on a frequency
    /// that is not finite, ≤ 0, or above 1 THz.
    pub fn from_mhz(mhz: f64) -> Result<Self, SimError> {
        Self::from_hz_f64(mhz * 1e6)
    }

    /// A clock of `ghz` gigahertz, rounded to the nearest hertz (same errors as
    /// [`ClockDomain::from_mhz`]).
    pub fn from_ghz(ghz: f64) -> Result<Self, SimError> {
        Self::from_hz_f64(ghz * 1e9)
    }

    fn from_hz_f64(hz: f64) -> Result<Self, SimError> {
        if !hz.is_finite() || hz < 0.5 || hz > PS_PER_SECOND as f64 {
            return Err(SimError::InvalidFrequency { hz });
        }
        Self::from_hz(hz.round() as u64)
    }

    /// The frequency in hertz.
    pub const fn freq_hz(&self) -> u64 {
        self.freq_hz
    }

    /// The frequency in megahertz (lossy: for reporting).
    pub fn freq_mhz(&self) -> f64 {
        self.freq_hz as f64 / 1e6
    }

    /// The period in picoseconds, rounded up (exact when the period is a whole number of
    /// picoseconds, e.g. 1000 ps at 1 GHz, 625 ps at 1.6 GHz).
    pub fn period_ps(&self) -> u64 {
        self.cycles_to_time(1).as_ps()
    }

    /// The instant of edge `cycles`: `⌈cycles · 10¹² / f⌉` ps (saturating).
    pub fn cycles_to_time(&self, cycles: u64) -> Time {
        let num = cycles as u128 * PS_PER_SECOND as u128;
        let ps = num.div_ceil(self.freq_hz as u128);
        Time(u64::try_from(ps).unwrap_or(u64::MAX))
    }

    /// Number of edges in `(0, t]`: `⌊t · f / 10¹²⌋`, i.e. complete cycles elapsed at `t`.
    pub fn cycles_at(&self, t: Time) -> u64 {
        let c = (t.0 as u128 * self.freq_hz as u128) / PS_PER_SECOND as u128;
        u64::try_from(c).unwrap_or(u64::MAX)
    }

    /// Index of the first edge at or after `t`: the smallest `n` with `edge(n) ≥ t`.
    /// Since `⌈x⌉ ≥ t ⇔ x > t − 1` for whole `t`, that is `⌊(t − 1) · f / 10¹²⌋ + 1` for
    /// `t ≥ 1`, and 0 at time zero.
    pub fn next_edge_cycle(&self, t: Time) -> u64 {
        if t.0 == 0 {
            return 0;
        }
        let c = ((t.0 - 1) as u128 * self.freq_hz as u128) / PS_PER_SECOND as u128 + 1;
        u64::try_from(c).unwrap_or(u64::MAX)
    }

    /// The first edge at or after `t`, as a time (`t` itself if an edge falls on it).
    pub fn next_edge(&self, t: Time) -> Time {
        self.cycles_to_time(self.next_edge_cycle(t))
    }

    /// The time `cycles` cycles after the first edge at or after `t`: what a unit of
    /// this domain that receives work at `t` and takes `cycles` cycles finishes.
    pub fn after(&self, t: Time, cycles: u64) -> Time {
        self.cycles_to_time(self.next_edge_cycle(t).saturating_add(cycles))
    }
}

impl fmt::Display for ClockDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} MHz", self.freq_mhz())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_periods_are_exact() {
        // 1 GHz → 1000 ps; 1.6 GHz → 10^12 / 1.6e9 = 625 ps exactly.
        let a = ClockDomain::from_ghz(1.0).unwrap();
        let b = ClockDomain::from_ghz(1.6).unwrap();
        assert_eq!(a.period_ps(), 1000);
        assert_eq!(b.period_ps(), 625);
        assert_eq!(b.cycles_to_time(1_000_000), Time::from_ps(625_000_000));
        // 5 ns is 5 core cycles and 8 DDR cycles.
        assert_eq!(a.cycles_at(Time::from_ns(5)), 5);
        assert_eq!(b.cycles_at(Time::from_ns(5)), 8);
    }

    #[test]
    fn fractional_periods_round_up_without_drift() {
        // 3 GHz: period 333.33… ps. Edge 1 at ⌈333.3⌉ = 334, edge 3 at exactly 1000.
        let c = ClockDomain::from_ghz(3.0).unwrap();
        assert_eq!(c.cycles_to_time(1).as_ps(), 334);
        assert_eq!(c.cycles_to_time(2).as_ps(), 667);
        assert_eq!(c.cycles_to_time(3).as_ps(), 1000);
        // Edge 3·10^9 is at exactly one second: no accumulated rounding error.
        assert_eq!(c.cycles_to_time(3_000_000_000).as_ps(), PS_PER_SECOND);
        // Edge 10^9+1 = ⌈(10^9+1)·1000/3⌉ = ⌈333_333_333_666.67⌉.
        assert_eq!(c.cycles_to_time(1_000_000_001).as_ps(), 333_333_333_667);
        // Consistency: cycles_at(edge(n)) == n and cycles_at(edge(n) - 1) == n - 1.
        for n in [1u64, 2, 7, 1000, 123_456_789] {
            let t = c.cycles_to_time(n);
            assert_eq!(c.cycles_at(t), n);
            assert_eq!(c.cycles_at(Time::from_ps(t.as_ps() - 1)), n - 1);
            assert_eq!(c.next_edge(Time::from_ps(t.as_ps() - 1)), t);
            assert_eq!(c.next_edge(t), t);
            assert_eq!(c.next_edge_cycle(t), n);
            assert_eq!(c.next_edge_cycle(Time::from_ps(t.as_ps() + 1)), n + 1);
        }
        assert_eq!(c.next_edge_cycle(Time::ZERO), 0);
    }

    #[test]
    fn bad_frequencies_are_errors() {
        assert!(ClockDomain::from_mhz(0.0).is_err());
        assert!(ClockDomain::from_mhz(-1.0).is_err());
        assert!(ClockDomain::from_mhz(f64::NAN).is_err());
        assert!(ClockDomain::from_ghz(2000.0).is_err());
        assert!(ClockDomain::from_hz(0).is_err());
    }

    #[test]
    fn after_aligns_to_the_next_edge() {
        // Work arriving at 1 ns + 1 ps on a 1.6 GHz clock starts at edge 2 (1250 ps) and
        // three cycles later ends at edge 5 = 3125 ps.
        let b = ClockDomain::from_ghz(1.6).unwrap();
        assert_eq!(b.after(Time::from_ps(1001), 3), Time::from_ps(3125));
        assert_eq!(b.after(Time::from_ps(1250), 0), Time::from_ps(1250));
    }
}
