//! Reading a measured-kernel CSV (the harness's schema, `validation/README.md`) into
//! [`Case`]s, with errors that name the file and line.
//!
//! Columns are found by name, so extra columns (`source` in `published.csv`) are allowed
//! and order does not matter. Lines starting with `#` are comments. A row whose `error`
//! column is not empty is a failed measurement: it is kept out of the comparison and
//! counted in [`Measured::skipped`].

use std::path::Path;

use anyhow::{Context, bail};
use arch::gpu::DType;
use arch::suggest::closest;

/// The kernel classes of the harness (`kernel_class` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KernelClass {
    /// fp16/bf16 matrix–vector products (`torch.matmul`, m ≤ 16).
    Gemv,
    /// Prefill matrix products.
    Gemm,
    /// Fused dequantise + GEMV of packed low-bit weights.
    Qgemv,
    /// Row softmax over the last dimension.
    Softmax,
    /// Fused causal attention (SDPA) prefill.
    Attention,
    /// Mamba's selective scan (variant in the `op` column).
    Scan,
    /// One decode step of a stack of Llama-style decoder layers.
    DecoderStep,
    /// An element-wise kernel over `m` elements (`op` `add`/`mul`: 2 inputs, else 1).
    Elementwise,
}

impl KernelClass {
    /// Every class, in the harness's order.
    pub const ALL: [KernelClass; 8] = [
        KernelClass::Gemv,
        KernelClass::Gemm,
        KernelClass::Qgemv,
        KernelClass::Softmax,
        KernelClass::Attention,
        KernelClass::Scan,
        KernelClass::DecoderStep,
        KernelClass::Elementwise,
    ];

    /// The name in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            KernelClass::Gemv => "gemv",
            KernelClass::Gemm => "gemm",
            KernelClass::Qgemv => "qgemv",
            KernelClass::Softmax => "softmax",
            KernelClass::Attention => "attention",
            KernelClass::Scan => "scan",
            KernelClass::DecoderStep => "decoder_step",
            KernelClass::Elementwise => "elementwise",
        }
    }

    /// Parses a class name; an unknown one is an error with the closest valid name.
    pub fn parse(s: &str) -> anyhow::Result<KernelClass> {
        match KernelClass::ALL.into_iter().find(|c| c.name() == s) {
            Some(c) => Ok(c),
            None => {
                let names = KernelClass::ALL.map(KernelClass::name);
                let hint = closest(s, names.iter().copied())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                bail!(
                    "unknown kernel_class `{s}`: expected one of {}{hint}",
                    names.join(", ")
                )
            }
        }
    }
}

/// Implementations of the selective scan timed by the harness (`op` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanVariant {
    /// `selective_scan_seq`: one program per channel block walks the sequence, state in
    /// registers (`KernelRequest::SelectiveScan`).
    Sequential,
    /// `selective_scan_assoc`: chunks of time steps solved by an associative scan
    /// (`KernelRequest::SelectiveScanChunked`).
    Associative,
    /// `selective_scan_step`: one decode update of a state kept in memory
    /// (`KernelRequest::SelectiveScanStep`).
    Step,
}

/// How a row was timed (`timing` column; empty means `isolated`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// `isolated`: one kernel between two events (the harness), or a kernel's own duration
    /// (profilers): the kernel pays a whole launch (`launch_overhead_us`).
    Isolated,
    /// `stream`: the average of many kernels replayed back to back (a CUDA graph of
    /// repeats): each pays `stream_launch_overhead_us` instead.
    Stream,
}

/// Whether a decoder step ran eagerly (one host launch per kernel) or as a CUDA graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchMode {
    /// PyTorch eager: the host issues every kernel.
    Eager,
    /// One CUDA-graph replay: no host work between kernels.
    CudaGraph,
}

/// One measured case. Shape fields are 0 where the CSV leaves them empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Line of the row in its file (1-based), for messages.
    pub line: u64,
    /// `case_id`.
    pub id: String,
    /// `kernel_class`.
    pub class: KernelClass,
    /// `op`.
    pub op: String,
    /// `dtype` (activation type).
    pub dtype: DType,
    /// `weight_bits` (qgemv).
    pub weight_bits: u32,
    /// `group_size` (qgemv).
    pub group_size: u64,
    /// `batch`.
    pub batch: u64,
    /// `m`.
    pub m: u64,
    /// `n`.
    pub n: u64,
    /// `k`.
    pub k: u64,
    /// `seq_len`.
    pub seq_len: u64,
    /// `heads`.
    pub heads: u64,
    /// `kv_heads`.
    pub kv_heads: u64,
    /// `head_dim`.
    pub head_dim: u64,
    /// `d_state`.
    pub d_state: u64,
    /// `d_inner`.
    pub d_inner: u64,
    /// `layers`.
    pub layers: u64,
    /// `median_us`: the measured time, µs.
    pub measured_us: f64,
    /// `device`: the GPU it ran on (a preset name where the file is meant for `--arch`-less
    /// runs).
    pub device: String,
    /// `source` (published data), else empty.
    pub source: String,
    /// `timing`.
    pub timing: Timing,
}

