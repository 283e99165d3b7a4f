//! The `[gpu]` section of a platform file ([`GpuSpec`], raw, as written) and the validated
//! GPU ([`Gpu`]) with its derived peaks.
//!
//! # Units and conventions
//! - Throughputs are **dense, per SM per clock**: `tensor_ops_per_clk_per_sm` counts a
//!   multiply-add as 2 operations (so A100's 1024 FP16 FMA/clk/SM is `fp16 = 2048`).
//!   Peak = per-SM rate × `sm_count` × clock. Tensor rates use `tensor_clock_mhz` (default:
//!   `boost_clock_mhz`) because NVIDIA states Hopper tensor peaks at a lower clock than
//!   the CUDA-core peaks (H100 whitepaper Table 3: 1830 MHz vs 1980 MHz for SXM5).
//! - FP16 tensor rates are **with FP32 accumulation** (what cuBLAS/PyTorch use for
//!   half-precision GEMMs); GeForce parts double that rate with FP16 accumulation, which
//!   is not modelled.
//! - AMD parts: `sm_count` counts compute units, `warp_size` is 64 (wavefronts).

use serde::Deserialize;

use super::kernels::DType;
use crate::ArchError;

/// Dense matrix-unit throughput per SM per clock, by format (a multiply-add is 2
/// operations). A missing entry means the GPU has no matrix-unit path for that format.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TensorRates {
    /// FP32 matrix operations per clock per SM (AMD matrix cores; NVIDIA has none — FP32
    /// GEMMs then run on CUDA cores).
    pub fp32: Option<f64>,
    /// TF32 operations per clock per SM.
    pub tf32: Option<f64>,
    /// FP16 (FP32 accumulate) operations per clock per SM.
    pub fp16: Option<f64>,
    /// BF16 (FP32 accumulate) operations per clock per SM.
    pub bf16: Option<f64>,
    /// FP8 (FP32 accumulate) operations per clock per SM.
    pub fp8: Option<f64>,
    /// INT8 operations per clock per SM.
    pub int8: Option<f64>,
    /// INT4 operations per clock per SM.
    pub int4: Option<f64>,
}

impl TensorRates {
    /// The rate for `d`, if the GPU has a matrix-unit path for it.
    pub fn get(&self, d: DType) -> Option<f64> {
        match d {
            DType::Fp32 => self.fp32,
            DType::Tf32 => self.tf32,
            DType::Fp16 => self.fp16,
            DType::Bf16 => self.bf16,
            DType::Fp8 => self.fp8,
            DType::Int8 => self.int8,
            DType::Int4 => self.int4,
        }
    }
}

