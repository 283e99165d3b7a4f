//! FPGA platforms: a PE array, buffers and HBM/DDR at FPGA clocks, checked against the
//! device's DSP and block-RAM budgets.
//!
//! An FPGA accelerator is described like any other platform (`[pe_array]`,
//! `[global_buffer]`, `[dram]`, `[nonlinear]`, `clock_mhz` = the fabric clock); the optional
//! `[fpga]` section adds the device and turns its resources into **validation limits**:
//!
//! * **DSP slices.** The PE array needs `⌈R·C / macs_per_dsp⌉` DSP slices, where
//!   `macs_per_dsp` is the number of multiply-accumulates one slice completes per cycle at
//!   the array's operand width ([`default_macs_per_dsp`], overridable). More than
//!   `fpga.dsp_slices` is an error naming both numbers.
//! * **Block RAM.** The global buffer must fit the device's BRAM36 and URAM blocks, counted
//!   at their data capacity: [`BRAM36_BYTES`] per BRAM36 and [`URAM_BYTES`] per URAM288
//!   (the ninth bit of each byte is parity/ECC). More is an error naming both numbers.
//! * **Clock.** With `max_clock_mhz`, a `clock_mhz` above it is an error.
//! * **Memory ports.** With `mem_bandwidth_gb_s`, off-chip traffic is also limited by the
//!   fabric side of the memory interface (AXI ports × width × clock): see [`CappedMemory`].
//! * **Sparsity.** `effective_macs_factor` (≥ 1) divides the compute cycles of linear
//!   operations: an approximation of sparse MAC units that skip zero weights (FlightLLM's
//!   sparse DSP chain). It does not reduce the weight bytes moved, does not model the
//!   index metadata, and makes level-1 cycles differ from the dense cycle-stepped reference.
//!
//! LUTs are recorded (`luts`) but not checked: a PE's accumulator, the reduction tree's
//! adders and the control logic are not counted in LUTs. FPGA energy uses the same
//! per-node ASIC tables as other platforms: the fabric's routing and DSP overheads are not
//! modelled (override `pe_array.energy.mac_pj` and friends for FPGA-specific figures).
//!
//! ## DSPs per MAC ([`default_macs_per_dsp`])
//! | slice | int ≤ 4 b | int ≤ 8 b | int ≤ 18 b (≤ 24 b on DSP58) | fp ≤ 16 b | fp ≤ 32 b |
//! | --- | --- | --- | --- | --- | --- |
//! | DSP48E2 (UltraScale+) | 4 | 2 | 1 | 1 | 1/2 |
//! | DSP58 (Versal) | 3 | 3 | 1 | 1 | 1 |
//!
//! Sources: DSP48E2 is a 27×18 multiplier with a 48-bit accumulator (Xilinx UG579); two
//! int8 multiplies that share one operand pack into one slice (Xilinx WP486, "Deep Learning
//! with INT8 Optimization on Xilinx Devices"); four int4 multiplies per slice (Xilinx WP521,
//! "Convolutional Neural Network with INT4 Optimization"). DSP58 is 27×24 with a native
//! fp32 mode and an int8 three-element dot-product mode (AMD AM004, Versal DSP Engine).
//! First-principles estimates: an fp16/bf16 multiply needs one slice for its 11×11 (8×8)
//! mantissa product, exponent and normalisation in LUTs; an fp32 multiply on DSP48E2 needs
//! two slices for its 24×24 mantissa product; int4 on DSP58 is not packed beyond int8.
//!
//! ```
//! use arch::Platform;
//! let p = Platform::load("flightllm-u280", &[]).unwrap();
//! let f = p.fpga.as_ref().unwrap();
//! assert_eq!(f.dsps_needed, 6144); // 12288 int8 MACs ÷ 2 per DSP48E2
//! ```

use serde::{Deserialize, Serialize};
use sim_core::{PS_PER_SECOND, Time};

use crate::memory::{MemCompletion, MemCounts, MemRequest, OffChipMemory};
use crate::pe_array::PeArray;
use crate::sram::SramBuffer;
use crate::tech::Arithmetic;

/// Data bytes of one BRAM36 block: 36 Kb of which 32 Kb are data (Xilinx UG573).
pub const BRAM36_BYTES: u64 = 4096;
/// Data bytes of one URAM288 block: 4K × 72 b of which 64 b per word are data (UG573).
pub const URAM_BYTES: u64 = 32768;

