//! Sweep specs: parsed from TOML, checked all at once, expanded lazily into points.
//!
//! See `sweeps/README.md` for the format with annotated examples. In short:
//!
//! ```toml
//! seed = 7
//! metrics = ["latency_s", "energy_j", "area_mm2"]
//! constraints = ["arch.pe_array.rows * arch.pe_array.cols <= 65536"]
//! metric_constraints = ["area_mm2 <= 400"]
//!
//! [base]
//! arch = "marca"                       # preset name or file (relative to this file)
//! [base.arch_set]
//! "dram.kind" = "HBM2e"                # overrides on every point
//! [base.workload]
//! model = "llama-2-7b"
//! phase = "decode"
//!
//! [[axis]]                              # grid axes: Cartesian product, first slowest
//! key = "arch.pe_array.rows"
//! values = [32, 64, 128]
//! [[axis]]
//! key = "arch.global_buffer.size_kib"
//! geometric = { start = 256, stop = 4096, factor = 2 }
//!
//! [[objective]]
//! metric = "latency_s"
//! sense = "minimize"
//! ```

mod axes;
mod constraints;
mod design;
mod locate;
mod origin;
pub mod raw;
mod slurm;

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use self::axes::{AxisDef, Domain, parse_axis};
use self::constraints::{Compiled, Scope, compile};
use self::design::{Design, grid_rows, sample_rows, zip_rows};
use self::locate::{KeyPath, Locator, path};
use self::origin::Origin;
use self::raw::{DEFAULT_SEED, RawSpec};
pub use self::raw::{Objective, Plot, PlotKind, SampleMethod, Sense, SlurmDefaults};
use crate::SweepError;
use crate::point::{ResolvedPoint, resolve};
use crate::results::FIXED_COLUMNS;

/// A checked sweep spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    raw: RawSpec,
    file: String,
    dir: Option<PathBuf>,
    seed: u64,
    arch_set: Vec<(String, Value)>,
    design: Design,
    constraints: Vec<Compiled>,
    metric_constraints: Vec<Compiled>,
    canonical: String,
    hash: String,
    origins: Vec<Origin>,
}

/// What a constraint check decided for a point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Every constraint holds.
    Pass,
    /// This constraint (its text) does not hold.
    Fail(String),
}

impl Spec {
    /// Reads and checks the spec in `path`.
    pub fn from_file(path: &Path) -> Result<Spec, SweepError> {
        let text = std::fs::read_to_string(path).map_err(|e| SweepError::io(path, &e))?;
        let mut spec = Spec::parse(&text, &path.display().to_string())?;
        spec.dir = path.parent().map(Path::to_path_buf);
        Ok(spec)
    }

