//! FPGA and dataflow-ASIC platforms: preset peaks against their sources, DSP / block-RAM
//! budgets as errors with their numbers, the fabric-side memory-port limit, the sparse
//! factor, and SRAM-only (no DRAM) platforms. Expected values are derived by hand in the
//! comments.

use arch::kernel::{Fidelity, GemmOptions, run_elementwise, run_gemm, run_gemv, run_softmax};
use arch::nonlinear::ElementwiseOp;
use arch::pe_array::GemmShape;
use arch::{ArchError, Platform};
use toml::Value;

fn load(name: &str) -> Platform {
    Platform::load(name, &[]).unwrap()
}

fn load_err(name: &str, set: &[(&str, Value)]) -> String {
    let o: Vec<(String, Value)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Platform::load(name, &o).unwrap_err().to_string()
}

fn roofline() -> GemmOptions {
    GemmOptions {
        fidelity: Fidelity::Roofline,
        ..Default::default()
    }
}

#[test]
fn flightllm_u280_peaks_and_budgets() {
    let p = load("flightllm-u280");
    // Artifact: 4096 MACs per core; 3 cores (inferred from the reported DSP count) at 225 MHz
    // (the reported U280 clock; the artifact's profiler also uses CLOCK_FREQ_MHZ = 225):
    // 12288 × 225e6 = 2.7648e12 MAC/s = 5.5296 TOPS dense; × 1.6 sparse = 8.847 TOPS.
    assert_eq!(p.peak_macs_per_s(), Some(2.7648e12));
    assert_eq!(p.peak_ops_per_s(), Some(5.5296e12));
    assert_eq!(p.effective_macs_factor(), 1.6);
    // HBM2 behind 32 AXI ports × 14.375 GB/s = 460 GB/s (UG1393).
    assert_eq!(p.external_bytes_per_s().unwrap(), Some(460e9));
    // Buffer ports: 128 banks × 128 B = 16384 B/cycle × 225 MHz = 3.6864 TB/s.
    assert_eq!(p.internal_bytes_per_s(), Some(3.6864e12));
    let f = p.fpga.as_ref().unwrap();
    // int8 on DSP48E2: 2 MACs per slice (WP486) → 12288 / 2 = 6144 of 9024.
    assert_eq!(
        (f.macs_per_dsp, f.dsps_needed, f.dsp_slices),
        (2.0, 6144, 9024)
    );
    // 2016 BRAM36 × 4096 B + 960 URAM × 32768 B = 8,257,536 + 31,457,280.
    assert_eq!(f.block_ram_bytes(), 39_714_816);
    // FlightLLM's U280 build reportedly uses 6345 DSP48E2 (arXiv 2401.03868, implementation
    // table, as reported by a third-party summary; see the preset): the 6144 the three cores'
    // MACs need fit in it, four cores (8192) would not.
    assert!(f.dsps_needed <= 6345 && f.dsps_needed * 4 / 3 > 6345);
    // ... and 1252 BRAM36 + 792 URAM = 5,128,192 + 25,952,256 = 31,080,448 B, which holds the
    // preset's 28032 KiB = 28,704,768 B of buffers.
    let buffer = p.global_buffer.as_ref().unwrap().size_bytes;
    assert_eq!(buffer, 28_704_768);
    assert!(buffer <= 1252 * 4096 + 792 * 32768);
}

