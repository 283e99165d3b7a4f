//! SRAM-only platforms (Groq LPU): no off-chip memory; every tensor lives in on-chip SRAM.
//!
//! The optional `[sram_only]` section says the platform has no DRAM. Its on-chip SRAM is
//! the `[global_buffer]` (required), whose capacity bounds everything a kernel touches:
//! a kernel whose inputs and outputs together exceed it fails with
//! [`crate::ArchError::OnChipCapacity`] naming the bytes needed and available and the
//! number of chips that would hold them ([`chips_to_hold`]). A mapper uses
//! [`crate::Platform::check_fits_on_chip`] to split a model across chips.
//!
//! **Timing.** Kernels still run their tiles through the level-2 pipeline; the "off-chip"
//! stand-in is the SRAM itself, read at `bandwidth_gb_s` with no latency and no energy of
//! its own (the global buffer's per-word energies are counted for tile traffic). Real
//! hardware (Groq's MEM slices streaming straight into the MXM) makes no staging copy, so
//! counting the tile writes is pessimistic. Level 3 uses the same bandwidth as its memory
//! roof. A multi-chip model (a model split over many chips, chip-to-chip links) is not
//! described here: one section describes one chip.
//!
//! ```
//! use arch::Platform;
//! let p = Platform::load("groq-lpu", &[]).unwrap();
//! // Llama-2-7B-class: 7e9 parameters x 2 bytes (fp16) on 220 MiB chips → 61 chips.
//! assert_eq!(p.chips_to_hold(14_000_000_000), Some(61));
//! ```

use serde::{Deserialize, Serialize};

/// `[sram_only]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSramOnly {
    /// On-chip SRAM bandwidth to the compute units, GB/s (10⁹ bytes/s).
    pub bandwidth_gb_s: f64,
}

/// A validated `[sram_only]` section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SramOnly {
    /// On-chip SRAM bandwidth, bytes/s.
    pub bandwidth_bytes_per_s: u64,
    /// On-chip SRAM capacity (the global buffer), bytes.
    pub capacity_bytes: u64,
}

/// Chips of `capacity` bytes each needed to hold `bytes`: `⌈bytes / capacity⌉` (at least 1).
pub fn chips_to_hold(bytes: u64, capacity: u64) -> u64 {
    bytes.div_ceil(capacity.max(1)).max(1)
}

/// Validates `raw` given the platform's global-buffer capacity and whether it has `[dram]`.
pub(crate) fn build(
    raw: &RawSramOnly,
    buffer_bytes: Option<u64>,
    has_dram: bool,
) -> (Option<SramOnly>, Vec<crate::fpga::Problem>) {
    let mut problems = Vec::new();
    let mut ok = true;
    if !(raw.bandwidth_gb_s.is_finite() && raw.bandwidth_gb_s > 0.0) {
        problems.push((
            "sram_only.bandwidth_gb_s".to_string(),
            format!("is {}; expected a bandwidth > 0 GB/s", raw.bandwidth_gb_s),
        ));
        ok = false;
    }
    if has_dram {
        problems.push((
            "dram".to_string(),
            "is set but [sram_only] says the platform has no off-chip memory; remove one of them"
                .to_string(),
        ));
        ok = false;
    }
    let Some(capacity_bytes) = buffer_bytes else {
        problems.push((
            "sram_only".to_string(),
            "needs a [global_buffer]: its capacity is the chip's SRAM".to_string(),
        ));
        return (None, problems);
    };
    let section = SramOnly {
        bandwidth_bytes_per_s: (raw.bandwidth_gb_s * 1e9).round() as u64,
        capacity_bytes,
    };
    (ok.then_some(section), problems)
}
