//! Bank-level PIM (HBM-PIM / GDDR6-AiM / AttAcc style).
//!
//! # Structure
//! `devices` (stacks or chips) × `channels_per_device` (pseudo-)channels ×
//! `banks_per_channel` banks; one processing unit (PU) per `banks_per_pu` banks, with
//! `pu_lanes` MAC lanes at `pu_clock_mhz`. In all-bank mode the host issues one command
//! and every bank of a channel acts on it: each PU receives `column_bytes` every
//! `tccd_ns`, so
//!
//! * internal bandwidth = PUs × `column_bytes` / `tccd_ns`,
//! * external bandwidth = channels × `external_gb_per_s_per_channel`,
//! * peak compute = PUs × `pu_lanes` × 2 × `pu_clock_mhz` (FLOPS).
//!
//! # GEMV `y[N] = x[K] · W[K×N]` (weights resident, one weight row per output)
//! Output rows are dealt to PUs round-robin; when `N` < PUs a row is split over
//! `s = ⌊PUs / N⌋` PUs (its partial sums are added by the host). Per PU, the work is
//! `items = ⌈N·s / PUs⌉` rows of `⌈K / s⌉` elements, streamed from its banks in
//! *row steps*: all banks of the PU open a row (`ACT`, all-bank), the PU reads
//! `cols = min(row_bytes × banks_per_pu, left) / column_bytes` columns, one per `tccd`,
//! then the rows are closed: a step takes `max(tras, trcd + cols·tccd) + trp` (+ the
//! host's `command_ns_per_row`). Compute overlaps the stream; the PU time is the larger of
//! the two. An all-bank refresh of `trfc` stops everything once every `trefi`, adding
//! `⌊t / (trefi − trfc)⌋ · trfc`. The input vector is broadcast to every channel over the
//! channel bus (`K·bytes / external_gb_per_s_per_channel`), in chunks of
//! `input_buffer_bytes` when it does not fit (each chunk loaded, then streamed); outputs
//! are read back over the channel buses. A kernel pays `kernel_overhead_ns` once
//! (mode switches, configuration).
//!
//! GEMM streams the weights once per `⌈M / vectors_per_pass⌉` passes. Element-wise work
//! streams two operands and writes one result per element through the PUs. Softmax runs
//! only where the device has a softmax unit (`softmax_gelems_per_s_per_device`).
//! Attention: see [`super::attention`].

use serde::Deserialize;
use sim_core::{ClockDomain, Time};

use crate::ArchError;
use crate::imc::kernel::{
    ElementwiseOp, Fidelity, Kernel, KernelClass, KernelEstimate, Phase, at_least_one, div_ceil,
    energy_report, non_negative, positive, ps_for, rate_per_s, unsupported,
};
use crate::pim::attention::AttentionOffloadSpec;

pub(crate) const UNIT: &str = "pim";

/// `[pim]` with `level = "bank"`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BankPimSpec {
    /// Memory technology, for reports (`"HBM2"`, `"GDDR6"`, `"HBM3"`).
    pub memory: String,
    /// Stacks or chips.
    pub devices: u32,
    /// (Pseudo-)channels per device.
    pub channels_per_device: u32,
    /// PIM banks per channel.
    pub banks_per_channel: u32,
    /// Banks sharing one processing unit.
    pub banks_per_pu: u32,
    /// MAC lanes per PU.
    pub pu_lanes: u32,
    /// PU clock, MHz.
    pub pu_clock_mhz: f64,
    /// Bits per operand element (16 for fp16/bf16).
    pub element_bits: u32,
    /// Bytes a PU receives per column access.
    pub column_bytes: u32,
    /// Bytes per bank row (page).
    pub row_bytes: u32,
    /// All-bank column-to-column interval, ns.
    pub tccd_ns: f64,
    /// Activate to column command, ns.
    pub trcd_ns: f64,
    /// Precharge, ns.
    pub trp_ns: f64,
    /// Minimum row-open time, ns.
    pub tras_ns: f64,
    /// Refresh interval, ns.
    pub trefi_ns: f64,
    /// Refresh duration (all-bank), ns.
    pub trfc_ns: f64,
    /// External (host) bandwidth per channel, GB/s (10⁹ B/s).
    pub external_gb_per_s_per_channel: f64,
    /// Capacity per device, GiB.
    pub capacity_gib_per_device: f64,
    /// Input vector buffer per channel (global buffer / registers), bytes.
    pub input_buffer_bytes: u32,
    /// Input vectors a PU holds at once (GEMM reuse; default 1).
    pub vectors_per_pass: Option<u32>,
    /// Host overhead per kernel (mode switches, configuration), ns.
    pub kernel_overhead_ns: f64,
    /// Extra host command time per row step, ns (default 0).
    pub command_ns_per_row: Option<f64>,
    /// Softmax unit throughput per device, 10⁹ elements per second (absent: none).
    pub softmax_gelems_per_s_per_device: Option<f64>,
    /// Attention offload (AttAcc-like systems).
    pub attention: Option<AttentionOffloadSpec>,
    /// Energy per action; every key optional.
    #[serde(default)]
    pub energy: BankPimEnergySpec,
}

