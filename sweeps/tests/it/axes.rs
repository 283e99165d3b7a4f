//! Axis expansion: counts, values, order, zip, random and Latin-hypercube sampling.

use toml::Value;

use crate::common::{GRID, spec};
use sweeps::Spec;

fn one_axis(axis: &str) -> Vec<Value> {
    let s = spec(&format!(
        "metrics = [\"x\"]\n[base]\narch = \"t\"\n[[axis]]\nkey = \"arch.a\"\n{axis}\n"
    ));
    (0..s.n_points())
        .map(|i| s.axis_values(i)[0].clone())
        .collect()
}

fn ints(v: &[i64]) -> Vec<Value> {
    v.iter().map(|x| Value::Integer(*x)).collect()
}

fn floats(v: &[f64]) -> Vec<Value> {
    v.iter().map(|x| Value::Float(*x)).collect()
}

#[test]
fn grid_is_a_product_with_the_first_axis_slowest() {
    let s = spec(GRID);
    assert_eq!(s.n_points(), 4 * 3 * 2);
    let at = |id| s.axis_values(id).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(at(0), ints(&[16, 16, 4]));
    assert_eq!(at(1), ints(&[16, 16, 8]));
    assert_eq!(at(2), ints(&[16, 32, 4]));
    // id 23 = 3·6 + 2·2 + 1 → rows[3], cols[2], bits[1].
    assert_eq!(at(23), ints(&[128, 64, 8]));
    // id 13 = 2·6 + 0·2 + 1 → rows[2], cols[0], bits[1].
    assert_eq!(at(13), ints(&[64, 16, 8]));
}

#[test]
fn linear_ranges() {
    assert_eq!(
        one_axis("linear = { start = 1, stop = 10, step = 3 }"),
        ints(&[1, 4, 7, 10])
    );
    assert_eq!(
        one_axis("linear = { start = 1, stop = 10, step = 4 }"),
        ints(&[1, 5, 9])
    );
    assert_eq!(
        one_axis("linear = { start = 10, stop = 1, step = -4 }"),
        ints(&[10, 6, 2])
    );
    // 0.1 + 2·0.1 is 0.30000000000000004 in f64; snapped to 12 digits it is the literal 0.3.
    assert_eq!(
        one_axis("linear = { start = 0.1, stop = 0.5, step = 0.1 }"),
        floats(&[0.1, 0.2, 0.3, 0.4, 0.5])
    );
    // 10·i/4 = 0, 2.5, 5, 7.5, 10, rounded half away from zero.
    assert_eq!(
        one_axis("linear = { start = 0, stop = 10, count = 5 }"),
        ints(&[0, 3, 5, 8, 10])
    );
    assert_eq!(
        one_axis("linear = { start = 0.0, stop = 1, count = 3 }"),
        floats(&[0.0, 0.5, 1.0])
    );
    assert_eq!(
        one_axis("linear = { start = 7, stop = 7, step = 2 }"),
        ints(&[7])
    );
}

#[test]
fn geometric_ranges() {
    assert_eq!(
        one_axis("geometric = { start = 16, stop = 256, factor = 2 }"),
        ints(&[16, 32, 64, 128, 256])
    );
    assert_eq!(
        one_axis("geometric = { start = 16, stop = 300, factor = 2 }"),
        ints(&[16, 32, 64, 128, 256])
    );
    // A float factor gives floats.
    assert_eq!(
        one_axis("geometric = { start = 1024, stop = 128, factor = 0.5 }"),
        floats(&[1024.0, 512.0, 256.0, 128.0])
    );
    // 1000^(1/3) = 10 (9.999999999999998 in f64, snapped).
    assert_eq!(
        one_axis("geometric = { start = 1.0, stop = 1000.0, count = 4 }"),
        floats(&[1.0, 10.0, 100.0, 1000.0])
    );
    assert_eq!(
        one_axis("geometric = { start = 1, stop = 1000, count = 4 }"),
        ints(&[1, 10, 100, 1000])
    );
}

