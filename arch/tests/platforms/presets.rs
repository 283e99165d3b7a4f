//! Every preset parses, cites sources, and reproduces its datasheet peaks.

use arch::gpu::DType;

use crate::common::{cpu, cpu_files, gpu, gpu_files, parse, rel};

/// `computed` agrees with a datasheet figure written as `stated` to the datasheet's own
/// rounding: within half a unit of its last digit, or 0.3 % (NVIDIA rounds some figures
/// from already-rounded ones: GA102's INT4 "568" is 4 × "142", while 82 SMs × 1695 MHz ×
/// 4096 = 569.3).
fn matches_datasheet(computed: f64, stated: &str) -> bool {
    let v: f64 = stated.parse().unwrap();
    let decimals = stated.split('.').nth(1).map_or(0, str::len) as i32;
    let half_ulp = 0.5 * 10f64.powi(-decimals);
    (computed - v).abs() <= half_ulp || rel(computed, v) <= 0.003
}

#[test]
fn every_preset_file_parses_and_cites_sources() {
    let mut names = Vec::new();
    for (key, f) in gpu_files().into_iter().chain(cpu_files()) {
        assert!(!f.description.is_empty(), "{key}: description");
        assert!(!f.sources.is_empty(), "{key}: sources");
        assert!(f.tech_nm > 0, "{key}: tech_nm");
        assert!(
            f.gpu.is_some() ^ f.cpu.is_some(),
            "{key}: exactly one device section"
        );
        names.push(f.name.to_lowercase());
    }
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "preset display names are unique");
}

/// Dense datasheet peaks in TFLOP/s (TOPS for integers), as the datasheets print them.
/// `fp32` is the CUDA-core (vector) figure; AMD's FP32 matrix rate is `fp32m`.
/// (preset, [(format, stated TFLOP/s)], stated GB/s).
type Peaks = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const GPU_PEAKS: &[Peaks] = &[
    // NVIDIA A100 datasheet (SXM4 80GB): 312 FP16/BF16, 156 TF32, 624 INT8, 19.5 FP32; 2,039 GB/s.
    // A100 whitepaper: INT4 1248.
    (
        "a100-sxm4-80gb",
        &[
            ("fp16", "312"),
            ("bf16", "312"),
            ("tf32", "156"),
            ("int8", "624"),
            ("int4", "1248"),
            ("fp32", "19.5"),
        ],
        "2039",
    ),
    // H100 datasheet (SXM), dense = half the sparse figures; whitepaper Table 3 for 989.4.
    (
        "h100-sxm5-80gb",
        &[
            ("fp16", "989.4"),
            ("bf16", "989.4"),
            ("fp8", "1978.9"),
            ("int8", "1978.9"),
            ("tf32", "494.7"),
            ("fp32", "66.9"),
        ],
        "3350",
    ),
    // H20 product brief: 148 FP16/BF16, 296 FP8/INT8, 74 TF32, 44 FP32; 4.0 TB/s.
    (
        "h20",
        &[
            ("fp16", "148"),
            ("bf16", "148"),
            ("fp8", "296"),
            ("int8", "296"),
            ("tf32", "74"),
            ("fp32", "44"),
        ],
        "4000",
    ),
    // Ada whitepaper, RTX 4090, FP32-accumulate tensor rates: 165.2 FP16/BF16, 330.3 FP8,
    // 82.6 TF32, 660.6 INT8, 1321.2 INT4, 82.6 FP32; 1008 GB/s.
    (
        "rtx-4090",
        &[
            ("fp16", "165.2"),
            ("bf16", "165.2"),
            ("fp8", "330.3"),
            ("tf32", "82.6"),
            ("int8", "660.6"),
            ("int4", "1321.2"),
            ("fp32", "82.6"),
        ],
        "1008",
    ),
    // GA102 whitepaper, RTX 3090, FP32-accumulate: 71 FP16/BF16, 35.6 TF32, 284 INT8, 568 INT4,
    // 35.6 FP32; 936 GB/s.
    (
        "rtx-3090",
        &[
            ("fp16", "71"),
            ("bf16", "71"),
            ("tf32", "35.6"),
            ("int8", "284"),
            ("int4", "568"),
            ("fp32", "35.6"),
        ],
        "936",
    ),
    // Jetson AGX Orin 64GB: GPU 170 sparse INT8 TOPS (85 dense), 5.3 FP32 TFLOP/s; 204.8 GB/s.
    (
        "jetson-agx-orin-64gb",
        &[("int8", "85"), ("fp32", "5.3")],
        "204.8",
    ),
    // MI210 datasheet: 181.0 FP16/BF16/INT8/INT4 matrix, 45.3 FP32 matrix, 22.6 FP32 vector;
    // 1638.4 GB/s.
    (
        "mi210",
        &[
            ("fp16", "181.0"),
            ("bf16", "181.0"),
            ("int8", "181.0"),
            ("int4", "181.0"),
            ("fp32m", "45.3"),
            ("fp32", "22.6"),
        ],
        "1638.4",
    ),
];

#[test]
fn gpu_peaks_equal_their_datasheets() {
    for (name, peaks, bw) in GPU_PEAKS {
        let g = gpu(name);
        for (fmt, stated) in *peaks {
            let computed = match *fmt {
                "fp32" => g.fp32_peak_flops(),
                "fp32m" => g.tensor_peak_ops(DType::Fp32).unwrap(),
                f => g.tensor_peak_ops(DType::parse(f).unwrap()).unwrap(),
            } / 1e12;
            assert!(
                matches_datasheet(computed, stated),
                "{name} {fmt}: {computed} vs datasheet {stated}"
            );
        }
        let bw_gbs = g.mem_bytes_per_s() / 1e9;
        assert!(
            matches_datasheet(bw_gbs, bw),
            "{name} bandwidth {bw_gbs} vs {bw}"
        );
    }
}