/// `[pim.energy]` for bank-level PIM. Defaults follow the DRAM energy breakdown of
/// FGDRAM (O'Connor et al., MICRO 2017) as used by the AttAcc simulator
/// (github.com/scale-snu/attacc_simulator, `src/config.py`): row activation 0.11 pJ/bit of
/// the opened row, cell read to the bank's PU 0.44 pJ/bit, and the path out of the device
/// (column decoder → bank-group mux → global I/O → TSV → interposer) 1.01 + 1.23 + 0.5 +
/// 0.3 pJ/bit. A fp16 MAC 1.5 pJ (Horowitz, ISSCC 2014, 45 nm: fp16 multiply 1.1 + add
/// 0.4; DRAM-process logic is no better). Softmax 5 pJ per element and no background
/// power: first-principles estimates.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BankPimEnergySpec {
    /// Per bank row activation (ACT + PRE), pJ (default 0.11 pJ/bit × row bits).
    pub activate_pj: Option<f64>,
    /// Per byte read from a bank into its PU, pJ (default 3.52).
    pub internal_read_pj_per_byte: Option<f64>,
    /// Per byte over the channel bus and off the device, pJ (default 24.32).
    pub external_pj_per_byte: Option<f64>,
    /// Per MAC, pJ (default 1.5).
    pub mac_pj: Option<f64>,
    /// Per softmax element on the device, pJ (default 5).
    pub softmax_pj_per_elem: Option<f64>,
    /// Background power per device, mW (default 0).
    pub background_mw_per_device: Option<f64>,
}

/// Resolved bank-level PIM energy table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BankPimEnergy {
    /// Per row activation, pJ.
    pub activate_pj: f64,
    /// Per byte bank → PU, pJ.
    pub internal_read_pj_per_byte: f64,
    /// Per byte over the external interface, pJ.
    pub external_pj_per_byte: f64,
    /// Per MAC, pJ.
    pub mac_pj: f64,
    /// Per softmax element, pJ.
    pub softmax_pj_per_elem: f64,
    /// Background per device, mW.
    pub background_mw_per_device: f64,
}

/// A validated bank-level PIM system. Times are picoseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct BankPim {
    /// Memory technology.
    pub memory: String,
    /// Devices.
    pub devices: u64,
    /// Channels per device.
    pub channels_per_device: u64,
    /// Banks per channel.
    pub banks_per_channel: u64,
    /// Banks per PU.
    pub banks_per_pu: u64,
    /// Lanes per PU.
    pub pu_lanes: u64,
    /// PU clock.
    pub pu_clock: ClockDomain,
    /// Bytes per element.
    pub element_bytes: u64,
    /// Bytes per column access.
    pub column_bytes: u64,
    /// Bytes per row.
    pub row_bytes: u64,
    /// tCCD (all-bank), ps.
    pub tccd_ps: u64,
    /// tRCD, ps.
    pub trcd_ps: u64,
    /// tRP, ps.
    pub trp_ps: u64,
    /// tRAS, ps.
    pub tras_ps: u64,
    /// tREFI, ps.
    pub trefi_ps: u64,
    /// tRFC, ps.
    pub trfc_ps: u64,
    /// External bandwidth per channel, bytes/s.
    pub external_bytes_per_s_per_channel: u64,
    /// Capacity per device, bytes.
    pub capacity_bytes_per_device: u64,
    /// Input buffer per channel, bytes.
    pub input_buffer_bytes: u64,
    /// Vectors per pass.
    pub vectors_per_pass: u64,
    /// Kernel overhead, ps.
    pub kernel_overhead_ps: u64,
    /// Command time per row step, ps.
    pub command_ps_per_row: u64,
    /// Softmax unit, elements/s per device.
    pub softmax_elems_per_s_per_device: Option<u64>,
    /// Attention offload configuration.
    pub attention: Option<crate::pim::attention::AttentionOffload>,
    /// Energy table.
    pub energy: BankPimEnergy,
}

