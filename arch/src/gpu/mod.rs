//! # GPUs at SM level
//!
//! A GPU is described by a `[gpu]` section ([`GpuSpec`]): SM count, clocks, per-SM rates of
//! tensor cores (per format), CUDA cores and special-function units, the limits that set
//! occupancy (warps, blocks, registers, shared memory), L2 size and bandwidth, DRAM
//! bandwidth, capacity and energy per byte, board power (TDP, idle), and a few efficiency
//! parameters (`[gpu.efficiency]`) that a later calibration fits to measurements.
//! [`GpuSpec::validate`] turns it into a [`Gpu`], which estimates kernels
//! ([`KernelRequest`] → [`KernelEstimate`], via [`KernelModel`]).
//!
//! ## The model in one paragraph
//! Every kernel class becomes a grid of thread blocks (`matmul`: GEMM with a CTA tiling
//! chosen per shape, GEMV, quantised GEMV/GEMM; `classes`: element-wise and the softmax,
//! as PyTorch's kernel for the row length; `attention`: fused attention with the causal
//! grid's unequal blocks; `scan`: the selective scan — sequential, chunked associative,
//! and the decode step). Occupancy follows from registers, shared memory and warps; the
//! busiest SM runs `⌈blocks/SMs⌉` blocks (wave quantisation; blocks of unequal work are
//! list-scheduled); each block's compute runs at the SM's rate × a class efficiency, and
//! its traffic is bounded by DRAM bandwidth × an achievable fraction and by the SM's share
//! of L2 bandwidth; dependent chains (the scans, a GEMV warp's DRAM round trips) add a
//! per-wave latency; a launch overhead is added per kernel. Energy is idle power × time
//! plus per-operation and per-byte dynamic energy derived from the TDP, capped at TDP.
//! Formulas: `engine` (time and energy), `matmul`, `classes`, `attention`, `scan`.
//!
//! ## Presets
//! [`presets`] lists whole platform files (`arch/presets/gpu/*.toml`) with datasheet
//! citations: A100-SXM4-80GB, H100-SXM5-80GB, H20, RTX 4090, RTX 3090, Jetson AGX Orin
//! 64 GB, AMD MI210, and multi-GPU systems.
//!
//! ```
//! use arch::gpu::{self, DType, KernelModel, KernelRequest};
//! let a100 = gpu::preset("a100-sxm4-80gb").unwrap();
//! // 312 TFLOP/s dense FP16 (108 SMs × 2048 ops/clk × 1410 MHz = 311.9 T).
//! assert!((a100.tensor_peak_ops(DType::Fp16).unwrap() / 1e12 - 311.87).abs() < 0.01);
//! let gemv = a100
//!     .estimate(&KernelRequest::Gemv { m: 1, n: 4096, k: 4096, dtype: DType::Fp16 })
//!     .unwrap();
//! assert_eq!(gemv.bound, gpu::Bound::Memory);
//! ```

mod attention;
mod classes;
mod engine;
mod estimate;
pub mod kernels;
mod matmul;
mod scan;
mod spec;

pub use kernels::{
    AttentionShape, Bound, DType, EnergyBreakdown, GROUP_META_BITS, KernelEstimate, KernelModel,
    KernelRequest, SCAN_FLOPS_PER_STATE, Tiling, attention_pairs, kv_row_bytes, quant_weight_bytes,
};
pub use matmul::{
    CTA_TILES, DEQUANT_OPS_ALIGNED, DEQUANT_OPS_UNALIGNED, GEMV_FILL_TRIPS, GEMV_MAX_M, GEMV_ROWS,
    SPLITS, STAGES, TILE_K, UNPACK_OPS_PER_PLANE, dequant_ops, group_tiles, weight_planes,
};
pub use spec::{
    DEFAULT_ALU_EFFICIENCY, DEFAULT_ATTENTION_EFFICIENCY, DEFAULT_BLAS_BANDWIDTH,
    DEFAULT_DEQUANT_ALU_EFFICIENCY, DEFAULT_LAUNCH_OVERHEAD_US, DEFAULT_MEM_EFFICIENCY,
    DEFAULT_MEM_LATENCY_NS_GDDR, DEFAULT_MEM_LATENCY_NS_HBM, DEFAULT_SCAN_STEP_CYCLES,
    DEFAULT_SOFTMAX_BANDWIDTH, DEFAULT_TENSOR_EFFICIENCY, Gpu, GpuEfficiency, GpuEfficiencySpec,
    GpuSpec, TensorRates, default_mem_latency_cycles,
};

pub use engine::WARP_BYTES_PER_TRIP;

pub(crate) use classes::elementwise_plan;
pub use classes::{SoftmaxKernel, softmax_kernel};

use crate::ArchError;
use engine::{evaluate, finish};

