//! Presets, overrides, validation errors, address mapping and energy.

use arch::ArchError;
use arch::dram::{AddressMapping, DramAddress, DramModel, DramSpec, preset_names};
use arch::memory::{MemCounts, OffChipMemory};

use crate::common::{preset, spec};

#[test]
fn every_preset_peak_bandwidth_equals_its_datasheet_figure() {
    // channels × bus bits / 8 × MT/s:
    let expected = [
        ("DDR3-1600", 1.0 * 64.0 / 8.0 * 1600e6), // 12.8 GB/s (JESD79-3, x64 DIMM)
        ("DDR3-2133", 1.0 * 64.0 / 8.0 * 2133e6), // 17.064 GB/s
        ("DDR4-3200", 25.6e9),                    // 8 B × 3200 MT/s (JESD79-4)
        ("LPDDR5-6400", 2.0 * 6400e6),            // x16 channel: 12.8 GB/s (JESD209-5)
        ("HBM2", 8.0 * 128.0 / 8.0 * 2000e6),     // 256 GB/s per stack (JESD235)
        ("HBM2e", 409.6e9),                       // 8 ch × 128 bit × 3.2 Gb/s
        ("HBM3", 819.2e9),                        // 16 ch × 64 bit × 6.4 Gb/s (JESD238)
    ];
    assert_eq!(preset_names().len(), expected.len());
    for (name, bw) in expected {
        let cfg = preset(name);
        assert!((cfg.peak_bytes_per_s() - bw).abs() < 1.0, "{name}");
        let m = spec(name).build("dram").unwrap();
        assert!((m.peak_bytes_per_s() - bw).abs() < 1.0, "{name}");
    }
}

#[test]
fn tpu_v1_two_ddr3_2133_channels_give_34_gb_per_s() {
    // Jouppi et al. (ISCA 2017): two DDR3-2133 channels, 34 GB/s.
    let s = DramSpec {
        channels: Some(2),
        ..spec("DDR3-2133")
    };
    let bw = s.resolve("dram").unwrap().peak_bytes_per_s();
    assert!((bw - 34.128e9).abs() < 1.0, "{bw}");
}

#[test]
fn stacks_and_channel_overrides_multiply() {
    let s: DramSpec = toml::from_str("preset = \"HBM3\"\nstacks = 5\nchannels = 12").unwrap();
    let cfg = s.resolve("mem.dram").unwrap();
    assert_eq!(cfg.channels, 60);
    assert_eq!(cfg.units(), 120); // 2 pseudo-channels each
    assert!((cfg.peak_bytes_per_s() - 60.0 * 8.0 * 6400e6).abs() < 1.0);
}

#[test]
fn timing_and_energy_overrides_apply() {
    let s: DramSpec =
        toml::from_str("preset = \"DDR4-3200\"\ntRCD = 30\ntRAS = 60\nread_burst_pj = 7.5")
            .unwrap();
    let cfg = s.resolve("dram").unwrap();
    assert_eq!((cfg.timing.rcd, cfg.timing.ras), (30, 60));
    assert_eq!(cfg.energy.read_burst_pj, 7.5);
}

