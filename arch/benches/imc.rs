//! Criterion benches of the IMC and PIM estimates (placeholder until the units land).
fn main() {}