/// GPU preset files: (name, whole platform TOML text). Multi-GPU systems (with a
/// `[system]` section) are included.
pub fn presets() -> &'static [(&'static str, &'static str)] {
    &[
        (
            "a100-sxm4-80gb",
            include_str!("../../presets/gpu/a100-sxm4-80gb.toml"),
        ),
        (
            "h100-sxm5-80gb",
            include_str!("../../presets/gpu/h100-sxm5-80gb.toml"),
        ),
        ("h20", include_str!("../../presets/gpu/h20.toml")),
        ("rtx-4090", include_str!("../../presets/gpu/rtx-4090.toml")),
        ("rtx-3090", include_str!("../../presets/gpu/rtx-3090.toml")),
        (
            "jetson-agx-orin-64gb",
            include_str!("../../presets/gpu/jetson-agx-orin-64gb.toml"),
        ),
        ("mi210", include_str!("../../presets/gpu/mi210.toml")),
        (
            "4x-a100-sxm4-80gb-nvlink",
            include_str!("../../presets/gpu/4x-a100-sxm4-80gb-nvlink.toml"),
        ),
        (
            "8x-h100-sxm5-80gb-nvlink",
            include_str!("../../presets/gpu/8x-h100-sxm5-80gb-nvlink.toml"),
        ),
        (
            "2x-rtx-4090-pcie4",
            include_str!("../../presets/gpu/2x-rtx-4090-pcie4.toml"),
        ),
    ]
}

/// The validated `[gpu]` of preset `name`, named after the preset file's `name`.
pub fn preset(name: &str) -> Result<Gpu, ArchError> {
    crate::Platform::load(name, &[])?
        .gpu
        .ok_or_else(|| not_a(name, "GPU", "gpu"))
}

/// The error for a preset that lacks the section a caller needs.
pub(crate) fn not_a(name: &str, what: &str, section: &str) -> ArchError {
    ArchError::Invalid {
        key: name.to_string(),
        message: format!("preset `{name}` has no [{section}] section; expected a {what} preset"),
    }
}

fn unsupported(gpu: &Gpu, req: &KernelRequest, dtype: DType) -> ArchError {
    let have: Vec<&str> = gpu.tensor_dtypes().iter().map(|d| d.name()).collect();
    ArchError::Unsupported {
        unit: gpu.name.clone(),
        class: format!("{} in {dtype}", req.class()),
        reason: format!(
            "no tensor-core rate for {dtype} (tensor_ops_per_clk_per_sm has: {}); use one \
             of those, or fp32 on CUDA cores",
            have.join(", ")
        ),
    }
}

fn needs_tensor(gpu: &Gpu, req: &KernelRequest, dtype: DType) -> Result<(), ArchError> {
    if dtype == DType::Fp32 || gpu.tensor_peak_ops(dtype).is_some() {
        Ok(())
    } else {
        Err(unsupported(gpu, req, dtype))
    }
}

fn no_fit(gpu: &Gpu, req: &KernelRequest) -> ArchError {
    ArchError::Unsupported {
        unit: gpu.name.clone(),
        class: req.class().to_string(),
        reason: "no tiling of this kernel fits the SM's registers, shared memory or warps".into(),
    }
}

impl KernelModel for Gpu {
    fn name(&self) -> &str {
        &self.name
    }

    fn estimate(&self, req: &KernelRequest) -> Result<KernelEstimate, ArchError> {
        req.validate()?;
        let flops = req.flops();
        let (main, extra) = match *req {
            KernelRequest::Gemm { m, n, k, dtype } => {
                needs_tensor(self, req, dtype)?;
                (matmul::dense_gemm(self, m, n, k, dtype), None)
            }
            KernelRequest::Gemv { m, n, k, dtype } => {
                let w = matmul::WeightFmt::dense(dtype);
                (
                    matmul::gemv_cost(self, (m, n, k), w, dtype.bytes(), matmul::GemvWork::DENSE),
                    None,
                )
            }
            KernelRequest::QuantGemv {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            } => {
                let q = (m, n, k);
                match matmul::quant_product(
                    self,
                    q,
                    weight_bits,
                    group_size,
                    act,
                    fused_dequant,
                    false,
                ) {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                }
            }
            KernelRequest::QuantGemm {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            } => {
                needs_tensor(self, req, act)?;
                let q = (m, n, k);
                match matmul::quant_product(
                    self,
                    q,
                    weight_bits,
                    group_size,
                    act,
                    fused_dequant,
                    true,
                ) {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                }
            }
            KernelRequest::Softmax { rows, len, dtype } => {
                (classes::softmax(self, rows, len, dtype), None)
            }
            KernelRequest::Attention(shape) => {
                if self.tensor_peak_ops(shape.dtype).is_none() {
                    return Err(unsupported(self, req, shape.dtype));
                }
                match attention::attention(self, &shape) {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                }
            }
            KernelRequest::Elementwise {
                elements,
                flops_per_element,
                dtype,
                n_inputs,
            } => {
                let b = dtype.bytes();
                let plan = elementwise_plan(
                    elements,
                    f64::from(flops_per_element),
                    0.0,
                    b * f64::from(n_inputs),
                    b,
                );
                (evaluate(self, &plan), None)
            }
            KernelRequest::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => (
                scan::selective_scan(self, (batch, seq_len, d_inner, d_state), dtype),
                None,
            ),
            KernelRequest::SelectiveScanStepwise {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => (
                scan::selective_scan_stepwise(self, (batch, seq_len, d_inner, d_state), dtype),
                None,
            ),
            KernelRequest::SelectiveScanChunked {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => (
                scan::selective_scan_chunked(self, (batch, seq_len, d_inner, d_state), dtype),
                None,
            ),
            KernelRequest::SelectiveScanStep {
                batch,
                d_inner,
                d_state,
                dtype,
            } => (
                scan::selective_scan_step(self, (batch, d_inner, d_state), dtype),
                None,
            ),
        };
        let main = main.ok_or_else(|| no_fit(self, req))?;
        Ok(finish(self, flops, &main, extra.as_slice()))
    }
}
