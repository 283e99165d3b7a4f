//! Crossbar IMC: a GEMV counted by hand, the pipeline closed form against its reference,
//! ADC energy versus resolution, reprogramming rounds, errors.

use arch::ArchError;
use arch::imc::adc::AdcModel;
use arch::imc::crossbar::{Crossbar, CrossbarSpec};
use arch::imc::kernel::{Kernel, KernelClass};
use proptest::prelude::*;

/// 4×8 arrays of 2-bit cells, 4-bit weights (2 cells, 4 weights per row), 4-bit inputs
/// applied 1 bit per step, 2 ADCs of 6 bits (4 columns each), 3-cycle reads, one tile of
/// 4 crossbars, 2 B/cycle NoC, 4 B/cycle buffer.
fn small(extra: &str) -> Crossbar {
    let text = format!(
        r#"
        technology = "reram"
        rows = 4
        cols = 8
        cell_bits = 2
        weight_bits = 4
        input_bits = 4
        dac_bits = 1
        adc_bits = 6
        cols_per_adc = 4
        clock_mhz = 1000.0
        read_cycles = 3
        output_bits = 16
        buffer_kib = 1
        buffer_bytes_per_cycle = 4.0
        noc_bytes_per_cycle = 2.0
        noc_hop_cycles = 1
        {extra}
    "#
    );
    let spec: CrossbarSpec = toml::from_str(&text).unwrap();
    spec.validate("crossbar").unwrap()
}

#[test]
fn gemv_counted_by_hand() {
    let xbar = small("crossbars_per_tile = 4\ntiles = 1");
    // GEMV K = 6, N = 5. Row blocks ⌈6/4⌉ = 2 (4 and 2 rows), column blocks ⌈5/4⌉ = 2
    // (4 and 1 weights = 8 and 2 columns): four crossbars, all in tile 0 (0 hops).
    // Each does 4 input steps × 1 row group = 4 activations → 16 activations.
    // ADC conversions: 4 steps × (8 + 8 + 2 + 2) columns = 80.
    // DAC operations: 4 steps × (4 + 2 + 4 + 2) rows = 48.
    // Active cells: 4 × (4·8 + 2·8 + 4·2 + 2·2) = 240.
    // Shift-and-adds: one per conversion (4 input bits, 2 cells per weight) = 80.
    // Partial-sum adds: (2 − 1) row blocks × (4 + 1) outputs = 5.
    // Timing: conversions per activation on the busiest ADC are min(8, 4) = 4 (or 2 for
    // the 2-column crossbars); with sample-and-hold activations issue every max(3, 4) = 4
    // cycles: 3 + 4 + 3·4 + 1 (shift-add) = 20 cycles for the slowest crossbar.
    // Inputs: rows 4 and 2 at 4 bits = 2 + 1 = 3 bytes at 2 B/cycle → arrive at cycle 2;
    // buffer reads 2 + 1 + 2 + 1 = 6 bytes at 4 B/cycle = 2 cycles → compute 4..24.
    // Outputs: (4 + 1) × 2 bytes = 10 bytes at 2 B/cycle = 5 cycles → done at 29.
    // NoC: the 3 input bytes cross the injection link into tile 0; outputs 0 hops.
    let est = xbar.estimate(&Kernel::Gemv { k: 6, n: 5 }).unwrap();
    assert_eq!(est.class, KernelClass::Gemv);
    assert_eq!(est.cycles, 29);
    assert_eq!(est.time.as_ps(), 29_000);
    for (name, want) in [
        ("crossbars_used", 4),
        ("crossbar_activations", 16),
        ("adc_conversions", 80),
        ("dac_operations", 48),
        ("cell_activations", 240),
        ("shift_adds", 80),
        ("partial_sum_adds", 5),
        ("buffer_read_bytes", 6),
        ("buffer_write_bytes", 13),
        ("noc_byte_hops", 3),
        ("rounds", 1),
    ] {
        assert_eq!(est.count(name), want, "{name}");
    }
    // Energy of the conversions: 80 × 6.1035 fJ × 2^6 = 80 × 0.390625 pJ = 31.25 pJ.
    assert!((est.energy_of("adc_conversion") - 31.25).abs() < 1e-9);

    // Without sample-and-hold every activation takes 3 + 4 = 7 cycles: 4·7 + 1 = 29 for
    // the slowest crossbar, so the kernel ends at 2 + 2 + 29 + 5 = 38.
    let serial = small("crossbars_per_tile = 4\ntiles = 1\noverlap_read_and_convert = false");
    assert_eq!(
        serial
            .estimate(&Kernel::Gemv { k: 6, n: 5 })
            .unwrap()
            .cycles,
        38
    );
}

