//! # Dispatch: one interface to every unit
//!
//! A mapper asks every platform the same three questions, whatever its units are — *which
//! units can run this piece of work* ([`Platform::candidate_units`], [`Platform::can_run`]),
//! *what does it cost on that unit* ([`Platform::estimate`]) and *what are the platform's
//! ceilings* ([`Platform::peak`]). The work is platform-agnostic ([`Work`]: shapes and
//! precisions only); the answer is one [`Estimate`] whatever model produced it:
//!
//! | unit | model | classes |
//! |---|---|---|
//! | [`Unit::PeArray`] | [`crate::kernel`] tiles on sim-core (level 2) or roofline (level 3) | gemm, quant_gemm; softmax, elementwise, norm, scan with a bypassable reduction tree (MARCA); attention decomposed |
//! | [`Unit::Nonlinear`] | [`crate::kernel`] vector kernels | softmax, elementwise, norm, scan |
//! | [`Unit::Gpu`], [`Unit::Cpu`] | [`crate::gpu`] / [`crate::cpu`] `KernelModel` | all |
//! | [`Unit::Crossbar`] | [`crate::imc::crossbar`] | gemm, quant_gemm |
//! | [`Unit::AssocProcessor`] | [`crate::imc::assoc`] | integer softmax; add, sub, mul |
//! | [`Unit::Pim`] | [`crate::pim`] bank-level or DPUs | gemm, quant_gemm; add, sub, mul; softmax and decode attention where the device has them |
//!
//! ## Conventions
//! - `Gemm { m, k, n }` is `C[m×n] = A[m×k]·W[k×n]`, `A` the activations, `W` the weights.
//!   A GEMV is a `Gemm` with a small `m`; each backend picks its GEMV path (the GPU its
//!   GEMV kernel for `m ≤` [`crate::gpu::GEMV_MAX_M`] when cheaper, IMC/PIM their GEMV
//!   mapping for `m = 1`).
//! - Precision: [`DType`] (shared with the GPU/CPU models). Units with a fixed datapath
//!   (PE array, nonlinear unit, crossbar, associative processor, PIM) compute in their own
//!   format; when the work asks for another one, the estimate is for the unit's format and
//!   `detail` says so (the traffic is at the unit's width too).
//! - `flops` counts useful operations by the formulas of [`Work::flops`] (a MAC is 2).
//! - Energy lines are `("unit.action", pJ)`; their sum is `energy_pj`.
//!
//! ## Attention on a PE array
//! Decomposed per KV head into `QKᵀ` (a `Gemm` of `g·q_len × head_dim × kv_len`, `g` query
//! heads per KV head stacked as rows), a softmax of `g·q_len` rows of `kv_len` on the
//! platform's preferred vector unit (nonlinear unit, else the PE array in bypass mode) and
//! `PV` (`g·q_len × kv_len × head_dim`), run back to back `batch × kv_heads` times; the
//! scores go through off-chip memory (not fused), and a causal mask is not exploited (the
//! full score matrix is computed). `detail` says so; [`Backend::Parts`] holds the three
//! per-instance estimates.
//!
//! ## Cost
//! Every GPU/CPU/IMC/PIM estimate is closed-form (microseconds). A PE-array level-2
//! estimate builds one sim-core run (tens of µs to ms, by tile count); the DRAM model's
//! fast-path calibration is cached per process ([`crate::dram`]), so only the first
//! estimate per DRAM configuration pays it. Figures: `cargo bench -p arch --bench work`.

mod device;
mod imc;
mod pe;
mod peak;
mod support;

use std::fmt;

use sim_core::Time;

use crate::ArchError;
use crate::kernel::{Fidelity as KernelFidelity, GemmTiling, KernelReport};
use crate::pe_array::Dataflow;
use crate::platform::Platform;
use crate::suggest::closest;

pub use crate::gpu::{Bound, DType};
pub use peak::Peaks;

/// Largest work accepted, in iteration points (the product of its dimensions): 2^48, so
/// that no unit model's counts can overflow 64 bits.
pub const MAX_POINTS: u64 = 1 << 48;

