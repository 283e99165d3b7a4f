//! A sweep over the toy GEMM evaluator ([`sweeps::synthetic`]): shows how a program
//! plugs an evaluator into the engine, and is the child process of the kill-and-resume
//! test.
//!
//! ```text
//! synthetic-sweep run SPEC OUT [--threads N] [--resume] [--shard i/N] [--sleep-ms MS] [--progress]
//! synthetic-sweep merge OUT DIR...
//! synthetic-sweep sweep SPEC --out OUT [flags of run]   (the form a Slurm task runs)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use sweeps::synthetic::SyntheticEvaluator;
use sweeps::{RunOptions, Spec, merge, run_sweep};

const USAGE: &str = "usage: synthetic-sweep run SPEC OUT [--threads N] [--resume] \
                     [--shard i/N] [--sleep-ms MS] [--progress]\n       \
                     synthetic-sweep merge OUT DIR...\n       \
                     synthetic-sweep sweep SPEC --out OUT [flags of run]";

fn run(args: &[String]) -> Result<String, String> {
    let [spec, out, flags @ ..] = args else {
        return Err(USAGE.into());
    };
    let mut options = RunOptions::default();
    let mut evaluator = SyntheticEvaluator::default();
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--threads" => options.threads = value()?.parse().map_err(|e| format!("{e}"))?,
            "--resume" => options.resume = true,
            "--progress" => options.progress = true,
            "--shard" => options.shard = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--sleep-ms" => {
                let ms: u64 = value()?.parse().map_err(|e| format!("{e}"))?;
                evaluator.sleep = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let spec = Spec::from_file(&PathBuf::from(spec)).map_err(|e| e.to_string())?;
    let s =
        run_sweep(&spec, &evaluator, &PathBuf::from(out), &options).map_err(|e| e.to_string())?;
    Ok(format!(
        "{} points ({} resumed, {} evaluated): {} ok, {} error, {} skipped, {} infeasible in {:.2} s",
        s.points,
        s.resumed,
        s.evaluated,
        s.counts.ok,
        s.counts.error,
        s.counts.skipped,
        s.counts.infeasible,
        s.elapsed.as_secs_f64()
    ))
}

/// `SPEC --out OUT flags…` (the `silica sweep` form, as the Slurm batch script writes
/// it) → `run SPEC OUT flags…`.
fn sweep(args: &[String]) -> Result<String, String> {
    let [spec, flags @ ..] = args else {
        return Err(USAGE.into());
    };
    let at = flags.iter().position(|f| f == "--out").ok_or(USAGE)?;
    let out = flags.get(at + 1).ok_or(USAGE)?;
    let mut run_args = vec![spec.clone(), out.clone()];
    run_args.extend(flags[..at].iter().chain(&flags[at + 2..]).cloned());
    run(&run_args)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((cmd, rest)) if cmd == "run" => run(rest),
        Some((cmd, rest)) if cmd == "sweep" => sweep(rest),
        Some((cmd, [out, dirs @ ..])) if cmd == "merge" && !dirs.is_empty() => {
            let dirs: Vec<PathBuf> = dirs.iter().map(PathBuf::from).collect();
            merge(&dirs, &PathBuf::from(out))
                .map(|s| format!("merged {} folders, {} points", s.dirs.len(), s.points))
                .map_err(|e| e.to_string())
        }
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
