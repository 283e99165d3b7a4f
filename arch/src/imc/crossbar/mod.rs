//! Crossbar in-memory compute: analog matrix–vector products in SRAM or ReRAM arrays.
//!
//! # Structure
//! A crossbar of `rows × cols` cells, each holding `cell_bits`. A weight of `weight_bits`
//! is split over `cpw = ⌈weight_bits / cell_bits⌉` adjacent cells of one row, so a
//! crossbar holds `⌊cols / cpw⌋` weights per row. Inputs are applied bit-serially through
//! DACs, `dac_bits` per step: `steps = ⌈input_bits / dac_bits⌉`. At most `active_rows`
//! rows are driven at once (`groups = ⌈rows used / active_rows⌉` activations per step).
//! Every activation produces one analog partial sum per used column, digitised by ADCs of
//! `adc_bits`, one ADC per `cols_per_adc` columns — so one activation needs
//! `min(cols used, cols_per_adc)` conversions in series on the busiest ADC. Each digitised
//! column value is shifted (by its input-bit and weight-slice significance) and added into
//! its output (shift-and-add); partial sums of the row blocks of a weight matrix held by
//! different crossbars are added digitally. Crossbars sit in `tiles` of
//! `crossbars_per_tile`, each tile with a local buffer; tiles talk over a mesh NoC.
//!
//! # Timing (see [`model`])
//! One activation = a crossbar read of `read_cycles` followed by its conversions,
//! `C = min(cols used, cols_per_adc) · adc_cycles`. With sample-and-hold
//! (`overlap_read_and_convert = true`, ISAAC's pipeline) the next read overlaps the
//! conversions, so activations issue every `max(read, C)` cycles; without it every
//! `read + C`. `A` activations then take `read + C + (A − 1) · interval + shift_add_cycles`
//! (or `A · (read + C) + shift_add_cycles`) — a closed form tested equal to a
//! [`sim_core::PipelinedServer`] pipeline.
//!
//! # Energy (pJ per action, [`CrossbarEnergySpec`])
//! `crossbar_read` per active cell per activation, `dac` per driven row per input step,
//! `adc_conversion` from [`crate::imc::adc::AdcModel`] at `adc_bits` (Walden/Schreier FOMs,
//! overridable or replaced by a fixed `adc_conversion_pj`), `shift_add`,
//! `partial_sum_add`, `buffer_read`/`buffer_write` per byte, `noc_hop` per byte per hop,
//! `cell_write` per cell programmed, plus leakage.
//!
//! ```
//! use arch::imc::crossbar::CrossbarSpec;
//! let spec: CrossbarSpec = toml::from_str(r#"
//!     technology = "reram"
//!     rows = 128
//!     cols = 128
//!     cell_bits = 2
//!     weight_bits = 16
//!     input_bits = 16
//!     dac_bits = 1
//!     adc_bits = 8
//!     cols_per_adc = 128
//!     clock_mhz = 1280.0
//!     read_cycles = 128
//!     crossbars_per_tile = 96
//!     tiles = 168
//!     buffer_kib = 64
//!     buffer_bytes_per_cycle = 8.0
//!     noc_bytes_per_cycle = 3.125
//!     noc_hop_cycles = 2
//! "#).unwrap();
//! let xbar = spec.validate("crossbar").unwrap();
//! assert_eq!(xbar.cells_per_weight(), 8);
//! assert_eq!(xbar.weights_per_crossbar(), 16);
//! // 16 128 crossbars × 128 × 16 MACs every 16 × 100 ns: 41.3 TOPS (ISAAC).
//! assert!((xbar.peak_ops_per_s() / 41.29e12 - 1.0).abs() < 1e-3);
//! ```

pub mod model;

use serde::Deserialize;
use sim_core::ClockDomain;

use crate::ArchError;
use crate::imc::adc::{AdcModel, DEFAULT_SCHREIER_DB, DEFAULT_WALDEN_FJ_PER_STEP};
use crate::imc::kernel::{at_least_one, non_negative, positive};
use crate::suggest::closest;

/// Memory technology of the crossbar cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellTechnology {
    /// SRAM bit cells (digital storage, analog or charge-domain compute).
    Sram,
    /// Resistive RAM (memristor) cells storing conductance levels.
    Reram,
}

const TECHNOLOGIES: [&str; 2] = ["sram", "reram"];

