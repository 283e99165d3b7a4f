//! Validation: raw TOML structures → a [`Platform`], reporting every problem found (each
//! naming its dotted key, what is wrong, what is expected, and where it was written).

use sim_core::ClockDomain;

use super::Platform;
use super::locate::Locator;
use super::raw::{RawNonlinear, RawPeArray, RawPlatform, RawReductionTree, RawSram};
use crate::ArchError;
use crate::nonlinear::{NonlinearEnergy, NonlinearUnit, SiluApprox};
use crate::pe_array::{PeArray, PeEnergy};
use crate::reduction::ReductionTree;
use crate::sram::SramBuffer;
use crate::tech::{self, Arithmetic, Op};

/// First-principles leakage estimates at 45 nm (no Horowitz figure exists; scaled by the node
/// factor; override per unit): PE 0.01 mW, tree adder 0.002 mW, SRAM 0.02 mW per KiB,
/// nonlinear lane 0.05 mW.
pub const PE_LEAK_MW_45: f64 = 0.01;
/// See [`PE_LEAK_MW_45`].
pub const ADDER_LEAK_MW_45: f64 = 0.002;
/// See [`PE_LEAK_MW_45`].
pub const SRAM_LEAK_MW_PER_KIB_45: f64 = 0.02;
/// See [`PE_LEAK_MW_45`].
pub const NL_LANE_LEAK_MW_45: f64 = 0.05;
/// First-principles estimate: writing one operand into a PE pipeline register costs about an
/// 8-bit add per byte (0.03 pJ/byte at 45 nm).
pub const REG_PJ_PER_BYTE_45: f64 = 0.03;

struct Cx<'a> {
    loc: &'a Locator<'a>,
    scale: f64,
    problems: Vec<ArchError>,
}

impl Cx<'_> {
    fn invalid(&mut self, key: &str, msg: impl std::fmt::Display) {
        let at = self.loc.at(key);
        self.problems.push(ArchError::Invalid {
            key: key.to_string(),
            message: format!("{msg}{at}"),
        });
    }
    fn at_least(&mut self, key: &str, v: u64, min: u64) -> bool {
        if v < min {
            self.invalid(key, format!("is {v}; expected an integer >= {min}"));
            return false;
        }
        true
    }
    /// A user energy if given (checked finite and ≥ 0), else `default_45 × node factor`.
    fn energy(&mut self, key: &str, given: Option<f64>, default_45: f64) -> f64 {
        match given {
            Some(v) if v.is_finite() && v >= 0.0 => v,
            Some(v) => {
                self.invalid(
                    key,
                    format!("is {v}; expected a finite energy or power >= 0"),
                );
                0.0
            }
            None => default_45 * self.scale,
        }
    }
}

