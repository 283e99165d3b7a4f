//! Mamba's selective scan on a GPU: three algorithms, each a [`BlockPlan`].
//!
//! `h_t = exp(Δ_t·A)·h_{t−1} + Δ_t·B_t·u_t`, `y_t = C_t·h_t` per (batch, channel), the state
//! `d_state` FP32 values per channel; u, Δ, B, C and y in the request's format, A (and D)
//! FP32.
//!
//! # Sequential ([`selective_scan`])
//! One (batch, channel) pair per 128-thread block, as in Mamba's `selective_scan_fwd`
//! kernel; the block walks the sequence, the state in registers. Work per (step, state): 4
//! lane operations and one exp ([`SCAN_FLOPS_PER_STATE`]); the recurrence is a dependent
//! chain of `seq_len × scan_step_cycles` per block, which bounds the time when there are
//! too few blocks to hide it (small batch × `d_inner`). DRAM: u, Δ and y (`b·L·d_inner`
//! each), B and C (`b·L·d_state` each), A (`d_inner·d_state` FP32); B and C are re-read by
//! every channel from L2.
//!
//! # Stepwise loop ([`selective_scan_stepwise`])
//! The same recurrence written as a loop that computes one step per iteration from
//! memory, loading step `t + 1`'s u, Δ, B and C while it computes step `t` (the validation
//! harness's Triton `selective_scan_seq`): [`STEPWISE_CHANNELS`] channels of one sequence
//! per one-warp program, the state in registers. The next iteration's conversions wait
//! for those loads, so a step cannot be shorter than one DRAM round trip; the loop's own
//! dependent chain (conversions, MUFU.EX2, the FFMA, the state sum's shuffles: about 90
//! cycles) is shorter, so the default step (`stepwise_scan_step_cycles`) is the round trip
//! (`mem_latency_cycles`). The chain is `seq_len ×` that step per program.
//!
//! # Chunked associative ([`selective_scan_chunked`])
//! The recurrence is a linear one, `h ← a·h + b`, whose steps compose associatively
//! (`(a₁, b₁) ∘ (a₂, b₂) = (a₁a₂, a₂b₁ + b₂)`), so a chunk of `C` steps can be scanned in
//! parallel and only the chunk's carry is sequential (Blelloch, "Prefix sums and their
//! applications", 1990; the harness's `selective_scan_assoc` uses Triton's
//! `tl.associative_scan`). A 128-thread block owns [`CHUNK_CHANNELS`] channels of one
//! sequence and walks it chunk by chunk. Per chunk and (step, channel, state) element: the
//! element-wise work of the sequential scan (Δ·A, its exp, Δ·B·u, applying the carry, the
//! output term: 5 lane operations and an exp), and a warp-level (Kogge–Stone) scan of
//! `log₂ C` levels, each exchanging the pair `(a, b)` between lanes (2 shuffles) and
//! combining it (2 lane operations). A chunk's loads are issued when the chunk starts —
//! the carry orders the chunks — so each chunk pays one DRAM round trip
//! (`mem_latency_cycles`) and then the compute of every block resident on its SM (blocks
//! of equal work run in step). The block's chain is `⌈L/C⌉ × (round trip + resident ×
//! chunk compute)`. The chunk length is chosen from [`SCAN_CHUNKS`] as the fastest whose
//! four live FP32 tiles of `C × channels × d_state` (`d_state` padded to a power of two,
//! as Triton's tiles are) fit in the registers of 128 threads — or of up to 1024 threads
//! when 128 are too few.
//!
//! # Decode step ([`selective_scan_step`])
//! One token: the state is read from DRAM, updated and written back (Mamba's
//! `selective_state_update`). A 128-thread block updates `max(4, 512 / d_state)` channels
//! of one sequence (that kernel's `BLOCK_SIZE_M` per `d_state`, with `d_state` padded to
//! a power of two as Triton's tiles are) in one pass — load,
//! update, store — like an element-wise kernel: its one DRAM round trip is the latency
//! every kernel pays (in the launch overhead), not a chain. DRAM: the state twice (FP32),
//! A and D, u, Δ, y, B, C.
//!
//! [`SCAN_FLOPS_PER_STATE`]: super::kernels::SCAN_FLOPS_PER_STATE

