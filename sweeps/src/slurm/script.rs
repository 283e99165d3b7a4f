//! The batch script of a sweep: a Slurm job array whose task `i` runs shard `i/N` of the
//! sweep into `dir/shard-i`.
//!
//! ```text
//! #!/bin/bash
//! #SBATCH --job-name=silica-dse
//! #SBATCH --array=0-3
//! #SBATCH --output=/abs/dse/slurm/shard-%a.job-%A.out
//! #SBATCH --error=/abs/dse/slurm/shard-%a.job-%A.err
//! #SBATCH --partition=cpu
//! set -eu
//! task="${SLURM_ARRAY_TASK_ID:?submit this script with sbatch as a job array}"
//! exec /abs/silica sweep /abs/spec.toml --shard "$task/4" --out /abs/dse/shard-"$task" --resume
//! ```
//!
//! Every path is absolute: the tasks run on other machines, in another working folder,
//! so the program, the spec and the folder must sit on a filesystem those machines share.
//! Each task resumes its own folder, so resubmitting a task (`--array=2`) completes it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::SlurmError;
use crate::spec::SlurmDefaults;

/// The file name of the batch script inside `dir/slurm/`.
pub const SCRIPT_NAME: &str = "sweep.sbatch";

/// Shards when neither the command line nor the spec says: one per 1 000 points, at least
/// 1 and at most 100 (an arbitrary split that keeps each task minutes long for a typical
/// whole-model simulation and the array well under Slurm's default `MaxArraySize` 1001).
pub fn default_shards(points: u64) -> u64 {
    points.div_ceil(1000).clamp(1, 100)
}

/// The `#SBATCH` settings of the array. `None` fields take the spec's `[slurm]` value
/// ([`SbatchOptions::or_defaults`]); the command line fills them first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbatchOptions {
    /// Number of shards = array tasks (`--array=0-(N-1)`; default [`default_shards`]).
    pub shards: Option<u64>,
    /// `--job-name` (default: `silica-` and the folder's name).
    pub job_name: Option<String>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--time`, per task (checked by [`check_time`]).
    pub time: Option<String>,
    /// `--cpus-per-task`.
    pub cpus_per_task: Option<u32>,
    /// Further directives, with or without `#SBATCH` (see [`normalize_directive`]).
    pub extra: Vec<String>,
}

impl SbatchOptions {
    /// These options with each unset field taken from the spec's `[slurm]` table; `extra`
    /// lines of the spec come first, then these.
    pub fn or_defaults(&self, defaults: Option<&SlurmDefaults>) -> SbatchOptions {
        let d = defaults.cloned().unwrap_or_default();
        SbatchOptions {
            shards: self.shards.or(d.shards),
            job_name: self.job_name.clone(),
            partition: self.partition.clone().or(d.partition),
            time: self.time.clone().or(d.time),
            cpus_per_task: self.cpus_per_task.or(d.cpus_per_task),
            extra: d
                .extra
                .into_iter()
                .chain(self.extra.iter().cloned())
                .collect(),
        }
    }
}

/// One word of the task's command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskArg {
    /// A fixed word (a path, a flag).
    Literal(String),
    /// The task's shard, `i/N`.
    Shard,
    /// The task's output folder, `<dir>/shard-i`.
    ShardDir,
    /// The task's CPU count: `$SLURM_CPUS_PER_TASK`, 1 when unset (Slurm's default
    /// allocation is one CPU per task).
    Cpus,
}

/// The command each array task runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCommand {
    /// The program (made absolute when the script is written).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<TaskArg>,
}

impl TaskCommand {
    /// `<program> sweep <spec> --shard i/N --out <dir>/shard-i --resume` followed by
    /// `extra` (e.g. `--threads` and [`TaskArg::Cpus`]): the `silica sweep` of one shard.
    pub fn silica_sweep(program: &Path, spec: &Path, extra: Vec<TaskArg>) -> TaskCommand {
        let lit = |s: &str| TaskArg::Literal(s.to_string());
        let mut args = vec![
            lit("sweep"),
            TaskArg::Literal(spec.display().to_string()),
            lit("--shard"),
            TaskArg::Shard,
            lit("--out"),
            TaskArg::ShardDir,
            lit("--resume"),
        ];
        args.extend(extra);
        TaskCommand {
            program: program.to_path_buf(),
            args,
        }
    }
}

