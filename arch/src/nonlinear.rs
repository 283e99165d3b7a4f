//! The nonlinear-function unit: exp by a biased-exponent shift, SiLU by range detection and
//! piecewise polynomials, and the softmax pipeline — as numerics (single precision, checked
//! against `f64`) and as timing and energy.
//!
//! ## exp (Schraudolph 1999, as MARCA uses it)
//! Schraudolph, "A fast, compact approximation of the exponential function", Neural
//! Computation 11(4), 1999, writes `exp(x) = 2^(x·log2 e)` and forms `2^u` for the integer
//! part `u` by adding `u` to the IEEE-754 biased exponent (a shift and an add on the bit
//! pattern). His original uses `1 + v` for the fraction `v = t − u` (degree 1, max relative
//! error ≈ 6.1 %); MARCA (arXiv 2409.11440) computes exp "by a fast biased exponential
//! algorithm with element-wise operations and a shift". Silica's default refines `2^v` by a
//! quadratic through `(0,1)`, `(1,2)` that minimises the max relative error on `[0,1)`:
//! `2^v ≈ 1 + v·(0.6595 + 0.3405·v)` (max relative error ≈ 0.26 %, tested).
//! Operations per element: `t = x·log2 e` (mul), `v = t − ⌊t⌋` (add), Horner (degree `d`:
//! `d` mul + `d` add), exponent add (add).
//!
//! ## SiLU (MARCA: "range detection + piecewise element-wise operations")
//! `silu(x) = x·σ(x)`. Range detection: `x ≥ r` → `x`, `x < −r` → `0`; inside, `σ` is a
//! quadratic per uniform segment, interpolating `σ` at the segment's three Chebyshev nodes,
//! and multiplied by `x`. Because `silu = x·σ̂`, its relative error is `σ̂`'s. Operations
//! per element: compare (add), Horner (2 mul + 2 add), `× x` (mul).
//!
//! ## Softmax pipeline
//! Per row: max (compare per element), `exp(x − max)` (subtract + exp), sum (add), then
//! `1/sum` once per row and a multiply per element. On the unit, each of the three passes
//! over a row streams at `lanes` elements per cycle.

use serde::Serialize;

/// Fraction-polynomial coefficients for `2^v` on `[0,1)`: (c1, c2) with
/// `2^v ≈ 1 + c1·v + c2·v²`, `c1 + c2 = 1`.
const EXP2_Q: (f32, f32) = (0.659_5, 0.340_5);

/// `exp(x)` by the biased-exponent method with a degree-`degree` (1 or 2) polynomial for
/// the fraction, in `f32`. Saturates to 0 below `2^-126` and to `f32::MAX` above `2^127`.
pub fn exp_fast(x: f32, degree: u32) -> f32 {
    let t = x * std::f32::consts::LOG2_E;
    if t.is_nan() {
        return f32::NAN;
    }
    if t < -126.0 {
        return 0.0;
    }
    if t >= 128.0 {
        return f32::MAX;
    }
    let u = t.floor();
    let v = t - u;
    let p = if degree >= 2 {
        1.0 + v * (EXP2_Q.0 + EXP2_Q.1 * v)
    } else {
        1.0 + v
    };
    // Add u to the biased exponent of p (p ∈ [1, 2), exponent field 127).
    let bits = p.to_bits() as i32 + ((u as i32) << 23);
    f32::from_bits(bits as u32)
}

/// Piecewise-quadratic SiLU (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiluApprox {
    /// Approximation range `r`: `[-r, r)`.
    pub range: f64,
    /// Quadratic coefficients `(c0, c1, c2)` of `σ` per segment, in the segment-local
    /// variable `x − x_start`.
    pub coeffs: Vec<[f32; 3]>,
}

impl SiluApprox {
    /// `segments` uniform segments on `[-range, range)` (both ≥ 1 / > 0).
    pub fn new(segments: u32, range: f64) -> Self {
        let n = segments.max(1) as usize;
        let w = 2.0 * range / n as f64;
        let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
        let coeffs = (0..n)
            .map(|i| {
                let x0 = -range + w * i as f64;
                // Chebyshev nodes of [0, w].
                let nodes: Vec<f64> = (0..3)
                    .map(|j| {
                        let c = (std::f64::consts::PI * (2.0 * j as f64 + 1.0) / 6.0).cos();
                        w / 2.0 * (1.0 - c)
                    })
                    .collect();
                let ys: Vec<f64> = nodes.iter().map(|&d| sigma(x0 + d)).collect();
                let (c0, c1, c2) = quad_through(&nodes, &ys);
                [c0 as f32, c1 as f32, c2 as f32]
            })
            .collect();
        SiluApprox { range, coeffs }
    }

    /// Approximate `σ(x)` in `f32`.
    pub fn sigmoid(&self, x: f32) -> f32 {
        let r = self.range as f32;
        if x >= r {
            return 1.0;
        }
        if x < -r {
            return 0.0;
        }
        let n = self.coeffs.len();
        let w = 2.0 * r / n as f32;
        let i = (((x + r) / w) as usize).min(n - 1);
        let d = x - (-r + w * i as f32);
        let c = self.coeffs[i];
        c[0] + d * (c[1] + d * c[2])
    }

    /// Approximate `silu(x) = x·σ(x)` in `f32`.
    pub fn silu(&self, x: f32) -> f32 {
        x * self.sigmoid(x)
    }
}

