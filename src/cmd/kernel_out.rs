//! Printing a dispatch [`Estimate`] as text or JSON. A PE-array or nonlinear-unit result
//! keeps every field of `arch::kernel::KernelReport` (cycles, utilisation, MACs, SRAM
//! counts per operand, tiling, energy lines with counts) and adds the common fields; other
//! units print the common fields plus their model's own (GPU waves and occupancy, IMC/PIM
//! cycles, counts and phases, the parts of a decomposition).

use arch::Platform;
use arch::kernel::KernelReport;
use arch::work::{Backend, Estimate};
use serde_json::{Map, Value, json};

/// The estimate as one JSON object (see the module docs).
pub fn json(p: &Platform, e: &Estimate) -> anyhow::Result<Value> {
    let mut m = Map::new();
    m.insert("kernel".into(), json!(e.kernel));
    m.insert("work".into(), json!(e.kernel));
    m.insert("platform".into(), json!(p.name));
    m.insert("platform_class".into(), json!(p.class()));
    m.insert("unit".into(), json!(e.unit.name()));
    m.insert("dispatch_unit".into(), json!(e.unit.name()));
    m.insert("fidelity".into(), json!(e.fidelity.name()));
    m.insert("fidelity_level".into(), json!(e.fidelity.level()));
    m.insert("time_ps".into(), json!(e.time.as_ps()));
    m.insert("seconds".into(), json!(e.seconds()));
    m.insert("compute_time_ps".into(), json!(e.compute_time.as_ps()));
    m.insert("memory_time_ps".into(), json!(e.memory_time.as_ps()));
    m.insert("bound".into(), json!(e.bound.to_string()));
    m.insert("flops".into(), json!(e.flops));
    m.insert("dram_bytes_read".into(), json!(e.dram_bytes_read));
    m.insert("dram_bytes_written".into(), json!(e.dram_bytes_written));
    m.insert("onchip_bytes".into(), json!(e.onchip_bytes));
    m.insert("energy_pj".into(), json!(e.energy_pj));
    m.insert(
        "energy".into(),
        Value::Array(
            e.energy
                .iter()
                .map(|(k, pj)| {
                    let (unit, action) = k.split_once('.').unwrap_or((k.as_str(), ""));
                    json!({"unit": unit, "action": action, "count": 0, "pj_per_action": 0.0, "pj": pj})
                })
                .collect(),
        ),
    );
    m.insert("detail".into(), json!(e.detail));
    match &e.backend {
        Backend::Kernel(r) => {
            // Every KernelReport field, as `silica kernel` has always printed them (its
            // `kernel`, `unit`, `fidelity` and `energy` lines replace the common ones).
            if let Value::Object(rm) = serde_json::to_value(r.as_ref())? {
                m.extend(rm);
            }
        }
        Backend::Device(d) => {
            m.insert("launch_time_ps".into(), json!(d.launch_time.as_ps()));
            m.insert("kernels".into(), json!(d.kernels));
            m.insert("waves".into(), json!(d.waves));
            m.insert("blocks".into(), json!(d.blocks));
            m.insert("occupancy".into(), json!(d.occupancy));
            m.insert("power_capped".into(), json!(d.power_capped));
            m.insert("average_power_w".into(), json!(d.average_power_w()));
            m.insert(
                "tiling".into(),
                json!({"tile_m": d.tiling.tile_m, "tile_n": d.tiling.tile_n,
                       "tile_k": d.tiling.tile_k, "split": d.tiling.split}),
            );
        }
        Backend::InMemory(k) => {
            m.insert("unit_cycles".into(), json!(k.cycles));
            m.insert("unit_clock_mhz".into(), json!(k.clock.freq_mhz()));
            m.insert("useful_ops".into(), json!(k.useful_ops));
            let counts: Map<String, Value> = k
                .counts
                .iter()
                .map(|(n, v)| (n.clone(), json!(v)))
                .collect();
            m.insert("counts".into(), Value::Object(counts));
            m.insert(
                "phases".into(),
                Value::Array(
                    k.phases
                        .iter()
                        .map(|ph| json!({"name": ph.name, "cycles": ph.cycles, "span_cycles": ph.span_cycles}))
                        .collect(),
                ),
            );
            m.insert(
                "energy".into(),
                Value::Array(
                    k.energy
                        .rows
                        .iter()
                        .map(|r| {
                            json!({"unit": r.component, "action": r.action, "count": r.count,
                                        "pj_per_action": r.pj_per_action, "pj": r.pj})
                        })
                        .collect(),
                ),
            );
        }
        Backend::Parts { parts, instances } => {
            m.insert("instances".into(), json!(instances));
            let parts = parts
                .iter()
                .map(|x| json(p, x))
                .collect::<anyhow::Result<Vec<_>>>()?;
            m.insert("parts".into(), Value::Array(parts));
        }
    }
    Ok(Value::Object(m))
}