/// Checks a time limit in one of the forms `sbatch --time` reads: `M`, `M:S`, `H:M:S`,
/// `D-H`, `D-H:M`, `D-H:M:S` (all numbers), or `UNLIMITED` / `INFINITE`.
pub fn check_time(t: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "time `{t}`: expected minutes (`90`), `H:MM:SS` (`1:30:00`) or `D-HH:MM:SS` \
             (`2-00:00:00`)"
        )
    };
    if matches!(t, "UNLIMITED" | "INFINITE" | "unlimited" | "infinite") {
        return Ok(());
    }
    let numbers = |s: &str, max_parts: usize| {
        let parts: Vec<&str> = s.split(':').collect();
        parts.len() <= max_parts
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let ok = match t.split_once('-') {
        Some((days, rest)) => numbers(days, 1) && numbers(rest, 3),
        None => numbers(t, 3),
    };
    if ok { Ok(()) } else { Err(bad()) }
}

/// A directive as written in the spec or on the command line (`--mem=4G`, `#SBATCH
/// --account=lab`) without its `#SBATCH` prefix. Refuses lines that are not options, hold
/// a line break, or set the array (which the sweep sets itself).
pub fn normalize_directive(line: &str) -> Result<String, String> {
    let trimmed = line.trim();
    let body = trimmed.strip_prefix("#SBATCH").unwrap_or(trimmed).trim();
    if body.contains(['\n', '\r']) {
        return Err(format!("`{trimmed}`: one directive per line"));
    }
    if !body.starts_with('-') {
        return Err(format!(
            "`{trimmed}`: expected an sbatch option such as `--mem=4G` or `--account=lab`"
        ));
    }
    let name = body.split(['=', ' ']).next().unwrap_or(body);
    if matches!(name, "--array" | "-a") {
        return Err(format!(
            "`{trimmed}`: the sweep sets the array itself (one task per shard); set the \
             number of shards instead"
        ));
    }
    Ok(body.to_string())
}

/// `s` as one shell word: unchanged when made of safe characters, else in single quotes.
pub(crate) fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A path used in an `#SBATCH` line, which Slurm reads without a shell: no spaces,
/// quotes or line breaks.
fn directive_path(p: &Path) -> Result<String, SlurmError> {
    let s = p.display().to_string();
    if s.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        return Err(SlurmError::request(format!(
            "{s}: Slurm's `#SBATCH --output` cannot take a path with spaces or quotes: \
             choose an output folder without them"
        )));
    }
    Ok(s)
}

/// A job name from the folder's name: `silica-` and its letters, digits, `-`, `_`, `.`
/// (others become `_`), at most 64 characters.
pub(crate) fn job_name(dir: &Path) -> String {
    let base: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(57)
        .collect();
    if base.is_empty() {
        "silica-sweep".into()
    } else {
        format!("silica-{base}")
    }
}