/// The `[gpu.efficiency]` table: the few calibration parameters of the GPU model. Every
/// field is optional; defaults are the `DEFAULT_*` constants of this module.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GpuEfficiencySpec {
    /// Fraction of the tensor-core peak a well-tuned GEMM main loop sustains (0–1].
    pub tensor: Option<f64>,
    /// Fraction of the tensor-core peak sustained by fused attention (0–1].
    pub attention: Option<f64>,
    /// Fraction of the CUDA-core / SFU issue rate sustained by non-matrix work
    /// (dequantisation, reductions, exp, element-wise arithmetic) (0–1].
    pub alu: Option<f64>,
    /// Fraction of peak DRAM bandwidth reached by large streams (0–1].
    pub mem_bandwidth: Option<f64>,
    /// Fixed time per kernel launch: launch, ramp-up and drain, microseconds (≥ 0), of a
    /// kernel timed on its own (events around one launch).
    pub launch_overhead_us: Option<f64>,
    /// Fixed time per kernel when kernels run back to back in one stream or CUDA graph,
    /// microseconds (≥ 0): the next launch overlaps the previous kernel's drain. Default:
    /// `launch_overhead_us`. Used by compositions of kernels (a decoder step).
    pub stream_launch_overhead_us: Option<f64>,
    /// Latency of one step of a sequential recurrence inside a block, SM clock cycles
    /// (≥ 0); the selective scan's per-step floor. Default [`DEFAULT_SCAN_STEP_CYCLES`].
    pub scan_step_cycles: Option<f64>,
    /// Latency of one step of a sequential scan written as a loop that computes each step
    /// from memory ([`super::KernelRequest::SelectiveScanStepwise`], the validation
    /// harness's Triton `selective_scan_seq`), SM clock cycles (≥ 0). Default: one DRAM
    /// round trip, `mem_latency_cycles` — the loop waits each step for the operands it
    /// loaded one step ahead, and its own chain (≈ 90 cycles) is shorter.
    pub stepwise_scan_step_cycles: Option<f64>,
    /// Fraction of the CUDA-core issue rate that fused dequantise-and-multiply GEMV/GEMM
    /// kernels sustain for their unpacking, scaling and FMAs (0–1]; the rest goes to
    /// address arithmetic, layout shuffles and the split-K reduction.
    pub dequant_alu: Option<f64>,
    /// Latency of one dependent DRAM round trip under load, SM clock cycles (≥ 0): a
    /// GEMV warp walks its weight row in round trips of this latency (see
    /// `WARP_BYTES_PER_TRIP`); a fused dequantising GEMV exposes two of them
    /// (`GEMV_FILL_TRIPS`); PyTorch's register softmax kernel walks a row one round trip
    /// per element and thread, its other block kernels wait one per wave; the chunked scan
    /// pays one per chunk. Default: [`default_mem_latency_cycles`] (a published
    /// pointer-chase latency in nanoseconds at the boost clock).
    pub mem_latency_cycles: Option<f64>,
    /// Fraction of the achievable DRAM bandwidth (`mem_bandwidth`) a row softmax sustains
    /// (0–1]: the row reductions between reading a row and writing it leave fewer loads
    /// in flight than a streaming copy (every one of PyTorch's softmax kernels; the
    /// register kernel is bound by its latency chain instead).
    pub softmax_bandwidth: Option<f64>,
    /// Fraction of the achievable DRAM bandwidth (`mem_bandwidth`) the vendor library's
    /// dense products (cuBLAS GEMV and GEMM, as PyTorch calls them) stream at (0–1]; a
    /// GEMV written to stream its weights reaches the streaming bandwidth (1). Default
    /// [`DEFAULT_BLAS_BANDWIDTH`]. Fused dequantising products do not use it.
    pub blas_bandwidth: Option<f64>,
}

/// Default tensor efficiency: 0.85, between A100's 0.89 and H100's 0.81 (see the presets).
pub const DEFAULT_TENSOR_EFFICIENCY: f64 = 0.85;
/// Default fused-attention efficiency: 0.7 — FlashAttention-2 reaches "up to 73 % of the
/// theoretical maximum FLOPs/s" in the forward pass on A100 (Dao, FlashAttention-2, 2023).
pub const DEFAULT_ATTENTION_EFFICIENCY: f64 = 0.7;
/// Default ALU efficiency: 0.75 (no published figure; a first-principles allowance for
/// issue conflicts and address arithmetic — a calibration parameter).
pub const DEFAULT_ALU_EFFICIENCY: f64 = 0.75;
/// Default achievable DRAM fraction: 0.9 — the STREAM kernels of the RRZE `gpu-benches`
/// suite (github.com/te42kyfo/gpu-benches, `cuda-stream/h100_pcie.txt`) reach, on an H100
/// PCIe's 2.04 TB/s, 0.95 of peak reading only, 0.84 reading and writing one stream
/// (`scale`) and 0.90 for two reads and a write (`triad`); kernels that mostly read (GEMV)
/// or read and write (element-wise) sit in that range. FastGEMV reaches 0.94 on an RTX
/// 3090 at 16384².
pub const DEFAULT_MEM_EFFICIENCY: f64 = 0.9;
/// Default launch overhead: 2.5 µs — the floor of small kernels; FastGEMV's RTX 3090 table
/// (its `method_and_result.md`: profiled kernel durations, "total GEMV kernel(s) average
/// runtime") fits `t = 2.5 µs + bytes / (0.94 · 936 GB/s)` from 512² to 16384². A
/// profiler's duration leaves out what CUDA events around one kernel add (the event
/// records, the front end's launch of a kernel queued behind other work); no published
/// figure for that was found, and on an H100 the validation harness's own one-element add
/// takes 4.0 µs between events (validation/README.md), so this default is low there.
pub const DEFAULT_LAUNCH_OVERHEAD_US: f64 = 2.5;
/// Default scan step: 8 cycles — the loop-carried chain of the sequential recurrence as
/// Mamba's `selective_scan_fwd` kernel runs it (the mechanism of
/// [`super::KernelRequest::SelectiveScan`]): each thread holds its time steps' `exp(Δ·A)`
/// and `Δ·B·u` in registers, computed ahead of the recurrence, and combines them with the
/// running prefix by `(a, b) ← (a·aₜ, aₜ·b + bₜ)`: an FMUL and an FFMA of 4 cycles each per
/// step (FP32 latency on Volta and Turing, Jia et al., "Dissecting the NVIDIA Volta GPU
/// Architecture via Microbenchmarking", 2018, and "… Turing T4 …", 2019), counted in
/// sequence. A loop that is not unrolled and computes each step from memory, as the
/// validation harness's Triton `selective_scan_seq` does, pays its whole step (about 90
/// cycles of conversions, MUFU.EX2, the FFMA, an 8-state sum and a shuffle) and a DRAM
/// round trip per step instead: a different algorithm (validation/README.md).
pub const DEFAULT_SCAN_STEP_CYCLES: f64 = 8.0;