#[test]
fn multi_tile_mesh_by_hand() {
    // The same GEMV with one crossbar per tile on a 2×2 mesh: tile t at (t mod 2, t / 2),
    // hops 0, 1, 1, 2. The 3 distinct input bytes are injected once (2 cycles) and
    // multicast: tiles have them at 2 + hops. Each tile reads its 1–2 input bytes from its
    // buffer (1 cycle) and computes: 20 cycles for the 8-column crossbars (tiles 0, 1),
    // 3 + 2 + 3·3 + 1 = 15 for the 2-column ones (tiles 2, 3). Done: 23, 24, 19, 20.
    // Outputs leave at done + hops: 23, 25, 20, 22, and enter tile 0's port in that order
    // (2 B/cycle): tile 2 (2 B) 20→21, tile 3 (2 B) 22→23, tile 0 (8 B) 23→27,
    // tile 1 (8 B) 27→31. NoC byte-hops: inputs 2 + 1 + 2 + 1 = 6 (one link each),
    // outputs 8·0 + 8·1 + 2·1 + 2·2 = 14.
    let xbar = small("crossbars_per_tile = 1\ntiles = 4");
    let est = xbar.gemm(1, 6, 5).unwrap();
    assert_eq!(est.cycles, 31);
    assert_eq!(est.count("noc_byte_hops"), 20);
    assert_eq!(est.count("rounds"), 1);
}

#[test]
fn reprogramming_rounds_when_the_matrix_does_not_fit() {
    // Two crossbars for a four-crossbar matrix: two rounds, every weight cell written
    // once: K·N·cells-per-weight = 6·5·2 = 60 cells; weight bytes ⌈rows·weights·4/8⌉ per
    // crossbar: 8 + 4 + 2 + 1 = 15.
    let xbar = small("crossbars_per_tile = 2\ntiles = 1");
    let est = xbar.gemm(1, 6, 5).unwrap();
    assert_eq!(est.count("rounds"), 2);
    assert_eq!(est.count("cells_written"), 60);
    assert_eq!(est.count("weight_bytes_loaded"), 15);
    assert_eq!(est.count("adc_conversions"), 80);
    assert!(
        est.phases
            .iter()
            .any(|p| p.name == "weight programming" && p.cycles > 0)
    );
}

#[test]
fn gemm_scales_counts_with_vectors() {
    let xbar = small("crossbars_per_tile = 4\ntiles = 1");
    let one = xbar.gemm(1, 6, 5).unwrap();
    let three = xbar.gemm(3, 6, 5).unwrap();
    assert_eq!(three.class, KernelClass::Gemm);
    assert_eq!(
        three.count("adc_conversions"),
        3 * one.count("adc_conversions")
    );
    assert_eq!(
        three.count("partial_sum_adds"),
        3 * one.count("partial_sum_adds")
    );
    // Pipelined vectors: more than one GEMV, less than three back to back.
    assert!(three.cycles > one.cycles && three.cycles < 3 * one.cycles);
}

