//! Associative processor: integer softmax numerics, the bit-level emulator, pass counts.

use arch::imc::assoc::cam::{CamArray, Key};
use arch::imc::assoc::emulate::run_int_softmax;
use arch::imc::assoc::numerics::IntSoftmaxParams;
use arch::imc::assoc::numerics::{dequantize, int_softmax_row};
use arch::imc::assoc::passes::{self, PassCount, SoftmaxLayout};
use arch::imc::assoc::{AssocProcessor, AssocProcessorSpec};
use arch::imc::kernel::{ElementwiseOp, Kernel};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

/// The algorithm exactly as `papers.md` words it, written independently of the library:
/// signed `q`, `q_p`, `z` as in the text, int32 sum, integer floor division.
fn papers_md_reference(x: &[f64], m: u32) -> Vec<u32> {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s = 7.0 / ((1i64 << (m - 1)) - 1) as f64;
    let q_ln2 = (std::f64::consts::LN_2 / s).floor() as i64;
    let q_b = (1.353 / s).floor() as i64;
    let q_c = (0.344 / (0.3585 * s * s)).floor() as i64;
    let exps: Vec<i64> = x
        .iter()
        .map(|&v| {
            let q = ((v - max).clamp(-7.0, 0.0) / s).round_ties_even() as i64; // q <= 0
            let z = (-q).div_euclid(q_ln2); // ⌊−q / q_ln2⌋
            let q_p = q + z * q_ln2;
            let q_l = (q_p + q_b) * (q_p + q_b) + q_c;
            if z >= 32 { 0 } else { q_l >> z }
        })
        .collect();
    let sum: i32 = exps.iter().map(|&e| i32::try_from(e).unwrap()).sum();
    exps.iter()
        .map(|&e| ((e << 20) / i64::from(sum)) as u32)
        .collect()
}

