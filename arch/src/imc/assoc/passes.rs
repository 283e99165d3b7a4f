//! Compare/write pass counts of associative-processor operations, in closed form.
//!
//! An AP operates on all words at once, one bit column at a time. A *compare* matches a
//! key on a few masked columns of every word and sets the word's tag; a *write* stores a
//! value into masked columns of the tagged words (or of all words: "write all", used to
//! clear scratch columns). An operation is a truth table applied bit by bit: for each
//! input combination whose output differs from its input (a *changing entry*), one compare
//! and one write, ordered so that no word is rewritten twice (Foster, *Content Addressable
//! Parallel Processors*, 1976; Yavits, Morad & Ginosar, IEEE TC 2015, where an `m`-bit
//! in-place add costs `8m` cycles — the same 4 compare+write pairs per bit derived here).
//!
//! Changing entries per bit (derived from the truth tables; checked against the bit-level
//! emulator [`super::cam`] in the tests):
//!
//! | operation | state (columns) | changing entries / bit |
//! |---|---|---|
//! | `B ← A + B` | carry, A, B | 4 |
//! | `B ← B − A` | borrow, A, B | 4 |
//! | `B ← B + k`, `B ← B − k` | carry/borrow, B | 2 |
//! | `O ← k − B` (out of place) | borrow, B, O | 2 (bit of `k` = 0) or 3 (= 1) |
//!
//! Each of these first clears its carry/borrow column (one write to all words). A
//! conditional operation (only words whose flag or row id matches) adds the condition to
//! every compare key, at no extra pass — except that when the condition fixes one of the
//! table's own columns, entries contradicting it are skipped (squaring: 2 entries on the
//! diagonal bit instead of 4). The formulas here are first-principles counts of these
//! algorithms, not figures published for SoftmAP.

use crate::ArchError;
use crate::imc::assoc::numerics::{IntSoftmaxParams, OUT_SHIFT};
use crate::imc::kernel::bits_for;

/// Numbers of passes of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassCount {
    /// Compare passes (each sets the tags of all words).
    pub compares: u64,
    /// Write passes.
    pub writes: u64,
    /// Tag-count (population count) reductions.
    pub popcounts: u64,
}

impl PassCount {
    /// `compares` compares and `writes` writes.
    pub const fn new(compares: u64, writes: u64) -> Self {
        PassCount {
            compares,
            writes,
            popcounts: 0,
        }
    }

    /// Sum of two counts.
    pub fn plus(self, o: PassCount) -> PassCount {
        PassCount {
            compares: self.compares + o.compares,
            writes: self.writes + o.writes,
            popcounts: self.popcounts + o.popcounts,
        }
    }

    /// `self` repeated `n` times.
    pub fn times(self, n: u64) -> PassCount {
        PassCount {
            compares: self.compares * n,
            writes: self.writes * n,
            popcounts: self.popcounts * n,
        }
    }
}

/// `B ← A + B` or `B ← B − A` over `n` bits: clear carry, 4 pairs per bit: `(4n, 4n + 1)`.
pub fn add(n: u64) -> PassCount {
    PassCount::new(4 * n, 4 * n + 1)
}

/// `B ← B ± k` for a constant `k` over `n` bits: `(2n, 2n + 1)`.
pub fn add_const(n: u64) -> PassCount {
    PassCount::new(2 * n, 2 * n + 1)
}

/// `O ← k − B` over `n` bits into cleared output columns (in place the table has a
/// cycle, see [`super::cam::CamArray::rsub_const`]): one write clears the borrow and the
/// output, then 2 pairs per 0 bit of `k` and 3 per 1 bit:
/// `(2n + ones, 2n + ones + 1)` with `ones` the 1 bits of `k mod 2^n`.
pub fn rsub_const(n: u64, k: u64) -> PassCount {
    let ones = u64::from((k & ((1u64 << n.min(63)) - 1)).count_ones());
    PassCount::new(2 * n + ones, 2 * n + ones + 1)
}

/// `P ← A × B`, `A` of `na` bits, `B` of `nb` bits, shift-and-add: clear `P`; for each
/// bit `j` of `A`, a conditional add of `B` into `P[j..]` (keyed on `A_j = 1`) and the
/// carry-out written into `P[j + nb]`: `(na·(4nb + 1), 1 + na·(4nb + 2))`.
pub fn mul(na: u64, nb: u64) -> PassCount {
    PassCount::new(na * (4 * nb + 1), 1 + na * (4 * nb + 2))
}

