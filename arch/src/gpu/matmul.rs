//! Matrix products on a GPU: GEMM on tensor cores (CTA tiling chosen per shape), GEMV on
//! CUDA cores, and their weight-quantised forms.
//!
//! # GEMM
//! Each CTA computes a `tile_m × tile_n` block of C, stepping through K in slices of
//! [`TILE_K`] with a [`STAGES`]-deep shared-memory pipeline. The tile is chosen per shape
//! from [`CTA_TILES`] (the set CUTLASS/cuBLAS kernels use on Ampere/Hopper) as the one
//! with the smallest modelled time — what cuBLAS's heuristics approximate. When a tile
//! leaves SMs idle (`tiles < SMs`), split-K by [`SPLITS`] is also tried: each split writes
//! FP32 partials that are read back and summed.
//!
//! Per CTA: matrix-unit work `2·tile_m·tile_n·K_split` (K padded to [`TILE_K`]; edge tiles
//! cost a full tile — tile quantisation), L2 traffic `(tile_m·a + tile_n·b)·K_split +
//! tile_m·tile_n·c` bytes, shared memory `STAGES·(tile_m·a + tile_n·b)·TILE_K`, registers
//! `tile_m·tile_n/threads + 64` (accumulators plus addressing, ≤ 255).
//!
//! Each CTA's main loop is charged `STAGES` extra k-steps for pipeline fill and epilogue
//! (the main loop of a `K = 1024` tile is 32 steps, so this is a 9 % overhead there and
//! under 1 % at `K = 16384`).
//!
//! DRAM traffic: the output once; when A and B fit in L2 together, each operand once;
//! otherwise tiles run in square groups of `g = ⌊√SMs⌋` × `g` that share operand panels
//! through L2, so A is read `⌈tiles_n/g⌉` times and B `⌈tiles_m/g⌉` times.
//!
//! # GEMV
//! [`GEMV_ROWS`] weight rows per 128-thread block, one warp per row, weights streamed once;
//! each weight costs `m` FMAs on CUDA cores (FP32 accumulation) plus, when quantised, its
//! dequantisation. DRAM: weights + `m` input vectors + `m` outputs. A warp walks its row
//! in `⌈row bytes /` [`WARP_BYTES_PER_TRIP`]`⌉` dependent DRAM round trips of
//! `efficiency.mem_latency_cycles` each — the floor of short, wide matrices (few rows,
//! long rows: 192 × 5120 takes 9.3 µs on an H100, far above its 2 MB of traffic). No
//! split-K: like cuBLAS's and FastGEMV's kernels, a block owns whole rows (the H100 data
//! show no sign of a split on such shapes).
//!
//! # Library products
//! Dense GEMVs and GEMMs are the vendor library's kernels (cuBLAS, as PyTorch calls them)
//! and stream at `efficiency.blas_bandwidth` of the achievable DRAM bandwidth, in the GEMV
//! and the tiled form alike (the published times the default comes from are of whatever
//! kernel cuBLAS picked; one fraction for every `m` keeps the time monotone in `m`). The
//! library's GEMV streams a little below a purpose-written one
//! ([`super::DEFAULT_BLAS_BANDWIDTH`]); a compute-bound GEMM does not feel it. Fused
//! dequantising products (Triton, Marlin-style kernels) stream at the full fraction.
//!
//! # Quantised weights
//! Weight bytes are [`quant_weight_bytes`]. A fused dequantising GEMV (CUDA cores, FP32
//! arithmetic, as in the harness's Triton kernels and AWQ/GPTQ-style GEMV kernels) stores
//! a `b`-bit weight in [`weight_planes`]`(b)` bit planes — one field per set bit of `b`
//! (a 4-bit weight is one nibble; a 3-bit one a 2-bit plane and a 1-bit plane, so that 32
//! weights fill three 32-bit words exactly) — and per plane unpacks with
//! [`UNPACK_OPS_PER_PLANE`] lane operations (an AND-OR that puts the field under the FP32
//! bit pattern of 2²³, one LOP3, and a subtraction of 2²³, one FADD; the field's position
//! is folded into the activation) and multiplies it into the activation row's sum with one
//! FMA per activation row. Once per packed 32-bit word of a plane the kernel shifts the
//! word (1 operation) and, per activation row, applies the group's scale and zero point
//! to the word's partial sum (2 FMAs): a `p`-bit plane has `32/p` weights per word. Per
//! weight: `2·planes + bits/32` lane operations once and `planes + bits/16` per activation
//! row (W4: 2.125 + 1.25·m; W3: 4.09 + 2.19·m). The tensor-core path
//! (Marlin-style, half2 arithmetic) unpacks pairs of weights: [`DEQUANT_OPS_ALIGNED`]
//! lane operations per weight for widths dividing 32 (1, 2, 4, 8 bits: a LOP3/shift to
//! extract two weights at once, a magic-number conversion and an HFMA2 for scale and zero
//! point) and [`DEQUANT_OPS_UNALIGNED`] for the others (funnel shifts); the separate
//! dequantisation kernel uses the same counts. At low bits and high bandwidth-to-ALU
//! ratios this ALU work, not DRAM, bounds the kernel. Without fusion a separate kernel
//! first writes the weights back in the activation format (its DRAM traffic and launch are
//! added), then the dense kernel runs. Fused kernels issue their CUDA-core work at
//! `efficiency.dequant_alu` instead of `efficiency.alu`.
//!
//! A fused dequantising GEMV is compute-bound and cannot hide everything: its blocks wait
//! one DRAM round trip for their first weights before computing, and after the last FMA
//! the row sums are reduced across the blocks that split the reduction dimension (a
//! partial written and an arrival counter bumped, then the partials read back). These
//! plans add [`GEMV_FILL_TRIPS`] DRAM round trips (`efficiency.mem_latency_cycles`) to
//! the compute time (not to the memory time). Dense GEMVs are memory-bound: they stream
//! from their first request and reduce within a warp, and add none.

