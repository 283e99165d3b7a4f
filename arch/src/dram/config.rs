//! Resolved and validated DRAM parameters ([`DramConfig`]) and their construction from a
//! [`DramSpec`].

use sim_core::ClockDomain;

use super::energy::{EnergyTable, IddTiming};
use super::mapping::AddressMapping;
use super::presets::{self, DEFAULT_MAPPING, PRESETS};
use super::spec::DramSpec;
use crate::ArchError;
use crate::suggest::closest;

/// Row-buffer policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PagePolicy {
    /// Rows stay open until a request to another row of the bank (or a refresh).
    Open,
    /// A row is auto-precharged after a column access when no queued request hits it.
    Closed,
}

/// Request scheduler of a (pseudo-)channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduler {
    /// First-ready, first-come-first-served: among commands that can issue, column commands
    /// (row hits) first, then the oldest request (Rixner et al., ISCA 2000).
    FrFcfs,
    /// Strictly in order: only the oldest request issues commands.
    Fcfs,
}

/// Timings in cycles of the model clock (see [`crate::dram`] for each rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DramTiming {
    /// ACT → RD/WR.
    pub rcd: u64,
    /// PRE → ACT.
    pub rp: u64,
    /// RD → first data beat.
    pub cl: u64,
    /// WR → first data beat.
    pub cwl: u64,
    /// ACT → PRE.
    pub ras: u64,
    /// Column → column, different bank groups.
    pub ccd_s: u64,
    /// Column → column, same bank group.
    pub ccd_l: u64,
    /// ACT → ACT, different bank groups.
    pub rrd_s: u64,
    /// ACT → ACT, same bank group.
    pub rrd_l: u64,
    /// Four-activation window.
    pub faw: u64,
    /// Write recovery.
    pub wr: u64,
    /// Write → read, different bank groups (from the end of write data).
    pub wtr_s: u64,
    /// Write → read, same bank group.
    pub wtr_l: u64,
    /// RD → PRE.
    pub rtp: u64,
    /// Refresh interval.
    pub refi: u64,
    /// Refresh cycle time.
    pub rfc: u64,
    /// Rank-to-rank data-bus gap.
    pub rtrs: u64,
    /// Data-bus occupancy of one burst: `burst_length / 2`.
    pub burst: u64,
}

impl DramTiming {
    /// Row cycle `tRC = tRAS + tRP` (ACT → ACT, same bank).
    pub fn rc(&self) -> u64 {
        self.ras + self.rp
    }
    /// RD → WR, same rank: `tCL + tBURST + 2 − tCWL` (JESD79-4: RL + BL/2 − WL + 2 tCK for
    /// the bus turnaround and write preamble), at least 0.
    pub fn rd_to_wr(&self) -> u64 {
        (self.cl + self.burst + 2).saturating_sub(self.cwl)
    }
    /// WR → PRE, same bank: `tCWL + tBURST + tWR`.
    pub fn wr_to_pre(&self) -> u64 {
        self.cwl + self.burst + self.wr
    }
    /// WR → RD: `tCWL + tBURST + tWTR_S` (different bank groups).
    pub fn wr_to_rd_s(&self) -> u64 {
        self.cwl + self.burst + self.wtr_s
    }
    /// WR → RD: `tCWL + tBURST + tWTR_L` (same bank group).
    pub fn wr_to_rd_l(&self) -> u64 {
        self.cwl + self.burst + self.wtr_l
    }
}

