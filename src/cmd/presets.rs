//! `silica presets [NAME]`: list every platform preset (class, units, description, first
//! source), or print one preset's TOML so it can be copied and edited.

use anyhow::Context;
use arch::suggest::closest;
use arch::{ArchError, Platform, preset_names, preset_toml};
use clap::Args;
use serde_json::json;

const EXAMPLES: &str = "\
Examples:
  silica presets                         # every preset: class, units, description, source
  silica presets a100-sxm4-80gb          # its TOML
  silica presets tpu-v1 > my-tpu.toml    # copy, edit, then: silica kernel gemm --arch my-tpu.toml …";

/// Arguments of `silica presets`.
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct PresetsArgs {
    /// A preset to print as TOML (omit to list them all).
    name: Option<String>,
    /// Emit the list as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `silica presets …`.
pub fn run(args: &PresetsArgs) -> anyhow::Result<()> {
    if let Some(name) = &args.name {
        let text = preset_toml(name).ok_or_else(|| ArchError::UnknownName {
            what: "platform preset".into(),
            name: name.clone(),
            suggestion: closest(name, preset_names()),
            valid: preset_names().into_iter().map(String::from).collect(),
        })?;
        out!("{text}");
        return Ok(());
    }
    let mut rows = Vec::new();
    for name in preset_names() {
        let p = Platform::load(name, &[]).with_context(|| format!("loading preset `{name}`"))?;
        rows.push((name, p));
    }
    if args.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(name, p)| {
                json!({
                    "name": name,
                    "class": p.class(),
                    "units": p.units(),
                    "host": p.host().map(|h| h.platform),
                    "description": p.description,
                    "source": p.sources.first(),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(4);
    // Units, then the host a platform names (`[host]`, or AttAcc's GPUs).
    let units: Vec<String> = rows
        .iter()
        .map(|(_, p)| {
            let own = p.units().join(",");
            match p.host() {
                Some(h) => format!("{own} + host {}", h.platform),
                None => own,
            }
        })
        .collect();
    let uw = units.iter().map(String::len).max().unwrap_or(5).max(5);
    outln!(
        "{:<width$}  {:<7}  {:<uw$}  description",
        "name",
        "class",
        "units"
    );
    for ((name, p), units) in rows.iter().zip(&units) {
        outln!(
            "{name:<width$}  {:<7}  {units:<uw$}  {}",
            p.class(),
            p.description
        );
        if let Some(src) = p.sources.first() {
            outln!("{:<width$}  {:<7}  {:<uw$}  source: {src}", "", "", "");
        }
    }
    outln!("\n`silica presets NAME` prints a preset's TOML.");
    Ok(())
}
