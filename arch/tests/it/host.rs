//! `[host]`: validation errors name the file, line, key and closest preset; a host is
//! only for platforms without a GPU or CPU of their own; the transfer formulas.

use arch::Platform;
use arch::host::{Host, HostRole};
use sim_core::Time;

/// The SRAM macro preset without its `[host]` (the file's last section).
fn base() -> &'static str {
    let text = arch::preset_toml("imc-sram-7nm").unwrap();
    &text[..text.find("\n[host]").unwrap()]
}

fn with_host(host: &str) -> Result<Platform, arch::ArchError> {
    Platform::from_toml_str(&format!("{}\n{host}", base()), "macro.toml", &[])
}

#[test]
fn a_host_is_read_and_validated() {
    let p = with_host(
        "[host]\nplatform = \"xeon-8358p\"\nlink_gb_per_s = 6.4\nlink_latency_us = 1.0\nlink_pj_per_byte = 10.0\n",
    )
    .unwrap();
    let h = p.host().unwrap();
    assert_eq!(
        (h.platform.as_str(), h.devices, h.link_bytes_per_s, h.role),
        ("xeon-8358p", 1, 6_400_000_000, HostRole::Fallback)
    );
    assert_eq!(h.link_latency, Time::from_us(1));
    // The host's own units are not the platform's class.
    assert_eq!(p.class(), "IMC");
}

#[test]
fn an_unknown_host_preset_gets_the_closest_name_and_its_line() {
    let e = with_host("[host]\nplatform = \"xeon-8358\"\nlink_gb_per_s = 6.4\n")
        .unwrap_err()
        .to_string();
    // The line of `platform = ` in the whole text, counted here.
    let text = format!("{}\n[host]\nplatform", base());
    let line = text.matches('\n').count() + 1;
    assert!(
        e.contains("host.platform")
            && e.contains("did you mean `xeon-8358p`")
            && e.contains(&format!("macro.toml at line {line}, column")),
        "{e}"
    );
}

#[test]
fn an_unknown_host_key_is_an_error_with_the_closest_key() {
    let e = with_host("[host]\nplatform = \"xeon-8358p\"\nlink_gbps = 6.4\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("link_gbps") && e.contains("link_gb_per_s") && e.contains("macro.toml"),
        "{e}"
    );
}

#[test]
fn bad_host_values_are_reported_together() {
    let e = with_host(
        "[host]\nplatform = \"xeon-8358p\"\ndevices = 0\nlink_gb_per_s = -1.0\nlink_pj_per_byte = -2.0\n",
    )
    .unwrap_err()
    .to_string();
    for key in [
        "host.devices",
        "host.link_gb_per_s",
        "host.link_pj_per_byte",
    ] {
        assert!(e.contains(key), "{key}: {e}");
    }
}

#[test]
fn a_platform_with_its_own_cpu_takes_no_host() {
    let text = arch::preset_toml("xeon-8358p").unwrap();
    let e = Platform::from_toml_str(
        &format!("{text}\n[host]\nplatform = \"a100-sxm4-80gb\"\nlink_gb_per_s = 31.5\n"),
        "cpu-with-host.toml",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("host") && e.contains("[cpu]"), "{e}");
}

#[test]
fn a_host_can_be_changed_by_an_override() {
    let p = Platform::load(
        "imc-reram-isaac",
        &[(
            "host.platform".into(),
            toml::Value::String("h100-sxm5-80gb".into()),
        )],
    )
    .unwrap();
    assert_eq!(p.host().unwrap().platform, "h100-sxm5-80gb");
    let e = Platform::load(
        "imc-reram-isaac",
        &[("host.platfrom".into(), toml::Value::String("h100".into()))],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("platform"), "{e}");
}

#[test]
fn a_transfer_takes_latency_plus_bytes_over_bandwidth() {
    // 6.4 GB/s and 1 µs: 156 160 B take 1 µs + 156 160 / 6.4e9 s = 1 µs + 24.4 µs; at
    // 1625 pJ/B they cost 253.76 µJ.
    let h = Host {
        platform: "xeon-8358p".into(),
        devices: 1,
        link_bytes_per_s: 6_400_000_000,
        link_latency: Time::from_us(1),
        link_pj_per_byte: 1625.0,
        sources: Vec::new(),
        role: HostRole::Fallback,
    };
    assert_eq!(h.transfer_time(156_160), Time::from_ps(25_400_000));
    assert!((h.transfer_pj(156_160) - 253.76e6).abs() < 1e-3);
    assert_eq!(h.transfer_time(0), Time::from_us(1));
}

#[test]
fn attacc_host_is_the_same_host_the_other_way_round() {
    // [pim.attention] host_platform = A100, 8 of them, 4800 GB/s, 10.4 pJ/B.
    let h = Platform::load("pim-attacc", &[]).unwrap().host().unwrap();
    assert_eq!(h.role, HostRole::AttentionOffload);
    assert_eq!(
        (h.devices, h.link_bytes_per_s, h.link_pj_per_byte),
        (8, 4_800_000_000_000, 10.4)
    );
}
