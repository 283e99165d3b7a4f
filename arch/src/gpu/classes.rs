//! Non-GEMM kernel classes on a GPU: element-wise, softmax, fused attention and the
//! selective scan, each as a [`BlockPlan`] (see [`super::engine`] for how plans are timed).
//!
//! # Element-wise
//! [`EW_THREADS`] threads × [`EW_ITEMS`] elements per block; DRAM = elements × bytes ×
//! (inputs + 1 output); memory-bound except for heavy per-element arithmetic.
//!
//! # Softmax
//! One row per [`SOFTMAX_THREADS`]-thread block. A row of up to [`SOFTMAX_REG_ROW`]
//! elements stays in registers: read once, written once (max, exp-sum and scale from
//! registers). Longer rows use the online softmax: one pass for the running max and sum,
//! one to normalise — two reads; the second comes from L2 when the rows in flight fit in
//! L2, else from DRAM. Per element: 4 lane operations (compare, subtract, add, scale) and
//! one exp on the SFU. DRAM runs at `efficiency.softmax_bandwidth` of the achievable
//! bandwidth.
//!
//! # Fused attention (FlashAttention-2 style)
//! Query rows of the heads that share a KV head are packed together (GQA/MQA; decode
//! kernels do the same) and tiled by `Br` = 128 (64 when `head_dim > 128`); keys stream
//! through shared memory in tiles of `Bc` = 128 (`d ≤ 64`) or 64. Tensor work
//! `4·d·rows_padded·keys` (rows padded to 16 — the MMA height — or to whole `Br` tiles),
//! with `keys` the unmasked keys (causal blocks skip masked tiles); per score one exp and
//! 4 lane operations (scale, max, subtract, sum). DRAM: Q and O once; K and V once when two
//! heads' K/V fit in L2 (the grid runs one head's query tiles side by side, so they share
//! its K/V stream), else once per wave of a head's query tiles. For few blocks (decode),
//! the KV sequence is split across [`KV_SPLITS`] blocks (flash-decoding): partial outputs
//! in FP32 plus their log-sum-exp are written, and a second kernel combines them. Smaller
//! tiles are tried where the default ones do not fit shared memory.
//!
//! # Selective scan (Mamba)
//! One (batch, channel) pair per 128-thread block, as in Mamba's `selective_scan_fwd`
//! kernel; the block walks the sequence, the state (`d_state` FP32 values) in registers.
//! Work per (step, state): 4 lane operations and one exp ([`SCAN_FLOPS_PER_STATE`]); the
//! recurrence is a dependent chain of `seq_len × scan_step_cycles` per block, which bounds
//! the time when there are too few blocks to hide it (small batch × `d_inner`). DRAM: u,
//! Δ and y (`b·L·d_inner` each), B and C (`b·L·d_state` each), A (`d_inner·d_state`
//! FP32); B and C are re-read by every channel from L2.
//!
//! [`SCAN_FLOPS_PER_STATE`]: super::kernels::SCAN_FLOPS_PER_STATE

use super::engine::{BlockPlan, PlanCost, evaluate, occupancy};
use super::kernels::{DType, Tiling, attention_pairs};
use super::spec::Gpu;

/// Threads per element-wise block.
pub const EW_THREADS: u32 = 256;
/// Elements per element-wise thread (vectorised 16-byte accesses of FP16).
pub const EW_ITEMS: u64 = 8;
/// Threads per softmax block.
pub const SOFTMAX_THREADS: u32 = 256;
/// Longest row kept in registers: 256 threads × 32 FP32 registers.
pub const SOFTMAX_REG_ROW: u64 = 8192;
/// KV splits tried for attention (1 = no split).
pub const KV_SPLITS: [u64; 5] = [1, 2, 4, 8, 16];