/// The DSP slice of the device family.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DspKind {
    /// UltraScale/UltraScale+ DSP48E2: 27×18 multiplier, 48-bit accumulator (UG579).
    Dsp48e2,
    /// Versal DSP58: 27×24 multiplier, 58-bit accumulator, fp32 mode (AM004).
    Dsp58,
}

impl DspKind {
    /// The slice's name as the vendor writes it.
    pub fn name(self) -> &'static str {
        match self {
            DspKind::Dsp48e2 => "DSP48E2",
            DspKind::Dsp58 => "DSP58",
        }
    }
}

/// MACs one slice completes per cycle at `bits`-wide operands (see the module table).
pub fn default_macs_per_dsp(kind: DspKind, arith: Arithmetic, bits: u32) -> f64 {
    match (kind, arith) {
        (DspKind::Dsp48e2, Arithmetic::Int) => match bits {
            0..=4 => 4.0,
            5..=8 => 2.0,
            9..=18 => 1.0,
            19..=27 => 0.5,
            _ => 0.25,
        },
        (DspKind::Dsp48e2, Arithmetic::Fp) => match bits {
            0..=16 => 1.0,
            17..=32 => 0.5,
            _ => 0.25,
        },
        (DspKind::Dsp58, Arithmetic::Int) => match bits {
            0..=8 => 3.0,
            9..=24 => 1.0,
            _ => 0.5,
        },
        (DspKind::Dsp58, Arithmetic::Fp) => match bits {
            0..=32 => 1.0,
            _ => 0.25,
        },
    }
}

/// `[fpga]`: the device and the design's FPGA-specific parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFpga {
    /// Device or board name (e.g. `"xcu280"`).
    pub device: String,
    /// `"dsp48e2"` or `"dsp58"`.
    pub dsp_kind: DspKind,
    /// DSP slices on the device.
    pub dsp_slices: u64,
    /// BRAM36 blocks on the device.
    pub bram36: u64,
    /// URAM288 blocks on the device.
    pub uram: u64,
    /// LUTs on the device (recorded, not checked).
    pub luts: u64,
    /// MACs per DSP slice per cycle (default: [`default_macs_per_dsp`]).
    pub macs_per_dsp: Option<f64>,
    /// Highest clock the design may use, MHz.
    pub max_clock_mhz: Option<f64>,
    /// Fabric-side limit of the off-chip memory interface, GB/s (10⁹ bytes/s).
    pub mem_bandwidth_gb_s: Option<f64>,
    /// Dense MACs done per physical MAC slot thanks to skipped zero weights (≥ 1).
    pub effective_macs_factor: Option<f64>,
}

/// A validated `[fpga]` section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fpga {
    /// Device or board name.
    pub device: String,
    /// DSP slice kind.
    pub dsp_kind: DspKind,
    /// DSP slices on the device.
    pub dsp_slices: u64,
    /// BRAM36 blocks on the device.
    pub bram36: u64,
    /// URAM288 blocks on the device.
    pub uram: u64,
    /// LUTs on the device.
    pub luts: u64,
    /// MACs per slice per cycle at the PE array's operand width.
    pub macs_per_dsp: f64,
    /// Highest clock, MHz.
    pub max_clock_mhz: Option<f64>,
    /// Fabric-side memory-interface limit, bytes/s.
    pub mem_bandwidth_bytes_per_s: Option<u64>,
    /// Sparse speed-up of linear operations (1 = dense).
    pub effective_macs_factor: f64,
    /// DSP slices the PE array uses (0 without a PE array).
    pub dsps_needed: u64,
}

impl Fpga {
    /// Data bytes of all BRAM36 and URAM blocks.
    pub fn block_ram_bytes(&self) -> u64 {
        self.bram36 * BRAM36_BYTES + self.uram * URAM_BYTES
    }
}

/// DSP slices for `macs` MACs per cycle at `macs_per_dsp` MACs per slice.
pub fn dsps_for(macs: u64, macs_per_dsp: f64) -> u64 {
    (macs as f64 / macs_per_dsp).ceil() as u64
}

/// One validation problem: (dotted key, message).
pub(crate) type Problem = (String, String);