use super::engine::{BlockPlan, PlanCost, cheaper, evaluate, occupancy};
use super::kernels::{DType, Tiling};
use super::spec::Gpu;

/// Channels per block of the chunked associative scan (the harness's tuned `BLOCK_D`).
pub const CHUNK_CHANNELS: u64 = 16;
/// Chunk lengths tried by the chunked associative scan, steps.
pub const SCAN_CHUNKS: [u64; 5] = [4, 8, 16, 32, 64];
/// Threads per scan block.
const SCAN_THREADS: u32 = 128;

/// DRAM bytes every algorithm moves for the sequence: u, Δ, y, B, C and A.
fn sequence_bytes((batch, seq_len, d_inner, d_state): (u64, u64, u64, u64), dtype: DType) -> f64 {
    (batch * seq_len) as f64 * (3.0 * d_inner as f64 + 2.0 * d_state as f64) * dtype.bytes()
        + (d_inner * d_state) as f64 * 4.0
}

/// Channels per program of the stepwise scan loop (the harness's `selective_scan_seq` in
/// its first configuration, `bd16_w1`: 16 channels, one warp).
pub const STEPWISE_CHANNELS: u64 = 16;
/// Threads per program of the stepwise scan loop (one warp).
const STEPWISE_THREADS: u32 = 32;

/// The sequential selective scan (module docs).
pub(crate) fn selective_scan(
    gpu: &Gpu,
    shape: (u64, u64, u64, u64),
    dtype: DType,
) -> Option<PlanCost> {
    let step_cycles = gpu.eff.scan_step_cycles;
    let (batch, seq_len, d_inner, d_state) = shape;
    let b = dtype.bytes();
    let (l, n) = (seq_len as f64, d_state as f64);
    let mut p = BlockPlan::new(batch * d_inner, SCAN_THREADS, 64, 0);
    p.alu_ops = 4.0 * l * n;
    p.sfu_ops = l * n;
    p.l2_bytes = l * b * 3.0 + 2.0 * l * n * b;
    p.serial_cycles = l * step_cycles;
    p.dram_bytes = sequence_bytes(shape, dtype);
    p.dram_write_bytes = (batch * seq_len * d_inner) as f64 * b;
    p.tiling = Tiling {
        tile_m: 1,
        tile_n: d_state.min(u64::from(u32::MAX)) as u32,
        ..Tiling::default()
    };
    evaluate(gpu, &p)
}

/// The stepwise scan loop (module docs): [`STEPWISE_CHANNELS`] channels of one sequence
/// per one-warp program, each step a chain of `stepwise_scan_step_cycles`.
pub(crate) fn selective_scan_stepwise(
    gpu: &Gpu,
    shape: (u64, u64, u64, u64),
    dtype: DType,
) -> Option<PlanCost> {
    let (batch, seq_len, d_inner, d_state) = shape;
    let b = dtype.bytes();
    let (l, n) = (seq_len as f64, d_state as f64);
    let channels = STEPWISE_CHANNELS.min(d_inner) as f64;
    let mut p = BlockPlan::new(
        batch * d_inner.div_ceil(STEPWISE_CHANNELS),
        STEPWISE_THREADS,
        64,
        0,
    );
    p.alu_ops = 4.0 * l * n * channels;
    p.sfu_ops = l * n * channels;
    p.l2_bytes = l * b * 3.0 * channels + 2.0 * l * n * b;
    p.serial_cycles = l * gpu.eff.stepwise_scan_step_cycles;
    p.dram_bytes = sequence_bytes(shape, dtype);
    p.dram_write_bytes = (batch * seq_len * d_inner) as f64 * b;
    p.tiling = Tiling {
        tile_m: STEPWISE_CHANNELS.min(u64::from(u32::MAX)) as u32,
        tile_n: d_state.min(u64::from(u32::MAX)) as u32,
        ..Tiling::default()
    };
    evaluate(gpu, &p)
}