#[test]
fn flightllm_vhk158_and_edgellm_peaks() {
    let p = load("flightllm-vhk158");
    // Artifact: SLR_NUM 4 × 4096 MACs at 225 MHz: 16384 × 225e6 = 3.6864e12 MAC/s.
    assert_eq!(p.peak_ops_per_s(), Some(7.3728e12));
    // Two HBM2e stacks: 2 × 8 × 128 bit × 3.2 Gb/s = 819.2 GB/s (artifact: 819.2).
    assert_eq!(p.external_bytes_per_s().unwrap(), Some(819.2e9));
    // DSP58, int8: 3 per engine → ⌈16384 / 3⌉ = 5462, of the XCVH1582's 7,392 DSP58 (the
    // VHK158 carries the XCVH1582, AMD UG1611; counts from AMD DS950's Versal HBM table).
    let f = p.fpga.as_ref().unwrap();
    assert_eq!((f.dsps_needed, f.dsp_slices), (5462, 7392));
    // 2,541 BRAM36 × 4096 B + 1,301 URAM × 32768 B = 10,407,936 + 42,631,168 = 53,039,104 B,
    // which holds the 4 × (8 MiB + 128 KiB + 1 MiB) = 38,273,024 B of buffers.
    assert_eq!(f.block_ram_bytes(), 53_039_104);
    assert_eq!(p.global_buffer.as_ref().unwrap().size_bytes, 38_273_024);

    let p = load("edgellm-vcu128");
    // 4096 fp16 MACs × 225 MHz (estimate) = 9.216e11 MAC/s; VCU128 HBM2 460 GB/s.
    assert_eq!(p.peak_ops_per_s(), Some(1.8432e12));
    assert_eq!(p.external_bytes_per_s().unwrap(), Some(460e9));
    // fp16 on DSP48E2: 1 per slice → 4096 slices.
    assert_eq!(p.fpga.as_ref().unwrap().dsps_needed, 4096);
}

#[test]
fn groq_lpu_peaks_match_the_published_figures() {
    let p = load("groq-lpu");
    // 4 planes × 320 × 320 = 409,600 int8 MACs × 2 × 900 MHz = 737.28 TOPS (Groq: "750",
    // rounded: within 2 %).
    let ops = p.peak_ops_per_s().unwrap();
    assert_eq!(ops, 737.28e12);
    assert!((ops / 750e12 - 1.0).abs() < 0.02);
    // 80 TB/s of on-die SRAM bandwidth; no off-chip memory at all.
    assert_eq!(p.internal_bytes_per_s(), Some(80e12));
    assert_eq!(p.external_bytes_per_s().unwrap(), None);
    // 220 MiB = 230,686,720 bytes (Groq: "230 MB").
    assert_eq!(p.on_chip_capacity_bytes(), Some(230_686_720));
    assert!(p.memory().unwrap().name().starts_with("ideal 80000"));
    // fp16 mode: a quarter of the MACs, 102,400 × 2 × 900 MHz = 184.32 TFLOPS (Groq: 188).
    let fp16 = Platform::load(
        "groq-lpu",
        &[
            ("pe_array.cols".into(), Value::Integer(102_400)),
            ("pe_array.operand_bits".into(), Value::Integer(16)),
            ("pe_array.arithmetic".into(), Value::String("fp".into())),
        ],
    )
    .unwrap();
    let flops = fp16.peak_ops_per_s().unwrap();
    assert_eq!(flops, 184.32e12);
    assert!((flops / 188e12 - 1.0).abs() < 0.025);
}

#[test]
fn groq_chip_count_for_a_7b_model() {
    let p = load("groq-lpu");
    // 7e9 × 2 B = 14e9 B / 230,686,720 B = 60.7 → 61 chips (weights alone); int8: 30.3 → 31.
    assert_eq!(p.chips_to_hold(14_000_000_000), Some(61));
    assert_eq!(p.chips_to_hold(7_000_000_000), Some(31));
    // Llama-2-7B: 6,738,415,616 parameters × 2 B = 13,476,831,232 B → 58.4 → 59.
    assert_eq!(p.chips_to_hold(13_476_831_232), Some(59));
    // Platforms with DRAM have no such limit.
    assert_eq!(load("gaudi2").chips_to_hold(14_000_000_000), None);
}

#[test]
fn gaudi2_peaks_match_intel() {
    let p = load("gaudi2");
    // 2 MMEs × 256 × 256 = 131,072 bf16 MACs × 2 × 1648 MHz = 432.013 TFLOPS (Intel: 432).
    let flops = p.peak_ops_per_s().unwrap();
    assert_eq!(flops, 432_013_312_000_000.0);
    assert_eq!((flops / 1e12).round(), 432.0);
    // Six HBM2e stacks × 409.6 GB/s = 2457.6 GB/s (Intel: 2.45 TB/s; Hot Chips 2024: 2.46).
    let bw = p.external_bytes_per_s().unwrap().unwrap();
    assert_eq!(bw, 2457.6e9);
    assert!((bw / 2.46e12 - 1.0).abs() < 0.005);
    // 24 TPCs × 2048 bit / 16 bit = 3072 lanes.
    assert_eq!(p.nonlinear.as_ref().unwrap().lanes, 3072);
}

