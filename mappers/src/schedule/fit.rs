//! Capacity checks before anything is mapped: the weights (every parameter as stored,
//! the whole embedding table included), then the KV cache and recurrent state after the
//! step, must fit the memory of each device: split evenly across the `T` tensor-parallel
//! devices of a pipeline stage, each stage holding its own layers' weights and KV cache
//! ([`super::pp`]; with one stage, `T = N` devices hold everything). Memories: a GPU's or
//! CPU's `mem_capacity_bytes`, an accelerator's DRAM (`DramConfig::capacity_bytes`), an
//! SRAM-only chip's on-chip SRAM. A platform with no
//! off-chip memory description (an ideal memory) is not checked.

use arch::Platform;
use workloads::transforms::Quantization;
use workloads::{Graph, Op, OpKind};

use super::pp::Stages;

use crate::MapError;

/// Bytes of all weights as stored (full embedding tables, scales and zeros). A CSKV
/// reconstruction (a low-rank product whose input is the compressed KV cache) reads the
/// up-projection its layer's `k_up`/`v_up` already holds, so it adds no storage.
///
/// A tied LM head (`tie_word_embeddings`: OPT, Qwen2, …) reads the embedding table, so it
/// is stored once. (Split over pipeline stages, the first and the last stage each hold a
/// copy — Megatron-LM keeps one per stage — which `pp` counts per operator.)
pub fn stored_weight_bytes(g: &Graph) -> u64 {
    let all: u64 = g.ops().map(|(_, op)| op_stored_weight_bytes(op)).sum();
    all.saturating_sub(tied_head_bytes(g))
}

/// Bytes of the LM head's weights when it is tied to the embedding table (stored with
/// the table), else 0.
pub fn tied_head_bytes(g: &Graph) -> u64 {
    if g.model().param_count().head != 0 {
        return 0;
    }
    g.ops()
        .filter(|(_, op)| op.name == "lm_head" && op.layer.is_none())
        .map(|(_, op)| op.weight_bytes())
        .sum()
}

/// One operator's share of [`stored_weight_bytes`].
pub fn op_stored_weight_bytes(op: &Op) -> u64 {
    match op.kind {
        OpKind::Embedding(e) => e.dtype.bytes_for(e.vocab * e.dim),
        OpKind::LowRank(lr) if lr.shared_weights => 0,
        _ => op.weight_bytes(),
    }
}

/// A device's memory: (bytes, description), or `None` when unbounded.
pub fn device_memory(p: &Platform) -> Option<(u64, String)> {
    if let Some(g) = &p.gpu {
        let s = g.spec();
        return Some((s.mem_capacity_bytes, format!("its {} memory", s.mem_kind)));
    }
    if let Some(c) = &p.cpu {
        let s = c.spec();
        return Some((s.mem_capacity_bytes, format!("its {} memory", s.mem_kind)));
    }
    if p.sram_only.is_some() {
        return p
            .on_chip_capacity_bytes()
            .map(|b| (b, "its on-chip SRAM (no DRAM)".to_string()));
    }
    p.dram_config
        .as_ref()
        .map(|d| (d.capacity_bytes(), "its DRAM".to_string()))
}

/// What one step of a graph keeps in a platform's memory, and how many sequences fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Every weight as stored (all devices together), bytes.
    pub weight_bytes: u64,
    /// KV cache and recurrent state after the step, all sequences, bytes.
    pub kv_state_bytes: u64,
    /// The same for one sequence (`kv_state_bytes ÷ batch`), bytes.
    pub kv_state_bytes_per_sequence: u64,
    /// Memory of one device, bytes (`None`: an ideal, unbounded memory).
    pub device_bytes: Option<u64>,
    /// Devices the graph is split over (tensor × pipeline parallel, all of them).
    pub devices: u32,
    /// Pipeline stages used (1 without pipeline parallelism).
    pub pipeline_stages: u32,
    /// Stored weight bytes on one device of the most loaded stage (`⌈weights_s ÷ T⌉`).
    pub device_weight_bytes: u64,
    /// The largest batch whose weights and KV cache fit: each device of stage `s` holds
    /// `⌈weights_s ÷ T⌉ + ⌈batch · per-sequence_s ÷ T⌉` (as [`check`] counts); 0 when the
    /// weights alone overflow; `None` with an unbounded memory or a model without a
    /// per-sequence cache (every batch fits).
    pub max_batch: Option<u64>,
}

