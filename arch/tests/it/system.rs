//! Multi-device systems: `[system]` on any compute platform, tensor × pipeline splits,
//! the pipeline send and the dragonfly topology by hand, and the Groq many-chip presets
//! against their sources.

use arch::Platform;
use arch::system::{INTERCONNECTS, Topology};
use sim_core::Time;
use toml::Value;

fn load(name: &str, set: &[(&str, Value)]) -> Result<Platform, arch::ArchError> {
    let o: Vec<(String, Value)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Platform::load(name, &o)
}

fn int(v: i64) -> Value {
    Value::Integer(v)
}

/// `t` equals `ns` nanoseconds to a picosecond (the model rounds seconds up once).
fn close(t: Time, ns: f64) {
    let want = (ns * 1000.0).round() as u64;
    assert!(
        t.as_ps().abs_diff(want) <= 1,
        "{} ps vs {want} ps",
        t.as_ps()
    );
}

#[test]
fn any_platform_with_a_compute_unit_takes_a_system() {
    // PE-array ASICs, an FPGA, an SRAM-only chip: each can be copied N times.
    for name in [
        "generic-os-128",
        "marca",
        "flightllm-u280",
        "groq-lpu",
        "tpu-v1",
    ] {
        let p = load(
            name,
            &[
                ("system.devices", int(4)),
                ("system.interconnect", Value::String("pcie5".into())),
            ],
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = p.system.unwrap();
        assert_eq!(
            (s.devices(), s.tensor_devices(), s.pipeline_stages()),
            (4, 4, 1)
        );
    }
}

#[test]
fn pipeline_stages_must_divide_the_devices() {
    let e = load("groq-node", &[("system.pipeline_stages", int(3))])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("system.pipeline_stages")
            && e.contains("8 devices do not split into 3 pipeline stages")
            && e.contains("1, 2, 4, 8"),
        "{e}"
    );
    let e = load("groq-node", &[("system.pipeline_stages", int(0))])
        .unwrap_err()
        .to_string();
    assert!(e.contains("system.pipeline_stages"), "{e}");
    // T × P: 8 devices as 2 stages of 4.
    let s = load("groq-node", &[("system.pipeline_stages", int(2))])
        .unwrap()
        .system
        .unwrap();
    assert_eq!((s.tensor_devices(), s.pipeline_stages()), (4, 2));
    // A dragonfly needs its group size and global bandwidth; other topologies refuse them.
    let e = load(
        "groq-node",
        &[("system.topology", Value::String("dragonfly".into()))],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("system.group_devices"), "{e}");
    let e = load("groq-node", &[("system.group_devices", int(8))])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("system.group_devices") && e.contains("dragonfly"),
        "{e}"
    );
}

#[test]
fn groq_c2c_matches_its_sources() {
    // Linley (2020-11, on Abts's Linley Fall Processor Conference talk): a C2C link is 4
    // lanes; cabled at 28 Gb/s = 4 × 28 / 8 = 14 GB/s per direction. ISCA 2022 (as
    // transcribed by secondary summaries): in a GroqNode each TSP has 7 local links, one
    // per peer: 7 × 14 = 98 GB/s; a fully-connected topology.
    let c2c = INTERCONNECTS.iter().find(|p| p.0 == "groq-c2c").unwrap();
    assert_eq!(c2c.1, 7.0 * 4.0 * 28e9 / 8.0);
    assert_eq!(c2c.4, Topology::FullyConnected);
    // Step latency: ISCA 2022 bounds end-to-end latency by 3 µs over a 5-hop diameter:
    // 3 / 5 = 0.6 µs per hop; statically scheduled, no start-up cost.
    assert_eq!((c2c.2, c2c.3), (3.0 / 5.0, 0.0));
}

#[test]
fn pipeline_send_by_hand() {
    // GroqNode, 8 chips fully connected, 98 GB/s per chip over 7 peers = 14 GB/s per
    // pair; α = 0.6 µs, α₀ = 0. A 16 384-byte activation (8 192 fp16 values):
    // 16 384 / 14e9 s = 1 170.286 ns, + 600 ns = 1 770.286 ns.
    let node = load("groq-node", &[("system.pipeline_stages", int(8))])
        .unwrap()
        .system
        .unwrap();
    close(node.stage_send(0, 16_384.0).time, 16_384.0 / 14.0 + 600.0);
    assert_eq!(node.stage_send(0, 16_384.0).steps, 1);
    assert_eq!(node.send(16_384.0), node.stage_send(3, 16_384.0));

    // 576 chips, dragonfly of 8-chip groups, 36 stages × 16 chips: every stage boundary
    // crosses groups: B / 56 GB/s + 3 hops × 0.6 µs = 292.571 + 1 800 ns.
    let big = load("groq-576", &[]).unwrap().system.unwrap();
    assert_eq!(big.topology(), Topology::Dragonfly);
    let c = big.stage_send(0, 16_384.0);
    close(c.time, 16_384.0 / 56.0 + 1800.0);
    assert_eq!(c.steps, 3);

    // 144 stages × 4 chips: stage 0 (chips 0–3) → stage 1 (4–7) stays in group 0 on one
    // local link (14 GB/s, 1 hop); stage 1 → stage 2 (8–11) crosses to group 1.
    let fine = load("groq-576", &[("system.pipeline_stages", int(144))])
        .unwrap()
        .system
        .unwrap();
    close(fine.stage_send(0, 16_384.0).time, 16_384.0 / 14.0 + 600.0);
    close(fine.stage_send(1, 16_384.0).time, 16_384.0 / 56.0 + 1800.0);
}

