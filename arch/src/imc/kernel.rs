//! Kernel requests and the estimates the IMC and PIM units answer them with.
//!
//! A [`Kernel`] names a kernel class and its shape; a unit's `estimate(&Kernel)` answers
//! with a [`KernelEstimate`]: cycles of the unit's clock and the same span as a
//! [`sim_core::Time`], energy by action (a [`sim_core::EnergyReport`], built with an
//! [`sim_core::EnergyLedger`]), named counts (ADC conversions, compare passes, bytes…), a
//! breakdown into phases, and the [`Fidelity`] level that produced it. A unit that cannot
//! run a class answers [`ArchError::Unsupported`] naming the class.
//!
//! GEMM convention (as for the PE arrays): `C[M×N] = A[M×K] · B[K×N]`, `A` the activations
//! (`M` input vectors of length `K`), `B` the weights; a GEMV is `M = 1`.
//!
//! These types are shared by [`crate::imc`] and [`crate::pim`]; they are meant to merge
//! with the platform-wide kernel types once `silica kernel` exists.

use std::fmt;

use sim_core::{ClockDomain, CompId, EnergyLedger, EnergyReport, Time};

use crate::ArchError;

/// The class of a kernel, as `silica kernel <class>` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KernelClass {
    /// Matrix–vector product.
    Gemv,
    /// Matrix–matrix product.
    Gemm,
    /// Row-wise softmax.
    Softmax,
    /// Element-wise binary operation.
    Elementwise,
    /// Decode-step attention over a KV cache (score GEMV, softmax, context GEMV).
    Attention,
}

impl KernelClass {
    /// The lower-case name used on the command line and in errors.
    pub fn name(self) -> &'static str {
        match self {
            KernelClass::Gemv => "gemv",
            KernelClass::Gemm => "gemm",
            KernelClass::Softmax => "softmax",
            KernelClass::Elementwise => "elementwise",
            KernelClass::Attention => "attention",
        }
    }
}

impl fmt::Display for KernelClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An element-wise binary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementwiseOp {
    /// `c = a + b`.
    Add,
    /// `c = a − b`.
    Sub,
    /// `c = a × b`.
    Mul,
}

impl ElementwiseOp {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ElementwiseOp::Add => "add",
            ElementwiseOp::Sub => "sub",
            ElementwiseOp::Mul => "mul",
        }
    }
}

/// An element-wise activation function (one input, one output per element), for units
/// with an activation-function unit (SK hynix GDDR6-AiM: a lookup table in a reserved
/// word line of each bank, ISSCC 2022 / JSSC 2023).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ActivationFn {
    /// Gaussian error linear unit.
    Gelu,
    /// Logistic sigmoid `1 / (1 + e^−x)`.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// `max(x, 0)`.
    Relu,
    /// `x` for `x ≥ 0`, `αx` below.
    LeakyRelu,
}

impl ActivationFn {
    /// Every function.
    pub const ALL: [ActivationFn; 5] = [
        ActivationFn::Gelu,
        ActivationFn::Sigmoid,
        ActivationFn::Tanh,
        ActivationFn::Relu,
        ActivationFn::LeakyRelu,
    ];