/// The `[crossbar]` section as written in TOML (see the module docs for the model).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrossbarSpec {
    /// Cell technology: `"sram"` or `"reram"` (chooses the energy defaults).
    pub technology: String,
    /// Array rows (word lines: inputs).
    pub rows: u32,
    /// Array columns (bit lines).
    pub cols: u32,
    /// Bits stored per cell.
    pub cell_bits: u32,
    /// Bits per weight (split over `⌈weight_bits / cell_bits⌉` cells).
    pub weight_bits: u32,
    /// Bits per input element.
    pub input_bits: u32,
    /// Input bits applied per step through the DACs.
    pub dac_bits: u32,
    /// ADC resolution, bits.
    pub adc_bits: u32,
    /// Columns sharing one ADC (their conversions are serialised).
    pub cols_per_adc: u32,
    /// Rows driven at once (default: all `rows`).
    pub active_rows: Option<u32>,
    /// Peripheral clock, MHz (cycles below are of this clock; default: the platform's).
    pub clock_mhz: Option<f64>,
    /// Cycles of one crossbar read (drive, settle, sample).
    pub read_cycles: u64,
    /// Cycles per ADC conversion (default 1).
    pub adc_cycles: Option<u64>,
    /// Latency of the shift-and-add stage, cycles (default 1; pipelined).
    pub shift_add_cycles: Option<u64>,
    /// Sample-and-hold lets the next read overlap the conversions (default true).
    pub overlap_read_and_convert: Option<bool>,
    /// Bits per output and per partial sum moved between tiles (default 16).
    pub output_bits: Option<u32>,
    /// Crossbars per tile.
    pub crossbars_per_tile: u32,
    /// Tiles.
    pub tiles: u32,
    /// Local buffer per tile, KiB.
    pub buffer_kib: u32,
    /// Local buffer bandwidth, bytes per cycle (fractions allowed).
    pub buffer_bytes_per_cycle: f64,
    /// NoC link bandwidth, bytes per cycle (fractions allowed).
    pub noc_bytes_per_cycle: f64,
    /// NoC latency per hop, cycles.
    pub noc_hop_cycles: u32,
    /// Time to program one array row when weights must be reloaded, ns (default: ReRAM
    /// 100 ns, SRAM 1 ns — first-principles estimates).
    pub weight_write_ns_per_row: Option<f64>,
    /// Energy per action (pJ); every key optional.
    #[serde(default)]
    pub energy: CrossbarEnergySpec,
}

/// `[crossbar.energy]`: pJ per action, each overridable. Defaults depend on the
/// technology (see [`CrossbarEnergy::defaults`]).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrossbarEnergySpec {
    /// Walden FOM for the ADC model, fJ per conversion-step.
    pub adc_walden_fj_per_step: Option<f64>,
    /// Schreier FOM for the ADC model, dB.
    pub adc_schreier_db: Option<f64>,
    /// A fixed energy per conversion, pJ (replaces the FOM model).
    pub adc_conversion_pj: Option<f64>,
    /// Per active cell per activation, pJ.
    pub cell_read_pj: Option<f64>,
    /// Per driven row per input step (DAC / word-line driver), pJ.
    pub dac_pj: Option<f64>,
    /// Per shift-and-add of one digitised column value, pJ.
    pub shift_add_pj: Option<f64>,
    /// Per digital addition of two partial sums, pJ.
    pub partial_sum_add_pj: Option<f64>,
    /// Tile buffer read, pJ per byte.
    pub buffer_read_pj_per_byte: Option<f64>,
    /// Tile buffer write, pJ per byte.
    pub buffer_write_pj_per_byte: Option<f64>,
    /// NoC, pJ per byte per hop.
    pub noc_pj_per_byte_hop: Option<f64>,
    /// Programming one cell (weight reload), pJ.
    pub cell_write_pj: Option<f64>,
    /// Leakage of the whole unit, mW.
    pub leakage_mw: Option<f64>,
}

/// Resolved energy table of a crossbar unit, pJ per action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossbarEnergy {
    /// ADC model (used unless `adc_conversion_pj` was given).
    pub adc: AdcModel,
    /// Energy of one conversion at the unit's resolution, pJ.
    pub adc_conversion_pj: f64,
    /// Per active cell per activation, pJ.
    pub cell_read_pj: f64,
    /// Per driven row per input step, pJ.
    pub dac_pj: f64,
    /// Per shift-and-add, pJ.
    pub shift_add_pj: f64,
    /// Per partial-sum addition, pJ.
    pub partial_sum_add_pj: f64,
    /// Buffer read, pJ/byte.
    pub buffer_read_pj_per_byte: f64,
    /// Buffer write, pJ/byte.
    pub buffer_write_pj_per_byte: f64,
    /// NoC, pJ per byte per hop.
    pub noc_pj_per_byte_hop: f64,
    /// Programming one cell, pJ.
    pub cell_write_pj: f64,
    /// Leakage, mW.
    pub leakage_mw: f64,
}