#[test]
fn zip_groups_advance_together() {
    let s = spec(
        "metrics = [\"x\"]\n[base]\narch = \"t\"\n[[axis]]\nkey = \"workload.batch\"\nvalues = [1, 8]\n\
         [[zip]]\n[[zip.axis]]\nkey = \"workload.bits\"\nvalues = [8, 4, 3]\n\
         [[zip.axis]]\nkey = \"workload.group\"\nlinear = { start = 0, stop = 128, count = 3 }\n",
    );
    assert_eq!(s.n_points(), 2 * 3);
    assert_eq!(
        s.axis_columns(),
        ["workload.batch", "workload.bits", "workload.group"]
    );
    let at = |id| s.axis_values(id).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(at(0), ints(&[1, 8, 0]));
    assert_eq!(at(1), ints(&[1, 4, 64]));
    assert_eq!(at(2), ints(&[1, 3, 128]));
    assert_eq!(at(5), ints(&[8, 3, 128]));
}

const SAMPLED: &str = "metrics = [\"x\"]\nseed = 3\n[base]\narch = \"t\"\n\
    [[axis]]\nkey = \"workload.batch\"\nvalues = [1, 8]\n\
    [sample]\nmethod = \"METHOD\"\nn = 40\n\
    [[sample.axis]]\nkey = \"arch.rows\"\nlinear = { start = 0, stop = 39 }\n\
    [[sample.axis]]\nkey = \"arch.ratio\"\nlinear = { start = 0.5, stop = 0.9 }\n\
    [[sample.axis]]\nkey = \"arch.kib\"\ngeometric = { start = 1.0, stop = 1024.0 }\n\
    [[sample.axis]]\nkey = \"arch\"\nvalues = [\"a\", \"b\"]\n";

fn columns(s: &Spec, col: usize) -> Vec<Value> {
    (0..40).map(|i| s.axis_values(i)[col].clone()).collect()
}

#[test]
fn random_sampling_stays_in_range_and_is_seeded() {
    let text = SAMPLED.replace("METHOD", "random");
    let s = spec(&text);
    // Each grid value × the 40 samples (the same samples for each).
    assert_eq!(s.n_points(), 2 * 40);
    assert_eq!(s.axis_values(0)[1..], s.axis_values(40)[1..]);
    for i in 0..40 {
        let v = s.axis_values(i);
        let rows = v[1].as_integer().unwrap();
        let ratio = v[2].as_float().unwrap();
        let kib = v[3].as_float().unwrap();
        assert!((0..=39).contains(&rows));
        assert!((0.5..0.9).contains(&ratio));
        assert!((1.0..=1024.0).contains(&kib));
        assert!(["a", "b"].contains(&v[4].as_str().unwrap()));
    }
    // Same seed, same samples; another seed, other samples; the sample seed defaults to
    // the spec's.
    assert_eq!(columns(&spec(&text), 2), columns(&s, 2));
    assert_ne!(
        columns(&spec(&text.replace("seed = 3", "seed = 4")), 2),
        columns(&s, 2)
    );
    let explicit = text.replace("n = 40\n", "n = 40\nseed = 3\n");
    assert_eq!(spec(&explicit).hash(), s.hash());
}

#[test]
fn latin_hypercube_hits_every_stratum_once() {
    let s = spec(&SAMPLED.replace("METHOD", "lhs"));
    let n = 40;
    // Integer axis 0..=39 with n = 40: every integer exactly once.
    let mut rows: Vec<i64> = columns(&s, 1)
        .iter()
        .map(|v| v.as_integer().unwrap())
        .collect();
    rows.sort_unstable();
    assert_eq!(rows, (0..40).collect::<Vec<_>>());
    // Float axis [0.5, 0.9]: stratum k = ⌊(v − 0.5)/0.4 · n⌋, each k once.
    let mut strata: Vec<usize> = columns(&s, 2)
        .iter()
        .map(|v| ((v.as_float().unwrap() - 0.5) / 0.4 * n as f64) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..n).collect::<Vec<_>>());
    // Log axis [1, 1024]: strata equal in log2, k = ⌊log2(v)/10 · n⌋.
    let mut strata: Vec<usize> = columns(&s, 3)
        .iter()
        .map(|v| (v.as_float().unwrap().log2() / 10.0 * n as f64) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..n).collect::<Vec<_>>());
    // A two-element list: each half of the strata picks one element, 20 each.
    let a = columns(&s, 4)
        .iter()
        .filter(|v| v.as_str() == Some("a"))
        .count();
    assert_eq!(a, 20);
}

#[test]
fn ids_are_stable() {
    let a = spec(&SAMPLED.replace("METHOD", "lhs"));
    let b = spec(&SAMPLED.replace("METHOD", "lhs"));
    for i in 0..a.n_points() {
        assert_eq!(a.axis_values(i), b.axis_values(i));
        assert_eq!(a.point(i).unwrap().seed, b.point(i).unwrap().seed);
    }
}
