//! Element-wise kernels and the row softmax on a GPU, each as a [`BlockPlan`] (see
//! [`super::engine`] for how plans are timed; fused attention is in [`super::attention`],
//! the selective scan in [`super::scan`]).
//!
//! # Element-wise
//! [`EW_THREADS`] threads × [`EW_ITEMS`] elements per block; DRAM = elements × bytes ×
//! (inputs + 1 output); memory-bound except for heavy per-element arithmetic.
//!
//! # Softmax
//! Modelled on PyTorch's CUDA softmax over the last dimension (`host_softmax` in
//! `aten/src/ATen/native/cuda/SoftMax.cu`), which picks one of four kernels by row length
//! `L` ([`SoftmaxKernel`]):
//! - **warp per row** (`softmax_warp_forward`, `PersistentSoftmax.cuh`) for
//!   `L ≤` [`SOFTMAX_WARP_MAX_LEN`] (and at most 4 KiB): a warp holds its row in registers
//!   (two rows per warp up to 128 elements), loads it at once, reduces with shuffles and
//!   writes it; 128-thread blocks. Newer PyTorch releases take rows up to 2048 here; the
//!   H100 measurements (PyTorch 2.11) time rows of 2048 like the block kernels below.
//! - **block per row**, `min(L, 1024)` threads rounded up to a warp, block-wide reductions
//!   in shared memory:
//!   - *registers* (`cunn_SoftMaxForwardReg`) while each thread holds fewer than 10
//!     elements (`L ≤ 9216`): scalar loads whose values feed the running maximum at once,
//!     so a thread has one load in flight — its row costs `⌈L/threads⌉` dependent DRAM
//!     round trips (`efficiency.mem_latency_cycles` each), which bounds the kernel when few
//!     1024-thread blocks fit an SM;
//!   - *shared memory* (`cunn_SoftMaxForwardSmem`) while the row fits the 48 KiB a block
//!     gets without opting in: 16-byte vector loads, the row staged in shared memory;
//!     a wave of blocks (at most two of 1024 threads per SM, started together) waits one
//!     DRAM round trip before its rows stream, so each wave adds one round trip to the
//!     DRAM time;
//!   - *global* (`cunn_SoftMaxForward`) otherwise: three passes over the row (max, sum of
//!     exps, normalise and write); the second and third read from L2 when the rows in
//!     flight fit in it, else from DRAM; a round trip per wave as above.
//!
//! Every kernel reads each element once from DRAM (more for the global kernel without L2
//! reuse) and writes it once, at `efficiency.softmax_bandwidth` of the achievable DRAM
//! bandwidth: a row is read, reduced, then written, with fewer loads in flight than a
//! streaming copy. Per element: 4 lane operations (compare, subtract, add, scale) and one
//! exp on the SFU.

use super::engine::{BlockPlan, PlanCost, evaluate, occupancy};
use super::kernels::{DType, Tiling};
use super::spec::Gpu;

/// Threads per element-wise block.
pub const EW_THREADS: u32 = 256;
/// Elements per element-wise thread (vectorised 16-byte accesses of FP16).
pub const EW_ITEMS: u64 = 8;
/// Longest row PyTorch's warp-per-row softmax takes, elements (and at most 4 KiB).
pub const SOFTMAX_WARP_MAX_LEN: u64 = 1024;
/// Most threads of PyTorch's block-per-row softmax kernels.
pub const SOFTMAX_BLOCK_THREADS: u64 = 1024;
/// Most elements per thread of the register kernel (`potential_reg_cnt < 10`).
pub const SOFTMAX_REG_PER_THREAD: u64 = 9;
/// Shared memory a block gets without opting in (CUDA's default `sharedMemPerBlock`),
/// bytes: the shared-memory kernel's row must fit.
pub const SOFTMAX_SMEM_BYTES: u64 = 48 * 1024;

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
    p.dram_write_bytes = elements as f64 * bytes_out;
    p.tiling = Tiling {
        tile_m: per_block as u32,
        ..Tiling::default()
    };
    p
}

/// PyTorch's softmax kernels (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftmaxKernel {
    /// One warp per row, the row in registers.
    Warp,
    /// One block per row, a few elements per thread in registers, scalar loads.
    Registers,
    /// One block per row, the row staged in shared memory.
    SharedMemory,
    /// One block per row, three passes over the row in global memory.
    Global,
}

