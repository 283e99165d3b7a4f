//! A design point as the evaluator sees it, and its seed.

use toml::{Table, Value};

use arch::ArchError;
use arch::overrides::apply_override;

/// One point of a sweep, resolved from the spec: which architecture with which overrides,
/// which workload, and the axis values that identify it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPoint {
    /// Point id: its index in the spec's expansion order (see the crate docs).
    pub id: u64,
    /// Seed for anything random the evaluator does (mapping search…), derived from the
    /// sweep seed and the id by [`point_seed`]; the same whatever the thread count or shard.
    pub seed: u64,
    /// Preset name or architecture file path (relative paths are relative to the spec's
    /// folder, [`crate::Spec::dir`]).
    pub arch: String,
    /// Overrides to apply to the architecture table, in order: `[base.arch_set]` leaves
    /// (sorted by key), then the point's `arch.` axes. Keys are dotted, without `arch.`.
    pub arch_overrides: Vec<(String, Value)>,
    /// The workload table: `[base.workload]` with the point's `workload.` axes applied.
    pub workload: Table,
    /// The point's axis values, `(axis key, value)` in column order.
    pub axis_values: Vec<(String, Value)>,
}

impl ResolvedPoint {
    /// Applies [`ResolvedPoint::arch_overrides`] to a parsed architecture table, refusing
    /// keys the table does not have (the error suggests the closest key).
    pub fn apply_arch_overrides(&self, arch: &mut Table) -> Result<(), ArchError> {
        for (k, v) in &self.arch_overrides {
            apply_override(arch, k, v.clone(), false)?;
        }
        Ok(())
    }

    /// The value of axis `key` at this point.
    pub fn axis_value(&self, key: &str) -> Option<&Value> {
        self.axis_values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// SplitMix64's output function (Steele, Lea & Flood, OOPSLA 2014): a bijective mix of a
/// 64-bit word.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of point `id` in a sweep seeded `seed`: `splitmix64(seed ⊕ splitmix64(id))`.
pub fn point_seed(seed: u64, id: u64) -> u64 {
    splitmix64(seed ^ splitmix64(id))
}

/// Builds a point from the base and the axis values (`keys[i]` takes `values[i]`).
pub(crate) fn resolve(
    id: u64,
    seed: u64,
    base_arch: &str,
    base_arch_set: &[(String, Value)],
    base_workload: &Table,
    keys: &[String],
    values: &[&Value],
) -> Result<ResolvedPoint, String> {
    let mut arch = base_arch.to_string();
    let mut arch_overrides: Vec<(String, Value)> = base_arch_set
        .iter()
        .filter(|(k, _)| !keys.iter().any(|a| a.strip_prefix("arch.") == Some(k)))
        .cloned()
        .collect();
    let mut workload = base_workload.clone();
    let mut axis_values = Vec::with_capacity(keys.len());
    for (key, value) in keys.iter().zip(values) {
        if key == "arch" {
            arch = value.as_str().unwrap_or_default().to_string();
        } else if let Some(k) = key.strip_prefix("arch.") {
            arch_overrides.push((k.to_string(), (*value).clone()));
        } else if let Some(k) = key.strip_prefix("workload.") {
            apply_override(&mut workload, k, (*value).clone(), true)
                .map_err(|e| format!("axis `{key}`: {e}"))?;
        }
        axis_values.push((key.clone(), (*value).clone()));
    }
    Ok(ResolvedPoint {
        id,
        seed: point_seed(seed, id),
        arch,
        arch_overrides,
        workload,
        axis_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs of the reference SplitMix64 generator seeded with 0 (state
        // advanced by the golden gamma before mixing), as in Vigna's splitmix64.c.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }
}