pub(super) fn build(raw: RawPlatform, loc: &Locator<'_>) -> Result<Platform, ArchError> {
    let mut cx = Cx {
        loc,
        scale: 1.0,
        problems: Vec::new(),
    };
    if raw.name.trim().is_empty() {
        cx.invalid("name", "is empty; expected a short platform name");
    }
    let accel_units =
        raw.pe_array.is_some() || raw.global_buffer.is_some() || raw.nonlinear.is_some();
    // The platform clock: given, else the GPU's boost clock, the CPU's clock, or a nominal
    // 1 GHz when nothing on the platform is clocked by it.
    let clock_mhz = match (raw.clock_mhz, &raw.gpu, &raw.cpu) {
        (Some(c), _, _) => c,
        (None, _, _) if accel_units => {
            cx.invalid(
                "clock_mhz",
                "is missing; expected the clock (MHz) of the PE array, buffers and nonlinear unit",
            );
            1000.0
        }
        (None, Some(g), _) => g.boost_clock_mhz,
        (None, None, Some(c)) => c.base_clock_mhz,
        (None, None, None) => 1000.0,
    };
    let clock = if clock_mhz.is_finite() && clock_mhz > 0.0 {
        match ClockDomain::from_mhz(clock_mhz) {
            Ok(c) => Some(c),
            Err(e) => {
                cx.invalid("clock_mhz", e);
                None
            }
        }
    } else {
        cx.invalid(
            "clock_mhz",
            format!("is {clock_mhz}; expected a frequency > 0 MHz"),
        );
        None
    };
    match tech::energy_scale(raw.tech_nm) {
        Ok(s) => cx.scale = s,
        Err(ArchError::Invalid { message, .. }) => cx.invalid("tech_nm", message),
        Err(e) => cx.problems.push(e),
    }
    let dram_config = match &raw.dram {
        Some(spec) => match spec.resolve_all("dram") {
            Ok(c) => Some(c),
            Err(problems) => {
                for (key, e) in problems {
                    match e {
                        ArchError::Invalid { message, .. } => cx.invalid(&key, message),
                        other => cx.invalid(&key, other),
                    }
                }
                None
            }
        },
        None => None,
    };
    let pe_array = raw.pe_array.as_ref().and_then(|p| build_pe(p, &mut cx));
    let global_buffer = raw
        .global_buffer
        .as_ref()
        .and_then(|b| build_sram(b, &mut cx));
    let nonlinear = raw
        .nonlinear
        .as_ref()
        .and_then(|n| build_nonlinear(n, &mut cx));
    let gpu = raw
        .gpu
        .as_ref()
        .and_then(|g| keep(&mut cx, g.validate("gpu").map(|g| g.named(&raw.name))));
    let cpu = raw
        .cpu
        .as_ref()
        .and_then(|c| keep(&mut cx, c.validate("cpu").map(|c| c.named(&raw.name))));
    let system = raw
        .system
        .as_ref()
        .and_then(|s| keep(&mut cx, s.validate("system")));
    let crossbar = raw
        .crossbar
        .as_ref()
        .and_then(|c| keep(&mut cx, c.validate_with_clock("crossbar", raw.clock_mhz)));
    let assoc_processor = raw.assoc_processor.as_ref().and_then(|a| {
        keep(
            &mut cx,
            a.validate_with_clock("assoc_processor", raw.clock_mhz),
        )
    });
    let pim = raw
        .pim
        .as_ref()
        .and_then(|p| keep(&mut cx, p.validate("pim")));
    // A multi-device system is N copies of the platform's device: any platform with a
    // compute unit can form one.
    let computes = gpu.is_some()
        || cpu.is_some()
        || pe_array.is_some()
        || nonlinear.is_some()
        || crossbar.is_some()
        || assoc_processor.is_some()
        || pim.is_some();
    if system.is_some() && !computes {
        cx.invalid(
            "system",
            "describes several devices but the platform has no compute unit ([gpu], [cpu], \
             [pe_array], [nonlinear], [crossbar], [assoc_processor] or [pim])",
        );
    }
    // Cross-unit: the buffer must hold at least one array-sized tile (K = 1).
    if let (Some(pe), Some(gb)) = (&pe_array, &global_buffer) {
        let min = (pe.rows + pe.cols) * pe.operand_bytes() + pe.rows * pe.cols * pe.acc_bytes();
        if gb.tile_capacity_bytes() < min {
            cx.invalid(
                "global_buffer.size_kib",
                format!(
                    "{} bytes per tile{} is smaller than one {}x{} array tile ({min} bytes: \
                     (rows + cols) operands + rows x cols accumulators)",
                    gb.tile_capacity_bytes(),
                    if gb.double_buffered {
                        " (half, double-buffered)"
                    } else {
                        ""
                    },
                    pe.rows,
                    pe.cols
                ),
            );
        }
    }
    // FPGA budgets and SRAM-only memory (their own modules; problems come back as
    // (key, message) pairs).
    let fpga = raw.fpga.as_ref().and_then(|f| {
        let (section, problems) =
            crate::fpga::build(f, pe_array.as_ref(), global_buffer.as_ref(), clock_mhz);
        for (key, msg) in problems {
            cx.invalid(&key, msg);
        }
        section
    });
    let sram_only = raw.sram_only.as_ref().and_then(|s| {
        let (section, problems) = crate::sram_only::build(
            s,
            global_buffer.as_ref().map(|b| b.size_bytes),
            raw.dram.is_some(),
        );
        for (key, msg) in problems {
            cx.invalid(&key, msg);
        }
        section
    });
    let host = raw.host.as_ref().and_then(|h| {
        let (section, problems) = crate::host::build(h);
        for (key, msg) in problems {
            cx.invalid(&key, msg);
        }
        for (present, section) in [
            (raw.gpu.is_some(), "gpu"),
            (raw.cpu.is_some(), "cpu"),
            (raw.system.is_some(), "system"),
        ] {
            if present {
                let why = if section == "system" {
                    "several accelerator devices sharing one host are not modelled (the \
                     host's own devices are `[host] devices`)"
                } else {
                    "a platform with its own GPU or CPU runs everything itself"
                };
                cx.invalid(
                    "host",
                    format!("is given beside [{section}]; {why}: remove [host] or [{section}]"),
                );
            }
        }
        section
    });
    if let Some(e) = ArchError::from_list(cx.problems) {
        return Err(e);
    }
    let Some(clock) = clock else {
        return Err(ArchError::Invalid {
            key: "clock_mhz".into(),
            message: "invalid clock".into(),
        });
    };
    Ok(Platform {
        name: raw.name,
        description: raw.description,
        sources: raw.sources,
        clock_mhz,
        clock,
        tech_nm: raw.tech_nm,
        energy_scale: cx.scale,
        dram: raw.dram,
        dram_config,
        global_buffer,
        pe_array,
        nonlinear,
        gpu,
        cpu,
        system,
        crossbar,
        assoc_processor,
        pim,
        fpga,
        sram_only,
        host,
    })
}

