//! Kernel simulation: level 2 (tiles on sim-core) against hand-derived timing and never
//! faster than level 3 (roofline).

use arch::kernel::{Fidelity, GemmOptions, GemmTiling, run_elementwise, run_gemm, run_softmax};
use arch::nonlinear::ElementwiseOp;
use arch::pe_array::{Dataflow, GemmShape};
use arch::{ArchError, Platform};
use proptest::prelude::*;

/// A small platform: 8x8 OS int8 array at 1 GHz, 64 KiB buffer, no DRAM (ideal memory).
const SMALL: &str = r#"
name = "small"
clock_mhz = 1000
tech_nm = 16
[global_buffer]
size_kib = 64
n_banks = 8
word_bits = 64
[pe_array]
rows = 8
cols = 8
dataflow = "os"
"#;

#[test]
fn single_tile_with_ideal_memory_is_compute_plus_transfers() {
    let p = Platform::from_toml_str(SMALL, "small", &[]).unwrap();
    // 16x16x16 fits one tile (2·256 + 256·4 = 1536 bytes). OS: 2·2 folds × (8+8+16-2 = 30)
    // = 120 cycles. The ideal memory (1 PB/s) moves the 512-byte load in 1 ps, so compute
    // starts at the 1 ns edge and ends at edge 121; the 256-byte store takes 1 ps more.
    let r = run_gemm(&p, GemmShape::new(16, 16, 16), &GemmOptions::default()).unwrap();
    assert_eq!(r.compute_cycles, 120);
    assert_eq!(r.tiles, 1);
    assert_eq!(r.total_ps, 121_000 + 1);
    assert_eq!(r.total_cycles, 122);
    assert_eq!((r.dram_bytes_read, r.dram_bytes_written), (512, 256));
    assert_eq!(r.fidelity_level, 2);
    // SRAM reads per operand (OS): A read once per column fold (2·256), B once per row fold.
    assert_eq!(
        (r.sram.a_reads, r.sram.b_reads, r.sram.c_writes),
        (512, 512, 256)
    );
    assert!(
        r.energy
            .iter()
            .any(|l| l.unit == "pe_array" && l.action == "mac" && l.count == 4096)
    );
}

#[test]
fn tiling_that_does_not_fit_is_rejected() {
    let p = Platform::from_toml_str(SMALL, "small", &[]).unwrap();
    let opts = GemmOptions {
        tiling: Some(GemmTiling {
            tile_m: 256,
            tile_k: 256,
            tile_n: 256,
        }),
        ..Default::default()
    };
    let e = run_gemm(&p, GemmShape::new(512, 512, 512), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tiling") && e.contains("holds 32768 bytes"),
        "{e}"
    );
    let opts = GemmOptions {
        tiling: Some(GemmTiling {
            tile_m: 0,
            tile_k: 1,
            tile_n: 1,
        }),
        ..Default::default()
    };
    assert!(run_gemm(&p, GemmShape::new(8, 8, 8), &opts).is_err());
}

#[test]
fn default_tiling_fits_and_covers() {
    let p = Platform::load("generic-os-128", &[]).unwrap();
    let r = run_gemm(
        &p,
        GemmShape::new(4096, 4096, 4096),
        &GemmOptions::default(),
    )
    .unwrap();
    let t = r.tiling.unwrap();
    let pe = p.pe_array.as_ref().unwrap();
    assert!(t.working_set_bytes(1, 4) <= p.global_buffer.as_ref().unwrap().tile_capacity_bytes());
    assert_eq!(t.tile_m % pe.rows, 0);
    assert!(r.total_cycles >= r.compute_cycles);
    assert!(r.total_cycles >= r.roofline_cycles);
}

