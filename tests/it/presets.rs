//! `silica presets`: the list (class, units, description, source) and one preset's TOML.

use crate::cli::silica;

#[test]
fn list_has_every_preset_with_class_and_source() {
    let out = silica().args(["presets", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, arch::preset_names());
    let find = |n: &str| list.iter().find(|x| x["name"] == n).unwrap();
    assert_eq!(find("a100-sxm4-80gb")["class"], "GPU");
    assert_eq!(find("xeon-8358p")["class"], "CPU");
    assert_eq!(find("flightllm-u280")["class"], "FPGA");
    assert_eq!(find("imc-softmap")["class"], "IMC");
    assert_eq!(find("pim-upmem")["class"], "PIM/NDP");
    assert_eq!(find("tpu-v1")["class"], "ASIC");
    assert_eq!(
        find("tpu-v1")["units"],
        serde_json::json!(["pe_array", "nonlinear"])
    );
    for x in list {
        assert!(x["source"].is_string(), "{x}");
    }
    // The text table names every preset too.
    let out = silica().arg("presets").output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    for n in arch::preset_names() {
        assert!(s.contains(n), "{n} missing from:\n{s}");
    }
    assert!(s.contains("source: Jouppi"), "{s}");
}

#[test]
fn one_preset_prints_loadable_toml_and_unknown_names_suggest() {
    let out = silica().args(["presets", "tpu-v1"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(Some(text.as_str()), arch::preset_toml("tpu-v1"));
    let p = arch::Platform::from_toml_str(&text, "copy.toml", &[]).unwrap();
    assert_eq!(p.pe_array.unwrap().rows, 256);
    let out = silica().args(["presets", "tpu"]).output().unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("unknown platform preset `tpu`") && e.contains("did you mean `tpu-v1`?"),
        "{e}"
    );
}
