//! Rank/DIMM-level near-data processing with general-purpose DPUs (UPMEM-like).
//!
//! # Model
//! `dimms × dpus_per_dimm` DPUs, each an in-order core at `dpu_clock_mhz` with its own
//! DRAM bank (MRAM, `mram_mb_per_dpu`) read into a scratchpad at `mram_mb_per_s`
//! (sustained DMA bandwidth), and measured streaming throughputs for 32-bit integer and
//! floating-point add and multiply (`*_mops`, million operations per second per DPU with
//! enough tasklets to fill the pipeline). DPUs do not talk to each other: the host moves
//! inputs in (`host_to_dpu_gb_per_s`, or `broadcast_gb_per_s` for one buffer sent to all
//! DPUs) and results out (`dpu_to_host_gb_per_s`), and transfers do not overlap DPU
//! execution. A kernel pays `launch_us`.
//!
//! * GEMV/GEMM: weight rows resident in MRAM, `⌈N / DPUs⌉` rows per DPU; per DPU time =
//!   `max(MRAM bytes / mram bandwidth, MACs · (1/add + 1/mul rate))` (DMA overlaps compute
//!   across tasklets); the input vector is broadcast, the outputs gathered. GEMM reuses a
//!   weight row for as many input vectors as fit half of the scratchpad.
//! * Element-wise: operands resident in MRAM; two reads, one write and one operation per
//!   element.
//! * Softmax and attention: not modelled (no measured exp throughput; run on the host).

use serde::Deserialize;
use sim_core::{ClockDomain, Time};

use crate::ArchError;
use crate::imc::kernel::{
    ElementwiseOp, Fidelity, Kernel, KernelClass, KernelEstimate, Phase, at_least_one, div_ceil,
    energy_report, non_negative, positive, ps_for, rate_per_s, unsupported,
};
use crate::suggest::closest;

const UNIT: &str = "pim";
const DATATYPES: [&str; 2] = ["int", "float"];

/// `[pim]` with `level = "dpu"`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DpuPimSpec {
    /// DIMMs with DPUs.
    pub dimms: u32,
    /// DPUs per DIMM.
    pub dpus_per_dimm: u32,
    /// DPU clock, MHz.
    pub dpu_clock_mhz: f64,
    /// MRAM per DPU, MiB (UPMEM: 64).
    pub mram_mb_per_dpu: f64,
    /// Scratchpad (WRAM) per DPU, KB (1024 bytes).
    pub wram_kb: u32,
    /// Sustained MRAM → WRAM bandwidth per DPU, MB/s (10⁶ B/s).
    pub mram_mb_per_s: f64,
    /// 32-bit integer additions per second per DPU, millions.
    pub int32_add_mops: f64,
    /// 32-bit integer multiplications per second per DPU, millions.
    pub int32_mul_mops: f64,
    /// 32-bit float additions per second per DPU, millions.
    pub float_add_mops: f64,
    /// 32-bit float multiplications per second per DPU, millions.
    pub float_mul_mops: f64,
    /// Operand bits.
    pub element_bits: u32,
    /// `"int"` or `"float"` (selects the operation rates).
    pub datatype: String,
    /// Host → DPU bandwidth (distinct buffers), GB/s.
    pub host_to_dpu_gb_per_s: f64,
    /// DPU → host bandwidth, GB/s.
    pub dpu_to_host_gb_per_s: f64,
    /// Host → all DPUs broadcast bandwidth, GB/s (default: host_to_dpu).
    pub broadcast_gb_per_s: Option<f64>,
    /// Kernel launch overhead, µs.
    pub launch_us: f64,
    /// Energy per action; every key optional.
    #[serde(default)]
    pub energy: DpuEnergySpec,
}