impl CrossbarEnergy {
    /// Defaults per technology (the ADC energy comes from [`AdcModel`] in both cases).
    ///
    /// * ReRAM — ISAAC (Shafiee et al., ISCA 2016, Table I, 32 nm; powers × the 100 ns
    ///   cycle ÷ actions per cycle): crossbar 2.4 mW per 8 arrays of 128×128 cells →
    ///   1.83 fJ per cell activation; DAC 4 mW per 1 024 rows → 0.39 pJ per row drive;
    ///   shift-and-add 0.2 mW per 1 024 conversions → 0.0195 pJ; eDRAM buffer 20.7 mW per
    ///   1 KiB per cycle → 2.02 pJ/B read and write; router 42 mW shared by 4 tiles, 32-bit
    ///   flits at 1.2 GHz on 8 ports → 4.375 pJ per flit-hop = 1.09 pJ/B/hop; partial-sum
    ///   add as one shift-and-add. Cell programming 2 pJ per cell and no leakage (ISAAC's
    ///   table gives total power only): first-principles estimates.
    /// * SRAM — fitted to the TSMC 7 nm CIM macro (Dong et al., ISSCC 2020, 15.3; Sinangil
    ///   et al., JSSC 2021): 351 TOPS/W at 1 024 4b×4b MACs per 5.5 ns access = 5.83 pJ per
    ///   access, split (our assumption, the paper gives no breakdown) as 1/3 in sixteen
    ///   4-bit conversions and 2/3 in the 1 024 active cells (3.8 fJ each). Buffer
    ///   0.3 pJ/B (Horowitz 45 nm 32 KB SRAM, 20 pJ per 64 bits = 2.5 pJ/B, × 0.12 for
    ///   45→7 nm after Stillmaker & Baas 2017), NoC 0.1 pJ/B/hop, digital adds 0.005 pJ,
    ///   cell write 0.001 pJ: first-principles estimates.
    pub fn defaults(tech: CellTechnology) -> CrossbarEnergySpec {
        match tech {
            CellTechnology::Reram => CrossbarEnergySpec {
                adc_walden_fj_per_step: Some(DEFAULT_WALDEN_FJ_PER_STEP),
                adc_schreier_db: Some(DEFAULT_SCHREIER_DB),
                adc_conversion_pj: None,
                cell_read_pj: Some(2.4e-3 * 100e-9 / 131_072.0 * 1e12),
                dac_pj: Some(4e-3 * 100e-9 / 1024.0 * 1e12),
                shift_add_pj: Some(0.2e-3 * 100e-9 / 1024.0 * 1e12),
                partial_sum_add_pj: Some(0.2e-3 * 100e-9 / 1024.0 * 1e12),
                buffer_read_pj_per_byte: Some(20.7e-3 * 100e-9 / 1024.0 * 1e12),
                buffer_write_pj_per_byte: Some(20.7e-3 * 100e-9 / 1024.0 * 1e12),
                noc_pj_per_byte_hop: Some(42e-3 / (8.0 * 1.2e9) * 1e12 / 4.0),
                cell_write_pj: Some(2.0),
                leakage_mw: Some(0.0),
            },
            CellTechnology::Sram => CrossbarEnergySpec {
                adc_walden_fj_per_step: Some(5.835 / 3.0 / 16.0 / 16.0 * 1e3),
                adc_schreier_db: Some(DEFAULT_SCHREIER_DB),
                adc_conversion_pj: None,
                cell_read_pj: Some(5.835 * 2.0 / 3.0 / 1024.0),
                dac_pj: Some(0.0),
                shift_add_pj: Some(0.005),
                partial_sum_add_pj: Some(0.005),
                buffer_read_pj_per_byte: Some(0.3),
                buffer_write_pj_per_byte: Some(0.3),
                noc_pj_per_byte_hop: Some(0.1),
                cell_write_pj: Some(0.001),
                leakage_mw: Some(0.0),
            },
        }
    }
}

