//! `kind = "kernel"` workloads: one GEMM, GEMV, element-wise or softmax kernel through
//! `arch::kernel` (level 2 by default, level 3 with `level = 3`).
//!
//! Keys (`[base.workload]` or `workload.<key>` axes):
//!
//! | key | ops | what |
//! | --- | --- | --- |
//! | `kind` | all | `"kernel"` |
//! | `op` | all | `gemm`, `gemv`, `elementwise`, `softmax` |
//! | `m`, `k`, `n` | gemm | `C[m×n] = A[m×k]·B[k×n]` |
//! | `k`, `n` | gemv | `y[1×n] = x[1×k]·W[k×n]` |
//! | `n`, `function` | elementwise | `n` elements of `mul`, `add`, `exp` or `silu` |
//! | `rows`, `len` | softmax | `rows` rows of `len` elements |
//! | `dataflow` | gemm, gemv | force `os`, `ws` or `is` |
//! | `tile_m`, `tile_k`, `tile_n` | gemm | a tiling (all three; default: the largest that fits) |
//! | `dtype` | gemm, gemv | `int4`, `int8`, `int16`, `fp8`, `fp16`, `bf16`, `fp32`: sets `pe_array.operand_bits` and `pe_array.arithmetic` (explicit `arch.` overrides win) |
//! | `level` | all | 2 (tile events, default) or 3 (roofline) |
//!
//! Metrics: `latency_s`, `cycles`, `compute_cycles`, `roofline_cycles`, `energy_j`,
//! `edp_js`, `power_w` (energy ÷ latency), `dram_bytes` (read + written), `sram_bytes`,
//! `utilization`, `macs`, `flops_per_s` (2·MACs or element ops ÷ latency),
//! `fidelity_level`; `tokens_per_s` and `tokens_per_j` count the `m` rows of a GEMM (1
//! for a GEMV) as tokens and are NaN for element-wise and softmax; `ttft_s` is NaN.

use std::collections::BTreeMap;

use arch::Platform;
use arch::kernel::{
    Fidelity, GemmOptions, GemmTiling, KernelReport, run_elementwise, run_gemm, run_gemv,
    run_softmax,
};
use arch::nonlinear::ElementwiseOp;
use arch::pe_array::{Dataflow, GemmShape};
use toml::{Table, Value};

use super::keys::Keys;

/// Kernel operations.
const OPS: [&str; 4] = ["gemm", "gemv", "elementwise", "softmax"];
/// Element types `dtype` takes: (name, operand bits, arithmetic).
const DTYPES: [(&str, i64, &str); 7] = [
    ("int4", 4, "int"),
    ("int8", 8, "int"),
    ("int16", 16, "int"),
    ("fp8", 8, "fp"),
    ("fp16", 16, "fp"),
    ("bf16", 16, "fp"),
    ("fp32", 32, "fp"),
];

/// What to run.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Gemm {
        shape: GemmShape,
        tiling: Option<GemmTiling>,
    },
    Gemv {
        k: u64,
        n: u64,
    },
    Elementwise {
        n: u64,
        function: ElementwiseOp,
    },
    Softmax {
        rows: u64,
        len: u64,
    },
}

/// A parsed kernel workload.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelWork {
    op: Op,
    dataflow: Option<Dataflow>,
    fidelity: Fidelity,
    /// Overrides `dtype` implies, applied before the point's own `arch.` overrides.
    pub dtype_overrides: Vec<(String, Value)>,
}

