//! Presets: every file parses as a whole platform, cites its sources, runs its kernel
//! classes, and its peak compute and bandwidths equal its sources.

use arch::ArchError;
use arch::imc::assoc::AssocProcessorSpec;
use arch::imc::crossbar::CrossbarSpec;
use arch::imc::kernel::{AttentionShape, ElementwiseOp, Kernel, KernelClass};
use arch::pim::{Pim, PimSpec};
use serde::Deserialize;

/// A platform file as far as this issue needs it (until the platform loader exists).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    name: String,
    description: String,
    sources: Vec<String>,
    tech_nm: f64,
    clock_mhz: Option<f64>,
    crossbar: Option<CrossbarSpec>,
    assoc_processor: Option<AssocProcessorSpec>,
    pim: Option<PimSpec>,
    host: Option<arch::host::RawHost>,
}

enum Unit {
    Crossbar(arch::imc::crossbar::Crossbar),
    Ap(arch::imc::assoc::AssocProcessor),
    Pim(Pim),
}

impl Unit {
    fn estimate(&self, k: &Kernel) -> Result<arch::imc::kernel::KernelEstimate, ArchError> {
        match self {
            Unit::Crossbar(x) => x.estimate(k),
            Unit::Ap(a) => a.estimate(k),
            Unit::Pim(p) => p.estimate(k),
        }
    }
}

fn load(name: &str) -> (PlatformFile, Unit) {
    let all: Vec<_> = arch::imc::presets()
        .into_iter()
        .chain(arch::pim::presets())
        .collect();
    let (_, text) = all.iter().find(|(n, _)| *n == name).unwrap();
    let f: PlatformFile = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let unit = if let Some(x) = &f.crossbar {
        Unit::Crossbar(x.validate_with_clock("crossbar", f.clock_mhz).unwrap())
    } else if let Some(a) = &f.assoc_processor {
        Unit::Ap(
            a.validate_with_clock("assoc_processor", f.clock_mhz)
                .unwrap(),
        )
    } else if let Some(p) = &f.pim {
        Unit::Pim(p.validate("pim").unwrap())
    } else {
        panic!("{name}: no unit section")
    };
    (f, unit)
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got / want - 1.0).abs() <= rel
}

#[test]
fn every_preset_parses_cites_and_runs_its_kernel_classes() {
    let attention = Kernel::Attention(AttentionShape {
        batch: 4,
        heads: 32,
        kv_heads: 32,
        seq_len: 1024,
        head_dim: 128,
        kv_bits: None,
        kv_group: 0,
    });
    let kernels = [
        Kernel::Gemv { k: 4096, n: 4096 },
        Kernel::Gemm {
            m: 8,
            k: 4096,
            n: 4096,
        },
        Kernel::Softmax {
            rows: 32,
            len: 1024,
        },
        Kernel::Elementwise {
            op: ElementwiseOp::Mul,
            n: 1 << 20,
        },
        attention,
    ];
    // Which classes each preset runs (the rest must say clearly that they cannot).
    let runs: [(&str, &[KernelClass]); 7] = [
        ("imc-reram-isaac", &[KernelClass::Gemv, KernelClass::Gemm]),
        ("imc-sram-7nm", &[KernelClass::Gemv, KernelClass::Gemm]),
        (
            "imc-softmap",
            &[KernelClass::Softmax, KernelClass::Elementwise],
        ),
        (
            "pim-aimx",
            &[
                KernelClass::Gemv,
                KernelClass::Gemm,
                KernelClass::Elementwise,
            ],
        ),
        (
            "pim-hbm-pim",
            &[
                KernelClass::Gemv,
                KernelClass::Gemm,
                KernelClass::Elementwise,
            ],
        ),
        (
            "pim-attacc",
            &[
                KernelClass::Gemv,
                KernelClass::Gemm,
                KernelClass::Softmax,
                KernelClass::Elementwise,
                KernelClass::Attention,
            ],
        ),
        (
            "pim-upmem",
            &[
                KernelClass::Gemv,
                KernelClass::Gemm,
                KernelClass::Elementwise,
            ],
        ),
    ];
    let listed: Vec<&str> = arch::imc::presets()
        .into_iter()
        .chain(arch::pim::presets())
        .map(|(n, _)| n)
        .collect();
    assert_eq!(listed.len(), runs.len());
    for (name, classes) in runs {
        let (f, unit) = load(name);
        assert_eq!(f.name, name);
        assert!(
            !f.description.is_empty() && !f.sources.is_empty() && f.tech_nm > 0.0,
            "{name}"
        );
        // None runs norms: each names a digital host ([host], or AttAcc's GPUs in
        // [pim.attention]) and cites it.
        assert!(
            f.host.as_ref().is_some_and(|h| !h.sources.is_empty()) || name == "pim-attacc",
            "{name}"
        );
        for k in &kernels {
            match unit.estimate(k) {
                Ok(est) => {
                    assert!(classes.contains(&k.class()), "{name} ran {}", k.class());
                    assert!(
                        est.cycles > 0 && est.energy_pj() > 0.0,
                        "{name} {}",
                        k.class()
                    );
                }
                Err(ArchError::Unsupported { class, reason, .. }) => {
                    assert!(
                        !classes.contains(&k.class()),
                        "{name} refused {}: {reason}",
                        k.class()
                    );
                    assert_eq!(class, k.class().name());
                }
                Err(e) => panic!("{name} {}: {e}", k.class()),
            }
        }
    }
}

