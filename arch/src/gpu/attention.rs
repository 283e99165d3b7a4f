//! Fused attention (FlashAttention style) on a GPU: tiles, the causal grid's unequal
//! blocks, and flash-decoding splits.
//!
//! # Tiles and blocks
//! Query rows are tiled by `Br` = 128 (64 when `head_dim > 128`); keys stream through
//! shared memory in tiles of `Bc` = 128 (`d ≤ 64`) or 64 (FlashAttention-2's defaults).
//! One block computes one query tile of one head against its key tiles. When the query
//! sequence is shorter than a tile (decode), the query rows of the heads that share a KV
//! head are packed into one tile (GQA/MQA packing, as FlashAttention's `PackGQA` and
//! decode kernels do), padded to 16 rows (the MMA height).
//!
//! A block computes whole tiles: `4·d·Br·keys` tensor operations with `keys` its key
//! tiles × `Bc` (the causal diagonal tile is computed in full and masked), and per score
//! one exp and 4 lane operations (scale, max, subtract, sum).
//!
//! # The causal grid
//! With the causal mask, query tile `m` sees the keys up to its last row, so its work
//! grows with `m`: at 1024 tokens the blocks of one head range from 1 to 8 key tiles, and
//! the kernel's time is set by when the longest blocks start and end, not by the mean
//! block. Blocks are launched head by head, longest first within a head (FlashAttention's
//! causal "LPT" tile scheduler, `SingleTileLPTScheduler` in
//! `flash_attn/cute/tile_scheduler.py`), and list-scheduled onto the SMs by
//! [`super::engine::evaluate_uneven`].
//!
//! # Memory
//! DRAM: Q and O once; K and V once when two heads' K/V fit in L2 (the grid runs one head's
//! query tiles side by side, so they share its K/V stream), else once per wave of a KV
//! head's query tiles. K and V are read at the cache's format (`kv_dtype`, plus an FP16
//! scale and zero per `kv_group` channels of a quantised cache: [`super::kv_row_bytes`])
//! and dequantised in registers ([`super::dequant_ops`] lane operations per element, as the
//! fused dequantising GEMMs); shared memory is sized for tiles at the compute format.
//!
//! # Flash-decoding
//! When the unsplit grid leaves SMs idle (fewer blocks than resident-block slots: decode),
//! the KV sequence is split across [`KV_SPLITS`] blocks ([`WIDE_KV_SPLITS`] too for very
//! wide heads on grids of very few units): partial outputs in FP32 plus
//! their log-sum-exp are written, and a second kernel combines them.
//! The tile is the first of [`attention_tiles`] that fits the SM (the default, or smaller
//! ones where shared memory is small: AMD's 64 KB LDS); the split with the smallest time
//! (launch overheads included) is chosen. Heads wider than [`HEAD_SLICE`] channels are
//! staged in slices of it.

use super::classes::elementwise_plan;
use super::engine::{BlockPlan, PlanCost, evaluate, evaluate_uneven, occupancy};
use super::kernels::{AttentionShape, Tiling, kv_row_bytes};
use super::matmul::dequant_ops;
use super::spec::Gpu;

/// KV splits tried for attention (1 = no split).
pub const KV_SPLITS: [u64; 5] = [1, 2, 4, 8, 16];

/// Further KV splits tried for heads wider than [`HEAD_SLICE`] when even [`KV_SPLITS`]'
/// largest leaves more than half of the SMs without a block (an absorbed low-rank cache
/// attended as one shared head: FlashMLA chooses about as many splits as SMs per unit).
/// Not applied to ordinary heads, whose estimates stay as calibrated (a one-KV-head grid,
/// such as a 72B model's decode split over 8 GPUs, would gain about 1 %).
pub const WIDE_KV_SPLITS: [u64; 3] = [32, 64, 128];

/// Channels of a head staged in shared memory at a time: wider heads (an absorbed
/// low-rank cache attended as one head of hundreds of channels, like MLA's 576) are
/// loaded in slices of 256, as FlashMLA stages its heads; up to 256 the whole head.
pub const HEAD_SLICE: u64 = 256;

/// Attention tiles tried, `(Br, Bc)`: FlashAttention-2's defaults (Br = 128, Bc = 128 for
/// `d ≤ 64`, else 64; Br = 64 for `d > 128`), then smaller ones for SMs with little shared
/// memory (AMD's 64 KB LDS).
fn attention_tiles(d: u64) -> [(u64, u64); 3] {
    let br = if d <= 128 { 128 } else { 64 };
    let bc = if d <= 64 { 128 } else { 64 };
    [(br, bc), (64, 64), (64, 32)]
}

