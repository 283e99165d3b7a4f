//! What an operator asks of hardware, without naming a unit: [`Work`].
//!
//! Every `workloads::OpKind` becomes one `Work` ([`Work::of`]): matrix products (dense,
//! quantised, low-rank, attention QKᵀ and PV) become [`GemmWork`]s, softmax a
//! [`SoftmaxWork`], fused attention an [`AttentionWork`], Mamba's scan a [`ScanWork`],
//! data movement (embedding gathers, concatenation, unquantised KV-cache appends) a
//! [`MoveWork`], and everything element-wise (norms, activations, rotary, quantise,
//! dequantise, conv1d, pooling, token merging and pruning) a [`VectorWork`] with the
//! operator's exact bytes from `OpKind::io`.
//!
//! **Attention as GEMMs.** QKᵀ of grouped-query attention is `batch · kv_heads`
//! independent products: the `q_len · (q_heads / kv_heads)` queries sharing one K head
//! times that head's `Kᵀ` (`head_dim × kv_len`); PV likewise with `V`. The whole
//! rectangle is computed (a causal mask's skipped pairs are not skipped: tile-level
//! kernels compute masked blocks).
//!
//! `Work` is `Eq + Hash + Ord`: equal work costs the same on the same unit, which is what
//! the cost memo keys on.

use serde::Serialize;
use workloads::ops::{QuantWeights, Role, SoftmaxKind};
use workloads::{DType, OpKind};

/// A matrix product `C[m×n] = A[m×k] · B[k×n]`, `batch` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct GemmWork {
    /// Independent products (1 for a linear layer; sequences × KV heads for attention).
    pub batch: u64,
    /// Rows of A and C (tokens).
    pub m: u64,
    /// Reduction dimension.
    pub k: u64,
    /// Columns of B and C (output features).
    pub n: u64,
    /// Bits per element of A.
    pub a_bits: u32,
    /// Bits per element of B as stored (quantised weights: 2–8).
    pub b_bits: u32,
    /// Bits per element of C.
    pub out_bits: u32,
    /// Elements of B per scale group along `k` (0: no group metadata).
    pub b_group: u64,
    /// Bits of metadata (scale + zero point) per group of B.
    pub b_meta_bits: u32,
    /// What B is.
    pub b_role: Operand,
    /// Whether the products are weight-quantised (dequantised inside the kernel).
    pub quantized: bool,
}

/// Where an operand comes from (for traffic accounting and reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    /// Model weights, shared by every product of a batch.
    Weight,
    /// The KV cache (one matrix per product).
    KvCache,
    /// An activation produced in this step.
    Activation,
    /// Weights with one matrix per product (per-head projections: CSKV's absorbed
    /// up-projections), read every step.
    HeadWeights,
}

impl GemmWork {
    /// Multiply-accumulates of all products.
    pub fn macs(&self) -> u64 {
        self.batch * self.m * self.k * self.n
    }

    /// Bytes of one `rows × cols` block of B as stored, metadata included.
    pub fn b_block_bytes(&self, rows_k: u64, cols_n: u64) -> u64 {
        let data = (rows_k * cols_n * u64::from(self.b_bits)).div_ceil(8);
        let meta = if self.b_group > 0 {
            (rows_k.div_ceil(self.b_group) * cols_n * u64::from(self.b_meta_bits)).div_ceil(8)
        } else {
            0
        };
        data + meta
    }

    /// Bytes of a `rows × cols` block of A.
    pub fn a_block_bytes(&self, rows_m: u64, cols_k: u64) -> u64 {
        (rows_m * cols_k * u64::from(self.a_bits)).div_ceil(8)
    }

    /// Bytes of a `rows × cols` block of C.
    pub fn c_block_bytes(&self, rows_m: u64, cols_n: u64) -> u64 {
        (rows_m * cols_n * u64::from(self.out_bits)).div_ceil(8)
    }

    /// Compulsory off-chip bytes: A, B (once if shared weights, else per product) and C.
    pub fn min_bytes(&self) -> u64 {
        let b = if self.b_role == Operand::Weight {
            self.b_block_bytes(self.k, self.n)
        } else {
            self.batch * self.b_block_bytes(self.k, self.n)
        };
        self.batch * (self.a_block_bytes(self.m, self.k) + self.c_block_bytes(self.m, self.n)) + b
    }
}