    /// Parses and checks spec text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Spec, SweepError> {
        let loc = Locator::new(file, text);
        let mut raw: RawSpec = toml::from_str(text).map_err(|e| loc.toml_error(&e))?;
        let seed = raw.seed.unwrap_or(DEFAULT_SEED);
        raw.seed = Some(seed);
        if let Some(s) = &mut raw.sample {
            s.seed = Some(s.seed.unwrap_or(seed));
        }
        check_metrics(&loc, &raw)?;
        if raw.base.arch.trim().is_empty() {
            return Err(loc.error(
                &path("base").key("arch"),
                "expected a preset name or a file",
            ));
        }
        let mut arch_set = Vec::new();
        flatten("", &raw.base.arch_set, &mut arch_set);
        let design = build_design(&loc, &raw)?;
        let origins = origin::origins(&loc, &raw);
        let mut scope = Scope {
            axes: &design.columns,
            arch_set: &arch_set,
            workload: &raw.base.workload,
            metrics: &[],
        };
        let constraints = compile_all(&loc, "constraints", &raw.constraints, &scope)?;
        scope.metrics = &raw.metrics;
        let metric_constraints =
            compile_all(&loc, "metric_constraints", &raw.metric_constraints, &scope)?;
        check_objectives_and_plots(&loc, &raw, &design.columns)?;
        slurm::check(&loc, &mut raw)?;
        let canonical = toml::to_string(&raw).map_err(|e| SweepError::Spec {
            file: file.to_string(),
            line_col: None,
            key: None,
            message: format!("cannot write the resolved spec: {e}"),
            suggestion: None,
        })?;
        // The hash covers what decides the rows: not the name, objectives, plots or Slurm
        // settings, so those may be edited between a run and its resume or merge.
        let rows_part = RawSpec {
            name: None,
            objective: Vec::new(),
            plot: Vec::new(),
            slurm: None,
            ..raw.clone()
        };
        let hash = format!(
            "{:016x}",
            fnv1a64(toml::to_string(&rows_part).unwrap_or_default().as_bytes())
        );
        let spec = Spec {
            raw,
            file: file.to_string(),
            dir: None,
            seed,
            arch_set,
            design,
            constraints,
            metric_constraints,
            canonical,
            hash,
            origins,
        };
        // Every point sets the same keys, so the first point shows whether the workload
        // overrides apply (`workload.batch.x` when `batch` is a number…).
        spec.point(0).map_err(|m| SweepError::Spec {
            file: file.to_string(),
            line_col: None,
            key: None,
            message: m,
            suggestion: None,
        })?;
        Ok(spec)
    }

    /// Where the spec sets the key that an evaluator's `message` is about (an axis or a
    /// `[base]` key), as `FILE:LINE:COL: axis[0].key = "arch.pe_array.rowz"`; `None` when
    /// the message quotes no key the spec sets.
    pub fn locate(&self, message: &str) -> Option<String> {
        origin::find(&self.origins, message).map(|o| match o.line_col {
            Some((l, c)) => format!("{}:{l}:{c}: {}", self.file, o.place),
            None => format!("{}: {}", self.file, o.place),
        })
    }

    /// The spec's name (`name = …`), if any.
    pub fn name(&self) -> Option<&str> {
        self.raw.name.as_deref()
    }

    /// The file the spec was read from (as given), or the name given to [`Spec::parse`].
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The folder of the spec file: relative architecture paths are relative to it.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The sweep seed (the spec's `seed`, or [`raw::DEFAULT_SEED`]).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of points (including those a constraint will skip).
    pub fn n_points(&self) -> u64 {
        self.design.n_points
    }

    /// Axis keys, one per result column, in order.
    pub fn axis_columns(&self) -> &[String] {
        &self.design.columns
    }

    /// Metric names, one per result column, in order.
    pub fn metrics(&self) -> &[String] {
        &self.raw.metrics
    }

    /// The columns of `results.csv`: `point_id`, `status`, `reason`, the axes, the metrics.
    pub fn header(&self) -> Vec<String> {
        FIXED_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(self.design.columns.iter().cloned())
            .chain(self.raw.metrics.iter().cloned())
            .collect()
    }

    /// Objectives of the Pareto front.
    pub fn objectives(&self) -> &[Objective] {
        &self.raw.objective
    }

    /// Plots to draw at the end.
    pub fn plots(&self) -> &[Plot] {
        &self.raw.plot
    }

    /// The `[slurm]` defaults (checked; `extra` lines without their `#SBATCH` prefix), or
    /// `None` when the spec has no `[slurm]` table.
    pub fn slurm(&self) -> Option<&SlurmDefaults> {
        self.raw.slurm.as_ref()
    }

    /// The base architecture (preset name or file).
    pub fn base_arch(&self) -> &str {
        &self.raw.base.arch
    }

    /// The base workload table.
    pub fn base_workload(&self) -> &Table {
        &self.raw.base.workload
    }

    /// The constraint texts (`constraints`, then `metric_constraints`).
    pub fn constraint_texts(&self) -> (&[String], &[String]) {
        (&self.raw.constraints, &self.raw.metric_constraints)
    }

    /// The resolved spec as TOML: defaults (seeds) explicit, comments and formatting gone.
    /// Written to `spec.toml` in every output folder; parsing it gives the same spec.
    pub fn to_toml(&self) -> &str {
        &self.canonical
    }

    /// 64-bit FNV-1a hash, in hex, of the resolved spec without `name`, objectives and
    /// plots — of what decides the result rows. Shards and resumed runs must agree on it.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The axis values of point `id`, one per [`Spec::axis_columns`] entry.
    pub fn axis_values(&self, id: u64) -> Vec<&Value> {
        self.design.values(id)
    }

    /// Resolves point `id` (`id < n_points`).
    pub fn point(&self, id: u64) -> Result<ResolvedPoint, String> {
        let values = self.design.values(id);
        resolve(
            id,
            self.seed,
            &self.raw.base.arch,
            &self.arch_set,
            &self.raw.base.workload,
            &self.design.columns,
            &values,
        )
    }

    /// Checks the point constraints on axis values.
    pub(crate) fn check_point(&self, values: &[&Value]) -> Result<Verdict, String> {
        check(&self.constraints, values, &[])
    }

    /// Checks the metric constraints on axis values and metric values (spec order).
    pub(crate) fn check_metrics(
        &self,
        values: &[&Value],
        metrics: &[f64],
    ) -> Result<Verdict, String> {
        check(&self.metric_constraints, values, metrics)
    }
}

