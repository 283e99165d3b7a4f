//! Colours: a categorical palette and a sequential ramp.

use plotters::style::RGBColor;

/// Colours of the categorical palette before it repeats.
pub(crate) const CATEGORICAL_LEN: usize = 10;

/// Tableau 10, the categorical palette of Tableau and matplotlib's `tab10` (chosen for
/// telling up to ten categories apart in print and on screen).
const TABLEAU10: [RGBColor; CATEGORICAL_LEN] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// The `i`-th categorical colour (cycling after ten).
pub(crate) fn categorical(i: usize) -> RGBColor {
    TABLEAU10[i % TABLEAU10.len()]
}

/// Eight evenly spaced samples of matplotlib's `viridis` (perceptually uniform, readable
/// in grey scale and by colour-blind readers; van der Walt & Smith, 2015).
const VIRIDIS: [(f64, f64, f64); 8] = [
    (68.0, 1.0, 84.0),
    (70.0, 50.0, 127.0),
    (54.0, 92.0, 141.0),
    (39.0, 127.0, 143.0),
    (31.0, 162.0, 136.0),
    (74.0, 194.0, 110.0),
    (160.0, 219.0, 57.0),
    (254.0, 232.0, 37.0),
];

/// The ramp colour at `t` in [0, 1] (clamped), linearly between the viridis samples.
pub(crate) fn ramp(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}
