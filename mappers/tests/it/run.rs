//! Whole-model runs: sanity against hand-derived bounds, scaling, capacity errors,
//! tensor parallelism, fusion and buffering, determinism, and the preset × model matrix.

use arch::Platform;
use mappers::cost::{CostModel, PlatformCosts};
use mappers::schedule::assign::assign;
use mappers::work::Work;
use mappers::{MapError, Report, RunOptions, simulate};
use toml::Value;
use workloads::transforms::Quantization;
use workloads::{Model, Workload};

pub(crate) fn load(name: &str, set: &[(&str, Value)]) -> Platform {
    let o: Vec<(String, Value)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Platform::load(name, &o).unwrap()
}

/// A preset with its `[host]` section (the file's last) cut off.
fn without_host(name: &str, set: &[(&str, Value)]) -> Platform {
    let text = arch::preset_toml(name).unwrap();
    let bare = &text[..text.find("\n[host]").unwrap()];
    let o: Vec<(String, Value)> = set
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Platform::from_toml_str(bare, &format!("{name}-without-host.toml"), &o).unwrap()
}

pub(crate) fn run(p: &Platform, model: &str, w: &Workload) -> Result<Report, MapError> {
    let g = Model::resolve(model).unwrap().build(w).unwrap();
    simulate(p, &g, &RunOptions::default())
}

#[test]
fn gpu_decode_is_memory_bound() {
    // Llama-2-7B fp16, batch 1, context 1024. Bytes per token, by hand: every weight once
    // (6 738 415 616 parameters × 2 B = 13 476 831 232) less the embedding table except the
    // one row gathered (32 000 × 4 096 × 2 − 8 192 = 262 135 808) = 13 214 695 424, plus the
    // KV cache read (2 × 32 layers × 1 024 tokens × 4 096 × 2 B = 536 870 912):
    // 13 751 566 336 bytes. A100-SXM4-80GB: 2.039 TB/s (datasheet) × 0.9 (mem_bandwidth, the
    // default) × 0.9 (blas_bandwidth, the default: cuBLAS streams at 0.9 of a streaming
    // kernel) → 120.1 tokens/s; H100-SXM5: 3.35 TB/s × 0.8653 × 0.9997 (its calibrated
    // fractions) → 210.7 tokens/s.
    let bytes = 13_751_566_336.0;
    for (preset, bw) in [
        ("a100-sxm4-80gb", 2.039e12 * 0.9 * 0.9),
        ("h100-sxm5-80gb", 3.35e12 * 0.8653 * 0.9997),
    ] {
        let r = run(&load(preset, &[]), "llama2-7b", &Workload::decode(1024)).unwrap();
        let expected = bw / bytes;
        let ratio = r.tokens_per_s / expected;
        assert!(
            (0.85..=1.15).contains(&ratio),
            "{preset}: {} tokens/s vs {expected} expected",
            r.tokens_per_s
        );
        // Memory-bound: the products are.
        assert!(
            r.operators
                .iter()
                .filter(|o| o.category == "linear")
                .all(|o| o.bound == "memory")
        );
    }
}

#[test]
fn more_bandwidth_speeds_up_memory_bound_decode_at_most_twice() {
    let w = Workload::decode(1024);
    let base = run(&load("a100-sxm4-80gb", &[]), "llama2-7b", &w).unwrap();
    let fast = run(
        &load(
            "a100-sxm4-80gb",
            &[("gpu.mem_bytes_per_s", Value::Float(4.078e12))],
        ),
        "llama2-7b",
        &w,
    )
    .unwrap();
    let s = base.seconds / fast.seconds;
    assert!(s > 1.5 && s <= 2.0, "A100 speed-up {s}");
    // FlightLLM on U280: twice the HBM stacks and twice the fabric port limit.
    let base = run(&load("flightllm-u280", &[]), "llama2-7b", &w).unwrap();
    let fast = run(
        &load(
            "flightllm-u280",
            &[
                ("dram.stacks", Value::Integer(4)),
                ("fpga.mem_bandwidth_gb_s", Value::Float(920.0)),
            ],
        ),
        "llama2-7b",
        &w,
    )
    .unwrap();
    let s = base.seconds / fast.seconds;
    assert!(s > 1.1 && s <= 2.0, "FlightLLM speed-up {s}");
}

