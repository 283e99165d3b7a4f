//! SoftmAP's integer-only softmax, bit-exact, as a plain reference function.
//!
//! The algorithm of `papers.md` (SoftmAP, arXiv 2411.17847; authors' code
//! github.com/Kimho666/softmap, `int-softmax.py`), for a bit width `M`:
//!
//! 1. subtract the row max: `d = x − max(x) ≤ 0`; clamp to `[−7, 0]`;
//! 2. scale `S = 7 / (2^(M−1) − 1)`, `q = round(d / S)` (ties to even, as `torch.round`),
//!    so `q ∈ [−(2^(M−1) − 1), 0]`;
//! 3. `q_ln2 = ⌊ln 2 / S⌋`, `z = ⌊−q / q_ln2⌋`, `q_p = q + z·q_ln2 ∈ (−q_ln2, 0]`;
//! 4. second-order polynomial for `exp` on `[−ln 2, 0]` with `a = 0.3585`, `b = 1.353`,
//!    `c = 0.344`: `q_b = ⌊b / S⌋`, `q_c = ⌊c / (a·S²)⌋`, `q_l = (q_p + q_b)² + q_c`;
//! 5. `exp = q_l >> z` (0 when `z ≥ 32`);
//! 6. `sum = Σ exp` in int32; `out = ⌊(exp << 20) / sum⌋` (scale 2⁻²⁰).
//!
//! **Deviations from the authors' Python, on purpose (papers.md is the specification):**
//! the Python saturates `q_ln2` to 4 bits (`saturation(…, 4)`), which for `M = 8` turns
//! `⌊ln 2 / S⌋ = 12` into 7 and makes `exp` approximate `e^(1.8·x)`; and it divides in
//! float32 (`torch.floor(q_exp / q_exp_sum)`), which can differ from the exact integer
//! quotient by one LSB for large numerators. Here `q_ln2 = ⌊ln 2 / S⌋` and the division is
//! exact integer division, as papers.md states. The other saturations of the Python
//! (`q_b` to M bits, `q_c` to 2M bits, `q_l` to 2M+5, `exp` to 3M/2+4 bits) never bind for
//! `M` in 5..=12 and are therefore not applied.
//!
//! **Accuracy** (M = 8, tested on random rows): within 0.05 of the f64 softmax per
//! element, 10 % on the row's largest element, 0.10 in L1 per row. The main error is the
//! range reduction: `q_ln2·S = 12·7/127 = 0.661` stands for `ln 2 = 0.693`, so each
//! halving by the shift comes early and an element `z` halvings below the max is low by
//! `1 − 2^(−0.046·z)` (27 % at `z = 10`), weighted by its small probability.
//!
//! With `−q = u` the integer part depends only on `u = min(round((max − x)/S), 2^(M−1)−1)`;
//! [`int_softmax_from_magnitudes`] takes `u` directly, and inputs that are already on the
//! `S` grid (`x = s·S` for integers `s`) give `u = min(max(s) − s, 2^(M−1) − 1)` exactly
//! ([`int_softmax_from_grid`]) — the form the associative processor computes.
//!
//! ```
//! use arch::imc::assoc::numerics::{int_softmax_row, OUT_SHIFT};
//! let out = int_softmax_row(&[0.0, 0.0], 8).unwrap();
//! assert_eq!(out, vec![1 << (OUT_SHIFT - 1); 2]); // two equal scores: ½ each
//! ```

use crate::ArchError;
use crate::imc::kernel::bits_for;

/// `out` is scaled by `2^−OUT_SHIFT`.
pub const OUT_SHIFT: u32 = 20;
/// Lower clamp of `x − max` (papers.md).
pub const CLAMP: f64 = 7.0;
/// Polynomial coefficients (papers.md; I-BERT's second-order `exp`).
pub const POLY_A: f64 = 0.3585;
/// See [`POLY_A`].
pub const POLY_B: f64 = 1.353;
/// See [`POLY_A`].
pub const POLY_C: f64 = 0.344;

