//! DRAM and HBM: JEDEC presets, a bank-level timing model with FR-FCFS scheduling and
//! refresh, a steady-state fast path for long transfers, and IDD-based energy.
//!
//! # Configuration
//! A platform's `[dram]` section is a [`DramSpec`]: `preset = "HBM2e"` plus overrides of
//! any geometry, timing, policy or energy field (unknown keys are errors).
//! [`DramSpec::resolve`] validates it into a [`DramConfig`]; [`DramSpec::build`] gives the
//! model as a `Box<dyn OffChipMemory>`.
//!
//! ```
//! use arch::dram::DramSpec;
//! use arch::memory::{AccessPattern, MemRequest, OffChipMemory};
//! use sim_core::Time;
//! let spec: DramSpec = toml::from_str("preset = \"DDR4-3200\"").unwrap();
//! let mut dram = spec.build("dram").unwrap();
//! assert_eq!(dram.peak_bytes_per_s(), 25.6e9);
//! let req = MemRequest { addr: 0, bytes: 64, write: false, pattern: AccessPattern::Sequential };
//! let c = dram.access(Time::ZERO, &req);
//! // Closed bank: ACT at cycle 0, RD at tRCD = 22, data tCL = 22 later for tBURST = 4
//! // cycles of 625 ps: done at 48 cycles = 30 ns.
//! assert_eq!(c.done, Time::from_ps(48 * 625));
//! ```
//!
//! # Geometry and clock
//! `stacks × channels × pseudo_channels` independent (pseudo-)channels, each with
//! `bus_bits / pseudo_channels` data bits, `ranks`, `bank_groups × banks_per_group` banks
//! per rank, `rows` rows of `row_bytes` per bank. A burst moves
//! `burst_bytes = bus_bits / pseudo_channels / 8 × burst_length` bytes. Peak bandwidth is
//! `stacks × channels × bus_bits / 8 × data_rate_mtps × 10⁶` B/s. All timings are integer
//! cycles of the **model clock** at `data_rate_mtps / 2` MHz (two transfers per cycle;
//! JEDEC's tCK for DDR3/DDR4/HBM2/HBM2E, WCK for LPDDR5, half the CK period for HBM3),
//! converted to picoseconds by a `sim_core::ClockDomain`.
//!
//! # Timing rules (cycle `t` of the earlier command; enforced by the scheduler and
//! re-checked independently by [`check_log`])
//! | scope | rule |
//! |---|---|
//! | bank | ACT → RD/WR ≥ tRCD; ACT → PRE ≥ tRAS; PRE → ACT ≥ tRP (so ACT → ACT ≥ tRC = tRAS + tRP); RD → PRE ≥ tRTP; WR → PRE ≥ tCWL + tBURST + tWR |
//! | bank group | RD → RD and WR → WR ≥ tCCD_L; ACT → ACT ≥ tRRD_L; WR → RD ≥ tCWL + tBURST + tWTR_L |
//! | rank | RD → RD and WR → WR ≥ tCCD_S; ACT → ACT ≥ tRRD_S; at most 4 ACTs in any tFAW; WR → RD ≥ tCWL + tBURST + tWTR_S; RD → WR ≥ tCL + tBURST + 2 − tCWL; REF needs all banks precharged, PRE → REF ≥ tRP, REF → ACT/REF ≥ tRFC |
//! | channel | data of a RD occupies [t + tCL, t + tCL + tBURST), of a WR [t + tCWL, …); bursts never overlap, and a change of rank adds tRTRS; one command per `command_cycles` |
//!
//! tBURST = `burst_length / 2`. Refresh: each rank gets one all-bank REF every tREFI
//! (rank `r` first due at `tREFI + r·tREFI/ranks`); once due, the rank takes no new ACT or
//! column command, its open banks are precharged with priority, then REF issues and the
//! rank is blocked for tRFC. Refresh is never postponed.
//!
//! # Scheduler (one per (pseudo-)channel)
//! Bursts enter a queue of `queue_depth` in arrival order. **FR-FCFS** (default): at each
//! cycle, among the commands that may issue, refresh work first, then column commands of
//! row hits, then ACT/PRE, each class oldest first; a bank whose open row still has
//! queued hits is not precharged for a miss. **FCFS**: only the oldest request issues
//! commands. Page policy **open** (default): rows stay open until a conflict or refresh;
//! **closed**: a row is auto-precharged (no command slot) as soon as tRAS/tRTP/tWR allow
//! after an access when no queued request hits it. The scheduler jumps from decision to
//! decision (see `channel.rs`), which equals a cycle-by-cycle scheduler on integer cycles.
//!
//! # Requests
//! [`crate::memory::OffChipMemory::access`] splits a request into bursts: `Sequential` —
//! the bursts covering `[addr, addr + bytes)`; `Random { request_bytes }` — independent
//! requests at uniformly random burst-aligned addresses (seeded generator), each covering
//! consecutive bursts. Bursts go to their channel per the [`AddressMapping`]; all arrive
//! when the request is ready. `start` is the first data beat, `done` the end of the last.
//! Requests are served in call order; each channel keeps its banks, buses and refresh
//! schedule between calls.
//!
//! # Fast path
//! Requests of at least `fast_path_min_bytes` (default 32 KiB) use the steady-state
//! model of `fast.rs`: a long stream is periodic between refreshes, so its period per
//! burst, its start-up excess and the cost of one refresh are measured once per
//! configuration, direction and pattern by the detailed model on one channel's share of
//! the stream (a few sweeps over the mapping's rows, about four tREFI with refresh; ~11 ms,
//! cached for the process), and a transfer of `N` bursts on a channel then takes
//! `head + (N − 1)·t_burst + ε + n_ref·σ` cycles, `n_ref` counted at each rank's absolute
//! refresh due times. Random requests spread evenly over the channels, and the request
//! ends with its busiest channel (`+ z·σ` bursts, Blom's expected maximum of the
//! binomial shares). A 13 GB stream costs one evaluation per channel (≈ 0.2 ms on five
//! HBM3 stacks, `cargo bench -p arch --bench dram`). After a fast transfer every bank of
//! the channels it used is precharged and the command log has no entries for it.
//!
//! **Agreement with the detailed model** (tests `fast::*`): default configuration
//! (FR-FCFS, open page, `RoRaBaCoBgCh`), every preset, reads and writes, 1–16 MiB
//! sequential: within 1 % (0.2 % from a row-set boundary; 2 % asserted); 256 KiB:
//! within 0.4 % except HBM3 starting mid-row-set (−3.4 %); 32 KiB (the default threshold),
//! from an idle model: within 1.1 % (1.5 % asserted); 64-byte random reads and
//! writes, 256 KiB–4 MiB: within 4 % (5 % asserted). Other mappings and the closed-page policy under FR-FCFS, 4 MiB: within
//! 4 %; FCFS and the closed page with a bank-interleaved mapping are least regular
//! (up to 11 % at 1 MiB).
//!
//! The efficiency expected from the timing parameters alone, for the default mapping
//! (bank groups rotate per burst, row switches hidden by the queue's look-ahead), is
//! `1 − σ/tREFI` with `σ ≈ (banks − 1)·cmd + tRP + tRFC + tRCD` (column commands stop when
//! refresh falls due, the rank's open banks are precharged, REF, tRFC, reopen): DDR4-3200
//! 95.0 %, HBM2E 90.0 % (tests `streams::*` check the detailed model against these
//! derivations); 64-byte random reads are bounded by four activations per tFAW
//! (DDR4-3200 ≤ 47 %, HBM2E ≤ 17 % of peak).
//!
//! # Energy
//! Per-action energies (activate+precharge pair, read burst, write burst, refresh) and
//! background power per (pseudo-)channel, from datasheet IDD currents by the method of
//! Micron TN-41-01 / DRAMPower (see `energy.rs` and each preset's source). Interface (I/O)
//! energy is excluded unless `io_pj_per_bit` is set.