/// `[pim.energy]` for DPUs. Defaults are first-principles estimates (the cited paper
/// measures no energy): MRAM access 5 pJ/byte (a DRAM bank read without off-chip I/O,
/// ≈ 0.55 pJ/bit cell and local path as in FGDRAM, MICRO 2017), 10 pJ per DPU arithmetic
/// operation (a 32-bit in-order pipeline in a DRAM process), host transfers 20 pJ/byte
/// (DDR4 I/O plus the host's copy), 60 mW background per DPU (≈ 7.7 W per 128-DPU DIMM).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DpuEnergySpec {
    /// Per MRAM byte, pJ (default 5).
    pub mram_pj_per_byte: Option<f64>,
    /// Per arithmetic operation, pJ (default 10).
    pub op_pj: Option<f64>,
    /// Per byte moved between host and DPUs, pJ (default 20).
    pub transfer_pj_per_byte: Option<f64>,
    /// Background per DPU, mW (default 60).
    pub background_mw_per_dpu: Option<f64>,
}

/// A validated DPU system.
#[derive(Clone, Debug, PartialEq)]
pub struct DpuPim {
    /// DPUs.
    pub dpus: u64,
    /// DPU clock.
    pub clock: ClockDomain,
    /// MRAM per DPU, bytes.
    pub mram_bytes: u64,
    /// WRAM per DPU, bytes.
    pub wram_bytes: u64,
    /// MRAM bandwidth per DPU, bytes/s.
    pub mram_bytes_per_s: u64,
    /// Additions per second per DPU for the data type.
    pub add_per_s: u64,
    /// Multiplications per second per DPU for the data type.
    pub mul_per_s: u64,
    /// Bytes per element.
    pub element_bytes: u64,
    /// Host → DPU, bytes/s.
    pub host_to_dpu_bytes_per_s: u64,
    /// DPU → host, bytes/s.
    pub dpu_to_host_bytes_per_s: u64,
    /// Broadcast, bytes/s.
    pub broadcast_bytes_per_s: u64,
    /// Launch, ps.
    pub launch_ps: u64,
    /// pJ per MRAM byte.
    pub mram_pj_per_byte: f64,
    /// pJ per operation.
    pub op_pj: f64,
    /// pJ per transferred byte.
    pub transfer_pj_per_byte: f64,
    /// Background per DPU, mW.
    pub background_mw_per_dpu: f64,
}

