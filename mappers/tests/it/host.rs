//! Platforms with a `[host]`: placement (the platform's own units first, the host for the
//! rest) and the activations crossing the host link, derived by hand.

use arch::Platform;
use mappers::cost::{PlatformCosts, UnitKind};
use mappers::{Report, RunOptions, compose_host, prepare, simulate};
use sim_core::Time;
use workloads::{Model, Workload};

fn report(preset: &str, model: &str) -> Report {
    let p = Platform::load(preset, &[]).unwrap();
    let g = Model::resolve(model)
        .unwrap()
        .build(&Workload::decode(64))
        .unwrap();
    simulate(&p, &g, &RunOptions::default()).unwrap()
}

fn unit_of<'a>(r: &'a Report, op: &str) -> &'a str {
    &r.operators.iter().find(|o| o.name == op).unwrap().unit
}

#[test]
fn isaac_runs_products_on_its_crossbars_and_norms_on_its_host() {
    let r = report("imc-reram-isaac", "llama2-7b");
    for op in [
        "q_proj", "k_proj", "v_proj", "o_proj", "ffn_gate", "ffn_up", "ffn_down",
    ] {
        assert_eq!(unit_of(&r, op), "crossbar", "{op}");
    }
    for op in [
        "attn_norm",
        "ffn_norm",
        "softmax",
        "rotary_q",
        "ffn_act",
        "attn_residual",
    ] {
        assert_eq!(unit_of(&r, op), "cpu", "{op}");
    }
    assert_eq!(r.platform_class, "IMC");
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("host: 1 × Xeon-Platinum-8358P"))
    );
    assert!(r.units.iter().any(|u| u.unit == "host_link" && u.tasks > 0));
    assert!(r.energy_by_unit.iter().any(|e| e.name == "host_link"));
}

#[test]
fn one_llama_layer_on_isaac_moves_its_activations_over_the_link_once_per_producer() {
    // Llama-2-7B decode, context 64, fp16 (d = 4096: 8 192 B per hidden vector; FFN 11 008:
    // 22 016 B; scores 32 heads × 64 tokens × 2 B = 4 096 B). Placement: products on the
    // crossbars (q, k, v, scores, values, o, gate, up, down), the rest on the CPU. Edges
    // that cross, one transfer per producer and direction:
    //   to the crossbars: attn_norm (q/k/v share it), rotary_q, k_append, v_append,
    //     softmax, ffn_norm (gate/up share it), ffn_mul                  → 7 transfers
    //   to the host: q, k, v, attn_scores, o_proj, ffn_gate, ffn_up, ffn_down → 8
    // Bytes: 10 × 8 192 + 2 × 4 096 (scores, probabilities) + 3 × 22 016 = 156 160 B.
    // Time: 15 × 1 µs + 156 160 B / 6.4 GB/s (24.4 µs) = 39.4 µs; energy 156 160 × 1625 pJ.
    let p = Platform::load("imc-reram-isaac", &[]).unwrap();
    let (p, _) = compose_host(&p).unwrap();
    let g = Model::resolve("llama2-7b")
        .unwrap()
        .build(&Workload::decode(64))
        .unwrap();
    let (g, _) = prepare(&p, &g).unwrap();
    let opts = RunOptions::default();
    let costs = PlatformCosts::new(&p, &opts).unwrap();
    let s = mappers::schedule::build(&g, &costs, &opts).unwrap();
    let link: Vec<_> = s
        .tasks
        .iter()
        .filter(|t| t.alive && t.unit == UnitKind::HostLink && t.layer == Some(0))
        .collect();
    let to_host = link.iter().filter(|t| t.name == "to_host").count();
    assert_eq!((link.len(), to_host), (15, 8));
    assert_eq!(link.iter().map(|t| t.out_bytes).sum::<u64>(), 156_160);
    let time: Time = link.iter().fold(Time::ZERO, |a, t| a + t.cost.time);
    assert_eq!(time, Time::from_ps(15_000_000 + 24_400_000));
    let pj: f64 = link.iter().map(|t| t.cost.energy_pj()).sum();
    assert!((pj - 156_160.0 * 1625.0).abs() < 1.0, "{pj}");
    // The whole step: 32 such layers plus the final norm's output to the LM head.
    let r = simulate(&p, &g, &opts).unwrap();
    assert_eq!(r.traffic.host_link_bytes, 32 * 156_160 + 8_192);
}

