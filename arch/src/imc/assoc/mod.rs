//! The associative processor (AP): SoftmAP's in-memory fabric.
//!
//! # Model
//! An AP array is a content-addressable memory of `words` rows × `word_bits` bit columns
//! with a tag bit per word. It computes bit-serially and word-parallel: every cycle either
//! compares a key against a few columns of all words (setting tags) or writes a value into
//! columns of the tagged words; a population count of the tags gives reductions. An
//! `n`-bit operation over all words costs a fixed number of passes independent of the
//! number of words ([`passes`]: add/subtract `4n` compare+write pairs, constant add `2n`,
//! multiply `≈ 4n²`, restoring division `≈ 8n` per quotient bit…). `arrays` arrays work in
//! parallel. Time is `compares · compare_cycles + writes · write_cycles + popcounts ·
//! popcount_cycles` plus loading and unloading the words (`io_bytes_per_cycle` per
//! array); energy is per word touched by each compare and write (matchlines and bitlines
//! of the active words), per popcount and per byte moved.
//!
//! # Integer softmax (SoftmAP; numerics in [`numerics`])
//! One element per word, a softmax row in consecutive words with a row id; the scores
//! arrive as `input_bits`-bit integers on the quantisation grid `S = 7 / (2^(M−1) − 1)`.
//! Steps and passes (per row where marked; `n_in = input_bits`, `u = M − 1`, `z`, `c`,
//! `t`, `l`, `d` the bits of `z`, `q_ln2`, `t`, `exp`, the row sum):
//!
//! | step | passes (compares, writes) |
//! |---|---|
//! | row max, bit-serial search from the MSB (per row) | `(1 + n_in, 0)` |
//! | broadcast the max into the row's words (per row) | `(1, 1)` |
//! | `u = max − s` | `(4 n_in, 4 n_in + 1)` |
//! | clamp `u ≤ 2^(M−1) − 1` (any high bit set → all ones) | `(n_in − u, 1)` |
//! | `z, r = divmod(u, q_ln2)`, restoring, constant divisor | `(z(4(c+1)+1), 1 + z(4(c+1)+3))` (+1 write if the window needs extra columns) |
//! | `t = q_b − r` (`= q_p + q_b`), into fresh columns | `(2t + ones(q_b), 2t + ones(q_b) + 1)` |
//! | `q_l = t²` (shift-and-add) | `(t(4t − 1), 1 + 4t²)` |
//! | `q_l += q_c` | `(2l, 2l + 1)` |
//! | `exp = q_l >> z` (logarithmic shifter) | `Σ_j (2·max(l − 2^j, 0) + 1)` each |
//! | row sum, bit-serial popcount (per row) | `(l, 0)` + `l` popcounts |
//! | broadcast the sum (per row) | `(1, 1)` |
//! | `out = ⌊(exp << 20) / sum⌋`, restoring, 21 quotient bits | `(21(8(d+1)+1), 2 + 21(8(d+1)+3))` |
//!
//! The final division dominates (≈ 16·(d + 1) passes per quotient bit). These counts are first-principles derivations (SoftmAP does not publish its microcode); the
//! bit-level emulator [`cam`] executes exactly these steps and the tests check both its
//! outputs (bit-exact against the reference) and its pass counts (equal to the formulas).
//!
//! The AP also runs element-wise add, subtract and multiply over all words.
//! GEMV/GEMM and attention are not AP kernels here: [`AssocProcessor::estimate`] answers
//! [`ArchError::Unsupported`].

pub mod cam;
pub mod emulate;
pub mod numerics;
pub mod passes;
pub mod spec;

pub use spec::{AssocEnergy, AssocEnergySpec, AssocProcessor, AssocProcessorSpec};

use crate::ArchError;
use crate::imc::kernel::{
    ElementwiseOp, Fidelity, Kernel, KernelClass, KernelEstimate, Phase, div_ceil, energy_report,
    unsupported,
};
use passes::{PassCount, SoftmaxLayout};

const UNIT: &str = "assoc_processor";

/// Work of one array in one round: passes, active words, bytes in and out.
#[derive(Clone, Copy, Debug, Default)]
struct ArrayWork {
    passes: PassCount,
    words: u64,
    bytes: u64,
}

/// Totals over a kernel.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    cycles: u64,
    compute_cycles: u64,
    io_cycles: u64,
    passes: PassCount,
    compare_words: u64,
    write_words: u64,
    popcount_words: u64,
    bytes: u64,
}