fn softmax_f64(x: &[f64]) -> Vec<f64> {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

#[test]
fn library_softmax_is_bit_exact_with_papers_md_on_random_real_rows() {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
    for m in 5..=12u32 {
        for _ in 0..200 {
            let len = rng.random_range(1..=64usize);
            let spread = rng.random_range(0.5..20.0f64);
            let x: Vec<f64> = (0..len)
                .map(|_| rng.random_range(-spread..spread))
                .collect();
            assert_eq!(
                int_softmax_row(&x, m).unwrap(),
                papers_md_reference(&x, m),
                "M={m} x={x:?}"
            );
        }
    }
}

#[test]
fn ap_emulator_is_bit_exact_with_papers_md_on_random_rows() {
    // Scores on the S grid (x = s·S), as the AP receives them: the emulated bit-serial
    // program must give exactly the papers.md outputs for the real-valued row.
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
    for case in 0..40 {
        let m = [8u32, 8, 8, 5, 6, 7, 9, 10, 11, 12][case % 10];
        let input_bits = rng.random_range((m - 1).max(9)..=16u32);
        let s = 7.0 / ((1i64 << (m - 1)) - 1) as f64;
        let n_rows = rng.random_range(1..=3usize);
        let len = rng.random_range(1..=24usize);
        let span = rng.random_range(1..=400i64.min((1 << (input_bits - 1)) - 1));
        let rows: Vec<Vec<i64>> = (0..n_rows)
            .map(|_| (0..len).map(|_| rng.random_range(-span..=span)).collect())
            .collect();
        let run = run_int_softmax(&rows, input_bits, m).unwrap();
        for (r, row) in rows.iter().enumerate() {
            let x: Vec<f64> = row.iter().map(|&v| v as f64 * s).collect();
            assert_eq!(
                run.outputs[r],
                papers_md_reference(&x, m),
                "M={m} row={row:?}"
            );
        }
    }
}

#[test]
fn integer_softmax_approximates_f64_softmax() {
    // Stated bounds for M = 8 on random rows (2–128 elements, scores spread ±0.1 … ±10):
    // every output within 0.05 of the exact softmax (absolute), the row's largest output
    // within 10 % (relative), and the whole row within 0.10 in L1 distance. Why: the range
    // reduction uses q_ln2·S = 12·7/127 = 0.661 for ln 2 = 0.693, so each halving by the
    // shift comes 0.046 octave early — a relative error 1 − 2^(−0.046·z) that reaches 27 %
    // at z = 10 (d = 7) but is weighted by e^−d, peaking near 0.018 absolute; the input
    // step adds ±S/2 = ±0.028 in the exponent (±2.8 %), the floors of q_b, q_c and the
    // polynomial a common ≈ −3 % that normalisation cancels, the shift and the final
    // division truncate (≤ 1 unit of Σexp ≥ 891 per element, 2^−20). Measured worst over
    // these rows: 0.037 absolute, 8 % for the largest, 0.078 in L1.
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
    for _ in 0..3000 {
        let len = rng.random_range(2..=128usize);
        let spread = rng.random_range(0.1..10.0f64);
        let x: Vec<f64> = (0..len)
            .map(|_| rng.random_range(-spread..spread))
            .collect();
        let got = dequantize(&int_softmax_row(&x, 8).unwrap());
        let want = softmax_f64(&x);
        let mut l1 = 0.0;
        for (g, t) in got.iter().zip(&want) {
            assert!((g - t).abs() <= 0.05, "got {g} want {t}");
            l1 += (g - t).abs();
        }
        assert!(l1 <= 0.10, "L1 {l1}");
        let i = (0..len).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap();
        assert!(
            (got[i] - want[i]).abs() <= 0.10 * want[i],
            "max {} vs {}",
            got[i],
            want[i]
        );
    }
}

#[test]
fn pass_counts_for_one_small_case_by_hand() {
    // M = 8, 8-bit scores, one row of 4 elements. Widths: z 4 bits (z ≤ ⌊127/12⌋ = 10),
    // c 4 (q_ln2 = 12), t 5 (q_b = 24), l 10 (891), d = bits(4·891 = 3564) = 12.
    // Truth tables: an in-place add B ← A + B has 4 of its 8 (carry, A, B) entries
    // changing — (0,1,0), (0,1,1), (1,0,0), (1,0,1) — so 4 compare+write pairs per bit;
    // with a constant only the 4 (carry, B) entries exist and 2 change.
    //  1 row max:        1 + 8 compares                                   (9, 0)
    //  2 broadcast max:                                                   (1, 1)
    //  3 u = max − s:    4·8, 4·8 + 1 (carry clear)                       (32, 33)
    //  4 clamp:          8 − 7 = 1 OR-compare, 1 write                    (1, 1)
    //  5 divmod by 12:   4 quotient bits × (2·5 + 1 + 2·5, 2·5+1 + 1 + 2·5+1) + clear q
    //                                                                     (84, 93)
    //  6 t = 24 − r:     into fresh columns; 24 = 0b11000 has two 1 bits:
    //                    2·5 + 2, 2·5 + 2 + 1                              (12, 13)
    //  7 t²:             5 × (4·4 + 2 + 1), 1 + 5 × (4·4 + 2 + 2)         (95, 101)
    //  8 + q_c:          2·10, 2·10 + 1                                   (20, 21)
    //  9 >> z:           stages 1,2,4,8: 19 + 17 + 13 + 5                  (54, 54)
    // 10 row sum:        10 compares, 10 popcounts                        (10, 0)
    // 11 broadcast sum:                                                   (1, 1)
    // 12 division:       21 × (8·13 + 1), 1 + 21 × (8·13 + 3) + 1 clear    (2205, 2249)
    // Total: 2524 compares, 2567 writes, 10 popcounts.
    let p = IntSoftmaxParams::new(8).unwrap();
    let layout = SoftmaxLayout::new(&p, 8, 4, 1).unwrap();
    let expected = [
        (9, 0),
        (1, 1),
        (32, 33),
        (1, 1),
        (84, 93),
        (12, 13),
        (95, 101),
        (20, 21),
        (54, 54),
        (10, 0),
        (1, 1),
        (2205, 2249),
    ];
    let steps = layout.steps();
    for (st, (c, w)) in steps.iter().zip(expected) {
        assert_eq!(
            (st.passes.compares, st.passes.writes),
            (c, w),
            "{}",
            st.name
        );
    }
    let total = layout.total(1);
    assert_eq!(
        total,
        PassCount {
            compares: 2524,
            writes: 2567,
            popcounts: 10
        }
    );
    // The emulator executes the same passes.
    let run = run_int_softmax(&[vec![3, -2, 100, 0]], 8, 8).unwrap();
    for ((name, got), st) in run.steps.iter().zip(&steps) {
        assert_eq!((*name, *got), (st.name, st.passes), "{name}");
    }
    assert_eq!(run.columns, layout.columns());
    // Columns: row id 1, scores 8, max 8, z 4, t 5, t² 10, flags 2, sum 13, 20 fresh,
    // 3 extension, quotient 21.
    assert_eq!(layout.columns(), 95);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn emulated_pass_counts_equal_the_closed_forms(
        m in 5u32..=12, extra in 0u32..8, len in 1usize..12, n_rows in 1usize..4, seed in 0u64..1000,
    ) {
        let input_bits = m - 1 + extra;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let hi = 1i64 << (input_bits - 1);
        let rows: Vec<Vec<i64>> = (0..n_rows)
            .map(|_| (0..len).map(|_| rng.random_range(-hi..hi)).collect())
            .collect();
        let run = run_int_softmax(&rows, input_bits, m).unwrap();
        let layout = SoftmaxLayout::new(&IntSoftmaxParams::new(m).unwrap(), input_bits, len as u64, n_rows as u64).unwrap();
        for ((name, got), st) in run.steps.iter().zip(layout.steps()) {
            let want = if st.per_row { st.passes.times(n_rows as u64) } else { st.passes };
            prop_assert_eq!((*name, *got), (st.name, want));
        }
        prop_assert_eq!(run.columns, layout.columns());
    }

    #[test]
    fn cam_arithmetic_matches_integers_and_pass_formulas(
        n in 1u64..9, pairs in prop::collection::vec((0u64..512, 0u64..512), 1..6), k in 0u64..512,
    ) {
        let words = pairs.len();
        let mask = (1u64 << n) - 1;
        let vals: Vec<(u64, u64)> = pairs.iter().map(|&(a, b)| (a & mask, b & mask)).collect();
        let setup = |cam: &mut CamArray| {
            let a = cam.alloc(n).unwrap();
            let b = cam.alloc(n).unwrap();
            let f = cam.alloc(2).unwrap();
            for (w, &(av, bv)) in vals.iter().enumerate() {
                cam.load(w, &a, av);
                cam.load(w, &b, bv);
            }
            (a, b, f)
        };
        type Op = fn(&mut CamArray, &Key, &arch::imc::assoc::cam::Field, &arch::imc::assoc::cam::Field, u16, u64);
        type Case = (Op, fn(u64, u64, u64) -> u64, PassCount);
        let ops: [Case; 4] = [
            (|c, k, a, b, f, _| c.add(k, a, b, f).unwrap(), |a, b, _| a + b, passes::add(n)),
            (|c, k, a, b, f, _| c.sub(k, a, b, f).unwrap(), |a, b, _| b.wrapping_sub(a), passes::add(n)),
            (|c, k, _, b, f, kk| c.add_const(k, kk, b, f).unwrap(), |_, b, kk| b + kk, passes::add_const(n)),
            (|c, k, _, b, f, kk| c.sub_const(k, kk, b, f).unwrap(), |_, b, kk| b.wrapping_sub(kk), passes::add_const(n)),
        ];
        for (op, want, count) in ops {
            let mut cam = CamArray::new(words);
            let (a, b, f) = setup(&mut cam);
            op(&mut cam, &Key::any(), &a, &b, f.0[0], k & mask);
            for (w, &(av, bv)) in vals.iter().enumerate() {
                prop_assert_eq!(cam.read(w, &b), want(av, bv, k & mask) & mask);
            }
            prop_assert_eq!((cam.compares, cam.writes), (count.compares, count.writes));
        }
        // k − b into fresh columns.
        let mut cam = CamArray::new(words);
        let (_, b, f) = setup(&mut cam);
        let out = cam.alloc(n).unwrap();
        cam.rsub_const(&Key::any(), k & mask, &b, &out, f.0[0]).unwrap();
        for (w, &(_, bv)) in vals.iter().enumerate() {
            prop_assert_eq!(cam.read(w, &out), (k & mask).wrapping_sub(bv) & mask);
        }
        let count = passes::rsub_const(n, k & mask);
        prop_assert_eq!((cam.compares, cam.writes), (count.compares, count.writes));
        // Multiply and square.
        let mut cam = CamArray::new(words);
        let (a, b, f) = setup(&mut cam);
        let p = cam.alloc(2 * n).unwrap();
        cam.mul(&Key::any(), &a, &b, &p, f.0[0]).unwrap();
        for (w, &(av, bv)) in vals.iter().enumerate() {
            prop_assert_eq!(cam.read(w, &p), av * bv);
        }
        prop_assert_eq!((cam.compares, cam.writes), (passes::mul(n, n).compares, passes::mul(n, n).writes));
        let mut cam = CamArray::new(words);
        let (a, _, f) = setup(&mut cam);
        let p = cam.alloc(2 * n).unwrap();
        cam.mul(&Key::any(), &a, &a, &p, f.0[0]).unwrap();
        for (w, &(av, _)) in vals.iter().enumerate() {
            prop_assert_eq!(cam.read(w, &p), av * av);
        }
        prop_assert_eq!((cam.compares, cam.writes), (passes::square(n).compares, passes::square(n).writes));
    }
}

fn softmap_like() -> AssocProcessor {
    let spec: AssocProcessorSpec = toml::from_str(
        r#"
        words = 64
        word_bits = 128
        arrays = 2
        clock_mhz = 1000.0
        popcount_cycles = 6
        io_bytes_per_cycle = 8
        softmax_bits = 8
        input_bits = 8
        element_bits = 8
    "#,
    )
    .unwrap();
    spec.validate("assoc_processor").unwrap()
}

#[test]
fn softmax_estimate_counts_rounds_and_cycles() {
    let ap = softmap_like();
    // Rows of 4: 16 rows per array, 32 per round; 40 rows → one full round and a last
    // round of 8 rows over 2 arrays (4 each).
    let est = ap.softmax(40, 4).unwrap();
    assert_eq!(est.count("rounds"), 2);
    let layout = ap.softmax_layout(4, 16).unwrap();
    let pc = |p: PassCount| p.compares + p.writes + 6 * p.popcounts;
    // I/O per array: rows × 4 elements × (1 score byte + 3 output bytes) at 8 B/cycle.
    let round1 = pc(layout.total(16)) + (16 * 4 * 4) / 8;
    let round2 = pc(layout.total(4)) + (4 * 4 * 4) / 8;
    assert_eq!(est.cycles, round1 + round2);
    assert_eq!(est.time.as_ps(), (round1 + round2) * 1000);
    // Energy: compares touch every active word of an array.
    let words_compared = 2 * layout.total(16).compares * 64 + 2 * layout.total(4).compares * 16;
    assert!((est.energy_of("cam_compare") - words_compared as f64 * 0.001).abs() < 1e-9);
}

#[test]
fn cycle_stepped_run_agrees_with_the_tile_level_estimate() {
    let ap = softmap_like();
    let rows = vec![vec![5, -3, 17, 2, 0, -40, 9, 11]];
    let (run, est) = ap.run_int_softmax(&rows).unwrap();
    let x: Vec<f64> = rows[0].iter().map(|&v| v as f64 * 7.0 / 127.0).collect();
    assert_eq!(run.outputs[0], papers_md_reference(&x, 8));
    let tile = ap.softmax(1, 8).unwrap();
    assert_eq!(est.cycles, tile.cycles);
    assert!((est.energy_pj() - tile.energy_pj()).abs() < 1e-9);
}

#[test]
fn elementwise_and_unsupported_classes() {
    let ap = softmap_like();
    // 8-bit add: (32, 33) passes per round; 200 elements → 2 rounds (128 per round).
    let est = ap
        .estimate(&Kernel::Elementwise {
            op: ElementwiseOp::Add,
            n: 200,
        })
        .unwrap();
    assert_eq!(est.count("rounds"), 2);
    assert_eq!(est.count("compare_passes"), 64);
    let err = ap
        .estimate(&Kernel::Gemv { k: 4, n: 4 })
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot run gemv"), "{err}");
    let err = ap.softmax(1, 200).unwrap_err().to_string();
    assert!(
        err.contains("cannot run softmax") && err.contains("arrays"),
        "{err}"
    );
}
