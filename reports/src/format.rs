//! Number and label formatting shared by tables and plots.
//!
//! Numbers ([`format_number`]): at least `significant` significant digits, never rounding
//! away integer digits, trailing zeros dropped; scientific notation outside
//! [10⁻³, 10⁹). Labels ([`axis_label`]): a column name with its unit suffix
//! (`latency_s`, `energy_pj`, `tokens_per_j`) becomes "latency (s)", "energy (pJ)",
//! "tokens/J".
//!
//! ```
//! use reports::{axis_label, format_number};
//! assert_eq!(format_number(1.23456, 3), "1.23");
//! assert_eq!(format_number(2.5e10, 3), "2.5e10");
//! assert_eq!(axis_label("latency_s"), "latency (s)");
//! ```

/// Numbers at least this large (in magnitude) are written in scientific notation.
const SCI_ABOVE: f64 = 1e9;
/// Numbers smaller than this (in magnitude, and not zero) are written in scientific notation.
const SCI_BELOW: f64 = 1e-3;

/// Formats `x` for a table cell or an axis tick.
///
/// Rules (`significant` is clamped to 1..=15):
/// - `0` (and `-0`) → `"0"`; NaN → `"NaN"`; infinities → `"inf"` / `"-inf"`.
/// - 10⁻³ ≤ |x| < 10⁹: fixed notation with `significant` significant digits, but the
///   integer part is never rounded (123456.7 at 4 digits → `"123457"`); trailing zeros
///   and a trailing point are dropped (8.0 → `"8"`, 2.50 → `"2.5"`).
/// - otherwise: scientific notation with `significant` significant digits in the
///   mantissa, trailing zeros dropped, no `+` in the exponent (`"2.5e10"`, `"1.23e-5"`).
pub fn format_number(x: f64, significant: usize) -> String {
    let sig = significant.clamp(1, 15);
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs();
    if (SCI_BELOW..SCI_ABOVE).contains(&mag) {
        let int_digits = mag.log10().floor() as i64 + 1;
        let decimals = (sig as i64 - int_digits).max(0) as usize;
        let s = trim_fraction(&format!("{x:.decimals$}"));
        // Rounding may reach the top of the fixed range (999999999.6 → 1e9).
        if s.parse::<f64>().is_ok_and(|r| r.abs() < SCI_ABOVE) {
            return s;
        }
    }
    let s = format!("{:.*e}", sig - 1, x);
    match s.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_fraction(mantissa)),
        None => s,
    }
}

/// Drops trailing zeros after a decimal point, and the point itself if nothing follows.
fn trim_fraction(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Unit suffixes of column names (lower case, as in `latency_s`) and how they are shown.
const UNITS: &[(&str, &str)] = &[
    ("s", "s"),
    ("ms", "ms"),
    ("us", "µs"),
    ("ns", "ns"),
    ("ps", "ps"),
    ("j", "J"),
    ("mj", "mJ"),
    ("uj", "µJ"),
    ("nj", "nJ"),
    ("pj", "pJ"),
    ("w", "W"),
    ("mw", "mW"),
    ("uw", "µW"),
    ("hz", "Hz"),
    ("khz", "kHz"),
    ("mhz", "MHz"),
    ("ghz", "GHz"),
    ("b", "B"),
    ("byte", "byte"),
    ("bytes", "bytes"),
    ("bits", "bits"),
    ("kib", "KiB"),
    ("mib", "MiB"),
    ("gib", "GiB"),
    ("kb", "kB"),
    ("mb", "MB"),
    ("gb", "GB"),
    ("cycle", "cycle"),
    ("cycles", "cycles"),
    ("mm2", "mm²"),
    ("um2", "µm²"),
    ("pct", "%"),
    ("percent", "%"),
    ("flop", "FLOP"),
    ("flops", "FLOP"),
    ("op", "op"),
    ("ops", "ops"),
    ("token", "token"),
    ("tokens", "tokens"),
    ("v", "V"),
];

fn unit(token: &str) -> Option<&'static str> {
    UNITS
        .iter()
        .find(|(suffix, _)| *suffix == token)
        .map(|(_, shown)| *shown)
}

/// Turns a column name into an axis label, showing its unit suffix in parentheses.
///
/// - `latency_s` → "latency (s)", `energy_pj` → "energy (pJ)", `die_area_mm2` →
///   "die area (mm²)";
/// - rates: `tokens_per_s` → "tokens/s", `tokens_per_j` → "tokens/J",
///   `dram_bandwidth_bytes_per_s` → "dram bandwidth (bytes/s)";
/// - dotted sweep keys keep their spelling: `global_buffer.size_kib` →
///   "global_buffer.size (KiB)";
/// - a name without a known unit is returned with underscores as spaces (`batch` →
///   "batch").
pub fn axis_label(name: &str) -> String {
    match split_unit(name) {
        (quantity, Some(unit)) if !quantity.is_empty() => format!("{quantity} ({unit})"),
        (_, Some(unit)) => unit,
        (quantity, None) => quantity,
    }
}

/// Splits a column name into the quantity and its unit as shown:
/// `latency_s` → ("latency", Some("s")), `tokens_per_s` → ("", Some("tokens/s")),
/// `batch` → ("batch", None). See [`axis_label`] for the rules.
pub fn split_unit(name: &str) -> (String, Option<String>) {
    let spaced = |s: &str| {
        if name.contains('.') {
            s.to_string()
        } else {
            s.replace('_', " ")
        }
    };
    if let Some((left, right)) = name.rsplit_once("_per_")
        && let Some(den) = unit(right)
    {
        if let Some((quantity, num)) = left.rsplit_once('_')
            && let Some(num) = unit(num)
        {
            return (spaced(quantity), Some(format!("{num}/{den}")));
        }
        let num = unit(left).map_or_else(|| spaced(left), str::to_string);
        return (String::new(), Some(format!("{num}/{den}")));
    }
    if let Some((quantity, suffix)) = name.rsplit_once('_')
        && let Some(shown) = unit(suffix)
        && !quantity.is_empty()
    {
        return (spaced(quantity), Some(shown.to_string()));
    }
    (spaced(name), None)
}

/// Formats `x` with an SI prefix (k, M, G, T, P, E) before `unit` and 3 significant
/// digits: `format_si(3.12e14, "FLOP/s")` → "312 TFLOP/s". Values below 1000 (or not
/// finite) get no prefix.
pub fn format_si(x: f64, unit: &str) -> String {
    const PREFIXES: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    let mut k = 0;
    let mut v = x;
    while v.is_finite() && v.abs() >= 999.5 && k + 1 < PREFIXES.len() {
        v /= 1000.0;
        k += 1;
    }
    format!("{} {}{unit}", format_number(v, 3), PREFIXES[k])
}
