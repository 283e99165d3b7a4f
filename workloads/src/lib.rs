//! # workloads — operator graphs of ML models
//!
//! **Owns:** operator graphs (on `petgraph`) with tensor shapes, element types and
//! dependencies; FLOP and byte counts per operator; model builders from HuggingFace-style
//! `config.json`; phases (prefill, decode, multi-token decode); transforms
//! (quantisation, FrameFusion token reduction, CSKV KV-cache compression, integer
//! softmax); KV-cache sizes.
//!
//! **Architecture invariant:** `workloads` never names a hardware unit; it knows shapes,
//! precisions and dependencies only.
//!
//! Conventions: a multiply-accumulate is **2 FLOPs**; minimum bytes count every input
//! read once and every output written once, weights at their stored precision with
//! scales and zero points (see [`ops`]).
//!
//! ```
//! use workloads::{Model, Workload, ops::Category};
//!
//! let m = Model::shipped("llama2-7b").unwrap();
//! let g = m.build(&Workload::decode(4096)).unwrap();
//! assert_eq!(g.kv_cache_bytes(), 2 << 30); // 2 GiB in fp16
//! let s = g.summary();
//! assert!(s.category(Category::Linear).flops > 12_000_000_000);
//! // 32 identical layers: one class to map.
//! assert_eq!(g.layer_classes().len(), 1);
//! ```

mod build;
pub mod config;
mod error;
pub mod graph;
pub mod int_softmax;
pub mod model;
pub mod ops;
pub mod params;
mod suggest;
pub mod tensor;
pub mod transforms;
pub mod workload;

pub use error::{Result, WorkloadError};
pub use graph::{Graph, LayerClass, OpId, Summary, Tokens, Totals};
pub use model::{Model, SHIPPED, shipped_names};
pub use ops::{Category, Op, OpKind, Part};
pub use suggest::{closest, edit_distance};
pub use tensor::{DType, Shape, Tensor};
pub use transforms::{KvCompression, Quantization, Reconstruct, TokenReduction, Transforms};
pub use workload::{AttentionImpl, Phase, Workload};