/// Row softmax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SoftmaxWork {
    /// Rows.
    pub rows: u64,
    /// Elements per row (the mean, rounded up, for causal rows of unequal length).
    pub len: u64,
    /// Bits of inputs and outputs.
    pub bits: u32,
    /// SoftmAP's integer-only algorithm (else float).
    pub integer: bool,
}

/// Fused (flash-style) attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AttentionWork {
    /// Sequences.
    pub batch: u64,
    /// Query heads.
    pub heads: u64,
    /// Key/value heads.
    pub kv_heads: u64,
    /// Queries per sequence.
    pub q_len: u64,
    /// Keys per sequence.
    pub kv_len: u64,
    /// Channels per head.
    pub head_dim: u64,
    /// Causal mask.
    pub causal: bool,
    /// Bits of Q and O.
    pub act_bits: u32,
    /// Bits of K and V as stored.
    pub kv_bits: u32,
    /// Channels of a head per FP16 scale and zero point of a quantised cache (read with
    /// K and V, per token); 0: none.
    pub kv_group: u64,
    /// Integer softmax.
    pub integer_softmax: bool,
}

impl AttentionWork {
    /// The demand of a workloads attention shape: K and V at the cache's width, with an
    /// fp16 scale and zero per `kv_group` channels and token when the cache is integer.
    pub fn of(a: &workloads::ops::Attention, integer_softmax: bool) -> AttentionWork {
        AttentionWork {
            batch: a.batch,
            heads: a.q_heads,
            kv_heads: a.kv_heads,
            q_len: a.q_len,
            kv_len: a.kv_len,
            head_dim: a.head_dim,
            causal: a.causal,
            act_bits: bits(a.act),
            kv_bits: bits(a.kv),
            kv_group: if a.kv.is_int() { a.kv_group } else { 0 },
            integer_softmax,
        }
    }

    /// The QKᵀ product (see the module docs).
    pub fn scores(&self) -> GemmWork {
        let group = self.heads / self.kv_heads.max(1);
        GemmWork {
            batch: self.batch * self.kv_heads,
            m: self.q_len * group.max(1),
            k: self.head_dim,
            n: self.kv_len,
            a_bits: self.act_bits,
            b_bits: self.kv_bits,
            out_bits: self.act_bits,
            b_group: self.kv_group,
            b_meta_bits: if self.kv_group > 0 { 32 } else { 0 },
            b_role: Operand::KvCache,
            quantized: false,
        }
    }

    /// The PV product.
    pub fn values(&self) -> GemmWork {
        let s = self.scores();
        GemmWork {
            k: self.kv_len,
            n: self.head_dim,
            ..s
        }
    }

    /// The softmax between them.
    pub fn softmax(&self) -> SoftmaxWork {
        SoftmaxWork {
            rows: self.batch * self.heads * self.q_len,
            len: self.kv_len,
            bits: self.act_bits,
            integer: self.integer_softmax,
        }
    }
}

/// Mamba's selective scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ScanWork {
    /// Sequences.
    pub batch: u64,
    /// Steps.
    pub len: u64,
    /// Channels.
    pub d_inner: u64,
    /// State per channel.
    pub d_state: u64,
    /// Bits of inputs and outputs.
    pub bits: u32,
    /// Bytes read (inputs, state).
    pub read_bytes: u64,
    /// Bytes written (output, state).
    pub write_bytes: u64,
}

/// The element-wise function of a [`VectorWork`] (its per-element operation mix is in
/// [`crate::cost::vector`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VecFn {
    /// `a + b`.
    Add,
    /// `a · b`.
    Mul,
    /// `x · σ(x)`.
    Silu,
    /// GELU.
    Gelu,
    /// `max(x, 0)`.
    Relu,
    /// `eˣ`.
    Exp,
    /// Per-row quantisation.
    Quantize,
    /// Weight dequantisation.
    Dequantize,
    /// Rotary embedding.
    Rotary,
    /// RMSNorm (a reciprocal square root per row).
    RmsNorm,
    /// LayerNorm (a reciprocal square root per row).
    LayerNorm,
    /// Depthwise conv1d with this many taps.
    Conv1d(u64),
    /// Anything else: `flops` operations per output element, half multiplies, half adds.
    Generic(u64),
}

