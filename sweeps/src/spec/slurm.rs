//! Checks of the `[slurm]` table: each value in a form Slurm accepts, so a typo fails
//! when the spec is read, not when `sbatch` rejects the job on the cluster.

use super::locate::{Locator, path};
use super::raw::RawSpec;
use crate::SweepError;
use crate::slurm::{check_time, normalize_directive};

/// Checks `raw.slurm` and strips the `#SBATCH` prefix from its `extra` lines.
pub(super) fn check(loc: &Locator<'_>, raw: &mut RawSpec) -> Result<(), SweepError> {
    let Some(s) = raw.slurm.as_mut() else {
        return Ok(());
    };
    let p = path("slurm");
    if s.shards == Some(0) {
        return Err(loc.error(&p.key("shards"), "expected at least 1 shard"));
    }
    if let Some(part) = &s.partition
        && (part.is_empty() || part.contains(char::is_whitespace))
    {
        return Err(loc.error(
            &p.key("partition"),
            format!("`{part}` is not a partition name (no spaces; `sinfo` lists them)"),
        ));
    }
    if let Some(t) = &s.time {
        check_time(t).map_err(|m| loc.error(&p.key("time"), m))?;
    }
    if s.cpus_per_task == Some(0) {
        return Err(loc.error(&p.key("cpus_per_task"), "expected at least 1 CPU"));
    }
    for (i, line) in s.extra.iter_mut().enumerate() {
        *line = normalize_directive(line).map_err(|m| loc.error(&p.key("extra").index(i), m))?;
    }
    Ok(())
}