fn ns_to_ps(key: &str, ns: f64) -> Result<u64, ArchError> {
    Ok((non_negative(key, ns)? * 1e3).round() as u64)
}

impl BankPimSpec {
    /// Validates the section at `key`.
    pub fn validate(&self, key: &str) -> Result<BankPim, ArchError> {
        let k = |f: &str| format!("{key}.{f}");
        let one = |f: &str, v: u32| at_least_one(&k(f), u64::from(v));
        let element_bits = one("element_bits", self.element_bits)?;
        if element_bits % 8 != 0 {
            return Err(ArchError::Invalid {
                key: k("element_bits"),
                message: format!("{element_bits} bits: expected a multiple of 8"),
            });
        }
        let column_bytes = one("column_bytes", self.column_bytes)?;
        let row_bytes = one("row_bytes", self.row_bytes)?;
        if row_bytes % column_bytes != 0 {
            return Err(ArchError::Invalid {
                key: k("row_bytes"),
                message: format!(
                    "{row_bytes} bytes is not a whole number of {column_bytes}-byte columns"
                ),
            });
        }
        let banks_per_channel = one("banks_per_channel", self.banks_per_channel)?;
        let banks_per_pu = one("banks_per_pu", self.banks_per_pu)?;
        if banks_per_channel % banks_per_pu != 0 {
            return Err(ArchError::Invalid {
                key: k("banks_per_pu"),
                message: format!(
                    "{banks_per_channel} banks per channel do not divide into groups of {banks_per_pu}"
                ),
            });
        }
        let tccd_ps = ns_to_ps(&k("tccd_ns"), positive(&k("tccd_ns"), self.tccd_ns)?)?;
        let trefi_ps = ns_to_ps(&k("trefi_ns"), positive(&k("trefi_ns"), self.trefi_ns)?)?;
        let trfc_ps = ns_to_ps(&k("trfc_ns"), self.trfc_ns)?;
        if trfc_ps >= trefi_ps {
            return Err(ArchError::Invalid {
                key: k("trfc_ns"),
                message: "the refresh time must be shorter than the refresh interval".into(),
            });
        }
        let e = &self.energy;
        let ek = |f: &str| format!("{key}.energy.{f}");
        let attention = match &self.attention {
            Some(a) => Some(a.validate(&k("attention"))?),
            None => None,
        };
        let softmax = match self.softmax_gelems_per_s_per_device {
            Some(v) => Some(rate_per_s(&k("softmax_gelems_per_s_per_device"), v, 1e9)?),
            None => None,
        };
        Ok(BankPim {
            memory: self.memory.clone(),
            devices: one("devices", self.devices)?,
            channels_per_device: one("channels_per_device", self.channels_per_device)?,
            banks_per_channel,
            banks_per_pu,
            pu_lanes: one("pu_lanes", self.pu_lanes)?,
            pu_clock: ClockDomain::from_mhz(positive(&k("pu_clock_mhz"), self.pu_clock_mhz)?)?,
            element_bytes: element_bits / 8,
            column_bytes,
            row_bytes,
            tccd_ps,
            trcd_ps: ns_to_ps(&k("trcd_ns"), self.trcd_ns)?,
            trp_ps: ns_to_ps(&k("trp_ns"), self.trp_ns)?,
            tras_ps: ns_to_ps(&k("tras_ns"), self.tras_ns)?,
            trefi_ps,
            trfc_ps,
            external_bytes_per_s_per_channel: rate_per_s(
                &k("external_gb_per_s_per_channel"),
                self.external_gb_per_s_per_channel,
                1e9,
            )?,
            capacity_bytes_per_device: (positive(
                &k("capacity_gib_per_device"),
                self.capacity_gib_per_device,
            )? * (1u64 << 30) as f64) as u64,
            input_buffer_bytes: one("input_buffer_bytes", self.input_buffer_bytes)?,
            vectors_per_pass: at_least_one(
                &k("vectors_per_pass"),
                u64::from(self.vectors_per_pass.unwrap_or(1)),
            )?,
            kernel_overhead_ps: ns_to_ps(&k("kernel_overhead_ns"), self.kernel_overhead_ns)?,
            command_ps_per_row: ns_to_ps(
                &k("command_ns_per_row"),
                self.command_ns_per_row.unwrap_or(0.0),
            )?,
            softmax_elems_per_s_per_device: softmax,
            attention,
            energy: BankPimEnergy {
                activate_pj: non_negative(
                    &ek("activate_pj"),
                    e.activate_pj.unwrap_or(0.11 * 8.0 * row_bytes as f64),
                )?,
                internal_read_pj_per_byte: non_negative(
                    &ek("internal_read_pj_per_byte"),
                    e.internal_read_pj_per_byte.unwrap_or(0.44 * 8.0),
                )?,
                external_pj_per_byte: non_negative(
                    &ek("external_pj_per_byte"),
                    e.external_pj_per_byte
                        .unwrap_or((1.01 + 1.23 + 0.5 + 0.3) * 8.0),
                )?,
                mac_pj: non_negative(&ek("mac_pj"), e.mac_pj.unwrap_or(1.5))?,
                softmax_pj_per_elem: non_negative(
                    &ek("softmax_pj_per_elem"),
                    e.softmax_pj_per_elem.unwrap_or(5.0),
                )?,
                background_mw_per_device: non_negative(
                    &ek("background_mw_per_device"),
                    e.background_mw_per_device.unwrap_or(0.0),
                )?,
            },
        })
    }
}

