//! `silica reproduce`: the seed papers' claims, re-derived by simulation.
//!
//! Each reproduction runs its sweep spec (`sweeps/specs/<name>*.toml`) through the same
//! evaluator as `silica sweep` (so every point is an ordinary, inspectable sweep row),
//! derives the paper's figures from the rows, and returns [`Claim`]s — the paper's figure,
//! the simulated one, their ratio and the tolerance band the tests assert — plus the
//! plots that correspond to the paper's figures and the findings that explain any gap.
//! `silica reproduce all --markdown REPRODUCTION.md --plots-dir docs/reproduction`
//! regenerates the repository's `REPRODUCTION.md` and its committed plots.

pub mod claims;
pub mod cskv;
pub mod draw;
pub mod framefusion;
pub mod marca;
pub mod mbq;
pub mod rows;
pub mod softmap;
pub mod survey;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use sweeps::{RunOptions, Spec, run_sweep};

pub use claims::{Check, Claim};

use crate::eval::SilicaEvaluator;

/// Where and how a reproduction runs.
#[derive(Clone, Debug)]
pub struct Context {
    /// Folder for this reproduction's sweeps and plots (created if missing).
    pub out_dir: PathBuf,
    /// Worker threads for the sweeps (0: rayon's default).
    pub threads: usize,
    /// Keep the results of an earlier run in `out_dir` and only complete them.
    pub resume: bool,
    /// Show sweep progress.
    pub progress: bool,
}

/// What a reproduction found.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Short name (`marca`, `softmap`, …).
    pub name: String,
    /// Section title.
    pub title: String,
    /// The command that regenerates it.
    pub command: String,
    /// Paper figure vs simulated figure, one per claim.
    pub claims: Vec<Claim>,
    /// Further tables printed after the claims (e.g. every preset's figures).
    pub tables: Vec<Captioned>,
    /// Plot files written (PNG), each the equivalent of a paper figure.
    pub plots: Vec<PathBuf>,
    /// What matched, what did not, and which assumption explains each gap.
    pub findings: Vec<String>,
    /// Parameters the paper leaves out, how they were modelled (and the spec axis that
    /// shows their effect).
    pub assumptions: Vec<String>,
}

/// A table beside the claims, with its caption (serialised as its Markdown text).
#[derive(Clone, Debug, Serialize)]
pub struct Captioned {
    /// One line above the table.
    pub caption: String,
    /// The table.
    #[serde(serialize_with = "as_markdown")]
    pub table: reports::TextTable,
}

fn as_markdown<S: serde::Serializer>(t: &reports::TextTable, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_markdown())
}

impl Outcome {
    /// Whether every asserted claim passes.
    pub fn passes(&self) -> bool {
        self.claims.iter().all(Claim::passes)
    }

    /// The claims that miss their band.
    pub fn misses(&self) -> Vec<&Claim> {
        self.claims.iter().filter(|c| !c.passes()).collect()
    }
}

/// A registered reproduction.
pub struct Reproduction {
    /// Short name, used on the command line.
    pub name: &'static str,
    /// Paper and claim, one line.
    pub title: &'static str,
    /// Runs it.
    pub run: fn(&Context) -> Result<Outcome>,
}

/// Every reproduction, in the order of `REPRODUCTION.md`.
pub fn all() -> Vec<Reproduction> {
    vec![
        Reproduction {
            name: "marca",
            title: "MARCA (ICCAD'24): Mamba accelerator vs Xeon 8358P and A100",
            run: marca::run,
        },
        Reproduction {
            name: "survey",
            title: "The survey: LLM decode across CPU/GPU/FPGA/ASIC/PIM (arXiv 2410.04466)",
            run: survey::run,
        },
        Reproduction {
            name: "softmap",
            title: "SoftmAP: integer softmax on an associative processor vs A100 / RTX 3090",
            run: softmap::run,
        },
        Reproduction {
            name: "mbq",
            title: "MBQ: W3/W4 fused-dequant GEMV on LLaVA-OneVision-7B (RTX 4090, PE array)",
            run: mbq::run,
        },
        Reproduction {
            name: "cskv",
            title: "CSKV: channel shrinking for the KV cache (arXiv 2409.10593)",
            run: cskv::run,
        },
        Reproduction {
            name: "framefusion",
            title: "FrameFusion: 70 % fewer vision tokens, 3.4–4.4× LLM and 1.6–3.6× end-to-end speed-up",
            run: framefusion::run,
        },
    ]
}