/// The kernel PyTorch runs for rows of `len` elements of `bytes` each.
pub fn softmax_kernel(len: u64, bytes: f64) -> SoftmaxKernel {
    let threads = len.clamp(1, SOFTMAX_BLOCK_THREADS).div_ceil(32) * 32;
    if len <= SOFTMAX_WARP_MAX_LEN && len as f64 * bytes <= 4096.0 {
        SoftmaxKernel::Warp
    } else if len.div_ceil(threads) <= SOFTMAX_REG_PER_THREAD {
        SoftmaxKernel::Registers
    } else if len as f64 * bytes + (threads / 32 * 4) as f64 <= SOFTMAX_SMEM_BYTES as f64 {
        SoftmaxKernel::SharedMemory
    } else {
        SoftmaxKernel::Global
    }
}

/// Softmax of `rows × len` in `dtype` (module docs).
pub(crate) fn softmax(gpu: &Gpu, rows: u64, len: u64, dtype: DType) -> Option<PlanCost> {
    let b = dtype.bytes();
    let row = len as f64 * b;
    let kernel = softmax_kernel(len, b);
    let latency = gpu.eff.mem_latency_cycles;
    let mut p = match kernel {
        SoftmaxKernel::Warp => {
            // Two rows per warp up to 128 elements; each lane holds ⌈L'/32⌉ FP32 values
            // per row (L' = L rounded up to a power of two) besides ~24 registers.
            let padded = len.next_power_of_two();
            let per_warp = if padded <= 128 { 2 } else { 1 };
            let regs = 24 + per_warp * padded.div_ceil(32);
            let rows_per_block = 4 * per_warp;
            let mut p = BlockPlan::new(
                rows.div_ceil(rows_per_block),
                128,
                u32::try_from(regs.min(255)).unwrap_or(255),
                0,
            );
            p.alu_ops = 4.0 * (len * rows_per_block) as f64;
            p.sfu_ops = (len * rows_per_block) as f64;
            p.l2_bytes = 2.0 * row * rows_per_block as f64;
            p.dram_bytes = 2.0 * rows as f64 * row;
            p.dram_write_bytes = rows as f64 * row;
            p.tiling = Tiling {
                tile_m: rows_per_block as u32,
                tile_n: len.min(u64::from(u32::MAX)) as u32,
                ..Tiling::default()
            };
            p
        }
        _ => {
            let threads = len.min(SOFTMAX_BLOCK_THREADS).div_ceil(32) * 32;
            let warps = threads / 32;
            let smem = if kernel == SoftmaxKernel::SharedMemory {
                (row + (warps * 4) as f64).ceil() as u64
            } else {
                warps * 4
            };
            let mut p = BlockPlan::new(rows, threads as u32, 32, smem);
            let (l2_reads, dram_reads) = match kernel {
                SoftmaxKernel::Registers | SoftmaxKernel::SharedMemory => (1.0, 1.0),
                _ => {
                    let occ = occupancy(gpu, threads as u32, 32, smem);
                    let in_flight =
                        (u64::from(gpu.spec.sm_count) * u64::from(occ)).min(rows) as f64;
                    let dram = if in_flight * row <= gpu.spec.l2_bytes as f64 {
                        1.0
                    } else {
                        3.0
                    };
                    (3.0, dram)
                }
            };
            p.alu_ops = 4.0 * len as f64;
            p.sfu_ops = len as f64;
            p.l2_bytes = row * (l2_reads + 1.0);
            p.dram_bytes = rows as f64 * row * (dram_reads + 1.0);
            p.dram_write_bytes = rows as f64 * row;
            if kernel == SoftmaxKernel::Registers {
                // Each thread's reads, one round trip after another: the chain bounds it.
                p.serial_cycles = len.div_ceil(threads) as f64 * latency;
            } else {
                // Vector loads all in flight: a wave waits one round trip, then streams.
                p.wave_fill_cycles = latency;
            }
            p.tiling = Tiling {
                tile_m: 1,
                tile_n: len.min(u64::from(u32::MAX)) as u32,
                ..Tiling::default()
            };
            p
        }
    };
    p.mem_fraction = gpu.eff.softmax_bandwidth;
    evaluate(gpu, &p)
}