/// The chunked associative scan (module docs): the fastest chunk length that fits.
pub(crate) fn selective_scan_chunked(
    gpu: &Gpu,
    shape: (u64, u64, u64, u64),
    dtype: DType,
) -> Option<PlanCost> {
    SCAN_CHUNKS
        .into_iter()
        .filter_map(|c| chunked_plan(gpu, shape, dtype, c))
        .fold(None, |best, c| cheaper(best, Some(c)))
}

fn chunked_plan(
    gpu: &Gpu,
    shape: (u64, u64, u64, u64),
    dtype: DType,
    chunk: u64,
) -> Option<PlanCost> {
    let (batch, seq_len, d_inner, d_state) = shape;
    let b = dtype.bytes();
    let channels = CHUNK_CHANNELS.min(d_inner);
    // Tiles have power-of-two sides (Triton's `tl.arange`): d_state is padded.
    let elements = (chunk * channels * d_state.next_power_of_two()) as f64;
    // Four live FP32 tiles of the chunk (Δ·A's exp, Δ·B·u and the two scanned values),
    // spread over 128 threads, or more (up to 1024) when 255 registers are too few.
    let regs_at = |threads: u32| 32.0 + 4.0 * elements / f64::from(threads);
    let threads = [128_u32, 256, 512, 1024]
        .into_iter()
        .find(|&t| regs_at(t) <= 255.0)?;
    let regs = regs_at(threads).ceil() as u32;
    let blocks = batch * d_inner.div_ceil(channels);
    let occ = occupancy(gpu, threads, regs, 0);
    if occ == 0 {
        return None;
    }
    let levels = (chunk as f64).log2();
    let chunks = seq_len.div_ceil(chunk) as f64;
    let (alu, sfu, shuffles) = (
        elements * (5.0 + 2.0 * levels),
        elements,
        elements * 2.0 * levels,
    );
    // One chunk's compute on an SM, cycles: the busiest of the lanes, the SFUs and the
    // shuffle path (one warp-wide shuffle per clock per SM), for every resident block.
    let e = gpu.eff.alu;
    let per_block = (alu / (gpu.spec.fp32_flops_per_clk_per_sm / 2.0 * e))
        .max(sfu / (gpu.spec.sfu_ops_per_clk_per_sm * e))
        .max(shuffles / f64::from(gpu.warp_size));
    let resident = blocks
        .div_ceil(u64::from(gpu.spec.sm_count))
        .min(u64::from(occ)) as f64;
    let mut p = BlockPlan::new(blocks, threads, regs, 0);
    p.alu_ops = chunks * alu;
    p.sfu_ops = chunks * sfu;
    p.shuffle_ops = chunks * shuffles;
    p.l2_bytes = (seq_len * channels) as f64 * 3.0 * b + 2.0 * (seq_len * d_state) as f64 * b;
    p.serial_cycles = chunks * (gpu.eff.mem_latency_cycles + resident * per_block);
    p.dram_bytes = sequence_bytes(shape, dtype);
    p.dram_write_bytes = (batch * seq_len * d_inner) as f64 * b;
    p.tiling = Tiling {
        tile_m: channels.min(u64::from(u32::MAX)) as u32,
        tile_n: d_state.min(u64::from(u32::MAX)) as u32,
        tile_k: chunk as u32,
        split: 1,
    };
    evaluate(gpu, &p)
}