/// Default dequantisation ALU efficiency: 0.59 — the model's lane operations over the
/// instructions the compiled kernel issues. The validation harness's W4 and W3 GEMVs
/// (`validation/gpu/qgemv.py`), compiled by Triton 3.6 (the version of the H100 run) for
/// sm_90a and counted in their SASS main loop by `validation/gpu/sass_count.py`: per thread
/// and iteration, 128 weights at one activation row, the model counts 128 × 3.375 = 432
/// (W4) and 128 × 6.28 = 804 (W3) lane operations (`arch/src/gpu/matmul.rs`); the loop issues 739
/// and 1358 warp instructions (each AND and OR of the unpacking a separate LOP3, the
/// FP16→FP32 conversions of x, scale and zero point, the 16-bit loads of x one per element,
/// address arithmetic): 432/739 = 0.585, 804/1358 = 0.592, for the configurations the
/// harness chose on most shapes (`bn32_bk512_w4`, `bn16_bk1024_w4`, `bn64_bk512_w8`). At
/// one warp instruction issued per clock per scheduler the kernel is issue-bound (its ALU
/// pipe, 16 lanes per scheduler, is busy for 2 × 332 = 664 of the 739 cycles of W4). Stalls
/// are not in it: the H100 fit gives 0.42 (`validation/README.md`).
pub const DEFAULT_DEQUANT_ALU_EFFICIENCY: f64 = 0.59;
/// Default DRAM round trip of an HBM GPU (and of any memory not GDDR), nanoseconds: 390 —
/// the pointer-chase latency of the RRZE `gpu-benches` suite (github.com/te42kyfo/
/// gpu-benches, `gpu-latency`: one dependent 8-byte load at a time, 64-byte strides in
/// random order over buffers larger than the L2) is 571 cycles at 1410 MHz (405 ns) on an
/// A100 80GB (`cuda-latency/a100_80.txt`) and 658 cycles at 1755 MHz (375 ns) on an H100
/// PCIe (`gpu-latency/h100_pcie.txt`), both HBM2e; 390 ns is their mean. An unloaded
/// latency: under load the queues add to it.
pub const DEFAULT_MEM_LATENCY_NS_HBM: f64 = 390.0;
/// Default DRAM round trip of a GDDR GPU, nanoseconds: 254 — the same benchmark on an L40
/// (Ada, GDDR6): 632 cycles at 2490 MHz (`gpu-latency/l40.txt`).
pub const DEFAULT_MEM_LATENCY_NS_GDDR: f64 = 254.0;
/// Default softmax bandwidth fraction: 1 — an ideal one-read, one-write kernel.
pub const DEFAULT_SOFTMAX_BANDWIDTH: f64 = 1.0;
/// Default library (BLAS) bandwidth fraction: 0.90 — FastGEMV's RTX 3090 table (its
/// `method_and_result.md`, "On 3090": nsys kernel times of PyTorch/cuBLAS and of the
/// FastGEMV kernel on one card, fp16, batch 1) gives, after the 2.5 µs launch floor
/// ([`DEFAULT_LAUNCH_OVERHEAD_US`]), cuBLAS memory times 1.159, 1.142, 1.018 and 1.136 ×
/// FastGEMV's at 2048², 4096², 8192² and 16384² (mean 1.114: 1 / 1.114 = 0.898), and
/// FastGEMV itself streams at 0.94 of peak, the card's streaming fraction. Same card, same
/// timer, so the ratio is the library kernel's own loss, not the device's. Checked, not
/// set, on other cards: `validation/data/published.csv` (A100, RTX 4090, AQLM's RTX 3090).
pub const DEFAULT_BLAS_BANDWIDTH: f64 = 0.90;

