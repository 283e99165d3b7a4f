//! Technology-node energy defaults.
//!
//! Every default energy in a platform comes from one table: Horowitz, "Computing's energy
//! problem (and what we can do about it)", ISSCC 2014 — measured at **45 nm, 0.9 V** — scaled
//! to the platform's `tech_nm` by the energy equations of Stillmaker & Baas, "Scaling
//! equations for the accurate prediction of CMOS device performance from 180 nm to 7 nm",
//! Integration, the VLSI Journal 58 (2017) 74–81.
//!
//! ## Node scaling (Stillmaker & Baas, Table 5 energy fits)
//! Energy per operation at node `n` and supply `V` is `a_n·V² + b_n·V + c_n` (their
//! second-order fits to HSpice/PTM/ITRS results). The factor applied to a 45 nm number is
//! `E(n, V_n) / E(45 nm, 0.9 V)`, with `V_n` the node's nominal supply in [`NODES`].
//! **Documented simplifications:** (1) nodes between two fitted nodes (e.g. 28 nm, 40 nm,
//! 12 nm) interpolate the factor log-linearly in the node size; (2) 5 nm extrapolates the
//! 10 nm → 7 nm slope (no published fit below 7 nm); (3) the logic factor also scales SRAM
//! and leakage.
//!
//! ## SRAM access energy versus capacity (CACTI-like fit)
//! Horowitz gives a 64-bit SRAM read of **10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB)** at
//! 45 nm. [`sram_access_pj_45nm`] interpolates these three anchors piecewise-linearly in
//! log(energy)–log(capacity) — exponent 0.5 between 8 KB and 32 KB, log 5 / log 32 ≈ 0.464
//! between 32 KB and 1 MB — and extrapolates with the nearest segment's exponent, the power
//! law CACTI shows for wire-dominated arrays. Energy scales linearly with the access width
//! (`bits / 64`). A write costs the same as a read (simplification).

use crate::ArchError;

/// One fitted node of Stillmaker & Baas (Table 5) with its nominal supply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeFit {
    /// Node, nm.
    pub nm: f64,
    /// Fit coefficient of V².
    pub a: f64,
    /// Fit coefficient of V.
    pub b: f64,
    /// Constant term.
    pub c: f64,
    /// Nominal supply, V (PTM/ITRS nominal voltages used by the paper's models).
    pub vdd: f64,
}

/// The fitted nodes, largest first: (nm, a, b, c, nominal V).
pub const NODES: [NodeFit; 10] = [
    NodeFit {
        nm: 130.0,
        a: 7.171,
        b: -6.709,
        c: 2.904,
        vdd: 1.3,
    },
    NodeFit {
        nm: 90.0,
        a: 4.762,
        b: -4.781,
        c: 2.092,
        vdd: 1.2,
    },
    NodeFit {
        nm: 65.0,
        a: 3.755,
        b: -4.398,
        c: 1.975,
        vdd: 1.1,
    },
    NodeFit {
        nm: 45.0,
        a: 1.103,
        b: -0.362,
        c: 0.2767,
        vdd: 1.0,
    },
    NodeFit {
        nm: 32.0,
        a: 0.9559,
        b: -0.7823,
        c: 0.471,
        vdd: 0.9,
    },
    NodeFit {
        nm: 20.0,
        a: 0.373,
        b: -0.1582,
        c: 0.04104,
        vdd: 0.8,
    },
    NodeFit {
        nm: 16.0,
        a: 0.2958,
        b: -0.1241,
        c: 0.03024,
        vdd: 0.8,
    },
    NodeFit {
        nm: 14.0,
        a: 0.2363,
        b: -0.09675,
        c: 0.02239,
        vdd: 0.8,
    },
    NodeFit {
        nm: 10.0,
        a: 0.2068,
        b: -0.09311,
        c: 0.02375,
        vdd: 0.75,
    },
    NodeFit {
        nm: 7.0,
        a: 0.1776,
        b: -0.09097,
        c: 0.02447,
        vdd: 0.7,
    },
];

/// Smallest node accepted, nm (extrapolated below 7 nm).
pub const MIN_NM: f64 = 3.0;
/// Largest node accepted, nm.
pub const MAX_NM: f64 = 130.0;

fn fit_energy(f: &NodeFit, v: f64) -> f64 {
    f.a * v * v + f.b * v + f.c
}

fn node_energy(f: &NodeFit) -> f64 {
    fit_energy(f, f.vdd)
}

/// Energy factor of node `nm` relative to Horowitz's 45 nm, 0.9 V figures. Errors outside
/// `[3, 130]` nm (below 7 nm the last fitted segment is extrapolated in log–log).
pub fn energy_scale(nm: f64) -> Result<f64, ArchError> {
    if !nm.is_finite() || !(MIN_NM..=MAX_NM).contains(&nm) {
        return Err(ArchError::Invalid {
            key: "tech_nm".into(),
            message: format!(
                "technology node {nm} nm is outside the supported range [{MIN_NM}, {MAX_NM}] nm \
                 (Stillmaker & Baas fits 130–7 nm; below 7 nm is extrapolated)"
            ),
        });
    }
    let base = fit_energy(&NODES[3], 0.9);
    Ok(raw_node_energy(nm) / base)
}