/// Time and counts of PUs streaming their banks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamTime {
    /// Time of the busiest PU, ps (refresh excluded).
    pub ps: u64,
    /// Row steps of the busiest PU.
    pub row_steps: u64,
    /// Column accesses of the busiest PU.
    pub columns: u64,
}

/// Counts and time of one bank-PIM operation, before packaging into an estimate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Work {
    pub phases: Vec<(String, u64)>,
    pub internal_bytes: u64,
    pub external_bytes: u64,
    pub activations: u64,
    pub macs: u64,
    pub softmax_elems: u64,
    pub host_adds: u64,
    pub extra_counts: Vec<(String, u64)>,
    pub extra_energy: Vec<(&'static str, u64, f64)>,
}

impl BankPim {
    /// Processing units in the system.
    pub fn pus(&self) -> u64 {
        self.channels() * self.banks_per_channel / self.banks_per_pu
    }

    /// Channels in the system.
    pub fn channels(&self) -> u64 {
        self.devices * self.channels_per_device
    }

    /// Internal bandwidth, bytes/s: PUs × column bytes / tCCD.
    pub fn internal_bytes_per_s(&self) -> f64 {
        self.pus() as f64 * self.column_bytes as f64 * 1e12 / self.tccd_ps as f64
    }

    /// External bandwidth, bytes/s: channels × per-channel bandwidth.
    pub fn external_bytes_per_s(&self) -> f64 {
        self.channels() as f64 * self.external_bytes_per_s_per_channel as f64
    }

    /// Peak compute, FLOP/s: PUs × lanes × 2 × clock.
    pub fn peak_flops(&self) -> f64 {
        self.pus() as f64 * self.pu_lanes as f64 * 2.0 * self.pu_clock.freq_hz() as f64
    }

    /// Time to move `bytes` over one channel bus, ps.
    pub fn channel_ps(&self, bytes: u64) -> u64 {
        ps_for(bytes, self.external_bytes_per_s_per_channel)
    }

    /// Time one PU needs to stream `bytes` from its banks (row steps, see the module docs).
    pub fn stream(&self, bytes: u64) -> StreamTime {
        let per_step = self.row_bytes * self.banks_per_pu;
        let full = bytes / per_step;
        let rest = bytes % per_step;
        let step_ps = |b: u64| {
            let cols = div_ceil(b, self.column_bytes);
            self.tras_ps.max(self.trcd_ps + cols * self.tccd_ps)
                + self.trp_ps
                + self.command_ps_per_row
        };
        let mut ps = full * step_ps(per_step);
        if rest > 0 {
            ps += step_ps(rest);
        }
        StreamTime {
            ps,
            row_steps: full + u64::from(rest > 0),
            columns: div_ceil(bytes, self.column_bytes),
        }
    }

