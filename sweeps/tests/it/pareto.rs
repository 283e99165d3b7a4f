//! Pareto fronts: a hand-checked example and the defining invariants under proptest.

use proptest::prelude::*;
use sweeps::Sense::{self, Maximize, Minimize};
use sweeps::pareto::front;

/// Whether `a` dominates `b` under `senses`, written independently of the crate.
fn dominates(a: &[f64], b: &[f64], senses: &[Sense]) -> bool {
    let better_or_equal = |x: f64, y: f64, s: Sense| if s == Minimize { x <= y } else { x >= y };
    let strictly = |x: f64, y: f64, s: Sense| if s == Minimize { x < y } else { x > y };
    let all = (0..senses.len()).all(|j| better_or_equal(a[j], b[j], senses[j]));
    all && (0..senses.len()).any(|j| strictly(a[j], b[j], senses[j]))
}

#[test]
fn hand_checked_fronts() {
    // (latency, energy), both minimised: (1,5) (2,3) (4,1) are the front; (3,3) is
    // dominated by (2,3); (2,3) twice: both stay; (5,5) dominated by everything.
    let pts = vec![
        vec![1.0, 5.0],
        vec![2.0, 3.0],
        vec![3.0, 3.0],
        vec![4.0, 1.0],
        vec![2.0, 3.0],
        vec![5.0, 5.0],
    ];
    assert_eq!(
        front(&pts, &[Minimize, Minimize]),
        [true, true, false, true, true, false]
    );
    // Maximising the second flips it: (1,5) dominates all but (5,5)… which has the top
    // second value too but a worse first: front = (1,5) only... and (5,5)? (1,5) ≤ on
    // latency and equal energy: (5,5) is dominated.
    assert_eq!(
        front(&pts, &[Minimize, Maximize]),
        [true, false, false, false, false, false]
    );
    // NaN never on the front and dominates nothing; infinities are ordinary values.
    let pts = vec![
        vec![f64::NAN, 0.0],
        vec![1.0, f64::INFINITY],
        vec![2.0, 1.0],
    ];
    assert_eq!(front(&pts, &[Minimize, Minimize]), [false, true, true]);
    // Three objectives: (1,1,9) (9,1,1) (1,9,1) are mutually non-dominated; (2,2,9) is
    // dominated by (1,1,9).
    let pts = vec![
        vec![1.0, 1.0, 9.0],
        vec![9.0, 1.0, 1.0],
        vec![1.0, 9.0, 1.0],
        vec![2.0, 2.0, 9.0],
    ];
    assert_eq!(front(&pts, &[Minimize; 3]), [true, true, true, false]);
    // One objective: the minima.
    assert_eq!(
        front(&[vec![3.0], vec![1.0], vec![1.0]], &[Minimize]),
        [false, true, true]
    );
}

fn case() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<Sense>)> {
    (1usize..=4).prop_flat_map(|k| {
        let point = proptest::collection::vec(0u8..6, k)
            .prop_map(|v| v.into_iter().map(f64::from).collect());
        let senses = proptest::collection::vec(prop_oneof![Just(Minimize), Just(Maximize)], k);
        (proptest::collection::vec(point, 0..60), senses)
    })
}

proptest! {
    #[test]
    fn front_is_exactly_the_non_dominated_points((pts, senses) in case()) {
        let on = front(&pts, &senses);
        for (i, p) in pts.iter().enumerate() {
            if on[i] {
                prop_assert!(!pts.iter().any(|q| dominates(q, p, &senses)), "front point {i} dominated");
            } else {
                let dominated_by_front = pts.iter().zip(&on).any(|(q, o)| *o && dominates(q, p, &senses));
                prop_assert!(dominated_by_front, "point {i} off the front but no front point dominates it");
            }
        }
    }
}