fn check(cs: &[Compiled], values: &[&Value], metrics: &[f64]) -> Result<Verdict, String> {
    for c in cs {
        if !c.holds(values, metrics)? {
            return Ok(Verdict::Fail(c.text().to_string()));
        }
    }
    Ok(Verdict::Pass)
}

/// 64-bit FNV-1a (Fowler–Noll–Vo): offset basis 0xcbf29ce484222325, prime 0x100000001b3.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Flattens nested tables and quoted dotted keys into `(dotted key, leaf value)`.
fn flatten(prefix: &str, t: &Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(inner) => flatten(&key, inner, out),
            _ => out.push((key, v.clone())),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

fn check_metrics(loc: &Locator<'_>, raw: &RawSpec) -> Result<(), SweepError> {
    if raw.metrics.is_empty() {
        return Err(loc.error(
            &path("metrics"),
            "list at least one metric to record (e.g. `[\"latency_s\", \"energy_j\"]`)",
        ));
    }
    for (i, m) in raw.metrics.iter().enumerate() {
        let p = path("metrics").index(i);
        if !is_identifier(m) {
            return Err(loc.error(
                &p,
                format!("metric `{m}`: use letters, digits and `_`, with units (`latency_s`)"),
            ));
        }
        if raw.metrics[..i].contains(m) {
            return Err(loc.error(&p, format!("metric `{m}` is listed twice")));
        }
    }
    Ok(())
}

fn build_design(loc: &Locator<'_>, raw: &RawSpec) -> Result<Design, SweepError> {
    let mut design = Design::default();
    let mut seen: Vec<(String, KeyPath)> = Vec::new();
    let mut add_keys = |axes: &[AxisDef], paths: Vec<KeyPath>| -> Result<(), SweepError> {
        for (a, p) in axes.iter().zip(paths) {
            check_unique(loc, &seen, &a.key, &p)?;
            seen.push((a.key.clone(), p));
        }
        Ok(())
    };
    let overflow = |p: &KeyPath| loc.error(p, "the sweep has more than 2^64 points");
    for (i, a) in raw.axis.iter().enumerate() {
        let p = path("axis").index(i);
        let def = parse_axis(loc, &p, a, false)?;
        add_keys(std::slice::from_ref(&def), vec![p.key("key")])?;
        if !design.push(vec![def.key.clone()], grid_rows(&def)) {
            return Err(overflow(&p));
        }
    }
    for (z, zip) in raw.zip.iter().enumerate() {
        let zp = path("zip").index(z);
        if zip.axis.is_empty() {
            return Err(loc.error(&zp, "a zip group needs at least one axis"));
        }
        let mut defs = Vec::new();
        let mut paths = Vec::new();
        for (i, a) in zip.axis.iter().enumerate() {
            let p = zp.key("axis").index(i);
            let def = parse_axis(loc, &p, a, false)?;
            let len = |d: &AxisDef| match &d.domain {
                Domain::List(v) => v.len(),
                _ => 0,
            };
            if let Some(first) = defs.first()
                && len(first) != len(&def)
            {
                return Err(loc.error(
                    &p,
                    format!(
                        "zipped axes need equal lengths: `{}` has {}, `{}` has {}",
                        first.key,
                        len(first),
                        def.key,
                        len(&def)
                    ),
                ));
            }
            paths.push(p.key("key"));
            defs.push(def);
        }
        add_keys(&defs, paths)?;
        let keys = defs.iter().map(|d| d.key.clone()).collect();
        if !design.push(keys, zip_rows(&defs)) {
            return Err(overflow(&zp));
        }
    }
    if let Some(s) = &raw.sample {
        let sp = path("sample");
        if s.n == 0 || s.axis.is_empty() {
            return Err(loc.error(
                &sp,
                "sampling needs `n` ≥ 1 and at least one `[[sample.axis]]`",
            ));
        }
        if s.n > axes::MAX_AXIS_VALUES as u64 {
            return Err(loc.error(
                &sp.key("n"),
                format!("at most {} sampled points", axes::MAX_AXIS_VALUES),
            ));
        }
        let mut defs = Vec::new();
        let mut paths = Vec::new();
        for (i, a) in s.axis.iter().enumerate() {
            let p = sp.key("axis").index(i);
            defs.push(parse_axis(loc, &p, a, true)?);
            paths.push(p.key("key"));
        }
        add_keys(&defs, paths)?;
        let keys = defs.iter().map(|d| d.key.clone()).collect();
        let rows = sample_rows(s.method, s.n, s.seed.unwrap_or(DEFAULT_SEED), &defs);
        if !design.push(keys, rows) {
            return Err(overflow(&sp));
        }
    }
    if design.factors.is_empty() {
        // No axis: one point, the base design.
        design.n_points = 1;
    }
    Ok(design)
}

/// An axis key may appear once, and not inside another axis key (`workload.a` and
/// `workload.a.b` would overwrite each other).
fn check_unique(
    loc: &Locator<'_>,
    seen: &[(String, KeyPath)],
    key: &str,
    p: &KeyPath,
) -> Result<(), SweepError> {
    for (other, op) in seen {
        let nested = |a: &str, b: &str| b.strip_prefix(a).is_some_and(|r| r.starts_with('.'));
        let clash = other == key
            || (other != "arch" && key != "arch" && (nested(other, key) || nested(key, other)));
        if clash {
            return Err(loc.error(
                p,
                format!("axis `{key}` clashes with axis `{other}` at `{op}`"),
            ));
        }
    }
    Ok(())
}

fn compile_all(
    loc: &Locator<'_>,
    name: &str,
    texts: &[String],
    scope: &Scope<'_>,
) -> Result<Vec<Compiled>, SweepError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| compile(loc, &path(name).index(i), t, scope))
        .collect()
}

