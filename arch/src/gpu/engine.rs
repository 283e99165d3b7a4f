//! Thread-block grids on SMs: occupancy, waves, the time of one kernel, and its energy.
//!
//! A kernel class describes its launch as a [`BlockPlan`]: how many blocks, their
//! resources (threads, registers, shared memory) and the work of one full block (matrix-
//! unit operations, CUDA-core lane operations, special-function operations, bytes moved
//! through L2, a dependent-latency chain), plus the kernel's DRAM traffic. [`evaluate`]
//! turns it into time:
//!
//! - **occupancy** `occ = min(max_blocks_per_sm, ⌊max_warps/warps⌋,
//!   ⌊registers_per_sm/(regs·warps·warp_size)⌋, ⌊smem_per_sm/smem⌋)`; 0 means the block
//!   does not fit and the plan is rejected;
//! - **waves** `W = ⌈B / (SMs·occ)⌉` (the last one partial);
//! - **compute** — blocks are dealt round-robin, so the busiest SM runs `⌈B/SMs⌉` blocks
//!   (this is the wave quantisation: full waves put `occ` blocks on every SM, the partial
//!   wave `⌈R/SMs⌉`), each at the SM's rate: `T_c = ⌈B/SMs⌉ · max(t_tensor, t_alu,
//!   t_sfu)` with `t_tensor = ops / (tensor_ops_per_clk_per_sm(d) · f_tensor · eff)`,
//!   `t_alu = lane_ops / (fp32_flops_per_clk_per_sm/2 · f · alu)`, `t_sfu = sfu_ops /
//!   (sfu_ops_per_clk_per_sm · f · alu)` (different pipes overlap; `alu` is
//!   `dequant_alu` for fused dequantising products);
//! - **memory** — the larger of DRAM `T_d = bytes_dram / (mem_bytes_per_s ·
//!   mem_bandwidth · φ)` (`φ = softmax_bandwidth` for the softmax, `blas_bandwidth` for
//!   dense library products, else 1; the L2 is write-back, so when the kernel's whole
//!   DRAM traffic fits in L2 its stores stay there and reach DRAM after the kernel —
//!   idle time or later kernels pay them — and `T_d` counts the reads only; energy counts
//!   every byte; kernels whose waves start together and load before computing add
//!   `wave_fill_cycles` per wave: the DRAM pipe idles while a wave waits for its first
//!   bytes) and the busiest SM's share of L2 bandwidth `T_l2 = ⌈B/SMs⌉ ·
//!   l2_bytes_per_block / (l2_bytes_per_clk · f / SMs)` (few blocks cannot pull the whole
//!   DRAM bandwidth through their SMs);
//! - **latency** — a dependent chain of `c` cycles per block costs `T_s = W · c / f`
//!   (each wave waits for its blocks' chains);
//! - **fill** — a compute-bound kernel cannot overlap the latency before its blocks' first
//!   operands arrive and after their last result leaves (`fill_cycles`, a few DRAM round
//!   trips): it adds to the compute term, `T_c + fill / f`;
//! - **time** `= launch_overhead + max(T_c + fill, T_d, T_l2, T_s)` (each resource is
//!   assumed to overlap with the others, as in software-pipelined kernels; the max of
//!   per-resource totals equals the sum of per-wave maxima when every wave is bound by the
//!   same resource, the usual case, and is a lower bound otherwise).
//!
//! Pipes: tensor cores, CUDA-core lanes (`fp32_flops_per_clk_per_sm / 2` lane operations
//! per clock), special-function units and warp shuffles (one warp-wide shuffle per clock
//! per SM: `warp_size` lanes per clock, the "warp shuffle" row of the CUDA C Programming
//! Guide's throughput table for compute capability 5.0–9.0, at that rate: the `alu`
//! efficiency describes the CUDA-core and SFU issue) run in parallel; a block's compute
//! time is its busiest pipe.
//!
//! # Blocks of unequal work
//! [`evaluate_uneven`] takes each block's share of the work in launch order (a causal
//! attention grid, whose query tiles see more keys the later they are). The block
//! scheduler hands the next block to an SM as soon as one frees up: greedy list
//! scheduling (Graham, "Bounds for certain multiprocessing anomalies", 1966), simulated
//! with each block's time on a whole SM, `t_j`; the kernel's compute time is the last SM's
//! finish, between `Σ t / SMs` and `max_j (Σ_{i<j} t_i / SMs + t_j)`. (Above
//! [`LIST_SCHEDULE_MAX_BLOCKS`] blocks — 500 per SM on an H100 — the upper bound is used:
//! the tail is then a small part of the time, and the simulation, ~20 ns per block, would
//! not be.) List scheduling is not monotone in the jobs' times in general (Graham's
//! anomalies); for the grids it is used on — identical heads, each head's tiles longest
//! first — no decrease was found in 50 000 random growths of batch, heads and `kv_len`,
//! and the property tests check it.
//!
//! Every term is non-decreasing in blocks and in per-block work, which keeps estimates
//! monotone in problem size (a property test checks it).
//!
//! # Energy
//! `E = idle_w · t + E_compute + E_dram`, with `E_compute = Σ ops × pJ/op` over the
//! work issued (tile padding included) and `E_dram = bytes × mem_pj_per_byte`. Per-op
//! energies are the dynamic budget `tdp_w − idle_w − mem_bytes_per_s·mem_pj_per_byte`
//! divided by the unit's peak rate (see [`Gpu::tensor_pj_per_op`]): a unit at its peak
//! draws the board's whole dynamic budget. If the average power would exceed `tdp_w`, the
//! dynamic part is scaled down so that it equals `tdp_w` (the GPU would lower its clocks;
//! the time is kept because the efficiency parameters already describe sustained clocks)
//! and `power_capped` is set.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::kernels::{Bound, DType, EnergyBreakdown, KernelEstimate, Tiling, secs_to_time};
use super::spec::Gpu;

