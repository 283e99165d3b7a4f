//! Pipeline parallelism across the stages of a `[system]` platform (`pipeline_stages = P`,
//! `devices = T × P`, tensor parallel over the `T` devices of a stage: [`super::tp`]).
//!
//! ## Which operators go to which stage
//! The graph is cut into **units**, in the order they first appear in the topological
//! order: each layer (`part`, `layer`) is one unit; operators without a layer form a unit
//! per run between layers (the embedding before the first layer, the final norm and LM
//! head after the last, a VLM's projector between towers). The units are split into
//! `S = min(P, units)` **contiguous** ranges: first the least possible bytes on the most
//! loaded stage — each unit's stored weights plus its share of the KV cache and recurrent
//! state (the total spread evenly over the language layers) — then, among the splits that
//! reach it, the least units on the most loaded stage, so the stages are balanced by
//! layer count as far as memory allows (two exact min–max partitions by dynamic
//! programming; ties go to the earliest cut). The embedding is always on the first stage
//! and the LM head on the last, each a unit of its own so that a large vocabulary does
//! not share a stage's memory with layers when the stages are many. An operator never runs before a stage of one of
//! its inputs (its stage is raised to theirs). When `P` exceeds the units, each unit gets
//! a stage and the `(P − S) · T` devices of the remaining stages idle (a report note; no
//! error).
//!
//! ## Time
//! Every dependency from a stage to a later one goes through a point-to-point send of
//! the producer's output (per device: its shard, or the whole tensor) from each of the
//! stage's `T` devices to its counterpart in the next, `arch::system::System::stage_send`
//! (`B / bw_pair + α + α₀`), one send per tensor and stage boundary. All stages run on
//! one simulated device's units: a batch-1 decode step runs its stages one after another,
//! so its time is the sum of the stage times plus the sends (no overlap). **Micro-batch
//! pipelining is not modelled**: with `m` micro-batches in flight a GPipe/1F1B schedule
//! keeps the stages busy except for a bubble fraction `(P − 1)/(m + P − 1)` (Huang et al.,
//! "GPipe", NeurIPS 2019; Narayanan et al., "Efficient Large-Scale Language Model Training
//! on GPU Clusters Using Megatron-LM", SC 2021), raising throughput but not the latency
//! of one step, which is what this simulates.
//!
//! ## Memory and energy
//! Each device of stage `s` holds `⌈weights_s ÷ T⌉ + ⌈(KV + state)_s ÷ T⌉`
//! ([`super::fit`]). Dynamic energy counts the `T` devices that run each operator; static
//! power (leakage, idle) counts all `T × P` devices for the whole step, idle ones
//! included. Interconnect energy is not modelled.

use std::collections::BTreeMap;

use arch::Platform;
use arch::system::System;
use workloads::{Graph, OpId, Part};

use super::{Schedule, Task, fit};
use crate::cost::{Bound, UnitKind};

/// One pipeline stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// Its first unit (`language layer 0`, `embedding`…).
    pub first: String,
    /// Its last unit.
    pub last: String,
    /// Units (layers, embedding, head) it holds.
    pub units: u32,
    /// Stored weight bytes of its operators (all its `T` devices together).
    pub weight_bytes: u64,
    /// Its share of the KV cache and recurrent state, bytes (all its devices together).
    pub kv_state_bytes: u64,
}

/// The pipeline split of a graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stages {
    /// Stages asked for (`[system] pipeline_stages`; 1 without a system).
    pub requested: u32,
    /// Tensor-parallel devices per stage.
    pub tensor: u32,
    /// The stages used (`min(requested, units)`, at least 1).
    pub stages: Vec<Stage>,
    stage_of: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Layer(Part, u32),
    Loose(Part, usize),
}