/// An element-wise grid over `elements` outputs: `alu`/`sfu` operations, `bytes_in` read
/// and `bytes_out` written per element.
pub(crate) fn elementwise_plan(
    elements: u64,
    alu: f64,
    sfu: f64,
    bytes_in: f64,
    bytes_out: f64,
) -> BlockPlan {
    let per_block = u64::from(EW_THREADS) * EW_ITEMS;
    let mut p = BlockPlan::new(elements.div_ceil(per_block), EW_THREADS, 32, 0);
    let e = per_block as f64;
    p.alu_ops = e * alu;
    p.sfu_ops = e * sfu;
    p.l2_bytes = e * (bytes_in + bytes_out);
    p.dram_bytes = elements as f64 * (bytes_in + bytes_out);
    p.tiling = Tiling {
        tile_m: per_block as u32,
        ..Tiling::default()
    };
    p
}

/// Softmax of `rows × len` in `dtype`.
pub(crate) fn softmax(gpu: &Gpu, rows: u64, len: u64, dtype: DType) -> Option<PlanCost> {
    let b = dtype.bytes();
    let row = len as f64 * b;
    let mut p = BlockPlan::new(rows, SOFTMAX_THREADS, 64, 0);
    let (l2_reads, dram_reads) = if len <= SOFTMAX_REG_ROW {
        (1.0, 1.0)
    } else {
        let occ = occupancy(gpu, SOFTMAX_THREADS, 64, 0);
        let in_flight = (u64::from(gpu.spec.sm_count) * u64::from(occ)).min(rows) as f64;
        let second = if in_flight * row <= gpu.spec.l2_bytes as f64 {
            1.0
        } else {
            2.0
        };
        (2.0, second)
    };
    p.alu_ops = 4.0 * len as f64;
    p.sfu_ops = len as f64;
    p.mem_fraction = gpu.eff.softmax_bandwidth;
    p.l2_bytes = row * (l2_reads + 1.0);
    p.dram_bytes = rows as f64 * row * (dram_reads + 1.0);
    p.tiling = Tiling {
        tile_m: 1,
        tile_n: len.min(u64::from(u32::MAX)) as u32,
        ..Tiling::default()
    };
    evaluate(gpu, &p)
}

/// Shape of an attention request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttnShape {
    pub batch: u64,
    pub heads: u64,
    pub kv_heads: u64,
    pub q_len: u64,
    pub kv_len: u64,
    pub head_dim: u64,
    pub causal: bool,
    pub dtype: DType,
}

/// Attention tiles tried, `(Br, Bc)`: FlashAttention-2's defaults (Br = 128, Bc = 128 for
/// `d ≤ 64`, else 64; Br = 64 for `d > 128`), then smaller ones for SMs with little shared
/// memory (AMD's 64 KB LDS).
fn attention_tiles(d: u64) -> [(u64, u64); 3] {
    let br = if d <= 128 { 128 } else { 64 };
    let bc = if d <= 64 { 128 } else { 64 };
    [(br, bc), (64, 64), (64, 32)]
}

/// Fused attention: `(main kernel, combine kernel when the KV sequence is split)`, the
/// tiling and split with the smallest time (launch overheads included).
pub(crate) fn attention(gpu: &Gpu, a: &AttnShape) -> Option<(PlanCost, Option<PlanCost>)> {
    let mut best: Option<(f64, PlanCost, Option<PlanCost>)> = None;
    for (br, bc) in attention_tiles(a.head_dim) {
        for split in KV_SPLITS {
            if let Some((total, main, combine)) = attention_plan(gpu, a, br, bc, split)
                && best.as_ref().is_none_or(|(t, _, _)| total < *t)
            {
                best = Some((total, main, combine));
            }
        }
    }
    best.map(|(_, m, c)| (m, c))
}