/// Default `mem_latency_cycles` of a GPU: the round trip of its memory technology
/// ([`DEFAULT_MEM_LATENCY_NS_GDDR`] when `mem_kind` starts with `GDDR`, else
/// [`DEFAULT_MEM_LATENCY_NS_HBM`]) in cycles of its boost clock: `ns × boost_clock_mhz /
/// 1000` (an H100 SXM5: 390 ns × 1.98 GHz = 772.2 cycles).
pub fn default_mem_latency_cycles(mem_kind: &str, boost_clock_mhz: f64) -> f64 {
    let ns = if mem_kind.to_ascii_uppercase().starts_with("GDDR") {
        DEFAULT_MEM_LATENCY_NS_GDDR
    } else {
        DEFAULT_MEM_LATENCY_NS_HBM
    };
    ns * boost_clock_mhz / 1000.0
}

/// The `[gpu]` section as written in a platform file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GpuSpec {
    /// Architecture / die, for reports (`"Ampere GA100"`).
    pub architecture: Option<String>,
    /// Streaming multiprocessors (NVIDIA) or compute units (AMD).
    pub sm_count: u32,
    /// Clock of CUDA cores / SIMDs at boost, MHz (the clock the datasheet peaks assume).
    pub boost_clock_mhz: f64,
    /// Clock the tensor-core peaks assume, MHz (default: `boost_clock_mhz`).
    pub tensor_clock_mhz: Option<f64>,
    /// Threads per warp (32; 64 for AMD wavefronts). Default 32.
    pub warp_size: Option<u32>,
    /// Resident warps per SM at most.
    pub max_warps_per_sm: u32,
    /// Resident thread blocks per SM at most.
    pub max_blocks_per_sm: u32,
    /// 32-bit registers per SM.
    pub registers_per_sm: u32,
    /// Shared memory (LDS) per SM available to thread blocks, bytes.
    pub smem_per_sm_bytes: u64,
    /// Combined L1 + shared memory per SM, bytes (informational; ≥ `smem_per_sm_bytes`).
    pub l1_smem_per_sm_bytes: Option<u64>,
    /// L2 cache, bytes.
    pub l2_bytes: u64,
    /// L2 → SM bandwidth of the whole chip, bytes per (boost) clock.
    pub l2_bytes_per_clk: f64,
    /// DRAM technology, for reports (`"HBM2e"`, `"GDDR6X"`, `"LPDDR5"`).
    pub mem_kind: String,
    /// DRAM capacity, bytes.
    pub mem_capacity_bytes: u64,
    /// Peak DRAM bandwidth, bytes per second (datasheet).
    pub mem_bytes_per_s: f64,
    /// DRAM access energy, picojoules per byte moved (device + interface).
    pub mem_pj_per_byte: f64,
    /// CUDA-core FP32 operations per clock per SM (FMA = 2).
    pub fp32_flops_per_clk_per_sm: f64,
    /// INT32 operations per clock per SM.
    pub int32_ops_per_clk_per_sm: f64,
    /// Special-function (exp, rcp) operations per clock per SM.
    pub sfu_ops_per_clk_per_sm: f64,
    /// Dense matrix-unit rates per format.
    pub tensor_ops_per_clk_per_sm: TensorRates,
    /// Board power limit (TDP/TGP), watts.
    pub tdp_w: f64,
    /// Idle board power, watts.
    pub idle_w: f64,
    /// Calibration parameters.
    #[serde(default)]
    pub efficiency: GpuEfficiencySpec,
}