use super::elementwise_plan;
use super::engine::{BlockPlan, PlanCost, WARP_BYTES_PER_TRIP, cheaper, evaluate};
use super::kernels::{DType, GROUP_META_BITS, Tiling, quant_weight_bytes};
use super::spec::Gpu;

/// Reduction depth per main-loop step, elements.
pub const TILE_K: u64 = 32;
/// Shared-memory pipeline depth (CUTLASS's Ampere multistage default is 3–4).
pub const STAGES: u64 = 3;
/// CTA tiles tried for GEMMs: (tile_m, tile_n, threads). The last two are the skinny
/// tiles libraries use for few rows (an MMA is 16 rows high), so a small `m` is not padded
/// to 64.
pub const CTA_TILES: [(u64, u64, u32); 8] = [
    (128, 256, 256),
    (256, 128, 256),
    (128, 128, 256),
    (128, 64, 128),
    (64, 128, 128),
    (64, 64, 128),
    (32, 128, 128),
    (16, 128, 128),
];
/// Split-K factors tried when a GEMM tiling leaves SMs idle.
pub const SPLITS: [u64; 4] = [2, 4, 8, 16];
/// Weight rows per GEMV block (one warp each).
pub const GEMV_ROWS: u64 = 4;
/// Threads per GEMV block.
pub const GEMV_THREADS: u32 = 128;

/// Largest `m` for which a GEMM is also tried as a GEMV (cuBLAS switches to GEMV kernels
/// for very small `m`).
pub const GEMV_MAX_M: u64 = 4;
/// Lane operations to dequantise one weight of 1, 2, 4 or 8 bits.
pub const DEQUANT_OPS_ALIGNED: f64 = 1.5;
/// Lane operations to dequantise one weight of 3, 5, 6 or 7 bits.
pub const DEQUANT_OPS_UNALIGNED: f64 = 2.5;

/// Lane operations per bit plane and weight of a fused FP32 GEMV's unpacking (module docs).
pub const UNPACK_OPS_PER_PLANE: f64 = 2.0;
/// DRAM round trips a fused dequantising GEMV cannot overlap with its compute: the first
/// weights in, the split reduction of the row sums out (module docs).
pub const GEMV_FILL_TRIPS: f64 = 2.0;

/// Bit planes of a `bits`-bit weight packed without waste: one per set bit of `bits`
/// (4 → one 4-bit plane; 3 → a 2-bit and a 1-bit plane; 6 → 4 + 2).
pub fn weight_planes(bits: u32) -> u32 {
    bits.count_ones().max(1)
}

/// Lane operations (tensor-core path, pairs of weights) to dequantise one weight of
/// `bits` bits.
pub fn dequant_ops(bits: u32) -> f64 {
    if 32 % bits == 0 {
        DEQUANT_OPS_ALIGNED
    } else {
        DEQUANT_OPS_UNALIGNED
    }
}