/// A compute unit of a platform (a platform section).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// `[pe_array]`: a systolic or reduction-tree array (ASICs, FPGAs).
    PeArray,
    /// `[nonlinear]`: the nonlinear-function (vector) unit.
    Nonlinear,
    /// `[gpu]`: a GPU (one device of a `[system]`).
    Gpu,
    /// `[cpu]`: a CPU.
    Cpu,
    /// `[crossbar]`: analog in-memory-compute crossbars.
    Crossbar,
    /// `[assoc_processor]`: SoftmAP's associative processor.
    AssocProcessor,
    /// `[pim]`: processing in or near DRAM.
    Pim,
}

impl Unit {
    /// Every unit, in the order of [`Platform::units`].
    pub const ALL: [Unit; 7] = [
        Unit::PeArray,
        Unit::Nonlinear,
        Unit::Gpu,
        Unit::Cpu,
        Unit::Crossbar,
        Unit::AssocProcessor,
        Unit::Pim,
    ];

    /// The section name (`pe_array`, `nonlinear`, `gpu`, `cpu`, `crossbar`,
    /// `assoc_processor`, `pim`).
    pub fn name(self) -> &'static str {
        match self {
            Unit::PeArray => "pe_array",
            Unit::Nonlinear => "nonlinear",
            Unit::Gpu => "gpu",
            Unit::Cpu => "cpu",
            Unit::Crossbar => "crossbar",
            Unit::AssocProcessor => "assoc_processor",
            Unit::Pim => "pim",
        }
    }

    /// Parses a section name (case-insensitive; `-` taken as `_`), suggesting the closest.
    pub fn parse(name: &str) -> Result<Unit, ArchError> {
        let norm = name.to_ascii_lowercase().replace('-', "_");
        Unit::ALL
            .into_iter()
            .find(|u| u.name() == norm)
            .ok_or_else(|| ArchError::UnknownName {
                what: "unit".into(),
                name: name.into(),
                suggestion: closest(name, Unit::ALL.iter().map(|u| u.name())),
                valid: Unit::ALL.iter().map(|u| u.name().to_string()).collect(),
            })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An element-wise operation of [`Work::Elementwise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EwOp {
    /// `a + b`.
    Add,
    /// `a − b`.
    Sub,
    /// `a · b`.
    Mul,
    /// `exp(a)`.
    Exp,
    /// `silu(a) = a·σ(a)`.
    Silu,
    /// `gelu(a)`, taken as `a·σ(1.702a)` (Hendrycks & Gimpel 2016's sigmoid form).
    Gelu,
    /// A copy (layout change, concatenation): data movement only.
    Copy,
}

impl EwOp {
    /// Every operation.
    pub const ALL: [EwOp; 7] = [
        EwOp::Add,
        EwOp::Sub,
        EwOp::Mul,
        EwOp::Exp,
        EwOp::Silu,
        EwOp::Gelu,
        EwOp::Copy,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            EwOp::Add => "add",
            EwOp::Sub => "sub",
            EwOp::Mul => "mul",
            EwOp::Exp => "exp",
            EwOp::Silu => "silu",
            EwOp::Gelu => "gelu",
            EwOp::Copy => "copy",
        }
    }

    /// Parses a name (case-insensitive), suggesting the closest.
    pub fn parse(name: &str) -> Result<EwOp, ArchError> {
        EwOp::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ArchError::UnknownName {
                what: "element-wise op".into(),
                name: name.into(),
                suggestion: closest(name, EwOp::ALL.iter().map(|o| o.name())),
                valid: EwOp::ALL.iter().map(|o| o.name().to_string()).collect(),
            })
    }

    /// Useful operations per element: add, sub, mul, exp 1; SiLU 4 (negate, exp, add,
    /// divide); GELU 5 (SiLU's 4 and the scale by 1.702); copy 0.
    pub fn flops(self) -> u32 {
        match self {
            EwOp::Add | EwOp::Sub | EwOp::Mul | EwOp::Exp => 1,
            EwOp::Silu => 4,
            EwOp::Gelu => 5,
            EwOp::Copy => 0,
        }
    }

    /// Input tensors it reads per element (2 for add, sub, mul; else 1).
    pub fn inputs(self) -> u32 {
        match self {
            EwOp::Add | EwOp::Sub | EwOp::Mul => 2,
            _ => 1,
        }
    }
}

/// Which normalisation [`Work::Norm`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NormKind {
    /// RMSNorm: `x / rms(x) · γ` — square, sum, scale, `γ`: 4 operations per element.
    Rms,
    /// LayerNorm: `(x − mean) / std · γ + β` — sum, subtract, square, sum, scale, `γ`, `β`:
    /// 7 operations per element.
    Layer,
}

/// A piece of work, independent of the platform: shapes (element counts) and precisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// `C[m×n] = A[m×k]·W[k×n]` (a GEMV when `m` is small).
    Gemm {
        /// Rows of A and C (tokens).
        m: u64,
        /// Reduction dimension (input features).
        k: u64,
        /// Columns of W and C (output features).
        n: u64,
        /// Format of A and C.
        act: DType,
        /// Format of W.
        weight: DType,
    },
    /// Weight-only quantised product: `weight_bits`-bit weights with an FP16 scale and
    /// zero point per `group_size` weights along `k`.
    QuantGemm {
        /// Rows of A and C.
        m: u64,
        /// Reduction dimension.
        k: u64,
        /// Output features.
        n: u64,
        /// Format of A and C.
        act: DType,
        /// Bits per weight (1–8).
        weight_bits: u32,
        /// Weights per quantisation group along `k`.
        group_size: u64,
        /// Dequantise inside the product kernel (else a separate kernel first).
        fused_dequant: bool,
    },
    /// Row softmax of a `rows × len` matrix.
    Softmax {
        /// Independent rows.
        rows: u64,
        /// Elements per row.
        len: u64,
        /// Format of input and output.
        dtype: DType,
        /// SoftmAP's integer-only softmax (integer scores in, integer probabilities out).
        integer: bool,
    },
    /// Fused multi-head attention (FlashAttention-style where the unit can fuse).
    Attention {
        /// Batch size.
        batch: u64,
        /// Query heads.
        heads: u64,
        /// Key/value heads (divides `heads`).
        kv_heads: u64,
        /// Query tokens (1 for decode).
        q_len: u64,
        /// Key/value tokens.
        kv_len: u64,
        /// Head dimension.
        head_dim: u64,
        /// Causal mask.
        causal: bool,
        /// Format of Q, K, V and O.
        dtype: DType,
    },
    /// An element-wise operation over `elements` outputs.
    Elementwise {
        /// Output elements.
        elements: u64,
        /// The operation.
        op: EwOp,
        /// Input tensors read per output element.
        n_inputs: u32,
        /// Format of inputs and output.
        dtype: DType,
    },
    /// RMSNorm or LayerNorm over `rows` rows of `len`.
    Norm {
        /// Rows (tokens).
        rows: u64,
        /// Elements per row (hidden size).
        len: u64,
        /// Which normalisation.
        kind: NormKind,
        /// Format of input and output.
        dtype: DType,
    },
    /// Mamba's selective scan over `seq_len` steps for every (batch, channel).
    Scan {
        /// Batch size.
        batch: u64,
        /// Steps (1 for decode).
        seq_len: u64,
        /// Channels (`d_inner`).
        d_inner: u64,
        /// State per channel (`d_state`).
        d_state: u64,
        /// Format of u, Δ, B, C and y.
        dtype: DType,
    },
}

impl Work {
    /// The class name: `gemm`, `quant_gemm`, `softmax`, `attention`, `elementwise`,
    /// `norm`, `scan`.
    pub fn class(&self) -> &'static str {
        match self {
            Work::Gemm { .. } => "gemm",
            Work::QuantGemm { .. } => "quant_gemm",
            Work::Softmax { .. } => "softmax",
            Work::Attention { .. } => "attention",
            Work::Elementwise { .. } => "elementwise",
            Work::Norm { .. } => "norm",
            Work::Scan { .. } => "scan",
        }
    }

    /// A short label with the shape, e.g. `gemm 1x4096x4096 fp16`.
    pub fn label(&self) -> String {
        match *self {
            Work::Gemm {
                m,
                k,
                n,
                act,
                weight,
            } => {
                if act == weight {
                    format!("gemm {m}x{k}x{n} {act}")
                } else {
                    format!("gemm {m}x{k}x{n} {act}x{weight}")
                }
            }
            Work::QuantGemm {
                m,
                k,
                n,
                act,
                weight_bits,
                group_size,
                ..
            } => format!("quant_gemm {m}x{k}x{n} {act} w{weight_bits} g{group_size}"),
            Work::Softmax {
                rows,
                len,
                dtype,
                integer,
            } => format!(
                "softmax {rows}x{len} {}",
                if integer { "integer" } else { dtype.name() }
            ),
            Work::Attention {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                dtype,
            } => format!(
                "attention b{batch} h{heads}/{kv_heads} q{q_len} kv{kv_len} d{head_dim}{} {dtype}",
                if causal { " causal" } else { "" }
            ),
            Work::Elementwise {
                elements,
                op,
                dtype,
                ..
            } => format!("elementwise {} {elements} {dtype}", op.name()),
            Work::Norm {
                rows,
                len,
                kind,
                dtype,
            } => format!(
                "{} {rows}x{len} {dtype}",
                match kind {
                    NormKind::Rms => "rmsnorm",
                    NormKind::Layer => "layernorm",
                }
            ),
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => format!("scan {batch}x{seq_len}x{d_inner}x{d_state} {dtype}"),
        }
    }

    /// Useful operations: products `2·m·k·n`; softmax `5·rows·len`; attention
    /// `4·b·h·d·P` with `P` the unmasked (query, key) pairs
    /// ([`crate::gpu::attention_pairs`]); element-wise `elements ·` [`EwOp::flops`]; norm
    /// `rows·len·(4 | 7)` ([`NormKind`]); scan `7·b·L·d_inner·d_state`
    /// ([`crate::gpu::SCAN_FLOPS_PER_STATE`]).
    pub fn flops(&self) -> f64 {
        self.request(DType::Fp16).flops()
    }

    /// The format of the work's main operands (the activations for products).
    pub fn dtype(&self) -> DType {
        match *self {
            Work::Gemm { act, .. } | Work::QuantGemm { act, .. } => act,
            Work::Softmax { dtype, .. }
            | Work::Attention { dtype, .. }
            | Work::Elementwise { dtype, .. }
            | Work::Norm { dtype, .. }
            | Work::Scan { dtype, .. } => dtype,
        }
    }

    /// Bytes of the output tensor at the work's format.
    pub fn output_bytes(&self) -> f64 {
        let b = self.dtype().bytes();
        let elems = match *self {
            Work::Gemm { m, n, .. } | Work::QuantGemm { m, n, .. } => m * n,
            Work::Softmax { rows, len, .. } | Work::Norm { rows, len, .. } => rows * len,
            Work::Attention {
                batch,
                heads,
                q_len,
                head_dim,
                ..
            } => batch * heads * q_len * head_dim,
            Work::Elementwise { elements, .. } => elements,
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                ..
            } => batch * seq_len * d_inner,
        };
        elems as f64 * b
    }

    /// Checks the work's own consistency (no zero dimension, `kv_heads` divides `heads`,
    /// weight bits 1–8…); errors name the field as `kernel.<field>`.
    pub fn validate(&self) -> Result<(), ArchError> {
        self.request(self.dtype()).validate()?;
        let dims: &[u64] = match self {
            Work::Gemm { m, k, n, .. } | Work::QuantGemm { m, k, n, .. } => &[*m, *k, *n],
            Work::Softmax { rows, len, .. } | Work::Norm { rows, len, .. } => &[*rows, *len],
            Work::Attention {
                batch,
                heads,
                q_len,
                kv_len,
                head_dim,
                ..
            } => &[*batch, *heads, *q_len, *kv_len, *head_dim],
            Work::Elementwise { elements, .. } => &[*elements],
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                ..
            } => &[*batch, *seq_len, *d_inner, *d_state],
        };
        let points = dims.iter().try_fold(1u64, |acc, d| acc.checked_mul(*d));
        match points {
            Some(p) if p <= MAX_POINTS => Ok(()),
            _ => Err(ArchError::Invalid {
                key: "kernel".into(),
                message: format!(
                    "{} has more than 2^48 iteration points (the product of its dimensions); \
                     split it",
                    self.label()
                ),
            }),
        }
    }

    /// The GPU/CPU request that carries the same shape (also used for `flops` and
    /// validation): products as `Gemm` / `QuantGemm` in `gemm_dtype`, norms as
    /// element-wise kernels.
    fn request(&self, gemm_dtype: DType) -> crate::gpu::KernelRequest {
        use crate::gpu::KernelRequest as R;
        match *self {
            Work::Gemm { m, k, n, .. } => R::Gemm {
                m,
                n,
                k,
                dtype: gemm_dtype,
            },
            Work::QuantGemm {
                m,
                k,
                n,
                act,
                weight_bits,
                group_size,
                fused_dequant,
            } => R::QuantGemm {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            },
            Work::Softmax {
                rows, len, dtype, ..
            } => R::Softmax { rows, len, dtype },
            Work::Attention {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                dtype,
            } => R::Attention {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                dtype,
            },
            Work::Elementwise {
                elements,
                op,
                n_inputs,
                dtype,
            } => R::Elementwise {
                elements,
                flops_per_element: op.flops(),
                dtype,
                n_inputs,
            },
            Work::Norm {
                rows,
                len,
                kind,
                dtype,
            } => R::Elementwise {
                elements: rows.saturating_mul(len),
                flops_per_element: match kind {
                    NormKind::Rms => 4,
                    NormKind::Layer => 7,
                },
                dtype,
                n_inputs: 1,
            },
            Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => R::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            },
        }
    }
}

/// Which model produced an [`Estimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fidelity {
    /// Level 1: a cycle-stepped or bit-level reference.
    CycleStepped,
    /// Level 2: tiles as events on sim-core (PE arrays, nonlinear units).
    TileEvents,
    /// Level 2: closed-form per-tile counts proven against level 1 (IMC, PIM).
    TileLevel,
    /// Level 3: an analytical model (GPU thread-block grids, CPU rooflines with caches).
    Analytical,
    /// Level 3: a roofline (`max(compute at peak, compulsory bytes at peak bandwidth)`).
    Roofline,
}

impl Fidelity {
    /// 1, 2 or 3.
    pub fn level(self) -> u8 {
        match self {
            Fidelity::CycleStepped => 1,
            Fidelity::TileEvents | Fidelity::TileLevel => 2,
            Fidelity::Analytical | Fidelity::Roofline => 3,
        }
    }

    /// The variant's name (`TileEvents`, `Analytical`…), as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::CycleStepped => "CycleStepped",
            Fidelity::TileEvents => "TileEvents",
            Fidelity::TileLevel => "TileLevel",
            Fidelity::Analytical => "Analytical",
            Fidelity::Roofline => "Roofline",
        }
    }
}