/// Bytes one warp has in flight per dependent DRAM round trip when it streams a row (the
/// GEMV): 32 lanes × 16-byte vector loads × 4 loads issued before the first is used. With
/// `efficiency.mem_latency_cycles` it sets the latency floor of kernels whose blocks walk
/// long rows with few warps.
pub const WARP_BYTES_PER_TRIP: f64 = 2048.0;

/// One kernel launch as a grid of identical blocks (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BlockPlan {
    /// Blocks in the grid (≥ 1).
    pub blocks: u64,
    /// Threads per block.
    pub threads: u32,
    /// Registers per thread.
    pub regs_per_thread: u32,
    /// Shared memory per block, bytes.
    pub smem_bytes: u64,
    /// Matrix-unit operations per block.
    pub tensor_ops: f64,
    /// Format of the matrix-unit work.
    pub tensor_dtype: DType,
    /// Efficiency of the matrix-unit work (tensor or attention).
    pub tensor_eff: f64,
    /// CUDA-core lane operations per block (an FMA or an integer op is one).
    pub alu_ops: f64,
    /// Special-function operations per block.
    pub sfu_ops: f64,
    /// Efficiency of the CUDA-core and SFU work when not `efficiency.alu` (`dequant_alu`
    /// for fused dequantising products).
    pub alu_eff: Option<f64>,
    /// Fraction of the achievable DRAM bandwidth this kernel reaches (1, or
    /// `softmax_bandwidth` for the softmax, `blas_bandwidth` for dense library products).
    pub mem_fraction: f64,
    /// Bytes a block moves through L2 (loads and stores).
    pub l2_bytes: f64,
    /// Dependent-latency chain per block, SM cycles.
    pub serial_cycles: f64,
    /// Latency the kernel cannot overlap with its compute (first operands in, last result
    /// out), SM cycles; added once to the compute term.
    pub fill_cycles: f64,
    /// Latency each wave waits for its first bytes before its transfers stream (blocks that
    /// start together and load before they compute), SM cycles; added per wave to the DRAM
    /// term.
    pub wave_fill_cycles: f64,
    /// Warp-shuffle lane operations per block (cross-lane exchanges of scans and
    /// reductions).
    pub shuffle_ops: f64,
    /// DRAM bytes of the whole kernel (reads and writes).
    pub dram_bytes: f64,
    /// The part of `dram_bytes` that is written (stores of results).
    pub dram_write_bytes: f64,
    /// The tiling, reported as is.
    pub tiling: Tiling,
}