impl Totals {
    fn times(self, n: u64) -> Totals {
        Totals {
            cycles: self.cycles * n,
            compute_cycles: self.compute_cycles * n,
            io_cycles: self.io_cycles * n,
            passes: self.passes.times(n),
            compare_words: self.compare_words * n,
            write_words: self.write_words * n,
            popcount_words: self.popcount_words * n,
            bytes: self.bytes * n,
        }
    }
}

impl AssocProcessor {
    fn pass_cycles(&self, p: PassCount) -> u64 {
        p.compares * self.compare_cycles
            + p.writes * self.write_cycles
            + p.popcounts * self.popcount_cycles
    }

    /// Adds one round in which `groups` lists `(arrays, work)`: that many arrays each
    /// doing `work`; the round lasts as long as its slowest array.
    fn add_round(&self, t: &mut Totals, groups: &[(u64, ArrayWork)]) {
        let mut slowest: Option<(u64, ArrayWork)> = None;
        for &(n, w) in groups {
            if n == 0 {
                continue;
            }
            let c = self.pass_cycles(w.passes) + div_ceil(w.bytes, self.io_bytes_per_cycle);
            if slowest.is_none_or(|(sc, _)| c > sc) {
                slowest = Some((c, w));
            }
            t.compare_words += n * w.passes.compares * w.words;
            t.write_words += n * w.passes.writes * w.words;
            t.popcount_words += n * w.passes.popcounts * w.words;
            t.bytes += n * w.bytes;
        }
        if let Some((c, w)) = slowest {
            t.passes = t.passes.plus(w.passes);
            t.compute_cycles += self.pass_cycles(w.passes);
            t.io_cycles += div_ceil(w.bytes, self.io_bytes_per_cycle);
            t.cycles += c;
        }
    }

    fn finish(
        &self,
        class: KernelClass,
        t: Totals,
        mut phases: Vec<Phase>,
        extra_counts: Vec<(String, u64)>,
        useful_ops: u64,
        fidelity: Fidelity,
    ) -> Result<KernelEstimate, ArchError> {
        let time = self.clock.cycles_to_time(t.cycles);
        let e = &self.energy;
        let energy = energy_report(
            UNIT,
            &[
                ("cam_compare", t.compare_words, e.compare_pj_per_word),
                ("cam_write", t.write_words, e.write_pj_per_word),
                ("popcount", t.popcount_words, e.popcount_pj_per_word),
                ("io", t.bytes, e.io_pj_per_byte),
            ],
            e.leakage_mw,
            time,
        )?;
        let mut counts = vec![
            ("compare_passes".to_string(), t.passes.compares),
            ("write_passes".to_string(), t.passes.writes),
            ("popcounts".to_string(), t.passes.popcounts),
            ("io_bytes".to_string(), t.bytes),
        ];
        counts.extend(extra_counts);
        phases.push(Phase {
            name: "load and unload".into(),
            cycles: t.io_cycles,
            span_cycles: t.io_cycles,
        });
        Ok(KernelEstimate {
            unit: UNIT.to_string(),
            class,
            fidelity,
            clock: self.clock,
            cycles: t.cycles,
            time,
            energy,
            counts,
            phases,
            useful_ops,
        })
    }

    /// Estimates a kernel: softmax (integer, SoftmAP) and element-wise run; GEMV, GEMM
    /// and attention are [`ArchError::Unsupported`].
    pub fn estimate(&self, kernel: &Kernel) -> Result<KernelEstimate, ArchError> {
        match *kernel {
            Kernel::Softmax { rows, len } => self.softmax(rows, len),
            Kernel::Elementwise { op, n } => self.elementwise(op, n),
            Kernel::Activation { func, .. } => Err(unsupported(
                UNIT,
                kernel.class(),
                &format!(
                    "the associative processor has no {} pass sequence in this model (add, sub, \
                     mul and the integer softmax only); run activations on a nonlinear unit",
                    func.name()
                ),
            )),
            Kernel::Gemv { .. } | Kernel::Gemm { .. } | Kernel::Attention(_) => Err(unsupported(
                UNIT,
                kernel.class(),
                "the associative processor runs integer softmax and element-wise kernels; \
                 map matrix products onto a crossbar, PE array or PIM unit",
            )),
        }
    }

