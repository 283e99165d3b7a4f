//! The GPU model's bounds, tiling, waves, energy and errors, checked by hand.

use arch::gpu::{AttentionShape, Bound, DType, KernelModel, KernelRequest};

use crate::common::{gpu, rel, single_gpus, us};

const H: DType = DType::Fp16;

/// One request of every class, at LLM-like shapes.
pub fn every_class(dtype: DType) -> Vec<KernelRequest> {
    vec![
        KernelRequest::Gemm {
            m: 2048,
            n: 4096,
            k: 4096,
            dtype,
        },
        KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype,
        },
        KernelRequest::QuantGemv {
            m: 1,
            n: 4096,
            k: 4096,
            weight_bits: 3,
            group_size: 128,
            act: dtype,
            fused_dequant: true,
        },
        KernelRequest::QuantGemm {
            m: 512,
            n: 4096,
            k: 4096,
            weight_bits: 4,
            group_size: 128,
            act: dtype,
            fused_dequant: false,
        },
        KernelRequest::Softmax {
            rows: 4096,
            len: 4096,
            dtype,
        },
        KernelRequest::Attention(AttentionShape {
            batch: 1,
            heads: 32,
            kv_heads: 8,
            q_len: 1024,
            kv_len: 1024,
            head_dim: 128,
            causal: true,
            dtype,
            kv_dtype: dtype,
            kv_group: 0,
        }),
        KernelRequest::Elementwise {
            elements: 1 << 20,
            flops_per_element: 4,
            dtype,
            n_inputs: 2,
        },
        KernelRequest::SelectiveScan {
            batch: 1,
            seq_len: 2048,
            d_inner: 5120,
            d_state: 16,
            dtype,
        },
    ]
}

#[test]
fn every_gpu_preset_runs_every_kernel_class() {
    for name in single_gpus() {
        let g = gpu(name);
        for r in every_class(H) {
            let e = g
                .estimate(&r)
                .unwrap_or_else(|err| panic!("{name} {}: {err}", r.class()));
            assert!(e.time > e.launch_time, "{name} {}", r.class());
            assert!(
                e.energy_j > 0.0 && e.bytes_hbm > 0.0,
                "{name} {}",
                r.class()
            );
        }
    }
}

#[test]
fn gemv_is_memory_bound_and_big_gemm_compute_bound() {
    for name in single_gpus() {
        let g = gpu(name);
        let v = g
            .estimate(&KernelRequest::Gemv {
                m: 1,
                n: 8192,
                k: 8192,
                dtype: H,
            })
            .unwrap();
        assert_eq!(v.bound, Bound::Memory, "{name} gemv");
        let m = g
            .estimate(&KernelRequest::Gemm {
                m: 8192,
                n: 8192,
                k: 8192,
                dtype: H,
            })
            .unwrap();
        assert_eq!(m.bound, Bound::Compute, "{name} gemm");
    }
}

#[test]
fn bound_flips_at_the_ridge_point() {
    // GEMMs m × 16384 × 16384 in FP16, m in steps of 16 (the MMA height): arithmetic
    // intensity on unique bytes is I = 2mnk / (2(mk + kn + mn)) ≈ m. The model must be
    // memory-bound below half the ridge point (achievable FLOP/s ÷ achievable bytes/s),
    // compute-bound above twice it, and first turn compute-bound within [0.55, 1.5] × the
    // ridge. The band is tile and wave quantisation: on an H100, m = 144 runs as 256 rows
    // of 128-row tiles (skinny tiles there are L2-bound), which moves the flip to 0.61×.
    // Above twice the ridge, "compute-bound" admits a memory time up to 10 % over the
    // compute time: with the H100's calibrated tensor efficiency (0.82), 128 × 128 tiles
    // (chosen where they quantise better) are just bound by the SM's share of L2
    // (64 FLOP/B × 92 GB/s per SM = 5.9 TFLOP/s < 6.15 per SM).
    for name in single_gpus() {
        let g = gpu(name);
        let ridge = g.ridge_point(H).unwrap();
        let (n, k) = (16384u64, 16384u64);
        let mut first_compute = None;
        for m in (16..=8192).step_by(16) {
            let e = g
                .estimate(&KernelRequest::Gemm { m, n, k, dtype: H })
                .unwrap();
            let (mf, nf, kf) = (m as f64, n as f64, k as f64);
            let intensity = 2.0 * mf * nf * kf / (2.0 * (mf * kf + kf * nf + mf * nf));
            if intensity < 0.5 * ridge {
                assert_eq!(
                    e.bound,
                    Bound::Memory,
                    "{name} m={m} I={intensity:.0} ridge={ridge:.0}"
                );
            }
            if intensity > 2.0 * ridge {
                assert!(
                    e.bound == Bound::Compute
                        || e.memory_time.as_secs_f64() <= 1.1 * e.compute_time.as_secs_f64(),
                    "{name} m={m} I={intensity:.0} ridge={ridge:.0}: {:?}",
                    e.bound
                );
            }
            if e.bound == Bound::Compute && first_compute.is_none() {
                first_compute = Some(intensity);
            }
        }
        let flip = first_compute.unwrap() / ridge;
        assert!(
            (0.55..=1.5).contains(&flip),
            "{name}: flips at {flip:.2} × ridge"
        );
    }
}

