//! `kind = "kernel"` workloads: one kernel on any platform through the dispatch layer,
//! `arch::Platform::estimate` (a PE array or nonlinear unit runs `arch::kernel`'s level-2
//! tile events by default, level 3 with `level = 3`; GPUs, CPUs, IMC and PIM their
//! closed-form models). The ops and keys are those of `silica kernel`:
//!
//! | key | ops | what |
//! | --- | --- | --- |
//! | `kind` | all | `"kernel"` |
//! | `op` | all | `gemm`, `gemv`, `qgemv`, `elementwise`, `softmax`, `norm`, `attention`, `scan` |
//! | `m`, `k`, `n` | gemm, qgemv (`m` default 1) | `C[m×n] = A[m×k]·W[k×n]` |
//! | `k`, `n` | gemv | `y[1×n] = x[1×k]·W[k×n]` |
//! | `weight_dtype` | gemm, gemv | weight format when it differs from `dtype` |
//! | `weight_bits`, `group_size`, `fused_dequant` | qgemv | bits per weight (1–8, default 4), weights per scale group (default 128), dequantisation fused (default `true`) |
//! | `n`, `function`, `inputs` | elementwise | `n` elements of `add`, `sub`, `mul`, `exp`, `silu`, `gelu`, `copy`; inputs per element |
//! | `rows`, `len`, `integer`, `batch`, `heads` | softmax | `batch × heads × rows` rows of `len` (`batch`, `heads` default 1: attention-shaped rows per sequence and head); SoftmAP's integer softmax |
//! | `rows`, `len`, `norm` | norm | `rms` (default) or `layer` |
//! | `batch`, `heads`, `kv_heads`, `q_len`, `kv_len`, `head_dim`, `causal`, `kv_dtype`, `kv_group` | attention | defaults: batch 1, kv_heads = heads, q_len 1, not causal, K/V at `dtype` without scale groups |
//! | `batch`, `seq_len`, `d_inner`, `d_state` | scan | defaults: batch 1, d_state 16 |
//! | `dataflow`, `tile_m`, `tile_k`, `tile_n` | gemm (dataflow also gemv) | PE arrays only: force `os`/`ws`/`is`; a tiling (all three) |
//! | `dtype` | all | `fp32`, `tf32`, `fp16`, `bf16`, `fp8`, `int8`, `int4` (default: the PE array's format, else fp16; qgemv: fp16) |
//! | `unit` | all | `pe_array`, `nonlinear`, `gpu`, `cpu`, `crossbar`, `assoc_processor`, `pim` (default: the platform's preferred unit) |
//! | `level` | all | 2 (tile events, default) or 3 (roofline) on PE arrays and nonlinear units |
//!
//! Metrics: `latency_s`, `cycles` (of the platform clock), `compute_cycles` and
//! `roofline_cycles` (PE array and nonlinear unit; NaN elsewhere), `energy_j`, `edp_js`,
//! `power_w` (energy ÷ latency), `dram_bytes` (read + written), `sram_bytes` (on-chip),
//! `utilization` (the kernel's own on PE arrays; else FLOPs ÷ (peak in `dtype` × time),
//! NaN without a peak), `flops`, `flops_per_s`, `tokens_per_s` and `tokens_per_j` (the `m`
//! rows of a GEMM, 1 for a GEMV, `batch × q_len` for attention; NaN otherwise), `ttft_s`
//! (NaN), `fidelity_level`.

use std::collections::BTreeMap;

use arch::Platform;
use arch::kernel::{Fidelity, GemmTiling};
use arch::pe_array::Dataflow;
use arch::work::{
    AttentionShape, Backend, DType, Estimate, EstimateOptions, EwOp, NormKind, Unit, Work,
};
use toml::Table;

use super::keys::Keys;

/// Kernel operations (as `silica kernel` names them).
const OPS: [&str; 8] = [
    "gemm",
    "gemv",
    "qgemv",
    "elementwise",
    "softmax",
    "norm",
    "attention",
    "scan",
];

/// The keys each op takes, after the common `kind`, `op`, `dtype`, `unit`, `level`.
fn own_keys(op: &str) -> &'static [&'static str] {
    match op {
        "gemm" => &[
            "m",
            "k",
            "n",
            "weight_dtype",
            "dataflow",
            "tile_m",
            "tile_k",
            "tile_n",
        ],
        "gemv" => &["k", "n", "weight_dtype", "dataflow"],
        "qgemv" => &["m", "k", "n", "weight_bits", "group_size", "fused_dequant"],
        "elementwise" => &["n", "function", "inputs"],
        "softmax" => &["rows", "len", "integer", "batch", "heads"],
        "norm" => &["rows", "len", "norm"],
        "attention" => &[
            "batch", "heads", "kv_heads", "q_len", "kv_len", "head_dim", "causal", "kv_dtype",
            "kv_group",
        ],
        _ => &["batch", "seq_len", "d_inner", "d_state"],
    }
}