fn line(s: &mut String, k: &str, v: impl std::fmt::Display) {
    s.push_str(&format!("{k:<20} {v}\n"));
}

/// The estimate as `key value` lines.
pub fn text(p: &Platform, e: &Estimate) -> String {
    let mut s = match &e.backend {
        Backend::Kernel(r) => report_text(r),
        _ => {
            let mut s = String::new();
            line(&mut s, "kernel", &e.kernel);
            line(&mut s, "platform", format!("{} ({})", p.name, p.class()));
            line(&mut s, "unit", e.unit);
            line(
                &mut s,
                "fidelity",
                format!("level {} ({})", e.fidelity.level(), e.fidelity.name()),
            );
            line(&mut s, "time", format!("{:.3} us", e.seconds() * 1e6));
            s
        }
    };
    line(
        &mut s,
        "compute time",
        format!("{:.3} us", e.compute_time.as_secs_f64() * 1e6),
    );
    line(
        &mut s,
        "memory time",
        format!("{:.3} us", e.memory_time.as_secs_f64() * 1e6),
    );
    line(&mut s, "bound", e.bound);
    line(
        &mut s,
        "flops",
        format!("{:.4e} ({:.3} TFLOP/s)", e.flops, e.flops_per_s() / 1e12),
    );
    match &e.backend {
        Backend::Kernel(_) => {}
        Backend::Device(d) => {
            line(
                &mut s,
                "dram bytes r/w",
                format!("{} / {}", e.dram_bytes_read, e.dram_bytes_written),
            );
            line(
                &mut s,
                "grid",
                format!(
                    "{} blocks, {} waves, occupancy {}, {} kernel(s), launch {:.3} us",
                    d.blocks,
                    d.waves,
                    d.occupancy,
                    d.kernels,
                    d.launch_time.as_secs_f64() * 1e6
                ),
            );
            let t = d.tiling;
            line(
                &mut s,
                "tiling",
                format!("{}x{}x{} split {}", t.tile_m, t.tile_n, t.tile_k, t.split),
            );
            energy_lines(&mut s, e);
            line(
                &mut s,
                "average power",
                format!(
                    "{:.1} W{}",
                    d.average_power_w(),
                    if d.power_capped {
                        " (capped at TDP)"
                    } else {
                        ""
                    }
                ),
            );
        }
        Backend::InMemory(k) => {
            line(
                &mut s,
                "unit cycles",
                format!("{} at {} MHz", k.cycles, k.clock.freq_mhz()),
            );
            line(
                &mut s,
                "dram bytes r/w",
                format!("{} / {}", e.dram_bytes_read, e.dram_bytes_written),
            );
            line(&mut s, "onchip bytes", e.onchip_bytes);
            for (n, v) in &k.counts {
                line(&mut s, &format!("  {n}"), v);
            }
            for ph in &k.phases {
                line(
                    &mut s,
                    &format!("  phase {}", ph.name),
                    format!("{} cycles", ph.span_cycles),
                );
            }
            line(&mut s, "energy", format!("{:.1} pJ", e.energy_pj));
            for r in &k.energy.rows {
                line(
                    &mut s,
                    &format!("  {}.{}", r.component, r.action),
                    if r.action == "leakage" {
                        // Leakage rows carry mW in `pj_per_action`: pJ = mW × ps × 10⁻³.
                        let ps = if r.pj_per_action > 0.0 {
                            r.pj / (r.pj_per_action * 1e-3)
                        } else {
                            0.0
                        };
                        leakage_text(r.pj, r.pj_per_action, ps)
                    } else {
                        format!("{:.1} pJ ({} x {:.4})", r.pj, r.count, r.pj_per_action)
                    },
                );
            }
        }
        Backend::Parts { parts, instances } => {
            line(
                &mut s,
                "dram bytes r/w",
                format!("{} / {}", e.dram_bytes_read, e.dram_bytes_written),
            );
            line(&mut s, "onchip bytes", e.onchip_bytes);
            energy_lines(&mut s, e);
            for (i, x) in parts.iter().enumerate() {
                line(
                    &mut s,
                    &format!("part {} (x{instances})", i + 1),
                    format!(
                        "{} on {}: {:.3} us, {:.1} pJ",
                        x.kernel,
                        x.unit,
                        x.seconds() * 1e6,
                        x.energy_pj
                    ),
                );
            }
        }
    }
    line(&mut s, "detail", &e.detail);
    s
}