/// Resolved efficiency parameters (defaults applied). Meanings as in [`GpuEfficiencySpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GpuEfficiency {
    /// Tensor-core fraction for GEMMs.
    pub tensor: f64,
    /// Tensor-core fraction for fused attention.
    pub attention: f64,
    /// CUDA-core / SFU fraction.
    pub alu: f64,
    /// DRAM bandwidth fraction.
    pub mem_bandwidth: f64,
    /// Launch overhead, microseconds.
    pub launch_overhead_us: f64,
    /// Launch overhead of a kernel in a back-to-back stream, microseconds.
    pub stream_launch_overhead_us: f64,
    /// Recurrence step latency, cycles.
    pub scan_step_cycles: f64,
    /// Step latency of a stepwise (per-iteration, from memory) scan loop, cycles.
    pub stepwise_scan_step_cycles: f64,
    /// CUDA-core fraction for fused dequantising products.
    pub dequant_alu: f64,
    /// DRAM round-trip latency, cycles.
    pub mem_latency_cycles: f64,
    /// Softmax fraction of the achievable DRAM bandwidth.
    pub softmax_bandwidth: f64,
    /// Library (cuBLAS) dense-product fraction of the achievable DRAM bandwidth.
    pub blas_bandwidth: f64,
}

/// A validated GPU: everything positive and consistent, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Gpu {
    pub(crate) name: String,
    pub(crate) spec: GpuSpec,
    pub(crate) eff: GpuEfficiency,
    pub(crate) clock_hz: f64,
    pub(crate) tensor_clock_hz: f64,
    pub(crate) warp_size: u32,
}

fn invalid(key: &str, field: &str, message: String) -> ArchError {
    ArchError::Invalid {
        key: format!("{key}.{field}"),
        message,
    }
}

fn check_positive(key: &str, field: &str, v: f64) -> Result<(), ArchError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(
            key,
            field,
            format!("must be a positive number, got {v}"),
        ))
    }
}

fn check_fraction(key: &str, field: &str, v: f64) -> Result<(), ArchError> {
    if v.is_finite() && v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(invalid(key, field, format!("must be in (0, 1], got {v}")))
    }
}

fn check_non_negative(key: &str, field: &str, v: f64) -> Result<(), ArchError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(invalid(key, field, format!("must be >= 0, got {v}")))
    }
}