const COMMON: [&str; 5] = ["kind", "op", "dtype", "unit", "level"];

/// A parsed kernel workload; the [`Work`] is built per platform (its default format is the
/// PE array's).
#[derive(Debug, Clone, PartialEq)]
pub struct KernelWork {
    op: &'static str,
    table: Table,
    dtype: Option<DType>,
    weight_dtype: Option<DType>,
    unit: Option<Unit>,
    dataflow: Option<Dataflow>,
    tiling: Option<GemmTiling>,
    fidelity: Fidelity,
}

fn dtype(keys: &Keys, key: &str) -> Result<Option<DType>, String> {
    keys.str(key)?
        .map(|s| DType::parse(s).map_err(|e| format!("workload.{key}: {e}")))
        .transpose()
}

impl KernelWork {
    /// Parses and checks the workload table: every key known to the op, values typed, and
    /// the work itself built once with the default format to check its shape keys.
    pub fn parse(table: &Table) -> Result<KernelWork, String> {
        let mut every: Vec<&str> = COMMON.to_vec();
        for op in OPS {
            for k in own_keys(op) {
                if !every.contains(k) {
                    every.push(k);
                }
            }
        }
        let probe = Keys::new(table, "workload", "a kernel workload", &every)?;
        let op = probe
            .choice("op", &OPS)?
            .ok_or_else(|| format!("workload.op: missing; expected one of {}", OPS.join(", ")))?;
        let allowed: Vec<&str> = COMMON.iter().chain(own_keys(op)).copied().collect();
        let keys = Keys::new(table, "workload", &format!("a {op} kernel"), &allowed)?;
        let tiles = [
            keys.uint("tile_m", 1)?,
            keys.uint("tile_k", 1)?,
            keys.uint("tile_n", 1)?,
        ];
        let tiling = match tiles {
            [Some(tile_m), Some(tile_k), Some(tile_n)] => Some(GemmTiling {
                tile_m,
                tile_k,
                tile_n,
            }),
            [None, None, None] => None,
            _ => return Err("workload.tile_m/tile_k/tile_n: set all three or none".into()),
        };
        let fidelity = match keys.uint("level", 0)? {
            None | Some(2) => Fidelity::TileEvents,
            Some(3) => Fidelity::Roofline,
            Some(l) => {
                return Err(format!(
                    "workload.level: {l}; expected 2 (tile events) or 3 (roofline)"
                ));
            }
        };
        let w = KernelWork {
            op,
            table: table.clone(),
            dtype: dtype(&keys, "dtype")?,
            weight_dtype: dtype(&keys, "weight_dtype")?,
            unit: keys
                .str("unit")?
                .map(|s| Unit::parse(s).map_err(|e| format!("workload.unit: {e}")))
                .transpose()?,
            dataflow: keys
                .str("dataflow")?
                .map(|s| Dataflow::parse(s).map_err(|e| format!("workload.dataflow: {e}")))
                .transpose()?,
            tiling,
            fidelity,
        };
        w.work(DType::Fp16)?;
        Ok(w)
    }