impl BlockPlan {
    /// A plan with no work (fill in the fields that apply); CUDA-core work at
    /// `efficiency.alu`, DRAM at the achievable bandwidth.
    pub fn new(blocks: u64, threads: u32, regs_per_thread: u32, smem_bytes: u64) -> Self {
        BlockPlan {
            blocks: blocks.max(1),
            threads,
            regs_per_thread,
            smem_bytes,
            tensor_ops: 0.0,
            tensor_dtype: DType::Fp16,
            tensor_eff: 1.0,
            alu_ops: 0.0,
            sfu_ops: 0.0,
            alu_eff: None,
            mem_fraction: 1.0,
            l2_bytes: 0.0,
            serial_cycles: 0.0,
            fill_cycles: 0.0,
            wave_fill_cycles: 0.0,
            shuffle_ops: 0.0,
            dram_bytes: 0.0,
            dram_write_bytes: 0.0,
            tiling: Tiling::default(),
        }
    }
}

/// The timed plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlanCost {
    /// `max(T_c + fill, T_d, T_l2, T_s)`, seconds (launch excluded).
    pub busy_s: f64,
    /// `T_c`, seconds (fill excluded).
    pub compute_s: f64,
    /// `max(T_d, T_l2)`, seconds.
    pub memory_s: f64,
    /// `T_s`, seconds.
    pub serial_s: f64,
    /// Waves.
    pub waves: u64,
    /// Resident blocks per SM.
    pub occupancy: u32,
    /// Blocks.
    pub blocks: u64,
    /// Dynamic compute energy of all blocks, joules.
    pub compute_j: f64,
    /// DRAM bytes.
    pub dram_bytes: f64,
    /// Tiling.
    pub tiling: Tiling,
}

/// Resident blocks per SM for a block of `threads` threads, `regs` registers per thread
/// and `smem` bytes of shared memory; 0 if one block does not fit.
pub(crate) fn occupancy(gpu: &Gpu, threads: u32, regs: u32, smem: u64) -> u32 {
    let s = &gpu.spec;
    let warps = threads.div_ceil(gpu.warp_size).max(1);
    let by_warps = s.max_warps_per_sm / warps;
    let regs_block = u64::from(regs) * u64::from(warps) * u64::from(gpu.warp_size);
    let by_regs = u64::from(s.registers_per_sm)
        .checked_div(regs_block)
        .map_or(u32::MAX, |v| u32::try_from(v).unwrap_or(u32::MAX));
    let by_smem = s
        .smem_per_sm_bytes
        .checked_div(smem)
        .map_or(u32::MAX, |v| u32::try_from(v).unwrap_or(u32::MAX));
    s.max_blocks_per_sm.min(by_warps).min(by_regs).min(by_smem)
}

/// Times `plan` on `gpu`; `None` if a block does not fit on an SM or the matrix-unit work
/// is in a format the GPU has no rate for.
pub(crate) fn evaluate(gpu: &Gpu, plan: &BlockPlan) -> Option<PlanCost> {
    evaluate_spread(gpu, plan, None)
}

/// Times `plan` whose blocks do unequal work: the grid is `repeats` copies of `pattern`
/// in launch order, `pattern[j]` a block's work relative to the others (the plan's
/// per-block fields describe the mean block). See the module docs.
pub(crate) fn evaluate_uneven(
    gpu: &Gpu,
    plan: &BlockPlan,
    pattern: &[f64],
    repeats: u64,
) -> Option<PlanCost> {
    evaluate_spread(gpu, plan, Some((pattern, repeats)))
}

/// Most blocks [`list_schedule`] simulates; larger grids use the list-scheduling bound.
pub const LIST_SCHEDULE_MAX_BLOCKS: u64 = 1 << 16;

/// A machine's finish time in the scheduling heap (ordered by `f64::total_cmp`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Finish(f64);

impl Eq for Finish {}