/// Validates `raw` against the platform's PE array, global buffer and clock. Returns the
/// section (when its own values are valid) and every problem found.
pub(crate) fn build(
    raw: &RawFpga,
    pe: Option<&PeArray>,
    buffer: Option<&SramBuffer>,
    clock_mhz: f64,
) -> (Option<Fpga>, Vec<Problem>) {
    let mut problems: Vec<Problem> = Vec::new();
    let mut bad = |key: &str, msg: String| problems.push((key.to_string(), msg));
    let mut ok = true;
    if raw.device.trim().is_empty() {
        bad(
            "fpga.device",
            "is empty; expected the device or board name".into(),
        );
        ok = false;
    }
    if raw.dsp_slices == 0 && pe.is_some() {
        bad(
            "fpga.dsp_slices",
            "is 0; expected the device's DSP slice count (>= 1)".into(),
        );
        ok = false;
    }
    let pos = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && v > 0.0);
    if !pos(raw.macs_per_dsp) {
        bad(
            "fpga.macs_per_dsp",
            format!("is {:?}; expected a finite value > 0", raw.macs_per_dsp),
        );
        ok = false;
    }
    if !pos(raw.max_clock_mhz) {
        bad(
            "fpga.max_clock_mhz",
            format!("is {:?}; expected a frequency > 0 MHz", raw.max_clock_mhz),
        );
        ok = false;
    } else if let Some(max) = raw.max_clock_mhz
        && clock_mhz > max
    {
        bad(
            "clock_mhz",
            format!("is {clock_mhz} MHz; the device allows at most fpga.max_clock_mhz = {max} MHz"),
        );
    }
    if !pos(raw.mem_bandwidth_gb_s) {
        bad(
            "fpga.mem_bandwidth_gb_s",
            format!(
                "is {:?}; expected a bandwidth > 0 GB/s",
                raw.mem_bandwidth_gb_s
            ),
        );
        ok = false;
    }
    let factor = raw.effective_macs_factor.unwrap_or(1.0);
    if !(factor.is_finite() && factor >= 1.0) {
        bad(
            "fpga.effective_macs_factor",
            format!("is {factor}; expected a finite factor >= 1 (1 = dense)"),
        );
        ok = false;
    }
    let macs_per_dsp = match pe {
        Some(pe) => raw
            .macs_per_dsp
            .unwrap_or_else(|| default_macs_per_dsp(raw.dsp_kind, pe.arithmetic, pe.operand_bits)),
        None => raw.macs_per_dsp.unwrap_or(1.0),
    };
    let dsps_needed = match pe {
        Some(pe) if ok => dsps_for(pe.n_pes(), macs_per_dsp),
        _ => 0,
    };
    if let Some(pe) = pe
        && ok
        && dsps_needed > raw.dsp_slices
    {
        bad(
            "fpga.dsp_slices",
            format!(
                "is {avail}; the {r}x{c} pe_array needs {dsps_needed} DSP slices \
                 ({macs} MACs per cycle at {macs_per_dsp} {arith}{bits} MACs per {kind}): \
                 needed {dsps_needed} > available {avail}; shrink pe_array.rows/cols or \
                 narrow pe_array.operand_bits",
                avail = raw.dsp_slices,
                r = pe.rows,
                c = pe.cols,
                macs = pe.n_pes(),
                arith = match pe.arithmetic {
                    Arithmetic::Int => "int",
                    Arithmetic::Fp => "fp",
                },
                bits = pe.operand_bits,
                kind = raw.dsp_kind.name(),
            ),
        );
    }
    let fpga = Fpga {
        device: raw.device.clone(),
        dsp_kind: raw.dsp_kind,
        dsp_slices: raw.dsp_slices,
        bram36: raw.bram36,
        uram: raw.uram,
        luts: raw.luts,
        macs_per_dsp,
        max_clock_mhz: raw.max_clock_mhz,
        mem_bandwidth_bytes_per_s: raw.mem_bandwidth_gb_s.map(|g| (g * 1e9).round() as u64),
        effective_macs_factor: factor,
        dsps_needed,
    };
    if let Some(buf) = buffer {
        let avail = fpga.block_ram_bytes();
        if buf.size_bytes > avail {
            bad(
                "global_buffer.size_kib",
                format!(
                    "needs {need} bytes of block RAM but the device has {avail} \
                     (fpga.bram36 = {b} x {BRAM36_BYTES} B + fpga.uram = {u} x {URAM_BYTES} B): \
                     needed {need} > available {avail}",
                    need = buf.size_bytes,
                    b = raw.bram36,
                    u = raw.uram,
                ),
            );
        }
    }
    (ok.then_some(fpga), problems)
}