#[test]
fn ridge_points_by_hand() {
    // A100: 311.87 T × 0.89 / (2039 GB/s × 0.9) = 151.25 FLOP/byte.
    let a = gpu("a100-sxm4-80gb");
    assert!(
        rel(
            a.ridge_point(H).unwrap(),
            108.0 * 2048.0 * 1.41e9 * 0.89 / (2.039e12 * 0.9)
        ) < 1e-12
    );
    assert!((a.ridge_point(H).unwrap() - 151.25).abs() < 0.01);
    // RTX 4090: 165.15 T × 0.95 / (1008 GB/s × 0.9) = 172.9.
    assert!((gpu("rtx-4090").ridge_point(H).unwrap() - 172.94).abs() < 0.01);
}

#[test]
fn a100_gemm_tiling_and_waves_by_hand() {
    // 8192³ FP16 on A100: the 128×256 tile wins. Shared memory 3 stages × (128 + 256) × 32 ×
    // 2 B = 73,728 B (2 per SM), registers 128·256/256 + 64 = 192 per thread × 256 threads
    // = 49,152 (1 per SM) → occupancy 1; tiles 64 × 32 = 2048; waves ⌈2048/108⌉ = 19.
    // Compute: 19 × 2·128·256·(8192 + 3·32 fill/epilogue) / (2048 × 1.41 GHz × 0.89)
    // = 19 × 211.35 µs = 4015.5 µs, plus the 2.5 µs launch.
    let e = gpu("a100-sxm4-80gb")
        .estimate(&KernelRequest::Gemm {
            m: 8192,
            n: 8192,
            k: 8192,
            dtype: H,
        })
        .unwrap();
    assert_eq!(
        (e.tiling.tile_m, e.tiling.tile_n, e.tiling.split),
        (128, 256, 1)
    );
    assert_eq!((e.blocks, e.occupancy, e.waves), (2048, 1, 19));
    let compute = 19.0 * 2.0 * 128.0 * 256.0 * (8192.0 + 96.0) / (2048.0 * 1.41e9 * 0.89) * 1e6;
    assert!(
        (us(e.compute_time) - compute).abs() < 1e-3,
        "{} vs {compute}",
        us(e.compute_time)
    );
    assert!((us(e.time) - compute - 2.5).abs() < 1e-3);
    assert_eq!(e.bound, Bound::Compute);
}

#[test]
fn a100_gemv_by_hand() {
    // 4096×4096 FP16: weights 33,554,432 B + x 8192 B + y 8192 B = 33,570,816 B. The
    // traffic fits in the 40 MB L2, so the 8192 B of y stay there (write-back) and the
    // DRAM time counts the 33,562,624 B read at 2039 GB/s × 0.9 (mem_bandwidth) × 0.9
    // (blas_bandwidth, a library GEMV) = 20.322 µs, plus 2.5 µs launch = 22.822 µs.
    let e = gpu("a100-sxm4-80gb")
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: H,
        })
        .unwrap();
    assert_eq!(e.bytes_hbm, 33_570_816.0);
    let expect = 2.5 + 33_562_624.0 / (2.039e12 * 0.9 * 0.9) * 1e6;
    assert!(
        (us(e.time) - expect).abs() < 1e-3,
        "{} vs {expect}",
        us(e.time)
    );
    assert_eq!(e.bound, Bound::Memory);
    // 1024 blocks of 4 rows, 128 threads: 16 per SM by warps (64/4) → one wave on 108 SMs.
    assert_eq!((e.blocks, e.occupancy, e.waves), (1024, 16, 1));
}