impl Case {
    /// The scan implementation (scan rows only).
    pub fn scan_variant(&self) -> Option<ScanVariant> {
        match self.op.as_str() {
            "selective_scan_seq" => Some(ScanVariant::Sequential),
            "selective_scan_assoc" => Some(ScanVariant::Associative),
            "selective_scan_step" => Some(ScanVariant::Step),
            _ => None,
        }
    }

    /// Eager or CUDA graph (decoder rows only): an `op` ending in `_cudagraph` is a graph.
    pub fn launch_mode(&self) -> LaunchMode {
        if self.op.ends_with("_cudagraph") {
            LaunchMode::CudaGraph
        } else {
            LaunchMode::Eager
        }
    }
}

/// The good rows of one file.
#[derive(Clone, Debug)]
pub struct Measured {
    /// The file, as given.
    pub file: String,
    /// Rows with a measurement, in file order.
    pub cases: Vec<Case>,
    /// Rows with a non-empty `error` (failed measurements), left out.
    pub skipped: usize,
}

/// Columns every file must have.
const REQUIRED: [&str; 5] = ["case_id", "kernel_class", "dtype", "median_us", "device"];

/// Shape columns each class needs (non-empty, positive integers).
fn needed(class: KernelClass) -> &'static [&'static str] {
    match class {
        KernelClass::Gemv | KernelClass::Gemm => &["m", "n", "k"],
        KernelClass::Qgemv => &["m", "n", "k", "weight_bits", "group_size"],
        KernelClass::Softmax => &["m", "n"],
        KernelClass::Attention => &["batch", "seq_len", "heads", "kv_heads", "head_dim"],
        KernelClass::Scan => &["batch", "seq_len", "d_inner", "d_state"],
        KernelClass::DecoderStep => &[
            "batch", "seq_len", "heads", "kv_heads", "head_dim", "layers", "k", "n",
        ],
        KernelClass::Elementwise => &["m"],
    }
}

/// Reads `path` (see the module docs).
pub fn read(path: &Path) -> anyhow::Result<Measured> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading measured data `{}`", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// The 1-based line of the record that the reader places at byte `byte` of `text`.
///
/// `csv::Position::line` counts a CRLF pair oddly (a row of a CRLF file is reported one
/// line too low), and the harness writes CRLF (Python's `csv` default), so the line is
/// counted here from the byte offset: one more than the `\n`s before it, the same for LF
/// and CRLF files. The reader's offset of a record that follows comment (`#`) or blank
/// lines is where those lines start, so they are stepped over.
fn line_at(text: &str, byte: u64) -> u64 {
    let mut at = usize::try_from(byte).map_or(text.len(), |b| b.min(text.len()));
    let mut line = text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1;
    while let Some(rest) = text.get(at..) {
        let skip = rest.starts_with('#') || rest.starts_with('\n') || rest.starts_with("\r\n");
        match rest.find('\n') {
            Some(nl) if skip => {
                at += nl + 1;
                line += 1;
            }
            _ => break,
        }
    }
    line
}

