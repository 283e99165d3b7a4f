//! In-memory compute units: analog crossbars and the associative processor.
//!
//! * [`crossbar`] — SRAM or ReRAM arrays computing matrix–vector products in the analog
//!   domain: bit-serial inputs through DACs, weights sliced over cells, ADCs shared by
//!   column groups, shift-and-add, tiles with buffers and a NoC. Runs GEMV and GEMM.
//! * [`assoc`] — SoftmAP's associative processor: a CAM computing bit-serially over all
//!   words at once. Runs the integer-only softmax of `papers.md` (numerics bit-exact, pass
//!   counts per step) and element-wise add/sub/mul.
//! * [`adc`] — ADC energy per conversion versus resolution (Walden and Schreier figures of
//!   merit of the Murmann survey).
//! * [`kernel`] — the kernel requests and estimates shared with [`crate::pim`].
//!
//! Each unit has a raw TOML struct (`CrossbarSpec`, `AssocProcessorSpec`; unknown keys
//! rejected, units in key names) validated into the model type by
//! `validate(&self, key_path)`, with an `energy` sub-table of pJ-per-action values whose
//! defaults and sources are documented on the field. A platform file carries the section
//! as `[crossbar]` or `[assoc_processor]`; [`presets`] lists the embedded preset files.

pub mod adc;
pub mod assoc;
pub mod crossbar;
pub mod kernel;

/// The IMC presets: `(name, whole platform TOML)`, embedded at build time.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "imc-reram-isaac",
            include_str!("../../presets/imc/imc-reram-isaac.toml"),
        ),
        (
            "imc-sram-7nm",
            include_str!("../../presets/imc/imc-sram-7nm.toml"),
        ),
        (
            "imc-softmap",
            include_str!("../../presets/imc/imc-softmap.toml"),
        ),
    ]
}
