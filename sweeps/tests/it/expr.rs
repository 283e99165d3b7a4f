//! The constraint language: precedence, associativity, functions, errors.

use sweeps::expr::Expr;

fn num(text: &str) -> f64 {
    Expr::parse(text).unwrap().eval_num(&|_| Ok(0.0)).unwrap()
}

fn cond(text: &str, vars: &[f64]) -> bool {
    let e = Expr::parse_condition(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    e.eval_bool(&|i| Ok(vars[i])).unwrap()
}

fn error(text: &str) -> (usize, String) {
    let e = Expr::parse(text).unwrap_err();
    (e.column, e.to_string())
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(num("2 + 3 * 4"), 14.0);
    assert_eq!(num("(2 + 3) * 4"), 20.0);
    assert_eq!(num("10 - 4 - 3"), 3.0); // left-associative: (10 − 4) − 3
    assert_eq!(num("64 / 4 / 2"), 8.0);
    assert_eq!(num("2 ^ 3 ^ 2"), 512.0); // right-associative: 2^(3^2)
    assert_eq!(num("-2 ^ 2"), -4.0); // −(2²)
    assert_eq!(num("2 ^ -1"), 0.5);
    assert_eq!(num("1e6 + 2.5e-1 + .5"), 1_000_000.75);
    assert_eq!(
        num("min(3, 1, 2) + max(4, 8) + log2(1024) + sqrt(16) + abs(-1)"),
        1.0 + 8.0 + 10.0 + 4.0 + 1.0
    );
    assert_eq!(
        num("floor(2.7) + ceil(2.1) + log10(1000) + ln(1) + exp(0)"),
        2.0 + 3.0 + 3.0 + 0.0 + 1.0
    );
}

#[test]
fn conditions() {
    assert!(cond("a * b <= 65536", &[256.0, 256.0]));
    assert!(!cond("a * b <= 65536", &[256.0, 257.0]));
    // `&&` binds tighter than `||`: true || (false && false).
    assert!(cond("a > 0 || a < 0 && a > 1", &[1.0]));
    assert!(!cond("(a > 0 || a < 0) && a > 1", &[1.0]));
    assert!(cond("!(a == 2) && a != 3", &[1.0]));
    assert!(cond("a + 1 > a * 2 - 1", &[1.5])); // 2.5 > 2
    // Short-circuit: the right side is not evaluated (its variable would fail).
    let e = Expr::parse_condition("a > 0 || b > 0").unwrap();
    let v = |i: usize| {
        if i == 0 {
            Ok(1.0)
        } else {
            Err("b unset".to_string())
        }
    };
    assert_eq!(e.eval_bool(&v), Ok(true));
    assert_eq!(e.variables(), ["a", "b"]);
}

#[test]
fn errors_point_at_a_column() {
    assert_eq!(error("2 +").0, 4);
    assert!(
        error("2 +")
            .1
            .contains("expected a number, a name or `(`, found the end")
    );
    assert_eq!(error("(1 + 2").0, 7);
    assert!(error("(1 + 2").1.contains("expected `)`"));
    assert_eq!(error("a < b < c").0, 7);
    assert!(error("a < b < c").1.contains("cannot be chained"));
    let (col, msg) = error("lg2(a)");
    assert_eq!(col, 1);
    assert!(
        msg.contains("unknown function `lg2`") && msg.contains("did you mean `log2`"),
        "{msg}"
    );
    assert!(error("a = 1").1.contains("use `==`"));
    assert!(error("a & b").1.contains("use `&&`"));
    assert!(
        error("1 + (a < 2)")
            .1
            .contains("needs a number, found a condition")
    );
    assert!(error("a && b").1.contains("needs a condition"));
    assert!(error("max(1)").1.contains("two or more"));
    assert!(error("log2(1, 2)").1.contains("one argument"));
    assert!(error("a # b").1.contains("unexpected character `#`"));
    assert!(
        error("1 2")
            .1
            .contains("unexpected number `2` after the expression")
    );
    assert!(
        Expr::parse_condition("a + 1")
            .unwrap_err()
            .message
            .contains("expected a condition")
    );
}