/// The integer constants of the algorithm for one bit width `M`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntSoftmaxParams {
    /// Bit width `M`.
    pub m_bits: u32,
    /// Scale `S = 7 / (2^(M−1) − 1)`.
    pub scale: f64,
    /// Largest magnitude `u = −q`: `2^(M−1) − 1`.
    pub u_max: u64,
    /// `⌊ln 2 / S⌋`.
    pub q_ln2: u64,
    /// `⌊b / S⌋`.
    pub q_b: u64,
    /// `⌊c / (a·S²)⌋`.
    pub q_c: u64,
}

impl IntSoftmaxParams {
    /// Constants for `m_bits` in 5..=12 (below 5, `⌊ln 2 / S⌋ = 0`; above 12 the
    /// int32 sum overflows for short rows).
    pub fn new(m_bits: u32) -> Result<Self, ArchError> {
        if !(5..=12).contains(&m_bits) {
            return Err(ArchError::Invalid {
                key: "softmax_bits".into(),
                message: format!("integer softmax bit width {m_bits}: expected 5..=12"),
            });
        }
        let u_max = (1u64 << (m_bits - 1)) - 1;
        let scale = CLAMP / u_max as f64;
        Ok(IntSoftmaxParams {
            m_bits,
            scale,
            u_max,
            q_ln2: (std::f64::consts::LN_2 / scale).floor() as u64,
            q_b: (POLY_B / scale).floor() as u64,
            q_c: (POLY_C / (POLY_A * scale * scale)).floor() as u64,
        })
    }

    /// Largest `z = ⌊u / q_ln2⌋`.
    pub fn z_max(&self) -> u64 {
        self.u_max / self.q_ln2
    }

    /// Largest `q_l = q_b² + q_c` (at `q_p = 0`), which is also the largest `exp`.
    pub fn exp_max(&self) -> u64 {
        self.q_b * self.q_b + self.q_c
    }

    /// Bits of `z`.
    pub fn z_bits(&self) -> u32 {
        bits_for(self.z_max())
    }

    /// Bits of `q_ln2` (and of the remainder `r = u mod q_ln2`).
    pub fn c_bits(&self) -> u32 {
        bits_for(self.q_ln2)
    }

    /// Bits of `t = q_p + q_b = q_b − r`.
    pub fn t_bits(&self) -> u32 {
        bits_for(self.q_b)
    }

    /// Bits of `q_l` and `exp`.
    pub fn l_bits(&self) -> u32 {
        bits_for(self.exp_max())
    }

    /// Bits of the int32 sum for rows of `len` elements (`len · exp_max`), or an error
    /// when that exceeds int32.
    pub fn sum_bits(&self, len: u64) -> Result<u32, ArchError> {
        let max = (len as u128) * self.exp_max() as u128;
        if max > i32::MAX as u128 {
            return Err(ArchError::Invalid {
                key: "softmax".into(),
                message: format!(
                    "rows of {len} elements at M = {} can sum to {max}, beyond int32",
                    self.m_bits
                ),
            });
        }
        Ok(bits_for(max as u64))
    }
}

/// `u = min(round((max − x) / S), 2^(M−1) − 1)` for every element (ties to even).
/// `−∞` entries (masked scores) give `u_max`; NaN or `+∞` are errors.
pub fn magnitudes(x: &[f64], p: &IntSoftmaxParams) -> Result<Vec<u64>, ArchError> {
    if x.iter().any(|v| v.is_nan() || *v == f64::INFINITY) {
        return Err(ArchError::Invalid {
            key: "softmax input".into(),
            message: "NaN or +inf in a softmax row".into(),
        });
    }
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() && !x.is_empty() {
        return Err(ArchError::Invalid {
            key: "softmax input".into(),
            message: "a softmax row has no finite element".into(),
        });
    }
    Ok(x.iter()
        .map(|&v| {
            let d = (v - max).clamp(-CLAMP, 0.0);
            let q = (d / p.scale).round_ties_even();
            (-q).clamp(0.0, p.u_max as f64) as u64
        })
        .collect())
}

