//! Pipeline parallelism (`[system] pipeline_stages`): stage time plus sends, per-device
//! memory, tensor × pipeline device counts, idle stages, and the Groq many-chip presets
//! over every bundled model.

use arch::Platform;
use mappers::Report;
use toml::Value;
use workloads::{Model, Workload};

use crate::run::{load, run};

/// An A100 as `devices` of them on NVLink 3, `stages` pipeline stages.
fn a100s(devices: i64, stages: i64) -> Platform {
    load(
        "a100-sxm4-80gb",
        &[
            ("system.devices", Value::Integer(devices)),
            ("system.interconnect", Value::String("nvlink3".into())),
            ("system.pipeline_stages", Value::Integer(stages)),
        ],
    )
}

fn comm_ops(r: &Report) -> u64 {
    r.by_category
        .iter()
        .find(|c| c.category == "communication")
        .map_or(0, |c| c.ops)
}

#[test]
fn two_stages_take_one_device_time_plus_one_send() {
    // Llama-2-7B decode, batch 1, context 64, on two A100s as two pipeline stages of one
    // GPU each. The stages run their layers one after another, so the stage times add up
    // to the one-GPU step (same kernels, same order); the residual stream crosses the
    // boundary once: 4 096 fp16 values = 8 192 B over NVLink 3 (switch, 300 GB/s per
    // GPU): 8 192 / 300e9 s = 27.307 ns, + α 0.6 µs + α₀ 6.6 µs = 7 227.307 ns.
    let w = Workload::decode(64);
    let one = run(&load("a100-sxm4-80gb", &[]), "llama2-7b", &w).unwrap();
    let two = run(&a100s(2, 2), "llama2-7b", &w).unwrap();
    let send_ps = (8192.0 / 300e9 * 1e12 + 0.6e6 + 6.6e6_f64).round() as u64;
    assert!(
        two.time_ps.abs_diff(one.time_ps + send_ps) <= 1,
        "{} vs {} + {send_ps}",
        two.time_ps,
        one.time_ps
    );
    assert_eq!(comm_ops(&two), 1);
    assert_eq!(two.traffic.interconnect_bytes, 8192);
    assert_eq!(
        (two.devices, two.tensor_parallel, two.pipeline_stages),
        (2, 1, 2)
    );
    // Energy: the same kernels (dynamic energy), and both GPUs idle-draw 50 W for the
    // whole step: E₂ − E₁ = 50 W × (2 t₂ − t₁).
    let extra = 50.0 * (2.0 * two.seconds - one.seconds);
    assert!(
        ((two.energy_j - one.energy_j) / extra - 1.0).abs() < 1e-9,
        "{} − {} vs {extra}",
        two.energy_j,
        one.energy_j
    );
}

#[test]
fn two_stages_halve_the_weights_per_device() {
    // Llama-2-7B fp16: embedding 32 000 × 4 096 × 2 = 262 144 000 B, 32 layers of
    // 202 383 360 parameters (404 766 720 B), final norm 8 192 B, LM head 262 144 000 B:
    // 13 476 831 232 B. Two stages: [embedding, layers 0–15] = 6 738 411 520 B and
    // [layers 16–31, norm, head] = 6 738 419 712 B — half of the total but the final norm:
    // (13 476 831 232 + 8 192) / 2.
    let g = Model::resolve("llama2-7b")
        .unwrap()
        .build(&Workload::decode(64))
        .unwrap();
    let one = mappers::footprint(&load("a100-sxm4-80gb", &[]), &g).unwrap();
    let two = mappers::footprint(&a100s(2, 2), &g).unwrap();
    assert_eq!(one.device_weight_bytes, 13_476_831_232);
    assert_eq!((one.devices, one.pipeline_stages), (1, 1));
    assert_eq!(two.device_weight_bytes, (13_476_831_232 + 8_192) / 2);
    assert_eq!((two.devices, two.pipeline_stages), (2, 2));
    assert_eq!(two.weight_bytes, one.weight_bytes);
}

#[test]
fn tensor_times_pipeline_devices() {
    // 8 A100s as 4 stages × 2 tensor-parallel GPUs: 2 all-reduces in each of 32 layers
    // plus a send at each of the 3 stage boundaries.
    let r = run(&a100s(8, 4), "llama2-7b", &Workload::decode(64)).unwrap();
    assert_eq!((r.devices, r.tensor_parallel, r.pipeline_stages), (8, 2, 4));
    assert_eq!(comm_ops(&r), 64 + 3);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("4 stages × 2 tensor-parallel"))
    );
}

