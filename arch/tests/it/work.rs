//! The dispatch layer (`arch::work`): each backend's estimate through `Platform::estimate`
//! equals the unit model called directly on the same request; hand-derived counts for the
//! element-wise chains; clear errors naming the class and what can run it instead.

use arch::ArchError;
use arch::Platform;
use arch::gpu::{KernelModel, KernelRequest};
use arch::imc::kernel::{AttentionShape, Kernel};
use arch::kernel::{Fidelity as KFidelity, GemmOptions, run_elementwise, run_gemm, run_softmax};
use arch::nonlinear::ElementwiseOp;
use arch::pe_array::GemmShape;
use arch::work::{Backend, Bound, DType, EstimateOptions, EwOp, Fidelity, NormKind, Unit, Work};

fn load(name: &str) -> Platform {
    Platform::load(name, &[]).unwrap()
}

fn est(p: &Platform, unit: Unit, w: &Work) -> arch::work::Estimate {
    p.estimate(unit, w, &EstimateOptions::default()).unwrap()
}

fn gemm(m: u64, k: u64, n: u64, d: DType) -> Work {
    Work::Gemm {
        m,
        k,
        n,
        act: d,
        weight: d,
    }
}

#[test]
fn pe_array_gemm_is_run_gemm() {
    let p = load("generic-os-128");
    let e = est(&p, Unit::PeArray, &gemm(300, 200, 500, DType::Int8));
    let r = run_gemm(&p, GemmShape::new(300, 200, 500), &GemmOptions::default()).unwrap();
    assert_eq!(e.backend, Backend::Kernel(Box::new(r.clone())));
    assert_eq!(e.time.as_ps(), r.total_ps);
    // 128x128 OS, M=300 K=200 N=500: 3 · 4 folds of 128 + 128 + 200 − 2 = 454 cycles =
    // 5448 cycles at 1 GHz = 5448 ns of compute.
    assert_eq!(e.compute_time.as_ps(), 5_448_000);
    assert_eq!(e.flops, 2.0 * 300.0 * 200.0 * 500.0);
    assert_eq!(e.fidelity, Fidelity::TileEvents);
    assert_eq!(e.dram_bytes_read, r.dram_bytes_read);
    assert_eq!(e.onchip_bytes, r.sram_bytes_read + r.sram_bytes_written);
    let sum: f64 = e.energy.iter().map(|l| l.1).sum();
    assert!((sum - e.energy_pj).abs() <= 1e-9 * e.energy_pj);
    assert!(e.energy.iter().any(|l| l.0 == "pe_array.mac"));
    assert!(
        !e.detail.contains("format"),
        "int8 on an int8 array: {}",
        e.detail
    );
    // fp16 on the int8 array is said, not hidden.
    let e16 = est(&p, Unit::PeArray, &gemm(300, 200, 500, DType::Fp16));
    assert!(
        e16.detail.contains("int8 format") && e16.detail.contains("fp16"),
        "{}",
        e16.detail
    );
    // Level 3 through the options.
    let opts = EstimateOptions {
        fidelity: KFidelity::Roofline,
        ..Default::default()
    };
    let r3 = p
        .estimate(Unit::PeArray, &gemm(300, 200, 500, DType::Int8), &opts)
        .unwrap();
    assert_eq!(r3.fidelity, Fidelity::Roofline);
    assert!(r3.time <= e.time);
}

#[test]
fn vector_units_are_the_kernel_functions() {
    // MARCA: exp on the bypassed PEs, 4 passes: 4 · ⌈100000/4096⌉ + 1 = 101 cycles.
    let marca = load("marca");
    let w = Work::Elementwise {
        elements: 100_000,
        op: EwOp::Exp,
        n_inputs: 1,
        dtype: DType::Fp16,
    };
    let e = est(&marca, Unit::PeArray, &w);
    let r = run_elementwise(&marca, 100_000, ElementwiseOp::Exp, KFidelity::TileEvents).unwrap();
    assert_eq!(r.compute_cycles, 101);
    assert_eq!(e.backend, Backend::Kernel(Box::new(r)));
    // Softmax on tpu-v1's nonlinear unit.
    let tpu = load("tpu-v1");
    let w = Work::Softmax {
        rows: 8,
        len: 512,
        dtype: DType::Fp16,
        integer: false,
    };
    let e = est(&tpu, Unit::Nonlinear, &w);
    let r = run_softmax(&tpu, 8, 512, KFidelity::TileEvents).unwrap();
    assert_eq!(e.time.as_ps(), r.total_ps);
    assert_eq!(e.flops, 5.0 * 8.0 * 512.0);
}

