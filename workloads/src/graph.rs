//! The operator graph: nodes are [`Op`]s, edges carry the producer's output [`Tensor`].
//!
//! Nodes are added in execution order and every edge goes from an earlier node to a
//! later one, so node order is a topological order ([`Graph::topo_order`]).

use crate::model::Model;
use crate::ops::{Category, Op, OpKind, Part};
use crate::tensor::Tensor;
use crate::workload::Workload;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// Index of an operator in its graph.
pub type OpId = NodeIndex<u32>;

/// Token counts of a graph (per sequence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tokens {
    /// Vision tokens entering the language model.
    pub vision: u64,
    /// Vision tokens after token reduction (= `vision` without it).
    pub vision_kept: u64,
    /// Text tokens (prompt in prefill, context in decode).
    pub text: u64,
    /// Queries per sequence in the first language-model layer.
    pub q_len: u64,
    /// Keys per sequence in the first language-model layer.
    pub kv_len: u64,
}

/// Count, FLOPs and bytes of a set of operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Operators.
    pub count: u64,
    /// FLOPs (MAC = 2).
    pub flops: u64,
    /// Minimum bytes.
    pub bytes: u64,
}

impl Totals {
    /// FLOPs per byte (0 without bytes).
    pub fn intensity(&self) -> f64 {
        if self.bytes == 0 {
            0.0
        } else {
            self.flops as f64 / self.bytes as f64
        }
    }

    fn add(&mut self, op: &Op) {
        self.count += 1;
        self.flops += op.flops();
        self.bytes += op.bytes();
    }
}

/// Totals by category (in [`Category::ALL`] order, categories without operators left
/// out) and overall.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summary {
    /// Per category.
    pub categories: Vec<(Category, Totals)>,
    /// All operators.
    pub total: Totals,
}

impl Summary {
    /// Totals of one category (zero if absent).
    pub fn category(&self, c: Category) -> Totals {
        self.categories
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, t)| *t)
            .unwrap_or_default()
    }
}

/// Layers that do identical work: same operators, shapes and types in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerClass {
    /// Model part.
    pub part: Part,
    /// Structural key of the layer.
    pub key: u64,
    /// Layer indices in this class, ascending.
    pub layers: Vec<u32>,
}

/// An operator graph of one model and workload.
#[derive(Debug, Clone)]
pub struct Graph {
    pub(crate) g: DiGraph<Op, Tensor>,
    pub(crate) model: Arc<Model>,
    pub(crate) workload: Workload,
    pub(crate) tokens: Tokens,
    pub(crate) kv_cache_bytes: u64,
    pub(crate) state_bytes: u64,
}

impl Graph {
    /// The underlying petgraph graph (for algorithms; do not expect node indices to
    /// survive a rebuild).
    pub fn inner(&self) -> &DiGraph<Op, Tensor> {
        &self.g
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The workload, with the transforms applied.
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// Token counts.
    pub fn tokens(&self) -> Tokens {
        self.tokens
    }

    /// Bytes of the KV cache after this step (all layers, all sequences).
    pub fn kv_cache_bytes(&self) -> u64 {
        self.kv_cache_bytes
    }

    /// Bytes of recurrent state (Mamba's conv and SSM states; 0 for transformers).
    pub fn state_bytes(&self) -> u64 {
        self.state_bytes
    }

    /// Parameters of the model's operators (see [`Model::params`]).
    pub fn params(&self) -> u64 {
        self.model.params()
    }

    /// Number of operators.
    pub fn len(&self) -> usize {
        self.g.node_count()
    }

    /// Whether there are no operators.
    pub fn is_empty(&self) -> bool {
        self.g.node_count() == 0
    }

    /// An operator.
    pub fn op(&self, id: OpId) -> &Op {
        &self.g[id]
    }

    /// Operators in a topological (execution) order.
    pub fn topo_order(&self) -> impl Iterator<Item = OpId> + '_ {
        self.g.node_indices()
    }

    /// Operators with their ids, in topological order.
    pub fn ops(&self) -> impl Iterator<Item = (OpId, &Op)> + '_ {
        self.g.node_indices().map(|i| (i, &self.g[i]))
    }

    /// Direct predecessors of an operator (the producers of its inputs).
    pub fn inputs(&self, id: OpId) -> impl Iterator<Item = OpId> + '_ {
        self.g.neighbors_directed(id, petgraph::Direction::Incoming)
    }

    /// Totals by category and overall.
    pub fn summary(&self) -> Summary {
        self.summary_of(|_| true)
    }

    /// Totals of the operators `keep` selects.
    pub fn summary_of(&self, keep: impl Fn(&Op) -> bool) -> Summary {
        let mut by: BTreeMap<Category, Totals> = BTreeMap::new();
        let mut total = Totals::default();
        for op in self.g.node_weights().filter(|o| keep(o)) {
            by.entry(op.category()).or_default().add(op);
            total.add(op);
        }
        Summary {
            categories: Category::ALL
                .iter()
                .filter_map(|c| by.get(c).map(|t| (*c, *t)))
                .collect(),
            total,
        }
    }

    /// Bytes of weights read (with scales and zeros; embeddings count gathered rows only).
    pub fn weight_bytes(&self) -> u64 {
        self.g.node_weights().map(Op::weight_bytes).sum()
    }

    /// Operators of one layer of one part, in order.
    pub fn layer_ops(&self, part: Part, layer: u32) -> Vec<OpId> {
        self.ops()
            .filter(|(_, o)| o.part == part && o.layer == Some(layer))
            .map(|(i, _)| i)
            .collect()
    }

    /// Groups the layers of each part by structure: layers whose operator sequences
    /// (names, kinds, shapes, types) are equal fall in one class, so a mapper can map
    /// one representative per class (32 identical Llama layers → one class).
    pub fn layer_classes(&self) -> Vec<LayerClass> {
        let mut hashers: BTreeMap<(Part, u32), DefaultHasher> = BTreeMap::new();
        for op in self.g.node_weights() {
            if let Some(l) = op.layer {
                let h = hashers.entry((op.part, l)).or_default();
                op.name.hash(h);
                op.kind.hash(h);
            }
        }
        let mut classes: Vec<LayerClass> = Vec::new();
        for ((part, layer), h) in hashers {
            let key = h.finish();
            match classes.iter_mut().find(|c| c.part == part && c.key == key) {
                Some(c) => c.layers.push(layer),
                None => classes.push(LayerClass {
                    part,
                    key,
                    layers: vec![layer],
                }),
            }
        }
        classes
    }

    /// Operators whose kind equals `kind` (for tests and tools).
    pub fn count_kind(&self, f: impl Fn(&OpKind) -> bool) -> usize {
        self.g.node_weights().filter(|o| f(&o.kind)).count()
    }
}