fn check_objectives_and_plots(
    loc: &Locator<'_>,
    raw: &RawSpec,
    axes: &[String],
) -> Result<(), SweepError> {
    let metric_names = raw.metrics.iter().map(String::as_str);
    for (i, o) in raw.objective.iter().enumerate() {
        let p = path("objective").index(i).key("metric");
        if !raw.metrics.contains(&o.metric) {
            return Err(loc.error_suggest(
                &p,
                format!("objective `{}` is not in `metrics`", o.metric),
                arch::suggest::closest(&o.metric, metric_names.clone()),
            ));
        }
        if raw.objective[..i].iter().any(|x| x.metric == o.metric) {
            return Err(loc.error(&p, format!("objective `{}` is listed twice", o.metric)));
        }
    }
    let columns: Vec<&str> = FIXED_COLUMNS
        .iter()
        .copied()
        .chain(axes.iter().map(String::as_str))
        .chain(metric_names)
        .collect();
    for (i, plot) in raw.plot.iter().enumerate() {
        let p = path("plot").index(i);
        let named = [
            ("x", Some(&plot.x)),
            ("y", Some(&plot.y)),
            ("color", plot.color.as_ref()),
        ];
        for (field, col) in named {
            let Some(col) = col else { continue };
            if !columns.contains(&col.as_str()) {
                return Err(loc.error_suggest(
                    &p.key(field),
                    format!("`{col}` is not a result column"),
                    arch::suggest::closest(col, columns.iter().copied()),
                ));
            }
        }
        if plot.pareto {
            for col in [&plot.x, &plot.y] {
                if !raw.objective.iter().any(|o| &o.metric == col) {
                    return Err(loc.error(
                        &p.key("pareto"),
                        format!("a Pareto plot needs an `[[objective]]` for `{col}`"),
                    ));
                }
            }
        }
        if !(plot.file.ends_with(".png") || plot.file.ends_with(".svg"))
            || plot.file.contains(['/', '\\'])
        {
            return Err(loc.error(
                &p.key("file"),
                "expected a file name ending in `.png` or `.svg` (written in the output folder)",
            ));
        }
    }
    Ok(())
}