/// How weights are stored: `bits` per weight plus `meta_bits` per group of `group`
/// weights along `k` (dense weights: no metadata).
#[derive(Clone, Copy, Debug)]
pub(crate) struct WeightFmt {
    pub bits: f64,
    pub group: u64,
    pub meta_bits: f64,
}

impl WeightFmt {
    /// Dense weights in `d`.
    pub fn dense(d: DType) -> Self {
        WeightFmt {
            bits: f64::from(d.bits()),
            group: 1,
            meta_bits: 0.0,
        }
    }
    /// Quantised weights with an FP16 scale and zero point per group
    /// ([`quant_weight_bytes`]).
    pub fn quant(bits: u32, group: u64) -> Self {
        WeightFmt {
            bits: f64::from(bits),
            group: group.max(1),
            meta_bits: GROUP_META_BITS,
        }
    }
    /// Bytes of `rows` rows of `k` weights: `rows·(k·bits + ⌈k/group⌉·meta_bits)/8`.
    pub fn bytes(&self, rows: u64, k: u64) -> f64 {
        rows as f64 * (k as f64 * self.bits + k.div_ceil(self.group) as f64 * self.meta_bits) / 8.0
    }
    /// Asymptotic bytes per weight (staging buffers): `(bits + meta_bits/group)/8`.
    pub fn bytes_per_weight(&self) -> f64 {
        (self.bits + self.meta_bits / self.group as f64) / 8.0
    }
}

/// A matrix product's operands as the tiling sees them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operands {
    pub m: u64,
    pub n: u64,
    pub k: u64,
    /// Format of the arithmetic (matrix units when the GPU has a rate for it, else CUDA
    /// cores — FP32 on NVIDIA).
    pub dtype: DType,
    /// Bytes per element of A (activations).
    pub a_bytes: f64,
    /// Storage of B (weights).
    pub w: WeightFmt,
    /// Bytes per element of C.
    pub c_bytes: f64,
    /// Dequantisation lane operations per weight (0 when B is dense).
    pub dequant_ops: f64,
    /// Fraction of the achievable DRAM bandwidth the kernel streams at (1, or
    /// `blas_bandwidth` for a dense library product).
    pub mem_fraction: f64,
}

impl Operands {
    /// Dense operands of one format (C in the same format; 16-bit output for 8/4-bit
    /// inputs, whose epilogue rescales to FP16).
    pub fn dense(m: u64, n: u64, k: u64, dtype: DType) -> Self {
        Operands {
            m,
            n,
            k,
            dtype,
            a_bytes: dtype.bytes(),
            w: WeightFmt::dense(dtype),
            c_bytes: dtype.bytes().max(2.0),
            dequant_ops: 0.0,
            mem_fraction: 1.0,
        }
    }
}

/// DRAM bytes of a tiled product with `tm × tn` CTA tiles (module docs): operands once if
/// both fit in L2, else A once per group of [`group_tiles`] tile columns and B once per
/// group of tile rows; plus C.
fn gemm_dram_bytes(gpu: &Gpu, o: &Operands, tm: u64, tn: u64) -> f64 {
    let a = o.m as f64 * o.k as f64 * o.a_bytes;
    let b = o.w.bytes(o.n, o.k);
    let c = o.m as f64 * o.n as f64 * o.c_bytes;
    if a + b <= gpu.spec.l2_bytes as f64 {
        return a + b + c;
    }
    let g = group_tiles(gpu);
    a * o.n.div_ceil(tn).div_ceil(g) as f64 + b * o.m.div_ceil(tm).div_ceil(g) as f64 + c
}

/// Side of the square group of CTA tiles that run at once and share operand panels through
/// L2: `⌊√SMs⌋` (10 on an A100's 108 SMs).
pub fn group_tiles(gpu: &Gpu) -> u64 {
    (f64::from(gpu.spec.sm_count).sqrt().floor() as u64).max(1)
}