#[test]
fn isaac_matches_its_paper() {
    let (_, Unit::Crossbar(x)) = load("imc-reram-isaac") else {
        panic!()
    };
    // 168 tiles × 12 IMAs × 8 crossbars = 16 128 crossbars, each 128 rows × 16 weights
    // every 16 steps of 100 ns: 16 128 × 2 048 MACs / 1.6 µs × 2 = 41.29 TOPS.
    assert_eq!(x.crossbars(), 16_128);
    assert!(close(
        x.peak_ops_per_s(),
        16_128.0 * 2048.0 / 1.6e-6 * 2.0,
        1e-9
    ));
    // 8-bit conversion: 16 mW × 100 ns / 1 024 conversions = 1.5625 pJ (Table I).
    assert!(close(x.energy.adc_conversion_pj, 1.5625, 1e-9));
    // ISAAC's ADC resolution rule gives 9 bits; its encoding saves one.
    assert_eq!(x.lossless_adc_bits(), 9);
    // One crossbar's GEMV (K = 128, N = 16), by hand at 1.28 GHz: inputs 256 B at
    // 3.125 B/cycle = 82 cycles; buffer 256 B at 8 B/cycle = 32; 16 activations every
    // max(128, 128) cycles: 128 + 128 + 15·128 + 1 = 2 177; outputs 32 B = 11 cycles.
    let est = x.gemm(1, 128, 16).unwrap();
    assert_eq!(est.cycles, 82 + 32 + 2177 + 11);
    assert_eq!(est.count("adc_conversions"), 16 * 128);
}

#[test]
fn sram_macro_matches_its_paper() {
    let (_, Unit::Crossbar(x)) = load("imc-sram-7nm") else {
        panic!()
    };
    // 1 024 MACs per 5.5 ns access: 372.4 GOPS.
    assert!(close(x.peak_ops_per_s(), 372.4e9, 1e-3));
    // One full access (K = 64, N = 16): 2 048 operations for 5.835 pJ = 351 TOPS/W.
    let est = x.gemm(1, 64, 16).unwrap();
    let macro_pj =
        est.energy_of("crossbar_read") + est.energy_of("adc_conversion") + est.energy_of("dac");
    assert!(
        close(2048.0 / (macro_pj * 1e-12), 351e12, 2e-3),
        "{macro_pj} pJ"
    );
    assert_eq!(est.count("shift_adds"), 0);
}