/// Fused attention: `(main kernel, combine kernel when the KV sequence is split)`, on the
/// first tile that fits, with the split of the smallest time (launch overheads included).
pub(crate) fn attention(gpu: &Gpu, a: &AttentionShape) -> Option<(PlanCost, Option<PlanCost>)> {
    for (br, bc) in attention_tiles(a.head_dim) {
        let mut best: Option<(f64, PlanCost, Option<PlanCost>)> = None;
        let mut fills = false;
        // Grids of very few units with heads wider than a slice (an absorbed low-rank
        // cache: one shared K/V head at batch 1) may split further.
        let units = if a.q_len < br {
            a.batch * a.kv_heads
        } else {
            a.batch * a.heads
        };
        let last = KV_SPLITS[KV_SPLITS.len() - 1];
        let wide = a.head_dim > HEAD_SLICE && 2 * units * last <= u64::from(gpu.spec.sm_count);
        let splits = KV_SPLITS
            .into_iter()
            .chain(WIDE_KV_SPLITS.into_iter().filter(|_| wide));
        for split in splits {
            // Split only a grid that leaves resident-block slots idle.
            if fills {
                break;
            }
            let Some((total, main, combine)) = attention_plan(gpu, a, br, bc, split) else {
                continue;
            };
            if split == 1 {
                let slots = u64::from(gpu.spec.sm_count) * u64::from(main.occupancy);
                fills = main.blocks >= slots;
            }
            if best.as_ref().is_none_or(|(t, _, _)| total < *t) {
                best = Some((total, main, combine));
            }
        }
        if let Some((_, m, c)) = best {
            return Some((m, c));
        }
    }
    None
}

/// The query tiles of one unit (a head, or a KV head's packed group): for each tile, its
/// rows as computed (whole tiles, or rows padded to 16 when packed) and the keys one of
/// its `split` blocks computes (whole key tiles), longest first.
fn query_tiles(a: &AttentionShape, br: u64, bc: u64, split: u64) -> (Vec<(f64, f64)>, bool) {
    let group = a.heads / a.kv_heads;
    let pack = a.q_len < br;
    let keys_of = |visible: u64| -> f64 {
        let per_split = visible.div_ceil(split);
        (per_split.div_ceil(bc) * bc) as f64
    };
    let mut tiles: Vec<(f64, f64)> = if pack {
        let rows = a.q_len * group;
        let tiles = rows.div_ceil(br);
        let rows_padded = if rows >= br {
            br
        } else {
            rows.div_ceil(16) * 16
        };
        // A packed tile holds every query position, so it sees all kv_len keys.
        (0..tiles)
            .map(|_| (rows_padded as f64, keys_of(a.kv_len)))
            .collect()
    } else {
        (0..a.q_len.div_ceil(br))
            .map(|m| {
                let last_row = ((m + 1) * br).min(a.q_len);
                let visible = if a.causal {
                    (a.kv_len - a.q_len + last_row).min(a.kv_len)
                } else {
                    a.kv_len
                };
                (br as f64, keys_of(visible))
            })
            .collect()
    };
    tiles.sort_by(|x, y| (y.0 * y.1).total_cmp(&(x.0 * x.1)));
    (tiles, pack)
}

