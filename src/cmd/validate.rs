//! `silica validate`: the GPU model against measured kernel times (`crate::validate`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::validate::data;
use crate::validate::fit::Param;
use crate::validate::output;
use crate::validate::predict::{Composition, DEFAULT_HOST_LAUNCH_GAP_US};
use crate::validate::preset;
use crate::validate::run::{self, Calibration, fitted_params};

const EXAMPLES: &str = "\
Examples:
  silica validate --measured validation/data/h100-sxm.csv --arch h100-sxm5-80gb --out out/val
  silica validate --measured validation/data/published.csv         # each row's device names its preset
  silica validate --measured validation/data/h100-sxm.csv --arch h100-sxm5-80gb --fit --split-seed 0
  silica validate --measured validation/data/h100-sxm.csv --arch h100-sxm5-80gb --fit --uncalibrated
  silica validate --measured my-gpu.csv --arch a100-sxm4-80gb --set gpu.efficiency.tensor=0.8 --json";

/// Arguments of `silica validate`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct ValidateArgs {
    /// Measured CSV in the harness's schema (validation/README.md).
    #[arg(long, value_name = "CSV")]
    measured: PathBuf,
    /// GPU preset name or platform .toml (default: each row's `device`, which must then
    /// name a preset).
    #[arg(long)]
    arch: Option<String>,
    /// Override a platform key: --set gpu.efficiency.tensor=0.8 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Folder for validate.csv (per case), validate-mape.csv (per class and overall),
    /// validate-claims.csv, validate.png and validate.svg (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Host time to issue one kernel in eager mode (decoder steps), µs.
    #[arg(long, default_value_t = DEFAULT_HOST_LAUNCH_GAP_US)]
    host_gap_us: f64,
    /// Ignore the platform's own [gpu.efficiency] values and use the model's defaults
    /// (keys given with --set still apply): the uncalibrated model.
    #[arg(long)]
    uncalibrated: bool,
    /// Calibrate: fit the efficiency parameters on half of the cases, report the other half.
    #[arg(long)]
    fit: bool,
    /// Seed of the train/held-out split (with --fit).
    #[arg(long, default_value_t = 0, requires = "fit")]
    split_seed: u64,
    /// Write the platform file with the fitted [gpu.efficiency] here (with --fit).
    #[arg(long, value_name = "PATH", requires = "fit")]
    write_preset: Option<PathBuf>,
}

/// Runs `silica validate`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    if !(args.host_gap_us.is_finite() && args.host_gap_us >= 0.0) {
        bail!(
            "--host-gap-us: expected a time >= 0 µs, got {}",
            args.host_gap_us
        );
    }
    let comp = Composition {
        host_launch_gap_us: args.host_gap_us,
    };
    let measured = data::read(&args.measured)?;
    let cal = if args.fit {
        let arch = match (&args.arch, single_device(&measured)) {
            (Some(a), _) => a.clone(),
            (None, Some(d)) => d,
            (None, None) => bail!(
                "--fit needs one platform: the rows of `{}` name several devices; pass --arch",
                measured.file
            ),
        };
        let start = run::model_of(&arch, &args.set, comp, args.uncalibrated)?;
        Some((arch, run::calibrate(&measured, &start, args.split_seed)?))
    } else {
        None
    };
    let eval = run::evaluate(
        measured,
        args.arch.as_deref(),
        &args.set,
        comp,
        args.uncalibrated,
    )?;
    let cal_ref = cal.as_ref().map(|(_, c)| c);
    let results = cal_ref.map_or(&eval.results, |c| &c.after);
    let claims = crate::validate::score::claims(&eval.measured.cases, results);

    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating output folder `{}`", dir.display()))?;
        output::write_csv(dir, &eval, results, cal_ref)?;
        output::write_mape_csv(dir, results, cal_ref)?;
        output::write_claims_csv(dir, &claims)?;
        let who = match (&args.arch, cal_ref) {
            (Some(a), Some(_)) => format!("{a}, calibrated"),
            (Some(a), None) => a.clone(),
            (None, _) => "each row's device".into(),
        };
        output::write_plot(dir, &format!("predicted vs measured ({who})"), results)?;
    }
    if let (Some(path), Some((arch, c))) = (&args.write_preset, &cal) {
        write_preset(path, arch, args, c)?;
    }

    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&output::json(&eval, cal_ref))?
        );
        return Ok(());
    }
    let m = &eval.measured;
    outln!(
        "silica validate: {} — {} cases ({} failed rows skipped) on {}",
        m.file,
        m.cases.len(),
        m.skipped,
        args.arch.as_deref().unwrap_or("each row's device")
    );
    outln!();
    out!("{}", output::cases_table(&eval, results)?);
    outln!();
    if let Some(c) = cal_ref {
        out!("{}", output::calibration_text(c)?);
        outln!();
        outln!("all cases, calibrated:");
        let e2 = run::Evaluation {
            results: c.after.clone(),
            ..eval.clone()
        };
        out!("{}", output::mape_table(&e2)?);
    } else {
        out!("{}", output::mape_table(&eval)?);
    }
    if !claims.is_empty() {
        outln!();
        out!("{}", output::claims_table(&claims)?);
    }
    if let Some(dir) = &args.out {
        outln!();
        for f in [
            "validate.csv",
            "validate-mape.csv",
            "validate-claims.csv",
            "validate.png",
            "validate.svg",
        ] {
            outln!("wrote {}", dir.join(f).display());
        }
    }
    if let Some(p) = &args.write_preset {
        outln!("wrote {}", p.display());
    }
    Ok(())
}

/// The one `device` every row names, if they agree.
fn single_device(m: &data::Measured) -> Option<String> {
    let first = &m.cases.first()?.device;
    m.cases
        .iter()
        .all(|c| &c.device == first)
        .then(|| first.clone())
}

fn write_preset(
    path: &PathBuf,
    arch: &str,
    args: &ValidateArgs,
    c: &Calibration,
) -> anyhow::Result<()> {
    let text = preset::source_text(arch)?;
    let (before, after) = c.held_out_overall();
    let note = vec![
        format!(
            "Calibrated {} by `silica validate --fit --measured {} --arch {arch} --split-seed {}{}`",
            preset::today(),
            args.measured.display(),
            c.seed,
            if args.uncalibrated {
                " --uncalibrated"
            } else {
                ""
            }
        ),
        format!(
            "on half of the cases; held-out MAPE {before:.1} % before, {after:.1} % after \
             (validation/README.md). alu is not fitted."
        ),
    ];
    let values: Vec<(&str, f64, f64)> = fitted_params()
        .into_iter()
        .filter(|p| p.in_preset())
        .map(|p: Param| (p.key(), c.fit.model.get(p), c.start.get(p)))
        .collect();
    let new = preset::with_efficiency(&text, &note, &values);
    // The written file must load and carry the fitted values.
    arch::Platform::from_toml_str(&new, &path.display().to_string(), &[])
        .context("the calibrated platform does not validate")?;
    std::fs::write(path, new).with_context(|| format!("writing `{}`", path.display()))
}