/// Off-chip memory seen through a fabric-side port limit (FPGA AXI ports to HBM/DDR).
///
/// **Timing rule.** A request of `N` bytes ready at `r` enters the ports at
/// `s = max(r, free)` and occupies them for `⌈N · 10¹² / B⌉` ps (`B` the port limit in
/// bytes/s); the inner memory serves it from `s`. It completes when both the inner memory
/// has delivered it and the ports have carried it. Counts and energy are the inner
/// memory's; the peak is the smaller of the two.
pub struct CappedMemory {
    inner: Box<dyn OffChipMemory>,
    bytes_per_s: u64,
    free_at: Time,
}

impl CappedMemory {
    /// `inner` limited to `bytes_per_s` (≥ 1).
    pub fn new(inner: Box<dyn OffChipMemory>, bytes_per_s: u64) -> Self {
        CappedMemory {
            inner,
            bytes_per_s: bytes_per_s.max(1),
            free_at: Time::ZERO,
        }
    }

    fn occupancy(&self, bytes: u64) -> Time {
        let ps = (bytes as u128 * PS_PER_SECOND as u128).div_ceil(self.bytes_per_s as u128);
        Time::from_ps(u64::try_from(ps).unwrap_or(u64::MAX))
    }
}

impl OffChipMemory for CappedMemory {
    fn name(&self) -> String {
        format!(
            "{} via {:.1} GB/s fabric ports",
            self.inner.name(),
            self.bytes_per_s as f64 / 1e9
        )
    }
    fn peak_bytes_per_s(&self) -> f64 {
        self.inner.peak_bytes_per_s().min(self.bytes_per_s as f64)
    }
    fn access(&mut self, ready: Time, req: &MemRequest) -> MemCompletion {
        let start = ready.max(self.free_at);
        self.free_at = start + self.occupancy(req.bytes);
        let c = self.inner.access(start, req);
        MemCompletion {
            start: c.start.max(start),
            done: c.done.max(self.free_at),
            counts: c.counts,
        }
    }
    fn energy_table_pj(&self) -> Vec<(&'static str, f64)> {
        self.inner.energy_table_pj()
    }
    fn energy_pj(&self, counts: &MemCounts, bytes_read: u64, bytes_written: u64) -> f64 {
        self.inner.energy_pj(counts, bytes_read, bytes_written)
    }
    fn energy_breakdown_pj(
        &self,
        counts: &MemCounts,
        bytes_read: u64,
        bytes_written: u64,
    ) -> Vec<(&'static str, u64, f64)> {
        self.inner
            .energy_breakdown_pj(counts, bytes_read, bytes_written)
    }
    fn background_mw(&self) -> f64 {
        self.inner.background_mw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{AccessPattern, IdealMemory};

    #[test]
    fn ports_slower_than_memory_set_the_pace() {
        // Inner 2 GB/s + 10 ns latency, ports 1 GB/s: 100 bytes take 100 ns on the ports
        // (50 ns + 10 ns in the memory), so done at 100 ns; the next starts at 100 ns.
        let inner = Box::new(IdealMemory::new(2_000_000_000, Time::from_ns(10), 0.5));
        let mut m = CappedMemory::new(inner, 1_000_000_000);
        let r = MemRequest {
            addr: 0,
            bytes: 100,
            write: false,
            pattern: AccessPattern::Sequential,
        };
        let a = m.access(Time::ZERO, &r);
        assert_eq!((a.start, a.done), (Time::ZERO, Time::from_ns(100)));
        let b = m.access(Time::ZERO, &r);
        assert_eq!((b.start, b.done), (Time::from_ns(100), Time::from_ns(200)));
        assert_eq!(m.peak_bytes_per_s(), 1e9);
        assert_eq!(m.energy_pj(&a.counts, 100, 0), 50.0);
    }

    #[test]
    fn dsp_rule_table() {
        use Arithmetic::{Fp, Int};
        assert_eq!(default_macs_per_dsp(DspKind::Dsp48e2, Int, 8), 2.0);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp48e2, Int, 4), 4.0);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp48e2, Int, 16), 1.0);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp48e2, Fp, 16), 1.0);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp48e2, Fp, 32), 0.5);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp58, Int, 8), 3.0);
        assert_eq!(default_macs_per_dsp(DspKind::Dsp58, Fp, 32), 1.0);
        // 12288 MACs at 2 per slice = 6144; 16384 at 3 = 5461.33 → 5462.
        assert_eq!(dsps_for(12288, 2.0), 6144);
        assert_eq!(dsps_for(16384, 3.0), 5462);
    }
}
