//! DRAM energy: per-action energies and background power.
//!
//! **Method.** The IDD-current method of Micron's power notes (TN-41-01 for DDR3,
//! TN-40-07 for DDR4) as implemented by DRAMPower and DRAMsim3: with supply `VDD`, clock
//! period `tCK` (ns), the timings in cycles and `n` devices per (pseudo-)channel,
//!
//! - activate + precharge pair: `VDD · (IDD0·tRC − IDD3N·tRAS − IDD2N·(tRC − tRAS)) · tCK · n`
//!   with `tRC = tRAS + tRP`;
//! - read burst: `VDD · (IDD4R − IDD3N) · tBURST · tCK · n`;
//! - write burst: `VDD · (IDD4W − IDD3N) · tBURST · tCK · n`;
//! - all-bank refresh: `VDD · (IDD5AB − IDD3N) · tRFC · tCK · n`;
//! - background: `VDD · IDD3N · n` (active standby: the open-page model keeps rows open).
//!
//! mA × V × ns = pJ. The currents of each preset and their sources are in
//! [`crate::dram::presets`]; where no datasheet currents were available the preset gives
//! fixed energies derived from a neighbouring part (documented there).
//!
//! **Not included by default:** interface (I/O driver and termination) energy, which the
//! IDD currents do not contain (DRAMPower excludes it as well). It is the larger share for
//! off-package DDR (Li, Reddy & Jacob, MEMSYS 2018). Set `io_pj_per_bit` to add it per bit
//! moved; the default is 0.

/// Per-action energies of one (pseudo-)channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnergyTable {
    /// One activate + precharge pair, pJ.
    pub activate_pj: f64,
    /// One read burst (`burst_bytes`), pJ.
    pub read_burst_pj: f64,
    /// One write burst, pJ.
    pub write_burst_pj: f64,
    /// One all-bank refresh of one rank, pJ.
    pub refresh_pj: f64,
    /// Background (standby) power of one (pseudo-)channel, mW.
    pub background_mw: f64,
    /// Interface energy per bit moved, pJ (0 unless set).
    pub io_pj_per_bit: f64,
}

/// IDD currents (mA) of one DRAM device and the devices per (pseudo-)channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Idd {
    pub vdd: f64,
    pub idd0: f64,
    pub idd2n: f64,
    pub idd3n: f64,
    pub idd4r: f64,
    pub idd4w: f64,
    pub idd5ab: f64,
    pub devices: f64,
}

/// Where a preset's energies come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PresetEnergy {
    /// Computed by the IDD method from currents and the resolved timings.
    Idd(Idd),
    /// Fixed values (derivation in the preset's comment).
    Fixed(EnergyTable),
}

/// Timings needed by the IDD method, in cycles, and the clock period in ns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IddTiming {
    pub t_ck_ns: f64,
    pub ras: u64,
    pub rp: u64,
    pub burst: u64,
    pub rfc: u64,
}

impl Idd {
    /// The energy table of these currents at timing `t`.
    pub(crate) fn table(&self, t: IddTiming) -> EnergyTable {
        let k = self.vdd * t.t_ck_ns * self.devices;
        let rc = (t.ras + t.rp) as f64;
        let act = self.idd0 * rc - self.idd3n * t.ras as f64 - self.idd2n * t.rp as f64;
        EnergyTable {
            activate_pj: (k * act).max(0.0),
            read_burst_pj: (k * (self.idd4r - self.idd3n) * t.burst as f64).max(0.0),
            write_burst_pj: (k * (self.idd4w - self.idd3n) * t.burst as f64).max(0.0),
            refresh_pj: (k * (self.idd5ab - self.idd3n) * t.rfc as f64).max(0.0),
            background_mw: self.vdd * self.idd3n * self.devices,
            io_pj_per_bit: 0.0,
        }
    }
}

impl PresetEnergy {
    /// The preset's table at timing `t`.
    pub(crate) fn table(&self, t: IddTiming) -> EnergyTable {
        match self {
            PresetEnergy::Idd(idd) => idd.table(t),
            PresetEnergy::Fixed(table) => *table,
        }
    }
}