/// Element-wise work over `elements` outputs in `rows` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct VectorWork {
    /// The function.
    pub func: VecFn,
    /// Output elements.
    pub elements: u64,
    /// Rows (row-wise reductions keep a row in one chunk; `elements` when none).
    pub rows: u64,
    /// Bytes read (every input once).
    pub read_bytes: u64,
    /// Bytes written.
    pub write_bytes: u64,
    /// Bits of an output element.
    pub out_bits: u32,
}

/// Data movement only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct MoveWork {
    /// Bytes read.
    pub read_bytes: u64,
    /// Bytes written.
    pub write_bytes: u64,
}

/// What an operator asks of hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "work", rename_all = "snake_case")]
pub enum Work {
    /// Matrix products.
    Gemm(GemmWork),
    /// Row softmax.
    Softmax(SoftmaxWork),
    /// Fused attention.
    Attention(AttentionWork),
    /// Selective scan.
    Scan(ScanWork),
    /// Element-wise work.
    Vector(VectorWork),
    /// Data movement.
    Move(MoveWork),
}

fn bits(d: DType) -> u32 {
    d.bits() as u32
}

fn meta_bits(w: &QuantWeights) -> u32 {
    bits(w.scale) + w.zero.map_or(0, bits)
}

fn group_of(w: &QuantWeights, k: u64) -> u64 {
    if w.group == 0 { k } else { w.group.min(k) }
}