/// `Some(value)`, or `None` with the error recorded among the problems.
/// The value of `r`, or `None` with its error kept; a unit's `Invalid` error (which names
/// its dotted key, e.g. `gpu.sm_count`) gains the key's file, line and column.
fn keep<T>(cx: &mut Cx<'_>, r: Result<T, ArchError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(ArchError::Invalid { key, message }) => {
            let at = cx.loc.at(&key);
            cx.problems.push(ArchError::Invalid {
                key,
                message: format!("{message}{at}"),
            });
            None
        }
        Err(e) => {
            cx.problems.push(e);
            None
        }
    }
}

fn build_pe(p: &RawPeArray, cx: &mut Cx<'_>) -> Option<PeArray> {
    let mut ok = cx.at_least("pe_array.rows", p.rows, 1);
    ok &= cx.at_least("pe_array.cols", p.cols, 1);
    if ok && p.rows.saturating_mul(p.cols) > 1 << 26 {
        cx.invalid(
            "pe_array.rows",
            format!(
                "{}x{} PEs is more than 2^26; expected a smaller array",
                p.rows, p.cols
            ),
        );
        ok = false;
    }
    let operand_bits = p.operand_bits.unwrap_or(8);
    let acc_bits = p.acc_bits.unwrap_or(32);
    if !(1..=64).contains(&operand_bits) {
        cx.invalid(
            "pe_array.operand_bits",
            format!("is {operand_bits}; expected 1..=64 bits"),
        );
        ok = false;
    }
    if !(operand_bits..=128).contains(&acc_bits) {
        cx.invalid(
            "pe_array.acc_bits",
            format!("is {acc_bits}; expected operand_bits ({operand_bits})..=128 bits"),
        );
        ok = false;
    }
    let arith = p.arithmetic.unwrap_or(Arithmetic::Int);
    let ob = u64::from(operand_bits).div_ceil(8);
    let ab = u64::from(acc_bits).div_ceil(8);
    let input_reg_bytes = p.input_reg_bytes.unwrap_or(ob);
    let weight_reg_bytes = p.weight_reg_bytes.unwrap_or(ob);
    let psum_reg_bytes = p.psum_reg_bytes.unwrap_or(ab);
    ok &= cx.at_least("pe_array.input_reg_bytes", input_reg_bytes, ob);
    ok &= cx.at_least("pe_array.weight_reg_bytes", weight_reg_bytes, ob);
    ok &= cx.at_least("pe_array.psum_reg_bytes", psum_reg_bytes, ab);
    let e = p.energy.clone().unwrap_or_default();
    let mul = tech::op_pj_45nm(arith, Op::Mul, operand_bits);
    let add_acc = tech::op_pj_45nm(arith, Op::Add, acc_bits);
    let add_op = tech::op_pj_45nm(arith, Op::Add, operand_bits);
    let n_pes = (p.rows * p.cols) as f64;
    let energy = PeEnergy {
        mac_pj: cx.energy("pe_array.energy.mac_pj", e.mac_pj, mul + add_acc),
        mul_pj: cx.energy("pe_array.energy.mul_pj", e.mul_pj, mul),
        add_pj: cx.energy("pe_array.energy.add_pj", e.add_pj, add_op),
        reg_access_pj: cx.energy(
            "pe_array.energy.reg_access_pj",
            e.reg_access_pj,
            REG_PJ_PER_BYTE_45 * ob as f64,
        ),
        leakage_mw: cx.energy(
            "pe_array.energy.leakage_mw",
            e.leakage_mw,
            PE_LEAK_MW_45 * n_pes,
        ),
    };
    let reduction_tree = match &p.reduction_tree {
        Some(t) => Some(build_tree(t, p.rows, p.cols, acc_bits, arith, cx)?),
        None => None,
    };
    ok.then_some(PeArray {
        rows: p.rows,
        cols: p.cols,
        dataflow: p.dataflow,
        fold_overlap: p.fold_overlap.unwrap_or(false),
        operand_bits,
        acc_bits,
        arithmetic: arith,
        input_reg_bytes,
        weight_reg_bytes,
        psum_reg_bytes,
        reduction_tree,
        energy,
    })
}