#[test]
fn softmap_runs_llama_shapes() {
    let (_, Unit::Ap(ap)) = load("imc-softmap") else {
        panic!()
    };
    // No published peak: check the organisation and that Llama-2-7B decode softmax
    // (32 heads, L = 4096) fits in one round (one 4 096-word row per array).
    assert_eq!(ap.words * ap.arrays, 262_144);
    let est = ap.softmax(32, 4096).unwrap();
    assert_eq!(est.count("rounds"), 1);
    assert!(est.count("columns_per_word") <= ap.word_bits);
    // Word-parallel 16-bit adds: 262 144 results per 64 + 65 cycles at 1 GHz.
    assert!(close(
        ap.peak_elementwise_ops_per_s(ElementwiseOp::Add),
        262_144.0 * 1e9 / 129.0,
        1e-12
    ));
}

#[test]
fn bank_pim_presets_match_their_sources() {
    let bank = |name: &str| match load(name).1 {
        Unit::Pim(Pim::Bank(b)) => b,
        _ => panic!("{name}"),
    };
    // AiM device (ISSCC 2022, Hot Chips 2023): 1 TFLOPS (2 ch × 16 banks × 16 MACs × 2 ×
    // 1 GHz = 1.024 TFLOPS), 512 GB/s internal and 32 GB/s external per channel.
    let aim = bank("pim-aimx");
    let per_device = |x: f64| x / aim.devices as f64;
    assert!(close(per_device(aim.peak_flops()), 1.024e12, 1e-9));
    assert!(close(
        aim.internal_bytes_per_s() / aim.channels() as f64,
        512e9,
        1e-9
    ));
    assert!(close(
        aim.external_bytes_per_s() / aim.channels() as f64,
        32e9,
        1e-9
    ));
    // HBM-PIM (ISSCC 2021): 1.2 TFLOPS per cube (128 units × 16 lanes × 2 × 300 MHz),
    // 307.2 GB/s external, internal 4× external.
    let hbm = bank("pim-hbm-pim");
    assert!(close(hbm.peak_flops(), 1.2288e12, 1e-9));
    assert!(close(hbm.external_bytes_per_s(), 307.2e9, 1e-9));
    // (tCCD = 3.3333 ns is held in whole picoseconds, 3 333 ps: within 1e-3.)
    assert!(close(
        hbm.internal_bytes_per_s() / hbm.external_bytes_per_s(),
        4.0,
        1e-3
    ));
    // AttAcc (simulator config): 670.4 GB/s external per HBM3 stack, bank-level internal
    // bandwidth 16× (BW_SCALE), compute 1 op per internal byte, 40 stacks.
    let att = bank("pim-attacc");
    assert_eq!(att.devices, 40);
    assert!(close(att.external_bytes_per_s() / 40.0, 670.4e9, 1e-9));
    assert!(close(
        att.internal_bytes_per_s() / att.external_bytes_per_s(),
        16.0,
        1e-4
    ));
    assert!(close(att.peak_flops(), att.internal_bytes_per_s(), 1e-4));
    let offload = att.attention.as_ref().unwrap();
    assert_eq!(offload.host_platform.as_deref(), Some("A100-SXM4-80GB"));
    assert_eq!(offload.host_devices, 8);
}

#[test]
fn upmem_matches_its_paper() {
    let (_, Unit::Pim(Pim::Dpu(d))) = load("pim-upmem") else {
        panic!()
    };
    // 20 DIMMs × 128 DPUs; 628.23 MB/s MRAM and 58.56 MOPS int32 add per DPU.
    assert_eq!(d.dpus, 2560);
    assert!(close(d.internal_bytes_per_s(), 2560.0 * 628.23e6, 1e-12));
    assert!(close(d.peak_add_ops_per_s(), 2560.0 * 58.56e6, 1e-12));
}
