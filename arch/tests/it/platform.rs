//! Platform files: presets load; every kind of bad input gives an error naming the file,
//! the key path, what was expected and the closest valid name.

use arch::{ArchError, Platform, preset_names};
use toml::Value;

const GOOD: &str = r#"
name = "t"
clock_mhz = 1000
tech_nm = 28

[global_buffer]
size_kib = 64
n_banks = 4

[pe_array]
rows = 8
cols = 8
dataflow = "os"
"#;

fn err(text: &str) -> String {
    Platform::from_toml_str(text, "test.toml", &[])
        .unwrap_err()
        .to_string()
}

#[test]
fn every_preset_loads_and_cites_sources() {
    for name in ["eyeriss", "generic-os-128", "marca", "tpu-v1"] {
        assert!(preset_names().contains(&name), "{name}");
        let p = Platform::load(name, &[]).unwrap();
        assert!(p.pe_array.is_some() && p.global_buffer.is_some(), "{name}");
    }
    for name in [
        "edgellm-vcu128",
        "flightllm-u280",
        "flightllm-vhk158",
        "gaudi2",
        "groq-lpu",
    ] {
        assert!(preset_names().contains(&name), "{name}");
    }
    for name in preset_names() {
        let p = Platform::load(name, &[]).unwrap();
        assert!(!p.sources.is_empty(), "{name} cites nothing");
        assert!(!p.units().is_empty(), "{name} has no compute unit");
        assert!(p.memory().is_ok(), "{name}");
    }
    let class = |n: &str| Platform::load(n, &[]).unwrap().class();
    assert_eq!(
        [
            class("tpu-v1"),
            class("a100-sxm4-80gb"),
            class("xeon-8358p"),
            class("flightllm-u280")
        ],
        ["ASIC", "GPU", "CPU", "FPGA"]
    );
    assert_eq!(
        [class("imc-softmap"), class("pim-aimx")],
        ["IMC", "PIM/NDP"]
    );
    let tpu = Platform::load("tpu-v1", &[]).unwrap();
    let pe = tpu.pe_array.unwrap();
    assert_eq!((pe.rows, pe.cols, pe.dataflow.short()), (256, 256, "ws"));
}

#[test]
fn energy_defaults_come_from_the_node_and_override_one_by_one() {
    let p = Platform::from_toml_str(GOOD, "t.toml", &[]).unwrap();
    let pe = p.pe_array.unwrap();
    // int8 multiply 0.2 pJ + int32 add 0.1 pJ at 45 nm, times the 28 nm factor.
    assert!((pe.energy.mac_pj - 0.3 * p.energy_scale).abs() < 1e-12);
    assert!(
        p.energy_scale < 0.5 && p.energy_scale > 0.1,
        "{}",
        p.energy_scale
    );
    let p = Platform::from_toml_str(
        GOOD,
        "t.toml",
        &[("pe_array.energy.mac_pj".into(), Value::Float(0.5))],
    )
    .unwrap();
    let pe = p.pe_array.unwrap();
    assert_eq!(pe.energy.mac_pj, 0.5);
    assert!(
        (pe.energy.mul_pj - 0.2 * p.energy_scale).abs() < 1e-12,
        "others keep defaults"
    );
}

#[test]
fn unknown_key_names_file_line_path_and_suggestion() {
    let text = GOOD.replace("size_kib = 64", "size_kb = 64");
    let e = err(&text);
    assert!(e.contains("test.toml"), "{e}");
    assert!(e.contains("global_buffer.size_kb"), "{e}");
    assert!(e.contains("line 7"), "{e}");
    assert!(e.contains("did you mean `size_kib`?"), "{e}");
}

#[test]
fn unknown_section_and_variant_suggest() {
    let e = err(&GOOD.replace("[pe_array]", "[pe_aray]"));
    assert!(e.contains("did you mean `pe_array`?"), "{e}");
    let e = err(&GOOD.replace("\"os\"", "\"oss\""));
    assert!(
        e.contains("pe_array.dataflow") && e.contains("did you mean `os`?"),
        "{e}"
    );
}

#[test]
fn wrong_type_names_the_key() {
    let e = err(&GOOD.replace("rows = 8", "rows = \"eight\""));
    assert!(e.contains("pe_array.rows") && e.contains("line 11"), "{e}");
}

