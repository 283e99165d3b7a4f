//! PIM/NDP: bank-level GEMV against the external-bandwidth bound, DPUs and attention, by
//! hand.

use arch::ArchError;
use arch::imc::kernel::{AttentionShape, ElementwiseOp, Kernel};
use arch::pim::{Pim, PimSpec};

/// 1 device × 2 channels × 4 banks, a PU per bank (8 PUs) of 16 lanes at 1 GHz, 32-byte
/// columns every 1 ns (32 GB/s per PU, 256 GB/s internal), 4 GB/s external per channel
/// (8 GB/s): internal/external = 32.
fn bank(row_timing: &str, extra: &str) -> arch::pim::bank::BankPim {
    let text = format!(
        r#"
        level = "bank"
        memory = "test"
        devices = 1
        channels_per_device = 2
        banks_per_channel = 4
        banks_per_pu = 1
        pu_lanes = 16
        pu_clock_mhz = 1000.0
        element_bits = 16
        column_bytes = 32
        row_bytes = 1024
        tccd_ns = 1.0
        {row_timing}
        trefi_ns = 10000.0
        trfc_ns = 100.0
        external_gb_per_s_per_channel = 4.0
        capacity_gib_per_device = 1.0
        input_buffer_bytes = 2048
        kernel_overhead_ns = 100.0
        {extra}
    "#
    );
    match toml::from_str::<PimSpec>(&text)
        .unwrap()
        .validate("pim")
        .unwrap()
    {
        Pim::Bank(b) => b,
        Pim::Dpu(_) => unreachable!("a bank-level spec"),
    }
}

const NO_ROW_TIMING: &str = "trcd_ns = 0.0\ntrp_ns = 0.0\ntras_ns = 0.0";
const ROW_TIMING: &str = "trcd_ns = 10.0\ntrp_ns = 10.0\ntras_ns = 20.0";

#[test]
fn bank_gemv_beats_the_external_bound_by_the_bandwidth_ratio() {
    // GEMV K = 1024, N = 64, fp16: 1024·64·2 = 131 072 bytes of weights.
    // External bound: 131 072 B / 8 GB/s = 16 384 ns.
    // PIM: 64 rows over 8 PUs → 8 rows of 2 048 B = 16 384 B per PU; at 32 B per ns that
    // is 512 ns = 16 384 / 32: exactly the bound divided by internal/external = 32 when
    // opening rows is free. Compute: 8 192 MACs / 16 lanes = 512 ns (not slower).
    // Command overhead on top: 100 ns per kernel, the 2 048-byte input vector written to
    // each channel at 4 GB/s (512 ns), and 64 outputs × 2 B over 2 channels (64 B per
    // channel at 4 GB/s = 16 ns). Refreshes: 512 < 10 000 − 100, none.
    let pim = bank(NO_ROW_TIMING, "");
    assert_eq!(pim.internal_bytes_per_s(), 256e9);
    assert_eq!(pim.external_bytes_per_s(), 8e9);
    let ext = pim.external_bound_ps(1024, 64);
    assert_eq!(ext, 16_384_000);
    let est = pim.estimate(&Kernel::Gemv { k: 1024, n: 64 }).unwrap();
    let overhead = 100_000 + 512_000 + 16_000;
    assert_eq!(est.time.as_ps(), ext / 32 + overhead);
    assert_eq!(est.count("internal_bytes"), 131_072);
    assert_eq!(est.count("macs"), 65_536);
    // Row activations: 16 row steps of 1 KiB per PU × 8 PUs.
    assert_eq!(est.count("row_activations"), 128);

    // With row timings (tRCD 10, tRP 10, tRAS 20 ns) each 1 KiB row step costs
    // max(20, 10 + 32·1) + 10 = 52 ns instead of 32: streaming 16 × 52 = 832 ns.
    let timed = bank(ROW_TIMING, "");
    let est = timed.estimate(&Kernel::Gemv { k: 1024, n: 64 }).unwrap();
    assert_eq!(est.time.as_ps(), 832_000 + overhead);
    // Still faster than the external bound by 16 384 / 1 460 ≈ 11×.
    assert!(est.time.as_ps() * 11 < ext);
}

