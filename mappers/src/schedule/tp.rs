//! Tensor parallelism across the devices of a `[system]` platform (Megatron-LM's split,
//! Shoeybi et al. 2019), derived from the graph rather than from operator names:
//!
//! - a product whose input is whole is **column-parallel** (`n / N` per device; its
//!   output is sharded): q/k/v, gate/up, fc1, in_proj, the LM head;
//! - a product whose input is sharded is **row-parallel** (`k / N` per device) and is
//!   followed by an **all-reduce** of its whole output (`arch::system::System::all_reduce`):
//!   o_proj, down, fc2, out_proj;
//! - attention, softmax, KV appends, rotary and element-wise work on sharded inputs are
//!   split by heads / elements;
//! - everything on whole tensors (embeddings, norms, residual adds) is replicated, and so
//!   is a product on the model's own input (a vision tower's patch embedding) and token
//!   merging/pruning (FrameFusion), which select tokens of the whole hidden states.
//!
//! Devices are identical and do the same work, so one device is simulated and energy is
//! multiplied by `N`. With pipeline stages (`[system] pipeline_stages = P`, [`super::pp`])
//! the split is over the `T = N ÷ P` devices of one stage, whose all-reduces use the
//! links those `T` devices share (`arch::system::System::tensor_group`). Not modelled:
//! an all-gather of the sharded logits, overlap of communication with compute,
//! interconnect energy.

use arch::Platform;
use arch::system::System;
use workloads::{Category, Graph, OpId};

use super::{Schedule, Task};
use crate::MapError;
use crate::cost::{Bound, UnitKind};
use crate::work::Work;

/// How an operator's work is split across devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Every device does all of it.
    Whole,
    /// Output features split (`n / N`).
    Column,
    /// Reduction split (`k / N`), then an all-reduce.
    Row,
    /// Heads (or elements) split.
    Parts,
}

/// The split of every operator of a graph.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Tensor-parallel devices (one pipeline stage's).
    pub devices: u32,
    system: Option<System>,
    splits: Vec<Split>,
}

impl Plan {
    /// The plan for `g` on `p` (all `Whole` on one device).
    pub fn new(p: &Platform, g: &Graph) -> Plan {
        let system = p
            .system
            .as_ref()
            .map(System::tensor_group)
            .filter(|s| s.devices() > 1);
        let devices = system.as_ref().map_or(1, System::devices);
        let mut splits = vec![Split::Whole; g.len()];
        if devices > 1 {
            let mut sharded = vec![false; g.len()];
            for id in g.topo_order() {
                let op = g.op(id);
                let input_sharded = g.inputs(id).any(|i| sharded[i.index()]);
                let graph_input = g.inputs(id).next().is_none();
                let split = match (op.category(), input_sharded) {
                    (Category::Linear, true) => Split::Row,
                    // A product on the model's own input (a vision tower's patch
                    // embedding) is replicated: column-splitting it would leave the
                    // residual stream sharded and flip every later split.
                    (Category::Linear, false) if graph_input => Split::Whole,
                    (Category::Linear, false) => Split::Column,
                    // Token merging and pruning pick tokens of the whole (replicated)
                    // hidden states; every device picks the same ones. (Pruning's scores
                    // over local heads would need an all-reduce of one value per token:
                    // not modelled.)
                    (Category::TokenReduction, _) => Split::Whole,
                    (_, true) => Split::Parts,
                    (_, false) => Split::Whole,
                };
                sharded[id.index()] = matches!(split, Split::Column | Split::Parts);
                splits[id.index()] = split;
            }
        }
        Plan {
            devices,
            system,
            splits,
        }
    }

    /// The split of operator `id`.
    pub fn split(&self, id: OpId) -> Split {
        self.splits.get(id.index()).copied().unwrap_or(Split::Whole)
    }

    /// Appends an all-reduce after every row-parallel task and makes that task's
    /// consumers wait for it.
    pub fn insert_collectives(&self, s: &mut Schedule, index: &[usize]) -> Result<(), MapError> {
        let Some(sys) = &self.system else {
            return Ok(());
        };
        for (node, &split) in self.splits.iter().enumerate() {
            if split != Split::Row {
                continue;
            }
            let Some(&ti) = index.get(node) else { continue };
            let Some(t) = s.tasks.get(ti) else { continue };
            if !t.alive {
                continue;
            }
            let bytes = t.out_bytes;
            let comm = sys.all_reduce(bytes as f64);
            let ar = s.tasks.len();
            for other in s.tasks.iter_mut() {
                for d in other.deps.iter_mut() {
                    if *d == ti {
                        *d = ar;
                    }
                }
            }
            let (layer, part) = (s.tasks[ti].layer, s.tasks[ti].part);
            s.tasks.push(Task::communication(
                "all_reduce",
                UnitKind::Interconnect,
                (comm.time, Bound::Latency, Vec::new()),
                (part, layer),
                ti,
                bytes,
            ));
        }
        if s.tasks.iter().any(|t| t.unit == UnitKind::Interconnect) {
            s.notes.push(format!(
                "tensor-parallel over {} devices ({}): column/row-parallel products, an \
                 all-reduce after each row-parallel one; interconnect energy not modelled",
                self.devices,
                sys.interconnect()
            ));
        }
        Ok(())
    }
}

/// `x` per device under `split` (FLOPs: everything but `Whole` divides).
pub fn shard_count(x: u64, split: Split, devices: u32) -> u64 {
    match split {
        Split::Whole => x,
        _ => x.div_ceil(u64::from(devices.max(1))),
    }
}

/// Output bytes per device under `split` (a row-parallel output is whole after its
/// all-reduce).
pub fn shard_output(x: u64, split: Split, devices: u32) -> u64 {
    match split {
        Split::Whole | Split::Row => x,
        _ => x.div_ceil(u64::from(devices.max(1))),
    }
}

/// One device's share of `w` under `split`.
pub fn shard(w: Work, split: Split, devices: u32) -> Work {
    let n = u64::from(devices.max(1));
    if n == 1 || split == Split::Whole {
        return w;
    }
    let d = |x: u64| x.div_ceil(n).max(1);
    match (w, split) {
        (Work::Gemm(mut g), Split::Column) => {
            g.n = d(g.n);
            Work::Gemm(g)
        }
        (Work::Gemm(mut g), Split::Row) => {
            g.k = d(g.k);
            Work::Gemm(g)
        }
        (Work::Gemm(mut g), _) => {
            if g.batch >= n {
                g.batch = d(g.batch);
            } else {
                g.n = d(g.n);
            }
            Work::Gemm(g)
        }
        (Work::Attention(mut a), _) => {
            a.heads = d(a.heads);
            a.kv_heads = d(a.kv_heads).min(a.heads);
            while a.heads % a.kv_heads != 0 {
                a.kv_heads -= 1;
            }
            Work::Attention(a)
        }
        (Work::Softmax(mut s), _) => {
            s.rows = d(s.rows);
            Work::Softmax(s)
        }
        (Work::Scan(mut s), _) => {
            s.d_inner = d(s.d_inner);
            s.read_bytes = d(s.read_bytes);
            s.write_bytes = d(s.write_bytes);
            Work::Scan(s)
        }
        (Work::Vector(mut v), _) => {
            v.elements = d(v.elements);
            v.rows = d(v.rows).min(v.elements);
            v.read_bytes = d(v.read_bytes);
            v.write_bytes = d(v.write_bytes);
            Work::Vector(v)
        }
        (Work::Move(mut m), _) => {
            m.read_bytes = d(m.read_bytes);
            m.write_bytes = d(m.write_bytes);
            Work::Move(m)
        }
    }
}