/// The integer core from the magnitudes `u` (each ≤ `u_max`): `exp` per element.
pub fn int_exp(u: u64, p: &IntSoftmaxParams) -> u64 {
    let u = u.min(p.u_max);
    let z = u / p.q_ln2;
    let r = u % p.q_ln2; // −q_p
    let t = p.q_b - r; // q_p + q_b
    let q_l = t * t + p.q_c;
    if z >= 32 { 0 } else { q_l >> z }
}

/// The integer softmax of one row from its magnitudes `u` (see the module docs).
pub fn int_softmax_from_magnitudes(u: &[u64], p: &IntSoftmaxParams) -> Result<Vec<u32>, ArchError> {
    if u.is_empty() {
        return Ok(Vec::new());
    }
    p.sum_bits(u.len() as u64)?;
    let exps: Vec<u64> = u.iter().map(|&u| int_exp(u, p)).collect();
    let sum: u64 = exps.iter().sum();
    Ok(exps
        .iter()
        .map(|&e| ((e << OUT_SHIFT) / sum) as u32)
        .collect())
}

/// The integer softmax of a row of real scores (papers.md, bit width `m_bits`); outputs
/// are scaled by `2^−20`.
pub fn int_softmax_row(x: &[f64], m_bits: u32) -> Result<Vec<u32>, ArchError> {
    let p = IntSoftmaxParams::new(m_bits)?;
    int_softmax_from_magnitudes(&magnitudes(x, &p)?, &p)
}

/// The integer softmax of a row of integer scores on the `S` grid (`x = s·S`):
/// `u = min(max(s) − s, 2^(M−1) − 1)`.
pub fn int_softmax_from_grid(s: &[i64], m_bits: u32) -> Result<Vec<u32>, ArchError> {
    let p = IntSoftmaxParams::new(m_bits)?;
    let max = s.iter().copied().max().unwrap_or(0);
    let u: Vec<u64> = s
        .iter()
        .map(|&v| ((max as i128 - v as i128) as u128).min(p.u_max as u128) as u64)
        .collect();
    int_softmax_from_magnitudes(&u, &p)
}

/// Real values of integer softmax outputs (`out · 2^−20`).
pub fn dequantize(out: &[u32]) -> Vec<f64> {
    out.iter()
        .map(|&o| o as f64 / (1u64 << OUT_SHIFT) as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_for_m8() {
        // S = 7/127 = 0.055118; ln2/S = 12.58; 1.353/S = 24.55; 0.344/(0.3585·S²) = 315.8.
        let p = IntSoftmaxParams::new(8).unwrap();
        assert_eq!((p.u_max, p.q_ln2, p.q_b, p.q_c), (127, 12, 24, 315));
        assert_eq!((p.z_max(), p.exp_max()), (10, 891));
        assert_eq!(
            (p.z_bits(), p.c_bits(), p.t_bits(), p.l_bits()),
            (4, 4, 5, 10)
        );
    }

    #[test]
    fn hand_worked_row() {
        // x = [0, −S, −7]: u = [0, 1, 127].
        // u=0: z=0, r=0, t=24, q_l=576+315=891, exp=891.
        // u=1: z=0, r=1, t=23, q_l=529+315=844, exp=844.
        // u=127: z=10, r=7, t=17, q_l=289+315=604, exp=604>>10=0.
        // sum=1735; out=⌊891·2^20/1735⌋=538_490, ⌊844·2^20/1735⌋=510_085, 0.
        let p = IntSoftmaxParams::new(8).unwrap();
        let out = int_softmax_row(&[0.0, -p.scale, -7.0], 8).unwrap();
        assert_eq!(out, vec![538_490, 510_085, 0]);
    }

    #[test]
    fn bad_inputs() {
        assert!(int_softmax_row(&[f64::NAN], 8).is_err());
        assert!(int_softmax_row(&[f64::NEG_INFINITY], 8).is_err());
        assert!(int_softmax_row(&[0.0], 4).is_err());
        assert_eq!(int_softmax_row(&[], 8).unwrap(), Vec::<u32>::new());
        // A masked (−inf) score contributes 0.
        let out = int_softmax_row(&[1.0, f64::NEG_INFINITY], 8).unwrap();
        assert_eq!(out, vec![1 << 20, 0]);
    }
}