#[test]
fn refresh_and_input_chunks() {
    // Streaming 16 384 B per PU with 10 ns row overheads takes 832 ns; a refresh interval
    // of 500 ns (tRFC 100) adds ⌊832 / 400⌋ = 2 refreshes = 200 ns.
    let pim = bank(ROW_TIMING, "").clone();
    let pim = arch::pim::bank::BankPim {
        trefi_ps: 500_000,
        ..pim
    };
    let est = pim.gemm(1, 1024, 64).unwrap();
    assert_eq!(
        est.time.as_ps(),
        100_000 + 512_000 + 832_000 + 200_000 + 16_000
    );
    // A 512-byte input buffer splits the 2 048-byte vector into 4 chunks, each loaded and
    // then streamed: per chunk 4 096 B per PU = 4 full row steps (208 ns), so streaming is
    // still 832 ns and loading still 512 ns in all: 1 460 ns.
    let small_buf = bank(ROW_TIMING, "").clone();
    let small_buf = arch::pim::bank::BankPim {
        input_buffer_bytes: 512,
        ..small_buf
    };
    let est = small_buf.gemm(1, 1024, 64).unwrap();
    assert_eq!(est.count("input_chunks"), 4);
    assert_eq!(est.time.as_ps(), 1_460_000);
}

#[test]
fn dpu_gemv_and_elementwise_by_hand() {
    let spec: PimSpec = toml::from_str(
        r#"
        level = "dpu"
        dimms = 1
        dpus_per_dimm = 4
        dpu_clock_mhz = 350.0
        mram_mb_per_dpu = 64.0
        wram_kb = 64
        mram_mb_per_s = 1000.0
        int32_add_mops = 50.0
        int32_mul_mops = 10.0
        float_add_mops = 5.0
        float_mul_mops = 2.0
        element_bits = 32
        datatype = "int"
        host_to_dpu_gb_per_s = 1.0
        dpu_to_host_gb_per_s = 1.0
        launch_us = 10.0
    "#,
    )
    .unwrap();
    let pim = spec.validate("pim").unwrap();
    // GEMV K = 256, N = 8 (int32): 2 rows per DPU = 2 048 B of MRAM at 1 GB/s = 2.048 µs;
    // 512 MACs × (1/50 + 1/10) µs = 61.44 µs (compute-bound). Input broadcast 1 024 B at
    // 1 GB/s = 1.024 µs, outputs 8 × 4 B = 32 ns, launch 10 µs: 72.496 µs.
    let est = pim.estimate(&Kernel::Gemv { k: 256, n: 8 }).unwrap();
    assert_eq!(est.time.as_ps(), 72_496_000);
    assert_eq!(est.count("mram_bytes"), 8192);
    // 1 000 additions over 4 DPUs: 250 each, 3 × 250 × 4 B = 3 000 B of MRAM (3 µs)
    // versus 250 / 50 MOPS = 5 µs: 10 + 5 = 15 µs.
    let est = pim
        .estimate(&Kernel::Elementwise {
            op: ElementwiseOp::Add,
            n: 1000,
        })
        .unwrap();
    assert_eq!(est.time.as_ps(), 15_000_000);
    let err = pim.estimate(&Kernel::Attention(AttentionShape {
        batch: 1,
        heads: 1,
        kv_heads: 1,
        seq_len: 8,
        head_dim: 8,
        kv_bits: None,
        kv_group: 0,
    }));
    assert!(matches!(err, Err(ArchError::Unsupported { ref class, .. }) if class == "attention"));
}

