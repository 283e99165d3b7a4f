//! GDDR6-AiM's activation functions (lookup table in a reserved word line of each bank,
//! ISSCC 2022 / JSSC 2023): GELU on `pim-aimx` by hand, the other four functions at the
//! same cost, and clear refusals of what the PIM units do not run.

use arch::imc::kernel::{ActivationFn, Kernel};
use arch::pim::PimSpec;
use arch::work::{DType, EstimateOptions, EwOp, NormKind, Unit, Work};
use arch::{ArchError, Platform};

fn aimx() -> Platform {
    Platform::load("pim-aimx", &[]).unwrap()
}

fn gelu(elements: u64) -> Work {
    Work::Elementwise {
        elements,
        op: EwOp::Gelu,
        n_inputs: 1,
        dtype: DType::Bf16,
    }
}

#[test]
fn gelu_over_a_million_elements_on_aimx_by_hand() {
    // pim-aimx: 32 devices × 2 channels × 16 banks, a PU per bank → 1024 PUs of 16 bf16
    // lanes at 1 GHz; 32-byte columns every 1 ns, 2048-byte rows, tRCD = tRP = 18 ns,
    // tRAS = 32 ns, 500 ns controller overhead per kernel.
    // N = 2^20 elements → ⌈2^20 / 1024⌉ = 1024 per PU.
    // Lookup table: one row step of one column: max(32, 18 + 1) + 18 = 50 ns.
    // x in, f(x) out: 2 × 1024 × 2 B = 4096 B = 2 full rows of 64 columns,
    //   each max(32, 18 + 64) + 18 = 100 ns → 200 ns; the MACs (a·x + b per element)
    //   take 1024 / 16 = 64 cycles = 64 ns, hidden under the stream.
    // Refresh: ⌊250 / (1900 − 280)⌋ = 0. Total 500 + 50 + 200 = 750 ns.
    let p = aimx();
    let e = p
        .estimate(Unit::Pim, &gelu(1 << 20), &EstimateOptions::default())
        .unwrap();
    assert_eq!(e.time.as_ps(), 750_000);
    // DRAM bytes: 2 × 2^20 × 2 B = 4 MiB of operands + 1024 PUs × 32 B of table.
    assert_eq!(e.dram_bytes_read, 4 * 1024 * 1024 + 1024 * 32);

    // The same through the unit: every listed function costs the same, and the counts
    // follow: one MAC per element, 2 data row steps + 1 table row step per PU.
    let pim = p.pim.as_ref().unwrap();
    for func in ActivationFn::ALL {
        let k = pim
            .estimate(&Kernel::Activation { func, n: 1 << 20 })
            .unwrap();
        assert_eq!(k.time.as_ps(), 750_000, "{}", func.name());
        assert_eq!(k.count("macs"), 1 << 20);
        assert_eq!(k.count("row_activations"), 3 * 1024);
        assert_eq!(k.count("lut_row_steps"), 1);
    }
}

#[test]
fn what_the_pim_units_cannot_run_is_refused_naming_the_class() {
    let p = aimx();
    let opts = EstimateOptions::default();
    // SiLU is not among AiM's lookup-table functions (GELU, sigmoid, tanh, ReLU, leaky ReLU).
    let silu = Work::Elementwise {
        elements: 1024,
        op: EwOp::Silu,
        n_inputs: 1,
        dtype: DType::Bf16,
    };
    let e = p.estimate(Unit::Pim, &silu, &opts).unwrap_err().to_string();
    assert!(
        e.contains("cannot run elementwise") && e.contains("not silu"),
        "{e}"
    );
    // Normalisation has no PIM kernel.
    let norm = Work::Norm {
        rows: 1,
        len: 4096,
        kind: NormKind::Rms,
        dtype: DType::Bf16,
    };
    let e = p.estimate(Unit::Pim, &norm, &opts).unwrap_err().to_string();
    assert!(e.contains("no norm kernel"), "{e}");
    // Softmax: AiM has no softmax unit in the preset.
    let e = p
        .pim
        .as_ref()
        .unwrap()
        .estimate(&Kernel::Softmax { rows: 1, len: 64 })
        .unwrap_err();
    assert!(
        matches!(e, ArchError::Unsupported { ref class, .. } if class == "softmax"),
        "{e}"
    );
    // HBM-PIM lists no activation functions: GELU is refused with the reason.
    let hbm = Platform::load("pim-hbm-pim", &[]).unwrap();
    let e = hbm
        .estimate(Unit::Pim, &gelu(1024), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("elementwise") && e.contains("no activation-function unit"),
        "{e}"
    );
}

#[test]
fn activation_names_are_checked_with_a_suggestion() {
    let spec: PimSpec = toml::from_str(
        r#"
        level = "bank"
        memory = "test"
        devices = 1
        channels_per_device = 1
        banks_per_channel = 1
        banks_per_pu = 1
        pu_lanes = 1
        pu_clock_mhz = 1000.0
        element_bits = 16
        column_bytes = 32
        row_bytes = 1024
        tccd_ns = 1.0
        trcd_ns = 0.0
        trp_ns = 0.0
        tras_ns = 0.0
        trefi_ns = 10000.0
        trfc_ns = 100.0
        external_gb_per_s_per_channel = 4.0
        capacity_gib_per_device = 1.0
        input_buffer_bytes = 2048
        kernel_overhead_ns = 0.0
        activation_functions = ["gelu", "sigmod"]
    "#,
    )
    .unwrap();
    let e = spec.validate("pim").unwrap_err().to_string();
    assert!(
        e.contains("pim.activation_functions") && e.contains("sigmod") && e.contains("sigmoid"),
        "{e}"
    );
}