#[test]
fn every_single_gpu_preset_is_checked() {
    let checked: Vec<&str> = GPU_PEAKS.iter().map(|p| p.0).collect();
    for name in crate::common::single_gpus() {
        assert!(checked.contains(&name), "{name} has no datasheet check");
    }
}

#[test]
fn h100_tensor_peaks_use_the_tensor_clock() {
    // 132 SMs × 4096 ops/clk × 1830 MHz = 989.43 T; at the 1980 MHz FP32 clock it would be
    // 1070.5 T, which the datasheet does not state.
    let g = gpu("h100-sxm5-80gb");
    assert_eq!(g.tensor_clock_hz(), 1830e6);
    assert_eq!(g.clock_hz(), 1980e6);
}

#[test]
fn cpu_peaks_and_bandwidth_by_hand() {
    // Xeon 8358P: 8 × DDR4-3200 × 8 bytes = 204.8 GB/s; 32 cores × 2.6 GHz × 64 = 5.3248 TFLOP/s.
    let x = cpu("xeon-8358p");
    assert_eq!(x.mem_bytes_per_s(), 204.8e9);
    assert!(rel(x.simd_peak_ops(DType::Fp32).unwrap(), 5.3248e12) < 1e-12);
    assert!(x.matrix_peak_ops(DType::Bf16).is_none());
    // Xeon 8488C: 8 × DDR5-4800 × 8 = 307.2 GB/s; AMX BF16 48 × 2.4 GHz × 1024 = 117.96 T.
    let s = cpu("xeon-8488c");
    assert_eq!(s.mem_bytes_per_s(), 307.2e9);
    assert!(rel(s.matrix_peak_ops(DType::Bf16).unwrap(), 117.9648e12) < 1e-12);
    assert!(rel(s.matrix_peak_ops(DType::Int8).unwrap(), 235.9296e12) < 1e-12);
    // Apple: 800 GB/s; 16 P-cores × 3.49 GHz × 32 = 1.787 TFLOP/s FP32.
    let m = cpu("m2-ultra");
    assert_eq!(m.mem_bytes_per_s(), 800e9);
    assert_eq!(m.spec().cores, 24);
    assert!(rel(m.simd_peak_ops(DType::Fp32).unwrap(), 1.78688e12) < 1e-12);
    // Snapdragon 8 Gen 3: LPDDR5X 4800 MHz × 2 × 8 bytes = 76.8 GB/s (product brief).
    let q = cpu("snapdragon-8-gen3");
    assert_eq!(q.mem_bytes_per_s(), 76.8e9);
    // Compute: the 6 big cores (1 × X4 + 5 × A720, product brief) at the preset's sustained
    // 3.0 GHz (an estimate between the A720's 3.15 and the brief's 3.3 GHz prime clock),
    // two 128-bit NEON FMA pipes (A720 TRM): FP32 4 lanes × 2 ops × 2 pipes = 16 per clock
    // → 6 × 3.0e9 × 16 = 288 GFLOP/s; FP16 8 lanes → 576 GFLOP/s; INT8 SDOT 16 lanes × 2 ×
    // 2 = 64 per clock → 1.152 TOPS.
    assert_eq!(q.spec().cores, 8);
    assert!(rel(q.simd_peak_ops(DType::Fp32).unwrap(), 288e9) < 1e-12);
    assert!(rel(q.simd_peak_ops(DType::Fp16).unwrap(), 576e9) < 1e-12);
    assert!(rel(q.simd_peak_ops(DType::Int8).unwrap(), 1.152e12) < 1e-12);
    assert!(q.matrix_peak_ops(DType::Bf16).is_none());
}

#[test]
fn multi_device_presets_copy_their_single_device() {
    let singles = gpu_files();
    for (key, f) in gpu_files() {
        let Some(sys) = &f.system else { continue };
        let system = sys.validate("system").unwrap();
        assert!(system.devices() >= 2, "{key}");
        let g = f.gpu.as_ref().unwrap();
        let twin = singles
            .iter()
            .find(|(_, s)| s.system.is_none() && s.gpu.as_ref() == Some(g))
            .unwrap_or_else(|| panic!("{key}: [gpu] matches no single-GPU preset"));
        assert!(key.contains(twin.0), "{key} copies {}", twin.0);
        assert_eq!(arch::system::preset(key).unwrap(), system);
    }
}

#[test]
fn unknown_preset_names_suggest() {
    match arch::gpu::preset("a100-sxm4-80g") {
        Err(arch::ArchError::UnknownName {
            suggestion, valid, ..
        }) => {
            assert_eq!(suggestion.as_deref(), Some("a100-sxm4-80gb"));
            assert!(valid.len() >= 7);
        }
        other => panic!("expected UnknownName, got {other:?}"),
    }
    assert!(matches!(
        arch::cpu::preset("xeon-8358"),
        Err(arch::ArchError::UnknownName { .. })
    ));
}

#[test]
fn unknown_keys_in_a_gpu_section_are_rejected() {
    let text = arch::gpu::presets()[0]
        .1
        .replace("sm_count = 108", "sm_cout = 108");
    let err = toml::from_str::<crate::common::File>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `sm_cout`"), "{err}");
    let _ = parse(arch::gpu::presets()[0].1);
}