fn build_tree(
    t: &RawReductionTree,
    rows: u64,
    cols: u64,
    acc_bits: u32,
    arith: Arithmetic,
    cx: &mut Cx<'_>,
) -> Option<ReductionTree> {
    let fan_in = t.fan_in.unwrap_or(cols);
    let mut ok = cx.at_least("pe_array.reduction_tree.fan_in", fan_in, 1);
    if ok && (fan_in > cols || !cols.is_multiple_of(fan_in)) {
        cx.invalid(
            "pe_array.reduction_tree.fan_in",
            format!("is {fan_in}; expected a divisor of pe_array.cols ({cols}): each tree sums products of one row"),
        );
        ok = false;
    }
    let adder_bits = t.adder_bits.unwrap_or(acc_bits);
    if !(1..=128).contains(&adder_bits) {
        cx.invalid(
            "pe_array.reduction_tree.adder_bits",
            format!("is {adder_bits}; expected 1..=128 bits"),
        );
        ok = false;
    }
    let e = t.energy.clone().unwrap_or_default();
    let adders = (rows * (cols / fan_in.max(1)) * fan_in.saturating_sub(1)) as f64;
    let add_pj = cx.energy(
        "pe_array.reduction_tree.energy.add_pj",
        e.add_pj,
        tech::op_pj_45nm(arith, Op::Add, adder_bits),
    );
    let leakage_mw = cx.energy(
        "pe_array.reduction_tree.energy.leakage_mw",
        e.leakage_mw,
        ADDER_LEAK_MW_45 * adders,
    );
    ok.then_some(ReductionTree {
        fan_in,
        adder_bits,
        linear: t.linear.unwrap_or(false),
        bypass: t.bypass.unwrap_or(true),
        nonlinear_on_pes: t.nonlinear_on_pes.unwrap_or(true),
        add_pj,
        leakage_mw,
    })
}