/// Resolved DRAM parameters: a preset with overrides applied and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct DramConfig {
    /// Preset name.
    pub name: String,
    /// Channels in total (all stacks; pseudo-channels not counted).
    pub channels: u32,
    /// Data bus width per channel, bits.
    pub bus_bits: u32,
    /// Transfer rate per pin, MT/s.
    pub data_rate_mtps: u32,
    /// HBM stacks / DIMMs (already folded into `channels`).
    pub stacks: u32,
    /// Pseudo-channels per channel.
    pub pseudo_channels: u32,
    /// Ranks per (pseudo-)channel.
    pub ranks: u32,
    /// Bank groups per rank.
    pub bank_groups: u32,
    /// Banks per bank group.
    pub banks_per_group: u32,
    /// Rows per bank.
    pub rows: u32,
    /// Row size of one bank, bytes.
    pub row_bytes: u32,
    /// Burst length, beats.
    pub burst_length: u32,
    /// Timings, cycles of the model clock.
    pub timing: DramTiming,
    /// Cycles the command bus is busy per command.
    pub command_cycles: u64,
    /// Row-buffer policy.
    pub page_policy: PagePolicy,
    /// Scheduler.
    pub scheduler: Scheduler,
    /// Request-queue depth per (pseudo-)channel, bursts.
    pub queue_depth: u32,
    /// Address mapping.
    pub mapping: AddressMapping,
    /// Requests of at least this many bytes use the steady-state model.
    pub fast_path_min_bytes: u64,
    /// Energies per (pseudo-)channel.
    pub energy: EnergyTable,
    /// The model clock (`data_rate_mtps / 2` MHz).
    clock: ClockDomain,
}

/// Default request-queue depth (DRAMsim3's `trans_queue_size` is 16–32; Ramulator 2's
/// generic controller uses 32).
pub const DEFAULT_QUEUE_DEPTH: u32 = 32;
/// Default fast-path threshold: 32 KiB (see [`crate::dram`]). From 32 KiB up the
/// steady-state model agrees with the detailed one within 1.1 % on every preset's
/// sequential streams (test `fast::fast_path_agrees_at_the_default_threshold`); at 8 KiB it
/// is still within 2.2 %, at 2 KiB HBM2E is off by up to 21 %.
pub const DEFAULT_FAST_PATH_MIN_BYTES: u64 = 32 * 1024;

impl DramConfig {
    /// Peak bandwidth = channels × bus bits / 8 × MT/s × 10⁶, bytes per second.
    pub fn peak_bytes_per_s(&self) -> f64 {
        self.channels as f64 * self.bus_bits as f64 / 8.0 * self.data_rate_mtps as f64 * 1e6
    }
    /// Independently scheduled units: channels × pseudo-channels.
    pub fn units(&self) -> u64 {
        u64::from(self.channels) * u64::from(self.pseudo_channels)
    }
    /// Bytes moved by one burst of one (pseudo-)channel.
    pub fn burst_bytes(&self) -> u64 {
        u64::from(self.bus_bits / self.pseudo_channels / 8) * u64::from(self.burst_length)
    }
    /// Banks per rank.
    pub fn banks_per_rank(&self) -> u32 {
        self.bank_groups * self.banks_per_group
    }
    /// Total capacity, bytes.
    pub fn capacity_bytes(&self) -> u64 {
        self.units()
            * u64::from(self.ranks)
            * u64::from(self.banks_per_rank())
            * u64::from(self.rows)
            * u64::from(self.row_bytes)
    }
    /// The model clock: `data_rate_mtps / 2` MHz.
    pub fn clock(&self) -> ClockDomain {
        self.clock
    }
}

/// Names of the DRAM presets.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

fn invalid(key: &str, field: &str, message: impl Into<String>) -> ArchError {
    ArchError::Invalid {
        key: format!("{key}.{field}"),
        message: message.into(),
    }
}

/// A problem and the dotted key it is about.
pub(crate) type Problem = (String, ArchError);

fn invalid_at(key: &str, field: &str, message: impl Into<String>) -> Problem {
    (format!("{key}.{field}"), invalid(key, field, message))
}

/// An unknown name at `key.field`; `what` names the kind only (where is in the key).
fn unknown(key: &str, field: &str, what: &str, name: &str, valid: &[&str]) -> Problem {
    let e = ArchError::UnknownName {
        what: what.to_string(),
        name: name.to_string(),
        suggestion: closest(name, valid.iter().copied()),
        valid: valid.iter().map(|s| s.to_string()).collect(),
    };
    (format!("{key}.{field}"), e)
}