/// The cheapest CTA tiling of a tensor-core (or FP32 CUDA-core) product.
pub(crate) fn gemm_cost(gpu: &Gpu, o: &Operands) -> Option<PlanCost> {
    let sms = u64::from(gpu.spec.sm_count);
    let b_pe = o.w.bytes_per_weight();
    let tensor = gpu.tensor_peak_ops(o.dtype).is_some();
    let mut best = None;
    for (tm, tn, threads) in CTA_TILES {
        let smem = (STAGES as f64 * (tm as f64 * o.a_bytes + tn as f64 * b_pe) * TILE_K as f64)
            .ceil() as u64;
        let regs = u32::try_from((tm * tn / u64::from(threads) + 64).min(255)).unwrap_or(255);
        let tiles = o.m.div_ceil(tm) * o.n.div_ceil(tn);
        let splits = std::iter::once(1).chain(SPLITS.into_iter().filter(|_| tiles < sms));
        for s in splits {
            let k_per = o.k.div_ceil(s).div_ceil(TILE_K) * TILE_K;
            let mut p = BlockPlan::new(tiles * s, threads, regs, smem);
            // Pipeline fill and epilogue cost about STAGES more k-steps of the main loop.
            let macs = (tm * tn * (k_per + STAGES * TILE_K)) as f64;
            if tensor {
                p.tensor_ops = 2.0 * macs;
                p.tensor_dtype = o.dtype;
                p.tensor_eff = gpu.eff.tensor;
            } else {
                p.alu_ops = macs;
            }
            p.alu_ops += tn as f64 * k_per as f64 * o.dequant_ops;
            if o.dequant_ops > 0.0 {
                p.alu_eff = Some(gpu.eff.dequant_alu);
            }
            let c_pe = if s > 1 { 4.0 } else { o.c_bytes };
            p.l2_bytes = tm as f64 * o.a_bytes * k_per as f64
                + o.w.bytes(tn, k_per)
                + (tm * tn) as f64 * c_pe;
            let partials = if s > 1 {
                2.0 * 4.0 * (o.m * o.n * s) as f64
            } else {
                0.0
            };
            p.dram_bytes = gemm_dram_bytes(gpu, o, tm, tn) + partials;
            p.dram_write_bytes = o.m as f64 * o.n as f64 * o.c_bytes + partials / 2.0;
            p.mem_fraction = o.mem_fraction;
            p.tiling = Tiling {
                tile_m: tm as u32,
                tile_n: tn as u32,
                tile_k: TILE_K as u32,
                split: s as u32,
            };
            best = cheaper(best, evaluate(gpu, &p));
        }
    }
    best
}

/// Per-weight CUDA-core work of a GEMV: `unpack` lane operations once and `per_row` per
/// activation row, and the DRAM round trips it cannot overlap (`fill_trips`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct GemvWork {
    pub unpack: f64,
    pub per_row: f64,
    pub fill_trips: f64,
}

impl GemvWork {
    /// Dense weights: one FMA per weight and row.
    pub const DENSE: GemvWork = GemvWork {
        unpack: 0.0,
        per_row: 1.0,
        fill_trips: 0.0,
    };
    /// Fused unpacking of `bits`-bit weights (module docs).
    pub fn fused(bits: u32) -> Self {
        let planes = f64::from(weight_planes(bits));
        let per_word = f64::from(bits) / 32.0;
        GemvWork {
            unpack: UNPACK_OPS_PER_PLANE * planes + per_word,
            per_row: planes + 2.0 * per_word,
            fill_trips: GEMV_FILL_TRIPS,
        }
    }
}

/// A CUDA-core GEMV: `m` vectors against `n × k` weights stored as `w`, `x_bytes` per
/// activation element, `work` lane operations per weight (module docs).
pub(crate) fn gemv_cost(
    gpu: &Gpu,
    (m, n, k): (u64, u64, u64),
    w: WeightFmt,
    x_bytes: f64,
    work: GemvWork,
) -> Option<PlanCost> {
    let out_b = x_bytes.max(2.0);
    let mut p = BlockPlan::new(n.div_ceil(GEMV_ROWS), GEMV_THREADS, 32, 0);
    let rows = GEMV_ROWS as f64;
    p.alu_ops = rows * k as f64 * (work.unpack + work.per_row * m as f64);
    if work.unpack > 0.0 {
        p.alu_eff = Some(gpu.eff.dequant_alu);
    } else {
        // A dense GEMV is the library's (cuBLAS) kernel (module docs).
        p.mem_fraction = gpu.eff.blas_bandwidth;
    }
    p.l2_bytes = w.bytes(GEMV_ROWS, k) + (m * k) as f64 * x_bytes + rows * m as f64 * out_b;
    // Each warp walks its row in round trips of WARP_BYTES_PER_TRIP.
    let trips = (w.bytes(1, k) / WARP_BYTES_PER_TRIP).ceil();
    p.serial_cycles = trips * gpu.eff.mem_latency_cycles;
    p.fill_cycles = work.fill_trips * gpu.eff.mem_latency_cycles;
    p.dram_bytes = w.bytes(n, k) + (m * k) as f64 * x_bytes + (m * n) as f64 * out_b;
    p.dram_write_bytes = (m * n) as f64 * out_b;
    p.tiling = Tiling {
        tile_m: m.min(u64::from(u32::MAX)) as u32,
        tile_n: GEMV_ROWS as u32,
        tile_k: 0,
        split: 1,
    };
    evaluate(gpu, &p)
}