#[test]
fn attention_offload_by_hand() {
    // 8 PUs, batch 2 × 4 heads (MHA): 8 instances, one per PU. L = 512, d = 64:
    // K per PU 512·64·2 = 65 536 B → 2 048 ns at 32 B/ns (no row timing); compute
    // 32 768 MACs / 16 lanes = 2 048 ns. Score and context GEMVs: 2 048 ns each.
    // Softmax on the PIM units (1 G elements/s): 2·4·512 = 4 096 scores → 4 096 ns; moving
    // scores out and probabilities back, 2·4 096·2 B over 2 channels = 8 192 B per
    // channel at 4 GB/s = 2 048 ns (hidden).
    // q in: 2·4·64·2 = 1 024 B over the 8 GB/s host link (128 ns) + 4 instances' q per
    // channel, 512 B at 4 GB/s (128 ns). Out: 1 024 B, 512 B per channel (128 ns) + link
    // (128 ns). Overhead 100 ns. Total 100 + 256 + 2 048 + 4 096 + 2 048 + 256 = 8 804 ns.
    let att = "softmax_gelems_per_s_per_device = 1.0\n[attention]\nsoftmax_on = \"pim\"\nhost_link_gb_per_s = 8.0";
    let pim = bank(NO_ROW_TIMING, att);
    let shape = AttentionShape {
        batch: 2,
        heads: 4,
        kv_heads: 4,
        seq_len: 512,
        head_dim: 64,
        kv_bits: None,
        kv_group: 0,
    };
    let est = pim.estimate(&Kernel::Attention(shape)).unwrap();
    assert_eq!(est.time.as_ps(), 8_804_000);
    assert_eq!(est.count("macs"), 2 * 2 * 4 * 512 * 64);
    assert_eq!(est.count("internal_bytes"), 2 * 8 * 65_536);
    assert_eq!(est.count("softmax_elements"), 4096);
    assert_eq!(est.count("host_link_bytes"), 2048);
    // Softmax on the host at 4 G elements/s: 1 024 ns of compute after max(channel
    // 2 048 ns, link 16 384 B / 8 GB/s = 2 048 ns): 3 072 ns instead of 4 096.
    let host = bank(
        NO_ROW_TIMING,
        "[attention]\nsoftmax_on = \"host\"\nhost_link_gb_per_s = 8.0\nhost_softmax_gelems_per_s = 4.0",
    );
    let est = host.estimate(&Kernel::Attention(shape)).unwrap();
    assert_eq!(est.time.as_ps(), 8_804_000 - 1_024_000);
    assert_eq!(est.count("host_link_bytes"), 2048 + 16_384);
    // No softmax unit and no host softmax: attention (and softmax) cannot run.
    let none = bank(NO_ROW_TIMING, "");
    let err = none.estimate(&Kernel::Attention(shape)).unwrap_err();
    assert!(
        err.to_string().starts_with("pim cannot run attention"),
        "{err}"
    );
    let err = none
        .estimate(&Kernel::Softmax { rows: 1, len: 8 })
        .unwrap_err();
    assert!(
        err.to_string().starts_with("pim cannot run softmax"),
        "{err}"
    );
    // A typo in the softmax place is named with a suggestion.
    let spec = arch::pim::attention::AttentionOffloadSpec {
        softmax_on: "pimm".into(),
        host_platform: None,
        host_devices: None,
        host_link_gb_per_s: 8.0,
        host_link_pj_per_byte: None,
        host_softmax_gelems_per_s: None,
    };
    let err = spec.validate("pim.attention").unwrap_err().to_string();
    assert!(err.contains("did you mean `pim`"), "{err}");
}

#[test]
fn grouped_query_attention_splits_instances_over_pus() {
    // 4 query heads sharing 2 K/V heads (g = 2), batch 2: 4 instances over 8 PUs → each
    // instance's 512 tokens split over 2 PUs (256 tokens, 32 768 B of K per PU); every K
    // element serves 2 query heads: 2 × 16 384 MACs / 16 lanes = 2 048 ns per GEMV.
    let att = "softmax_gelems_per_s_per_device = 1.0\n[attention]\nsoftmax_on = \"pim\"\nhost_link_gb_per_s = 8.0";
    let pim = bank(NO_ROW_TIMING, att);
    let est = pim
        .attention(&AttentionShape {
            batch: 2,
            heads: 4,
            kv_heads: 2,
            seq_len: 512,
            head_dim: 64,
            kv_bits: None,
            kv_group: 0,
        })
        .unwrap();
    assert_eq!(est.count("pus_per_instance"), 2);
    assert_eq!(est.count("macs"), 2 * 2 * 4 * 512 * 64);
    // Partial contexts: (2 − 1) × 2 heads × 64 additions per instance, 4 instances.
    assert_eq!(est.count("host_adds"), 4 * 2 * 64);
    let gemv = est
        .phases
        .iter()
        .find(|p| p.name == "score GEMV q·K^T")
        .unwrap();
    assert_eq!(gemv.cycles, 2048);
}