/// Resolves `spec` (the section at dotted path `key`) into a validated [`DramConfig`];
/// several problems come back as one [`ArchError::Many`].
pub(crate) fn resolve(spec: &DramSpec, key: &str) -> Result<DramConfig, ArchError> {
    resolve_all(spec, key).map_err(|problems| {
        let list = problems
            .into_iter()
            .map(|(at, e)| match e {
                ArchError::UnknownName {
                    what,
                    name,
                    suggestion,
                    valid,
                } => ArchError::UnknownName {
                    what: format!("{what} at `{at}`"),
                    name,
                    suggestion,
                    valid,
                },
                other => other,
            })
            .collect();
        ArchError::from_list(list).unwrap_or_else(|| invalid(key, "preset", "is invalid"))
    })
}

/// Resolves `spec` (the section at dotted path `key`), reporting every problem found: each
/// is an [`ArchError::Invalid`] naming `key.field`, or an [`ArchError::UnknownName`] for
/// an unknown preset, page policy or scheduler. An unknown preset stops the checks (the
/// others need its geometry); checks that depend on an invalid value are skipped, so
/// one mistake gives one problem.
pub(crate) fn resolve_all(spec: &DramSpec, key: &str) -> Result<DramConfig, Vec<Problem>> {
    let Some(p) = presets::find(&spec.preset) else {
        return Err(vec![unknown(
            key,
            "preset",
            "DRAM preset",
            &spec.preset,
            &preset_names(),
        )]);
    };
    let mut problems = Vec::new();
    let g = p.geometry;
    let t = p.timing;
    let stacks = spec.stacks.unwrap_or(1);
    let per_stack = spec.channels.unwrap_or(g.channels);
    for (field, v) in [("stacks", stacks), ("channels", per_stack)] {
        if v == 0 {
            problems.push(invalid_at(key, field, "must be at least 1"));
        }
    }
    let channels = match per_stack.checked_mul(stacks) {
        Some(c) => c,
        None => {
            problems.push(invalid_at(key, "stacks", "channels × stacks overflows"));
            0
        }
    };
    let pick = |o: Option<u32>, d: u32| u64::from(o.unwrap_or(d));
    let timing = DramTiming {
        rcd: pick(spec.t_rcd, t.rcd),
        rp: pick(spec.t_rp, t.rp),
        cl: pick(spec.t_cl, t.cl),
        cwl: pick(spec.t_cwl, t.cwl),
        ras: pick(spec.t_ras, t.ras),
        ccd_s: pick(spec.t_ccd_s, t.ccd_s),
        ccd_l: pick(spec.t_ccd_l, t.ccd_l),
        rrd_s: pick(spec.t_rrd_s, t.rrd_s),
        rrd_l: pick(spec.t_rrd_l, t.rrd_l),
        faw: pick(spec.t_faw, t.faw),
        wr: pick(spec.t_wr, t.wr),
        wtr_s: pick(spec.t_wtr_s, t.wtr_s),
        wtr_l: pick(spec.t_wtr_l, t.wtr_l),
        rtp: pick(spec.t_rtp, t.rtp),
        refi: pick(spec.t_refi, t.refi),
        rfc: pick(spec.t_rfc, t.rfc),
        rtrs: pick(spec.t_rtrs, t.rtrs),
        burst: u64::from(spec.burst_length.unwrap_or(g.burst_length) / 2),
    };
    let page_policy = match spec.page_policy.as_deref() {
        None | Some("open") => PagePolicy::Open,
        Some("closed") => PagePolicy::Closed,
        Some(other) => {
            problems.push(unknown(
                key,
                "page_policy",
                "page policy",
                other,
                &["open", "closed"],
            ));
            PagePolicy::Open
        }
    };
    let scheduler = match spec.scheduler.as_deref() {
        None | Some("fr-fcfs") => Scheduler::FrFcfs,
        Some("fcfs") => Scheduler::Fcfs,
        Some(other) => {
            problems.push(unknown(
                key,
                "scheduler",
                "scheduler",
                other,
                &["fr-fcfs", "fcfs"],
            ));
            Scheduler::FrFcfs
        }
    };
    let mapping_text = spec.address_mapping.as_deref().unwrap_or(DEFAULT_MAPPING);
    let mapping = match AddressMapping::parse(mapping_text) {
        Ok(m) => Some(m),
        Err(m) => {
            problems.push(invalid_at(key, "address_mapping", m));
            None
        }
    };
    let data_rate_mtps = spec.data_rate_mtps.unwrap_or(g.data_rate_mtps);
    // Below 2 MT/s `validate` reports the rate; the check runs on a stand-in clock.
    let clock = match ClockDomain::from_hz(u64::from(data_rate_mtps.max(2)) * 500_000) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(invalid_at(
                key,
                "data_rate_mtps",
                format!("gives no valid clock: {e}"),
            ));
            None
        }
    };
    let (Some(mapping), Some(clock)) = (mapping, clock) else {
        return Err(problems);
    };
    let cfg = DramConfig {
        name: p.name.to_string(),
        channels,
        bus_bits: spec.bus_bits.unwrap_or(g.bus_bits),
        data_rate_mtps,
        stacks,
        pseudo_channels: spec.pseudo_channels.unwrap_or(g.pseudo_channels),
        ranks: spec.ranks.unwrap_or(g.ranks),
        bank_groups: spec.bank_groups.unwrap_or(g.bank_groups),
        banks_per_group: spec.banks_per_group.unwrap_or(g.banks_per_group),
        rows: spec.rows.unwrap_or(g.rows),
        row_bytes: spec.row_bytes.unwrap_or(g.row_bytes),
        burst_length: spec.burst_length.unwrap_or(g.burst_length),
        timing,
        command_cycles: u64::from(spec.command_cycles.unwrap_or(p.command_cycles)),
        page_policy,
        scheduler,
        queue_depth: spec.queue_depth.unwrap_or(DEFAULT_QUEUE_DEPTH),
        mapping,
        fast_path_min_bytes: spec
            .fast_path_min_bytes
            .unwrap_or(DEFAULT_FAST_PATH_MIN_BYTES),
        energy: EnergyTable {
            activate_pj: 0.0,
            read_burst_pj: 0.0,
            write_burst_pj: 0.0,
            refresh_pj: 0.0,
            background_mw: 0.0,
            io_pj_per_bit: 0.0,
        },
        clock,
    };
    validate(&cfg, key, &mut problems);
    let t = &cfg.timing;
    let base = p.energy.table(IddTiming {
        t_ck_ns: 2000.0 / f64::from(cfg.data_rate_mtps.max(2)),
        ras: t.ras,
        rp: t.rp,
        burst: t.burst,
        rfc: t.rfc,
    });
    let energy = EnergyTable {
        activate_pj: spec.activate_pj.unwrap_or(base.activate_pj),
        read_burst_pj: spec.read_burst_pj.unwrap_or(base.read_burst_pj),
        write_burst_pj: spec.write_burst_pj.unwrap_or(base.write_burst_pj),
        refresh_pj: spec.refresh_pj.unwrap_or(base.refresh_pj),
        background_mw: spec.background_mw.unwrap_or(base.background_mw),
        io_pj_per_bit: spec.io_pj_per_bit.unwrap_or(base.io_pj_per_bit),
    };
    for (field, v) in [
        ("activate_pj", energy.activate_pj),
        ("read_burst_pj", energy.read_burst_pj),
        ("write_burst_pj", energy.write_burst_pj),
        ("refresh_pj", energy.refresh_pj),
        ("background_mw", energy.background_mw),
        ("io_pj_per_bit", energy.io_pj_per_bit),
    ] {
        if !v.is_finite() || v < 0.0 {
            problems.push(invalid_at(
                key,
                field,
                format!("must be finite and >= 0, got {v}"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(DramConfig { energy, ..cfg })
    } else {
        Err(problems)
    }
}

/// Checks the geometry and timings of `c`, adding each problem to `problems`; checks whose
/// inputs are already invalid are skipped.
fn validate(c: &DramConfig, key: &str, problems: &mut Vec<Problem>) {
    let before = problems.len();
    for (field, v) in [
        ("pseudo_channels", c.pseudo_channels),
        ("ranks", c.ranks),
        ("queue_depth", c.queue_depth),
    ] {
        if v == 0 {
            problems.push(invalid_at(key, field, "must be at least 1"));
        }
    }
    for (field, v) in [
        ("bank_groups", c.bank_groups),
        ("banks_per_group", c.banks_per_group),
        ("rows", c.rows),
        ("row_bytes", c.row_bytes),
        ("burst_length", c.burst_length),
    ] {
        if v == 0 || !v.is_power_of_two() {
            problems.push(invalid_at(
                key,
                field,
                format!("must be a power of two >= 1 (DRAM address bits), got {v}"),
            ));
        }
    }
    if c.burst_length == 1 {
        problems.push(invalid_at(
            key,
            "burst_length",
            "must be at least 2 (two beats per cycle)",
        ));
    }
    if c.pseudo_channels > 0
        && (c.bus_bits == 0 || !c.bus_bits.is_multiple_of(8 * c.pseudo_channels))
    {
        problems.push(invalid_at(
            key,
            "bus_bits",
            format!(
                "must be a positive multiple of 8 × pseudo_channels = {}, got {}",
                8 * c.pseudo_channels,
                c.bus_bits
            ),
        ));
    }
    if c.data_rate_mtps < 2 {
        problems.push(invalid_at(key, "data_rate_mtps", "must be at least 2 MT/s"));
    }
    // The burst size and the capacity need a valid geometry.
    let geometry_ok = problems.len() == before && c.channels > 0;
    if geometry_ok {
        let bb = c.burst_bytes();
        if u64::from(c.row_bytes) < bb {
            problems.push(invalid_at(
                key,
                "row_bytes",
                format!(
                    "must hold at least one burst of {bb} bytes, got {}",
                    c.row_bytes
                ),
            ));
        }
    }
    let t = &c.timing;
    for (field, v) in [
        ("tRCD", t.rcd),
        ("tRP", t.rp),
        ("tCL", t.cl),
        ("tCWL", t.cwl),
        ("tRAS", t.ras),
        ("tCCD_S", t.ccd_s),
        ("tCCD_L", t.ccd_l),
        ("tRFC", t.rfc),
        ("tREFI", t.refi),
        ("command_cycles", c.command_cycles),
    ] {
        if v == 0 {
            problems.push(invalid_at(key, field, "must be at least 1 cycle"));
        }
    }
    let pairs = [
        ("tRAS", t.ras, "tRCD", t.rcd),
        ("tCCD_L", t.ccd_l, "tCCD_S", t.ccd_s),
        ("tRRD_L", t.rrd_l, "tRRD_S", t.rrd_s),
        ("tWTR_L", t.wtr_l, "tWTR_S", t.wtr_s),
    ];
    for (a, va, b, vb) in pairs {
        if va < vb {
            problems.push(invalid_at(
                key,
                a,
                format!("{a} = {va} is shorter than {b} = {vb}; expected {a} >= {b}"),
            ));
        }
    }
    if t.refi > 0 && t.refi <= t.rfc + t.rp {
        problems.push(invalid_at(
            key,
            "tREFI",
            format!(
                "tREFI = {} leaves no time between refreshes (tRFC + tRP = {})",
                t.refi,
                t.rfc + t.rp
            ),
        ));
    }
    if geometry_ok {
        let units = c.units();
        let capacity = [
            u64::from(c.ranks),
            u64::from(c.bank_groups),
            u64::from(c.banks_per_group),
            u64::from(c.rows),
            u64::from(c.row_bytes),
        ]
        .into_iter()
        .try_fold(units, u64::checked_mul);
        let banks_fit = c.bank_groups.checked_mul(c.banks_per_group).is_some();
        if capacity.is_none() || !banks_fit || units > u64::from(u32::MAX) {
            problems.push(invalid_at(key, "channels", "the geometry is too large"));
        }
    }
}