impl PartialOrd for Finish {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Finish {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Makespan of `repeats` copies of the jobs `times`, taken in order by `machines`
/// identical machines, each job going to the machine that frees first (greedy list
/// scheduling; ties to any, which does not change the makespan). Above
/// [`LIST_SCHEDULE_MAX_BLOCKS`] jobs, the bound `max_j (Σ_{i<j} t_i / machines + t_j)`.
pub(crate) fn list_schedule(times: &[f64], repeats: u64, machines: u64) -> f64 {
    let jobs = times.len() as u64 * repeats;
    let m = machines.max(1);
    if jobs > LIST_SCHEDULE_MAX_BLOCKS {
        let (mut before, mut worst) = (0.0_f64, 0.0_f64);
        for &t in times {
            worst = worst.max(before / m as f64 + t);
            before += t;
        }
        let earlier = repeats.saturating_sub(1) as f64 * before / m as f64;
        return (earlier + worst).max(repeats as f64 * before / m as f64);
    }
    let mut free: BinaryHeap<Reverse<Finish>> = (0..m.min(jobs.max(1)))
        .map(|_| Reverse(Finish(0.0)))
        .collect();
    for _ in 0..repeats {
        for &t in times {
            // The machine that frees first takes the job (one sift of the heap's top).
            if let Some(mut first) = free.peek_mut() {
                first.0.0 += t;
            }
        }
    }
    free.into_iter()
        .map(|Reverse(Finish(at))| at)
        .fold(0.0, f64::max)
}

fn evaluate_spread(
    gpu: &Gpu,
    plan: &BlockPlan,
    weights: Option<(&[f64], u64)>,
) -> Option<PlanCost> {
    let occ = occupancy(gpu, plan.threads, plan.regs_per_thread, plan.smem_bytes);
    if occ == 0 {
        return None;
    }
    let sms = u64::from(gpu.spec.sm_count);
    let b = plan.blocks.max(1);
    let waves = b.div_ceil(sms * u64::from(occ));
    let per_sm_blocks = b.div_ceil(sms) as f64;
    let f = gpu.clock_hz;

    let (t_tensor, tensor_j) = if plan.tensor_ops > 0.0 {
        let rate = gpu.spec.tensor_ops_per_clk_per_sm.get(plan.tensor_dtype)?;
        let t = plan.tensor_ops / (rate * gpu.tensor_clock_hz * plan.tensor_eff);
        let pj = gpu.tensor_pj_per_op(plan.tensor_dtype)?;
        (t, plan.tensor_ops * b as f64 * pj * 1e-12)
    } else {
        (0.0, 0.0)
    };
    let alu_eff = plan.alu_eff.unwrap_or(gpu.eff.alu);
    let alu_rate = gpu.spec.fp32_flops_per_clk_per_sm / 2.0 * f * alu_eff;
    let sfu_rate = gpu.spec.sfu_ops_per_clk_per_sm * f * alu_eff;
    let shuffle_rate = f64::from(gpu.warp_size) * f;
    let t_alu = plan.alu_ops / alu_rate;
    let t_sfu = plan.sfu_ops / sfu_rate;
    let t_shuffle = plan.shuffle_ops / shuffle_rate;
    let t_block = t_tensor.max(t_alu).max(t_sfu).max(t_shuffle);
    let compute_s = match weights {
        Some((w, repeats)) if !w.is_empty() => {
            let mean = w.iter().sum::<f64>() / w.len() as f64;
            let scale = if mean > 0.0 { t_block / mean } else { 0.0 };
            let times: Vec<f64> = w.iter().map(|x| x * scale).collect();
            list_schedule(&times, repeats, sms)
        }
        _ => per_sm_blocks * t_block,
    };
    let fill_s = if compute_s > 0.0 {
        plan.fill_cycles / f
    } else {
        0.0
    };

    let sm_bw = gpu.spec.l2_bytes_per_clk * f / sms as f64;
    let l2_s = per_sm_blocks * plan.l2_bytes / sm_bw;
    // A write-back L2 keeps the stores of a kernel whose traffic fits in it: they reach
    // DRAM after the kernel (module docs).
    let timed_bytes = if plan.dram_bytes <= gpu.spec.l2_bytes as f64 {
        plan.dram_bytes - plan.dram_write_bytes.min(plan.dram_bytes)
    } else {
        plan.dram_bytes
    };
    let dram_s = timed_bytes / (gpu.achievable_mem_bytes_per_s() * plan.mem_fraction)
        + waves as f64 * plan.wave_fill_cycles / f;
    let memory_s = l2_s.max(dram_s);
    let serial_s = waves as f64 * plan.serial_cycles / f;

    let lane_ops = plan.alu_ops + plan.sfu_ops + plan.shuffle_ops;
    let alu_j = lane_ops * b as f64 * gpu.alu_pj_per_op() * 1e-12;
    Some(PlanCost {
        busy_s: (compute_s + fill_s).max(memory_s).max(serial_s),
        compute_s,
        memory_s,
        serial_s,
        waves,
        occupancy: occ,
        blocks: b,
        compute_j: tensor_j + alu_j,
        dram_bytes: plan.dram_bytes,
        tiling: plan.tiling,
    })
}

/// The cheaper of two costs (by busy time; ties keep `a`).
pub(crate) fn cheaper(a: Option<PlanCost>, b: Option<PlanCost>) -> Option<PlanCost> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.busy_s < x.busy_s { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A request's kernels in sequence: `main` reports its blocks, waves and tiling; the
/// others (`extra`) add their time, traffic and energy. Builds the [`KernelEstimate`]
/// with launch overheads, bound, and the energy model of the module docs.
pub(crate) fn finish(gpu: &Gpu, flops: f64, main: &PlanCost, extra: &[PlanCost]) -> KernelEstimate {
    let kernels = 1 + extra.len() as u32;
    let launch_s = f64::from(kernels) * gpu.eff.launch_overhead_us * 1e-6;
    let all = std::iter::once(main).chain(extra.iter());
    let (mut busy, mut comp, mut mem, mut serial, mut cj, mut bytes) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for c in all {
        busy += c.busy_s;
        comp += c.compute_s;
        mem += c.memory_s;
        serial += c.serial_s;
        cj += c.compute_j;
        bytes += c.dram_bytes;
    }
    let time_s = launch_s + busy;
    let bound = if (serial >= comp && serial >= mem) || launch_s >= comp.max(mem) {
        Bound::Latency
    } else if comp >= mem {
        Bound::Compute
    } else {
        Bound::Memory
    };
    let time = secs_to_time(time_s);
    let t = time.as_secs_f64();
    let idle_j = gpu.spec.idle_w * t;
    let mut compute_j = cj;
    let mut memory_j = bytes * gpu.spec.mem_pj_per_byte * 1e-12;
    let cap = (gpu.spec.tdp_w - gpu.spec.idle_w) * t;
    let dynamic = compute_j + memory_j;
    let power_capped = dynamic > cap;
    if power_capped && dynamic > 0.0 {
        let scale = cap / dynamic;
        compute_j *= scale;
        memory_j *= scale;
    }
    let energy = EnergyBreakdown {
        idle_j,
        compute_j,
        memory_j,
    };
    KernelEstimate {
        time,
        compute_time: secs_to_time(comp),
        memory_time: secs_to_time(mem),
        launch_time: secs_to_time(launch_s),
        waves: main.waves,
        blocks: main.blocks,
        occupancy: main.occupancy,
        bound,
        flops,
        bytes_hbm: bytes,
        energy_j: energy.total_j(),
        energy,
        power_capped,
        kernels,
        tiling: main.tiling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_list_schedule_by_hand() {
        // Two machines, jobs 3, 1, 1, 1 in order: A takes 3; B takes 1, 1, 1 (free at 1,
        // then 2, each before A) → both end at 3.
        assert_eq!(list_schedule(&[3.0, 1.0, 1.0, 1.0], 1, 2), 3.0);
        // Jobs 1, 1, 3 on two machines: A 1, B 1, then A 1 + 3 = 4.
        assert_eq!(list_schedule(&[1.0, 1.0, 3.0], 1, 2), 4.0);
        // Repeats: (2, 1) twice on two machines: A 2, B 1, B 1 + 2 = 3, A 2 + 1 = 3.
        assert_eq!(list_schedule(&[2.0, 1.0], 2, 2), 3.0);
        // Above LIST_SCHEDULE_MAX_BLOCKS jobs, the bound: 2^16 + 1 unit jobs on 4
        // machines → 2^16 / 4 + 1 (the last job starts after the others are spread).
        let n = LIST_SCHEDULE_MAX_BLOCKS + 1;
        assert_eq!(
            list_schedule(&[1.0], n, 4),
            LIST_SCHEDULE_MAX_BLOCKS as f64 / 4.0 + 1.0
        );
    }
}