/// A validated crossbar unit: tiles of crossbars with ADCs, DACs, buffers and a NoC.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossbar {
    /// Cell technology.
    pub technology: CellTechnology,
    /// Array rows.
    pub rows: u32,
    /// Array columns.
    pub cols: u32,
    /// Bits per cell.
    pub cell_bits: u32,
    /// Bits per weight.
    pub weight_bits: u32,
    /// Bits per input.
    pub input_bits: u32,
    /// Input bits per DAC step.
    pub dac_bits: u32,
    /// ADC resolution, bits.
    pub adc_bits: u32,
    /// Columns per ADC.
    pub cols_per_adc: u32,
    /// Rows driven at once.
    pub active_rows: u32,
    /// Peripheral clock.
    pub clock: ClockDomain,
    /// Crossbar read, cycles.
    pub read_cycles: u64,
    /// Cycles per conversion.
    pub adc_cycles: u64,
    /// Shift-and-add latency, cycles.
    pub shift_add_cycles: u64,
    /// Sample-and-hold overlap of read and conversion.
    pub overlap_read_and_convert: bool,
    /// Bits per output / partial sum moved.
    pub output_bits: u32,
    /// Crossbars per tile.
    pub crossbars_per_tile: u32,
    /// Tiles.
    pub tiles: u32,
    /// Buffer per tile, bytes.
    pub buffer_bytes: u64,
    /// Buffer bandwidth, bytes per 1000 cycles (exact fractions of a byte per cycle).
    pub buffer_bytes_per_kcycle: u64,
    /// NoC bandwidth, bytes per 1000 cycles.
    pub noc_bytes_per_kcycle: u64,
    /// NoC latency per hop, cycles.
    pub noc_hop_cycles: u64,
    /// Cycles to program one array row.
    pub weight_write_cycles_per_row: u64,
    /// Energy table.
    pub energy: CrossbarEnergy,
}

impl CrossbarSpec {
    /// Validates the section at `key` (e.g. `"crossbar"`) into a [`Crossbar`]; the clock
    /// must be given in the section.
    pub fn validate(&self, key: &str) -> Result<Crossbar, ArchError> {
        self.validate_with_clock(key, None)
    }

