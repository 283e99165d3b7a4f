//! The CPU model.

use arch::gpu::{Bound, DType, KernelModel, KernelRequest};

use crate::common::{cpu, us};
use crate::gpu_model::every_class;

#[test]
fn every_cpu_preset_runs_every_kernel_class() {
    for (name, _) in arch::cpu::presets() {
        let c = cpu(name);
        for r in every_class(DType::Bf16) {
            let e = c
                .estimate(&r)
                .unwrap_or_else(|err| panic!("{name} {}: {err}", r.class()));
            assert!(
                e.time > e.launch_time && e.energy_j > 0.0,
                "{name} {}",
                r.class()
            );
            assert!(
                e.average_power_w() <= c.spec().tdp_w * (1.0 + 1e-9),
                "{name} {}",
                r.class()
            );
        }
    }
}

#[test]
fn amx_runs_bf16_gemms_and_icelake_falls_back_to_fp32() {
    let (m, n, k) = (2048u64, 4096u64, 4096u64);
    let flops = 2.0 * (m * n * k) as f64;
    let req = KernelRequest::Gemm {
        m,
        n,
        k,
        dtype: DType::Bf16,
    };
    // 8488C: AMX BF16 at 48 × 2.4 GHz × 1024 × 0.6 = 70.78 TFLOP/s → 970.9 µs + 5 µs.
    let spr = cpu("xeon-8488c").estimate(&req).unwrap();
    assert_eq!(spr.bound, Bound::Compute);
    let t = flops / (48.0 * 2.4e9 * 1024.0 * 0.6) * 1e6 + 5.0;
    assert!((us(spr.time) - t).abs() < 1e-3, "{} vs {t}", us(spr.time));
    // 8358P: no BF16 arithmetic, so FP32 AVX-512: 32 × 2.6 GHz × 64 × 0.8 = 4.26 T.
    let icx = cpu("xeon-8358p").estimate(&req).unwrap();
    let t = flops / (32.0 * 2.6e9 * 64.0 * 0.8) * 1e6 + 5.0;
    assert!((us(icx.time) - t).abs() < 1e-3);
}

#[test]
fn gemv_streams_from_dram_unless_it_fits_the_llc() {
    // 16384² FP16 = 512 MiB ≫ 48 MiB of L3: DRAM at 204.8 GB/s × 0.8.
    let x = cpu("xeon-8358p");
    let big = x
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 16384,
            k: 16384,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(big.bound, Bound::Memory);
    let bytes = 16384.0 * 16384.0 * 2.0 + 2.0 * 16384.0 * 2.0;
    assert_eq!(big.bytes_hbm, bytes);
    assert!((us(big.time) - (bytes / (204.8e9 * 0.8) * 1e6 + 5.0)).abs() < 1e-3);
    // 2048² FP16 = 8 MiB fits the L3: served at 16 B/clk × 32 cores × 2.6 GHz, no DRAM bytes.
    let small = x
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 2048,
            k: 2048,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(small.bytes_hbm, 0.0);
    let per_byte_small = us(small.time - small.launch_time) / (2048.0 * 2048.0);
    let per_byte_big = us(big.time - big.launch_time) / (16384.0 * 16384.0);
    assert!(per_byte_small < per_byte_big / 3.0);
}

#[test]
fn cpu_validation_names_the_key() {
    let text = arch::cpu::presets()[0]
        .1
        .replace("fp32 = 64  ", "fp32 = 32  ");
    let f = crate::common::parse(&text);
    match f.cpu.unwrap().validate("cpu") {
        Err(arch::ArchError::Invalid { key, message }) => {
            assert_eq!(key, "cpu.simd_ops_per_clk_per_core.fp32");
            assert!(message.contains("64"), "{message}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn scan_recurrence_floor_on_cpu() {
    // Batch 1, one channel × 16 states: 16 independent chains, little arithmetic (1.6 M
    // states × 14 lane ops at 1.06 T lane-op/s = 21 µs); 100 000 steps × 4 cycles at
    // 2.6 GHz = 153.8 µs of dependent FMAs bound the time.
    let e = cpu("xeon-8358p")
        .estimate(&KernelRequest::SelectiveScan {
            batch: 1,
            seq_len: 100_000,
            d_inner: 1,
            d_state: 16,
            dtype: DType::Fp32,
        })
        .unwrap();
    assert_eq!(e.bound, Bound::Latency);
    assert!((us(e.time) - 5.0 - 100_000.0 * 4.0 / 2.6e9 * 1e6).abs() < 1e-5);
}