/// The unit model's own result, for callers that need more than [`Estimate`]'s fields.
#[derive(Clone, Debug, PartialEq)]
pub enum Backend {
    /// A PE-array or nonlinear-unit kernel ([`crate::kernel`]).
    Kernel(Box<KernelReport>),
    /// A GPU or CPU kernel ([`crate::gpu::KernelModel`]).
    Device(crate::gpu::KernelEstimate),
    /// A crossbar, associative-processor or PIM kernel ([`crate::imc::kernel`]).
    InMemory(Box<crate::imc::kernel::KernelEstimate>),
    /// Work decomposed into parts, each estimated once; `instances` copies of the parts
    /// run back to back (attention on a PE array).
    Parts {
        /// The parts, for one instance.
        parts: Vec<Estimate>,
        /// Copies run one after another.
        instances: u64,
    },
}

/// What one piece of work costs on one unit, whatever model produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The unit that ran it.
    pub unit: Unit,
    /// The work's label ([`Work::label`]).
    pub kernel: String,
    /// Total time, ps.
    pub time: Time,
    /// Time the arithmetic alone takes (memory infinitely fast), ps.
    pub compute_time: Time,
    /// Time the off-chip traffic alone takes at peak bandwidth, ps (in-memory units: the
    /// whole time, compute and access coincide).
    pub memory_time: Time,
    /// Useful operations ([`Work::flops`]).
    pub flops: f64,
    /// Off-chip (DRAM/HBM; PIM: the DRAM arrays) bytes read.
    pub dram_bytes_read: u64,
    /// Off-chip bytes written.
    pub dram_bytes_written: u64,
    /// On-chip buffer bytes read and written (global buffer, IMC buffers; 0 where the
    /// model does not count them: GPU, CPU).
    pub onchip_bytes: u64,
    /// Total energy, pJ.
    pub energy_pj: f64,
    /// Energy by `"unit.action"`, pJ (leakage/idle included), in the model's order.
    pub energy: Vec<(String, f64)>,
    /// Which model produced `time`.
    pub fidelity: Fidelity,
    /// What bounds `time`.
    pub bound: Bound,
    /// How the work was run: the model's unit and mode, conversions of format, GEMV
    /// paths, decompositions.
    pub detail: String,
    /// The model's own result.
    pub backend: Backend,
}