#[test]
fn bigger_array_speeds_up_compute_bound_prefill_at_most_twice() {
    let w = Workload::prefill(256);
    let base = run(&load("generic-os-128", &[]), "llama2-7b", &w).unwrap();
    assert!(
        base.compute_utilization.unwrap() > 0.3,
        "{:?}",
        base.compute_utilization
    );
    let big = run(
        &load("generic-os-128", &[("pe_array.rows", Value::Integer(256))]),
        "llama2-7b",
        &w,
    )
    .unwrap();
    let s = base.seconds / big.seconds;
    assert!(s > 1.2 && s <= 2.0, "speed-up {s}");
    assert!(base.ttft_s == Some(base.seconds));
    assert_eq!(base.tokens, 256);
}

#[test]
fn level2_is_never_faster_than_the_roofline() {
    // Every operator of a decode and a prefill graph, costed alone on its unit.
    for (preset, w) in [
        ("generic-os-128", Workload::prefill(128)),
        ("marca", Workload::decode(256)),
        ("flightllm-u280", Workload::decode(256)),
    ] {
        let p = load(preset, &[]);
        let model = if preset == "marca" {
            "mamba-790m"
        } else {
            "llama2-7b"
        };
        let g = Model::resolve(model).unwrap().build(&w).unwrap();
        let (g, _) = mappers::prepare(&p, &g).unwrap();
        let o = RunOptions::default();
        let pc = PlatformCosts::new(&p, &o).unwrap();
        let mut checked = 0;
        for (_, op) in g.ops() {
            let work = Work::of(&op.kind);
            let (_, c) = assign(&pc as &dyn CostModel, &work).unwrap();
            if c.fidelity == 2 {
                assert!(
                    c.time >= c.roofline,
                    "{preset} {}: {:?} < {:?}",
                    op.name,
                    c.time,
                    c.roofline
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "{preset}: {checked}");
    }
}

#[test]
fn identical_layers_are_mapped_once() {
    let r = run(
        &load("generic-os-128", &[]),
        "llama2-7b",
        &Workload::decode(1024),
    )
    .unwrap();
    // q/k/v/o share one shape, gate/up another; down, QKᵀ, PV and the LM head: 6.
    assert_eq!(r.mappings.len(), 6, "{:#?}", r.mappings);
    let qkvo = r.mappings.iter().find(|m| m.op == "q_proj").unwrap();
    assert_eq!(qkvo.uses, 4 * 32);
    assert_eq!(r.layers.len(), 32);
}

#[test]
fn unit_assignment_follows_the_platform() {
    let w = Workload::decode(512);
    // MARCA: no nonlinear unit; element-wise work on the reconfigured PE array.
    let r = run(&load("marca", &[]), "mamba-790m", &w).unwrap();
    assert!(r.units.iter().all(|u| u.unit != "nonlinear"));
    let scan = r
        .operators
        .iter()
        .find(|o| o.name == "selective_scan")
        .unwrap();
    assert_eq!(scan.unit, "pe_array");
    // generic-os-128: softmax on the nonlinear unit, the rest on the array.
    let r = run(&load("generic-os-128", &[]), "llama2-7b", &w).unwrap();
    let sm = r.operators.iter().find(|o| o.name == "softmax").unwrap();
    assert_eq!(sm.unit, "nonlinear");
    assert!(r.notes[0].contains("w8a8"), "{:?}", r.notes);
    // Independent operators on different units overlap (rotary_q on the nonlinear unit
    // while k_proj runs on the array): the step is shorter than the units' busy time.
    let busy: f64 = r.units.iter().map(|u| u.busy_s).sum();
    assert!(r.seconds < busy, "{} vs {busy}", r.seconds);
}

#[test]
fn fusion_and_buffering_save_traffic() {
    let w = Workload::decode(1024);
    let gpu = run(&load("a100-sxm4-80gb", &[]), "llama2-7b", &w).unwrap();
    // Per layer: SiLU into gate, gated multiply into up, residual adds into o/down, rotary
    // into q/k: 6 × 32.
    assert_eq!(gpu.traffic.fused_ops, 6 * 32);
    assert!(gpu.traffic.fusion_saved_bytes > 0);
    let p = load("generic-os-128", &[]);
    let g = Model::resolve("llama2-7b").unwrap().build(&w).unwrap();
    let on = simulate(&p, &g, &RunOptions::default()).unwrap();
    let off = simulate(
        &p,
        &g,
        &RunOptions {
            fusion: false,
            inter_op_buffering: false,
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert!(on.traffic.buffer_saved_bytes > 0 && on.traffic.buffered_tensors > 0);
    assert_eq!(off.traffic.buffered_tensors + off.traffic.fused_ops, 0);
    let bytes = |r: &Report| r.traffic.dram_read_bytes + r.traffic.dram_written_bytes;
    assert!(bytes(&on) < bytes(&off));
}

#[test]
fn tensor_parallel_split_adds_all_reduces() {
    // Llama-2-70B fp16 (138 GB of weights) over 4 A100s: 34.5 GB each; one all-reduce after
    // o_proj and one after down in each of 80 layers.
    let p = load("4x-a100-sxm4-80gb-nvlink", &[]);
    let r = run(&p, "llama2-70b", &Workload::decode(1024)).unwrap();
    assert_eq!(r.devices, 4);
    let comm = r
        .by_category
        .iter()
        .find(|c| c.category == "communication")
        .unwrap();
    assert_eq!(comm.ops, 160);
    assert!(r.traffic.interconnect_bytes > 0);
    // On one A100 it does not fit.
    let e = run(
        &load("a100-sxm4-80gb", &[]),
        "llama2-70b",
        &Workload::decode(1024),
    )
    .unwrap_err();
    assert!(matches!(e, MapError::DoesNotFit { .. }), "{e}");
}

#[test]
fn impossible_requests_say_what_does_not_fit() {
    // Weights: Llama-2-13B fp16 = 26.0 GB on a 24 GB RTX 4090.
    let e = run(&load("rtx-4090", &[]), "llama2-13b", &Workload::decode(128))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("weights of llama2-13b") && e.contains("short by"),
        "{e}"
    );
    // KV cache: Llama-2-7B, batch 64 at context 4096 is 64 × 2 GiB = 128 GiB.
    let e = run(
        &load("a100-sxm4-80gb", &[]),
        "llama2-7b",
        &Workload::decode(4096).with_batch(64),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("KV cache") && e.contains("short by") && e.contains("--batch"),
        "{e}"
    );
    // Groq: one chip's SRAM.
    let e = run(&load("groq-lpu", &[]), "llama2-7b", &Workload::decode(128))
        .unwrap_err()
        .to_string();
    // Groq's int8 array makes the model w8a8: 6.74 B parameters at 1 byte plus the fp16
    // embedding table ≈ 7.00 GB; 4-bit Llama-2-7B (~3.6 GB) is still far above 230 MB, so
    // --quant is not offered, but chips are: ⌈7 003 545 600 / 230 686 720⌉ = ⌈30.4⌉ = 31,
    // with the keys that add them.
    assert!(
        e.contains("on-chip SRAM")
            && e.contains("as w8a8")
            && e.contains(
                "need 31 devices of this kind (a [system] section: --set system.devices=31 \
                 --set system.interconnect=groq-c2c)"
            )
            && !e.contains("--quant w4a16"),
        "{e}"
    );
    // Following the hint makes it run: 7 003 545 600 / 31 = 225 920 826 B of weights per
    // chip and 1/31 of the 67 MB cache fit in 230 686 720 B.
    let set = [
        ("system.devices", Value::Integer(31)),
        ("system.interconnect", Value::String("groq-c2c".into())),
    ];
    let r = run(&load("groq-lpu", &set), "llama2-7b", &Workload::decode(128)).unwrap();
    assert_eq!(
        (r.devices, r.tensor_parallel, r.pipeline_stages),
        (31, 31, 1)
    );
    // A platform with no unit for norms (Eyeriss without its host PC).
    let e = run(
        &without_host("eyeriss", &[]),
        "mamba-130m",
        &Workload::decode(128),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("cannot run") && e.contains("norm"), "{e}");
    // It says how to add one, and following either way makes the run work: Eyeriss's
    // array is 12×14, so one tree per row sums 14 products.
    assert!(
        e.contains(
            "--set pe_array.reduction_tree.fan_in=14 --set pe_array.reduction_tree.bypass=true"
        ) && e.contains("--set nonlinear.lanes=16"),
        "{e}"
    );
    let int = |v: i64| Value::Integer(v);
    let tree = [
        ("pe_array.reduction_tree.fan_in", int(14)),
        ("pe_array.reduction_tree.bypass", Value::Boolean(true)),
    ];
    let nonlinear = [
        ("nonlinear.lanes", int(16)),
        ("nonlinear.data_bits", int(16)),
        ("nonlinear.latency_cycles", int(4)),
    ];
    for set in [&tree[..], &nonlinear[..]] {
        let r = run(
            &without_host("eyeriss", set),
            "mamba-130m",
            &Workload::decode(128),
        );
        assert!(r.is_ok(), "{set:?}: {:?}", r.err());
    }
}

#[test]
fn fit_hints_offer_only_what_the_platform_can_take() {
    let hint = |arch: &str, model: &str, w: &Workload| {
        let p = if arch == "eyeriss" {
            without_host(arch, &[])
        } else {
            load(arch, &[])
        };
        run(&p, model, w).unwrap_err().to_string()
    };
    // RTX 4090 (24 GiB = 25.8 GB): Llama-2-13B fp16 is 26.0 GB, so 2 GPUs, or 4-bit
    // weights (13 B × 4.25 bits ≈ 6.9 GB) fit.
    let e = hint("rtx-4090", "llama2-13b", &Workload::decode(128));
    assert!(
        e.contains("need 2 devices of this kind") && e.contains("--quant w4a16"),
        "{e}"
    );
    // Llama-2-70B: 138 GB fp16 → ⌈138 / 25.8⌉ = 6 GPUs; 4-bit (≈ 37 GB) still too large.
    let e = hint("rtx-4090", "llama2-70b", &Workload::decode(128));
    assert!(
        e.contains("need 6 devices of this kind") && !e.contains("--quant"),
        "{e}"
    );
    // Eyeriss without its host (4 GiB DRAM): Llama-2-7B fp16 is 13.5 GB; 4-bit weights
    // (≈ 4 GB, under 4.29 GB) fit, and so do ⌈13.48 / 4.29⌉ = 4 chips (any platform with
    // a compute unit can form a [system]).
    let e = hint("eyeriss", "llama2-7b", &Workload::decode(128));
    assert!(
        e.contains("--quant w4a16")
            && e.contains(
                "need 4 devices of this kind (a [system] section: --set system.devices=4"
            ),
        "{e}"
    );
    // Llama-2-70B already at w4a16 on generic-os-128 (16 GiB = 17.18 GB): 68.7 B
    // quantised weights × 4.25 bits ≈ 36.5 GB plus two fp16 32000 × 8192 tables (1.05 GB)
    // ≈ 37.5 GB; not --quant w4a16 again, but ⌈37.5 / 17.18⌉ = 3 devices.
    let mut w = Workload::decode(128);
    w.transforms.quant = Some(Quantization::scheme("w4a16", None).unwrap());
    let e = hint("generic-os-128", "llama2-70b", &w);
    assert!(
        !e.contains("--quant w4a16") && e.contains("need 3 devices of this kind"),
        "{e}"
    );
}

#[test]
fn runs_are_deterministic() {
    let p = load("generic-os-128", &[]);
    let g = Model::resolve("mamba-370m")
        .unwrap()
        .build(&Workload::decode(256))
        .unwrap();
    let a = simulate(&p, &g, &RunOptions::default()).unwrap();
    mappers::cost::clear_memo();
    let b = simulate(&p, &g, &RunOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn trace_is_valid_json_and_units_never_overlap() {
    let p = load("generic-os-128", &[]);
    let g = Model::resolve("llama2-7b")
        .unwrap()
        .build(&Workload::decode(128))
        .unwrap();
    let o = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    let r = simulate(&p, &g, &o).unwrap();
    let v: serde_json::Value = serde_json::from_str(r.trace_json.as_deref().unwrap()).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let names: Vec<(u64, String)> = events
        .iter()
        .filter(|e| e["ph"] == "M")
        .map(|e| {
            (
                e["tid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(names.iter().any(|n| n.1 == "pe_array") && names.iter().any(|n| n.1 == "dram"));
    for (tid, name) in &names {
        let mut spans: Vec<(f64, f64)> = events
            .iter()
            .filter(|e| e["ph"] == "X" && e["tid"].as_u64() == Some(*tid))
            .map(|e| {
                let ts = e["ts"].as_f64().unwrap();
                (ts, ts + e["dur"].as_f64().unwrap())
            })
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in spans.windows(2) {
            assert!(
                w[1].0 >= w[0].1 - 1e-9,
                "{name}: {:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
    let pe = names.iter().find(|n| n.1 == "pe_array").unwrap().0;
    assert!(
        events
            .iter()
            .filter(|e| e["tid"].as_u64() == Some(pe))
            .count()
            > 100
    );
}

/// All memory a platform has, host included, bytes: its GPU's or CPU's (times its
/// devices), its DRAM, its on-chip SRAM when it has no DRAM, its PIM devices' DRAM and the
/// cells of its crossbars, plus its host's memory (times the host devices). Read from the
/// unit descriptions, not from the mapper's capacity check.
fn all_memory_bytes(p: &Platform) -> u64 {
    let devices = p.system.as_ref().map_or(1, |s| u64::from(s.devices()));
    let mut b = 0;
    if let Some(g) = &p.gpu {
        b += g.spec().mem_capacity_bytes * devices;
    }
    if let Some(c) = &p.cpu {
        b += c.spec().mem_capacity_bytes * devices;
    }
    if let Some(d) = &p.dram_config {
        b += d.capacity_bytes() * devices;
    }
    if p.dram.is_none() {
        b += p.on_chip_capacity_bytes().unwrap_or(0) * devices;
    }
    match &p.pim {
        Some(arch::pim::Pim::Bank(k)) => b += k.capacity_bytes_per_device * k.devices,
        Some(arch::pim::Pim::Dpu(d)) => b += d.dpus * d.mram_bytes,
        None => {}
    }
    if let Some(x) = &p.crossbar {
        let cells = u64::from(x.rows) * u64::from(x.cols) * u64::from(x.cell_bits);
        b += cells * u64::from(x.crossbars_per_tile) * u64::from(x.tiles) / 8;
    }
    if let Some(h) = p.host() {
        let hp = load(&h.platform, &[]);
        let one = hp.gpu.as_ref().map(|g| g.spec().mem_capacity_bytes);
        let one = one.or(hp.cpu.as_ref().map(|c| c.spec().mem_capacity_bytes));
        b += one.unwrap() * u64::from(h.devices);
    }
    b
}

#[test]
fn every_preset_runs_every_model_unless_the_weights_exceed_all_its_memory() {
    // Decode at context 64 on every preset × every bundled model: each pair runs (time,
    // energy and tokens > 0), or fails with DoesNotFit only when the parameters alone
    // exceed every byte of memory the platform and its host have. Parameters at the
    // fewest bytes the platform stores them in: an integer array of ≤ 8-bit operands
    // quantises the model (1 byte per weight; embedding and LM-head tables, which weight
    // quantisation leaves in fp16, at 2), else the model's 2-byte
    // format. DRAM timing is calibrated (the bank-level model is checked elsewhere; here
    // it would make Eyeriss's 12×14 array take a minute).
    let opts = RunOptions {
        dram: mappers::DramTiming::Calibrated,
        ..RunOptions::default()
    };
    let models: Vec<&str> = workloads::shipped_names().collect();
    let mut ran = 0;
    for preset in arch::preset_names() {
        let p = load(preset, &[]);
        let ran_before = ran;
        let int8_array =
            p.pe_array.as_ref().is_some_and(|a| {
                a.arithmetic == arch::tech::Arithmetic::Int && a.operand_bits <= 8
            }) && p.gpu.is_none()
                && p.cpu.is_none();
        for m in &models {
            let model = Model::resolve(m).unwrap();
            let g = model.build(&Workload::decode(64)).unwrap();
            match simulate(&p, &g, &opts) {
                Ok(r) => {
                    assert!(
                        r.seconds > 0.0 && r.energy_j > 0.0 && r.tokens_per_s > 0.0,
                        "{preset} {m}"
                    );
                    ran += 1;
                }
                Err(e @ MapError::DoesNotFit { .. }) => {
                    let c = model.param_count();
                    let tables = c.embedding + c.head;
                    let weights = if int8_array {
                        2 * tables + (c.total() - tables)
                    } else {
                        2 * c.total()
                    };
                    let have = all_memory_bytes(&p);
                    assert!(
                        weights > have,
                        "{preset} × {m}: {weights} B of weights fit its {have} B, yet: {e}"
                    );
                }
                Err(e) => panic!("{preset} × {m}: unexpected error {e}"),
            }
        }
        // Every preset runs a model at least (Groq's one chip: only Mamba-130M, 0.17 GB
        // at w8a8 with its fp16 embedding table, fits its 230 MB of SRAM).
        assert!(ran > ran_before, "{preset} ran {}", ran - ran_before);
    }
    assert!(ran > 400, "only {ran} runs succeeded");
}

#[test]
fn attacc_offloads_decode_attention_to_pim_and_fc_layers_to_its_host() {
    // pim-attacc names its host ([pim.attention] host_platform = A100, 8 of them): FC
    // layers run tensor-parallel on the GPUs, the (fused) decode attention on the PIM.
    let r = run(
        &load("pim-attacc", &[]),
        "llama2-7b",
        &Workload::decode(2048).with_batch(16),
    )
    .unwrap();
    assert_eq!(r.devices, 8);
    let attn = r.operators.iter().find(|o| o.name == "attention").unwrap();
    assert_eq!((attn.unit.as_str(), attn.count), ("pim", 32));
    assert!(
        r.operators
            .iter()
            .filter(|o| o.category == "linear")
            .all(|o| o.unit == "gpu")
    );
    assert!(
        r.notes.iter().any(|n| n.contains("host: 8 × A100")),
        "{:?}",
        r.notes
    );
    // In-memory units alone cannot run a model's norms: ISAAC without its [host] says
    // what is missing.
    let p = without_host("imc-reram-isaac", &[]);
    let e = run(&p, "mamba-130m", &Workload::decode(64))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("norm") && e.contains("digital host") && e.contains("[host]"),
        "{e}"
    );
}

#[test]
fn parts_split_a_vlm_step() {
    // LLaVA-Video-7B prefill of 8 frames on an H100: every task is counted once in the
    // part × category rows (their sum equals the category rows' sum), the vision tower's
    // and the language model's attention are apart, and the language model's layers hold
    // its 28 fused attentions.
    let p = load("h100-sxm5-80gb", &[]);
    let mut w = Workload::prefill(64).with_frames(8);
    w.attention = workloads::AttentionImpl::Fused;
    let r = run(&p, "llava-video-7b", &w).unwrap();
    let total = |it: &mut dyn Iterator<Item = f64>| it.sum::<f64>();
    let by_cat = total(&mut r.by_category.iter().map(|c| c.seconds));
    let by_part = total(&mut r.by_part.iter().map(|c| c.seconds));
    assert!(
        (by_cat - by_part).abs() <= 1e-12 * by_cat,
        "{by_cat} vs {by_part}"
    );
    let row = |part: &str, cat: &str| {
        r.by_part
            .iter()
            .find(|x| x.part == part && x.category == cat)
            .unwrap()
    };
    assert_eq!(row("language", "attention").ops, 28);
    assert_eq!(row("vision", "attention").ops, 26);
    assert!(row("projector", "linear").seconds > 0.0);
    // On one GPU the tasks run one after another: the parts add up to the step.
    assert!(
        (by_part - r.seconds).abs() < 1e-3 * r.seconds,
        "{by_part} vs {}",
        r.seconds
    );
    // Rows come in part order.
    let order: Vec<&str> = r.by_part.iter().map(|x| x.part.as_str()).collect();
    let first_lang = order.iter().position(|p| *p == "language").unwrap();
    assert!(order[..first_lang].iter().all(|p| *p != "language"));
}

#[test]
fn a_vision_tower_splits_like_the_language_model() {
    // Regression (issue 9, FrameFusion reproduction): the patch embedding, a product on the
    // image itself, was column-split, which left the residual stream sharded and turned
    // q/k/v and gate/up into row-parallel products with an all-reduce each (5 per layer).
    // Megatron's split has two all-reduces per transformer layer (after o_proj and after
    // the FFN's down projection) and one after the projector's second product:
    // LLaVA-Video-72B = 26 SigLIP layers · 2 + 1 + 80 Qwen2 layers · 2 = 213.
    let p = load("8x-h100-sxm5-80gb-nvlink", &[]);
    let mut w = Workload::prefill(64).with_frames(1);
    w.attention = workloads::AttentionImpl::Fused;
    let r = run(&p, "llava-video-72b", &w).unwrap();
    let comm = |part: &str| {
        r.by_part
            .iter()
            .find(|x| x.part == part && x.category == "communication")
            .map_or(0, |x| x.ops)
    };
    assert_eq!(comm("vision"), 52);
    assert_eq!(comm("projector"), 1);
    assert_eq!(comm("language"), 160);
    // Token pruning reads the sharded queries and keys but keeps whole hidden states:
    // the split after it is unchanged (it used to shard the residual stream).
    w.transforms.token_reduction = Some(Default::default());
    let r = run(&p, "llava-video-72b", &w).unwrap();
    let lang = r
        .by_part
        .iter()
        .find(|x| x.part == "language" && x.category == "communication")
        .unwrap();
    assert_eq!(lang.ops, 160);
}

#[test]
fn footprint_counts_weights_kv_and_the_largest_batch_that_fits() {
    use workloads::KvCompression;
    let a100 = load("a100-sxm4-80gb", &[]);
    let m = Model::resolve("llama2-7b").unwrap();
    let g = m.build(&Workload::decode(4096)).unwrap();
    let f = mappers::footprint(&a100, &g).unwrap();
    // 6 738 415 616 parameters × 2 bytes (fp16, whole embedding table).
    assert_eq!(f.weight_bytes, 13_476_831_232);
    // 2 (K, V) × 32 layers × 4 096 channels × 4 096 tokens × 2 bytes = 2 GiB.
    assert_eq!(f.kv_state_bytes_per_sequence, 2 << 30);
    assert_eq!(f.device_bytes, Some(80 << 30));
    // (85 899 345 920 − 13 476 831 232) ÷ 2 147 483 648 = 33.7.
    assert_eq!(f.max_batch, Some(33));

    // CSKV, keys and values at 20 % of 4 096 channels (819), 32 fp16 tokens kept:
    // 32 layers × (4 064 × 819 × 2 B × 2 + 32 × 4 096 × 2 B × 2) = 442 814 464 B.
    let mut w = Workload::decode(4096);
    w.transforms.kv = Some(KvCompression {
        rank: Some((0.2, 0.2)),
        window: 32,
        bits: None,
        group: 128,
        reconstruct: workloads::Reconstruct::Explicit,
    });
    let f = mappers::footprint(&a100, &m.build(&w).unwrap()).unwrap();
    assert_eq!(f.kv_state_bytes_per_sequence, 442_814_464);
    // k_proj and v_proj (4 096 × 4 096) become down (4 096 × 819) and up (819 × 4 096)
    // factors, stored once: 64 × (16 777 216 − 6 709 248) × 2 B = 1 288 699 904 B less.
    assert_eq!(f.weight_bytes, 13_476_831_232 - 1_288_699_904);
    // (85 899 345 920 − 12 188 131 328) ÷ 442 814 464 = 166.5.
    assert_eq!(f.max_batch, Some(166));

    // Four A100s, tensor parallel: each holds ⌈weights ÷ 4⌉ = 3 369 207 808 B and a
    // quarter of the cache: (85 899 345 920 − 3 369 207 808) × 4 ÷ 2 GiB = 153.7.
    let four = load("4x-a100-sxm4-80gb-nvlink", &[]);
    let f = mappers::footprint(&four, &g).unwrap();
    assert_eq!((f.devices, f.max_batch), (4, Some(153)));

    // Groq's one chip cannot hold the int8 weights (6.7 GB > 230 MB): no batch fits, and
    // a step at batch 8 reports its cache for all 8 sequences.
    let groq = load("groq-lpu", &[]);
    let g8 = m.build(&Workload::decode(4096).with_batch(8)).unwrap();
    let f = mappers::footprint(&groq, &g8).unwrap();
    assert_eq!(f.max_batch, Some(0));
    assert_eq!(f.kv_state_bytes, 8 * f.kv_state_bytes_per_sequence);
}

#[test]
fn fused_attention_reads_a_quantised_cache_at_its_width() {
    // Llama-2-7B decode at 128 k tokens on an A100 with fused attention. Per layer the
    // cache is 32 heads × 131 072 tokens of K and of V: 256 B per head and token in fp16,
    // 128 / 2 + 4 = 68 B in int4 with an fp16 scale and zero per 128 channels. The 4-bit
    // step reads 32 × 2 × 32 × 131 072 × (256 − 68) = 50 465 865 728 B less (before the
    // fix it read the fp16 bytes: 22.4 vs 22.1 tokens/s).
    let p = load("a100-sxm4-80gb", &[]);
    let mut w = Workload::decode(131_072);
    w.attention = workloads::AttentionImpl::Fused;
    let f = run(&p, "llama2-7b", &w).unwrap();
    w.transforms.kv = Some(workloads::KvCompression::quantized(4));
    let q = run(&p, "llama2-7b", &w).unwrap();
    let saved = f.traffic.dram_read_bytes as f64 - q.traffic.dram_read_bytes as f64;
    let want = 50_465_865_728.0;
    assert!((saved / want - 1.0).abs() < 0.01, "{saved} vs {want}");
    // Memory-bound both: fp16 reads 13.35 GB of weights (the embedding table is gathered)
    // and 68.7 GB of cache, int4 the weights and 18.3 GB: 82.1 / 31.6 = 2.6× fewer bytes.
    let speedup = q.tokens_per_s / f.tokens_per_s;
    assert!(speedup > 2.3 && speedup < 2.7, "{speedup}");
}