impl GpuSpec {
    /// Validates this section; `key_path` is its dotted path (`gpu`, or with a file
    /// prefix) and prefixes every error's key.
    pub fn validate(&self, key_path: &str) -> Result<Gpu, ArchError> {
        let k = key_path;
        let ints = [
            ("sm_count", u64::from(self.sm_count)),
            ("max_warps_per_sm", u64::from(self.max_warps_per_sm)),
            ("max_blocks_per_sm", u64::from(self.max_blocks_per_sm)),
            ("registers_per_sm", u64::from(self.registers_per_sm)),
            ("smem_per_sm_bytes", self.smem_per_sm_bytes),
            ("l2_bytes", self.l2_bytes),
            ("mem_capacity_bytes", self.mem_capacity_bytes),
        ];
        for (field, v) in ints {
            if v == 0 {
                return Err(invalid(k, field, "must be >= 1, got 0".into()));
            }
        }
        let reals = [
            ("boost_clock_mhz", self.boost_clock_mhz),
            ("l2_bytes_per_clk", self.l2_bytes_per_clk),
            ("mem_bytes_per_s", self.mem_bytes_per_s),
            ("fp32_flops_per_clk_per_sm", self.fp32_flops_per_clk_per_sm),
            ("int32_ops_per_clk_per_sm", self.int32_ops_per_clk_per_sm),
            ("sfu_ops_per_clk_per_sm", self.sfu_ops_per_clk_per_sm),
            ("tdp_w", self.tdp_w),
        ];
        for (field, v) in reals {
            check_positive(k, field, v)?;
        }
        check_non_negative(k, "mem_pj_per_byte", self.mem_pj_per_byte)?;
        check_non_negative(k, "idle_w", self.idle_w)?;
        if let Some(t) = self.tensor_clock_mhz {
            check_positive(k, "tensor_clock_mhz", t)?;
        }
        let warp_size = self.warp_size.unwrap_or(32);
        if warp_size == 0 {
            return Err(invalid(k, "warp_size", "must be >= 1, got 0".into()));
        }
        if let Some(l1) = self.l1_smem_per_sm_bytes
            && l1 < self.smem_per_sm_bytes
        {
            return Err(invalid(
                k,
                "l1_smem_per_sm_bytes",
                format!(
                    "combined L1 + shared memory ({l1}) is smaller than smem_per_sm_bytes ({})",
                    self.smem_per_sm_bytes
                ),
            ));
        }
        for d in DType::ALL {
            if let Some(r) = self.tensor_ops_per_clk_per_sm.get(d) {
                check_positive(k, &format!("tensor_ops_per_clk_per_sm.{d}"), r)?;
            }
        }
        let mem_w = self.mem_bytes_per_s * self.mem_pj_per_byte * 1e-12;
        if self.idle_w + mem_w >= self.tdp_w {
            return Err(invalid(
                k,
                "tdp_w",
                format!(
                    "tdp_w ({}) must exceed idle_w ({}) plus DRAM power at peak bandwidth \
                     ({mem_w:.1} W = mem_bytes_per_s × mem_pj_per_byte)",
                    self.tdp_w, self.idle_w
                ),
            ));
        }
        let e = &self.efficiency;
        let ek = format!("{k}.efficiency");
        let eff = GpuEfficiency {
            tensor: e.tensor.unwrap_or(DEFAULT_TENSOR_EFFICIENCY),
            attention: e.attention.unwrap_or(DEFAULT_ATTENTION_EFFICIENCY),
            alu: e.alu.unwrap_or(DEFAULT_ALU_EFFICIENCY),
            mem_bandwidth: e.mem_bandwidth.unwrap_or(DEFAULT_MEM_EFFICIENCY),
            launch_overhead_us: e.launch_overhead_us.unwrap_or(DEFAULT_LAUNCH_OVERHEAD_US),
            stream_launch_overhead_us: e
                .stream_launch_overhead_us
                .or(e.launch_overhead_us)
                .unwrap_or(DEFAULT_LAUNCH_OVERHEAD_US),
            scan_step_cycles: e.scan_step_cycles.unwrap_or(DEFAULT_SCAN_STEP_CYCLES),
            stepwise_scan_step_cycles: e
                .stepwise_scan_step_cycles
                .or(e.mem_latency_cycles)
                .unwrap_or_else(|| {
                    default_mem_latency_cycles(&self.mem_kind, self.boost_clock_mhz)
                }),
            dequant_alu: e.dequant_alu.unwrap_or(DEFAULT_DEQUANT_ALU_EFFICIENCY),
            mem_latency_cycles: e.mem_latency_cycles.unwrap_or_else(|| {
                default_mem_latency_cycles(&self.mem_kind, self.boost_clock_mhz)
            }),
            softmax_bandwidth: e.softmax_bandwidth.unwrap_or(DEFAULT_SOFTMAX_BANDWIDTH),
            blas_bandwidth: e.blas_bandwidth.unwrap_or(DEFAULT_BLAS_BANDWIDTH),
        };
        check_fraction(&ek, "tensor", eff.tensor)?;
        check_fraction(&ek, "attention", eff.attention)?;
        check_fraction(&ek, "alu", eff.alu)?;
        check_fraction(&ek, "mem_bandwidth", eff.mem_bandwidth)?;
        check_fraction(&ek, "dequant_alu", eff.dequant_alu)?;
        check_fraction(&ek, "softmax_bandwidth", eff.softmax_bandwidth)?;
        check_fraction(&ek, "blas_bandwidth", eff.blas_bandwidth)?;
        check_non_negative(&ek, "launch_overhead_us", eff.launch_overhead_us)?;
        check_non_negative(
            &ek,
            "stream_launch_overhead_us",
            eff.stream_launch_overhead_us,
        )?;
        check_non_negative(&ek, "scan_step_cycles", eff.scan_step_cycles)?;
        check_non_negative(
            &ek,
            "stepwise_scan_step_cycles",
            eff.stepwise_scan_step_cycles,
        )?;
        check_non_negative(&ek, "mem_latency_cycles", eff.mem_latency_cycles)?;
        Ok(Gpu {
            name: self
                .architecture
                .clone()
                .unwrap_or_else(|| key_path.to_string()),
            spec: self.clone(),
            eff,
            clock_hz: self.boost_clock_mhz * 1e6,
            tensor_clock_hz: self.tensor_clock_mhz.unwrap_or(self.boost_clock_mhz) * 1e6,
            warp_size,
        })
    }
}