    /// Time for one PU to do `macs` MACs, ps.
    pub fn compute_ps(&self, macs: u64) -> u64 {
        self.pu_clock
            .cycles_to_time(div_ceil(macs, self.pu_lanes))
            .as_ps()
    }

    /// `t` plus the all-bank refreshes that fall in it: `⌊t / (trefi − trfc)⌋ · trfc`.
    pub fn with_refresh(&self, t: u64) -> u64 {
        t + t / (self.trefi_ps - self.trfc_ps) * self.trfc_ps
    }

    /// Estimates a kernel (see the module docs; attention in [`super::attention`]).
    pub fn estimate(&self, kernel: &Kernel) -> Result<KernelEstimate, ArchError> {
        kernel.check_nonzero(UNIT)?;
        match *kernel {
            Kernel::Gemv { k, n } => self.gemm(1, k, n),
            Kernel::Gemm { m, k, n } => self.gemm(m, k, n),
            Kernel::Elementwise { op, n } => self.elementwise(op, n),
            Kernel::Softmax { rows, len } => self.softmax(rows, len),
            Kernel::Attention(shape) => self.attention(&shape),
        }
    }

    pub(crate) fn package(
        &self,
        class: KernelClass,
        w: Work,
        useful_ops: u64,
    ) -> Result<KernelEstimate, ArchError> {
        let total_ps: u64 = w.phases.iter().map(|(_, p)| p).sum();
        let time = Time::from_ps(total_ps);
        let e = &self.energy;
        let mut lines = vec![
            ("activate", w.activations, e.activate_pj),
            (
                "internal_read",
                w.internal_bytes,
                e.internal_read_pj_per_byte,
            ),
            (
                "external_transfer",
                w.external_bytes,
                e.external_pj_per_byte,
            ),
            ("mac", w.macs, e.mac_pj),
            ("softmax", w.softmax_elems, e.softmax_pj_per_elem),
        ];
        lines.extend(w.extra_energy.iter().copied());
        let energy = energy_report(
            UNIT,
            &lines,
            e.background_mw_per_device * self.devices as f64,
            time,
        )?;
        let cycles = self.pu_clock.cycles_at(time);
        let mut counts = vec![
            ("internal_bytes".to_string(), w.internal_bytes),
            ("external_bytes".to_string(), w.external_bytes),
            ("row_activations".to_string(), w.activations),
            ("macs".to_string(), w.macs),
            ("softmax_elements".to_string(), w.softmax_elems),
            ("host_adds".to_string(), w.host_adds),
        ];
        counts.extend(w.extra_counts);
        let phases = w
            .phases
            .into_iter()
            .map(|(name, ps)| {
                let c = self.pu_clock.cycles_at(Time::from_ps(ps));
                Phase {
                    name,
                    cycles: c,
                    span_cycles: c,
                }
            })
            .collect();
        Ok(KernelEstimate {
            unit: UNIT.to_string(),
            class,
            fidelity: Fidelity::TileLevel,
            clock: self.pu_clock,
            cycles,
            time,
            energy,
            counts,
            phases,
            useful_ops,
        })
    }

