//! The integer softmax run bit by bit on the CAM emulator.
//!
//! All rows sit in one array, one element per word, every row with a row id. The steps
//! are those of [`super::passes::SoftmaxLayout::steps`], in the same order, and each step's
//! compare/write/popcount passes are counted as the emulator executes them, so the closed
//! forms can be checked against an execution (and the numbers against the reference in
//! [`super::numerics`]).

use super::cam::{CamArray, Key};
use super::numerics::IntSoftmaxParams;
use super::passes::{PassCount, SoftmaxLayout};
use crate::ArchError;

/// The outcome of an emulated softmax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmulatedSoftmax {
    /// Outputs per row (scale `2^−20`).
    pub outputs: Vec<Vec<u32>>,
    /// Passes per step (all rows together), in the order of
    /// [`SoftmaxLayout::steps`].
    pub steps: Vec<(&'static str, PassCount)>,
    /// Columns the emulator allocated.
    pub columns: u64,
    /// The layout used.
    pub layout: SoftmaxLayout,
}

struct Meter {
    last: PassCount,
    steps: Vec<(&'static str, PassCount)>,
}

impl Meter {
    fn now(cam: &CamArray) -> PassCount {
        PassCount {
            compares: cam.compares,
            writes: cam.writes,
            popcounts: cam.popcounts,
        }
    }

    /// Attributes everything since the last call to step `name` (added to a previous
    /// entry of the same name: per-row steps are interleaved).
    fn step(&mut self, cam: &CamArray, name: &'static str) {
        let now = Meter::now(cam);
        let d = PassCount {
            compares: now.compares - self.last.compares,
            writes: now.writes - self.last.writes,
            popcounts: now.popcounts - self.last.popcounts,
        };
        self.last = now;
        match self.steps.iter_mut().find(|(n, _)| *n == name) {
            Some((_, p)) => *p = p.plus(d),
            None => self.steps.push((name, d)),
        }
    }
}

/// Runs the integer softmax (bit width `m_bits`) of `rows` — integer scores on the `S`
/// grid, each fitting `input_bits`-bit two's complement, all rows of one length — on an
/// emulated AP array.
pub fn run_int_softmax(
    rows: &[Vec<i64>],
    input_bits: u32,
    m_bits: u32,
) -> Result<EmulatedSoftmax, ArchError> {
    let p = IntSoftmaxParams::new(m_bits)?;
    let len = rows.first().map_or(0, Vec::len);
    let invalid = |message: String| ArchError::Invalid {
        key: "softmax input".into(),
        message,
    };
    if rows.iter().any(|r| r.len() != len) {
        return Err(invalid("rows of different lengths".into()));
    }
    if !(1..=62).contains(&input_bits) {
        return Err(invalid(format!("input_bits {input_bits}: expected 1..=62")));
    }
    let (lo, hi) = (-(1i64 << (input_bits - 1)), (1i64 << (input_bits - 1)) - 1);
    if rows.iter().flatten().any(|&s| s < lo || s > hi) {
        return Err(invalid(format!(
            "a score does not fit {input_bits}-bit two's complement"
        )));
    }
    let layout = SoftmaxLayout::new(&p, input_bits, len.max(1) as u64, rows.len().max(1) as u64)?;
    let mut cam = CamArray::new(rows.len() * len);
    let rid = cam.alloc(layout.rid_bits)?;
    let s = cam.alloc(layout.input_bits)?;
    let m = cam.alloc(layout.input_bits)?;
    let z = cam.alloc(layout.z_bits)?;
    let ext1 = cam.alloc(layout.ext1)?;
    let t = cam.alloc(layout.t_bits)?;
    let pf = cam.alloc(layout.p_bits)?;
    let flags = cam.alloc(2)?;
    let (borrow, carry) = (flags.0[0], flags.0[1]);
    let d = cam.alloc(layout.d_bits + 1)?;
    let low = cam.alloc(u64::from(super::numerics::OUT_SHIFT))?;
    let ext2 = cam.alloc(layout.ext2)?;
    let q = cam.alloc(layout.q_bits)?;
    let mask = if input_bits >= 64 {
        u64::MAX
    } else {
        (1u64 << input_bits) - 1
    };
    for (r, row) in rows.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            let w = r * len + i;
            cam.load(w, &rid, r as u64);
            cam.load(w, &s, (v as u64) & mask);
        }
    }
    let any = Key::any();
    let sel = |r: usize| Key::any().with_field(&rid, r as u64);
    let mut meter = Meter {
        last: PassCount::default(),
        steps: Vec::new(),
    };
    let names: Vec<&'static str> = layout.steps().iter().map(|st| st.name).collect();
    let name = |i: usize| names.get(i).copied().unwrap_or("?");
    // 1–2: row max and its broadcast, row by row.
    for r in 0..rows.len() {
        let key = sel(r).ok_or_else(|| invalid("row id does not fit".into()))?;
        let max = cam.max_search(&key, &s, true);
        meter.step(&cam, name(0));
        cam.broadcast(&key, &m, max)?;
        meter.step(&cam, name(1));
    }
    // 3: u = max − s (in the max field).
    cam.sub(&any, &s, &m, borrow)?;
    meter.step(&cam, name(2));
    // 4: clamp u to 2^(M−1) − 1.
    cam.clamp_ones(&m, (p.m_bits - 1) as usize)?;
    meter.step(&cam, name(3));
    // 5: z, r = divmod(u, q_ln2); the remainder stays in the low window of the field.
    if !ext1.is_empty() {
        cam.clear(&[&ext1])?;
    }
    let f1 = m.concat(&ext1);
    cam.divide(
        &any,
        &f1,
        Ok((p.q_ln2, p.c_bits() as usize)),
        &z,
        borrow,
        carry,
    )?;
    meter.step(&cam, name(4));
    // 6: t = q_b − r.
    let r = f1.slice(0, layout.t_bits as usize);
    cam.rsub_const(&any, p.q_b, &r, &t, borrow)?;
    meter.step(&cam, name(5));
    // 7: q_l = t².
    cam.mul(&any, &t, &t, &pf, carry)?;
    meter.step(&cam, name(6));
    // 8: q_l += q_c.
    let e = pf.slice(0, layout.l_bits as usize);
    cam.add_const(&any, p.q_c, &e, carry)?;
    meter.step(&cam, name(7));
    // 9: exp = q_l >> z.
    cam.shift_right(&any, &e, &z)?;
    meter.step(&cam, name(8));
    // 10–11: row sums and their broadcast.
    for r in 0..rows.len() {
        let key = sel(r).ok_or_else(|| invalid("row id does not fit".into()))?;
        let sum = cam.sum(&key, &e);
        meter.step(&cam, name(9));
        cam.broadcast(&key, &d, sum)?;
        meter.step(&cam, name(10));
    }
    // 12: out = (exp << 20) / sum, restoring division sliding down [low | exp | ext2].
    cam.clear(&[&low, &ext2])?;
    let f2 = low.concat(&e).concat(&ext2);
    cam.divide(&any, &f2, Err(&d), &q, borrow, carry)?;
    meter.step(&cam, name(11));
    let outputs = (0..rows.len())
        .map(|r| (0..len).map(|i| cam.read(r * len + i, &q) as u32).collect())
        .collect();
    Ok(EmulatedSoftmax {
        outputs,
        steps: meter.steps,
        columns: u64::from(cam.columns_used()),
        layout,
    })
}