    /// The work in default format `d` (the platform's; `dtype` wins when set).
    fn work(&self, default: DType) -> Result<Work, String> {
        let keys = Keys::new(&self.table, "workload", "a kernel", &self.all())?;
        let d = self.dtype.unwrap_or(default);
        let weight = self.weight_dtype.unwrap_or(d);
        let flag = |k: &str| keys.bool(k).map(|b| b.unwrap_or(false));
        Ok(match self.op {
            "gemm" => Work::Gemm {
                m: keys.req_uint("m", 1)?,
                k: keys.req_uint("k", 1)?,
                n: keys.req_uint("n", 1)?,
                act: d,
                weight,
            },
            "gemv" => Work::Gemm {
                m: 1,
                k: keys.req_uint("k", 1)?,
                n: keys.req_uint("n", 1)?,
                act: d,
                weight,
            },
            "qgemv" => Work::QuantGemm {
                m: keys.uint("m", 1)?.unwrap_or(1),
                k: keys.req_uint("k", 1)?,
                n: keys.req_uint("n", 1)?,
                // Quantised products take fp16 activations unless `dtype` says otherwise,
                // whatever the PE array's format (as `silica kernel qgemv`).
                act: self.dtype.unwrap_or(DType::Fp16),
                weight_bits: u32::try_from(keys.uint("weight_bits", 1)?.unwrap_or(4))
                    .map_err(|_| "workload.weight_bits: expected 1…8")?,
                group_size: keys.uint("group_size", 1)?.unwrap_or(128),
                fused_dequant: keys.bool("fused_dequant")?.unwrap_or(true),
            },
            "elementwise" => {
                let f = keys.req_str("function", "add, sub, mul, exp, silu, gelu or copy")?;
                let op = EwOp::parse(f).map_err(|e| format!("workload.function: {e}"))?;
                Work::Elementwise {
                    elements: keys.req_uint("n", 1)?,
                    op,
                    n_inputs: match keys.uint("inputs", 1)? {
                        Some(i) => u32::try_from(i).map_err(|_| "workload.inputs: too large")?,
                        None => op.inputs(),
                    },
                    dtype: d,
                }
            }
            "softmax" => Work::Softmax {
                // `rows` per (sequence, head): an attention-shaped softmax of `batch`
                // sequences × `heads` heads × `rows` queries.
                rows: [
                    keys.req_uint("rows", 1)?,
                    keys.uint("batch", 1)?.unwrap_or(1),
                    keys.uint("heads", 1)?.unwrap_or(1),
                ]
                .into_iter()
                .try_fold(1u64, u64::checked_mul)
                .ok_or("workload.rows × batch × heads: too large")?,
                len: keys.req_uint("len", 1)?,
                dtype: d,
                integer: flag("integer")?,
            },
            "norm" => Work::Norm {
                rows: keys.req_uint("rows", 1)?,
                len: keys.req_uint("len", 1)?,
                kind: match keys.choice("norm", &["rms", "layer"])? {
                    Some("layer") => NormKind::Layer,
                    _ => NormKind::Rms,
                },
                dtype: d,
            },
            "attention" => {
                let heads = keys.req_uint("heads", 1)?;
                Work::Attention(AttentionShape {
                    batch: keys.uint("batch", 1)?.unwrap_or(1),
                    heads,
                    kv_heads: keys.uint("kv_heads", 1)?.unwrap_or(heads),
                    q_len: keys.uint("q_len", 1)?.unwrap_or(1),
                    kv_len: keys.req_uint("kv_len", 1)?,
                    head_dim: keys.req_uint("head_dim", 1)?,
                    causal: flag("causal")?,
                    dtype: d,
                    kv_dtype: dtype(&keys, "kv_dtype")?.unwrap_or(d),
                    kv_group: keys.uint("kv_group", 0)?.unwrap_or(0),
                })
            }
            _ => Work::Scan {
                batch: keys.uint("batch", 1)?.unwrap_or(1),
                seq_len: keys.req_uint("seq_len", 1)?,
                d_inner: keys.req_uint("d_inner", 1)?,
                d_state: keys.uint("d_state", 1)?.unwrap_or(16),
                dtype: d,
            },
        })
    }

