//! The `[pim]` section for bank-level PIM and its validation.

use serde::Deserialize;
use sim_core::ClockDomain;

use crate::ArchError;
use crate::imc::kernel::{
    ActivationFn, ActivationSet, at_least_one, non_negative, positive, rate_per_s,
};
use crate::pim::attention::AttentionOffloadSpec;

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
    /// Activation functions the PUs evaluate from a lookup table (`gelu`, `sigmoid`,
    /// `tanh`, `relu`, `leaky_relu`; absent: none). GDDR6-AiM keeps the table in a reserved
    /// word line of each bank (ISSCC 2022 / JSSC 2023).
    pub activation_functions: Option<Vec<String>>,
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
    /// Activation functions of the PUs' lookup-table unit (empty: none).
    pub activation_functions: ActivationSet,
    /// Attention offload configuration.
    pub attention: Option<Box<crate::pim::attention::AttentionOffload>>,
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
            Some(a) => Some(Box::new(a.validate(&k("attention"))?)),
            None => None,
        };
        let softmax = match self.softmax_gelems_per_s_per_device {
            Some(v) => Some(rate_per_s(&k("softmax_gelems_per_s_per_device"), v, 1e9)?),
            None => None,
        };
        let mut activation_functions = ActivationSet::default();
        for name in self.activation_functions.iter().flatten() {
            let Some(f) = ActivationFn::parse(name) else {
                let names: Vec<&str> = ActivationFn::ALL.iter().map(|f| f.name()).collect();
                return Err(ArchError::UnknownName {
                    what: format!("activation function in `{}`", k("activation_functions")),
                    name: name.clone(),
                    suggestion: crate::suggest::closest(name, names.iter().copied()),
                    valid: names.iter().map(|s| s.to_string()).collect(),
                });
            };
            activation_functions.insert(f);
        }
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
            activation_functions,
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