/// One decode step of the selective scan (module docs).
pub(crate) fn selective_scan_step(
    gpu: &Gpu,
    (batch, d_inner, d_state): (u64, u64, u64),
    dtype: DType,
) -> Option<PlanCost> {
    let b = dtype.bytes();
    // Tiles have power-of-two sides (Triton's `tl.arange`): d_state is padded.
    let padded = d_state.next_power_of_two();
    let channels = (512 / padded).max(4).min(d_inner);
    let states = (channels * padded) as f64;
    let mut p = BlockPlan::new(batch * d_inner.div_ceil(channels), SCAN_THREADS, 32, 0);
    p.alu_ops = 4.0 * states;
    p.sfu_ops = states;
    // Per state: h loaded and stored and A loaded (FP32), and an allowance of 4 bytes for
    // the channel's u, Δ, y and the step's B, C shared by its states.
    p.l2_bytes = 16.0 * states;
    let state = (batch * d_inner * d_state) as f64 * 4.0;
    p.dram_write_bytes = state + (batch * d_inner) as f64 * b;
    p.dram_bytes = 2.0 * state
        + (d_inner * d_state) as f64 * 4.0
        + d_inner as f64 * 4.0
        + batch as f64 * (3.0 * d_inner as f64 + 2.0 * d_state as f64) * b;
    p.tiling = Tiling {
        tile_m: channels.min(u64::from(u32::MAX)) as u32,
        tile_n: d_state.min(u64::from(u32::MAX)) as u32,
        ..Tiling::default()
    };
    evaluate(gpu, &p)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::gpu::{DType, KernelModel, KernelRequest, preset};

    #[test]
    fn chunked_scan_by_hand_on_the_h100() {
        // Mamba-2.8B, L = 2048, batch 1: 5120 / 16 = 320 blocks. Chunk 16: 16 × 16 × 16 =
        // 4096 elements, 32 + 4·4096/128 = 160 registers → 3 blocks per SM; 320 blocks on
        // 132 SMs → 3 resident, one wave. Per chunk and block: 4096 × 2 × log₂16 = 32768
        // shuffles at 32 per clock = 1024 cycles (lanes: 4096 × 13 / (128 × 0.75) = 555;
        // SFU: 4096 / (16 × 0.75) = 341). A chunk costs 1690 + 3 × 1024 = 4762 cycles,
        // 128 chunks = 609 536 cycles = 307.8 µs at 1.98 GHz. Chunk 8 (2842 × 256 cycles),
        // 4 (2074 × 512) and 32 (256 threads, one block per SM, three waves of 64 × 4250)
        // are slower; 64 does not fit.
        let h = preset("h100-sxm5-80gb").unwrap();
        let e = h
            .estimate(&KernelRequest::SelectiveScanChunked {
                batch: 1,
                seq_len: 2048,
                d_inner: 5120,
                d_state: 16,
                dtype: DType::Fp16,
            })
            .unwrap();
        assert_eq!(e.tiling.tile_k, 16);
        assert_eq!((e.blocks, e.occupancy, e.waves), (320, 3, 1));
        let lat = h.efficiency().mem_latency_cycles;
        let chain = 128.0 * (lat + 3.0 * 1024.0) / 1.98e9;
        let launch = h.efficiency().launch_overhead_us * 1e-6;
        let t = e.time.as_secs_f64();
        assert!(
            (t - launch - chain).abs() < 1e-11,
            "{t} vs {}",
            launch + chain
        );
    }

    #[test]
    fn decode_step_by_hand_on_the_h100() {
        // Batch 8, 5120 channels, d_state 16: the FP32 state is 8·5120·16·4 = 2 621 440 B,
        // read and written; A 327 680 B, D 20 480 B; u, Δ, y, B, C 8·(3·5120 + 2·16)·2 =
        // 246 272 B: 5 837 312 B, which fits the 50 MB L2, so the state and y stores
        // (2 621 440 + 81 920 B) stay there and the DRAM time counts the 3 133 952 B read.
        let h = preset("h100-sxm5-80gb").unwrap();
        let e = h
            .estimate(&KernelRequest::SelectiveScanStep {
                batch: 8,
                d_inner: 5120,
                d_state: 16,
                dtype: DType::Fp16,
            })
            .unwrap();
        assert_eq!(e.bytes_hbm, 5_837_312.0);
        // 32 channels per block: 8 × 160 = 1280 blocks.
        assert_eq!((e.blocks, e.tiling.tile_m), (1280, 32));
        let read = 3_133_952.0 / (3.35e12 * h.efficiency().mem_bandwidth);
        let launch = h.efficiency().launch_overhead_us * 1e-6;
        assert!((e.time.as_secs_f64() - launch - read).abs() < 1e-11);
    }
}