/// The path of a shipped spec, `sweeps/specs/<file>`: in the checkout the binary was built
/// from, or else under the current folder.
pub fn spec_path(file: &str) -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sweeps/specs")
        .join(file);
    if built.exists() {
        built
    } else {
        Path::new("sweeps/specs").join(file)
    }
}

/// Runs the sweep spec `file` (in `sweeps/specs/`) into `ctx.out_dir/<sub>` and returns
/// its results table (every row, including error and skipped ones: filter on `status`).
pub fn run_spec(ctx: &Context, file: &str, sub: &str) -> Result<reports::Table> {
    let path = spec_path(file);
    let spec = Spec::from_file(&path).with_context(|| format!("reading {}", path.display()))?;
    let evaluator = SilicaEvaluator::new(spec.dir());
    let out = ctx.out_dir.join(sub);
    if !ctx.resume && out.exists() {
        std::fs::remove_dir_all(&out)
            .with_context(|| format!("clearing an earlier run in {}", out.display()))?;
    }
    let options = RunOptions {
        threads: ctx.threads,
        resume: ctx.resume,
        shard: None,
        progress: ctx.progress,
    };
    run_sweep(&spec, &evaluator, &out, &options)
        .with_context(|| format!("sweep {} into {}", path.display(), out.display()))?;
    let csv = out.join("results.csv");
    reports::Table::from_csv_path(&csv).with_context(|| format!("reading {}", csv.display()))
}

/// Finds a registered reproduction by name, with the closest names on a miss.
pub fn find(name: &str) -> Result<Reproduction> {
    let list = all();
    let names: Vec<&str> = list.iter().map(|r| r.name).collect();
    match list.into_iter().find(|r| r.name == name) {
        Some(r) => Ok(r),
        None => {
            let hint = arch::suggest::closest(name, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            bail!(
                "unknown reproduction `{name}`{hint}; valid: all, {}",
                names.join(", ")
            )
        }
    }
}

/// One reproduction's section of `REPRODUCTION.md`; plot paths are written relative to
/// `md_dir` (the folder of the Markdown file).
pub fn markdown_section(o: &Outcome, md_dir: &Path) -> String {
    let mut s = format!("## {}\n\n", o.title);
    s.push_str(&format!("Regenerate: `{}`\n\n", o.command));
    s.push_str(&claims::markdown_table(&o.claims));
    s.push('\n');
    for t in &o.tables {
        s.push_str(&format!("**{}**\n\n{}\n", t.caption, t.table.to_markdown()));
    }
    for p in &o.plots {
        let rel = p.strip_prefix(md_dir).unwrap_or(p);
        s.push_str(&format!("![{}]({})\n\n", o.name, rel.display()));
    }
    if !o.findings.is_empty() {
        s.push_str("**What matched and what did not**\n\n");
        for f in &o.findings {
            s.push_str(&format!("- {f}\n"));
        }
        s.push('\n');
    }
    if !o.assumptions.is_empty() {
        s.push_str("**Modelled from first principles (not published)**\n\n");
        for a in &o.assumptions {
            s.push_str(&format!("- {a}\n"));
        }
        s.push('\n');
    }
    let notes: Vec<&Claim> = o.claims.iter().filter(|c| !c.note.is_empty()).collect();
    if !notes.is_empty() {
        s.push_str("**Notes on the claims**\n\n");
        for c in notes {
            s.push_str(&format!("- *{}*: {}\n", c.what, c.note));
        }
        s.push('\n');
    }
    s
}