    /// The lower-case name (as written in presets: `gelu`, `leaky_relu`, …).
    pub fn name(self) -> &'static str {
        match self {
            ActivationFn::Gelu => "gelu",
            ActivationFn::Sigmoid => "sigmoid",
            ActivationFn::Tanh => "tanh",
            ActivationFn::Relu => "relu",
            ActivationFn::LeakyRelu => "leaky_relu",
        }
    }

    /// The function named `name`, if any.
    pub fn parse(name: &str) -> Option<ActivationFn> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A set of [`ActivationFn`]s (one bit each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActivationSet(u8);

impl ActivationSet {
    /// Adds `f`.
    pub fn insert(&mut self, f: ActivationFn) {
        self.0 |= 1 << f as u8;
    }

    /// Whether `f` is in the set.
    pub fn contains(self, f: ActivationFn) -> bool {
        self.0 & (1 << f as u8) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The functions in the set, in [`ActivationFn::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = ActivationFn> {
        ActivationFn::ALL
            .into_iter()
            .filter(move |f| self.contains(*f))
    }
}

/// Shape of one decode step of attention over a KV cache: for each of `batch × heads`
/// query heads, scores `s = q·Kᵀ` over `seq_len` cached keys (`head_dim` each), a softmax
/// over the `seq_len` scores and the context `o = p·V`. `kv_heads < heads` is grouped-query
/// attention (`heads / kv_heads` query heads share one K/V).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttentionShape {
    /// Sequences decoded together.
    pub batch: u64,
    /// Query heads per sequence.
    pub heads: u64,
    /// K/V heads per sequence (`heads` for multi-head attention).
    pub kv_heads: u64,
    /// Tokens in the KV cache.
    pub seq_len: u64,
    /// Elements per head.
    pub head_dim: u64,
    /// Bits per stored K/V element of a cache narrower than the unit's element width (a
    /// quantised cache); `None`: the unit's own width.
    pub kv_bits: Option<u32>,
    /// Elements of a head per FP16 scale and zero point (4 bytes per group and token) of a
    /// quantised cache; 0: none. Used with `kv_bits`.
    pub kv_group: u64,
}

impl AttentionShape {
    /// Bytes of one token's K (or V) in one head, `element_bytes` being the unit's width:
    /// `head_dim · element_bytes`, or with `kv_bits` `⌈head_dim · bits / 8⌉` plus 4 bytes per
    /// `kv_group` elements.
    pub fn kv_row_bytes(&self, element_bytes: u64) -> u64 {
        match self.kv_bits {
            None => self.head_dim * element_bytes,
            Some(bits) => {
                let meta = if self.kv_group > 0 {
                    self.head_dim.div_ceil(self.kv_group) * 4
                } else {
                    0
                };
                (self.head_dim * u64::from(bits)).div_ceil(8) + meta
            }
        }
    }
}

/// A kernel to estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `y[N] = x[K] · W[K×N]`.
    Gemv {
        /// Input length (reduction dimension).
        k: u64,
        /// Output length.
        n: u64,
    },
    /// `C[M×N] = A[M×K] · B[K×N]`.
    Gemm {
        /// Input vectors.
        m: u64,
        /// Reduction dimension.
        k: u64,
        /// Outputs per vector.
        n: u64,
    },
    /// Softmax over `rows` independent rows of `len` elements.
    Softmax {
        /// Independent rows.
        rows: u64,
        /// Elements per row.
        len: u64,
    },
    /// `n` element-wise operations.
    Elementwise {
        /// The operation.
        op: ElementwiseOp,
        /// Elements.
        n: u64,
    },
    /// `n` activations `y = f(x)` (class `elementwise`).
    Activation {
        /// The function.
        func: ActivationFn,
        /// Elements.
        n: u64,
    },
    /// One decode step of attention.
    Attention(AttentionShape),
}

impl Kernel {
    /// The kernel's class.
    pub fn class(&self) -> KernelClass {
        match self {
            Kernel::Gemv { .. } => KernelClass::Gemv,
            Kernel::Gemm { .. } => KernelClass::Gemm,
            Kernel::Softmax { .. } => KernelClass::Softmax,
            Kernel::Elementwise { .. } | Kernel::Activation { .. } => KernelClass::Elementwise,
            Kernel::Attention(_) => KernelClass::Attention,
        }
    }

    /// Errors if any dimension is zero (`what` names the unit for the message).
    pub fn check_nonzero(&self, unit: &str) -> Result<(), ArchError> {
        let dims: Vec<(&str, u64)> = match *self {
            Kernel::Gemv { k, n } => vec![("k", k), ("n", n)],
            Kernel::Gemm { m, k, n } => vec![("m", m), ("k", k), ("n", n)],
            Kernel::Softmax { rows, len } => vec![("rows", rows), ("len", len)],
            Kernel::Elementwise { n, .. } | Kernel::Activation { n, .. } => vec![("n", n)],
            Kernel::Attention(a) => vec![
                ("batch", a.batch),
                ("heads", a.heads),
                ("kv_heads", a.kv_heads),
                ("seq_len", a.seq_len),
                ("head_dim", a.head_dim),
            ],
        };
        for (name, v) in dims {
            if v == 0 {
                return Err(ArchError::Invalid {
                    key: format!("{} kernel on {unit}", self.class()),
                    message: format!("dimension `{name}` must be >= 1"),
                });
            }
        }
        Ok(())
    }
}

/// Which model level produced an estimate (see the project's fidelity levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fidelity {
    /// Level 1: a cycle-stepped / bit-level reference (e.g. the AP's CAM emulator).
    CycleStepped,
    /// Level 2: closed-form per-tile cycle counts proven equal to level 1, with data
    /// movement on sim-core resources (links, servers).
    TileLevel,
    /// Level 3: an analytical bound (peak compute / bandwidth).
    Analytical,
}

impl Fidelity {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::CycleStepped => "cycle-stepped",
            Fidelity::TileLevel => "tile-level",
            Fidelity::Analytical => "analytical",
        }
    }
}

/// One named phase of a kernel (input broadcast, compute, readout, a softmax step…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// What happens in this phase.
    pub name: String,
    /// Cycles of the unit's clock it contributes to the critical path (phases that
    /// overlap others report 0 here and their own span in `span_cycles`).
    pub cycles: u64,
    /// Cycles the phase spans on its own, overlapped or not.
    pub span_cycles: u64,
}

/// What a unit answers for one kernel.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelEstimate {
    /// The unit (`"crossbar"`, `"assoc_processor"`, `"pim"`…).
    pub unit: String,
    /// The kernel class.
    pub class: KernelClass,
    /// The model level that produced it.
    pub fidelity: Fidelity,
    /// The unit's clock (cycles are counted in it).
    pub clock: ClockDomain,
    /// Total cycles of `clock`.
    pub cycles: u64,
    /// The same span in simulated time (`clock.cycles_to_time(cycles)` unless the unit
    /// times part of the work in another clock, e.g. DRAM timings in ns).
    pub time: Time,
    /// Energy by action (pJ), leakage over `time` included.
    pub energy: EnergyReport,
    /// Named counts, in a fixed order (e.g. `adc_conversions`, `compare_passes`).
    pub counts: Vec<(String, u64)>,
    /// Phases, in order.
    pub phases: Vec<Phase>,
    /// Multiply–accumulates (or element operations) of the kernel itself.
    pub useful_ops: u64,
}

impl KernelEstimate {
    /// The count called `name` (0 if absent).
    pub fn count(&self, name: &str) -> u64 {
        self.counts
            .iter()
            .find(|(k, _)| k == name)
            .map_or(0, |(_, v)| *v)
    }

    /// Total energy, pJ.
    pub fn energy_pj(&self) -> f64 {
        self.energy.total_pj()
    }

    /// Energy of action `name` summed over components, pJ.
    pub fn energy_of(&self, action: &str) -> f64 {
        self.energy
            .rows
            .iter()
            .filter(|r| r.action == action)
            .map(|r| r.pj)
            .sum()
    }

    /// Seconds (lossy, for reporting).
    pub fn seconds(&self) -> f64 {
        self.time.as_secs_f64()
    }
}

/// Builds an [`EnergyReport`] from `(action, count, pJ per action)` lines for one
/// component, plus leakage over `elapsed`. Errors on a negative or non-finite energy.
pub fn energy_report(
    component: &str,
    lines: &[(&str, u64, f64)],
    leakage_mw: f64,
    elapsed: Time,
) -> Result<EnergyReport, ArchError> {
    let mut ledger = EnergyLedger::new();
    let comp = CompId(0);
    for &(action, count, pj) in lines {
        let id = ledger.define_action(comp, component, action, pj)?;
        ledger.record(id, count);
    }
    if leakage_mw > 0.0 {
        ledger.set_leakage_mw(comp, component, leakage_mw);
    }
    Ok(ledger.report(elapsed))
}

/// The error a unit returns for a kernel class it cannot run.
pub fn unsupported(unit: &str, class: KernelClass, reason: &str) -> ArchError {
    ArchError::Unsupported {
        unit: unit.to_string(),
        class: class.name().to_string(),
        reason: reason.to_string(),
    }
}

/// `⌈a / b⌉` for `b ≥ 1` (0 when `b = 0`, never a panic).
pub fn div_ceil(a: u64, b: u64) -> u64 {
    if b == 0 { 0 } else { a.div_ceil(b) }
}

/// Bits needed to hold the unsigned value `v` (at least 1).
pub fn bits_for(v: u64) -> u32 {
    (64 - v.leading_zeros()).max(1)
}

/// A positive, finite `f64` config value, or an [`ArchError::Invalid`] naming `key`.
pub fn positive(key: &str, v: f64) -> Result<f64, ArchError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ArchError::Invalid {
            key: key.to_string(),
            message: format!("expected a finite value > 0, got {v}"),
        })
    }
}

/// A non-negative, finite `f64` config value (energies), or an [`ArchError::Invalid`].
pub fn non_negative(key: &str, v: f64) -> Result<f64, ArchError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(ArchError::Invalid {
            key: key.to_string(),
            message: format!("expected a finite value >= 0, got {v}"),
        })
    }
}

/// An integer config value ≥ 1, or an [`ArchError::Invalid`] naming `key`.
pub fn at_least_one(key: &str, v: u64) -> Result<u64, ArchError> {
    if v >= 1 {
        Ok(v)
    } else {
        Err(ArchError::Invalid {
            key: key.to_string(),
            message: "expected a value >= 1".into(),
        })
    }
}

/// Picoseconds to move or process `amount` units at `per_s` units per second, rounded up
/// (exact integer arithmetic; `per_s = 0` gives `u64::MAX`).
pub fn ps_for(amount: u64, per_s: u64) -> u64 {
    if per_s == 0 {
        return u64::MAX;
    }
    let ps = (amount as u128 * sim_core::PS_PER_SECOND as u128).div_ceil(per_s as u128);
    u64::try_from(ps).unwrap_or(u64::MAX)
}

/// A positive rate given in `scale` units (e.g. GB/s with `scale = 1e9`) as whole units
/// per second, or an [`ArchError::Invalid`] naming `key`.
pub fn rate_per_s(key: &str, v: f64, scale: f64) -> Result<u64, ArchError> {
    let r = (positive(key, v)? * scale).round();
    if r < 1.0 || r > u64::MAX as f64 {
        return Err(ArchError::Invalid {
            key: key.to_string(),
            message: format!("{v} is outside the representable range"),
        });
    }
    Ok(r as u64)
}

/// `ps` rounded up to a whole number of `clock` cycles.
pub fn ps_to_cycles(clock: &ClockDomain, ps: u64) -> u64 {
    let c = (ps as u128 * clock.freq_hz() as u128).div_ceil(sim_core::PS_PER_SECOND as u128);
    u64::try_from(c).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(bits_for(0), 1);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(891), 10);
        assert_eq!(bits_for(1024), 11);
        assert_eq!(div_ceil(10, 4), 3);
        assert_eq!(div_ceil(10, 0), 0);
        let ghz = ClockDomain::from_ghz(1.0).unwrap();
        assert_eq!(ps_to_cycles(&ghz, 1500), 2);
        assert_eq!(ps_to_cycles(&ghz, 1000), 1);
        assert!(positive("a.b", 0.0).is_err());
        assert!(non_negative("a.b", f64::NAN).is_err());
    }

    #[test]
    fn zero_dimensions_are_errors() {
        let e = Kernel::Gemv { k: 0, n: 3 }
            .check_nonzero("crossbar")
            .unwrap_err();
        assert!(e.to_string().contains("`k` must be >= 1"), "{e}");
    }
}