#[test]
fn vector_kernels_pick_their_unit() {
    let marca = Platform::load("marca", &[]).unwrap();
    let r = run_elementwise(&marca, 1 << 20, ElementwiseOp::Silu, Fidelity::TileEvents).unwrap();
    assert!(r.unit.contains("tree bypassed"), "{}", r.unit);
    // 64x64 PEs, SiLU = 3 passes: 3·⌈2^20/4096⌉ + 1 = 769 cycles.
    assert_eq!(r.compute_cycles, 769);
    let generic = Platform::load("generic-os-128", &[]).unwrap();
    let r = run_softmax(&generic, 4, 1000, Fidelity::TileEvents).unwrap();
    // 128 lanes: 4 rows · 3 passes · ⌈1000/128⌉ = 96, + 4 latency.
    assert_eq!(r.compute_cycles, 100);
    let eyeriss = Platform::load("eyeriss", &[]).unwrap();
    let e = run_softmax(&eyeriss, 1, 16, Fidelity::TileEvents).unwrap_err();
    assert!(matches!(e, ArchError::Unsupported { .. }), "{e}");
}

#[test]
fn marca_linear_ops_use_the_tree() {
    let p = Platform::load("marca", &[]).unwrap();
    let r = run_gemm(&p, GemmShape::new(1, 2560, 2560), &GemmOptions::default()).unwrap();
    assert!(r.unit.contains("reduction tree"), "{}", r.unit);
    // Forcing a dataflow switches to the systolic model.
    let opts = GemmOptions {
        dataflow: Some(Dataflow::WeightStationary),
        ..Default::default()
    };
    let r = run_gemm(&p, GemmShape::new(1, 2560, 2560), &opts).unwrap();
    assert_eq!(r.unit, "pe_array (ws)");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn level2_never_beats_level3(
        m in 1u64..=700, k in 1u64..=700, n in 1u64..=700,
        preset in 0usize..64, df in 0usize..3, overlap in any::<bool>(),
    ) {
        let with_array: Vec<&str> = arch::preset_names()
            .into_iter()
            .filter(|n| Platform::load(n, &[]).is_ok_and(|p| p.pe_array.is_some()))
            .collect();
        let name = with_array[preset % with_array.len()];
        let overrides = [("pe_array.fold_overlap".to_string(), toml::Value::Boolean(overlap))];
        let p = Platform::load(name, &overrides).unwrap();
        let opts = GemmOptions { dataflow: Some(Dataflow::ALL[df]), ..Default::default() };
        let s = GemmShape::new(m, k, n);
        let l2 = run_gemm(&p, s, &opts).unwrap();
        let l3 = run_gemm(&p, s, &GemmOptions { fidelity: Fidelity::Roofline, ..opts }).unwrap();
        prop_assert!(l2.total_ps >= l3.total_ps, "{} {:?}: L2 {} ps < L3 {} ps", name, s, l2.total_ps, l3.total_ps);
        prop_assert_eq!(l3.fidelity_level, 3);
    }
}

/// SMALL with one DDR4-3200 channel (64-bit bus, BL8: 64 bytes per burst) and an I/O
/// energy of 0.5 pJ per bit (the presets leave it out).
fn small_ddr4() -> Platform {
    let text = format!("{SMALL}[dram]\npreset = \"DDR4-3200\"\nio_pj_per_bit = 0.5\n");
    Platform::from_toml_str(&text, "small-ddr4", &[]).unwrap()
}

