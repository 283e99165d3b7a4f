//! # validate — the GPU model against measured kernels
//!
//! `silica validate` reads a CSV of measured kernel times (the schema of the harness in
//! `validation/gpu/`, see `validation/README.md`), predicts every case with the GPU model
//! of `arch::gpu` ([`predict`]: the class → request mapping and the decoder-step
//! composition), scores it ([`score`]: error per case, MAPE per class and overall, the
//! seed papers' claims as ratios) and, with `--fit`, calibrates the preset's
//! `[gpu.efficiency]` parameters on half of the cases ([`fit`]). [`data`] reads the CSV
//! (errors name file and line), [`run`] ties a run together, [`output`] prints and
//! writes it (`validate.csv`, `validate-mape.csv`, `validate-claims.csv`,
//! `validate.png`/`.svg`, JSON), [`preset`] writes a
//! calibrated platform file.
//!
//! ```text
//! silica validate --measured validation/data/h100-sxm.csv --arch h100-sxm5-80gb --out out
//! silica validate --measured validation/data/published.csv        # each row's device
//! silica validate --fit --measured validation/data/h100-sxm.csv --arch h100-sxm5-80gb \
//!     --split-seed 0 --write-preset calibrated.toml
//! ```
//!
//! **Where this lives:** in the root crate, beside the CLI that uses it. It needs
//! `arch` (the GPU model) and `reports` (the plot), and composes a decoder layer from
//! kernels itself (`mappers`, which would own composition, has no `simulate` yet — when
//! it has, the decoder step should be composed through it), and `reports` must not know
//! how rows are made.

pub mod data;
pub mod fit;
pub mod output;
pub mod predict;
pub mod preset;
pub mod run;
pub mod score;
