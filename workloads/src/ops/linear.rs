//! Matrix products: dense GEMM/GEMV, weight-quantised GEMM/GEMV and separate
//! dequantisation.
//!
//! FLOPs: one multiply-accumulate (MAC) counts as **2 FLOPs**; a GEMM of `m×k` by `k×n`
//! is `2·m·k·n`. Dequantising one weight (subtract the zero point, multiply by the scale)
//! is 2 operations, counted once per weight element (the minimum; a kernel that
//! re-dequantises a tile for every row block does more).

use super::{Io, Operand, Role};
use crate::tensor::{DType, Tensor};
use serde::Serialize;

/// Dense matrix product `C[b] = A[b] · B[b] (+ bias)` for `b` in `0..batch`.
///
/// For a linear layer `batch = 1`, `m` = tokens (batch × sequence), `B` is the weight
/// matrix (`b_role = Weight`, read once). For activation × activation products (e.g. a
/// reconstruction from a cache) `B` is another tensor with its own role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Gemm {
    /// Number of independent products.
    pub batch: u64,
    /// Rows of `A` and `C`.
    pub m: u64,
    /// Reduction dimension.
    pub k: u64,
    /// Columns of `B` and `C`.
    pub n: u64,
    /// Element type of `A`.
    pub a: DType,
    /// Element type of `B`.
    pub b: DType,
    /// Where `B` comes from (weights are shared across `batch`).
    pub b_role: Role,
    /// Element type of `C`.
    pub out: DType,
    /// Whether a bias vector of `n` elements is added to every row.
    pub bias: bool,
}

impl Gemm {
    /// A linear layer: `m` rows of `k` inputs times a `k×n` weight matrix.
    pub fn linear(m: u64, k: u64, n: u64, dtype: DType, bias: bool) -> Gemm {
        Gemm {
            batch: 1,
            m,
            k,
            n,
            a: dtype,
            b: dtype,
            b_role: Role::Weight,
            out: dtype,
            bias,
        }
    }

    /// FLOPs: `2·batch·m·k·n`, plus `batch·m·n` bias additions.
    pub fn flops(&self) -> u64 {
        let bias = if self.bias {
            self.batch * self.m * self.n
        } else {
            0
        };
        2 * self.batch * self.m * self.k * self.n + bias
    }

    /// The product `C`.
    pub fn output(&self) -> Tensor {
        Tensor::new(&batched(self.batch, &[self.m, self.n]), self.out)
    }

    pub(crate) fn io(&self) -> Io {
        let mut reads = vec![Operand::act(Tensor::new(
            &batched(self.batch, &[self.m, self.k]),
            self.a,
        ))];
        let b_dims = if self.b_role == Role::Weight {
            vec![self.k, self.n]
        } else {
            batched(self.batch, &[self.k, self.n])
        };
        reads.push(Operand {
            role: self.b_role,
            tensor: Tensor::new(&b_dims, self.b),
        });
        if self.bias {
            reads.push(Operand::weight(Tensor::new(&[self.n], self.out)));
        }
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }
}

fn batched(batch: u64, dims: &[u64]) -> Vec<u64> {
    if batch == 1 {
        dims.to_vec()
    } else {
        let mut v = vec![batch];
        v.extend_from_slice(dims);
        v
    }
}

/// Storage format of quantised weights: `bits` per weight, one scale (and optionally one
/// zero point) per group of `group` consecutive input channels of each output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct QuantWeights {
    /// Bits per weight (2…8).
    pub bits: u8,
    /// Weights per scale group along the reduction dimension; `0` means one group per
    /// output channel (per-channel quantisation, group = `k`).
    pub group: u64,
    /// Type of the per-group scale.
    pub scale: DType,
    /// Type of the per-group zero point (`None`: symmetric quantisation).
    pub zero: Option<DType>,
}

impl QuantWeights {
    /// Number of scale groups of a `k×n` weight matrix: `n·⌈k / group⌉`.
    pub fn groups(&self, k: u64) -> u64 {
        let g = if self.group == 0 {
            k
        } else {
            self.group.min(k)
        };
        k.div_ceil(g.max(1))
    }