#[test]
fn dsp_budget_violation_names_key_and_numbers() {
    // 20000 int8 MACs at 2 per DSP48E2 = 10000 slices > 9024.
    let e = load_err(
        "flightllm-u280",
        &[("pe_array.cols", Value::Integer(20000))],
    );
    assert!(e.contains("fpga.dsp_slices"), "{e}");
    assert!(e.contains("needed 10000 > available 9024"), "{e}");
    assert!(e.contains("1x20000 pe_array"), "{e}");
    // The same 12288 MACs at 16 bits: 1 MAC per slice → 12288 > 9024.
    let e = load_err(
        "flightllm-u280",
        &[("pe_array.operand_bits", Value::Integer(16))],
    );
    assert!(e.contains("needed 12288 > available 9024"), "{e}");
    // At int4 the rule packs 4 per slice: 3072 slices, fits.
    let p = Platform::load(
        "flightllm-u280",
        &[("pe_array.operand_bits".into(), Value::Integer(4))],
    )
    .unwrap();
    assert_eq!(p.fpga.unwrap().dsps_needed, 3072);
    // An explicit macs_per_dsp overrides the rule: 12288 / 1 = 12288 > 9024.
    let e = load_err(
        "flightllm-u280",
        &[("fpga.macs_per_dsp", Value::Float(1.0))],
    );
    assert!(e.contains("needed 12288 > available 9024"), "{e}");
}

#[test]
fn block_ram_violation_names_key_and_numbers() {
    // 40000 KiB = 40,960,000 B > 39,714,816 B of BRAM36 + URAM data.
    let e = load_err(
        "flightllm-u280",
        &[("global_buffer.size_kib", Value::Integer(40000))],
    );
    assert!(e.contains("global_buffer.size_kib"), "{e}");
    assert!(e.contains("needed 40960000 > available 39714816"), "{e}");
    assert!(e.contains("fpga.bram36 = 2016 x 4096 B"), "{e}");
    assert!(e.contains("fpga.uram = 960 x 32768 B"), "{e}");
}

const FPGA: &str = r#"
name = "small-fpga"
clock_mhz = 300
tech_nm = 16

[global_buffer]
size_kib = 64

[pe_array]
rows = 8
cols = 8
dataflow = "ws"

[fpga]
device = "test"
dsp_kind = "dsp48e2"
dsp_slices = 100
bram36 = 32
uram = 0
luts = 1000
"#;

#[test]
fn fpga_section_values_are_checked() {
    let p = Platform::from_toml_str(FPGA, "f.toml", &[]).unwrap();
    assert_eq!(p.fpga.as_ref().unwrap().dsps_needed, 32); // 64 int8 MACs / 2
    let set = |k: &str, v: Value| {
        Platform::from_toml_str(FPGA, "f.toml", &[(k.into(), v)])
            .unwrap_err()
            .to_string()
    };
    let e = set("fpga.max_clock_mhz", Value::Float(250.0));
    assert!(
        e.contains("clock_mhz") && e.contains("300") && e.contains("250"),
        "{e}"
    );
    let e = set("fpga.effective_macs_factor", Value::Float(0.5));
    assert!(
        e.contains("fpga.effective_macs_factor") && e.contains(">= 1"),
        "{e}"
    );
    let e = set("fpga.mem_bandwidth_gb_s", Value::Float(-1.0));
    assert!(e.contains("fpga.mem_bandwidth_gb_s"), "{e}");
    let e = set("fpga.dsp_kind", Value::String("dsp48".into()));
    assert!(e.contains("did you mean `dsp48e2`"), "{e}");
    let e = set("fpga.dsp_slice", Value::Integer(1));
    assert!(e.contains("did you mean `dsp_slices`"), "{e}");
    // 64 KiB = 65,536 B fits 32 BRAM36 (131,072 B); 15 of them (61,440 B) do not.
    let e = set("fpga.bram36", Value::Integer(15));
    assert!(e.contains("needed 65536 > available 61440"), "{e}");
}