#[test]
fn marca_scan_chain_by_hand() {
    // b = 1, L = 16, d_inner = 256, d_state = 16 on 64x64 = 4096 PEs. Per state element:
    // mul, exp (degree 2: 3 mul + 4 add → 4 passes), mul, mul, mul, add, mul, add = 11
    // passes; a step's 1·256·16 = 4096 elements take ⌈4096/4096⌉ = 1 slot, so 11 cycles a
    // step, steps one after another: 16 · 11 + 1 = 177 cycles.
    let p = load("marca");
    let w = Work::Scan {
        batch: 1,
        seq_len: 16,
        d_inner: 256,
        d_state: 16,
        dtype: DType::Fp16,
    };
    let e = est(&p, Unit::PeArray, &w);
    let Backend::Kernel(r) = &e.backend else {
        panic!("{e:?}")
    };
    assert_eq!(r.compute_cycles, 177);
    // Off-chip: u, Δ (16·256 each), B, C (16·16 each), A (256·16) in, y (16·256) out, fp16:
    // (16·(2·256 + 2·16) + 4096)·2 = 25600 bytes read, 16·256·2 = 8192 written.
    assert_eq!(e.dram_bytes_read, 25_600);
    assert_eq!(e.dram_bytes_written, 8_192);
    // 7 flops per state element: 7 · 16 · 256 · 16.
    assert_eq!(e.flops, 7.0 * 16.0 * 256.0 * 16.0);
    // pe_array.mul: per element 1 + 3 + 1 + 1 + 1 + 1 = 8 multiplies over 65536 elements.
    let muls = r
        .energy
        .iter()
        .find(|l| l.unit == "pe_array" && l.action == "mul")
        .unwrap();
    assert_eq!(muls.count, 8 * 65_536);
}

#[test]
fn rmsnorm_chain_by_hand() {
    // generic-os-128's nonlinear unit: 128 lanes of 16 bits, latency 4 (preset). RMSNorm
    // is 4 operations per element = 4 passes: 4 rows × 1024 = 4096 elements →
    // 4 · ⌈4096/128⌉ + latency.
    let p = load("generic-os-128");
    let nl = p.nonlinear.as_ref().unwrap();
    let w = Work::Norm {
        rows: 4,
        len: 1024,
        kind: NormKind::Rms,
        dtype: DType::Fp16,
    };
    let e = est(&p, Unit::Nonlinear, &w);
    let Backend::Kernel(r) = &e.backend else {
        panic!("{e:?}")
    };
    assert_eq!(nl.lanes, 128);
    assert_eq!(r.compute_cycles, 4 * 32 + nl.latency_cycles);
    // x and γ in (4096 + 1024 elements), the output out, 2 bytes each.
    assert_eq!(e.dram_bytes_read, 5120 * 2);
    assert_eq!(e.dram_bytes_written, 4096 * 2);
}

