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
//!
//! # Activation functions (GDDR6-AiM)
//! AiM evaluates GELU, sigmoid, tanh, ReLU and leaky ReLU from a lookup table kept in a
//! reserved word line of each bank (Lee et al., ISSCC 2022; Kwon et al., JSSC 58(1),
//! 2023). The paper does not give the unit's throughput, so the cost here is an estimate
//! built from the PU's own resources, stated as such: the table holds the slope and
//! intercept of each segment of a piecewise-linear fit, so one activation is one MAC
//! (`a·x + b`) on the PU's `pu_lanes` lanes; before streaming, each PU opens the reserved
//! row once and reads one column of table entries (a row step of one column,
//! `max(tras, trcd + tccd) + trp`); then it streams `x` from its banks and writes `f(x)`
//! back, `2·⌈N / PUs⌉·bytes` per PU in row steps, with the MACs overlapped. A kernel
//! pays `kernel_overhead_ns`; refresh is added as for GEMV. Functions a device does not
//! list in `activation_functions` (and every other non-linear function: softmax,
//! normalisation) are refused.
//! Attention: see [`super::attention`].

mod spec;

pub use spec::{BankPim, BankPimEnergy, BankPimEnergySpec, BankPimSpec};

use sim_core::Time;

use crate::ArchError;
use crate::imc::kernel::{
    ActivationFn, ElementwiseOp, Fidelity, Kernel, KernelClass, KernelEstimate, Phase, div_ceil,
    energy_report, ps_for, unsupported,
};

pub(crate) const UNIT: &str = "pim";

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
            Kernel::Activation { func, n } => self.activation(func, n),
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

    /// `n` activations `y = f(x)` on the PUs' lookup-table unit, `x` resident in the banks
    /// and `f(x)` written back (the cost model is in the module docs: an estimate).
    pub fn activation(&self, func: ActivationFn, n: u64) -> Result<KernelEstimate, ArchError> {
        if !self.activation_functions.contains(func) {
            let has = if self.activation_functions.is_empty() {
                "this PIM device has no activation-function unit (`activation_functions`)".into()
            } else {
                let names: Vec<&str> = self.activation_functions.iter().map(|f| f.name()).collect();
                format!(
                    "this PIM device's activation-function unit evaluates {} only \
                     (`activation_functions`)",
                    names.join(", ")
                )
            };
            return Err(unsupported(
                UNIT,
                KernelClass::Elementwise,
                &format!("{has}, not {}; run it on the host", func.name()),
            ));
        }
        let eb = self.element_bytes;
        let per_pu = div_ceil(n, self.pus());
        let lut = self.stream(self.column_bytes);
        let st = self.stream(2 * per_pu * eb);
        let t = self.with_refresh(lut.ps + st.ps.max(self.compute_ps(per_pu)));
        let mut w = Work::default();
        w.phases
            .push(("host command overhead".into(), self.kernel_overhead_ps));
        w.phases.push((
            format!(
                "{} lookup table from the reserved row, then x in and f(x) out",
                func.name()
            ),
            t,
        ));
        w.internal_bytes = (2 * n * eb) + self.pus() * self.column_bytes;
        w.activations = (st.row_steps + lut.row_steps) * self.banks_per_pu * self.pus();
        w.macs = n;
        w.extra_counts = vec![("lut_row_steps".into(), lut.row_steps)];
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