impl Estimate {
    /// Seconds (lossy, for reporting).
    pub fn seconds(&self) -> f64 {
        self.time.as_secs_f64()
    }

    /// Achieved operations per second.
    pub fn flops_per_s(&self) -> f64 {
        let s = self.seconds();
        if s > 0.0 { self.flops / s } else { 0.0 }
    }
}

/// Options of [`Platform::estimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstimateOptions {
    /// GEMM tiling on a PE array (default: [`GemmTiling::default_for`]); ignored elsewhere.
    pub tiling: Option<GemmTiling>,
    /// Force a systolic dataflow on a PE array; ignored elsewhere.
    pub dataflow: Option<Dataflow>,
    /// Level 2 (default: tiles on sim-core) or 3 (roofline) on PE arrays and nonlinear
    /// units; units with one model (GPU, CPU, IMC, PIM) use it and say so in `detail`.
    pub fidelity: KernelFidelity,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            tiling: None,
            dataflow: None,
            fidelity: KernelFidelity::TileEvents,
        }
    }
}

impl Platform {
    /// Estimates `work` on `unit`. Errors: [`ArchError::Unsupported`] when the unit is
    /// absent or cannot run the class (naming the class and the units that can), invalid
    /// shapes ([`ArchError::Invalid`]), and the unit model's own errors (a tiling that does
    /// not fit, an SRAM-only platform that cannot hold the operands…). Never panics.
    pub fn estimate(
        &self,
        unit: Unit,
        work: &Work,
        opts: &EstimateOptions,
    ) -> Result<Estimate, ArchError> {
        work.validate()?;
        support::check(self, unit, work)?;
        match unit {
            Unit::PeArray | Unit::Nonlinear => pe::estimate(self, unit, work, opts),
            Unit::Gpu | Unit::Cpu => device::estimate(self, unit, work, opts),
            Unit::Crossbar | Unit::AssocProcessor | Unit::Pim => {
                imc::estimate(self, unit, work, opts)
            }
        }
    }

