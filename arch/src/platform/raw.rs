//! Raw TOML structures of a platform file, exactly as written (serde, unknown keys
//! rejected). Nothing here reaches a model: [`super::build`] validates these into
//! [`super::Platform`]. Every optional key is an `Option` so that validation knows
//! whether the user set it (and defaults it from the technology node otherwise).
//!
//! Adding a unit kind: one `Option<RawX>` field on [`RawPlatform`], one module with its
//! raw struct, its validated type and its `build` function.

use serde::Deserialize;

use crate::cpu::CpuSpec;
use crate::dram::DramSpec;
use crate::gpu::GpuSpec;
use crate::pe_array::Dataflow;
use crate::system::SystemSpec;
use crate::tech::Arithmetic;

/// A whole platform file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlatform {
    /// Short name.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Citations for the numbers in the file.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Core clock of the accelerator units (PE array, buffers, nonlinear unit), MHz.
    /// Required when the platform has any of them; GPUs and CPUs carry their own clocks.
    pub clock_mhz: Option<f64>,
    /// Technology node, nm.
    pub tech_nm: f64,
    /// Off-chip memory.
    pub dram: Option<DramSpec>,
    /// On-chip global buffer.
    pub global_buffer: Option<RawSram>,
    /// PE array.
    pub pe_array: Option<RawPeArray>,
    /// Nonlinear-function unit.
    pub nonlinear: Option<RawNonlinear>,
    /// A GPU (SM-level model, [`crate::gpu`]).
    pub gpu: Option<GpuSpec>,
    /// A CPU ([`crate::cpu`]).
    pub cpu: Option<CpuSpec>,
    /// Several identical devices joined by an interconnect ([`crate::system`]).
    pub system: Option<SystemSpec>,
    /// Analog in-memory-compute crossbars ([`crate::imc::crossbar`]).
    pub crossbar: Option<crate::imc::crossbar::CrossbarSpec>,
    /// An associative processor ([`crate::imc::assoc`]).
    pub assoc_processor: Option<crate::imc::assoc::AssocProcessorSpec>,
    /// Processing in or near memory ([`crate::pim`]).
    pub pim: Option<crate::pim::PimSpec>,
    /// FPGA device and its resource budgets.
    pub fpga: Option<crate::fpga::RawFpga>,
    /// No off-chip memory: everything lives in on-chip SRAM.
    pub sram_only: Option<crate::sram_only::RawSramOnly>,
    /// The digital host that runs what the platform's own units cannot ([`crate::host`]).
    pub host: Option<crate::host::RawHost>,
}

/// `[global_buffer]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSram {
    /// Capacity, KiB.
    pub size_kib: u64,
    /// Banks (power of two).
    pub n_banks: Option<u64>,
    /// Ports per bank.
    pub ports_per_bank: Option<u64>,
    /// Width of one bank access, bits.
    pub word_bits: Option<u64>,
    /// Split into two halves so loads overlap compute.
    pub double_buffered: Option<bool>,
    /// Cycles from request to data.
    pub latency_cycles: Option<u64>,
    /// Energy overrides.
    pub energy: Option<RawSramEnergy>,
}

/// `[global_buffer.energy]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSramEnergy {
    /// One word read, pJ.
    pub read_pj: Option<f64>,
    /// One word write, pJ.
    pub write_pj: Option<f64>,
    /// Leakage, mW.
    pub leakage_mw: Option<f64>,
}

/// `[pe_array]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeArray {
    /// PE rows.
    pub rows: u64,
    /// PE columns.
    pub cols: u64,
    /// Systolic dataflow: "os", "ws" or "is".
    pub dataflow: Dataflow,
    /// Overlap successive folds.
    pub fold_overlap: Option<bool>,
    /// Operand (A and B) width, bits.
    pub operand_bits: Option<u32>,
    /// Accumulator width, bits.
    pub acc_bits: Option<u32>,
    /// "int" or "fp".
    pub arithmetic: Option<Arithmetic>,
    /// Input (A) register per PE, bytes.
    pub input_reg_bytes: Option<u64>,
    /// Weight (B) register per PE, bytes.
    pub weight_reg_bytes: Option<u64>,
    /// Partial-sum register per PE, bytes.
    pub psum_reg_bytes: Option<u64>,
    /// Reduction tree after the array.
    pub reduction_tree: Option<RawReductionTree>,
    /// Energy overrides.
    pub energy: Option<RawPeEnergy>,
}

/// `[pe_array.energy]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeEnergy {
    /// One multiply-accumulate, pJ.
    pub mac_pj: Option<f64>,
    /// One multiply (element-wise mode), pJ.
    pub mul_pj: Option<f64>,
    /// One add (element-wise mode), pJ.
    pub add_pj: Option<f64>,
    /// One PE register write of one operand, pJ.
    pub reg_access_pj: Option<f64>,
    /// Leakage of the whole array, mW.
    pub leakage_mw: Option<f64>,
}

/// `[pe_array.reduction_tree]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReductionTree {
    /// Products summed by one tree (default: the array's columns).
    pub fan_in: Option<u64>,
    /// Adder width, bits (default: the accumulator width).
    pub adder_bits: Option<u32>,
    /// Linear operations reduce through the tree (MARCA) instead of the systolic dataflow.
    pub linear: Option<bool>,
    /// The tree can be bypassed: element-wise operations run on the PEs.
    pub bypass: Option<bool>,
    /// In element-wise mode the PEs also run exp and SiLU, built from multiplies and adds
    /// (MARCA's reusable nonlinear function unit). `false`: they need the `[nonlinear]`
    /// unit. Default `true`.
    pub nonlinear_on_pes: Option<bool>,
    /// Energy overrides.
    pub energy: Option<RawTreeEnergy>,
}

/// `[pe_array.reduction_tree.energy]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTreeEnergy {
    /// One adder operation, pJ.
    pub add_pj: Option<f64>,
    /// Leakage of all trees, mW.
    pub leakage_mw: Option<f64>,
}

/// `[nonlinear]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNonlinear {
    /// Elements per cycle.
    pub lanes: u64,
    /// Datapath width, bits (floating point).
    pub data_bits: Option<u32>,
    /// Pipeline latency, cycles.
    pub latency_cycles: Option<u64>,
    /// Degree of the 2^v polynomial in exp (1 or 2).
    pub exp_poly_degree: Option<u32>,
    /// Uniform segments of the SiLU approximation.
    pub silu_segments: Option<u32>,
    /// SiLU is approximated on [-silu_range, silu_range].
    pub silu_range: Option<f64>,
    /// Energy overrides.
    pub energy: Option<RawNonlinearEnergy>,
}

/// `[nonlinear.energy]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNonlinearEnergy {
    /// One exp, pJ.
    pub exp_pj: Option<f64>,
    /// One SiLU, pJ.
    pub silu_pj: Option<f64>,
    /// One add/compare, pJ.
    pub add_pj: Option<f64>,
    /// One multiply, pJ.
    pub mul_pj: Option<f64>,
    /// One divide (reciprocal + multiply), pJ.
    pub div_pj: Option<f64>,
    /// Leakage, mW.
    pub leakage_mw: Option<f64>,
}
