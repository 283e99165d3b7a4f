//! # CPUs
//!
//! A CPU is described by a `[cpu]` section ([`CpuSpec`]): cores, clock, SIMD width and FMA
//! pipes with per-format rates, an optional matrix engine (Intel AMX), caches, DRAM
//! bandwidth and energy, power. [`CpuSpec::validate`] gives a [`Cpu`], which estimates the
//! same [`KernelRequest`]s as the GPU model (one thread per compute core).
//!
//! ## Model
//! Each kernel is a roofline with cache effects and fixed costs:
//! `time = overhead_us × kernels + max(T_compute, T_memory, T_serial)`.
//! - **Compute**: matrix products at the matrix engine's peak if it has the format
//!   (AMX: BF16, INT8), else the SIMD peak in that format, else FP32 SIMD on converted
//!   operands — × `efficiency.matrix` or `efficiency.simd`. Everything else (GEMV, dequant,
//!   softmax, element-wise, scan) issues FP32 SIMD lane operations at
//!   `simd_bits/32 × fma_units_per_core × cores × clock × simd` per second; an exp costs
//!   [`EXP_LANE_OPS`] lane operations (a polynomial).
//! - **Memory**: bytes ÷ bandwidth, where the bandwidth is the LLC's
//!   (`llc_bytes_per_clk_per_core × cores × clock`) when the kernel's working set fits in
//!   the LLC — the operands are assumed resident, left there by the previous operator, and
//!   no DRAM traffic is counted — else DRAM × `efficiency.mem_bandwidth`. GEMM traffic:
//!   C + larger operand + smaller × ⌈(A + B)/LLC⌉ (BLAS blocks the larger operand through
//!   the cache and streams the smaller one once per block). Softmax rows longer than the
//!   L2 are read twice.
//! - **Serial**: the selective scan's recurrence costs `seq_len × scan_step_cycles` cycles.
//! - **Energy**: idle power × time, plus operations × (dynamic budget ÷ the unit's peak)
//!   and DRAM bytes × `mem_pj_per_byte`, capped at TDP — as for GPUs.
//!
//! ```
//! use arch::cpu;
//! use arch::gpu::{DType, KernelModel, KernelRequest};
//! let xeon = cpu::preset("xeon-8358p").unwrap();
//! // 32 cores × 2.6 GHz × 64 FP32 ops/clk (AVX-512, 2 FMA pipes) = 5.32 TFLOP/s.
//! assert!((xeon.simd_peak_ops(DType::Fp32).unwrap() / 1e12 - 5.3248).abs() < 1e-9);
//! let e = xeon.estimate(&KernelRequest::Gemv { m: 1, n: 16384, k: 16384, dtype: DType::Fp16 }).unwrap();
//! assert_eq!(e.bound, arch::gpu::Bound::Memory);
//! ```

mod spec;

pub use spec::{
    Cpu, CpuEfficiency, CpuEfficiencySpec, CpuSpec, DEFAULT_CPU_MEM_EFFICIENCY,
    DEFAULT_CPU_SCAN_STEP_CYCLES, DEFAULT_MATRIX_EFFICIENCY, DEFAULT_OVERHEAD_US,
    DEFAULT_SIMD_EFFICIENCY,
};

use crate::ArchError;
use crate::gpu::kernels::{
    AttentionShape, Bound, DType, EnergyBreakdown, KernelEstimate, KernelModel, KernelRequest,
    Tiling, attention_pairs, kv_row_bytes, quant_weight_bytes, secs_to_time,
};
use crate::gpu::{GEMV_MAX_M, dequant_ops};

/// FP32 SIMD lane operations per exponential (range reduction + a degree-5/6 polynomial).
pub const EXP_LANE_OPS: f64 = 10.0;