mod channel;
mod check;
mod config;
mod energy;
mod fast;
mod mapping;
mod model;
mod presets;
mod spec;

pub use channel::{CommandKind, CommandRecord};
pub use check::check_log;
pub use config::{
    DEFAULT_FAST_PATH_MIN_BYTES, DEFAULT_QUEUE_DEPTH, DramConfig, DramTiming, PagePolicy,
    Scheduler, preset_names,
};
pub use energy::EnergyTable;
pub use mapping::{AddressMapping, DramAddress, Field};
pub use model::{BurstRequest, BurstResult, DramModel, Fidelity, Served};
pub use spec::DramSpec;

use crate::ArchError;
use crate::memory::OffChipMemory;

impl DramSpec {
    /// Resolves the preset and overrides; `key` is the dotted path of this section (for
    /// errors). Unknown presets are [`ArchError::UnknownName`] with a suggestion;
    /// impossible values are [`ArchError::Invalid`] naming `key.field`.
    pub fn resolve(&self, key: &str) -> Result<DramConfig, ArchError> {
        config::resolve(self, key)
    }

    /// As [`DramSpec::resolve`], but every problem comes back alone, with the dotted key
    /// it is about (for the platform builder, which adds where the key was written).
    pub(crate) fn resolve_all(&self, key: &str) -> Result<DramConfig, Vec<(String, ArchError)>> {
        config::resolve_all(self, key)
    }

    /// Builds the memory model for this section ([`DramModel`]).
    pub fn build(&self, key: &str) -> Result<Box<dyn OffChipMemory>, ArchError> {
        Ok(Box::new(DramModel::new(self.resolve(key)?)))
    }
}