#[test]
fn gpu_and_cpu_are_their_kernel_models() {
    let p = load("a100-sxm4-80gb");
    let a100 = p.gpu.as_ref().unwrap();
    let w = gemm(1, 4096, 4096, DType::Fp16);
    let e = est(&p, Unit::Gpu, &w);
    let direct = a100
        .estimate(&KernelRequest::Gemm {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(e.backend, Backend::Device(direct));
    assert_eq!(e.time, direct.time);
    assert_eq!(e.bound, Bound::Memory);
    // Never slower than the GEMV kernel alone (the model takes the cheaper).
    let gemv = a100
        .estimate(&KernelRequest::Gemv {
            m: 1,
            n: 4096,
            k: 4096,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert!(e.time <= gemv.time);
    // At least the weights at the datasheet's 2.039 TB/s: 4096·4096·2 B / 2.039e12 = 16.46 µs.
    assert!(e.seconds() > 33_554_432.0 / 2.039e12);
    // Output written share: 4096 fp16 outputs.
    assert_eq!(e.dram_bytes_written, 8192);
    let j: f64 = e.energy.iter().map(|l| l.1).sum();
    assert!((j - direct.energy_j * 1e12).abs() < 1e-3 * j);

    // int4 weights with fp16 activations: a fused weight-only product, per-channel scales.
    let w = Work::Gemm {
        m: 1,
        k: 4096,
        n: 4096,
        act: DType::Fp16,
        weight: DType::Int4,
    };
    let e = est(&p, Unit::Gpu, &w);
    let q = a100
        .estimate(&KernelRequest::QuantGemm {
            m: 1,
            n: 4096,
            k: 4096,
            weight_bits: 4,
            group_size: 4096,
            act: DType::Fp16,
            fused_dequant: true,
        })
        .unwrap();
    assert_eq!(e.time, q.time);
    assert!(e.detail.contains("quantised"), "{}", e.detail);

    let p = load("xeon-8358p");
    let xeon = p.cpu.as_ref().unwrap();
    let w = Work::Scan {
        batch: 1,
        seq_len: 64,
        d_inner: 1536,
        d_state: 16,
        dtype: DType::Fp16,
    };
    let direct = xeon
        .estimate(&KernelRequest::SelectiveScan {
            batch: 1,
            seq_len: 64,
            d_inner: 1536,
            d_state: 16,
            dtype: DType::Fp16,
        })
        .unwrap();
    assert_eq!(est(&p, Unit::Cpu, &w).time, direct.time);
}

#[test]
fn in_memory_units_are_their_models() {
    let p = load("imc-sram-7nm");
    let e = est(&p, Unit::Crossbar, &gemm(1, 512, 256, DType::Int8));
    let direct = p
        .crossbar
        .as_ref()
        .unwrap()
        .estimate(&Kernel::Gemv { k: 512, n: 256 })
        .unwrap();
    assert_eq!(e.time, direct.time);
    assert_eq!(e.energy_pj, direct.energy_pj());

    let p = load("imc-softmap");
    let w = Work::Softmax {
        rows: 4,
        len: 128,
        dtype: DType::Int8,
        integer: true,
    };
    let direct = p
        .assoc_processor
        .as_ref()
        .unwrap()
        .estimate(&Kernel::Softmax { rows: 4, len: 128 })
        .unwrap();
    assert_eq!(est(&p, Unit::AssocProcessor, &w).time, direct.time);

    let p = load("pim-attacc");
    let w = Work::Attention(arch::work::AttentionShape {
        batch: 2,
        heads: 32,
        kv_heads: 8,
        q_len: 1,
        kv_len: 512,
        head_dim: 128,
        causal: true,
        dtype: DType::Fp16,
        kv_dtype: DType::Fp16,
        kv_group: 0,
    });
    let e = est(&p, Unit::Pim, &w);
    let direct = p
        .pim
        .as_ref()
        .unwrap()
        .estimate(&Kernel::Attention(AttentionShape {
            batch: 2,
            heads: 32,
            kv_heads: 8,
            seq_len: 512,
            head_dim: 128,
            kv_bits: None,
            kv_group: 0,
        }))
        .unwrap();
    assert_eq!(e.time, direct.time);
    assert_eq!(e.bound, Bound::Memory);
    assert_eq!(p.candidate_units(&w), vec![Unit::Pim]);
}

#[test]
fn attention_on_a_pe_array_is_three_parts() {
    // GQA: 8 query heads over 2 KV heads → 4 query rows per KV head per query token;
    // q_len = 16 → 64 rows. Instances: batch 3 × kv_heads 2 = 6.
    let p = load("generic-os-128");
    let w = Work::Attention(arch::work::AttentionShape {
        batch: 3,
        heads: 8,
        kv_heads: 2,
        q_len: 16,
        kv_len: 128,
        head_dim: 64,
        causal: false,
        dtype: DType::Int8,
        kv_dtype: DType::Int8,
        kv_group: 0,
    });
    let e = est(&p, Unit::PeArray, &w);
    let Backend::Parts { parts, instances } = &e.backend else {
        panic!("{e:?}")
    };
    assert_eq!(*instances, 6);
    let o = GemmOptions::default();
    let qk = run_gemm(&p, GemmShape::new(64, 64, 128), &o).unwrap();
    let sm = run_softmax(&p, 64, 128, KFidelity::TileEvents).unwrap();
    let pv = run_gemm(&p, GemmShape::new(64, 128, 64), &o).unwrap();
    assert_eq!(parts[0].time.as_ps(), qk.total_ps);
    assert_eq!(parts[1].time.as_ps(), sm.total_ps);
    assert_eq!(parts[1].unit, Unit::Nonlinear);
    assert_eq!(parts[2].time.as_ps(), pv.total_ps);
    assert_eq!(
        e.time.as_ps(),
        6 * (qk.total_ps + sm.total_ps + pv.total_ps)
    );
    // Useful flops: 4 · b · h · d · q · kv = 4 · 3 · 8 · 64 · 16 · 128.
    assert_eq!(e.flops, 4.0 * 3.0 * 8.0 * 64.0 * 16.0 * 128.0);
    assert!(e.detail.contains("decomposed"), "{}", e.detail);
}

#[test]
fn unsupported_names_the_class_and_the_alternatives() {
    let p = load("generic-os-128");
    let w = gemm(8, 8, 8, DType::Int8);
    match p.estimate(Unit::Gpu, &w, &EstimateOptions::default()) {
        Err(ArchError::Unsupported {
            unit,
            class,
            reason,
        }) => {
            assert_eq!(unit, "generic-os-128 gpu");
            assert_eq!(class, "gemm");
            assert!(
                reason.contains("no [gpu]") && reason.contains("runs on: pe_array"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    let w = Work::Softmax {
        rows: 1,
        len: 16,
        dtype: DType::Fp16,
        integer: false,
    };
    let e = load("eyeriss").preferred_unit(&w).unwrap_err().to_string();
    assert!(
        e.starts_with("eyeriss cannot run softmax: no unit of this ASIC platform"),
        "{e}"
    );
    let e = load("imc-softmap")
        .estimate(Unit::AssocProcessor, &w, &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("integer-only softmax"), "{e}");
    let e = load("imc-sram-7nm")
        .estimate(Unit::Crossbar, &w, &EstimateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot run softmax") && e.contains("no unit of this IMC platform"),
        "{e}"
    );
    // Invalid shapes are Invalid, not Unsupported.
    let e = p
        .estimate(
            Unit::PeArray,
            &gemm(0, 8, 8, DType::Int8),
            &EstimateOptions::default(),
        )
        .unwrap_err();
    assert!(
        matches!(e, ArchError::Invalid { ref key, .. } if key == "kernel.m"),
        "{e:?}"
    );
    let huge = gemm(1 << 20, 1 << 20, 1 << 20, DType::Int8);
    assert!(matches!(huge.validate(), Err(ArchError::Invalid { .. })));
}

#[test]
fn preferences() {
    let sm = Work::Softmax {
        rows: 2,
        len: 64,
        dtype: DType::Fp16,
        integer: true,
    };
    assert_eq!(
        load("generic-os-128").candidate_units(&sm),
        vec![Unit::Nonlinear]
    );
    assert_eq!(load("marca").candidate_units(&sm), vec![Unit::PeArray]);
    assert_eq!(
        load("imc-softmap").candidate_units(&sm),
        vec![Unit::AssocProcessor]
    );
    assert_eq!(load("rtx-4090").candidate_units(&sm), vec![Unit::Gpu]);
    assert!(load("imc-softmap").can_run(Unit::AssocProcessor, &sm));
    let g = gemm(1, 64, 64, DType::Fp16);
    assert_eq!(load("pim-hbm-pim").candidate_units(&g), vec![Unit::Pim]);
    assert_eq!(
        load("imc-reram-isaac").preferred_unit(&g).unwrap(),
        Unit::Crossbar
    );
    assert_eq!(Unit::parse("PE-array").unwrap(), Unit::PeArray);
    assert!(
        Unit::parse("gpuu")
            .unwrap_err()
            .to_string()
            .contains("did you mean `gpu`")
    );
}

#[test]
fn peaks_match_the_datasheets() {
    // A100: 108 SMs × 2048 FP16 ops/clk × 1410 MHz = 311.87 TFLOP/s; 2.039 TB/s; 40 MiB L2.
    let pk = load("a100-sxm4-80gb").peak();
    assert!((pk.flops_per_s(DType::Fp16).unwrap() / 1e12 - 311.87).abs() < 0.01);
    assert_eq!(pk.dram_bytes_per_s, Some(2.039e12));
    assert_eq!(pk.onchip_bytes, Some(41_943_040));
    // generic-os-128: 128 · 128 int8 MACs × 2 × 1 GHz = 32.768 TOPS; 16 MiB buffer.
    let pk = load("generic-os-128").peak();
    assert_eq!(pk.flops_per_s(DType::Int8), Some(32.768e12));
    assert_eq!(pk.flops_per_s(DType::Fp16), None);
    assert_eq!(pk.onchip_bytes, Some(16 * 1024 * 1024));
    // One HBM2e stack: 8 channels × 128 bits / 8 × 3200 MT/s = 409.6 GB/s.
    assert_eq!(pk.dram_bytes_per_s, Some(409.6e9));
    // Groq LPU: 4 · 320² · 2 · 900 MHz = 737.28 TOPS int8; no DRAM; 80 TB/s on chip.
    let pk = load("groq-lpu").peak();
    assert!((pk.flops_per_s(DType::Int8).unwrap() - 737.28e12).abs() < 1e6);
    assert_eq!(pk.dram_bytes_per_s, None);
    assert_eq!(pk.internal_bytes_per_s, Some(80e12));
}