/// `P ← T²`, `T` of `n` bits: as [`mul`] but on step `j` the key `T_j = 1` halves the
/// table of bit `j` (2 entries instead of 4): `(n·(4n − 1), 1 + 4n²)`.
pub fn square(n: u64) -> PassCount {
    PassCount::new(n * (4 * n).saturating_sub(1), 1 + 4 * n * n)
}

/// Restoring division by a constant of `c_bits` bits giving `q_bits` quotient bits: the
/// window of `n = c_bits + 1` columns slides down the numerator (shifts are free: column
/// relabelling); per quotient bit a constant subtraction, the quotient bit written where
/// no borrow (1 compare + 1 write), and a constant addition restoring the words that
/// borrowed. Clearing the quotient is one write: `(q·(4n + 1), 1 + q·(4n + 3))`.
pub fn div_const(q_bits: u64, c_bits: u64) -> PassCount {
    let n = c_bits + 1;
    PassCount::new(q_bits * (4 * n + 1), 1 + q_bits * (4 * n + 3))
}

/// Restoring division by a field of `d_bits` bits (the window is `n = d_bits + 1`
/// columns): `(q·(8n + 1), 1 + q·(8n + 3))`.
pub fn div_field(q_bits: u64, d_bits: u64) -> PassCount {
    let n = d_bits + 1;
    PassCount::new(q_bits * (8 * n + 1), 1 + q_bits * (8 * n + 3))
}

/// Right shift of an `l`-bit field by a per-word amount of `z_bits` bits (logarithmic
/// shifter): stage `j` shifts by `s = 2^j` the words with `z_j = 1`, copying bit `i + s`
/// into bit `i` (2 pairs per bit) and clearing the top `s` bits (1 pair):
/// `Σ_j (2·max(l − s, 0) + 1)` compares and as many writes.
pub fn var_shift(l: u64, z_bits: u64) -> PassCount {
    (0..z_bits).fold(PassCount::default(), |acc, j| {
        let s = 1u64 << j.min(63);
        let per = 2 * l.saturating_sub(s) + 1;
        acc.plus(PassCount::new(per, per))
    })
}

/// One step of the integer softmax on the AP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftmaxStep {
    /// What it does.
    pub name: &'static str,
    /// Repeated once per softmax row in the array (else once for all words).
    pub per_row: bool,
    /// Passes (per row when `per_row`).
    pub passes: PassCount,
}

/// Field widths of the integer softmax on an AP for rows of `len` elements of
/// `input_bits`-bit scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftmaxLayout {
    /// Bits of an input score.
    pub input_bits: u64,
    /// `M`.
    pub m_bits: u64,
    /// Bits of `z`.
    pub z_bits: u64,
    /// Bits of `q_ln2` / the remainder.
    pub c_bits: u64,
    /// Bits of `t = q_b − r`.
    pub t_bits: u64,
    /// Bits of `q_l` / `exp`.
    pub l_bits: u64,
    /// Bits of the row sum.
    pub d_bits: u64,
    /// Quotient bits of the final division (`OUT_SHIFT + 1`).
    pub q_bits: u64,
    /// Row-id bits (to select one row's words).
    pub rid_bits: u64,
    /// Extra zero columns above the first division's window.
    pub ext1: u64,
    /// Extra zero columns above `exp` for the final division's window.
    pub ext2: u64,
    /// Columns of the `t²` field.
    pub p_bits: u64,
    /// `q_b` (the constant `t` is computed from).
    pub q_b: u64,
}