/// The memory footprint of `g` on `p` split over `devices` (all of them, `T × P`; see
/// [`Footprint`]).
pub fn footprint(p: &Platform, g: &Graph, devices: u32) -> Footprint {
    let st = Stages::of(p, g);
    let n = u64::from((devices / st.requested.max(1)).max(1));
    let weight_bytes = stored_weight_bytes(g);
    let kv_state_bytes = g.kv_cache_bytes() + g.state_bytes();
    let batch = g.workload().batch.max(1);
    let per_seq = kv_state_bytes / batch;
    let device_bytes = device_memory(p).map(|(b, _)| b);
    let max_batch = device_bytes.and_then(|cap| {
        st.stages
            .iter()
            .map(|s| {
                let per_seq = if st.stages.len() == 1 {
                    per_seq
                } else {
                    s.kv_state_bytes / batch
                };
                match cap.checked_sub(s.weight_bytes.div_ceil(n)) {
                    None => Some(0),
                    // ⌈b·s ÷ n⌉ ≤ free  ⇔  b·s ≤ free·n
                    Some(free) => (per_seq > 0).then(|| free.saturating_mul(n) / per_seq),
                }
            })
            .fold(None, |a: Option<u64>, b| match (a, b) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
    });
    Footprint {
        weight_bytes,
        kv_state_bytes,
        kv_state_bytes_per_sequence: per_seq,
        device_bytes,
        devices: devices.max(1),
        pipeline_stages: st.used(),
        device_weight_bytes: st
            .stages
            .iter()
            .map(|s| s.weight_bytes.div_ceil(n))
            .max()
            .unwrap_or(0),
        max_batch,
    }
}

/// Whether `p` can be split over several devices: any platform with a compute unit can
/// form a multi-device `[system]` (`arch::system`).
pub fn can_form_system(p: &Platform) -> bool {
    p.gpu.is_some()
        || p.cpu.is_some()
        || p.pe_array.is_some()
        || p.nonlinear.is_some()
        || p.crossbar.is_some()
        || p.assoc_processor.is_some()
        || p.pim.is_some()
}

/// How to ask for `need` devices on `p` (rounded up to a multiple of its pipeline
/// stages): `--set system.devices=…`, with a `[system]` section (PCIe 5, or Groq C2C for
/// an SRAM-only chip) when it has none.
fn devices_hint(p: &Platform, need: u64) -> String {
    match &p.system {
        Some(s) => {
            let stages = u64::from(s.pipeline_stages().max(1));
            format!("--set system.devices={}", need.div_ceil(stages) * stages)
        }
        None => format!(
            "a [system] section: --set system.devices={need} --set system.interconnect={}",
            if p.sram_only.is_some() {
                "groq-c2c"
            } else {
                "pcie5"
            }
        ),
    }
}

/// The stored weight bytes of `g`'s model and workload with `--quant w4a16` in place of
/// its quantisation (4-bit weights in groups of 128 with fp16 scales and zeros, as
/// [`workloads::transforms::Quantization::scheme`] stores them); `None` when that graph
/// cannot be built.
pub fn w4a16_weight_bytes(g: &Graph) -> Option<u64> {
    let mut w = g.workload().clone();
    w.transforms.quant = Some(Quantization::scheme("w4a16", None).ok()?);
    g.model().build(&w).ok().map(|g4| stored_weight_bytes(&g4))
}

/// What would make weights that overflow `cap` (bytes per device, over `n` devices) fit:
/// `need` devices where the platform can form a multi-device system, `--quant w4a16`
/// where that makes the weights smaller and they would then fit, else a platform with
/// more memory.
fn weights_hint(p: &Platform, g: &Graph, need: u64, n: u64, cap: u64) -> String {
    let four = w4a16_weight_bytes(g).unwrap_or(u64::MAX);
    let quant_fits = four < stored_weight_bytes(g) && four.div_ceil(n) <= cap;
    match (can_form_system(p), quant_fits) {
        (true, true) => format!(
            "they need {need} devices of this kind ({}), or quantised weights (--quant w4a16)",
            devices_hint(p, need)
        ),
        (true, false) => format!(
            "they need {need} devices of this kind ({})",
            devices_hint(p, need)
        ),
        (false, true) => format!(
            "quantise the weights (--quant w4a16: about {}); {} cannot be split over \
             devices (a multi-device [system] needs a compute unit to copy)",
            gb(four),
            p.name
        ),
        (false, false) => format!(
            "a platform with more memory: {} cannot be split over devices (a multi-device \
             [system] needs a compute unit to copy), and {}",
            p.name,
            if four < stored_weight_bytes(g) {
                "4-bit weights (--quant w4a16) do not fit either"
            } else {
                "the weights are already at 4 bits or fewer"
            }
        ),
    }
}

/// With enough devices in all but a stage that overflows (`stage_bytes` on `T` devices
/// of `cap` bytes): fewer, wider stages — the largest divisor `P'` of `devices` with
/// `devices ÷ P' ≥ ⌈stage_bytes ÷ cap⌉`.
fn stage_hint(devices: u32, stage_bytes: u64, cap: u64) -> String {
    let per_stage = stage_bytes.div_ceil(cap.max(1)).max(1);
    let stages = (1..=devices)
        .rev()
        .find(|&d| devices.is_multiple_of(d) && u64::from(devices / d) >= per_stage)
        .unwrap_or(1);
    format!(
        "the most loaded pipeline stage ({}) needs {per_stage} devices: use fewer, wider \
         stages (--set system.pipeline_stages={stages}, {} devices each)",
        gb(stage_bytes),
        devices / stages
    )
}

fn gb(b: u64) -> String {
    format!("{:.2} GB", b as f64 / 1e9)
}

/// Checks that `g` fits `p` split over `devices` (all of them, `T × P`; see the module
/// docs).
pub fn check(p: &Platform, g: &Graph, devices: u32) -> Result<(), MapError> {
    let Some((cap, place)) = device_memory(p) else {
        return Ok(());
    };
    let st = Stages::of(p, g);
    let n = u64::from((devices / st.requested.max(1)).max(1));
    let weights = stored_weight_bytes(g);
    let kv = g.kv_cache_bytes() + g.state_bytes();
    let per = |b: u64| b.div_ceil(n);
    let pipelined = st.stages.len() > 1;
    // The most loaded stage, by weights, then by weights and cache.
    let by = |f: &dyn Fn(&super::pp::Stage) -> u64| {
        st.stages
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (f(s), std::cmp::Reverse(*i)))
            .map(|(i, s)| {
                (
                    i,
                    per(s.weight_bytes),
                    per(s.weight_bytes) + per(s.kv_state_bytes),
                )
            })
            .unwrap_or((0, per(weights), per(weights) + per(kv)))
    };
    let place_of = |stage: usize| {
        if pipelined {
            format!(
                "{place} ({devices} devices as {} pipeline stages × {n} tensor-parallel; \
                 each device of stage {stage})",
                st.stages.len()
            )
        } else if n > 1 {
            format!("{place} ({n} devices, each)")
        } else {
            place.clone()
        }
    };
    let (ws, w_need, _) = by(&|s| per(s.weight_bytes));
    if w_need > cap {
        let need = weights.div_ceil(cap.max(1));
        return Err(MapError::DoesNotFit {
            platform: p.name.clone(),
            what: format!(
                "the weights of {} ({:.2} B parameters, {}{})",
                g.model().name,
                g.params() as f64 / 1e9,
                gb(weights),
                quant_words(g)
            ),
            place: place_of(ws),
            needed_bytes: w_need,
            available_bytes: cap,
            hint: Some(if pipelined && u64::from(devices) >= need {
                stage_hint(devices, st.stages[ws].weight_bytes, cap)
            } else {
                weights_hint(p, g, need, n, cap)
            }),
        });
    }
    let (ks, _, k_need) = by(&|s| per(s.weight_bytes) + per(s.kv_state_bytes));
    if k_need > cap {
        let w = g.workload();
        return Err(MapError::DoesNotFit {
            platform: p.name.clone(),
            what: format!(
                "the KV cache and state ({}, batch {}) beside the weights ({})",
                gb(kv),
                w.batch,
                gb(weights)
            ),
            place: place_of(ks),
            needed_bytes: k_need,
            available_bytes: cap,
            hint: Some(
                "use a smaller --batch or --context, or compress the cache (--kv-bits 4, --kv-rank)"
                    .into(),
            ),
        });
    }
    Ok(())
}

/// `", as w8a8"` when the graph's weights are quantised.
fn quant_words(g: &Graph) -> String {
    g.workload()
        .transforms
        .quant
        .as_ref()
        .map(|q| format!(", as {}", q.name()))
        .unwrap_or_default()
}