/// CPU preset files: (name, whole platform TOML text).
pub fn presets() -> &'static [(&'static str, &'static str)] {
    &[
        (
            "xeon-8358p",
            include_str!("../../presets/cpu/xeon-8358p.toml"),
        ),
        (
            "xeon-8488c",
            include_str!("../../presets/cpu/xeon-8488c.toml"),
        ),
        ("m2-ultra", include_str!("../../presets/cpu/m2-ultra.toml")),
        (
            "snapdragon-8-gen3",
            include_str!("../../presets/cpu/snapdragon-8-gen3.toml"),
        ),
    ]
}

/// The validated `[cpu]` of preset `name`, named after the preset file's `name`.
pub fn preset(name: &str) -> Result<Cpu, ArchError> {
    crate::Platform::load(name, &[])?
        .cpu
        .ok_or_else(|| crate::gpu::not_a(name, "CPU", "cpu"))
}

/// Work of one CPU kernel.
#[derive(Clone, Copy, Debug, Default)]
struct Work {
    /// Operations on the GEMM unit (matrix engine or SIMD in the format), and its format.
    gemm_ops: f64,
    gemm_dtype: Option<DType>,
    /// FP32 SIMD lane operations.
    lane_ops: f64,
    /// Bytes moved, and the working set that decides LLC vs DRAM.
    bytes: f64,
    working_set: f64,
    /// Dependent-chain cycles.
    serial_cycles: f64,
}

/// Seconds and joules of `w`: (compute_s, memory_s, serial_s, compute_j, dram_bytes).
fn cost(cpu: &Cpu, w: &Work) -> (f64, f64, f64, f64, f64) {
    let budget = cpu.compute_power_w();
    let lane_peak = cpu.lane_ops_per_clk() * f64::from(cpu.compute_cores) * cpu.clock_hz;
    let mut compute = w.lane_ops / (lane_peak * cpu.eff.simd);
    let mut joules = w.lane_ops * budget / lane_peak;
    if let Some(d) = w.gemm_dtype {
        let (peak, eff) = cpu.gemm_peak(d);
        compute += w.gemm_ops / (peak * eff);
        joules += w.gemm_ops * budget / peak;
    }
    let (memory, dram) = if w.working_set <= cpu.spec.llc_bytes as f64 {
        // Never slower than DRAM, so growing past the LLC can only add time.
        (
            w.bytes / cpu.llc_bytes_per_s().max(cpu.achievable_mem_bytes_per_s()),
            0.0,
        )
    } else {
        (w.bytes / cpu.achievable_mem_bytes_per_s(), w.bytes)
    };
    (
        compute,
        memory,
        w.serial_cycles / cpu.clock_hz,
        joules,
        dram,
    )
}

fn gemm_work(cpu: &Cpu, m: u64, n: u64, k: u64, d: DType, b_total: f64) -> Work {
    let a = (m * k) as f64 * d.bytes();
    let c = (m * n) as f64 * d.bytes().max(2.0);
    let rereads = ((a + b_total) / cpu.spec.llc_bytes as f64).ceil().max(1.0);
    Work {
        gemm_ops: 2.0 * m as f64 * n as f64 * k as f64,
        gemm_dtype: Some(d),
        bytes: a.max(b_total) + a.min(b_total) * rereads + c,
        working_set: a + b_total + c,
        ..Work::default()
    }
}

fn gemv_work(m: u64, n: u64, k: u64, w_total: f64, x_bytes: f64, dequant: f64) -> Work {
    let io = (m * k) as f64 * x_bytes + (m * n) as f64 * x_bytes.max(2.0);
    Work {
        lane_ops: n as f64 * k as f64 * (dequant + m as f64),
        bytes: w_total + io,
        working_set: w_total + io,
        ..Work::default()
    }
}

fn min_time<'a>(cpu: &Cpu, a: &'a Work, b: &'a Work) -> &'a Work {
    let t = |w: &Work| {
        let (c, m, s, _, _) = cost(cpu, w);
        c.max(m).max(s)
    };
    if t(b) < t(a) { b } else { a }
}

impl KernelModel for Cpu {
    fn name(&self) -> &str {
        &self.name
    }