    /// As [`CrossbarSpec::validate`], falling back to the platform's `clock_mhz`.
    pub fn validate_with_clock(
        &self,
        key: &str,
        platform_clock_mhz: Option<f64>,
    ) -> Result<Crossbar, ArchError> {
        let technology = match self.technology.as_str() {
            "sram" => CellTechnology::Sram,
            "reram" => CellTechnology::Reram,
            other => {
                return Err(ArchError::UnknownName {
                    what: format!("cell technology at `{key}.technology`"),
                    name: other.to_string(),
                    suggestion: closest(other, TECHNOLOGIES),
                    valid: TECHNOLOGIES.iter().map(|s| s.to_string()).collect(),
                });
            }
        };
        let k = |f: &str| format!("{key}.{f}");
        let u = |f: &str, v: u32| at_least_one(&k(f), u64::from(v)).map(|v| v as u32);
        let rows = u("rows", self.rows)?;
        let cols = u("cols", self.cols)?;
        let cell_bits = u("cell_bits", self.cell_bits)?;
        let weight_bits = u("weight_bits", self.weight_bits)?;
        let input_bits = u("input_bits", self.input_bits)?;
        let dac_bits = u("dac_bits", self.dac_bits)?;
        let adc_bits = u("adc_bits", self.adc_bits)?;
        let cols_per_adc = u("cols_per_adc", self.cols_per_adc)?;
        let invalid = |f: &str, message: String| ArchError::Invalid { key: k(f), message };
        if cell_bits > 8 {
            return Err(invalid(
                "cell_bits",
                format!("{cell_bits} bits per cell: expected 1..=8"),
            ));
        }
        if weight_bits > 32 || input_bits > 32 {
            return Err(invalid(
                "weight_bits",
                "weights and inputs must be <= 32 bits".into(),
            ));
        }
        if dac_bits > input_bits {
            return Err(invalid(
                "dac_bits",
                format!("{dac_bits} DAC bits exceed the {input_bits} input bits"),
            ));
        }
        if adc_bits > 24 {
            return Err(invalid(
                "adc_bits",
                format!("{adc_bits} bits: expected 1..=24"),
            ));
        }
        if cols_per_adc > cols {
            return Err(invalid(
                "cols_per_adc",
                format!("{cols_per_adc} columns per ADC exceed the {cols} columns"),
            ));
        }
        let cpw = weight_bits.div_ceil(cell_bits);
        if cpw > cols {
            return Err(invalid(
                "cols",
                format!(
                    "a {weight_bits}-bit weight needs {cpw} cells of {cell_bits} bits but a row has {cols}"
                ),
            ));
        }
        let active_rows = match self.active_rows {
            Some(a) => u("active_rows", a)?,
            None => rows,
        };
        if active_rows > rows {
            return Err(invalid(
                "active_rows",
                format!("{active_rows} exceeds the {rows} rows"),
            ));
        }
        let mhz = match self.clock_mhz.or(platform_clock_mhz) {
            Some(m) => positive(&k("clock_mhz"), m)?,
            None => {
                return Err(invalid(
                    "clock_mhz",
                    "no clock: set it in the section or the platform's `clock_mhz`".into(),
                ));
            }
        };
        let clock = ClockDomain::from_mhz(mhz)?;
        let read_cycles = at_least_one(&k("read_cycles"), self.read_cycles)?;
        let adc_cycles = at_least_one(&k("adc_cycles"), self.adc_cycles.unwrap_or(1))?;
        let output_bits = u("output_bits", self.output_bits.unwrap_or(16))?;
        let crossbars_per_tile = u("crossbars_per_tile", self.crossbars_per_tile)?;
        let tiles = u("tiles", self.tiles)?;
        let buffer_kib = u("buffer_kib", self.buffer_kib)?;
        let per_kcycle = |f: &str, v: f64| -> Result<u64, ArchError> {
            let v = positive(&k(f), v)?;
            if v < 0.001 {
                return Err(invalid(
                    f,
                    format!("{v} bytes per cycle: expected at least 0.001"),
                ));
            }
            Ok((v * 1000.0).round() as u64)
        };
        let buffer_bytes_per_kcycle =
            per_kcycle("buffer_bytes_per_cycle", self.buffer_bytes_per_cycle)?;
        let noc_bytes_per_kcycle = per_kcycle("noc_bytes_per_cycle", self.noc_bytes_per_cycle)?;
        let write_ns = match self.weight_write_ns_per_row {
            Some(ns) => positive(&k("weight_write_ns_per_row"), ns)?,
            None => match technology {
                CellTechnology::Reram => 100.0,
                CellTechnology::Sram => 1.0,
            },
        };
        let write_cycles = ((write_ns * 1e-9 * clock.freq_hz() as f64).ceil() as u64).max(1);
        let energy = resolve_energy(&self.energy, technology, adc_bits, &format!("{key}.energy"))?;
        Ok(Crossbar {
            technology,
            rows,
            cols,
            cell_bits,
            weight_bits,
            input_bits,
            dac_bits,
            adc_bits,
            cols_per_adc,
            active_rows,
            clock,
            read_cycles,
            adc_cycles,
            shift_add_cycles: self.shift_add_cycles.unwrap_or(1),
            overlap_read_and_convert: self.overlap_read_and_convert.unwrap_or(true),
            output_bits,
            crossbars_per_tile,
            tiles,
            buffer_bytes: u64::from(buffer_kib) * 1024,
            buffer_bytes_per_kcycle,
            noc_bytes_per_kcycle,
            noc_hop_cycles: u64::from(self.noc_hop_cycles),
            weight_write_cycles_per_row: write_cycles,
            energy,
        })
    }
}

