//! Axes in "plot space": linear axes plot values as they are, logarithmic axes plot
//! log₁₀ of the value, so both kinds share one coordinate type and tick placement is
//! ours (decades, then 2 and 5 within a decade when few decades are shown).

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::format::format_number;

/// How tick labels are written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ticks {
    /// Numbers (the plot-space value itself).
    Linear,
    /// Powers of ten: the label of plot-space `p` is `10^p`.
    Log,
    /// Category names at the integer positions 0, 1, 2, ….
    Categories(Vec<String>),
}

/// One axis: its plot-space range, major and minor tick positions, and label kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub major: Vec<f64>,
    pub minor: Vec<f64>,
    pub ticks: Ticks,
}

/// The "nice" step (1, 2, 2.5 or 5 × 10^k) that splits `span` into about `target` parts.
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let f = raw / magnitude;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Multiples of `step` within `[lo, hi]` (inclusive, with a small tolerance).
pub(crate) fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let eps = step * 1e-9;
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|k| k as f64 * step)
        .map(|v| if v.abs() < eps { 0.0 } else { v })
        .collect()
}

impl Axis {
    /// A linear axis covering `[min, max]` with 5 % padding each side; `from_zero` makes
    /// the range include 0 with no padding below it (bars).
    pub fn linear(min: f64, max: f64, from_zero: bool) -> Axis {
        let (mut lo, mut hi) = if from_zero {
            (min.min(0.0), max.max(0.0))
        } else {
            (min, max)
        };
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            lo -= half;
            hi += half;
            if from_zero && min >= 0.0 {
                lo = 0.0;
            }
        }
        let pad = (hi - lo) * 0.05;
        let lo = if from_zero && lo >= 0.0 { lo } else { lo - pad };
        let hi = if from_zero && hi <= 0.0 { hi } else { hi + pad };
        let step = nice_step(hi - lo, 6);
        Axis {
            lo,
            hi,
            major: multiples(lo, hi, step),
            minor: Vec::new(),
            ticks: Ticks::Linear,
        }
    }

    /// A logarithmic axis covering positive `[min, max]` with a little padding.
    pub fn log(min: f64, max: f64) -> Axis {
        let (a, b) = (min.log10(), max.log10());
        let span = b - a;
        let pad = if span < 1e-9 {
            0.5
        } else {
            (span * 0.05).max(0.05)
        };
        Axis::log_range(a - pad, b + pad)
    }

    /// A logarithmic axis over exactly `[lo, hi]` in plot space (log₁₀ of the values).
    pub fn log_range(lo: f64, hi: f64) -> Axis {
        let decades: Vec<i64> = ((lo - 1e-9).ceil() as i64..=(hi + 1e-9).floor() as i64).collect();
        let stride = decades.len().div_ceil(8).max(1) as i64;
        let mut major: Vec<f64> = decades
            .iter()
            .filter(|k| k.rem_euclid(stride) == 0)
            .map(|&k| k as f64)
            .collect();
        let within = |p: &f64| *p >= lo - 1e-9 && *p <= hi + 1e-9;
        let sub = |ms: &[f64]| -> Vec<f64> {
            let (first, last) = (lo.floor() as i64, hi.ceil() as i64);
            (first..=last)
                .flat_map(|k| ms.iter().map(move |m| k as f64 + m.log10()))
                .filter(within)
                .collect()
        };
        if major.len() < 3 {
            major.extend(sub(&[2.0, 5.0]));
            if major.len() < 3 {
                major = sub(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
            }
        }
        let minor = if decades.len() <= 7 {
            sub(&[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
        } else {
            decades
                .iter()
                .map(|&k| k as f64)
                .filter(|k| !major.contains(k))
                .collect()
        };
        major.sort_by(f64::total_cmp);
        major.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        Axis {
            lo,
            hi,
            major,
            minor,
            ticks: Ticks::Log,
        }
    }

    /// A category axis: `names` at 0, 1, 2, … with half a slot of room each side.
    pub fn categories(names: Vec<String>) -> Axis {
        let n = names.len();
        Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            major: (0..n).map(|i| i as f64).collect(),
            minor: Vec::new(),
            ticks: Ticks::Categories(names),
        }
    }

    /// Whether values are plotted as log₁₀.
    pub fn is_log(&self) -> bool {
        self.ticks == Ticks::Log
    }

    /// Data value → plot space.
    pub fn map(&self, v: f64) -> f64 {
        if self.is_log() { v.log10() } else { v }
    }

    /// Plot space → data value.
    pub fn unmap(&self, p: f64) -> f64 {
        if self.is_log() { 10f64.powf(p) } else { p }
    }

    /// The label of the tick at plot-space `p`.
    pub fn label(&self, p: f64) -> String {
        match &self.ticks {
            Ticks::Linear => {
                let step = self
                    .major
                    .windows(2)
                    .map(|w| w[1] - w[0])
                    .next()
                    .unwrap_or(1.0);
                // Enough digits to tell neighbouring ticks apart.
                let digits = ((p.abs().max(step) / step).log10().ceil() as usize + 1).clamp(2, 8);
                format_number(if p.abs() < step * 1e-6 { 0.0 } else { p }, digits)
            }
            Ticks::Log => format_number(10f64.powf(p), 3),
            Ticks::Categories(names) => {
                let i = p.round();
                if (p - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }
}

/// An [`Axis`] as a plotters coordinate: linear in plot space, with our own tick
/// positions (major = bold grid lines and labels, minor = light grid lines).
pub(crate) struct AxisCoord {
    lo: f64,
    hi: f64,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl From<&Axis> for AxisCoord {
    fn from(a: &Axis) -> AxisCoord {
        AxisCoord {
            lo: a.lo,
            hi: a.hi,
            major: a.major.clone(),
            minor: a.minor.clone(),
        }
    }
}

impl Ranged for AxisCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            (value - self.lo) / span
        } else {
            0.5
        };
        let px = f64::from(limit.0) + t * f64::from(limit.1 - limit.0);
        px.round().clamp(-1e7, 1e7) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nice_steps() {
        // 0..10 in ~6 parts: raw 1.67 → 2.
        assert_eq!(nice_step(10.0, 6), 2.0);
        // 0..1e-3: raw 1.67e-4 → 2e-4.
        assert!((nice_step(1e-3, 6) - 2e-4).abs() < 1e-18);
        assert_eq!(
            multiples(-0.5, 10.5, 2.0),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
    }

    #[test]
    fn log_ticks_many_decades() {
        // 1e-6 .. 1e12 is 19 decades: every 3rd decade (stride ⌈19/8⌉ = 3) is major.
        let a = Axis::log_range(-6.0, 12.0);
        assert_eq!(a.major, vec![-6.0, -3.0, 0.0, 3.0, 6.0, 9.0, 12.0]);
        assert_eq!(a.label(9.0), "1e9");
        assert_eq!(a.label(-3.0), "0.001");
    }

    #[test]
    fn log_ticks_within_a_decade() {
        // 1.5 .. 8: no power of ten inside, so 2 and 5 are major.
        let a = Axis::log_range(1.5f64.log10(), 8f64.log10());
        let labels: Vec<String> = a.major.iter().map(|p| a.label(*p)).collect();
        assert_eq!(labels, ["2", "3", "4", "5", "6", "7", "8"]);
    }
}