/// Parses CSV `text`; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> anyhow::Result<Measured> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .with_context(|| format!("{file}: reading the header"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for r in REQUIRED {
        if col(r).is_none() {
            let hint = closest(r, headers.iter())
                .map(|c| format!(" (found `{c}`)"))
                .unwrap_or_default();
            bail!("{file}: the header has no `{r}` column{hint}");
        }
    }
    let mut cases = Vec::new();
    let mut skipped = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| match e.kind() {
            csv::ErrorKind::UnequalLengths {
                pos: Some(pos),
                expected_len,
                len,
            } => anyhow::anyhow!(
                "{file}:{}: malformed row: {len} fields, but the header has {expected_len}",
                line_at(text, pos.byte())
            ),
            _ => anyhow::anyhow!("{file}: malformed CSV: {e}"),
        })?;
        let line = rec.position().map_or(0, |p| line_at(text, p.byte()));
        let get = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
        let at = || format!("{file}:{line} (case `{}`)", get("case_id"));
        if !get("error").is_empty() {
            skipped += 1;
            continue;
        }
        let class = KernelClass::parse(get("kernel_class")).with_context(at)?;
        let dtype = DType::parse(get("dtype"))
            .map_err(anyhow::Error::from)
            .with_context(at)?;
        let int = |name: &str| -> anyhow::Result<u64> {
            let s = get(name);
            if s.is_empty() {
                return Ok(0);
            }
            s.parse::<u64>()
                .map_err(|_| anyhow::anyhow!("column `{name}`: expected a whole number, got `{s}`"))
        };
        for name in needed(class) {
            let v = int(name).with_context(at)?;
            if v == 0 {
                return Err(anyhow::anyhow!(
                    "a {} row needs a positive `{name}`, got `{}`",
                    class.name(),
                    get(name)
                ))
                .with_context(at);
            }
        }
        let measured_us = get("median_us")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "column `median_us`: expected a positive time in µs, got `{}`",
                    get("median_us")
                )
            })
            .with_context(at)?;
        let u32_of = |name: &str| -> anyhow::Result<u32> {
            u32::try_from(int(name)?).map_err(|_| anyhow::anyhow!("column `{name}` is too large"))
        };
        let timing = match get("timing") {
            "" | "isolated" => Timing::Isolated,
            "stream" => Timing::Stream,
            other => bail!(
                "{}: column `timing`: expected `isolated` or `stream`, got `{other}`",
                at()
            ),
        };
        let case = Case {
            line,
            timing,
            id: get("case_id").to_string(),
            class,
            op: get("op").to_string(),
            dtype,
            weight_bits: u32_of("weight_bits").with_context(at)?,
            group_size: int("group_size").with_context(at)?,
            batch: int("batch").with_context(at)?,
            m: int("m").with_context(at)?,
            n: int("n").with_context(at)?,
            k: int("k").with_context(at)?,
            seq_len: int("seq_len").with_context(at)?,
            heads: int("heads").with_context(at)?,
            kv_heads: int("kv_heads").with_context(at)?,
            head_dim: int("head_dim").with_context(at)?,
            d_state: int("d_state").with_context(at)?,
            d_inner: int("d_inner").with_context(at)?,
            layers: int("layers").with_context(at)?,
            measured_us,
            device: get("device").to_string(),
            source: get("source").to_string(),
        };
        if class == KernelClass::Attention
            && !matches!(
                case.op.as_str(),
                "" | "sdpa_causal_prefill" | "sdpa_prefill" | "sdpa_decode"
            )
        {
            bail!(
                "{}: attention `op` must be sdpa_causal_prefill, sdpa_prefill or sdpa_decode, \
                 got `{}`",
                at(),
                case.op
            );
        }
        if class == KernelClass::Scan && case.scan_variant().is_none() {
            bail!(
                "{}: scan `op` must be selective_scan_seq, selective_scan_assoc or \
                 selective_scan_step, got `{}`",
                at(),
                case.op
            );
        }
        if cases.iter().any(|c: &Case| c.id == case.id) {
            bail!("{}: case_id `{}` appears twice", at(), case.id);
        }
        cases.push(case);
    }
    if cases.is_empty() {
        bail!("{file}: no measured rows (every row is empty or has an error)");
    }
    Ok(Measured {
        file: file.to_string(),
        cases,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEAD: &str = "case_id,kernel_class,op,dtype,m,n,k,median_us,device,error\n";

    #[test]
    fn reads_rows_and_skips_errors() {
        let t = format!(
            "{HEAD}a,gemv,,fp16,1,64,64,3.5,rtx-3090,\nb,gemv,,fp16,1,64,64,,rtx-3090,oom\n"
        );
        let m = parse(&t, "x.csv").unwrap();
        assert_eq!(m.cases.len(), 1);
        assert_eq!(m.skipped, 1);
        assert_eq!(m.cases[0].line, 2);
        assert_eq!((m.cases[0].n, m.cases[0].k), (64, 64));
    }

    #[test]
    fn errors_name_the_line() {
        let t = format!("{HEAD}a,gemv,,fp16,1,64,64,3.5,d,\nb,gemw,,fp16,1,64,64,3.5,d,\n");
        let e = format!("{:#}", parse(&t, "x.csv").unwrap_err());
        assert!(
            e.contains("x.csv:3") && e.contains("did you mean `gemv`"),
            "{e}"
        );
        let t = format!("{HEAD}a,gemm,,fp16,1,sixty,64,3.5,d,\n");
        let e = format!("{:#}", parse(&t, "x.csv").unwrap_err());
        assert!(e.contains("x.csv:2") && e.contains("`n`"), "{e}");
    }

    #[test]
    fn crlf_files_name_the_same_lines_as_lf_files() {
        // Header on line 1, a comment on line 2, `a` on line 3, a blank line 4, `b` on
        // line 5 — whatever the line ending.
        for eol in ["\n", "\r\n"] {
            let t = format!(
                "{}#note{eol}a,gemv,,fp16,1,64,64,3.5,d,{eol}{eol}b,gemv,,fp16,1,64,64,abc,d,{eol}",
                HEAD.replace('\n', eol)
            );
            let e = format!("{:#}", parse(&t, "x.csv").unwrap_err());
            assert!(e.contains("x.csv:5 (case `b`)"), "{eol:?}: {e}");
            let ok = t.replace("abc", "2");
            let m = parse(&ok, "x.csv").unwrap();
            assert_eq!((m.cases[0].line, m.cases[1].line), (3, 5), "{eol:?}");
            let ragged = format!("{}a,gemv{eol}", HEAD.replace('\n', eol));
            let e = format!("{:#}", parse(&ragged, "x.csv").unwrap_err());
            assert!(e.contains("x.csv:2: malformed row"), "{eol:?}: {e}");
        }
    }
}