fn resolve_energy(
    spec: &CrossbarEnergySpec,
    tech: CellTechnology,
    adc_bits: u32,
    key: &str,
) -> Result<CrossbarEnergy, ArchError> {
    let d = CrossbarEnergy::defaults(tech);
    let pick = |name: &str, v: Option<f64>, def: Option<f64>| -> Result<f64, ArchError> {
        non_negative(&format!("{key}.{name}"), v.or(def).unwrap_or(0.0))
    };
    let adc = AdcModel {
        walden_fj_per_step: pick(
            "adc_walden_fj_per_step",
            spec.adc_walden_fj_per_step,
            d.adc_walden_fj_per_step,
        )?,
        schreier_db: spec
            .adc_schreier_db
            .or(d.adc_schreier_db)
            .unwrap_or(DEFAULT_SCHREIER_DB),
    };
    if !adc.schreier_db.is_finite() {
        return Err(ArchError::Invalid {
            key: format!("{key}.adc_schreier_db"),
            message: "expected a finite value in dB".into(),
        });
    }
    let adc_conversion_pj = match spec.adc_conversion_pj {
        Some(v) => non_negative(&format!("{key}.adc_conversion_pj"), v)?,
        None => adc.conversion_pj(adc_bits),
    };
    Ok(CrossbarEnergy {
        adc,
        adc_conversion_pj,
        cell_read_pj: pick("cell_read_pj", spec.cell_read_pj, d.cell_read_pj)?,
        dac_pj: pick("dac_pj", spec.dac_pj, d.dac_pj)?,
        shift_add_pj: pick("shift_add_pj", spec.shift_add_pj, d.shift_add_pj)?,
        partial_sum_add_pj: pick(
            "partial_sum_add_pj",
            spec.partial_sum_add_pj,
            d.partial_sum_add_pj,
        )?,
        buffer_read_pj_per_byte: pick(
            "buffer_read_pj_per_byte",
            spec.buffer_read_pj_per_byte,
            d.buffer_read_pj_per_byte,
        )?,
        buffer_write_pj_per_byte: pick(
            "buffer_write_pj_per_byte",
            spec.buffer_write_pj_per_byte,
            d.buffer_write_pj_per_byte,
        )?,
        noc_pj_per_byte_hop: pick(
            "noc_pj_per_byte_hop",
            spec.noc_pj_per_byte_hop,
            d.noc_pj_per_byte_hop,
        )?,
        cell_write_pj: pick("cell_write_pj", spec.cell_write_pj, d.cell_write_pj)?,
        leakage_mw: pick("leakage_mw", spec.leakage_mw, d.leakage_mw)?,
    })
}

impl Crossbar {
    /// Cells per weight: `⌈weight_bits / cell_bits⌉`.
    pub fn cells_per_weight(&self) -> u32 {
        self.weight_bits.div_ceil(self.cell_bits)
    }

    /// Weights per crossbar row: `⌊cols / cells_per_weight⌋`.
    pub fn weights_per_crossbar(&self) -> u32 {
        self.cols / self.cells_per_weight()
    }

    /// Input steps: `⌈input_bits / dac_bits⌉`.
    pub fn input_steps(&self) -> u32 {
        self.input_bits.div_ceil(self.dac_bits)
    }

    /// Crossbars in the unit.
    pub fn crossbars(&self) -> u64 {
        u64::from(self.tiles) * u64::from(self.crossbars_per_tile)
    }

    /// ADC resolution that keeps a full-scale column sum exact, after ISAAC eq. (1)–(2):
    /// `log2(active_rows) + dac_bits + cell_bits` (minus one when either is 1 bit). The
    /// model does not enforce it; a design with fewer bits loses precision.
    pub fn lossless_adc_bits(&self) -> u32 {
        let lg = 32 - (self.active_rows.max(1) - 1).leading_zeros();
        let base = lg + self.dac_bits + self.cell_bits;
        if self.dac_bits > 1 && self.cell_bits > 1 {
            base
        } else {
            base - 1
        }
    }

    /// Peak multiply–accumulates per second with every crossbar full and busy.
    pub fn peak_macs_per_s(&self) -> f64 {
        let wpx = u64::from(self.weights_per_crossbar());
        let used_cols = wpx * u64::from(self.cells_per_weight());
        let groups = u64::from(self.rows.div_ceil(self.active_rows));
        let interval = self.activation_interval(used_cols);
        let cycles_per_vector = u64::from(self.input_steps()) * groups * interval;
        let macs_per_vector = u64::from(self.rows) * wpx;
        self.crossbars() as f64 * macs_per_vector as f64 * self.clock.freq_hz() as f64
            / cycles_per_vector as f64
    }

    /// Peak operations per second (2 per MAC).
    pub fn peak_ops_per_s(&self) -> f64 {
        2.0 * self.peak_macs_per_s()
    }

    /// Conversion cycles of one activation with `used_cols` columns:
    /// `min(used_cols, cols_per_adc) · adc_cycles`.
    pub fn conversion_cycles(&self, used_cols: u64) -> u64 {
        used_cols.min(u64::from(self.cols_per_adc)) * self.adc_cycles
    }

    /// Cycles between activations: `max(read, conversions)` with sample-and-hold,
    /// `read + conversions` without.
    pub fn activation_interval(&self, used_cols: u64) -> u64 {
        let c = self.conversion_cycles(used_cols);
        if self.overlap_read_and_convert {
            self.read_cycles.max(c)
        } else {
            self.read_cycles + c
        }
    }
}