#[test]
fn syntax_error_has_line_and_column() {
    let e =
        Platform::from_toml_str("name = \"x\"\nclock_mhz = = 3\n", "bad.toml", &[]).unwrap_err();
    match &e {
        ArchError::Parse { file, line_col, .. } => {
            assert_eq!(file, "bad.toml");
            assert_eq!(line_col.map(|l| l.0), Some(2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn physical_problems_are_all_reported_with_their_keys() {
    let text = GOOD
        .replace("clock_mhz = 1000", "clock_mhz = 0")
        .replace("n_banks = 4", "n_banks = 3")
        .replace("rows = 8", "rows = 0");
    let e = Platform::from_toml_str(&text, "test.toml", &[]).unwrap_err();
    let ArchError::Many(list) = &e else {
        panic!("{e:?}")
    };
    let s = e.to_string();
    assert_eq!(list.len(), 3, "{s}");
    assert!(
        s.contains("clock_mhz: is 0; expected a frequency > 0 MHz"),
        "{s}"
    );
    assert!(
        s.contains("global_buffer.n_banks: is 3; expected a power of two"),
        "{s}"
    );
    assert!(s.contains("pe_array.rows: is 0"), "{s}");
    assert!(s.contains("line 3"), "{s}");
}

#[test]
fn buffer_smaller_than_one_tile() {
    // 8x8 int8/int32 tile: (8+8)·1 + 64·4 = 272 bytes; a 1 KiB buffer double-buffered holds
    // 512: fits. A 64x64 array needs (128) + 4096·4 = 16512 > 512.
    let e = Platform::from_toml_str(
        &GOOD
            .replace("size_kib = 64", "size_kib = 1")
            .replace("rows = 8\ncols = 8", "rows = 64\ncols = 64"),
        "test.toml",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("global_buffer.size_kib") && e.contains("smaller than one 64x64 array tile"),
        "{e}"
    );
}

#[test]
fn unknown_tech_node_and_negative_energy() {
    let e = err(&GOOD.replace("tech_nm = 28", "tech_nm = 2"));
    assert!(e.contains("tech_nm") && e.contains("[3, 130]"), "{e}");
    let e = Platform::from_toml_str(
        GOOD,
        "t.toml",
        &[("global_buffer.energy.read_pj".into(), Value::Float(-1.0))],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("global_buffer.energy.read_pj") && e.contains("set by an override"),
        "{e}"
    );
}

#[test]
fn overrides_are_validated_like_the_file() {
    let p = Platform::load(
        "generic-os-128",
        &[("pe_array.rows".into(), Value::Integer(64))],
    )
    .unwrap();
    assert_eq!(p.pe_array.unwrap().rows, 64);
    let e = Platform::load(
        "generic-os-128",
        &[("pe_array.rowz".into(), Value::Integer(64))],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("pe_array.rowz") && e.contains("did you mean `rows`?"),
        "{e}"
    );
    let e = Platform::load(
        "generic-os-128",
        &[("pe_array.dataflow".into(), Value::String("xs".into()))],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("set by an override") && e.contains("pe_array.dataflow"),
        "{e}"
    );
}

#[test]
fn unknown_preset_lists_close_names() {
    let e = Platform::load("tpu-v2", &[]).unwrap_err().to_string();
    assert!(
        e.contains("did you mean `tpu-v1`?")
            && e.contains("eyeriss")
            && e.contains("generic-os-128"),
        "{e}"
    );
    let e = Platform::load("missing/file.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read missing/file.toml"), "{e}");
}

#[test]
fn unknown_dram_preset_suggests() {
    let text = format!("{GOOD}\n[dram]\npreset = \"HBM2E\"\n");
    let e = err(&text);
    assert!(e.contains("did you mean `HBM2e`?"), "{e}");
}

#[test]
fn dram_problems_name_file_and_line() {
    // GOOD is 13 lines (line 1 empty, line 13 `dataflow`); then an empty line 14, `[dram]`
    // on 15, `preset` on 16, the bad key on 17; its value starts after the 18 characters
    // of `banks_per_group = `.
    let text = format!("{GOOD}\n[dram]\npreset = \"DDR4-3200\"\nbanks_per_group = 3\n");
    let e = Platform::from_toml_str(&text, "dram.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("dram.banks_per_group: must be a power of two >= 1")
            && e.contains("got 3 (in dram.toml at line 17, column 19)"),
        "{e}"
    );
    // An unknown page policy is located too, and keeps its suggestion.
    let e = err(&format!(
        "{GOOD}\n[dram]\npreset = \"DDR4-3200\"\npage_policy = \"opne\"\n"
    ));
    assert!(
        e.contains("dram.page_policy: unknown page policy `opne` (did you mean `open`?)")
            && e.contains("line 17"),
        "{e}"
    );
}

#[test]
fn every_dram_problem_is_reported() {
    let text = format!("{GOOD}\n[dram]\npreset = \"DDR4-3200\"\n");
    let e = Platform::from_toml_str(
        &text,
        "dram.toml",
        &[
            ("dram.stacks".into(), Value::Integer(0)),
            ("dram.banks_per_group".into(), Value::Integer(3)),
        ],
    )
    .unwrap_err();
    let ArchError::Many(list) = &e else {
        panic!("{e:?}")
    };
    let s = e.to_string();
    // One problem each: the zero stacks must not also fail the capacity check.
    assert_eq!(list.len(), 2, "{s}");
    assert!(
        s.contains("dram.stacks: must be at least 1 (in dram.toml, set by an override)"),
        "{s}"
    );
    assert!(
        s.contains("dram.banks_per_group: must be a power of two >= 1 (DRAM address bits), got 3 (in dram.toml, set by an override)"),
        "{s}"
    );
}

#[test]
fn gpu_problems_name_file_line_and_column() {
    // The A100 preset with `sm_count = 0`: the error points at the key's line, and at the
    // value after the 11 characters of `sm_count = ` (column 12).
    let text = arch::preset_toml("a100-sxm4-80gb")
        .unwrap()
        .replace("sm_count = 108", "sm_count = 0");
    let line = text
        .lines()
        .position(|l| l.starts_with("sm_count = 0"))
        .unwrap()
        + 1;
    let e = Platform::from_toml_str(&text, "gpu.toml", &[])
        .unwrap_err()
        .to_string();
    let want = format!("gpu.sm_count: must be >= 1, got 0 (in gpu.toml at line {line}, column 12)");
    assert!(e.contains(&want), "{e}");
    // Set by an override instead, it says so.
    let e = Platform::load(
        "a100-sxm4-80gb",
        &[("gpu.sm_count".into(), Value::Integer(0))],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("gpu.sm_count") && e.contains("set by an override"),
        "{e}"
    );
}

#[test]
fn a_system_without_an_interconnect_lists_the_valid_ones() {
    let e = err(&format!("{GOOD}\n[system]\ndevices = 4\n"));
    assert!(
        e.contains("system.interconnect")
            && e.contains("missing")
            && e.contains("nvlink3, nvlink4, pcie4, pcie5, groq-c2c")
            && e.contains("test.toml"),
        "{e}"
    );
}