impl SoftmaxLayout {
    /// The layout for `M = p.m_bits`, rows of `len`, `rows_in_array` rows sharing an
    /// array; errors if the row sum exceeds int32 or the scores are narrower than `M − 1`.
    pub fn new(
        p: &IntSoftmaxParams,
        input_bits: u32,
        len: u64,
        rows_in_array: u64,
    ) -> Result<Self, ArchError> {
        let u_bits = u64::from(p.m_bits) - 1;
        if u64::from(input_bits) < u_bits {
            return Err(ArchError::Invalid {
                key: "input_bits".into(),
                message: format!(
                    "{input_bits}-bit scores are narrower than the {u_bits} bits of the softmax magnitudes"
                ),
            });
        }
        let (z, c, t, l) = (
            u64::from(p.z_bits()),
            u64::from(p.c_bits()),
            u64::from(p.t_bits()),
            u64::from(p.l_bits()),
        );
        let d = u64::from(p.sum_bits(len)?);
        let n_in = u64::from(input_bits);
        Ok(SoftmaxLayout {
            input_bits: n_in,
            m_bits: u64::from(p.m_bits),
            z_bits: z,
            c_bits: c,
            t_bits: t,
            l_bits: l,
            d_bits: d,
            q_bits: u64::from(OUT_SHIFT) + 1,
            rid_bits: u64::from(bits_for(rows_in_array.saturating_sub(1))),
            ext1: (z + c).saturating_sub(n_in),
            ext2: (d + 1).saturating_sub(l),
            p_bits: (2 * t).max(l),
            q_b: p.q_b,
        })
    }

    /// Bit columns one word needs: row id, scores, max/magnitude, `z`, the first
    /// division's extension, `t`, `t²`/`exp`, carry and borrow, the broadcast sum (`d + 1`),
    /// the final division's fresh low columns and extension, and the quotient.
    pub fn columns(&self) -> u64 {
        self.rid_bits
            + 2 * self.input_bits
            + self.z_bits
            + self.ext1
            + self.t_bits
            + self.p_bits
            + 2
            + (self.d_bits + 1)
            + u64::from(OUT_SHIFT)
            + self.ext2
            + self.q_bits
    }

    /// The steps, in order, with their passes (see [`crate::imc::assoc`] for the
    /// algorithm they implement).
    pub fn steps(&self) -> Vec<SoftmaxStep> {
        let s = |name, per_row, passes| SoftmaxStep {
            name,
            per_row,
            passes,
        };
        let n_in = self.input_bits;
        let u_bits = self.m_bits - 1;
        let mut div1 = div_const(self.z_bits, self.c_bits);
        if self.ext1 > 0 {
            div1 = div1.plus(PassCount::new(0, 1));
        }
        let clamp = if n_in > u_bits {
            PassCount::new(n_in - u_bits, 1)
        } else {
            PassCount::default()
        };
        vec![
            s(
                "row max (bit-serial search)",
                true,
                PassCount::new(1 + n_in, 0),
            ),
            s("broadcast row max", true, PassCount::new(1, 1)),
            s("u = max - s", false, add(n_in)),
            s("clamp u to 2^(M-1)-1", false, clamp),
            s("z, r = divmod(u, q_ln2)", false, div1),
            s("t = q_b - r", false, rsub_const(self.t_bits, self.q_b)),
            s("q_l = t^2", false, square(self.t_bits)),
            s("q_l += q_c", false, add_const(self.l_bits)),
            s("exp = q_l >> z", false, var_shift(self.l_bits, self.z_bits)),
            s(
                "row sum (bit-serial popcount)",
                true,
                PassCount {
                    compares: self.l_bits,
                    writes: 0,
                    popcounts: self.l_bits,
                },
            ),
            s("broadcast row sum", true, PassCount::new(1, 1)),
            s(
                "out = (exp << 20) / sum",
                false,
                div_field(self.q_bits, self.d_bits).plus(PassCount::new(0, 1)),
            ),
        ]
    }

    /// Total passes for an array holding `rows` softmax rows.
    pub fn total(&self, rows: u64) -> PassCount {
        self.steps().iter().fold(PassCount::default(), |acc, st| {
            acc.plus(if st.per_row {
                st.passes.times(rows)
            } else {
                st.passes
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_formulas() {
        // 8-bit add: 32 compares, 33 writes (Yavits et al.'s 8m = 64 cycles plus the
        // carry clear).
        assert_eq!(add(8), PassCount::new(32, 33));
        // 3-bit square: 3·11 = 33 compares, 1 + 36 = 37 writes.
        assert_eq!(square(3), PassCount::new(33, 37));
        // Shift of a 10-bit field by a 4-bit amount: stages s = 1, 2, 4, 8:
        // (2·9+1) + (2·8+1) + (2·6+1) + (2·2+1) = 19 + 17 + 13 + 5 = 54.
        assert_eq!(var_shift(10, 4), PassCount::new(54, 54));
    }
}