/// The batch script for the sweep folder `dir` (absolute) in `n` shards. The array covers
/// every shard; resubmissions narrow it with `sbatch --array=…` on the command line.
pub fn render_sbatch(
    dir: &Path,
    n: u64,
    options: &SbatchOptions,
    command: &TaskCommand,
) -> Result<String, SlurmError> {
    if n == 0 {
        return Err(SlurmError::request("a sweep needs at least 1 shard"));
    }
    let logs = directive_path(&dir.join("slurm"))?;
    let mut s = String::from("#!/bin/bash\n");
    let name = options.job_name.clone().unwrap_or_else(|| job_name(dir));
    let mut directive = |d: String| {
        let _ = writeln!(s, "#SBATCH {d}");
    };
    directive(format!("--job-name={name}"));
    directive(format!("--array=0-{}", n - 1));
    directive(format!("--output={logs}/shard-%a.job-%A.out"));
    directive(format!("--error={logs}/shard-%a.job-%A.err"));
    if let Some(p) = &options.partition {
        directive(format!("--partition={p}"));
    }
    if let Some(t) = &options.time {
        check_time(t).map_err(SlurmError::request)?;
        directive(format!("--time={t}"));
    }
    if let Some(c) = options.cpus_per_task {
        directive(format!("--cpus-per-task={c}"));
    }
    for line in &options.extra {
        directive(normalize_directive(line).map_err(SlurmError::request)?);
    }
    let _ = writeln!(
        s,
        "#\n# Written by silica: array task i runs shard i/{n} of the sweep into \
         {}/shard-i.\n# Resubmit some shards by hand: sbatch --array=1,3 {}",
        dir.display(),
        dir.join("slurm").join(SCRIPT_NAME).display()
    );
    s.push_str("set -eu\n");
    s.push_str("task=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch as a job array}\"\n");
    let mut words = vec![shell_word(&command.program.display().to_string())];
    for a in &command.args {
        words.push(match a {
            TaskArg::Literal(w) => shell_word(w),
            TaskArg::Shard => format!("\"$task/{n}\""),
            TaskArg::ShardDir => format!(
                "{}\"$task\"",
                shell_word(&format!("{}/shard-", dir.display()))
            ),
            TaskArg::Cpus => "\"${SLURM_CPUS_PER_TASK:-1}\"".to_string(),
        });
    }
    let _ = writeln!(s, "exec {}", words.join(" "));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        for ok in [
            "90",
            "30:00",
            "1:30:00",
            "2-0",
            "2-12:00",
            "2-12:00:00",
            "UNLIMITED",
        ] {
            assert_eq!(check_time(ok), Ok(()), "{ok}");
        }
        for bad in ["", "1h", "1:2:3:4", "-1", "2-", "1:30:", "ninety"] {
            assert!(check_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn directives() {
        assert_eq!(normalize_directive("#SBATCH --mem=4G").unwrap(), "--mem=4G");
        assert_eq!(
            normalize_directive("  --qos=short ").unwrap(),
            "--qos=short"
        );
        assert_eq!(normalize_directive("-A lab").unwrap(), "-A lab");
        assert!(
            normalize_directive("mem=4G")
                .unwrap_err()
                .contains("sbatch option")
        );
        assert!(
            normalize_directive("--array=0-9")
                .unwrap_err()
                .contains("shards")
        );
        assert!(normalize_directive("--mem=1G\n--qos=x").is_err());
    }

    #[test]
    fn words_and_names() {
        assert_eq!(shell_word("/opt/silica"), "/opt/silica");
        assert_eq!(shell_word("my spec.toml"), "'my spec.toml'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(job_name(Path::new("/x/dse run")), "silica-dse_run");
        assert_eq!(default_shards(1), 1);
        assert_eq!(default_shards(1001), 2);
        assert_eq!(default_shards(10_000_000), 100);
    }

    #[test]
    fn script_has_the_array_and_the_command() {
        let options = SbatchOptions {
            partition: Some("cpu".into()),
            time: Some("1:00:00".into()),
            cpus_per_task: Some(2),
            extra: vec!["#SBATCH --mem=4G".into()],
            ..SbatchOptions::default()
        };
        let cmd = TaskCommand::silica_sweep(
            Path::new("/opt/bin/silica"),
            Path::new("/home/a/my spec.toml"),
            vec![TaskArg::Literal("--threads".into()), TaskArg::Cpus],
        );
        let s = render_sbatch(Path::new("/scratch/dse"), 4, &options, &cmd).unwrap();
        let directives: Vec<&str> = s.lines().filter(|l| l.starts_with("#SBATCH")).collect();
        assert_eq!(
            directives,
            [
                "#SBATCH --job-name=silica-dse",
                "#SBATCH --array=0-3",
                "#SBATCH --output=/scratch/dse/slurm/shard-%a.job-%A.out",
                "#SBATCH --error=/scratch/dse/slurm/shard-%a.job-%A.err",
                "#SBATCH --partition=cpu",
                "#SBATCH --time=1:00:00",
                "#SBATCH --cpus-per-task=2",
                "#SBATCH --mem=4G",
            ]
        );
        assert_eq!(
            s.lines().last().unwrap(),
            "exec /opt/bin/silica sweep '/home/a/my spec.toml' --shard \"$task/4\" \
             --out /scratch/dse/shard-\"$task\" --resume --threads \"${SLURM_CPUS_PER_TASK:-1}\""
        );
        // `#SBATCH` lines must come before the first command, or sbatch ignores them.
        let first_command = s.lines().position(|l| !l.starts_with('#')).unwrap();
        assert!(
            s.lines()
                .skip(first_command)
                .all(|l| !l.starts_with("#SBATCH"))
        );
    }

    #[test]
    fn paths_slurm_cannot_take_are_refused() {
        let cmd = TaskCommand::silica_sweep(Path::new("/s"), Path::new("/p.toml"), vec![]);
        let options = SbatchOptions::default();
        let e = render_sbatch(Path::new("/scratch/my dse"), 2, &options, &cmd).unwrap_err();
        assert!(e.to_string().contains("spaces"), "{e}");
    }
}
