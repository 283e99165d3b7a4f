//! # workloads — operator graphs of ML models
//!
//! **Owns:** operator graphs (on `petgraph`) with tensor shapes, element types and
//! dependencies; FLOP and byte counts per operator; model builders from HuggingFace-style
//! `config.json`; phases (prefill, decode); transforms (quantisation, token reduction,
//! KV-cache compression, integer softmax).
//!
//! **Architecture invariant:** `workloads` never names a hardware unit; it knows shapes,
//! precisions and dependencies only.