    fn estimate(&self, req: &KernelRequest) -> Result<KernelEstimate, ArchError> {
        req.validate()?;
        let mut works: Vec<Work> = Vec::with_capacity(2);
        match *req {
            KernelRequest::Gemm { m, n, k, dtype } => {
                let tiled = gemm_work(self, m, n, k, dtype, (n * k) as f64 * dtype.bytes());
                let gemv = gemv_work(m, n, k, (n * k) as f64 * dtype.bytes(), dtype.bytes(), 0.0);
                works.push(if m <= GEMV_MAX_M {
                    *min_time(self, &tiled, &gemv)
                } else {
                    tiled
                });
            }
            KernelRequest::Gemv { m, n, k, dtype } => {
                works.push(gemv_work(
                    m,
                    n,
                    k,
                    (n * k) as f64 * dtype.bytes(),
                    dtype.bytes(),
                    0.0,
                ));
            }
            KernelRequest::QuantGemv {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            }
            | KernelRequest::QuantGemm {
                m,
                n,
                k,
                weight_bits,
                group_size,
                act,
                fused_dequant,
            } => {
                let packed = quant_weight_bytes(n, k, weight_bits, group_size);
                let dq = dequant_ops(weight_bits);
                let is_gemm = matches!(req, KernelRequest::QuantGemm { .. });
                let dense_w = (n * k) as f64 * act.bytes();
                if fused_dequant {
                    let gemv = gemv_work(m, n, k, packed, act.bytes(), dq);
                    let mut tiled = gemm_work(self, m, n, k, act, packed);
                    tiled.lane_ops = (n * k) as f64 * dq;
                    works.push(if !is_gemm {
                        gemv
                    } else if m <= GEMV_MAX_M {
                        *min_time(self, &tiled, &gemv)
                    } else {
                        tiled
                    });
                } else {
                    works.push(Work {
                        lane_ops: (n * k) as f64 * dq,
                        bytes: packed + dense_w,
                        working_set: packed + dense_w,
                        ..Work::default()
                    });
                    works.push(if is_gemm {
                        gemm_work(self, m, n, k, act, dense_w)
                    } else {
                        gemv_work(m, n, k, dense_w, act.bytes(), 0.0)
                    });
                }
            }
            KernelRequest::Softmax { rows, len, dtype } => {
                let data = (rows * len) as f64 * dtype.bytes();
                let reads = if len as f64 * 4.0 <= self.spec.l2_bytes_per_core as f64 {
                    1.0
                } else {
                    2.0
                };
                works.push(Work {
                    lane_ops: (rows * len) as f64 * (4.0 + EXP_LANE_OPS),
                    bytes: data * (reads + 1.0),
                    working_set: 2.0 * data,
                    ..Work::default()
                });
            }
            KernelRequest::Attention(AttentionShape {
                batch,
                heads,
                kv_heads,
                q_len,
                kv_len,
                head_dim,
                causal,
                dtype,
                kv_dtype,
                kv_group,
            }) => {
                let scores = (batch * heads) as f64 * attention_pairs(q_len, kv_len, causal);
                let b = dtype.bytes();
                let qo = 2.0 * (batch * heads * q_len * head_dim) as f64 * b;
                // K and V at the cache's format (scales and zeros included).
                let kv = 2.0
                    * (batch * kv_heads * kv_len) as f64
                    * kv_row_bytes(head_dim, kv_dtype, kv_group);
                // A quantised cache is dequantised element by element.
                let deq = if kv_dtype.bits() < dtype.bits() {
                    2.0 * (batch * kv_heads * kv_len * head_dim) as f64
                        * dequant_ops(kv_dtype.bits())
                } else {
                    0.0
                };
                works.push(Work {
                    gemm_ops: 4.0 * head_dim as f64 * scores,
                    gemm_dtype: Some(dtype),
                    lane_ops: scores * (4.0 + EXP_LANE_OPS) + deq,
                    bytes: qo + kv,
                    working_set: qo + kv,
                    ..Work::default()
                });
            }
            KernelRequest::Elementwise {
                elements,
                flops_per_element,
                dtype,
                n_inputs,
            } => {
                let bytes = elements as f64 * dtype.bytes() * f64::from(n_inputs + 1);
                works.push(Work {
                    lane_ops: elements as f64 * f64::from(flops_per_element),
                    bytes,
                    working_set: bytes,
                    ..Work::default()
                });
            }
            // One scan algorithm on a CPU: the chunked and stepwise forms cost as the
            // sequential one.
            KernelRequest::SelectiveScan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            }
            | KernelRequest::SelectiveScanStepwise {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            }
            | KernelRequest::SelectiveScanChunked {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype,
            } => {
                let states = (batch * seq_len) as f64 * (d_inner * d_state) as f64;
                let bytes = (batch * seq_len) as f64
                    * (3.0 * d_inner as f64 + 2.0 * d_state as f64)
                    * dtype.bytes()
                    + (d_inner * d_state) as f64 * 4.0;
                works.push(Work {
                    lane_ops: states * (4.0 + EXP_LANE_OPS),
                    bytes,
                    working_set: bytes,
                    serial_cycles: seq_len as f64 * self.eff.scan_step_cycles,
                    ..Work::default()
                });
            }
            KernelRequest::SelectiveScanStep {
                batch,
                d_inner,
                d_state,
                dtype,
            } => {
                // The FP32 state is read and written once.
                let states = (batch * d_inner * d_state) as f64;
                let bytes = 8.0 * states
                    + batch as f64 * (3.0 * d_inner as f64 + 2.0 * d_state as f64) * dtype.bytes()
                    + (d_inner * d_state) as f64 * 4.0;
                works.push(Work {
                    lane_ops: states * (4.0 + EXP_LANE_OPS),
                    bytes,
                    working_set: bytes,
                    serial_cycles: self.eff.scan_step_cycles,
                    ..Work::default()
                });
            }
        }
        Ok(self.finish(req.flops(), &works))
    }
}