proptest! {
    #[test]
    fn closed_form_matches_the_server_pipeline(
        read in 1u64..20, adc in 1u64..4, cols_per_adc in 1u32..9, used in 1u64..9,
        overlap in any::<bool>(), sa in 0u64..3, a in 0u64..40,
    ) {
        let spec: CrossbarSpec = toml::from_str(&format!(r#"
            technology = "sram"
            rows = 8
            cols = 8
            cell_bits = 1
            weight_bits = 1
            input_bits = 1
            dac_bits = 1
            adc_bits = 4
            cols_per_adc = {cols_per_adc}
            clock_mhz = 1000.0
            read_cycles = {read}
            adc_cycles = {adc}
            shift_add_cycles = {sa}
            overlap_read_and_convert = {overlap}
            crossbars_per_tile = 1
            tiles = 1
            buffer_kib = 1
            buffer_bytes_per_cycle = 1.0
            noc_bytes_per_cycle = 1.0
            noc_hop_cycles = 0
        "#)).unwrap();
        let x = spec.validate("crossbar").unwrap();
        prop_assert_eq!(x.activations_cycles(a, used), x.activations_cycles_reference(a, used).unwrap());
    }
}

#[test]
fn adc_energy_grows_with_resolution_as_the_model_says() {
    // Murmann survey FOMs: Walden (×2 per bit) dominates at low resolution, Schreier
    // (×10^(6.02/10) ≈ ×4 per bit) at high resolution.
    let m = AdcModel::default();
    for b in 1..13 {
        assert!(
            (m.conversion_pj(b + 1) / m.conversion_pj(b) - 2.0).abs() < 1e-9,
            "bits {b}"
        );
    }
    for b in 16..20 {
        let r = m.conversion_pj(b + 1) / m.conversion_pj(b);
        assert!((r - 10f64.powf(0.602)).abs() < 1e-9, "bits {b}: ratio {r}");
    }
    // In a kernel: the same 80 conversions at 7 bits cost twice the 6-bit energy.
    let k = Kernel::Gemv { k: 6, n: 5 };
    let e6 = small("crossbars_per_tile = 4\ntiles = 1")
        .estimate(&k)
        .unwrap();
    let spec7: CrossbarSpec = toml::from_str(
        r#"
        technology = "reram"
        rows = 4
        cols = 8
        cell_bits = 2
        weight_bits = 4
        input_bits = 4
        dac_bits = 1
        adc_bits = 7
        cols_per_adc = 4
        clock_mhz = 1000.0
        read_cycles = 3
        crossbars_per_tile = 4
        tiles = 1
        buffer_kib = 1
        buffer_bytes_per_cycle = 4.0
        noc_bytes_per_cycle = 2.0
        noc_hop_cycles = 1
    "#,
    )
    .unwrap();
    let e7 = spec7.validate("crossbar").unwrap().estimate(&k).unwrap();
    assert_eq!(e6.count("adc_conversions"), e7.count("adc_conversions"));
    assert!((e7.energy_of("adc_conversion") / e6.energy_of("adc_conversion") - 2.0).abs() < 1e-9);
}

#[test]
fn bad_descriptions_are_clear_errors() {
    let base = r#"
        rows = 4
        cols = 8
        cell_bits = 2
        weight_bits = 4
        input_bits = 4
        dac_bits = 1
        adc_bits = 6
        clock_mhz = 1000.0
        read_cycles = 3
        crossbars_per_tile = 4
        tiles = 1
        buffer_kib = 1
        buffer_bytes_per_cycle = 4.0
        noc_bytes_per_cycle = 2.0
        noc_hop_cycles = 1
    "#;
    let parse = |extra: &str| toml::from_str::<CrossbarSpec>(&format!("{base}\n{extra}"));
    // Unknown technology: the closest name is suggested.
    let spec = parse("technology = \"rerm\"\ncols_per_adc = 4").unwrap();
    let err = spec.validate("crossbar").unwrap_err();
    assert!(matches!(err, ArchError::UnknownName { .. }));
    assert!(err.to_string().contains("did you mean `reram`"), "{err}");
    // Unknown key.
    let err = parse("technology = \"sram\"\ncols_per_adc = 4\ncolums = 8").unwrap_err();
    assert!(err.to_string().contains("unknown field `colums`"), "{err}");
    // Physically impossible: more columns per ADC than columns.
    let spec = parse("technology = \"sram\"\ncols_per_adc = 9").unwrap();
    let err = spec.validate("crossbar").unwrap_err().to_string();
    assert!(err.starts_with("crossbar.cols_per_adc:"), "{err}");
    // A kernel class the crossbar cannot run names the class.
    let xbar = small("crossbars_per_tile = 4\ntiles = 1");
    let err = xbar
        .estimate(&Kernel::Softmax { rows: 1, len: 4 })
        .unwrap_err();
    assert!(matches!(&err, ArchError::Unsupported { class, .. } if class == "softmax"));
    assert!(
        err.to_string().starts_with("crossbar cannot run softmax"),
        "{err}"
    );
    let err = xbar
        .estimate(&Kernel::Gemv { k: 0, n: 5 })
        .unwrap_err()
        .to_string();
    assert!(err.contains("`k` must be >= 1"), "{err}");
}
