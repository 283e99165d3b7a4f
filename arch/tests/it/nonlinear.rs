//! Nonlinear numerics against f64: maximum relative errors over stated ranges.

use arch::nonlinear::{SiluApprox, exp_fast, softmax_fast};

fn max_rel<F: Fn(f32) -> f32, G: Fn(f64) -> f64>(
    lo: f64,
    hi: f64,
    steps: usize,
    f: F,
    g: G,
) -> f64 {
    (0..=steps)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / steps as f64;
            let exact = g(x);
            ((f(x as f32) as f64 - exact) / exact).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn exp_relative_error() {
    // Over [-20, 20]: degree 2 stays under 0.3 %, Schraudolph's degree 1 under 6.2 %
    // (its known worst case is 6.1 % at v = 1/ln 2 − 1 ≈ 0.44).
    let e2 = max_rel(-20.0, 20.0, 200_001, |x| exp_fast(x, 2), f64::exp);
    let e1 = max_rel(-20.0, 20.0, 200_001, |x| exp_fast(x, 1), f64::exp);
    eprintln!("exp max relative error on [-20, 20]: degree 2 {e2:.5}, degree 1 {e1:.5}");
    assert!(e2 < 0.003, "{e2}");
    assert!(e1 < 0.062 && e1 > 0.05, "{e1}");
}

#[test]
fn silu_relative_error() {
    // 16 segments on [-8, 8): quadratic σ per segment. silu = x·σ̂, so its relative error
    // is σ̂'s; checked on [-8, 8] away from the exact zero at x = 0.
    let s = SiluApprox::new(16, 8.0);
    let silu = |x: f64| x / (1.0 + (-x).exp());
    let e = max_rel(
        -8.0,
        8.0,
        160_000,
        |x| if x == 0.0 { 1e-30 } else { s.silu(x) },
        |x| {
            if x == 0.0 { 1e-30 } else { silu(x) }
        },
    );
    eprintln!("silu max relative error on [-8, 8]: {e:.5}");
    assert!(e < 0.01, "{e}");
    // Outside the range: x (σ = 1) above, 0 below; absolute error < 8·σ(-8) = 2.7e-3.
    assert_eq!(s.silu(10.0), 10.0);
    assert!((s.silu(-9.0) as f64 - silu(-9.0)).abs() < 2.7e-3);
}

#[test]
fn softmax_relative_error() {
    let row: Vec<f32> = (0..257)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
        .collect();
    let max = row.iter().copied().fold(f32::MIN, f32::max) as f64;
    let e: Vec<f64> = row.iter().map(|&x| (x as f64 - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    let approx = softmax_fast(&row, 2);
    let worst = approx
        .iter()
        .zip(&e)
        .map(|(a, x)| ((*a as f64 - x / sum) / (x / sum)).abs())
        .fold(0.0, f64::max);
    eprintln!("softmax max relative error (257 values in [-7.1, 7.1]): {worst:.5}");
    // Each exp within 0.3 % and the sum within 0.3 %: at most about 0.6 %.
    assert!(worst < 0.006, "{worst}");
    assert!((approx.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}