#[test]
fn pim_runs_gemvs_in_memory_and_charges_its_own_transfers() {
    // HBM-PIM beside its GPU host: products on the PIM, norms on the GPU; the PIM kernels
    // move their inputs and outputs over the stack interface themselves, so no link task.
    let r = report("pim-hbm-pim", "llama2-7b");
    for op in ["q_proj", "ffn_down"] {
        assert_eq!(unit_of(&r, op), "pim", "{op}");
    }
    for op in ["attn_norm", "ffn_norm"] {
        assert_eq!(unit_of(&r, op), "gpu", "{op}");
    }
    assert_eq!(r.traffic.host_link_bytes, 0);
    // UPMEM's DPUs likewise, beside a Xeon.
    let r = report("pim-upmem", "mamba-130m");
    assert_eq!(unit_of(&r, "in_proj"), "pim");
    assert_eq!(unit_of(&r, "norm"), "cpu");
}

#[test]
fn eyeriss_keeps_its_array_and_dma_and_hands_the_rest_to_its_pc() {
    let r = report("eyeriss", "llama2-7b");
    assert_eq!(unit_of(&r, "q_proj"), "pe_array");
    assert_eq!(unit_of(&r, "attn_norm"), "cpu");
    assert_eq!(unit_of(&r, "k_append"), "dma");
    assert_eq!(r.platform_class, "ASIC");
    assert!(r.traffic.host_link_bytes > 0);
}

#[test]
fn an_operator_goes_to_the_host_only_when_no_own_unit_runs_it() {
    // On every preset with a [host], for a transformer and a Mamba model: each task on the
    // host's GPU/CPU is work that every one of the platform's own candidate units refuses.
    use mappers::cost::CostModel;
    for preset in arch::preset_names() {
        let p = Platform::load(preset, &[]).unwrap();
        if p.host.is_none() {
            continue;
        }
        let (p, _) = compose_host(&p).unwrap();
        let opts = RunOptions {
            dram: mappers::DramTiming::Calibrated,
            ..RunOptions::default()
        };
        let costs = PlatformCosts::new(&p, &opts).unwrap();
        for model in ["llama2-7b", "mamba-130m"] {
            let g = Model::resolve(model)
                .unwrap()
                .build(&Workload::decode(64))
                .unwrap();
            let (g, _) = prepare(&p, &g).unwrap();
            let s = mappers::schedule::build(&g, &costs, &opts).unwrap();
            let mut on_host = 0;
            for t in s.tasks.iter().filter(|t| t.alive) {
                let (Some(w), UnitKind::Gpu | UnitKind::Cpu) = (t.work, t.unit) else {
                    continue;
                };
                on_host += 1;
                for u in costs.candidates(&w) {
                    if !matches!(u, UnitKind::Gpu | UnitKind::Cpu) {
                        assert!(
                            costs.cost(u, &w).is_err(),
                            "{preset} {model}: {} on the host though {} runs it",
                            t.name,
                            u.name()
                        );
                    }
                }
            }
            assert!(on_host > 0, "{preset} {model}");
        }
    }
}

#[test]
fn products_on_the_platform_need_no_all_reduce_between_host_devices() {
    // ISAAC beside 2 A100s: the host's share is split over both GPUs, but every product
    // runs whole on the crossbars, so no row-parallel all-reduce follows one.
    let set = [
        (
            "host.platform".to_string(),
            toml::Value::String("a100-sxm4-80gb".into()),
        ),
        ("host.devices".to_string(), toml::Value::Integer(2)),
    ];
    let p = Platform::load("imc-reram-isaac", &set).unwrap();
    let g = Model::resolve("llama2-7b")
        .unwrap()
        .build(&Workload::decode(64))
        .unwrap();
    let r = simulate(&p, &g, &RunOptions::default()).unwrap();
    assert_eq!(r.devices, 2);
    assert_eq!(unit_of(&r, "ffn_down"), "crossbar");
    assert!(
        r.operators.iter().all(|o| o.name != "all_reduce"),
        "{:?}",
        r.operators
    );
}
