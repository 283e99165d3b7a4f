//! The closed form equals the cycle-stepped reference, cycle for cycle, and the reference
//! computes the right GEMM.

use arch::pe_array::{Dataflow, GemmShape, fold_timing};
use arch::reference::{RefConfig, gemm_naive, run_gemm};
use proptest::prelude::*;

fn matrices(s: GemmShape, seed: u64) -> (Vec<i32>, Vec<i32>) {
    // Small deterministic values (an LCG) keep products exact.
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % 19) as i32 - 9
    };
    let a = (0..s.m * s.k).map(|_| next()).collect();
    let b = (0..s.k * s.n).map(|_| next()).collect();
    (a, b)
}

fn check(rows: usize, cols: usize, df: Dataflow, overlap: bool, s: GemmShape, seed: u64) {
    let (a, b) = matrices(s, seed);
    let cfg = RefConfig {
        rows,
        cols,
        dataflow: df,
        fold_overlap: overlap,
    };
    let run = run_gemm(cfg, s, &a, &b).unwrap();
    let closed = fold_timing(rows as u64, cols as u64, df, overlap, s).compute_cycles;
    assert_eq!(
        run.cycles, closed,
        "{rows}x{cols} {df:?} overlap={overlap} {s:?}"
    );
    assert_eq!(
        run.c,
        gemm_naive(s, &a, &b),
        "{rows}x{cols} {df:?} overlap={overlap} {s:?}"
    );
}

#[test]
fn hand_derived_small_cases() {
    // 1x1 array, 1x1x1 GEMM: OS one cycle (1+1+1-2); WS/IS 2+1+1-2 = 2 (load, then MAC).
    let s = GemmShape::new(1, 1, 1);
    let one = |df| {
        run_gemm(
            RefConfig {
                rows: 1,
                cols: 1,
                dataflow: df,
                fold_overlap: false,
            },
            s,
            &[3],
            &[4],
        )
        .unwrap()
    };
    assert_eq!(one(Dataflow::OutputStationary).cycles, 1);
    assert_eq!(one(Dataflow::WeightStationary).cycles, 2);
    assert_eq!(one(Dataflow::InputStationary).cycles, 2);
    assert_eq!(one(Dataflow::WeightStationary).c, vec![12]);
    // 2x2 OS, 2x3x2: one fold of 2+2+3-2 = 5 cycles.
    check(
        2,
        2,
        Dataflow::OutputStationary,
        false,
        GemmShape::new(2, 3, 2),
        1,
    );
    // 4x4 WS, 10x6x5: 4 folds x 20 = 80; overlapped 20 + 3·10 = 50 (hand-derived in pe_array).
    check(
        4,
        4,
        Dataflow::WeightStationary,
        false,
        GemmShape::new(10, 6, 5),
        2,
    );
    check(
        4,
        4,
        Dataflow::WeightStationary,
        true,
        GemmShape::new(10, 6, 5),
        3,
    );
    // Stream shorter than the array (T < R): overlap interval is R.
    check(
        8,
        3,
        Dataflow::InputStationary,
        true,
        GemmShape::new(7, 20, 2),
        4,
    );
}

#[test]
fn exhaustive_small_shapes() {
    // Every M, K, N in 1..=5 on every array from 1x1 to 4x4, all dataflows, both fold
    // options: partial folds, T < R, T = 1 and single-PE arrays all occur.
    for rows in 1..=4 {
        for cols in 1..=4 {
            for df in Dataflow::ALL {
                for overlap in [false, true] {
                    for m in 1..=5 {
                        for k in 1..=5 {
                            for n in 1..=5 {
                                check(
                                    rows,
                                    cols,
                                    df,
                                    overlap,
                                    GemmShape::new(m, k, n),
                                    m * 31 + k * 7 + n,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn errors_not_panics() {
    let cfg = RefConfig {
        rows: 2,
        cols: 2,
        dataflow: Dataflow::OutputStationary,
        fold_overlap: false,
    };
    assert!(run_gemm(cfg, GemmShape::new(0, 1, 1), &[], &[]).is_err());
    assert!(run_gemm(cfg, GemmShape::new(1, 2, 1), &[1], &[1, 2]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn closed_form_equals_reference(
        m in 1u64..=64, k in 1u64..=64, n in 1u64..=64,
        rows in 1usize..=16, cols in 1usize..=16,
        df in 0usize..3, overlap in any::<bool>(), seed in any::<u64>(),
    ) {
        check(rows, cols, Dataflow::ALL[df], overlap, GemmShape::new(m, k, n), seed);
    }
}