#[test]
fn one_stage_is_the_tensor_parallel_run() {
    // pipeline_stages = 1 written out changes nothing: 4 A100s, Llama-2-70B.
    let w = Workload::decode(256);
    let plain = run(&load("4x-a100-sxm4-80gb-nvlink", &[]), "llama2-70b", &w).unwrap();
    let p1 = load(
        "4x-a100-sxm4-80gb-nvlink",
        &[("system.pipeline_stages", Value::Integer(1))],
    );
    assert_eq!(run(&p1, "llama2-70b", &w).unwrap(), plain);
    assert_eq!(
        (plain.devices, plain.tensor_parallel, plain.pipeline_stages),
        (4, 4, 1)
    );
    // 2 stages × 2 GPUs: the same 160 all-reduces (over 2 GPUs) plus one send.
    let p2 = load(
        "4x-a100-sxm4-80gb-nvlink",
        &[("system.pipeline_stages", Value::Integer(2))],
    );
    let r = run(&p2, "llama2-70b", &w).unwrap();
    assert_eq!(comm_ops(&r), 160 + 1);
}

#[test]
fn more_stages_than_layers_leave_devices_idle() {
    // Mamba-130M: embedding, 24 layers, final norm + LM head = 26 units; the 576-chip
    // preset asks for 36 stages of 16 chips: 26 stages, (36 − 26) × 16 = 160 chips idle.
    let r = run(&load("groq-576", &[]), "mamba-130m", &Workload::decode(64)).unwrap();
    assert_eq!(
        (r.devices, r.tensor_parallel, r.pipeline_stages),
        (576, 16, 26)
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("26 units") && n.contains("160 devices idle")),
        "{:?}",
        r.notes
    );
}

#[test]
fn every_groq_chip_draws_its_static_power() {
    // groq-576 on Mamba-130M: 26 of the 36 stages hold work, 160 chips idle; all 576 chips
    // draw the preset's 75 W static power for the whole step (the report multiplies static
    // power by T × P devices): E ≥ 576 × 75 W × t, and the dynamic rest is small, so the
    // average power lies within 576 × 75 W = 43 200 W and 45 000 W.
    let r = run(&load("groq-576", &[]), "mamba-130m", &Workload::decode(64)).unwrap();
    let floor = 576.0 * 75.0 * r.seconds;
    assert!(r.energy_j >= floor, "{} < {floor}", r.energy_j);
    let watts = r.energy_j / r.seconds;
    assert!((43_200.0..45_000.0).contains(&watts), "{watts} W");
}

#[test]
fn groq_576_runs_every_bundled_model() {
    // Every shipped model decodes at context 64 on 576 GroqChips (w8a8: the int8 array).
    for name in workloads::model::shipped_names() {
        let r = run(&load("groq-576", &[]), name, &Workload::decode(64))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.tokens_per_s > 0.0 && r.devices == 576, "{name}");
        assert!(r.transforms.iter().any(|t| t.starts_with("w8a8")), "{name}");
    }
    // One chip holds Mamba-130M (its tied LM head shares the fp16 embedding table:
    // 50280 × 768 × 2 B = 77.2 MB + ≈ 91 M int8 weights ≈ 0.17 GB < 230.7 MB) but not
    // Mamba-370M (50280 × 1024 × 2 B = 103 MB + ≈ 320 M int8 weights ≈ 0.42 GB): the hint
    // names ⌈0.42 / 0.2307⌉ = 2 chips, and the GroqNode runs it.
    assert!(run(&load("groq-lpu", &[]), "mamba-130m", &Workload::decode(64)).is_ok());
    let e = run(&load("groq-lpu", &[]), "mamba-370m", &Workload::decode(64))
        .unwrap_err()
        .to_string();
    assert!(e.contains("as w8a8") && e.contains("need 2 devices"), "{e}");
    assert!(run(&load("groq-node", &[]), "mamba-370m", &Workload::decode(64)).is_ok());
}

#[test]
fn an_overflowing_stage_asks_for_wider_stages() {
    // LLaVA-Video-72B on 576 chips as 72 stages × 8: the last stage holds the fp16 LM
    // head, 152 064 × 8 192 × 2 = 2 491 416 576 B, and the final norm, 8 192 × 2 B:
    // ⌈2 491 432 960 / 8⌉ = 311 429 120 B per chip > 230 686 720. The chips are enough in
    // all (576 > 327), the stage is too narrow: ⌈2 491 432 960 / 230 686 720⌉ = 11 chips;
    // the largest divisor of 576 leaving ≥ 11 chips per stage is 48 (12 each).
    let w = Workload::decode(64);
    let p72 = load(
        "groq-576",
        &[("system.pipeline_stages", Value::Integer(72))],
    );
    let e = run(&p72, "llava-video-72b", &w).unwrap_err().to_string();
    assert!(
        e.contains("needs 311429120 bytes")
            && e.contains("72 pipeline stages × 8 tensor-parallel")
            && e.contains("needs 11 devices")
            && e.contains("--set system.pipeline_stages=48, 12 devices each"),
        "{e}"
    );
    let p48 = load(
        "groq-576",
        &[("system.pipeline_stages", Value::Integer(48))],
    );
    assert!(run(&p48, "llava-video-72b", &w).is_ok());
}