#[test]
fn fabric_ports_limit_a_memory_bound_gemv() {
    // edgellm-vcu128, level 3, fp16 GEMV 4096 × 4096: bytes = (4096 + 4096² + 4096) × 2 =
    // 33,570,816; at 460 GB/s that is ⌊33,570,816 × 10¹² / 460e9⌋ = 72,980,034 ps, more than
    // the compute bound (4096² / 4096 = 4096 cycles = 18.2 µs).
    let p = load("edgellm-vcu128");
    let r = run_gemv(&p, 4096, 4096, &roofline()).unwrap();
    assert_eq!(r.total_ps, 72_980_034);
    // Level 2 is never faster, and is memory bound too (within 25 %: room for a bank-level
    // DRAM model that delivers less than its peak behind the 460 GB/s ports).
    let l2 = run_gemv(&p, 4096, 4096, &GemmOptions::default()).unwrap();
    assert!(
        l2.total_ps >= r.total_ps,
        "{} < {}",
        l2.total_ps,
        r.total_ps
    );
    assert!(l2.total_ps < r.total_ps * 5 / 4, "{}", l2.total_ps);
}

#[test]
fn sparse_factor_divides_linear_compute() {
    // flightllm-u280, level 3, int8 GEMM 3072³: MACs / 12288 = 3072³ / 12288 = 2,359,296
    // cycles dense; / 1.6 = 1,474,560 cycles (6.55 ms), far above the memory bound
    // (3 × 3072² B / 460 GB/s = 61.5 µs).
    let s = GemmShape::new(3072, 3072, 3072);
    let r = run_gemm(&load("flightllm-u280"), s, &roofline()).unwrap();
    assert_eq!(r.total_cycles, 1_474_560);
    let dense = Platform::load(
        "flightllm-u280",
        &[("fpga.effective_macs_factor".into(), Value::Float(1.0))],
    )
    .unwrap();
    assert_eq!(
        run_gemm(&dense, s, &roofline()).unwrap().total_cycles,
        2_359_296
    );
}

#[test]
fn sram_only_rejects_what_does_not_fit_with_numbers() {
    let p = load("groq-lpu");
    // 9000³ int8 GEMM: (3 × 9000²) B = 243,000,000 > 230,686,720 → 2 chips.
    let e = run_gemm(
        &p,
        GemmShape::new(9000, 9000, 9000),
        &GemmOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ArchError::OnChipCapacity {
            platform: "groq-lpu".into(),
            what: "gemm 9000x9000x9000".into(),
            needed_bytes: 243_000_000,
            available_bytes: 230_686_720,
        }
    );
    let msg = e.to_string();
    assert!(msg.contains("needs 243000000 bytes"), "{msg}");
    assert!(msg.contains("holds 230686720 bytes"), "{msg}");
    assert!(msg.contains("across 2 chips"), "{msg}");
    // The roofline level applies the same rule.
    assert!(run_gemm(&p, GemmShape::new(9000, 9000, 9000), &roofline()).is_err());
    // Element-wise add of 10⁸ fp32 elements: (2 + 1) × 4 × 10⁸ = 1.2e9 B.
    let e = run_elementwise(&p, 100_000_000, ElementwiseOp::Add, Fidelity::TileEvents)
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs 1200000000 bytes"), "{e}");
    // What fits runs: a 4096² int8 GEMV streams its 16 MiB of weights at 80 TB/s.
    let r = run_gemv(&p, 4096, 4096, &GemmOptions::default()).unwrap();
    assert_eq!(r.dram_bytes_read, 4096 + 4096 * 4096);
}

#[test]
fn sram_only_needs_a_buffer_and_no_dram() {
    let base = r#"
name = "s"
clock_mhz = 1000
tech_nm = 16

[sram_only]
bandwidth_gb_s = 1000.0
"#;
    let e = Platform::from_toml_str(base, "s.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sram_only") && e.contains("[global_buffer]"),
        "{e}"
    );
    let with_dram =
        format!("{base}\n[global_buffer]\nsize_kib = 64\n\n[dram]\npreset = \"HBM2\"\n");
    let e = Platform::from_toml_str(&with_dram, "s.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("dram") && e.contains("no off-chip memory"),
        "{e}"
    );
}

#[test]
fn a_unit_without_the_class_says_so() {
    // An FPGA design without an SFU: softmax and element-wise work have nowhere to run.
    let e = run_softmax(
        &Platform::from_toml_str(FPGA, "f.toml", &[]).unwrap(),
        4,
        64,
        Fidelity::TileEvents,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("small-fpga cannot run softmax"), "{e}");
}