fn raw_node_energy(nm: f64) -> f64 {
    // Exact node.
    if let Some(f) = NODES.iter().find(|f| f.nm == nm) {
        return node_energy(f);
    }
    // Below the smallest fitted node: extrapolate the last segment in log–log.
    let (hi, lo) = if nm < NODES[9].nm {
        (NODES[8], NODES[9])
    } else {
        let i = NODES
            .windows(2)
            .position(|w| nm < w[0].nm && nm > w[1].nm)
            .unwrap_or(0);
        (NODES[i], NODES[i + 1])
    };
    let (eh, el) = (node_energy(&hi).ln(), node_energy(&lo).ln());
    let t = (nm.ln() - hi.nm.ln()) / (lo.nm.ln() - hi.nm.ln());
    (eh + t * (el - eh)).exp()
}

/// Horowitz 2014, 45 nm: energy of one operation of `arith` at `bits`, pJ.
///
/// Integer: add 0.03 pJ (8 b), 0.1 pJ (32 b) — linear in bits between and beyond;
/// multiply 0.2 pJ (8 b), 3.1 pJ (32 b) — quadratic in bits, `0.2·(bits/8)²` (3.2 pJ at
/// 32 b, within 3 % of 3.1). Floating point: add 0.4 pJ (16 b), 0.9 pJ (32 b); multiply
/// 1.1 pJ (16 b), 3.7 pJ (32 b); other widths scale from the nearest (16 b: ×bits/16 for
/// add, ×(bits/16)² for multiply; 32 b likewise).
pub fn op_pj_45nm(arith: Arithmetic, op: Op, bits: u32) -> f64 {
    let b = f64::from(bits.max(1));
    match (arith, op) {
        (Arithmetic::Int, Op::Add) => 0.03 + (b - 8.0) * (0.07 / 24.0),
        (Arithmetic::Int, Op::Mul) => 0.2 * (b / 8.0).powi(2),
        (Arithmetic::Fp, Op::Add) => {
            if b <= 16.0 {
                0.4 * b / 16.0
            } else {
                0.9 * b / 32.0
            }
        }
        (Arithmetic::Fp, Op::Mul) => {
            if b <= 16.0 {
                1.1 * (b / 16.0).powi(2)
            } else {
                3.7 * (b / 32.0).powi(2)
            }
        }
    }
    .max(0.0)
}

/// Number format of a datapath.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arithmetic {
    /// Integer (fixed point).
    Int,
    /// IEEE-style floating point.
    Fp,
}

/// An arithmetic operation class of the Horowitz table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Addition (also compare, subtract).
    Add,
    /// Multiplication.
    Mul,
}

/// Horowitz 2014 anchors for a 64-bit SRAM read at 45 nm: (bytes, pJ).
pub const SRAM_ANCHORS: [(f64, f64); 3] = [
    (8.0 * 1024.0, 10.0),
    (32.0 * 1024.0, 20.0),
    (1024.0 * 1024.0, 100.0),
];

/// Energy of one 64-bit access to an SRAM (bank) of `bytes` capacity at 45 nm, pJ (see the
/// module docs for the fit).
pub fn sram_access_pj_45nm(bytes: f64) -> f64 {
    let x = bytes.max(1.0).ln();
    let pts: Vec<(f64, f64)> = SRAM_ANCHORS.iter().map(|(c, e)| (c.ln(), e.ln())).collect();
    let seg = if x <= pts[1].0 {
        (pts[0], pts[1])
    } else {
        (pts[1], pts[2])
    };
    let slope = (seg.1.1 - seg.0.1) / (seg.1.0 - seg.0.0);
    (seg.0.1 + slope * (x - seg.0.0)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horowitz_anchors_are_reproduced() {
        // The fit passes through the three published points.
        for (c, e) in SRAM_ANCHORS {
            assert!((sram_access_pj_45nm(c) - e).abs() < 1e-9, "{c} {e}");
        }
        // 4x capacity between 8 KB and 32 KB doubles the energy (exponent 0.5): 128 KB is
        // 20 · 4^0.464 = 37.9 pJ (second segment).
        let e128 = sram_access_pj_45nm(128.0 * 1024.0);
        assert!((e128 - 20.0 * 4f64.powf(5f64.ln() / 32f64.ln())).abs() < 1e-9);
        assert!((op_pj_45nm(Arithmetic::Int, Op::Mul, 8) - 0.2).abs() < 1e-12);
        assert!((op_pj_45nm(Arithmetic::Int, Op::Add, 32) - 0.1).abs() < 1e-12);
        assert!((op_pj_45nm(Arithmetic::Fp, Op::Mul, 32) - 3.7).abs() < 1e-12);
    }

    #[test]
    fn node_scaling() {
        // 45 nm at its nominal 1.0 V vs Horowitz's 0.9 V:
        // (1.103 - 0.362 + 0.2767) / (1.103·0.81 - 0.362·0.9 + 0.2767) = 1.0177 / 0.84433.
        let s45 = energy_scale(45.0).unwrap();
        assert!((s45 - 1.0177 / 0.844_33).abs() < 1e-4, "{s45}");
        // Smaller nodes cost less energy, monotonically.
        let mut prev = f64::MAX;
        for nm in [
            130.0, 90.0, 65.0, 45.0, 40.0, 32.0, 28.0, 22.0, 16.0, 12.0, 7.0, 5.0, 4.0, 3.0,
        ] {
            let s = energy_scale(nm).unwrap();
            assert!(s < prev, "{nm}: {s} !< {prev}");
            prev = s;
        }
        assert!(energy_scale(2.0).is_err());
        assert!(energy_scale(250.0).is_err());
    }
}