/// One attention tiling: `(busy seconds incl. the combine's launch, main, combine)`.
fn attention_plan(
    gpu: &Gpu,
    a: &AttnShape,
    br: u64,
    bc: u64,
    split: u64,
) -> Option<(f64, PlanCost, Option<PlanCost>)> {
    let d = a.head_dim;
    let b = a.dtype.bytes();
    let (threads, regs) = (128, 128);
    let smem = ((br * d + 2 * 2 * bc * d) as f64 * b).ceil() as u64;
    let occ = occupancy(gpu, threads, regs, smem);
    if occ == 0 {
        return None;
    }
    let slots = u64::from(gpu.spec.sm_count) * u64::from(occ);
    let group = a.heads / a.kv_heads;
    let rows = a.q_len * group;
    let q_tiles = rows.div_ceil(br);
    let rows_padded = if rows >= br {
        q_tiles * br
    } else {
        rows.div_ceil(16) * 16
    };
    let pairs = attention_pairs(a.q_len, a.kv_len, a.causal);
    let keys_per_row = pairs / a.q_len as f64;
    let units = (a.batch * a.kv_heads) as f64;
    let scores = (a.batch * a.heads) as f64 * pairs;
    let q_bytes = (a.batch * a.heads * a.q_len * d) as f64 * b;
    let kv_head = 2.0 * (a.kv_len * d) as f64 * b;
    let blocks = a.batch * a.kv_heads * q_tiles * split;
    let bf = blocks as f64;
    let mut p = BlockPlan::new(blocks, threads, regs, smem);
    p.tensor_ops = 4.0 * d as f64 * rows_padded as f64 * keys_per_row * units / bf;
    p.tensor_dtype = a.dtype;
    p.tensor_eff = gpu.eff.attention;
    p.sfu_ops = scores / bf;
    p.alu_ops = 4.0 * scores / bf;
    let o_pe = if split > 1 { 4.0 } else { b };
    p.l2_bytes = rows.min(br) as f64 * d as f64 * (b + o_pe)
        + keys_per_row / split as f64 * 2.0 * d as f64 * b;
    // The grid runs query tiles of one head next to each other, so blocks in flight share
    // their head's K/V stream through L2: K/V come from DRAM once per wave of that head's
    // tiles, or once in all when two heads' K/V fit in L2.
    let kv_reads = if 2.0 * kv_head <= gpu.spec.l2_bytes as f64 {
        1.0
    } else {
        q_tiles.div_ceil(slots) as f64
    };
    let partials = (a.batch * a.heads * a.q_len * (d + 1) * split) as f64 * 4.0;
    p.dram_bytes =
        q_bytes + units * kv_head * kv_reads + if split > 1 { partials } else { q_bytes };
    p.tiling = Tiling {
        tile_m: br as u32,
        tile_n: bc as u32,
        tile_k: d.min(u64::from(u32::MAX)) as u32,
        split: split as u32,
    };
    let main = evaluate(gpu, &p)?;
    let combine = if split > 1 {
        // Read the partials and their log-sum-exps, write O: one output element per lane.
        let c = elementwise_plan(
            a.batch * a.heads * a.q_len * d,
            3.0 * split as f64,
            split as f64 / d as f64,
            4.0 * split as f64 * (d + 1) as f64 / d as f64,
            b,
        );
        Some(evaluate(gpu, &c)?)
    } else {
        None
    };
    let launch = gpu.eff.launch_overhead_us * 1e-6;
    let total = main.busy_s + combine.map_or(0.0, |c| c.busy_s + launch);
    Some((total, main, combine))
}

/// Mamba selective scan.
pub(crate) fn selective_scan(
    gpu: &Gpu,
    (batch, seq_len, d_inner, d_state): (u64, u64, u64, u64),
    dtype: DType,
) -> Option<PlanCost> {
    let b = dtype.bytes();
    let (l, n) = (seq_len as f64, d_state as f64);
    let mut p = BlockPlan::new(batch * d_inner, 128, 64, 0);
    p.alu_ops = 4.0 * l * n;
    p.sfu_ops = l * n;
    p.l2_bytes = l * b * 3.0 + 2.0 * l * n * b;
    p.serial_cycles = l * gpu.eff.scan_step_cycles;
    p.dram_bytes = (batch * seq_len) as f64 * (3.0 * d_inner as f64 + 2.0 * n) * b
        + (d_inner * d_state) as f64 * 4.0;
    p.tiling = Tiling {
        tile_m: 1,
        tile_n: d_state.min(u64::from(u32::MAX)) as u32,
        ..Tiling::default()
    };
    evaluate(gpu, &p)
}