/// A dense GEMM: the tensor-core tiling, or for `m ≤` [`GEMV_MAX_M`] a GEMV if cheaper.
pub(crate) fn dense_gemm(gpu: &Gpu, m: u64, n: u64, k: u64, dtype: DType) -> Option<PlanCost> {
    let mut o = Operands::dense(m, n, k, dtype);
    // The library's kernels (cuBLAS) stream at `blas_bandwidth`, whichever one it picks.
    o.mem_fraction = gpu.eff.blas_bandwidth;
    let tiled = gemm_cost(gpu, &o);
    if m <= GEMV_MAX_M {
        cheaper(
            tiled,
            gemv_cost(
                gpu,
                (m, n, k),
                WeightFmt::dense(dtype),
                dtype.bytes(),
                GemvWork::DENSE,
            ),
        )
    } else {
        tiled
    }
}

/// A quantised product: `(main kernel, separate dequantisation kernel if not fused)`.
/// `gemm` selects the tensor-core tiling (also trying a GEMV for small `m`); otherwise the
/// GEMV kernel alone.
#[allow(clippy::too_many_arguments)]
pub(crate) fn quant_product(
    gpu: &Gpu,
    (m, n, k): (u64, u64, u64),
    bits: u32,
    group: u64,
    act: DType,
    fused: bool,
    gemm: bool,
) -> Option<(PlanCost, Option<PlanCost>)> {
    let wq = WeightFmt::quant(bits, group);
    let dq = dequant_ops(bits);
    if fused {
        let gemv = gemv_cost(gpu, (m, n, k), wq, act.bytes(), GemvWork::fused(bits));
        let main = if gemm {
            let o = Operands {
                w: wq,
                dequant_ops: dq,
                ..Operands::dense(m, n, k, act)
            };
            let tiled = gemm_cost(gpu, &o);
            if m <= GEMV_MAX_M {
                cheaper(tiled, gemv)
            } else {
                tiled
            }
        } else {
            gemv
        };
        return main.map(|c| (c, None));
    }
    // Separate dequantisation: read packed weights, write them in the activation format.
    let weights = n * k;
    let mut dq_plan = elementwise_plan(weights, dq, 0.0, wq.bytes_per_weight(), act.bytes());
    dq_plan.dram_bytes = quant_weight_bytes(n, k, bits, group) + weights as f64 * act.bytes();
    dq_plan.dram_write_bytes = weights as f64 * act.bytes();
    let dq_cost = evaluate(gpu, &dq_plan)?;
    let main = if gemm {
        dense_gemm(gpu, m, n, k, act)
    } else {
        gemv_cost(
            gpu,
            (m, n, k),
            WeightFmt::dense(act),
            act.bytes(),
            GemvWork::DENSE,
        )
    }?;
    Some((main, Some(dq_cost)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_planes_and_unpack_work_by_hand() {
        // One plane per set bit: 4 = 0b100, 3 = 0b011 (a 2-bit and a 1-bit plane), 7 → 3.
        assert_eq!(
            [1, 2, 3, 4, 5, 6, 7, 8].map(weight_planes),
            [1, 1, 2, 1, 2, 2, 3, 1]
        );
        // W4: 2·1 + 4/32 = 2.125 once, 1 + 4/16 = 1.25 per row; W3: 2·2 + 3/32 = 4.09375
        // and 2 + 3/16 = 2.1875: at one row 6.28125 / 3.375 = 1.861× the W4 work.
        let (w4, w3) = (GemvWork::fused(4), GemvWork::fused(3));
        assert_eq!((w4.unpack, w4.per_row), (2.125, 1.25));
        assert_eq!((w3.unpack, w3.per_row), (4.09375, 2.1875));
        assert_eq!(w4.fill_trips, GEMV_FILL_TRIPS);
        assert_eq!(GemvWork::DENSE.fill_trips, 0.0);
    }
}