    /// The softmax layout for rows of `len` with `rows_in_array` rows per array; errors
    /// when it needs more than `word_bits` columns.
    pub fn softmax_layout(&self, len: u64, rows_in_array: u64) -> Result<SoftmaxLayout, ArchError> {
        let layout = SoftmaxLayout::new(&self.softmax, self.input_bits, len, rows_in_array)?;
        if layout.columns() > self.word_bits {
            return Err(unsupported(
                UNIT,
                KernelClass::Softmax,
                &format!(
                    "rows of {len} need {} bit columns per word but the AP has {}",
                    layout.columns(),
                    self.word_bits
                ),
            ));
        }
        Ok(layout)
    }

    /// Integer softmax over `rows` rows of `len` elements (see the module docs).
    pub fn softmax(&self, rows: u64, len: u64) -> Result<KernelEstimate, ArchError> {
        Kernel::Softmax { rows, len }.check_nonzero(UNIT)?;
        // Arrays per row (a row longer than an array spans several) and rows per array.
        let per_row = div_ceil(len, self.words);
        if per_row > self.arrays {
            return Err(unsupported(
                UNIT,
                KernelClass::Softmax,
                &format!(
                    "a row of {len} elements needs {per_row} arrays of {} words; the AP has {}",
                    self.words, self.arrays
                ),
            ));
        }
        let (rows_per_array, len_a, rows_per_round) = if per_row == 1 {
            let rpa = self.words / len;
            (rpa, len, rpa * self.arrays)
        } else {
            (1, div_ceil(len, per_row), self.arrays / per_row)
        };
        let layout = self.softmax_layout(len, rows_per_array)?;
        let in_bytes = div_ceil(u64::from(self.input_bits), 8);
        let out_bytes = div_ceil(layout.q_bits, 8);
        let combine = 2 * (per_row - 1); // partial max and sum combined by the controller
        let work = |r: u64| ArrayWork {
            passes: layout.total(r),
            words: r * len_a,
            bytes: r * len_a * (in_bytes + out_bytes),
        };
        let mut t = Totals::default();
        let full = rows / rows_per_round;
        let left = rows % rows_per_round;
        if full > 0 {
            self.add_round(
                &mut t,
                &[(
                    rows_per_round * per_row / rows_per_array,
                    work(rows_per_array),
                )],
            );
            t = t.times(full);
        }
        if left > 0 {
            if per_row == 1 {
                // Spread the remaining rows: `hi` arrays get ⌈left/arrays⌉ rows, the rest
                // one fewer.
                let arrays_used = left.min(self.arrays);
                let hi_rows = div_ceil(left, arrays_used);
                let hi = left - (hi_rows - 1) * arrays_used;
                self.add_round(
                    &mut t,
                    &[(hi, work(hi_rows)), (arrays_used - hi, work(hi_rows - 1))],
                );
            } else {
                self.add_round(&mut t, &[(left * per_row, work(1))]);
            }
        }
        let rounds = full + u64::from(left > 0);
        t.cycles += combine * rounds;
        let steps = layout.steps();
        let mut phases: Vec<Phase> = steps
            .iter()
            .map(|s| {
                let p = if s.per_row {
                    s.passes.times(rows_per_array.min(rows))
                } else {
                    s.passes
                };
                let c = self.pass_cycles(p) * rounds;
                Phase {
                    name: s.name.to_string(),
                    cycles: c,
                    span_cycles: c,
                }
            })
            .collect();
        if combine > 0 {
            phases.push(Phase {
                name: "combine partial max and sum across arrays".into(),
                cycles: combine * rounds,
                span_cycles: combine * rounds,
            });
        }
        self.finish(
            KernelClass::Softmax,
            t,
            phases,
            vec![
                ("rounds".to_string(), rounds),
                ("rows_per_array".to_string(), rows_per_array),
                ("arrays_per_row".to_string(), per_row),
                ("columns_per_word".to_string(), layout.columns()),
            ],
            rows * len,
            Fidelity::TileLevel,
        )
    }

    /// Passes of one element-wise operation on `element_bits` operands over all words.
    pub fn elementwise_passes(&self, op: ElementwiseOp) -> PassCount {
        let e = u64::from(self.element_bits);
        match op {
            ElementwiseOp::Add | ElementwiseOp::Sub => passes::add(e),
            ElementwiseOp::Mul => passes::mul(e, e),
        }
    }