#[test]
fn unknown_preset_suggests_the_closest() {
    let e = spec("HBM2E").resolve("platform.dram").unwrap_err();
    let ArchError::UnknownName {
        suggestion, valid, ..
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(suggestion.as_deref(), Some("HBM2e"));
    assert!(valid.contains(&"DDR3-2133".to_string()));
    assert!(e.to_string().contains("platform.dram.preset"), "{e}");
}

#[test]
fn unknown_keys_are_errors() {
    let e = toml::from_str::<DramSpec>("preset = \"HBM2\"\ntRDC = 3").unwrap_err();
    assert!(e.to_string().contains("unknown field `tRDC`"), "{e}");
}

fn invalid_key(s: DramSpec) -> String {
    match s.resolve("dram").unwrap_err() {
        ArchError::Invalid { key, .. } => key,
        e => panic!("expected Invalid, got {e:?}"),
    }
}

#[test]
fn impossible_values_name_their_key() {
    let base = || spec("DDR4-3200");
    assert_eq!(
        invalid_key(DramSpec {
            banks_per_group: Some(0),
            ..base()
        }),
        "dram.banks_per_group"
    );
    assert_eq!(
        invalid_key(DramSpec {
            bank_groups: Some(3),
            ..base()
        }),
        "dram.bank_groups"
    );
    assert_eq!(
        invalid_key(DramSpec {
            rows: Some(1000),
            ..base()
        }),
        "dram.rows"
    );
    assert_eq!(
        invalid_key(DramSpec {
            t_ras: Some(10),
            ..base()
        }),
        "dram.tRAS"
    );
    assert_eq!(
        invalid_key(DramSpec {
            t_refi: Some(500),
            ..base()
        }),
        "dram.tREFI"
    );
    assert_eq!(
        invalid_key(DramSpec {
            stacks: Some(0),
            ..base()
        }),
        "dram.stacks"
    );
    assert_eq!(
        invalid_key(DramSpec {
            bus_bits: Some(12),
            ..base()
        }),
        "dram.bus_bits"
    );
    assert_eq!(
        invalid_key(DramSpec {
            row_bytes: Some(32),
            ..base()
        }),
        "dram.row_bytes"
    );
    assert_eq!(
        invalid_key(DramSpec {
            address_mapping: Some("RoBaCoCh".into()),
            ..base()
        }),
        "dram.address_mapping"
    );
    assert_eq!(
        invalid_key(DramSpec {
            activate_pj: Some(-1.0),
            ..base()
        }),
        "dram.activate_pj"
    );
    let e = DramSpec {
        t_ras: Some(10),
        ..base()
    }
    .resolve("dram")
    .unwrap_err()
    .to_string();
    assert!(e.contains("tRAS = 10 is shorter than tRCD = 22"), "{e}");
}

#[test]
fn policy_names_suggest_the_closest() {
    let e = DramSpec {
        page_policy: Some("opne".into()),
        ..spec("HBM2")
    }
    .resolve("dram")
    .unwrap_err();
    assert!(
        matches!(&e, ArchError::UnknownName { suggestion: Some(s), .. } if s == "open"),
        "{e:?}"
    );
    let e = DramSpec {
        scheduler: Some("frfcfs".into()),
        ..spec("HBM2")
    }
    .resolve("dram")
    .unwrap_err();
    assert!(
        matches!(&e, ArchError::UnknownName { suggestion: Some(s), .. } if s == "fr-fcfs"),
        "{e:?}"
    );
}

#[test]
fn mappings_decode_and_encode() {
    let cfg = preset("HBM2e");
    // Default RoRaBaCoBgCh, 32-byte bursts, 16 pseudo-channels, 4 bank groups, 32
    // columns: burst b → channel b mod 16, bank group (b / 16) mod 4, column
    // (b / 64) mod 32, bank (b / 2048) mod 4.
    let b: u64 = 5 + 16 * (3 + 4 * (7 + 32 * 2));
    let a = cfg.mapping.decode(&cfg, b * 32 + 17);
    assert_eq!(
        (a.channel, a.bank_group, a.column, a.bank, a.row),
        (5, 3, 7, 2, 0)
    );
    assert_eq!(cfg.mapping.encode(&cfg, &a), b * 32);
    // Ramulator 2's RoBaRaCoCh reads RoBaBgRaCoCh.
    let m = AddressMapping::parse("RoBaRaCoCh").unwrap();
    assert_eq!(m.name(), "RoBaBgRaCoCh");
    let errs = ["RoBaCoCh", "RoRoRaBaCoCh", "RoRaBaCoBgC", "XxRaBaCoBgCh"];
    for e in errs {
        assert!(AddressMapping::parse(e).is_err(), "{e}");
    }
    // Every address round-trips for a mixed-radix channel count (3 stacks × 8 × 2).
    let s = DramSpec {
        stacks: Some(3),
        ..spec("HBM2")
    };
    let cfg = s.resolve("dram").unwrap();
    for burst in [0u64, 1, 47, 48, 12345, 999_999] {
        let a = cfg.mapping.decode_burst(&cfg, burst);
        assert!(a.channel < 48);
        assert_eq!(cfg.mapping.encode(&cfg, &a), burst * 32);
    }
    let _ = DramAddress::default();
}

#[test]
fn ddr4_energy_follows_the_idd_method() {
    // DRAMsim3 DDR4_8Gb_x8_3200: VDD 1.2 V, IDD0 57, IDD2N 37, IDD3N 52, IDD4R 168,
    // IDD4W 150, IDD5AB 250 mA; tCK 0.625 ns; 8 devices; tRAS 52, tRP 22, tBURST 4,
    // tRFC 560. By hand:
    //   activate  1.2·(57·74 − 52·52 − 37·22)·0.625·8 = 1.2·700·5 = 4200 pJ
    //   read      1.2·(168 − 52)·4·0.625·8 = 2784 pJ
    //   write     1.2·(150 − 52)·4·0.625·8 = 2352 pJ
    //   refresh   1.2·(250 − 52)·560·0.625·8 = 665 280 pJ
    //   background 1.2·52·8 = 499.2 mW
    let cfg = preset("DDR4-3200");
    let e = cfg.energy;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.max(1.0);
    assert!(close(e.activate_pj, 4200.0), "{}", e.activate_pj);
    assert!(close(e.read_burst_pj, 2784.0), "{}", e.read_burst_pj);
    assert!(close(e.write_burst_pj, 2352.0), "{}", e.write_burst_pj);
    assert!(close(e.refresh_pj, 665_280.0), "{}", e.refresh_pj);
    assert!(close(e.background_mw, 499.2), "{}", e.background_mw);
    let m = DramModel::new(cfg);
    let counts = MemCounts {
        activates: 2,
        read_bursts: 10,
        write_bursts: 1,
        refreshes: 1,
        ..MemCounts::default()
    };
    // 2·4200 + 10·2784 + 2352 + 665 280 = 703 872 pJ (no I/O energy by default).
    assert!(close(m.energy_pj(&counts, 640, 64), 703_872.0));
    assert!(close(m.background_mw(), 499.2));
    let names: Vec<&str> = m.energy_table_pj().iter().map(|x| x.0).collect();
    assert_eq!(
        names,
        ["activate", "read_burst", "write_burst", "refresh", "io_bit"]
    );
}

#[test]
fn interface_energy_is_added_per_bit_when_set() {
    let s = DramSpec {
        io_pj_per_bit: Some(2.0),
        ..spec("HBM2")
    };
    let m = s.build("dram").unwrap();
    // 100 bytes read + 28 written = 1024 bits × 2 pJ.
    assert_eq!(m.energy_pj(&MemCounts::default(), 100, 28), 2048.0);
    // HBM2 background: 16 pseudo-channels × 33 mW (1.2 V · 55 mA · 0.5).
    assert!((m.background_mw() - 528.0).abs() < 1e-9);
}

#[test]
fn resolve_reports_every_problem() {
    // Three independent mistakes: each reported once, none hiding another.
    let e = DramSpec {
        stacks: Some(0),
        banks_per_group: Some(3),
        t_ras: Some(10),
        ..spec("DDR4-3200")
    }
    .resolve("dram")
    .unwrap_err();
    let ArchError::Many(list) = &e else {
        panic!("{e:?}")
    };
    let keys: Vec<&str> = list
        .iter()
        .map(|p| match p {
            ArchError::Invalid { key, .. } => key.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(keys, ["dram.stacks", "dram.banks_per_group", "dram.tRAS"]);
}