    fn all(&self) -> Vec<&'static str> {
        COMMON.iter().chain(own_keys(self.op)).copied().collect()
    }

    /// Estimates the kernel on `p`: the named unit, else the platform's preferred one.
    pub fn run(&self, p: &Platform) -> Result<(Work, Estimate), String> {
        let work = self.work(p.pe_array_dtype().unwrap_or(DType::Fp16))?;
        let unit = match self.unit {
            Some(u) => u,
            None => p.preferred_unit(&work).map_err(|e| e.to_string())?,
        };
        if unit != Unit::PeArray && (self.dataflow.is_some() || self.tiling.is_some()) {
            return Err(format!(
                "workload.dataflow/tile_*: apply to a pe_array; {} runs on {unit}",
                work.label()
            ));
        }
        let opts = EstimateOptions {
            tiling: self.tiling,
            dataflow: self.dataflow,
            fidelity: self.fidelity,
        };
        let e = p
            .estimate(unit, &work, &opts)
            .map_err(|e| format!("{} on {unit}: {e}", work.label()))?;
        Ok((work, e))
    }

    /// The metrics of an estimate (see the module docs).
    pub fn metrics(p: &Platform, work: &Work, e: &Estimate) -> BTreeMap<String, f64> {
        let latency_s = e.seconds();
        let energy_j = e.energy_pj * 1e-12;
        let tokens = match *work {
            Work::Gemm { m, .. } | Work::QuantGemm { m, .. } => m as f64,
            Work::Attention(AttentionShape { batch, q_len, .. }) => (batch * q_len) as f64,
            _ => f64::NAN,
        };
        let clock_hz = p.clock_mhz * 1e6;
        let report = match &e.backend {
            Backend::Kernel(r) => Some(r.as_ref()),
            _ => None,
        };
        let (cycles, compute_cycles, roofline_cycles, sram_bytes, utilization) = match report {
            Some(r) => (
                r.total_cycles as f64,
                r.compute_cycles as f64,
                r.roofline_cycles as f64,
                (r.sram_bytes_read + r.sram_bytes_written) as f64,
                r.utilization,
            ),
            None => {
                let peak = p.peak().flops_per_s(work.dtype()).unwrap_or(f64::NAN);
                (
                    (latency_s * clock_hz).round(),
                    f64::NAN,
                    f64::NAN,
                    e.onchip_bytes as f64,
                    e.flops / (peak * latency_s),
                )
            }
        };
        let pairs = [
            ("latency_s", latency_s),
            ("cycles", cycles),
            ("compute_cycles", compute_cycles),
            ("roofline_cycles", roofline_cycles),
            ("energy_j", energy_j),
            ("edp_js", energy_j * latency_s),
            ("power_w", energy_j / latency_s),
            (
                "dram_bytes",
                (e.dram_bytes_read + e.dram_bytes_written) as f64,
            ),
            ("sram_bytes", sram_bytes),
            ("utilization", utilization),
            ("flops", e.flops),
            ("flops_per_s", e.flops_per_s()),
            ("tokens_per_s", tokens / latency_s),
            ("tokens_per_j", tokens / energy_j),
            ("ttft_s", f64::NAN),
            ("fidelity_level", f64::from(e.fidelity.level())),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// The metric names kernel workloads give.
pub const METRICS: [&str; 16] = [
    "latency_s",
    "cycles",
    "compute_cycles",
    "roofline_cycles",
    "energy_j",
    "edp_js",
    "power_w",
    "dram_bytes",
    "sram_bytes",
    "utilization",
    "flops",
    "flops_per_s",
    "tokens_per_s",
    "tokens_per_j",
    "ttft_s",
    "fidelity_level",
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn table(s: &str) -> Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn unknown_key_names_the_closest() {
        let e =
            KernelWork::parse(&table("kind='kernel'\nop='gemm'\nm=1\nk=2\nn=3\nmm=4")).unwrap_err();
        assert!(
            e.contains("workload.mm") && e.contains("did you mean `m`"),
            "{e}"
        );
        // A key of another op is refused for this op.
        let e = KernelWork::parse(&table("op='gemv'\nk=2\nn=3\nm=4")).unwrap_err();
        assert!(e.contains("workload.m: not a key of a gemv kernel"), "{e}");
        let e = KernelWork::parse(&table("op='gem'\nk=2\nn=3")).unwrap_err();
        assert!(e.contains("did you mean `gemm`"), "{e}");
        let e = KernelWork::parse(&table("op='gemm'\nm=1\nk=2\nn=3\ndtype='fp61'")).unwrap_err();
        assert!(e.contains("workload.dtype") && e.contains("fp16"), "{e}");
        let e = KernelWork::parse(&table("op='gemm'\nk=2\nn=3")).unwrap_err();
        assert!(e.contains("workload.m: missing"), "{e}");
    }

    #[test]
    fn values_are_typed_and_the_work_follows_the_keys() {
        let e = KernelWork::parse(&table("op='gemm'\nm=0\nk=2\nn=3")).unwrap_err();
        assert!(e.contains("workload.m: expected an integer ≥ 1"), "{e}");
        let w = KernelWork::parse(&table("op='gemm'\nm=64.0\nk=2\nn=3\ndtype='bf16'")).unwrap();
        assert_eq!(
            w.work(DType::Int8).unwrap(),
            Work::Gemm {
                m: 64,
                k: 2,
                n: 3,
                act: DType::Bf16,
                weight: DType::Bf16
            }
        );
        let q = KernelWork::parse(&table("op='qgemv'\nk=4096\nn=4096\nweight_bits=3")).unwrap();
        assert_eq!(
            q.work(DType::Int8).unwrap(),
            Work::QuantGemm {
                m: 1,
                k: 4096,
                n: 4096,
                act: DType::Fp16,
                weight_bits: 3,
                group_size: 128,
                fused_dequant: true
            }
        );
        // An attention-shaped softmax: 2 sequences × 32 heads × 128 queries = 8192 rows.
        let s = KernelWork::parse(&table(
            "op='softmax'\nrows=128\nlen=128\nbatch=2\nheads=32\ninteger=true",
        ))
        .unwrap();
        assert_eq!(
            s.work(DType::Fp16).unwrap(),
            Work::Softmax {
                rows: 8192,
                len: 128,
                dtype: DType::Fp16,
                integer: true
            }
        );
        let e = KernelWork::parse(&table("op='gemm'\nm=1\nk=2\nn=3\ntile_m=1")).unwrap_err();
        assert!(e.contains("all three"), "{e}");
    }
}