impl DpuPimSpec {
    /// Validates the section at `key`.
    pub fn validate(&self, key: &str) -> Result<DpuPim, ArchError> {
        let k = |f: &str| format!("{key}.{f}");
        let p = |f: &str, v: f64| positive(&k(f), v);
        let float = match self.datatype.as_str() {
            "int" => false,
            "float" => true,
            other => {
                return Err(ArchError::UnknownName {
                    what: format!("data type at `{key}.datatype`"),
                    name: other.to_string(),
                    suggestion: closest(other, DATATYPES),
                    valid: DATATYPES.iter().map(|s| s.to_string()).collect(),
                });
            }
        };
        let element_bits = at_least_one(&k("element_bits"), u64::from(self.element_bits))?;
        if element_bits % 8 != 0 || element_bits > 64 {
            return Err(ArchError::Invalid {
                key: k("element_bits"),
                message: format!("{element_bits} bits: expected 8, 16, 32 or 64"),
            });
        }
        let r = |f: &str, v: f64, scale: f64| rate_per_s(&k(f), v, scale);
        let (add, mul) = if float {
            (
                r("float_add_mops", self.float_add_mops, 1e6)?,
                r("float_mul_mops", self.float_mul_mops, 1e6)?,
            )
        } else {
            (
                r("int32_add_mops", self.int32_add_mops, 1e6)?,
                r("int32_mul_mops", self.int32_mul_mops, 1e6)?,
            )
        };
        let h2d = r("host_to_dpu_gb_per_s", self.host_to_dpu_gb_per_s, 1e9)?;
        let e = &self.energy;
        let ek = |f: &str| format!("{key}.energy.{f}");
        Ok(DpuPim {
            dpus: at_least_one(&k("dimms"), u64::from(self.dimms))?
                * at_least_one(&k("dpus_per_dimm"), u64::from(self.dpus_per_dimm))?,
            clock: ClockDomain::from_mhz(p("dpu_clock_mhz", self.dpu_clock_mhz)?)?,
            mram_bytes: (p("mram_mb_per_dpu", self.mram_mb_per_dpu)? * 1048576.0) as u64,
            wram_bytes: at_least_one(&k("wram_kb"), u64::from(self.wram_kb))? * 1024,
            mram_bytes_per_s: r("mram_mb_per_s", self.mram_mb_per_s, 1e6)?,
            add_per_s: add,
            mul_per_s: mul,
            element_bytes: element_bits / 8,
            host_to_dpu_bytes_per_s: h2d,
            dpu_to_host_bytes_per_s: r("dpu_to_host_gb_per_s", self.dpu_to_host_gb_per_s, 1e9)?,
            broadcast_bytes_per_s: match self.broadcast_gb_per_s {
                Some(b) => r("broadcast_gb_per_s", b, 1e9)?,
                None => h2d,
            },
            launch_ps: (non_negative(&k("launch_us"), self.launch_us)? * 1e6).round() as u64,
            mram_pj_per_byte: non_negative(
                &ek("mram_pj_per_byte"),
                e.mram_pj_per_byte.unwrap_or(5.0),
            )?,
            op_pj: non_negative(&ek("op_pj"), e.op_pj.unwrap_or(10.0))?,
            transfer_pj_per_byte: non_negative(
                &ek("transfer_pj_per_byte"),
                e.transfer_pj_per_byte.unwrap_or(20.0),
            )?,
            background_mw_per_dpu: non_negative(
                &ek("background_mw_per_dpu"),
                e.background_mw_per_dpu.unwrap_or(60.0),
            )?,
        })
    }
}

impl DpuPim {
    /// Aggregate MRAM bandwidth, bytes/s.
    pub fn internal_bytes_per_s(&self) -> f64 {
        (self.dpus * self.mram_bytes_per_s) as f64
    }

    /// Peak additions per second of the data type over all DPUs.
    pub fn peak_add_ops_per_s(&self) -> f64 {
        (self.dpus * self.add_per_s) as f64
    }

    /// Estimates a kernel: GEMV, GEMM and element-wise run; softmax and attention are
    /// [`ArchError::Unsupported`].
    pub fn estimate(&self, kernel: &Kernel) -> Result<KernelEstimate, ArchError> {
        kernel.check_nonzero(UNIT)?;
        match *kernel {
            Kernel::Gemv { k, n } => self.gemm(1, k, n),
            Kernel::Gemm { m, k, n } => self.gemm(m, k, n),
            Kernel::Elementwise { op, n } => self.elementwise(op, n),
            Kernel::Activation { func, .. } => Err(unsupported(
                UNIT,
                kernel.class(),
                &format!(
                    "DPUs have no measured {} throughput in this model (add, sub and mul only); \
                     run activations on the host",
                    func.name()
                ),
            )),
            Kernel::Softmax { .. } | Kernel::Attention(_) => Err(unsupported(
                UNIT,
                kernel.class(),
                "DPUs have no measured exponential throughput in this model; run softmax and \
                 attention's softmax on the host",
            )),
        }
    }