#[test]
fn energy_model_by_hand() {
    // A100 GEMV 4096²: idle 50 W × t; DRAM 33,570,816 B × 31.2 pJ; compute: 16,777,216
    // lane ops (one FMA per weight) × budget/peak, budget = 400 − 50 − 2.039e12 × 31.2e-12
    // = 286.38 W over 64 lanes × 108 SMs × 1.41 GHz = 9.746e12 lane-op/s → 29.38 pJ.
    let g = gpu("a100-sxm4-80gb");
    let e = g
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: H,
        })
        .unwrap();
    let t = e.time.as_secs_f64();
    assert!(rel(e.energy.idle_j, 50.0 * t) < 1e-12);
    assert!(rel(e.energy.memory_j, 33_570_816.0 * 31.2e-12) < 1e-12);
    let pj = (400.0 - 50.0 - 2.039e12 * 31.2e-12) / (64.0 * 108.0 * 1.41e9) * 1e12;
    // Blocks of 4 rows × 4096 weights, 1024 blocks = every weight once.
    assert!(rel(e.energy.compute_j, 4096.0 * 4096.0 * pj * 1e-12) < 1e-9);
    assert!(!e.power_capped);
    assert!(rel(e.energy_j, e.energy.total_j()) < 1e-15);
}

#[test]
fn average_power_never_exceeds_tdp() {
    for name in single_gpus() {
        let g = gpu(name);
        let tdp = g.spec().tdp_w;
        for r in every_class(H) {
            let e = g.estimate(&r).unwrap();
            assert!(
                e.average_power_w() <= tdp * (1.0 + 1e-9),
                "{name} {}: {} W",
                r.class(),
                e.average_power_w()
            );
        }
    }
    // A dense GEMM at the tensor peak would draw the whole dynamic budget plus DRAM: capped.
    let e = gpu("rtx-4090")
        .estimate(&KernelRequest::Gemm {
            m: 8192,
            n: 8192,
            k: 8192,
            dtype: H,
        })
        .unwrap();
    assert!(e.average_power_w() <= 450.0 + 1e-6);
}

