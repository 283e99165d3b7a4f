//! Number formatting and axis labels; expected strings written by hand from the rules in
//! `format_number`'s docs.

use proptest::prelude::*;
use reports::{axis_label, format_number, format_si, split_unit};

#[test]
fn fixed_range_keeps_significant_digits() {
    assert_eq!(format_number(1.23456, 3), "1.23");
    assert_eq!(format_number(0.00123456, 4), "0.001235"); // 4 digits after the zeros
    assert_eq!(format_number(41.52, 4), "41.52");
    assert_eq!(format_number(2.5, 4), "2.5"); // trailing zeros dropped
    assert_eq!(format_number(8.0, 4), "8");
    assert_eq!(format_number(-0.25, 2), "-0.25");
}

#[test]
fn integer_digits_are_never_rounded_away() {
    assert_eq!(format_number(123456.7, 4), "123457");
    assert_eq!(format_number(65536.0, 3), "65536");
    assert_eq!(format_number(999_999_999.0, 3), "999999999");
}

#[test]
fn scientific_outside_the_fixed_range() {
    assert_eq!(format_number(2.5e10, 3), "2.5e10");
    assert_eq!(format_number(1.0e9, 3), "1e9"); // 10⁹ is the first scientific value
    assert_eq!(format_number(1.2345e-5, 3), "1.23e-5");
    assert_eq!(format_number(-3.0e-7, 3), "-3e-7");
    // 999999999.7 rounds to 10⁹ at 0 decimals, so it moves to scientific.
    assert_eq!(format_number(999_999_999.7, 3), "1e9");
    assert_eq!(format_number(9.9996e-5, 3), "1e-4");
}

#[test]
fn special_values() {
    assert_eq!(format_number(0.0, 4), "0");
    assert_eq!(format_number(-0.0, 4), "0");
    assert_eq!(format_number(f64::NAN, 4), "NaN");
    assert_eq!(format_number(f64::INFINITY, 4), "inf");
    assert_eq!(format_number(f64::NEG_INFINITY, 4), "-inf");
}

#[test]
fn si_prefixes() {
    assert_eq!(format_si(312e12, "FLOP/s"), "312 TFLOP/s");
    assert_eq!(format_si(1.5e12, "B/s"), "1.5 TB/s");
    assert_eq!(format_si(32e9, "B/s"), "32 GB/s");
    assert_eq!(format_si(999.0, "W"), "999 W");
}

#[test]
fn axis_labels_show_units() {
    assert_eq!(axis_label("latency_s"), "latency (s)");
    assert_eq!(axis_label("energy_pj"), "energy (pJ)");
    assert_eq!(axis_label("die_area_mm2"), "die area (mm²)");
    assert_eq!(axis_label("tokens_per_s"), "tokens/s");
    assert_eq!(axis_label("tokens_per_j"), "tokens/J");
    assert_eq!(
        axis_label("dram_bandwidth_bytes_per_s"),
        "dram bandwidth (bytes/s)"
    );
    assert_eq!(axis_label("energy_per_token_j"), "energy per token (J)");
    assert_eq!(
        axis_label("global_buffer.size_kib"),
        "global_buffer.size (KiB)"
    );
    assert_eq!(axis_label("batch"), "batch");
    assert_eq!(axis_label("pe_array.rows"), "pe_array.rows");
    assert_eq!(
        split_unit("energy_j"),
        ("energy".to_string(), Some("J".to_string()))
    );
    assert_eq!(
        split_unit("tokens_per_s"),
        (String::new(), Some("tokens/s".to_string()))
    );
    assert_eq!(split_unit("batch"), ("batch".to_string(), None));
}

proptest! {
    /// A formatted number parses back to within half a unit of its last significant
    /// digit: relative error ≤ 0.5·10^(1−sig) (or better, when integer digits are kept).
    #[test]
    fn formatted_numbers_round_trip(mantissa in 1.0f64..10.0, exp in -30i32..30, sig in 1usize..10, neg: bool) {
        let x = if neg { -mantissa } else { mantissa } * 10f64.powi(exp);
        let s = format_number(x, sig);
        let back: f64 = s.parse().unwrap();
        let tolerance = 0.5 * 10f64.powi(1 - sig as i32) * x.abs() * (1.0 + 1e-12);
        prop_assert!((back - x).abs() <= tolerance, "{x} → {s}");
    }
}