fn build_sram(b: &RawSram, cx: &mut Cx<'_>) -> Option<SramBuffer> {
    let mut ok = cx.at_least("global_buffer.size_kib", b.size_kib, 1);
    let n_banks = b.n_banks.unwrap_or(1);
    if n_banks == 0 || !n_banks.is_power_of_two() {
        cx.invalid(
            "global_buffer.n_banks",
            format!("is {n_banks}; expected a power of two (bank = address bits)"),
        );
        ok = false;
    }
    let ports = b.ports_per_bank.unwrap_or(1);
    ok &= cx.at_least("global_buffer.ports_per_bank", ports, 1);
    let word_bits = b.word_bits.unwrap_or(64);
    if word_bits == 0 || !word_bits.is_multiple_of(8) {
        cx.invalid(
            "global_buffer.word_bits",
            format!("is {word_bits}; expected a positive multiple of 8"),
        );
        ok = false;
    }
    let size_bytes = b.size_kib.saturating_mul(1024);
    if ok && !size_bytes.is_multiple_of(n_banks * word_bits / 8) {
        cx.invalid(
            "global_buffer.size_kib",
            format!("{size_bytes} bytes do not split into {n_banks} banks of whole {word_bits}-bit words"),
        );
        ok = false;
    }
    let bank_bytes = size_bytes as f64 / n_banks.max(1) as f64;
    let access = tech::sram_access_pj_45nm(bank_bytes) * word_bits as f64 / 64.0;
    let e = b.energy.clone().unwrap_or_default();
    let read_pj = cx.energy("global_buffer.energy.read_pj", e.read_pj, access);
    let write_pj = cx.energy("global_buffer.energy.write_pj", e.write_pj, access);
    let leakage_mw = cx.energy(
        "global_buffer.energy.leakage_mw",
        e.leakage_mw,
        SRAM_LEAK_MW_PER_KIB_45 * b.size_kib as f64,
    );
    ok.then_some(SramBuffer {
        size_bytes,
        n_banks,
        ports_per_bank: ports,
        word_bits,
        double_buffered: b.double_buffered.unwrap_or(true),
        latency_cycles: b.latency_cycles.unwrap_or(1),
        read_pj,
        write_pj,
        leakage_mw,
    })
}

fn build_nonlinear(n: &RawNonlinear, cx: &mut Cx<'_>) -> Option<NonlinearUnit> {
    let mut ok = cx.at_least("nonlinear.lanes", n.lanes, 1);
    let data_bits = n.data_bits.unwrap_or(16);
    if data_bits != 16 && data_bits != 32 {
        cx.invalid(
            "nonlinear.data_bits",
            format!("is {data_bits}; expected 16 or 32 (floating point)"),
        );
        ok = false;
    }
    let degree = n.exp_poly_degree.unwrap_or(2);
    if !(1..=2).contains(&degree) {
        cx.invalid(
            "nonlinear.exp_poly_degree",
            format!("is {degree}; expected 1 or 2"),
        );
        ok = false;
    }
    let segments = n.silu_segments.unwrap_or(16);
    ok &= cx.at_least("nonlinear.silu_segments", u64::from(segments), 1);
    let range = n.silu_range.unwrap_or(8.0);
    if !(range.is_finite() && range > 0.0) {
        cx.invalid(
            "nonlinear.silu_range",
            format!("is {range}; expected a finite value > 0"),
        );
        ok = false;
    }
    let mul = tech::op_pj_45nm(Arithmetic::Fp, Op::Mul, data_bits);
    let add = tech::op_pj_45nm(Arithmetic::Fp, Op::Add, data_bits);
    let d = f64::from(degree);
    let e = n.energy.clone().unwrap_or_default();
    let energy = NonlinearEnergy {
        exp_pj: cx.energy(
            "nonlinear.energy.exp_pj",
            e.exp_pj,
            (1.0 + d) * mul + (2.0 + d) * add,
        ),
        silu_pj: cx.energy("nonlinear.energy.silu_pj", e.silu_pj, 3.0 * mul + 3.0 * add),
        add_pj: cx.energy("nonlinear.energy.add_pj", e.add_pj, add),
        mul_pj: cx.energy("nonlinear.energy.mul_pj", e.mul_pj, mul),
        div_pj: cx.energy("nonlinear.energy.div_pj", e.div_pj, 5.0 * mul + 2.0 * add),
        leakage_mw: cx.energy(
            "nonlinear.energy.leakage_mw",
            e.leakage_mw,
            NL_LANE_LEAK_MW_45 * n.lanes as f64,
        ),
    };
    ok.then(|| NonlinearUnit {
        lanes: n.lanes,
        data_bits,
        latency_cycles: n.latency_cycles.unwrap_or(4),
        exp_poly_degree: degree,
        silu: SiluApprox::new(segments, range),
        energy,
    })
}