    /// `C[M×N] = A[M×K] · B[K×N]` with `B` resident in the banks.
    pub fn gemm(&self, m: u64, k: u64, n: u64) -> Result<KernelEstimate, ArchError> {
        let class = if m == 1 {
            KernelClass::Gemv
        } else {
            KernelClass::Gemm
        };
        let eb = self.element_bytes;
        let weight_bytes = k * n * eb;
        if weight_bytes > self.capacity_bytes_per_device * self.devices {
            return Err(unsupported(
                UNIT,
                class,
                &format!(
                    "{weight_bytes} bytes of weights exceed the {} bytes of PIM memory",
                    self.capacity_bytes_per_device * self.devices
                ),
            ));
        }
        let pus = self.pus();
        let split = (pus / n).max(1);
        let k_part = div_ceil(k, split);
        let items = div_ceil(n * split, pus);
        let pu_bytes = items * k_part * eb;
        // Input chunks: the vector (K elements) must fit the channel's input buffer.
        let vec_bytes = k * eb;
        let chunks = div_ceil(vec_bytes, self.input_buffer_bytes);
        let per_pass = self.vectors_per_pass.min(m);
        let passes = div_ceil(m, per_pass);
        let mut stream_ps = 0u64;
        let mut row_steps = 0u64;
        for c in 0..chunks {
            // Chunk c covers its share of every item: bytes ⌊pu·(c+1)/chunks⌋ − ⌊pu·c/chunks⌋.
            let share = pu_bytes * (c + 1) / chunks - pu_bytes * c / chunks;
            let st = self.stream(share);
            let compute = self.compute_ps(per_pass * share / eb);
            stream_ps += st.ps.max(compute);
            row_steps += st.row_steps;
        }
        let load_ps = self.channel_ps(per_pass * vec_bytes); // all chunks of one pass
        // Outputs of one pass, spread over the channels.
        let out_bytes = per_pass * n * split * eb;
        let read_ps = self.channel_ps(div_ceil(out_bytes, self.channels()));
        let mut w = Work::default();
        w.phases
            .push(("host command overhead".into(), self.kernel_overhead_ps));
        w.phases.push(("input broadcast".into(), passes * load_ps));
        w.phases.push((
            "bank streaming and MACs".into(),
            passes * self.with_refresh(stream_ps),
        ));
        w.phases.push(("output readout".into(), passes * read_ps));
        w.internal_bytes = passes * weight_bytes;
        w.external_bytes = passes * (self.channels() * per_pass * vec_bytes + out_bytes);
        w.activations = passes * row_steps * self.banks_per_pu * pus;
        w.macs = m * k * n;
        w.host_adds = m * n * (split - 1);
        w.extra_counts = vec![
            ("passes".into(), passes),
            ("input_chunks".into(), chunks),
            ("pus_per_output".into(), split),
        ];
        self.package(class, w, m * k * n)
    }

    /// `n` element-wise operations on operands resident in the banks (two reads and one
    /// write per element through the PUs).
    pub fn elementwise(&self, op: ElementwiseOp, n: u64) -> Result<KernelEstimate, ArchError> {
        let eb = self.element_bytes;
        let per_pu = div_ceil(n, self.pus());
        let st = self.stream(3 * per_pu * eb);
        let t = self.with_refresh(st.ps.max(self.compute_ps(per_pu)));
        let mut w = Work::default();
        w.phases
            .push(("host command overhead".into(), self.kernel_overhead_ps));
        w.phases.push((format!("{} over the banks", op.name()), t));
        w.internal_bytes = 3 * n * eb;
        w.activations = st.row_steps * self.banks_per_pu * self.pus();
        w.macs = n;
        self.package(KernelClass::Elementwise, w, n)
    }

    /// Softmax on the devices' softmax units, scores read from the banks.
    pub fn softmax(&self, rows: u64, len: u64) -> Result<KernelEstimate, ArchError> {
        let Some(rate) = self.softmax_elems_per_s_per_device else {
            return Err(unsupported(
                UNIT,
                KernelClass::Softmax,
                "this PIM device has no softmax unit (`softmax_gelems_per_s_per_device`); run \
                 softmax on the host",
            ));
        };
        let elems = rows * len;
        let unit_ps = ps_for(elems, rate * self.devices);
        let bytes = elems * self.element_bytes;
        let move_ps = self.channel_ps(div_ceil(2 * bytes, self.channels()));
        let mut w = Work::default();
        w.phases
            .push(("host command overhead".into(), self.kernel_overhead_ps));
        w.phases.push((
            "softmax unit (scores in and out over the channel buses)".into(),
            unit_ps.max(move_ps),
        ));
        w.softmax_elems = elems;
        w.internal_bytes = 2 * bytes;
        self.package(KernelClass::Softmax, w, elems)
    }

    /// The GEMV time bound by the external interface alone: `K·N·bytes / external
    /// bandwidth`, ps — what a host streaming the same weights would need.
    pub fn external_bound_ps(&self, k: u64, n: u64) -> u64 {
        ps_for(
            k * n * self.element_bytes,
            self.channels() * self.external_bytes_per_s_per_channel,
        )
    }
}