    /// Average stored bits per weight for a reduction dimension `k`, scales and zeros
    /// included: `bits + (scale bits + zero bits) / group` — 3.25 for 3-bit weights with
    /// fp16 scale and zero per 128 (MBQ, arXiv 2412.19509).
    pub fn bits_per_weight(&self, k: u64) -> f64 {
        let extra = self.scale.bits() + self.zero.map_or(0, DType::bits);
        f64::from(self.bits) + (extra * self.groups(k)) as f64 / k.max(1) as f64
    }

    /// Operands of a `k×n` quantised weight matrix: packed weights, scales, zeros.
    pub(crate) fn operands(&self, k: u64, n: u64) -> Vec<Operand> {
        let groups = self.groups(k);
        let mut v = vec![
            Operand::weight(Tensor::new(&[k, n], DType::Int(self.bits))),
            Operand {
                role: Role::QuantParams,
                tensor: Tensor::new(&[groups, n], self.scale),
            },
        ];
        if let Some(z) = self.zero {
            v.push(Operand {
                role: Role::QuantParams,
                tensor: Tensor::new(&[groups, n], z),
            });
        }
        v
    }

    /// Bytes of a `k×n` quantised weight matrix with its scales and zeros.
    pub fn bytes(&self, k: u64, n: u64) -> u64 {
        self.operands(k, n).iter().map(|o| o.tensor.bytes()).sum()
    }
}

/// Operations to dequantise one weight: subtract the zero point, multiply by the scale.
pub const DEQUANT_OPS: u64 = 2;

/// A linear layer whose weights are stored quantised and dequantised inside the kernel
/// (fused dequantisation): `Y[m×n] = X[m×k] · deq(W)[k×n] (+ bias)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct QuantGemm {
    /// Rows (tokens).
    pub m: u64,
    /// Reduction dimension (input features).
    pub k: u64,
    /// Output features.
    pub n: u64,
    /// Activation type (`Int(8)` for W8A8/W4A8: per-token scales are read too).
    pub act: DType,
    /// Weight storage format.
    pub w: QuantWeights,
    /// Output type.
    pub out: DType,
    /// Whether a bias is added.
    pub bias: bool,
}

impl QuantGemm {
    /// FLOPs: `2·m·k·n` MACs + `2·k·n` dequantisation (once per weight) + `m·n` bias +
    /// `2·m·n` to rescale integer accumulators by activation and weight scales when the
    /// activations are integers.
    pub fn flops(&self) -> u64 {
        let mut f = 2 * self.m * self.k * self.n + DEQUANT_OPS * self.k * self.n;
        if self.bias {
            f += self.m * self.n;
        }
        if self.act.is_int() {
            f += 2 * self.m * self.n;
        }
        f
    }

    /// The product `Y`.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.m, self.n], self.out)
    }

    pub(crate) fn io(&self) -> Io {
        let mut reads = vec![Operand::act(Tensor::new(&[self.m, self.k], self.act))];
        if self.act.is_int() {
            // Per-token activation scales.
            reads.push(Operand::act(Tensor::new(&[self.m], DType::F16)));
        }
        reads.extend(self.w.operands(self.k, self.n));
        if self.bias {
            reads.push(Operand::weight(Tensor::new(&[self.n], self.out)));
        }
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }
}

/// Separate dequantisation of a `k×n` quantised weight matrix into a dense matrix that a
/// following dense GEMM reads (the unfused alternative to [`QuantGemm`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Dequantize {
    /// Rows of the weight matrix (input features).
    pub k: u64,
    /// Columns (output features).
    pub n: u64,
    /// Stored format.
    pub w: QuantWeights,
    /// Dense output type.
    pub out: DType,
}

impl Dequantize {
    /// FLOPs: `2·k·n`.
    pub fn flops(&self) -> u64 {
        DEQUANT_OPS * self.k * self.n
    }

