//! The raw `[dram]` TOML section: a preset name plus optional overrides.

use serde::Deserialize;

/// The `[dram]` section of a platform: a preset plus overrides of any of its fields.
///
/// Timings are in cycles of the model clock (`data_rate_mtps / 2` MHz; see
/// [`crate::dram`]). Unset fields keep the preset's value.
///
/// ```
/// use arch::dram::DramSpec;
/// let spec: DramSpec = toml::from_str("preset = \"HBM2e\"\nstacks = 4\ntRCD = 24").unwrap();
/// let cfg = spec.resolve("dram").unwrap();
/// assert_eq!(cfg.timing.rcd, 24);
/// assert_eq!(cfg.peak_bytes_per_s(), 4.0 * 409.6e9);
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DramSpec {
    /// Preset name (see [`crate::dram::preset_names`]).
    pub preset: String,
    /// Channels per stack / DIMM (HBM: 128-bit channels for HBM2/2E, 64-bit for HBM3).
    pub channels: Option<u32>,
    /// Pseudo-channels per channel; each is scheduled independently and has
    /// `bus_bits / pseudo_channels` data bits.
    pub pseudo_channels: Option<u32>,
    /// Number of HBM stacks / DIMMs; multiplies channels. Default 1.
    pub stacks: Option<u32>,
    /// Ranks per (pseudo-)channel.
    pub ranks: Option<u32>,
    /// Bank groups per rank (power of two).
    pub bank_groups: Option<u32>,
    /// Banks per bank group (power of two).
    pub banks_per_group: Option<u32>,
    /// Rows per bank (power of two).
    pub rows: Option<u32>,
    /// Row (page) size of one bank across the (pseudo-)channel's width, bytes.
    pub row_bytes: Option<u32>,
    /// Burst length, beats (even).
    pub burst_length: Option<u32>,
    /// Data bus width per channel, bits.
    pub bus_bits: Option<u32>,
    /// Transfer rate per pin, MT/s.
    pub data_rate_mtps: Option<u32>,
    /// ACT → RD/WR, cycles.
    #[serde(rename = "tRCD")]
    pub t_rcd: Option<u32>,
    /// PRE → ACT, cycles.
    #[serde(rename = "tRP")]
    pub t_rp: Option<u32>,
    /// RD → first data beat (CAS latency), cycles.
    #[serde(rename = "tCL")]
    pub t_cl: Option<u32>,
    /// WR → first data beat (CAS write latency), cycles.
    #[serde(rename = "tCWL")]
    pub t_cwl: Option<u32>,
    /// ACT → PRE, cycles.
    #[serde(rename = "tRAS")]
    pub t_ras: Option<u32>,
    /// Column command → column command, different bank groups, cycles.
    #[serde(rename = "tCCD_S")]
    pub t_ccd_s: Option<u32>,
    /// Column command → column command, same bank group, cycles.
    #[serde(rename = "tCCD_L")]
    pub t_ccd_l: Option<u32>,
    /// ACT → ACT, different bank groups of a rank, cycles.
    #[serde(rename = "tRRD_S")]
    pub t_rrd_s: Option<u32>,
    /// ACT → ACT, same bank group, cycles.
    #[serde(rename = "tRRD_L")]
    pub t_rrd_l: Option<u32>,
    /// Window holding at most four ACTs of a rank, cycles.
    #[serde(rename = "tFAW")]
    pub t_faw: Option<u32>,
    /// Write recovery: end of write data → PRE, cycles.
    #[serde(rename = "tWR")]
    pub t_wr: Option<u32>,
    /// End of write data → RD, different bank groups, cycles.
    #[serde(rename = "tWTR_S")]
    pub t_wtr_s: Option<u32>,
    /// End of write data → RD, same bank group, cycles.
    #[serde(rename = "tWTR_L")]
    pub t_wtr_l: Option<u32>,
    /// RD → PRE, cycles.
    #[serde(rename = "tRTP")]
    pub t_rtp: Option<u32>,
    /// Refresh interval (one all-bank refresh per rank), cycles.
    #[serde(rename = "tREFI")]
    pub t_refi: Option<u32>,
    /// Refresh cycle time (rank blocked after REF), cycles.
    #[serde(rename = "tRFC")]
    pub t_rfc: Option<u32>,
    /// Data-bus gap when consecutive bursts come from different ranks, cycles.
    #[serde(rename = "tRTRS")]
    pub t_rtrs: Option<u32>,
    /// Cycles the command bus is busy per command (1 for DDR3/DDR4/HBM2).
    pub command_cycles: Option<u32>,
    /// Row-buffer policy: `"open"` (rows stay open until a conflict) or `"closed"` (a row
    /// is auto-precharged after its last queued access).
    pub page_policy: Option<String>,
    /// Address mapping, most significant field first (see [`crate::dram::AddressMapping`]).
    pub address_mapping: Option<String>,
    /// Request scheduler: `"fr-fcfs"` (row hits first, then oldest) or `"fcfs"`.
    pub scheduler: Option<String>,
    /// Request-queue depth per (pseudo-)channel, bursts.
    pub queue_depth: Option<u32>,
    /// Requests of at least this many bytes use the steady-state (fast) model.
    pub fast_path_min_bytes: Option<u64>,
    /// Energy of one activate + precharge pair, pJ.
    pub activate_pj: Option<f64>,
    /// Energy of one read burst, pJ.
    pub read_burst_pj: Option<f64>,
    /// Energy of one write burst, pJ.
    pub write_burst_pj: Option<f64>,
    /// Energy of one all-bank refresh of one rank, pJ.
    pub refresh_pj: Option<f64>,
    /// Background power per (pseudo-)channel, mW.
    pub background_mw: Option<f64>,
    /// Interface (I/O) energy per bit moved, pJ.
    pub io_pj_per_bit: Option<f64>,
}