    /// Whether `unit` is present and runs `work`'s class (a structural check: an estimate
    /// may still fail on a shape-dependent limit, e.g. an SRAM-only platform's capacity).
    pub fn can_run(&self, unit: Unit, work: &Work) -> bool {
        support::check(self, unit, work).is_ok()
    }

    /// The units that can run `work`, preferred first (orders in the table below).
    ///
    /// | class | order |
    /// |---|---|
    /// | gemm, quant_gemm | pe_array, gpu, cpu, crossbar, pim |
    /// | softmax | nonlinear, assoc_processor (integer only), pe_array (tree bypassed), gpu, cpu, pim (softmax unit) |
    /// | elementwise | nonlinear, pe_array (tree bypassed), gpu, cpu, assoc_processor, pim (add, sub, mul) |
    /// | norm | nonlinear, pe_array (tree bypassed), gpu, cpu |
    /// | attention | gpu, pim (decode offload), pe_array (decomposed), cpu |
    /// | scan | gpu, cpu, pe_array (tree bypassed, MARCA), nonlinear |
    pub fn candidate_units(&self, work: &Work) -> Vec<Unit> {
        support::preference(work)
            .iter()
            .copied()
            .filter(|u| self.can_run(*u, work))
            .collect()
    }

    /// The format the PE array computes in (`int8`, `int4`, `fp8`, `fp16`, `fp32`), if it
    /// has one with a [`DType`] name.
    pub fn pe_array_dtype(&self) -> Option<DType> {
        pe::pe_dtype(self)
    }

    /// The first of [`Platform::candidate_units`], or [`ArchError::Unsupported`] naming the
    /// platform, the class and why each of its units cannot run it.
    pub fn preferred_unit(&self, work: &Work) -> Result<Unit, ArchError> {
        if let Some(u) = self.candidate_units(work).first() {
            return Ok(*u);
        }
        let why: Vec<String> = Unit::ALL
            .into_iter()
            .filter(|u| support::present(self, *u))
            .filter_map(|u| support::why_not(self, u, work).map(|r| format!("{}: {r}", u.name())))
            .collect();
        Err(ArchError::Unsupported {
            unit: self.name.clone(),
            class: work.class().into(),
            reason: format!(
                "no unit of this {} platform runs it ({})",
                self.class(),
                if why.is_empty() {
                    "it has no compute units".to_string()
                } else {
                    why.join("; ")
                }
            ),
        })
    }
}