    fn package(
        &self,
        class: KernelClass,
        phases: Vec<(String, u64)>,
        counts: Vec<(String, u64)>,
        lines: [u64; 3],
        useful_ops: u64,
    ) -> Result<KernelEstimate, ArchError> {
        let total: u64 = phases.iter().map(|(_, p)| p).sum();
        let time = Time::from_ps(total);
        let energy = energy_report(
            UNIT,
            &[
                ("mram_access", lines[0], self.mram_pj_per_byte),
                ("dpu_op", lines[1], self.op_pj),
                ("host_transfer", lines[2], self.transfer_pj_per_byte),
            ],
            self.background_mw_per_dpu * self.dpus as f64,
            time,
        )?;
        Ok(KernelEstimate {
            unit: UNIT.to_string(),
            class,
            fidelity: Fidelity::TileLevel,
            clock: self.clock,
            cycles: self.clock.cycles_at(time),
            time,
            energy,
            counts,
            phases: phases
                .into_iter()
                .map(|(name, ps)| {
                    let c = self.clock.cycles_at(Time::from_ps(ps));
                    Phase {
                        name,
                        cycles: c,
                        span_cycles: c,
                    }
                })
                .collect(),
            useful_ops,
        })
    }

    /// `C[M×N] = A[M×K] · B[K×N]` with `B`'s rows (one per output) resident in MRAM.
    pub fn gemm(&self, m: u64, k: u64, n: u64) -> Result<KernelEstimate, ArchError> {
        let class = if m == 1 {
            KernelClass::Gemv
        } else {
            KernelClass::Gemm
        };
        let eb = self.element_bytes;
        let rows = div_ceil(n, self.dpus);
        let mram = rows * k * eb;
        if mram > self.mram_bytes {
            return Err(unsupported(
                UNIT,
                class,
                &format!(
                    "{mram} bytes of weights per DPU exceed its {} bytes of MRAM",
                    self.mram_bytes
                ),
            ));
        }
        // Input vectors held in half the scratchpad at once.
        let per_pass = ((self.wram_bytes / 2) / (k * eb)).clamp(1, m);
        let passes = div_ceil(m, per_pass);
        let mram_ps = ps_for(passes * mram, self.mram_bytes_per_s);
        let macs = m * rows * k;
        let compute_ps = ps_for(macs, self.add_per_s) + ps_for(macs, self.mul_per_s);
        let out_bytes = m * n * eb.max(4);
        let in_ps = ps_for(m * k * eb, self.broadcast_bytes_per_s);
        let out_ps = ps_for(out_bytes, self.dpu_to_host_bytes_per_s);
        let phases = vec![
            ("launch".to_string(), self.launch_ps),
            ("input broadcast".to_string(), in_ps),
            (
                "DPU compute (MRAM streaming overlapped)".to_string(),
                mram_ps.max(compute_ps),
            ),
            ("output gather".to_string(), out_ps),
        ];
        let mram_total = passes * k * n * eb;
        let transfer = m * k * eb + out_bytes;
        let counts = vec![
            ("mram_bytes".to_string(), mram_total),
            ("macs".to_string(), m * k * n),
            ("transfer_bytes".to_string(), transfer),
            ("passes".to_string(), passes),
        ];
        self.package(
            class,
            phases,
            counts,
            [mram_total, 2 * m * k * n, transfer],
            m * k * n,
        )
    }

    /// `n` element-wise operations on operands resident in MRAM (results stay there).
    pub fn elementwise(&self, op: ElementwiseOp, n: u64) -> Result<KernelEstimate, ArchError> {
        let eb = self.element_bytes;
        let per = div_ceil(n, self.dpus);
        let rate = match op {
            ElementwiseOp::Add | ElementwiseOp::Sub => self.add_per_s,
            ElementwiseOp::Mul => self.mul_per_s,
        };
        let t = ps_for(3 * per * eb, self.mram_bytes_per_s).max(ps_for(per, rate));
        let phases = vec![
            ("launch".to_string(), self.launch_ps),
            (format!("{} in MRAM", op.name()), t),
        ];
        let counts = vec![
            ("mram_bytes".to_string(), 3 * n * eb),
            ("ops".to_string(), n),
        ];
        self.package(
            KernelClass::Elementwise,
            phases,
            counts,
            [3 * n * eb, n, 0],
            n,
        )
    }
}