impl Gpu {
    /// Renames the GPU (the platform's `name`, for reports and errors).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }
    /// The GPU's name.
    pub fn gpu_name(&self) -> &str {
        &self.name
    }
    /// The section as written.
    pub fn spec(&self) -> &GpuSpec {
        &self.spec
    }
    /// Resolved efficiency parameters.
    pub fn efficiency(&self) -> &GpuEfficiency {
        &self.eff
    }
    /// SMs (compute units).
    pub fn sm_count(&self) -> u32 {
        self.spec.sm_count
    }
    /// Threads per warp.
    pub fn warp_size(&self) -> u32 {
        self.warp_size
    }
    /// CUDA-core clock, Hz.
    pub fn clock_hz(&self) -> f64 {
        self.clock_hz
    }
    /// Tensor-core clock, Hz.
    pub fn tensor_clock_hz(&self) -> f64 {
        self.tensor_clock_hz
    }
    /// Peak dense matrix-unit rate for `d`, operations per second (none for a format the
    /// GPU has no matrix-unit rate for): per-SM rate × SMs × tensor clock.
    pub fn tensor_peak_ops(&self, d: DType) -> Option<f64> {
        self.spec
            .tensor_ops_per_clk_per_sm
            .get(d)
            .map(|r| r * f64::from(self.spec.sm_count) * self.tensor_clock_hz)
    }
    /// Peak CUDA-core FP32 rate, FLOP/s.
    pub fn fp32_peak_flops(&self) -> f64 {
        self.spec.fp32_flops_per_clk_per_sm * f64::from(self.spec.sm_count) * self.clock_hz
    }
    /// Peak rate a GEMM in `d` can use: the matrix-unit rate, or for FP32 without one the
    /// CUDA-core rate.
    pub fn peak_ops(&self, d: DType) -> Option<f64> {
        match (d, self.tensor_peak_ops(d)) {
            (_, Some(p)) => Some(p),
            (DType::Fp32, None) => Some(self.fp32_peak_flops()),
            (_, None) => None,
        }
    }
    /// Formats with a matrix-unit rate.
    pub fn tensor_dtypes(&self) -> Vec<DType> {
        DType::ALL
            .into_iter()
            .filter(|d| self.spec.tensor_ops_per_clk_per_sm.get(*d).is_some())
            .collect()
    }
    /// Peak DRAM bandwidth, bytes/s.
    pub fn mem_bytes_per_s(&self) -> f64 {
        self.spec.mem_bytes_per_s
    }
    /// Achievable DRAM bandwidth: peak × `efficiency.mem_bandwidth`, bytes/s.
    pub fn achievable_mem_bytes_per_s(&self) -> f64 {
        self.spec.mem_bytes_per_s * self.eff.mem_bandwidth
    }
    /// L2 → SM bandwidth of the chip, bytes/s (`l2_bytes_per_clk` × boost clock).
    pub fn l2_bytes_per_s(&self) -> f64 {
        self.spec.l2_bytes_per_clk * self.clock_hz
    }
    /// Ridge point for GEMMs in `d`, operations per DRAM byte: achievable compute
    /// (peak × `efficiency.tensor`) ÷ achievable bandwidth. A kernel of lower arithmetic
    /// intensity is memory-bound in this model. With both efficiencies at 1 this is the
    /// datasheet ridge (peak ÷ peak bandwidth).
    pub fn ridge_point(&self, d: DType) -> Option<f64> {
        self.peak_ops(d)
            .map(|p| p * self.eff.tensor / self.achievable_mem_bytes_per_s())
    }
    /// Dynamic power budget at full load, watts: `tdp_w − idle_w − mem_bytes_per_s ×
    /// mem_pj_per_byte` (what the arithmetic may draw while DRAM streams at peak).
    pub fn compute_power_w(&self) -> f64 {
        self.spec.tdp_w
            - self.spec.idle_w
            - self.spec.mem_bytes_per_s * self.spec.mem_pj_per_byte * 1e-12
    }
    /// Energy per matrix-unit operation in `d`, pJ: [`Gpu::compute_power_w`] ÷ peak rate
    /// (a unit running at its peak draws the whole dynamic budget).
    pub fn tensor_pj_per_op(&self, d: DType) -> Option<f64> {
        self.tensor_peak_ops(d)
            .map(|p| self.compute_power_w() / p * 1e12)
    }
    /// Energy per CUDA-core lane operation (one FMA, one integer op), pJ: dynamic budget ÷
    /// (`fp32_flops_per_clk_per_sm`/2 lanes × SMs × clock).
    pub fn alu_pj_per_op(&self) -> f64 {
        self.compute_power_w() / (self.fp32_peak_flops() / 2.0) * 1e12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> GpuSpec {
        toml::from_str(
            r#"
            sm_count = 2
            boost_clock_mhz = 1000
            max_warps_per_sm = 64
            max_blocks_per_sm = 32
            registers_per_sm = 65536
            smem_per_sm_bytes = 65536
            l2_bytes = 1048576
            l2_bytes_per_clk = 128
            mem_kind = "HBM2"
            mem_capacity_bytes = 1073741824
            mem_bytes_per_s = 1e11
            mem_pj_per_byte = 10
            fp32_flops_per_clk_per_sm = 128
            int32_ops_per_clk_per_sm = 64
            sfu_ops_per_clk_per_sm = 16
            tdp_w = 100
            idle_w = 10
            [tensor_ops_per_clk_per_sm]
            fp16 = 1024
            "#,
        )
        .unwrap()
    }

    #[test]
    fn peaks_by_hand() {
        let g = spec().validate("gpu").unwrap();
        // 1024 ops/clk/SM × 2 SMs × 1 GHz = 2.048 Tops/s.
        assert_eq!(g.tensor_peak_ops(DType::Fp16), Some(2.048e12));
        assert_eq!(g.tensor_peak_ops(DType::Int8), None);
        assert_eq!(g.fp32_peak_flops(), 256e9);
        // Dynamic budget: 100 − 10 − 1e11 × 10 pJ = 89 W; per op 89 / 2.048e12 s = 43.46 pJ.
        assert!((g.compute_power_w() - 89.0).abs() < 1e-9);
        assert!((g.tensor_pj_per_op(DType::Fp16).unwrap() - 89.0 / 2.048).abs() < 1e-9);
    }

    #[test]
    fn default_dram_round_trip_is_the_published_latency_at_the_boost_clock() {
        // HBM2 at 1000 MHz: 390 ns × 1 GHz = 390 cycles; a GDDR6X part: 254 ns × 1 GHz.
        let g = spec().validate("gpu").unwrap();
        assert!((g.efficiency().mem_latency_cycles - 390.0).abs() < 1e-9);
        let mut s = spec();
        s.mem_kind = "GDDR6X".into();
        let g = s.validate("gpu").unwrap();
        assert!((g.efficiency().mem_latency_cycles - 254.0).abs() < 1e-9);
        // A value in the file wins.
        let mut s = spec();
        s.efficiency.mem_latency_cycles = Some(10.0);
        assert_eq!(
            s.validate("gpu").unwrap().efficiency().mem_latency_cycles,
            10.0
        );
    }

    #[test]
    fn errors_name_the_key() {
        let mut s = spec();
        s.sm_count = 0;
        assert!(
            matches!(s.validate("gpu"), Err(ArchError::Invalid { key, .. }) if key == "gpu.sm_count")
        );
        let mut s = spec();
        s.efficiency.tensor = Some(1.5);
        assert!(matches!(s.validate("p.gpu"),
            Err(ArchError::Invalid { key, .. }) if key == "p.gpu.efficiency.tensor"));
        let mut s = spec();
        s.idle_w = 99.0;
        assert!(
            matches!(s.validate("gpu"), Err(ArchError::Invalid { key, .. }) if key == "gpu.tdp_w")
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<TensorRates>("fp61 = 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `fp61`"), "{err}");
    }
}