impl KernelWork {
    /// Parses and checks the workload table (every key known to the op, values typed).
    pub fn parse(table: &Table) -> Result<KernelWork, String> {
        let probe = Keys::new(table, "workload", "a kernel workload", &all_keys())?;
        let op = probe
            .choice("op", &OPS)?
            .ok_or_else(|| format!("workload.op: missing; expected one of {}", OPS.join(", ")))?;
        let common = ["kind", "op", "level"];
        let own: &[&str] = match op {
            "gemm" => &[
                "m", "k", "n", "dataflow", "dtype", "tile_m", "tile_k", "tile_n",
            ],
            "gemv" => &["k", "n", "dataflow", "dtype"],
            "elementwise" => &["n", "function"],
            _ => &["rows", "len"],
        };
        let allowed: Vec<&str> = common.iter().chain(own).copied().collect();
        let keys = Keys::new(table, "workload", &format!("a {op} kernel"), &allowed)?;
        let op = match op {
            "gemm" => {
                let shape = GemmShape::new(
                    keys.req_uint("m", 1)?,
                    keys.req_uint("k", 1)?,
                    keys.req_uint("n", 1)?,
                );
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
                    _ => {
                        return Err(
                            "workload.tile_m/tile_k/tile_n: set all three or none".to_string()
                        );
                    }
                };
                Op::Gemm { shape, tiling }
            }
            "gemv" => Op::Gemv {
                k: keys.req_uint("k", 1)?,
                n: keys.req_uint("n", 1)?,
            },
            "elementwise" => {
                let f = keys.req_str("function", "mul, add, exp or silu")?;
                Op::Elementwise {
                    n: keys.req_uint("n", 1)?,
                    function: ElementwiseOp::parse(f)
                        .map_err(|e| format!("workload.function: {e}"))?,
                }
            }
            _ => Op::Softmax {
                rows: keys.req_uint("rows", 1)?,
                len: keys.req_uint("len", 1)?,
            },
        };
        let dataflow = keys
            .str("dataflow")?
            .map(|s| Dataflow::parse(s).map_err(|e| format!("workload.dataflow: {e}")))
            .transpose()?;
        let fidelity = match keys.uint("level", 0)? {
            None | Some(2) => Fidelity::TileEvents,
            Some(3) => Fidelity::Roofline,
            Some(l) => {
                return Err(format!(
                    "workload.level: {l}; expected 2 (tile events) or 3 (roofline)"
                ));
            }
        };
        let names: Vec<&'static str> = DTYPES.iter().map(|d| d.0).collect();
        let dtype_overrides = match keys.choice("dtype", &names)? {
            None => Vec::new(),
            Some(name) => {
                let (_, bits, arith) = DTYPES.iter().find(|d| d.0 == name).copied().unwrap_or(
                    DTYPES[1], // unreachable: `choice` returned one of the names
                );
                vec![
                    ("pe_array.operand_bits".to_string(), Value::Integer(bits)),
                    (
                        "pe_array.arithmetic".to_string(),
                        Value::String(arith.to_string()),
                    ),
                ]
            }
        };
        Ok(KernelWork {
            op,
            dataflow,
            fidelity,
            dtype_overrides,
        })
    }

    /// Runs the kernel on `platform`.
    pub fn run(&self, platform: &Platform) -> Result<KernelReport, String> {
        let opts = |tiling| GemmOptions {
            dataflow: self.dataflow,
            tiling,
            fidelity: self.fidelity,
        };
        let r = match &self.op {
            Op::Gemm { shape, tiling } => run_gemm(platform, *shape, &opts(*tiling)),
            Op::Gemv { k, n } => run_gemv(platform, *k, *n, &opts(None)),
            Op::Elementwise { n, function } => {
                run_elementwise(platform, *n, *function, self.fidelity)
            }
            Op::Softmax { rows, len } => run_softmax(platform, *rows, *len, self.fidelity),
        };
        r.map_err(|e| e.to_string())
    }

    /// Tokens a run processes: the `m` rows of a GEMM, 1 for a GEMV, none otherwise.
    fn tokens(&self) -> Option<f64> {
        match self.op {
            Op::Gemm { shape, .. } => Some(shape.m as f64),
            Op::Gemv { .. } => Some(1.0),
            _ => None,
        }
    }

    /// The metrics of a report (see the module docs).
    pub fn metrics(&self, r: &KernelReport) -> BTreeMap<String, f64> {
        let latency_s = r.seconds;
        let energy_j = r.energy_pj * 1e-12;
        let ops = if r.macs > 0 {
            2.0 * r.macs as f64
        } else {
            r.elements as f64
        };
        let tokens = self.tokens().unwrap_or(f64::NAN);
        let pairs = [
            ("latency_s", latency_s),
            ("cycles", r.total_cycles as f64),
            ("compute_cycles", r.compute_cycles as f64),
            ("roofline_cycles", r.roofline_cycles as f64),
            ("energy_j", energy_j),
            ("edp_js", energy_j * latency_s),
            ("power_w", energy_j / latency_s),
            (
                "dram_bytes",
                (r.dram_bytes_read + r.dram_bytes_written) as f64,
            ),
            (
                "sram_bytes",
                (r.sram_bytes_read + r.sram_bytes_written) as f64,
            ),
            ("utilization", r.utilization),
            ("macs", r.macs as f64),
            ("flops_per_s", ops / latency_s),
            ("tokens_per_s", tokens / latency_s),
            ("tokens_per_j", tokens / energy_j),
            ("ttft_s", f64::NAN),
            ("fidelity_level", f64::from(r.fidelity_level)),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// Every key any kernel op takes (the first check, before the op is known).
fn all_keys() -> Vec<&'static str> {
    vec![
        "kind", "op", "level", "m", "k", "n", "dataflow", "dtype", "tile_m", "tile_k", "tile_n",
        "function", "rows", "len",
    ]
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
    "macs",
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
    }

    #[test]
    fn values_are_typed_and_dtype_sets_the_operand() {
        let e = KernelWork::parse(&table("op='gemm'\nm=0\nk=2\nn=3")).unwrap_err();
        assert!(e.contains("workload.m: expected an integer ≥ 1"), "{e}");
        let w = KernelWork::parse(&table("op='gemm'\nm=64.0\nk=2\nn=3\ndtype='bf16'")).unwrap();
        assert_eq!(
            w.op,
            Op::Gemm {
                shape: GemmShape::new(64, 2, 3),
                tiling: None
            }
        );
        assert_eq!(
            w.dtype_overrides,
            vec![
                ("pe_array.operand_bits".to_string(), Value::Integer(16)),
                (
                    "pe_array.arithmetic".to_string(),
                    Value::String("fp".into())
                )
            ]
        );
        let e = KernelWork::parse(&table("op='gemm'\nm=1\nk=2\nn=3\ntile_m=1")).unwrap_err();
        assert!(e.contains("all three"), "{e}");
    }
}