impl Work {
    /// The work of an operator.
    pub fn of(kind: &OpKind) -> Work {
        let io = kind.io();
        let reads: u64 = io.reads.iter().map(|o| o.tensor.bytes()).sum();
        let writes: u64 = io.writes.iter().map(|o| o.tensor.bytes()).sum();
        let out = kind.output();
        let vector = |func: VecFn, rows: u64| {
            Work::Vector(VectorWork {
                func,
                elements: out.numel().max(1),
                rows: rows.max(1),
                read_bytes: reads,
                write_bytes: writes,
                out_bits: bits(out.dtype),
            })
        };
        let role = |r: Role| match r {
            Role::Weight => Operand::Weight,
            Role::KvCache => Operand::KvCache,
            _ => Operand::Activation,
        };
        match kind {
            OpKind::Gemm(g) | OpKind::Gemv(g) => Work::Gemm(GemmWork {
                batch: g.batch,
                m: g.m,
                k: g.k,
                n: g.n,
                a_bits: bits(g.a),
                b_bits: bits(g.b),
                out_bits: bits(g.out),
                b_group: 0,
                b_meta_bits: 0,
                b_role: role(g.b_role),
                quantized: false,
            }),
            OpKind::QuantGemm(g) | OpKind::QuantGemv(g) => Work::Gemm(GemmWork {
                batch: 1,
                m: g.m,
                k: g.k,
                n: g.n,
                a_bits: bits(g.act),
                b_bits: u32::from(g.w.bits),
                out_bits: bits(g.out),
                b_group: group_of(&g.w, g.k),
                b_meta_bits: meta_bits(&g.w),
                b_role: Operand::Weight,
                quantized: true,
            }),
            OpKind::LowRank(l) => Work::Gemm(GemmWork {
                batch: l.heads.max(1),
                m: l.m,
                k: l.k,
                n: l.n,
                a_bits: bits(l.input),
                b_bits: bits(l.dtype),
                out_bits: bits(l.dtype),
                b_group: 0,
                b_meta_bits: 0,
                b_role: if l.heads > 1 {
                    Operand::HeadWeights
                } else {
                    Operand::Weight
                },
                quantized: false,
            }),
            OpKind::AttnScores(a) | OpKind::AttnValues(a) => {
                let w = AttentionWork::of(a, false);
                let mut g = if matches!(kind, OpKind::AttnScores(_)) {
                    w.scores()
                } else {
                    let mut v = w.values();
                    // PV reads probabilities (score type) as A.
                    v.a_bits = bits(a.score);
                    v
                };
                if matches!(kind, OpKind::AttnScores(_)) {
                    g.out_bits = bits(a.score);
                }
                if !a.cached {
                    g.b_role = Operand::Activation;
                }
                Work::Gemm(g)
            }
            OpKind::FusedAttention(f) => Work::Attention(AttentionWork::of(
                &f.attn,
                matches!(f.softmax, SoftmaxKind::Integer { .. }),
            )),
            OpKind::Softmax(s) => Work::Softmax(SoftmaxWork {
                rows: s.rows.max(1),
                len: s.elements.div_ceil(s.rows.max(1)).max(1),
                bits: bits(s.input),
                integer: matches!(s.kind, SoftmaxKind::Integer { .. }),
            }),
            OpKind::SelectiveScan(s) => Work::Scan(ScanWork {
                batch: s.batch,
                len: s.len,
                d_inner: s.d_inner,
                d_state: s.d_state,
                bits: bits(s.dtype),
                read_bytes: reads,
                write_bytes: writes,
            }),
            OpKind::KvAppend(k) if k.stored.bits() >= k.input.bits() => Work::Move(MoveWork {
                read_bytes: reads,
                write_bytes: writes,
            }),
            OpKind::KvAppend(k) => vector(VecFn::Quantize, k.batch * k.heads * k.tokens),
            OpKind::Embedding(_) | OpKind::Concat(_) => Work::Move(MoveWork {
                read_bytes: reads,
                write_bytes: writes,
            }),
            OpKind::Norm(n) => vector(
                match n.kind {
                    workloads::ops::NormKind::Rms => VecFn::RmsNorm,
                    workloads::ops::NormKind::Layer => VecFn::LayerNorm,
                },
                n.rows,
            ),
            OpKind::Rotary(r) => vector(VecFn::Rotary, r.tokens * r.heads),
            OpKind::Elementwise(e) => {
                let func = match e.func {
                    workloads::ops::EltFn::Add => VecFn::Add,
                    workloads::ops::EltFn::Mul => VecFn::Mul,
                    workloads::ops::EltFn::Silu => VecFn::Silu,
                    workloads::ops::EltFn::Gelu => VecFn::Gelu,
                    workloads::ops::EltFn::Relu => VecFn::Relu,
                    workloads::ops::EltFn::Exp => VecFn::Exp,
                    workloads::ops::EltFn::Quantize => VecFn::Quantize,
                };
                let rows = if func == VecFn::Quantize {
                    e.rows
                } else {
                    e.rows * e.cols
                };
                vector(func, rows)
            }
            OpKind::Dequantize(_) => vector(VecFn::Dequantize, out.numel()),
            OpKind::Conv1d(c) => vector(VecFn::Conv1d(c.kernel), out.numel()),
            OpKind::Pool(_) | OpKind::TokenMerge(_) | OpKind::TokenPrune(_) => {
                let per = kind.flops().div_ceil(out.numel().max(1)).max(1);
                vector(VecFn::Generic(per), out.numel())
            }
        }
    }

    /// A short class name (`gemm`, `softmax`, `attention`, `scan`, `vector`, `move`).
    pub fn class(&self) -> &'static str {
        match self {
            Work::Gemm(_) => "gemm",
            Work::Softmax(_) => "softmax",
            Work::Attention(_) => "attention",
            Work::Scan(_) => "scan",
            Work::Vector(_) => "vector",
            Work::Move(_) => "move",
        }
    }

    /// Compulsory off-chip bytes (every input read once, every output written once).
    pub fn min_bytes(&self) -> u64 {
        match self {
            Work::Gemm(g) => g.min_bytes(),
            Work::Softmax(s) => 2 * (s.rows * s.len * u64::from(s.bits)).div_ceil(8),
            Work::Attention(a) => {
                let s = a.scores();
                let q = s.batch * s.a_block_bytes(s.m, s.k);
                q * 2 + 2 * s.batch * s.b_block_bytes(s.k, s.n)
            }
            Work::Scan(s) => s.read_bytes + s.write_bytes,
            Work::Vector(v) => v.read_bytes + v.write_bytes,
            Work::Move(m) => m.read_bytes + m.write_bytes,
        }
    }
}