#[test]
fn a_stage_all_reduces_over_its_own_links() {
    let b = 1.0e6;
    // One stage (P = 1): the system itself.
    let node = load("groq-node", &[]).unwrap().system.unwrap();
    assert_eq!(node.tensor_group(), node);
    // GroqNode as 2 stages × 4 chips: the 4 chips of a stage use 3 of their 7 links,
    // 98 × 3/7 = 42 GB/s: 2 · 3/4 · 1 MB / 42 GB/s = 35 714.286 ns, + 2 × 600 ns.
    let two = load("groq-node", &[("system.pipeline_stages", int(2))])
        .unwrap()
        .system
        .unwrap();
    let g = two.tensor_group();
    assert_eq!(g.devices(), 4);
    close(g.all_reduce(b).time, 1.5e6 / 42.0 + 1200.0);
    // 576 chips as 72 × 8: a stage is one node, fully connected on its 7 local links:
    // 2 · 7/8 · 1 MB / 98 GB/s = 17 857.143 ns, + 2 × 600 ns.
    let p72 = load("groq-576", &[("system.pipeline_stages", int(72))])
        .unwrap()
        .system
        .unwrap();
    let g = p72.tensor_group();
    assert_eq!((g.devices(), g.topology()), (8, Topology::FullyConnected));
    close(g.all_reduce(b).time, 1.75e6 / 98.0 + 1200.0);
    // 36 × 16 (the preset): a stage spans two nodes; each phase crosses groups at
    // min(98, 56) = 56 GB/s with 3 hops: 2 · 15/16 · 1 MB / 56 GB/s = 33 482.143 ns,
    // + 2 × 3 × 600 ns.
    let g = load("groq-576", &[])
        .unwrap()
        .system
        .unwrap()
        .tensor_group();
    assert_eq!((g.devices(), g.topology()), (16, Topology::Dragonfly));
    close(g.all_reduce(b).time, 1.875e6 / 56.0 + 3600.0);
}

#[test]
fn groq_presets_count_their_chips_and_sram() {
    // One GroqChip: 220 MiB = 230 686 720 B (ISCA 2020).
    let chip = 220 * 1024 * 1024;
    let one = load("groq-lpu", &[]).unwrap();
    assert_eq!(one.on_chip_capacity_bytes(), Some(chip));
    // GroqNode: 8 chips (ISCA 2022) = 1 845 493 760 B; 576 chips (8 racks × 9 nodes × 8,
    // SemiAnalysis 2024) = 132 875 550 720 B.
    for (name, chips, sram, stages) in [
        ("groq-node", 8, 1_845_493_760u64, 1),
        ("groq-576", 576, 132_875_550_720, 36),
    ] {
        let p = load(name, &[]).unwrap();
        let s = p.system.as_ref().unwrap();
        assert_eq!(s.devices(), chips, "{name}");
        assert_eq!(
            s.devices() as u64 * p.on_chip_capacity_bytes().unwrap(),
            sram
        );
        assert_eq!(s.pipeline_stages(), stages);
        assert_eq!(s.tensor_devices() * s.pipeline_stages(), chips);
        // The chip is a copy of groq-lpu: every section but the system and the names.
        let strip = |name: &str| {
            let mut t: toml::Table = toml::from_str(arch::preset_toml(name).unwrap()).unwrap();
            for k in ["name", "description", "sources", "system"] {
                t.remove(k);
            }
            t
        };
        assert_eq!(strip(name), strip("groq-lpu"), "{name}");
        // Static power per chip: 1/4 (estimate) of the ~300 W a TSP draws (TechSpot 2020,
        // on Groq's GroqCard launch) = 75 W = 75 000 mW, carried by the buffer's leakage.
        let leak = p.global_buffer.as_ref().unwrap().leakage_mw;
        assert_eq!(leak, 300e3 / 4.0, "{name}");
    }
    // The dragonfly: 8-chip groups (a node), 4 global links × 14 GB/s = 56 GB/s per chip.
    let s = load("groq-576", &[]).unwrap().system.unwrap();
    assert_eq!(s.group_devices(), Some(8));
    assert_eq!(s.global_link_bytes_per_s(), Some(4.0 * 14e9));
}