fn label(g: &Graph, key: Key, ops: &[OpId]) -> String {
    match key {
        Key::Layer(Part::Language, l) => format!("layer {l}"),
        Key::Layer(p, l) => format!("{} layer {l}", p.name()),
        Key::Loose(..) => ops
            .iter()
            .map(|&o| g.op(o).name.to_string())
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

/// The least over splits of `w` into `k` non-empty contiguous ranges of the largest
/// range cost, where a range `c..i` costs `cost(c, i)` (`u64::MAX`: not allowed); with the
/// cut points (range starts after the first), earliest cuts on ties.
fn min_max(n: usize, k: usize, cost: &dyn Fn(usize, usize) -> u64) -> (u64, Vec<usize>) {
    // best[j][i]: the least maximum over splits of the first i units into j ranges.
    let mut best = vec![vec![u64::MAX; n + 1]; k + 1];
    let mut cut = vec![vec![0usize; n + 1]; k + 1];
    best[0][0] = 0;
    for j in 1..=k {
        for i in j..=n {
            for c in (j - 1)..i {
                let here = cost(c, i);
                if best[j - 1][c] == u64::MAX || here == u64::MAX {
                    continue;
                }
                let m = best[j - 1][c].max(here);
                if m < best[j][i] {
                    best[j][i] = m;
                    cut[j][i] = c;
                }
            }
        }
    }
    let mut cuts = Vec::with_capacity(k.saturating_sub(1));
    let mut i = n;
    for j in (2..=k).rev() {
        i = cut[j][i];
        cuts.push(i);
    }
    cuts.reverse();
    (best[k][n], cuts)
}

/// The split of units of bytes `w` into `k` non-empty contiguous ranges: the least
/// largest range in bytes first, then, among the splits that reach it, the least largest
/// range in units (balanced by layer count); earliest cuts on ties. Returns the cut
/// points (range starts after the first).
fn partition(w: &[u64], k: usize) -> Vec<usize> {
    let n = w.len();
    let k = k.clamp(1, n.max(1));
    if n == 0 || k == 1 {
        return Vec::new();
    }
    let mut pre = vec![0u64; n + 1];
    for (i, x) in w.iter().enumerate() {
        pre[i + 1] = pre[i] + x;
    }
    let (bound, _) = min_max(n, k, &|c, i| pre[i] - pre[c]);
    let (_, cuts) = min_max(n, k, &|c, i| {
        if pre[i] - pre[c] <= bound {
            (i - c) as u64
        } else {
            u64::MAX
        }
    });
    cuts
}

impl Stages {
    /// The split of `g` on `p` (one stage holding everything without pipeline stages).
    pub fn of(p: &Platform, g: &Graph) -> Stages {
        let (requested, tensor) = p.system.as_ref().map_or((1, 1), |s| {
            (s.pipeline_stages().max(1), s.tensor_devices().max(1))
        });
        let weights = fit::stored_weight_bytes(g);
        let kv = g.kv_cache_bytes() + g.state_bytes();
        if requested <= 1 {
            let last = g.topo_order().last();
            return Stages {
                requested,
                tensor,
                stages: vec![Stage {
                    first: g
                        .topo_order()
                        .next()
                        .map_or(String::new(), |o| g.op(o).name.to_string()),
                    last: last.map_or(String::new(), |o| g.op(o).name.to_string()),
                    units: 1,
                    weight_bytes: weights,
                    kv_state_bytes: kv,
                }],
                stage_of: vec![0; g.len()],
            };
        }
        // Units in first-appearance order.
        let mut keys: Vec<(Key, Vec<OpId>)> = Vec::new();
        let mut unit_of = vec![0usize; g.len()];
        let mut layers_seen = 0usize;
        for id in g.topo_order() {
            let op = g.op(id);
            let key = match op.layer {
                Some(l) => Key::Layer(op.part, l),
                None => Key::Loose(op.part, layers_seen),
            };
            let u = match keys.iter().position(|k| k.0 == key) {
                Some(u) => {
                    keys[u].1.push(id);
                    u
                }
                None => {
                    if matches!(key, Key::Layer(..)) {
                        layers_seen += 1;
                    }
                    keys.push((key, vec![id]));
                    keys.len() - 1
                }
            };
            unit_of[id.index()] = u;
        }
        let units = keys.len().max(1);
        // Bytes per unit: weights, plus the KV/state spread over the language layers.
        let mut w = vec![0u64; units];
        for (id, op) in g.ops() {
            w[unit_of[id.index()]] += fit::op_stored_weight_bytes(op);
        }
        let holders: Vec<usize> = {
            let lang: Vec<usize> = (0..keys.len())
                .filter(|&u| matches!(keys[u].0, Key::Layer(Part::Language, _)))
                .collect();
            if lang.is_empty() { vec![0] } else { lang }
        };
        let mut kv_of = vec![0u64; units];
        let h = holders.len() as u64;
        for (i, &u) in holders.iter().enumerate() {
            // Even shares; the first `kv mod h` holders take one byte more.
            kv_of[u] = kv / h + u64::from((i as u64) < kv % h);
        }
        let load: Vec<u64> = (0..units).map(|u| w[u] + kv_of[u]).collect();
        let s = (requested as usize).min(units);
        let cuts = partition(&load, s);
        let mut stage_of_unit = vec![0u32; units];
        let mut st = 0u32;
        for (u, slot) in stage_of_unit.iter_mut().enumerate() {
            while (st as usize) < cuts.len() && u >= cuts[st as usize] {
                st += 1;
            }
            *slot = st;
        }
        // Stages of operators, raised so that no operator runs before an input.
        let mut stage_of = vec![0u32; g.len()];
        for id in g.topo_order() {
            let own = stage_of_unit[unit_of[id.index()]];
            let inputs = g.inputs(id).map(|i| stage_of[i.index()]).max().unwrap_or(0);
            stage_of[id.index()] = own.max(inputs);
        }
        let mut stages: Vec<Stage> = (0..s)
            .map(|_| Stage {
                first: String::new(),
                last: String::new(),
                units: 0,
                weight_bytes: 0,
                kv_state_bytes: 0,
            })
            .collect();
        for (u, (key, ops)) in keys.iter().enumerate() {
            let st = &mut stages[stage_of_unit[u] as usize];
            if st.units == 0 {
                st.first = label(g, *key, ops);
            }
            st.last = label(g, *key, ops);
            st.units += 1;
            st.kv_state_bytes += kv_of[u];
        }
        for (id, op) in g.ops() {
            stages[stage_of[id.index()] as usize].weight_bytes += fit::op_stored_weight_bytes(op);
        }
        Stages {
            requested,
            tensor,
            stages,
            stage_of,
        }
    }

    /// Stages used.
    pub fn used(&self) -> u32 {
        self.stages.len().max(1) as u32
    }

    /// The stage of operator `id`.
    pub fn stage(&self, id: OpId) -> u32 {
        self.stage_of.get(id.index()).copied().unwrap_or(0)
    }

    /// Devices left without work when there are more stages than units.
    pub fn idle_devices(&self) -> u32 {
        self.requested.saturating_sub(self.used()) * self.tensor
    }

    /// Makes every dependency from one stage to a later one wait for a chain of sends
    /// (one per stage boundary, one per producer tensor), appended as interconnect tasks;
    /// adds a note. Does nothing with one stage.
    pub fn insert_sends(&self, s: &mut Schedule, sys: &System) {
        if self.used() <= 1 {
            return;
        }
        let stage_of_task = |t: &Task| -> u32 { t.op.map_or(0, |o| self.stage(o)) };
        let n = s.tasks.len();
        let mut sends: BTreeMap<(usize, u32), usize> = BTreeMap::new();
        for ti in 0..n {
            let to = stage_of_task(&s.tasks[ti]);
            let mut deps = s.tasks[ti].deps.clone();
            for d in deps.iter_mut() {
                let Some(from) = s.tasks.get(*d).map(&stage_of_task) else {
                    continue;
                };
                let producer = *d;
                let mut prev = producer;
                for hop in from..to {
                    let idx = match sends.get(&(producer, hop + 1)) {
                        Some(&i) => i,
                        None => {
                            let bytes = s.tasks[producer].out_bytes;
                            let comm = sys.stage_send(hop, bytes as f64);
                            let part = s.tasks[producer].part;
                            let i = s.tasks.len();
                            s.tasks.push(send_task(comm.time, bytes, part, prev));
                            sends.insert((producer, hop + 1), i);
                            i
                        }
                    };
                    prev = idx;
                }
                *d = prev;
            }
            deps.sort_unstable();
            deps.dedup();
            s.tasks[ti].deps = deps;
        }
        let send_s: f64 = sends
            .values()
            .map(|&i| s.tasks[i].cost.time.as_secs_f64())
            .sum();
        let ranges = self
            .stages
            .iter()
            .map(|st| {
                if st.first == st.last {
                    format!("[{}]", st.first)
                } else {
                    format!("[{} … {}]", st.first, st.last)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        s.notes.push(format!(
            "pipeline-parallel: {} stages × {} tensor-parallel devices ({}); contiguous \
             layer ranges balanced by bytes per device — {ranges}; {} activation sends \
             ({:.2} µs in all) between stages, run one after another (batch-1 latency: \
             the sum of the stage times and sends; micro-batch pipelining not modelled)",
            self.used(),
            self.tensor,
            sys.interconnect(),
            sends.len(),
            send_s * 1e6,
        ));
        if self.idle_devices() > 0 {
            s.notes.push(format!(
                "{} pipeline stages asked for but the model has {} units (layers, embedding, \
                 head): one stage per unit, {} devices idle (their static power is counted)",
                self.requested,
                self.used(),
                self.idle_devices()
            ));
        }
    }
}

fn send_task(time: sim_core::Time, bytes: u64, part: Option<Part>, dep: usize) -> Task {
    Task::communication(
        "pipeline_send",
        UnitKind::Interconnect,
        (time, Bound::Latency, Vec::new()),
        (part, None),
        dep,
        bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::partition;
    use proptest::prelude::*;

    /// The least largest range over every split of `w` into `k` non-empty ranges, by
    /// enumerating the cut sets (a reference independent of the DP).
    fn brute(w: &[u64], k: usize) -> u64 {
        fn go(w: &[u64], k: usize) -> u64 {
            if k == 1 {
                return w.iter().sum();
            }
            (1..=w.len() - (k - 1))
                .map(|c| w[..c].iter().sum::<u64>().max(go(&w[c..], k - 1)))
                .min()
                .unwrap_or(u64::MAX)
        }
        go(w, k)
    }

    proptest! {
        #[test]
        fn partition_is_an_optimal_contiguous_split(
            w in proptest::collection::vec(0u64..1000, 1..9),
            k in 1usize..6,
        ) {
            let cuts = partition(&w, k);
            let k = k.min(w.len());
            prop_assert_eq!(cuts.len(), k - 1);
            let mut bounds = vec![0];
            bounds.extend(&cuts);
            bounds.push(w.len());
            prop_assert!(bounds.windows(2).all(|p| p[0] < p[1]), "{:?}", bounds);
            let largest = bounds
                .windows(2)
                .map(|p| w[p[0]..p[1]].iter().sum::<u64>())
                .max()
                .unwrap();
            prop_assert_eq!(largest, brute(&w, k));
        }
    }

    #[test]
    fn min_max_partition_by_hand() {
        // 6 equal units into 3 stages: 2 + 2 + 2 (cuts after units 1 and 3).
        assert_eq!(partition(&[1; 6], 3), vec![2, 4]);
        // A heavy first unit stays alone (max 9 bytes), and the nine light ones are split
        // 4 + 5 or 5 + 4 (largest range 5 units); the last cut at c costs
        // max(c − 1, 10 − c), 5 at c = 5 and c = 6: the earliest, 5.
        assert_eq!(partition(&[9, 1, 1, 1, 1, 1, 1, 1, 1, 1], 3), vec![1, 5]);
        // 7 equal units into 3: the largest stage holds 3; for each prefix the DP keeps
        // the earliest cut reaching its optimum: 2 + 2 + 3.
        assert_eq!(partition(&[1; 7], 3), vec![2, 4]);
        // One range: no cuts; more ranges than units is clamped.
        assert!(partition(&[3, 4], 1).is_empty());
        assert_eq!(partition(&[3, 4], 5), vec![1]);
    }
}