    /// `n` element-wise operations, one element pair per word.
    pub fn elementwise(&self, op: ElementwiseOp, n: u64) -> Result<KernelEstimate, ArchError> {
        Kernel::Elementwise { op, n }.check_nonzero(UNIT)?;
        let e = u64::from(self.element_bits);
        let (cols, out_bits) = match op {
            ElementwiseOp::Add | ElementwiseOp::Sub => (2 * e + 1, e),
            ElementwiseOp::Mul => (4 * e + 1, 2 * e),
        };
        if cols > self.word_bits {
            return Err(unsupported(
                UNIT,
                KernelClass::Elementwise,
                &format!(
                    "{} needs {cols} bit columns per word; the AP has {}",
                    op.name(),
                    self.word_bits
                ),
            ));
        }
        let passes = self.elementwise_passes(op);
        let per_el_bytes = 2 * div_ceil(e, 8) + div_ceil(out_bits, 8);
        let work = |w: u64| ArrayWork {
            passes,
            words: w,
            bytes: w * per_el_bytes,
        };
        let per_round = self.words * self.arrays;
        let (full, left) = (n / per_round, n % per_round);
        let mut t = Totals::default();
        if full > 0 {
            self.add_round(&mut t, &[(self.arrays, work(self.words))]);
            t = t.times(full);
        }
        if left > 0 {
            let used = div_ceil(left, self.words);
            let last = left - (used - 1) * self.words;
            self.add_round(&mut t, &[(used - 1, work(self.words)), (1, work(last))]);
        }
        let rounds = full + u64::from(left > 0);
        let compute = t.compute_cycles;
        self.finish(
            KernelClass::Elementwise,
            t,
            vec![Phase {
                name: format!(
                    "{} ({}-bit, {} compares + {} writes per round)",
                    op.name(),
                    e,
                    passes.compares,
                    passes.writes
                ),
                cycles: compute,
                span_cycles: compute,
            }],
            vec![("rounds".to_string(), rounds)],
            n,
            Fidelity::TileLevel,
        )
    }

    /// Peak element-wise operations per second: every word of every array busy,
    /// `words · arrays` results per `compares·compare_cycles + writes·write_cycles` (I/O
    /// excluded).
    pub fn peak_elementwise_ops_per_s(&self, op: ElementwiseOp) -> f64 {
        let c = self.pass_cycles(self.elementwise_passes(op));
        (self.words * self.arrays) as f64 * self.clock.freq_hz() as f64 / c.max(1) as f64
    }

    /// Runs the integer softmax of `rows` (integer scores on the `S` grid) on the bit-level
    /// emulator, all rows in one array: the outputs, and an estimate built from the
    /// emulated pass counts (fidelity: cycle-stepped).
    pub fn run_int_softmax(
        &self,
        rows: &[Vec<i64>],
    ) -> Result<(emulate::EmulatedSoftmax, KernelEstimate), ArchError> {
        let words = rows.iter().map(|r| r.len() as u64).sum::<u64>();
        if words > self.words {
            return Err(unsupported(
                UNIT,
                KernelClass::Softmax,
                &format!("{words} elements exceed one array of {} words", self.words),
            ));
        }
        let run = emulate::run_int_softmax(rows, self.input_bits, self.softmax.m_bits)?;
        if run.columns > self.word_bits {
            return Err(unsupported(
                UNIT,
                KernelClass::Softmax,
                &format!(
                    "needs {} columns; the AP has {}",
                    run.columns, self.word_bits
                ),
            ));
        }
        let passes = run
            .steps
            .iter()
            .fold(PassCount::default(), |a, (_, p)| a.plus(*p));
        let len = rows.first().map_or(0, Vec::len) as u64;
        let in_bytes = div_ceil(u64::from(self.input_bits), 8);
        let out_bytes = div_ceil(run.layout.q_bits, 8);
        let mut t = Totals::default();
        self.add_round(
            &mut t,
            &[(
                1,
                ArrayWork {
                    passes,
                    words,
                    bytes: words * (in_bytes + out_bytes),
                },
            )],
        );
        let phases = run
            .steps
            .iter()
            .map(|(name, p)| Phase {
                name: name.to_string(),
                cycles: self.pass_cycles(*p),
                span_cycles: self.pass_cycles(*p),
            })
            .collect();
        let est = self.finish(
            KernelClass::Softmax,
            t,
            phases,
            vec![("columns_per_word".to_string(), run.columns)],
            rows.len() as u64 * len,
            Fidelity::CycleStepped,
        )?;
        Ok((run, est))
    }
}