fn energy_lines(s: &mut String, e: &Estimate) {
    line(s, "energy", format!("{:.1} pJ", e.energy_pj));
    for (k, pj) in &e.energy {
        line(s, &format!("  {k}"), format!("{pj:.1} pJ"));
    }
}

/// The PE-array report as `silica kernel` has always printed it.
fn report_text(r: &KernelReport) -> String {
    let mut s = String::new();
    line(&mut s, "kernel", &r.kernel);
    line(&mut s, "platform", &r.platform);
    line(&mut s, "unit", &r.unit);
    line(
        &mut s,
        "fidelity",
        format!("level {} ({:?})", r.fidelity_level, r.fidelity),
    );
    line(&mut s, "compute_cycles", r.compute_cycles);
    line(&mut s, "total_cycles", r.total_cycles);
    line(&mut s, "roofline_cycles", r.roofline_cycles);
    line(&mut s, "time", format!("{:.3} us", r.seconds * 1e6));
    line(&mut s, "utilization", format!("{:.4}", r.utilization));
    if r.macs > 0 {
        line(&mut s, "macs", r.macs);
    }
    if r.elements > 0 {
        line(&mut s, "elements", r.elements);
    }
    if let Some(t) = r.tiling {
        line(
            &mut s,
            "tiling",
            format!("{}x{}x{} ({} tiles)", t.tile_m, t.tile_k, t.tile_n, r.tiles),
        );
    }
    let o = &r.sram;
    line(
        &mut s,
        "sram A reads/writes",
        format!("{} / {}", o.a_reads, o.a_writes),
    );
    line(
        &mut s,
        "sram B reads/writes",
        format!("{} / {}", o.b_reads, o.b_writes),
    );
    line(
        &mut s,
        "sram C reads/writes",
        format!("{} / {}", o.c_reads, o.c_writes),
    );
    line(
        &mut s,
        "dram bytes r/w",
        format!("{} / {}", r.dram_bytes_read, r.dram_bytes_written),
    );
    line(&mut s, "energy", format!("{:.1} pJ", r.energy_pj));
    for e in &r.energy {
        line(
            &mut s,
            &format!("  {}.{}", e.unit, e.action),
            match (e.leakage_mw, e.time_ps) {
                (Some(mw), Some(ps)) => leakage_text(e.pj, mw, ps as f64),
                _ => format!("{:.1} pJ ({} x {:.4})", e.pj, e.count, e.pj_per_action),
            },
        );
    }
    s
}

/// A leakage line: `pJ (mW x us)`, as the other times print.
fn leakage_text(pj: f64, mw: f64, ps: f64) -> String {
    format!("{pj:.1} pJ ({mw:.4} mW x {:.4} us)", ps * 1e-6)
}