impl Cpu {
    fn finish(&self, flops: f64, works: &[Work]) -> KernelEstimate {
        let kernels = works.len().max(1) as u32;
        let overhead = f64::from(kernels) * self.eff.overhead_us * 1e-6;
        let (mut busy, mut comp, mut mem, mut serial, mut cj, mut dram) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for w in works {
            let (c, m, s, j, d) = cost(self, w);
            busy += c.max(m).max(s);
            comp += c;
            mem += m;
            serial += s;
            cj += j;
            dram += d;
        }
        let time = secs_to_time(overhead + busy);
        let t = time.as_secs_f64();
        let bound = if (serial >= comp && serial >= mem) || overhead >= comp.max(mem) {
            Bound::Latency
        } else if comp >= mem {
            Bound::Compute
        } else {
            Bound::Memory
        };
        let mut compute_j = cj;
        let mut memory_j = dram * self.spec.mem_pj_per_byte * 1e-12;
        let cap = (self.spec.tdp_w - self.spec.idle_w) * t;
        let power_capped = compute_j + memory_j > cap;
        if power_capped && compute_j + memory_j > 0.0 {
            let s = cap / (compute_j + memory_j);
            compute_j *= s;
            memory_j *= s;
        }
        let energy = EnergyBreakdown {
            idle_j: self.spec.idle_w * t,
            compute_j,
            memory_j,
        };
        KernelEstimate {
            time,
            compute_time: secs_to_time(comp),
            memory_time: secs_to_time(mem),
            launch_time: secs_to_time(overhead),
            waves: 1,
            blocks: u64::from(self.compute_cores),
            occupancy: 1,
            bound,
            flops,
            bytes_hbm: dram,
            energy_j: energy.total_j(),
            energy,
            power_capped,
            kernels,
            tiling: Tiling::default(),
        }
    }
}
