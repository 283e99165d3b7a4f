//! Reference numerics of SoftmAP's integer-only softmax (arXiv 2411.17847; the authors'
//! `int_softmax.py`), for checking hardware models bit for bit.
//!
//! With input width M (8 by default): subtract the row maximum, clamp to [−7, 0], scale
//! `S = 7 / (2^(M−1) − 1)`, `q = round(x / S)`; range reduction by ln 2:
//! `q_ln2 = ⌊ln 2 / S⌋`, `z = ⌊−q / q_ln2⌋`, `q_p = q + z·q_ln2`; second-order polynomial
//! `exp(p) ≈ a(p + b)² + c` on [−ln 2, 0] with a = 0.3585, b = 1.353, c = 0.344:
//! `q_b = ⌊b / S⌋`, `q_c = ⌊c / (a·S²)⌋`, `q_l = (q_p + q_b)² + q_c`; `e = q_l >> z` (0 when
//! z ≥ 32); integer row sum; `out = ⌊(e << 20) / sum⌋`, a probability in units of 2⁻²⁰.

use crate::error::{Result, invalid};

/// Polynomial coefficients of the exp approximation (I-BERT's second-order fit).
const A: f64 = 0.3585;
const B: f64 = 1.353;
const C: f64 = 0.344;
/// Inputs below the row maximum by more than this are clamped.
const RANGE: f64 = 7.0;
/// Output scale: probabilities are integers in units of 2⁻²⁰.
pub const OUT_SHIFT: u32 = 20;

/// Integer constants of the algorithm for input width `bits`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntSoftmaxConsts {
    /// Quantisation step S.
    pub scale: f64,
    /// `⌊ln 2 / S⌋`.
    pub q_ln2: i64,
    /// `⌊b / S⌋`.
    pub q_b: i64,
    /// `⌊c / (a·S²)⌋`.
    pub q_c: i64,
}

impl IntSoftmaxConsts {
    /// Constants for `bits` (5…16; below 5, `ln 2 / S < 1` and the range reduction
    /// breaks down).
    pub fn new(bits: u8) -> Result<IntSoftmaxConsts> {
        if !(5..=16).contains(&bits) {
            return Err(invalid(
                "int softmax bits",
                format!("{bits} is outside 5…16 (ln 2 / S must be ≥ 1)"),
            ));
        }
        let scale = RANGE / f64::from((1u32 << (bits - 1)) - 1);
        Ok(IntSoftmaxConsts {
            scale,
            q_ln2: (std::f64::consts::LN_2 / scale).floor() as i64,
            q_b: (B / scale).floor() as i64,
            q_c: (C / (A * scale * scale)).floor() as i64,
        })
    }
}

/// The integer outputs (units of 2⁻²⁰) of one row.
pub fn int_softmax_raw(row: &[f64], bits: u8) -> Result<Vec<i64>> {
    let k = IntSoftmaxConsts::new(bits)?;
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<i64> = row
        .iter()
        .map(|&x| {
            let x = (x - max).clamp(-RANGE, 0.0);
            let q = (x / k.scale).round() as i64;
            let z = (-q).div_euclid(k.q_ln2);
            let qp = q + z * k.q_ln2;
            let ql = (qp + k.q_b) * (qp + k.q_b) + k.q_c;
            if z >= 32 { 0 } else { ql >> z }
        })
        .collect();
    let sum: i64 = exps.iter().sum::<i64>().max(1);
    Ok(exps.iter().map(|e| (e << OUT_SHIFT) / sum).collect())
}

/// Probabilities of one row by the integer-only algorithm (`raw · 2⁻²⁰`).
pub fn int_softmax(row: &[f64], bits: u8) -> Result<Vec<f64>> {
    let scale = f64::from(1u32 << OUT_SHIFT);
    Ok(int_softmax_raw(row, bits)?
        .into_iter()
        .map(|v| v as f64 / scale)
        .collect())
}

/// Float softmax in f64 (the reference the integer version is compared with).
pub fn softmax_f64(row: &[f64]) -> Vec<f64> {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = row.iter().map(|x| (x - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_for_8_bits() {
        // S = 7/127 = 0.05512; ln2/S = 12.58 → 12; b/S = 24.55 → 24;
        // c/(a·S²) = 0.344/(0.3585·0.003038) = 315.9 → 315.
        let k = IntSoftmaxConsts::new(8).unwrap();
        assert_eq!((k.q_ln2, k.q_b, k.q_c), (12, 24, 315));
        assert!(IntSoftmaxConsts::new(4).is_err());
    }

    #[test]
    fn uniform_row() {
        // Equal inputs: every output is ⌊2²⁰ / n⌋.
        let out = int_softmax_raw(&[0.5; 4], 8).unwrap();
        assert_eq!(out, vec![1 << 18; 4]);
    }
}