#[test]
fn formats_without_tensor_rates_are_errors() {
    let g = gpu("a100-sxm4-80gb");
    match g.estimate(&KernelRequest::Gemm {
        m: 64,
        n: 64,
        k: 64,
        dtype: DType::Fp8,
    }) {
        Err(arch::ArchError::Unsupported { class, reason, .. }) => {
            assert_eq!(class, "gemm in fp8");
            assert!(
                reason.contains("fp16") && reason.contains("int8"),
                "{reason}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    // FP32 GEMMs run on CUDA cores: 19.5 TFLOP/s, not an error.
    let e = g
        .estimate(&KernelRequest::Gemm {
            m: 4096,
            n: 4096,
            k: 4096,
            dtype: DType::Fp32,
        })
        .unwrap();
    assert!(e.achieved_flops_per_s() < 19.5e12);
    assert!(matches!(
        g.estimate(&KernelRequest::Softmax {
            rows: 0,
            len: 4,
            dtype: H
        }),
        Err(arch::ArchError::Invalid { .. })
    ));
}

#[test]
fn fused_dequant_beats_separate_and_low_bits_hit_the_alu_on_a100() {
    let q = |g: &arch::gpu::Gpu, bits, fused| {
        g.estimate(&KernelRequest::QuantGemv {
            m: 1,
            n: 4096,
            k: 4096,
            weight_bits: bits,
            group_size: 128,
            act: H,
            fused_dequant: fused,
        })
        .unwrap()
    };
    let a = gpu("a100-sxm4-80gb");
    let fused = q(&a, 3, true);
    let split = q(&a, 3, false);
    assert!(fused.time < split.time);
    assert_eq!(split.kernels, 2);
    // 3-bit weights: 4096·(4096·3 + 32·32)/8 = 6.8 MB → 3.7 µs of DRAM; but 16.8 M weights ×
    // 6.28 lane ops (two bit planes: 4.09 to unpack, 2.19 per activation row) at
    // 64 × 108 × 1.41 GHz × 0.75 = 7.31e12/s = 14.4 µs.
    assert_eq!(fused.bound, Bound::Compute);
    assert!(fused.compute_time > fused.memory_time);
    // The RTX 4090 has 4× the CUDA-core rate per byte of bandwidth: still memory-bound, and
    // the fused W3 kernel is > 3× faster than FP16 (MBQ reports 1.4× end to end).
    let r = gpu("rtx-4090");
    let w3 = q(&r, 3, true);
    assert_eq!(w3.bound, Bound::Memory);
    let fp16 = r
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: H,
        })
        .unwrap();
    assert!(us(fp16.time) / us(w3.time) > 3.0);
}

#[test]
fn small_scans_are_latency_bound() {
    // Batch 1, 256 channels: 256 blocks fill one wave; each walks 4096 steps × 8 cycles =
    // 23.2 µs at 1.41 GHz, far above its arithmetic (4096 × 16 × 4 lane ops).
    let g = gpu("a100-sxm4-80gb");
    let e = g
        .estimate(&KernelRequest::SelectiveScan {
            batch: 1,
            seq_len: 4096,
            d_inner: 256,
            d_state: 16,
            dtype: H,
        })
        .unwrap();
    assert_eq!(e.bound, Bound::Latency);
    let chain = 4096.0 * 8.0 / 1.41e9 * 1e6;
    assert!((us(e.time) - 2.5 - chain).abs() < 1e-3);
    // Many channels: throughput again.
    let big = g
        .estimate(&KernelRequest::SelectiveScan {
            batch: 16,
            seq_len: 4096,
            d_inner: 5120,
            d_state: 16,
            dtype: H,
        })
        .unwrap();
    assert_ne!(big.bound, Bound::Latency);
}

#[test]
fn mambas_scan_and_the_harness_stepwise_loop_have_their_own_step() {
    // The calibrated H100 preset fits the harness's stepwise Triton loop (831.7 cycles a
    // step: a loaded DRAM round trip) but keeps Mamba's register recurrence at its default
    // 8 cycles. Batch 1, 256 channels, 4096 steps: Mamba's kernel is 256 one-channel
    // blocks, the loop 16 one-warp programs of 16 channels, each one wave and
    // latency-bound, so the two times differ by the chains alone (the launch cancels):
    // 4096 × (831.7 − 8) / 1.98 GHz = 1703.9 µs.
    let g = gpu("h100-sxm5-80gb");
    assert_eq!(g.efficiency().scan_step_cycles, 8.0);
    assert_eq!(g.efficiency().stepwise_scan_step_cycles, 831.7);
    let (batch, seq_len, d_inner, d_state) = (1, 4096, 256, 16);
    let mamba = g
        .estimate(&KernelRequest::SelectiveScan {
            batch,
            seq_len,
            d_inner,
            d_state,
            dtype: H,
        })
        .unwrap();
    let loop_ = g
        .estimate(&KernelRequest::SelectiveScanStepwise {
            batch,
            seq_len,
            d_inner,
            d_state,
            dtype: H,
        })
        .unwrap();
    assert_eq!((mamba.bound, loop_.bound), (Bound::Latency, Bound::Latency));
    let gap = 4096.0 * (831.7 - 8.0) / 1.98e9 * 1e6;
    assert!((us(loop_.time) - us(mamba.time) - gap).abs() < 1e-3);
    // Uncalibrated, the loop's step is one DRAM round trip: the published latency
    // (390 ns at the A100's 1410 MHz = 549.9 cycles), not Mamba's 8.
    let a100 = *gpu("a100-sxm4-80gb").efficiency();
    assert!((a100.stepwise_scan_step_cycles - 390.0 * 1.41).abs() < 1e-9);
    assert_eq!(a100.scan_step_cycles, 8.0);
}

#[test]
fn softmax_follows_pytorchs_kernel_choice() {
    use arch::gpu::{SoftmaxKernel, softmax_kernel};
    // aten/src/ATen/native/cuda/SoftMax.cu for FP16 rows: a warp per row up to 1024
    // elements; then 1024-thread blocks: registers while ⌈L/1024⌉ < 10, shared memory
    // while the row fits 48 KiB, global memory otherwise.
    assert_eq!(softmax_kernel(1024, 2.0), SoftmaxKernel::Warp);
    assert_eq!(softmax_kernel(1025, 2.0), SoftmaxKernel::Registers);
    assert_eq!(softmax_kernel(9216, 2.0), SoftmaxKernel::Registers);
    assert_eq!(softmax_kernel(9217, 2.0), SoftmaxKernel::SharedMemory);
    assert_eq!(softmax_kernel(16384, 2.0), SoftmaxKernel::SharedMemory);
    assert_eq!(softmax_kernel(32768, 2.0), SoftmaxKernel::Global);
    // FP32 rows: 1024 elements are 4 KiB, still the warp kernel.
    assert_eq!(softmax_kernel(1024, 4.0), SoftmaxKernel::Warp);

    let g = gpu("a100-sxm4-80gb");
    let run = |rows, len| {
        g.estimate(&KernelRequest::Softmax {
            rows,
            len,
            dtype: H,
        })
        .unwrap()
    };
    // The global kernel reads a row three times. 64 rows of 65536 FP16 = 8 MiB in flight
    // fit A100's L2, so DRAM sees one read + one write.
    assert_eq!(run(64, 65536).bytes_hbm, 2.0 * 64.0 * 65536.0 * 2.0);
    // 4096 rows of 131072: 108 SMs × 2 blocks of 1024 threads × 256 KiB = 54 MiB in
    // flight > 40 MiB: the second and third passes come from DRAM too.
    assert_eq!(run(4096, 131072).bytes_hbm, 4.0 * 4096.0 * 131072.0 * 2.0);
    // The register kernel's threads walk their elements one DRAM round trip at a time:
    // 2048 rows of 8192 on 108 SMs × 2 blocks → 10 waves × 8 round trips of the default
    // mem_latency_cycles (0) — no chain by default; with 1000 cycles per round trip the
    // chain is 10 × 8 × 1000 / 1.41 GHz = 56.7 µs, above the 67 MB of DRAM traffic.
    let mut spec = g.spec().clone();
    spec.efficiency.mem_latency_cycles = Some(1000.0);
    let slow = spec.validate("gpu").unwrap();
    let e = slow
        .estimate(&KernelRequest::Softmax {
            rows: 2048,
            len: 8192,
            dtype: H,
        })
        .unwrap();
    assert_eq!(e.bound, Bound::Latency);
    let chain = 10.0 * 8.0 * 1000.0 / 1.41e9 * 1e6;
    assert!((us(e.time) - 2.5 - chain).abs() < 1e-3, "{}", us(e.time));
}

#[test]
fn causal_attention_does_about_half_the_work() {
    let g = gpu("a100-sxm4-80gb");
    let run = |causal| {
        g.estimate(&KernelRequest::Attention(AttentionShape {
            batch: 1,
            heads: 32,
            kv_heads: 32,
            q_len: 8192,
            kv_len: 8192,
            head_dim: 128,
            causal,
            dtype: H,
            kv_dtype: H,
            kv_group: 0,
        }))
        .unwrap()
    };
    let (full, half) = (run(false), run(true));
    // FLOPs: 4·32·128·8192² = 2.199e12 vs 4·32·128·(8192·8193/2).
    assert_eq!(full.flops, 4.0 * 32.0 * 128.0 * 8192.0 * 8192.0);
    assert_eq!(half.flops, 4.0 * 32.0 * 128.0 * 8192.0 * 8193.0 / 2.0);
    let ratio = us(half.time) / us(full.time);
    assert!((0.45..0.6).contains(&ratio), "{ratio}");
    // Fused attention reaches 0.7 × 312 T (FA2) within wave quantisation.
    assert!(rel(full.achieved_flops_per_s(), 0.7 * 311.87e12) < 0.1);
}

#[test]
fn mi210_uses_smaller_attention_tiles() {
    // 64 KB of LDS: FA2's 128 × 64 tile with d = 128 needs (128·128 + 4·64·128) × 2 B = 96 KiB.
    let e = gpu("mi210").estimate(&every_class(H)[5]).unwrap();
    assert!(e.tiling.tile_m * e.tiling.tile_n < 128 * 64);
}