#[test]
fn dram_energy_is_reported_by_action_and_adds_up() {
    let p = small_ddr4();
    let table = arch::dram::DramSpec {
        preset: "DDR4-3200".into(),
        io_pj_per_bit: Some(0.5),
        ..Default::default()
    }
    .resolve("dram")
    .unwrap()
    .energy;
    let r = run_gemm(&p, GemmShape::new(64, 64, 64), &GemmOptions::default()).unwrap();
    assert_eq!(r.fidelity_level, 2);
    let line = |action: &str| {
        r.energy
            .iter()
            .find(|l| l.unit == "dram" && l.action == action)
            .unwrap_or_else(|| panic!("no dram.{action} in {:?}", r.energy))
    };
    assert!(!r.energy.iter().any(|l| l.action == "access"));
    // Every byte moves in whole 64-byte bursts: 64·64 + 64·64 int8 operands read.
    assert_eq!(r.dram_bytes_read, 2 * 64 * 64);
    assert_eq!(line("read_burst").count, r.dram_bytes_read / 64);
    assert_eq!(line("write_burst").count, r.dram_bytes_written / 64);
    assert_eq!(
        line("io_bit").count,
        (r.dram_bytes_read + r.dram_bytes_written) * 8
    );
    assert!(line("activate").count >= 1);
    for (action, pj) in [
        ("activate", table.activate_pj),
        ("read_burst", table.read_burst_pj),
        ("write_burst", table.write_burst_pj),
        ("io_bit", table.io_pj_per_bit),
    ] {
        let l = line(action);
        assert_eq!(l.pj_per_action, pj, "{action}");
        assert_eq!(l.pj, l.count as f64 * pj, "{action}");
    }
    // The old single `dram.access` line was Σ count × pJ over the memory's actions; the
    // total is unchanged and the lines add up to it.
    let lines_sum: f64 = r.energy.iter().map(|l| l.pj).sum();
    assert!(
        (lines_sum - r.energy_pj).abs() <= 1e-9 * r.energy_pj,
        "{lines_sum} vs {}",
        r.energy_pj
    );
    let dram_dynamic: f64 = r
        .energy
        .iter()
        .filter(|l| l.unit == "dram" && l.action != "leakage")
        .map(|l| l.pj)
        .sum();
    let refreshes = r
        .energy
        .iter()
        .find(|l| l.unit == "dram" && l.action == "refresh")
        .map_or(0, |l| l.count);
    let by_hand = line("activate").count as f64 * table.activate_pj
        + line("read_burst").count as f64 * table.read_burst_pj
        + line("write_burst").count as f64 * table.write_burst_pj
        + refreshes as f64 * table.refresh_pj
        + line("io_bit").count as f64 * table.io_pj_per_bit;
    assert!((dram_dynamic - by_hand).abs() <= 1e-9 * by_hand);
    // Whole-run estimates fold the actions back into the old `dram.access` line, exactly
    // (the same terms added in the same order as the memory model's own sum).
    let folded = arch::kernel::fold_dram_lines(&r.energy);
    let access: Vec<_> = folded.iter().filter(|l| l.0.starts_with("dram.")).collect();
    assert_eq!(access.len(), 2, "{folded:?}");
    assert_eq!(access[0].0, "dram.access");
    assert_eq!(access[0].1, by_hand);
    assert_eq!(access[1].0, "dram.leakage");
}

#[test]
fn leakage_lines_are_power_times_time() {
    let p = small_ddr4();
    let r = run_gemm(&p, GemmShape::new(64, 64, 64), &GemmOptions::default()).unwrap();
    let leak: Vec<_> = r.energy.iter().filter(|l| l.action == "leakage").collect();
    // PE array, global buffer and DRAM background all leak.
    assert!(leak.len() >= 3, "{:?}", r.energy);
    for l in leak {
        let (mw, ps) = (l.leakage_mw.unwrap(), l.time_ps.unwrap());
        assert_eq!((l.count, l.pj_per_action), (0, 0.0), "{l:?}");
        // 1 mW for 1 ps is 10⁻³ pJ; the leakage runs over the whole kernel.
        assert_eq!(ps, r.total_ps, "{l:?}");
        assert_eq!(l.pj, mw * ps as f64 * 1e-3, "{l:?}");
    }
    assert!(
        r.energy
            .iter()
            .all(|l| l.action == "leakage" || l.leakage_mw.is_none())
    );
}

#[test]
fn roofline_dram_energy_counts_the_bits_moved() {
    // The roofline counts no DRAM commands: one `io_bit` line with a real count (and no
    // DRAM energy at all without an I/O energy, as before).
    let p = small_ddr4();
    let opts = GemmOptions {
        fidelity: Fidelity::Roofline,
        ..Default::default()
    };
    let r = run_gemm(&p, GemmShape::new(64, 64, 64), &opts).unwrap();
    let dram: Vec<_> = r.energy.iter().filter(|l| l.unit == "dram").collect();
    assert_eq!(dram.len(), 1, "{dram:?}");
    assert_eq!(dram[0].action, "io_bit");
    // 2·64·64 int8 operand bytes in, 64·64 results out at operand width, 8 bits each.
    assert_eq!(dram[0].count, (2 * 64 * 64 + 64 * 64) * 8);
    let lines_sum: f64 = r.energy.iter().map(|l| l.pj).sum();
    assert!((lines_sum - r.energy_pj).abs() <= 1e-9 * r.energy_pj);
}