    /// The dense weights.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.k, self.n], self.out)
    }

    pub(crate) fn io(&self) -> Io {
        Io {
            reads: self.w.operands(self.k, self.n),
            writes: vec![Operand::act(self.output())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbq_w3_is_3_25_bits() {
        // MBQ: 3-bit weights, fp16 scale + fp16 zero per group of 128: 3 + 32/128.
        let w = QuantWeights {
            bits: 3,
            group: 128,
            scale: DType::F16,
            zero: Some(DType::F16),
        };
        assert!((w.bits_per_weight(4096) - 3.25).abs() < 1e-12);
        // 4096×4096: 4096²·3/8 bytes + 32·4096 groups · 4 bytes.
        assert_eq!(w.bytes(4096, 4096), 4096 * 4096 * 3 / 8 + 32 * 4096 * 4);
    }

    #[test]
    fn gemm_counts() {
        let g = Gemm::linear(8, 4096, 11008, DType::F16, false);
        assert_eq!(g.flops(), 2 * 8 * 4096 * 11008);
        let io = g.io();
        let bytes: u64 = io
            .reads
            .iter()
            .chain(&io.writes)
            .map(|o| o.tensor.bytes())
            .sum();
        assert_eq!(bytes, 2 * (8 * 4096 + 4096 * 11008 + 8 * 11008));
    }
}

/// A projection into or out of a low-rank channel space (CSKV, arXiv 2409.10593): the key
/// (or value) projection `W ≈ A·B` is split into a down-projection `A` (hidden → rank,
/// whose output is cached) and an up-projection `B` (rank → KV channels, applied to new
/// tokens and to reconstruct cached ones). The input may be the (quantised) compressed
/// cache itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LowRank {
    /// Rows (tokens × batch).
    pub m: u64,
    /// Input channels (per head when `heads > 1`).
    pub k: u64,
    /// Output channels (per head when `heads > 1`).
    pub n: u64,
    /// Independent per-head products with their own `k × n` weights (the absorbed
    /// up-projections of [`crate::Reconstruct::Absorbed`]: input `[m, heads·k]`, weights
    /// `[heads, k, n]`, output `[m, heads·n]`); 1 for one projection of all channels.
    pub heads: u64,
    /// Input type (an integer type for a quantised compressed cache).
    pub input: DType,
    /// Where the input comes from (`KvCache` when reconstructing cached tokens).
    pub input_role: Role,
    /// Channels per scale group of an integer input (fp16 scale and zero per group).
    pub input_group: u64,
    /// Weight and output type.
    pub dtype: DType,
    /// The weights are another operator's of the same layer (the up-projection applied to
    /// new tokens), read again but stored once.
    pub shared_weights: bool,
}

impl LowRank {
    /// FLOPs: `2·m·heads·k·n`, plus `2·m·heads·k` to dequantise an integer input.
    pub fn flops(&self) -> u64 {
        let h = self.heads.max(1);
        let deq = if self.input.is_int() {
            DEQUANT_OPS * self.m * h * self.k
        } else {
            0
        };
        2 * self.m * h * self.k * self.n + deq
    }

    /// The projection `[m, heads·n]`.
    pub fn output(&self) -> Tensor {
        Tensor::new(&[self.m, self.heads.max(1) * self.n], self.dtype)
    }

    pub(crate) fn io(&self) -> Io {
        let h = self.heads.max(1);
        let mut reads = vec![Operand {
            role: self.input_role,
            tensor: Tensor::new(&[self.m, h * self.k], self.input),
        }];
        if self.input.is_int() {
            let groups = self.k.div_ceil(self.input_group.max(1));
            let t = Tensor::new(&[self.m, groups], DType::F16);
            reads.push(Operand {
                role: self.input_role,
                tensor: t,
            });
            reads.push(Operand {
                role: self.input_role,
                tensor: t,
            });
        }
        let w = if h == 1 {
            Tensor::new(&[self.k, self.n], self.dtype)
        } else {
            Tensor::new(&[h, self.k, self.n], self.dtype)
        };
        reads.push(Operand::weight(w));
        Io {
            reads,
            writes: vec![Operand::act(self.output())],
        }
    }
}