/// The quadratic `c0 + c1·d + c2·d²` through three points (Newton divided differences).
fn quad_through(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let d01 = (y[1] - y[0]) / (x[1] - x[0]);
    let d12 = (y[2] - y[1]) / (x[2] - x[1]);
    let d012 = (d12 - d01) / (x[2] - x[0]);
    // y = y0 + d01 (d − x0) + d012 (d − x0)(d − x1)
    let c2 = d012;
    let c1 = d01 - d012 * (x[0] + x[1]);
    let c0 = y[0] - d01 * x[0] + d012 * x[0] * x[1];
    (c0, c1, c2)
}

/// Softmax of `row` with [`exp_fast`] and an exact reciprocal of the sum, in `f32`.
pub fn softmax_fast(row: &[f32], degree: u32) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = row.iter().map(|&x| exp_fast(x - max, degree)).collect();
    let sum: f32 = e.iter().sum();
    let inv = 1.0 / sum;
    e.iter().map(|v| v * inv).collect()
}

/// Element-wise operation kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ElementwiseOp {
    /// `a · b`.
    Mul,
    /// `a + b`.
    Add,
    /// `exp(a)`.
    Exp,
    /// `silu(a)`.
    Silu,
}

impl ElementwiseOp {
    /// Parses `mul`, `add`, `exp` or `silu`.
    pub fn parse(s: &str) -> Result<Self, crate::ArchError> {
        let all = [
            ("mul", Self::Mul),
            ("add", Self::Add),
            ("exp", Self::Exp),
            ("silu", Self::Silu),
        ];
        all.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, o)| *o)
            .ok_or_else(|| crate::ArchError::UnknownName {
                what: "element-wise op".into(),
                name: s.into(),
                suggestion: crate::suggest::closest(s, all.iter().map(|(n, _)| *n)),
                valid: all.iter().map(|(n, _)| n.to_string()).collect(),
            })
    }
    /// Input operands per element.
    pub fn inputs(self) -> u64 {
        match self {
            Self::Mul | Self::Add => 2,
            Self::Exp | Self::Silu => 1,
        }
    }
    /// (multiplies, adds) per element when built from PE operations (module docs).
    pub fn pieces(self, exp_degree: u32) -> (u64, u64) {
        let d = u64::from(exp_degree.clamp(1, 2));
        match self {
            Self::Mul => (1, 0),
            Self::Add => (0, 1),
            Self::Exp => (1 + d, 2 + d),
            Self::Silu => (3, 3),
        }
    }
    /// PE passes per element in element-wise mode: each pass is one multiply, add or fused
    /// multiply-add, so `max(muls, adds)` (Horner steps fuse).
    pub fn pe_passes(self, exp_degree: u32) -> u64 {
        let (m, a) = self.pieces(exp_degree);
        m.max(a)
    }
}

/// Energy per action of the nonlinear unit, pJ (mW for leakage).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NonlinearEnergy {
    /// One exp.
    pub exp_pj: f64,
    /// One SiLU.
    pub silu_pj: f64,
    /// One add or compare.
    pub add_pj: f64,
    /// One multiply.
    pub mul_pj: f64,
    /// One divide.
    pub div_pj: f64,
    /// Leakage, mW.
    pub leakage_mw: f64,
}

/// A validated nonlinear-function unit: `lanes` pipelined lanes, one element per lane per
/// cycle per pass, `latency_cycles` from first input to first output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NonlinearUnit {
    /// Elements per cycle.
    pub lanes: u64,
    /// Datapath width, bits.
    pub data_bits: u32,
    /// Pipeline latency, cycles.
    pub latency_cycles: u64,
    /// Degree of the `2^v` polynomial (1 or 2).
    pub exp_poly_degree: u32,
    /// SiLU approximation.
    pub silu: SiluApprox,
    /// Energy table.
    pub energy: NonlinearEnergy,
}

impl NonlinearUnit {
    /// Cycles for `passes` streaming passes over `n` elements: `passes·⌈n/lanes⌉ + latency`.
    pub fn stream_cycles(&self, n: u64, passes: u64) -> u64 {
        if n == 0 || passes == 0 {
            return 0;
        }
        passes * n.div_ceil(self.lanes.max(1)) + self.latency_cycles
    }

    /// Softmax of `rows` rows of `len`: three passes per row (max; exp and sum; scale), the
    /// rows back to back: `rows · 3·⌈len/lanes⌉ + latency`.
    pub fn softmax_cycles(&self, rows: u64, len: u64) -> u64 {
        if rows == 0 || len == 0 {
            return 0;
        }
        rows * 3 * len.div_ceil(self.lanes.max(1)) + self.latency_cycles
    }

    /// Energy of one element-wise op, pJ.
    pub fn op_pj(&self, op: ElementwiseOp) -> f64 {
        match op {
            ElementwiseOp::Mul => self.energy.mul_pj,
            ElementwiseOp::Add => self.energy.add_pj,
            ElementwiseOp::Exp => self.energy.exp_pj,
            ElementwiseOp::Silu => self.energy.silu_pj,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_exact_at_integers_of_log2() {
        // At x = u·ln 2 the fraction is 0 and the result is exactly 2^u.
        for u in [-10i32, -1, 0, 1, 5, 20] {
            let x = u as f32 * std::f32::consts::LN_2;
            let e = exp_fast(x, 2) as f64;
            assert!((e / 2f64.powi(u) - 1.0).abs() < 1e-4, "{u}: {e}");
        }
        assert_eq!(exp_fast(-200.0, 2), 0.0);
    }
}