/// One attention tiling: `(busy seconds incl. the combine's launch, main, combine)`.
fn attention_plan(
    gpu: &Gpu,
    a: &AttentionShape,
    br: u64,
    bc: u64,
    split: u64,
) -> Option<(f64, PlanCost, Option<PlanCost>)> {
    let d = a.head_dim;
    let b = a.dtype.bytes();
    let (threads, regs) = (128, 128);
    // Heads wider than a slice are staged through shared memory a slice at a time.
    let ds = d.min(HEAD_SLICE);
    let smem = ((br * ds + 2 * 2 * bc * ds) as f64 * b).ceil() as u64;
    let occ = occupancy(gpu, threads, regs, smem);
    if occ == 0 {
        return None;
    }
    let slots = u64::from(gpu.spec.sm_count) * u64::from(occ);
    let group = a.heads / a.kv_heads;
    let (tiles, pack) = query_tiles(a, br, bc, split);
    let units = if pack {
        a.batch * a.kv_heads
    } else {
        a.batch * a.heads
    };
    // Tiles of one KV head (they share its K/V stream through L2).
    let tiles_per_kv = if pack {
        tiles.len() as u64
    } else {
        tiles.len() as u64 * group
    };
    let per_unit = tiles.len() as u64 * split;
    let blocks = units * per_unit;
    let bf = blocks as f64;
    // Scores computed per unit (all splits of all tiles).
    let unit_scores: f64 = tiles.iter().map(|(r, k)| r * k).sum::<f64>() * split as f64;
    let mean_scores = unit_scores * units as f64 / bf;
    let mean_keys = tiles.iter().map(|(_, k)| k).sum::<f64>() / tiles.len() as f64;
    let mut p = BlockPlan::new(blocks, threads, regs, smem);
    p.tensor_ops = 4.0 * d as f64 * mean_scores;
    p.tensor_dtype = a.dtype;
    p.tensor_eff = gpu.eff.attention;
    p.sfu_ops = mean_scores;
    p.alu_ops = 4.0 * mean_scores;
    // K and V bytes per token and KV head at the cache's format.
    let kv_row = kv_row_bytes(d, a.kv_dtype, a.kv_group);
    if a.kv_dtype.bits() < a.dtype.bits() {
        // Each block dequantises the K and V tiles it loads.
        p.alu_ops += mean_keys * 2.0 * d as f64 * dequant_ops(a.kv_dtype.bits());
    }
    let q_bytes = (a.batch * a.heads * a.q_len * d) as f64 * b;
    let kv_head = 2.0 * a.kv_len as f64 * kv_row;
    let o_pe = if split > 1 { 4.0 } else { b };
    let rows_in_tile = if pack {
        (a.q_len * group).min(br)
    } else {
        a.q_len.min(br)
    };
    p.l2_bytes = rows_in_tile as f64 * d as f64 * (b + o_pe) + mean_keys * 2.0 * kv_row;
    let kv_reads = if 2.0 * kv_head <= gpu.spec.l2_bytes as f64 {
        1.0
    } else {
        tiles_per_kv.div_ceil(slots) as f64
    };
    let partials = (a.batch * a.heads * a.q_len * (d + 1) * split) as f64 * 4.0;
    p.dram_write_bytes = if split > 1 { partials } else { q_bytes };
    p.dram_bytes =
        q_bytes + (a.batch * a.kv_heads) as f64 * kv_head * kv_reads + p.dram_write_bytes;
    p.tiling = Tiling {
        tile_m: br as u32,
        tile_n: bc as u32,
        tile_k: d.min(u64::from(u32::MAX)) as u32,
        split: split as u32,
    };
    let pattern: Vec<f64> = tiles
        .iter()
        .flat_map(|(r, k)| std::iter::repeat_n(r * k, split as usize))
        .collect();
    // A causal grid of several query tiles is always timed as uneven (even when padding
    // makes its tiles equal), so that the estimate does not jump between the two forms.
    let main = if a.causal && !pack && tiles.len() > 1 {
        evaluate_uneven(gpu, &p, &pattern, units)?
    } else {
        evaluate(gpu, &p)?
    };
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::gpu::{AttentionShape, DType, KernelEstimate, KernelModel, KernelRequest, preset};

    /// `heads` heads of `q_len` queries over `kv_len` keys, d = 128, on the A100 (tiles of
    /// 128 rows × 64 keys, 96 KiB of shared memory: one block per SM, 108 slots; grids of
    /// at least 108 blocks are not split).
    fn attn(heads: u64, q_len: u64, kv_len: u64, causal: bool) -> KernelEstimate {
        preset("a100-sxm4-80gb")
            .unwrap()
            .estimate(&KernelRequest::Attention(AttentionShape {
                batch: 1,
                heads,
                kv_heads: heads,
                q_len,
                kv_len,
                head_dim: 128,
                causal,
                dtype: DType::Fp16,
                kv_dtype: DType::Fp16,
                kv_group: 0,
            }))
            .unwrap()
    }

    #[test]
    fn a_causal_grid_ends_with_its_longest_block() {
        // 27 heads of 512 causal tokens: query tile m computes 2(m + 1) key tiles; 108
        // blocks on 108 SMs, one each, so the kernel's compute is the longest block's:
        // 128 rows × 512 keys — the block of a 128-query, 512-key unmasked grid. (The mean
        // block, 128 × 320 keys, would give 5/8 of it.)
        let causal = attn(27, 512, 512, true);
        let full = attn(108, 128, 512, false);
        assert_eq!((causal.blocks, full.blocks), (108, 108));
        assert_eq!(causal.compute_time, full.compute_time);
    }

    #[test]
    fn more_blocks_than_sms_are_list_scheduled_longest_first() {
        // 108 heads of 256 causal tokens: per head a block of 4 key tiles (query tile 1),
        // launched first, and one of 2 (units: a 128 × 64 tile). Greedy, by hand: heads
        // 0–53 fill the 108 SMs with loads 4, 2, 4, 2, …; heads 54–80 go to the 54 SMs at
        // 2 (→ 6 and 4); heads 81–107 to SMs at 4 (→ 8 and 6). The kernel ends at 8 units,
        // where the mean block (⌈216/108⌉ × 3 units) would say 6.
        let e = attn(108, 256, 256, true);
        let unit = attn(108, 128, 64, false).compute_time.as_secs_f64();
        let units = e.compute_time.as_secs_f64() / unit;
        assert!((units - 8.0).abs() < 1e-6, "{units}");
    }
}
