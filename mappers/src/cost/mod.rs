//! "Cost this work on this unit": the [`CostModel`] trait, its answer [`OpCost`], and the
//! platform-wide implementation [`PlatformCosts`] with a process-wide memo.
//!
//! Candidate units come from `arch`'s dispatch layer (`Platform::candidate_units`,
//! preferred first; [`dispatch`]), with the PE array first for matrix products when the
//! platform has an array and a buffer. Costs:
//!
//! | work on unit | model |
//! | --- | --- |
//! | matrix products on the PE array | mapping search ([`crate::mapping`]), winner at level 2 |
//! | fused attention on the PE array | QKᵀ and PV mapped as products, softmax on the vector unit ([`pe`]) |
//! | element-wise functions without an `arch::work` class on the nonlinear unit or a PE array in element-wise mode | [`vector`]: `arch`'s closed forms, chunks at level 2 |
//! | data movement on an accelerator | DMA ([`dma`]): bytes at the probed DRAM rates (level 3) |
//! | everything else (nonlinear unit, GPU, CPU, crossbar, associative processor, PIM) | `Platform::estimate` ([`dispatch`]) |
//!
//! **Memo.** Costs are pure functions of (platform, unit, work, search options), so they
//! are kept in a process-wide table keyed by a fingerprint of the platform (a hash of its
//! full `Debug` text), the unit, the work and the options: a model's identical layers,
//! and every later run on the same platform, cost each distinct operator once. Cached and
//! fresh values are identical, so results never depend on what ran before.

pub mod dispatch;
pub mod dma;
pub mod pe;
pub mod probe;
pub mod vector;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use arch::Platform;
use serde::Serialize;
use sim_core::Time;

use crate::mapping::Mapping;
use crate::mapping::space::PeCtx;
use crate::work::Work;
use crate::{MapError, RunOptions};
use probe::MemProbe;

/// A unit a piece of work can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The PE array (systolic, tree, or element-wise mode).
    PeArray,
    /// The nonlinear-function unit.
    Nonlinear,
    /// A GPU.
    Gpu,
    /// A CPU.
    Cpu,
    /// IMC crossbars.
    Crossbar,
    /// An associative processor.
    AssocProcessor,
    /// Processing in memory.
    Pim,
    /// The DMA engine between DRAM and the buffers (data movement only).
    Dma,
    /// The links between devices (collectives).
    Interconnect,
    /// The link between a platform and its `[host]` (activation transfers).
    HostLink,
}

impl UnitKind {
    /// Whether the unit computes inside memory (crossbar, associative processor, PIM):
    /// its traffic stays in its own arrays, off the shared DRAM link.
    pub fn in_memory(self) -> bool {
        matches!(
            self,
            UnitKind::Crossbar | UnitKind::AssocProcessor | UnitKind::Pim
        )
    }

    /// Name as in platform sections and reports.
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::PeArray => "pe_array",
            UnitKind::Nonlinear => "nonlinear",
            UnitKind::Gpu => "gpu",
            UnitKind::Cpu => "cpu",
            UnitKind::Crossbar => "crossbar",
            UnitKind::AssocProcessor => "assoc_processor",
            UnitKind::Pim => "pim",
            UnitKind::Dma => "dma",
            UnitKind::Interconnect => "interconnect",
            UnitKind::HostLink => "host_link",
        }
    }
}

/// Energy of one (unit, action), pJ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnergyItem {
    /// Unit (`pe_array`, `global_buffer`, `dram`, `gpu`…).
    pub unit: String,
    /// Action (`mac`, `read`, `leakage`…).
    pub action: String,
    /// Energy, pJ.
    pub pj: f64,
}

impl EnergyItem {
    /// A line.
    pub fn new(unit: &str, action: &str, pj: f64) -> EnergyItem {
        EnergyItem {
            unit: unit.to_string(),
            action: action.to_string(),
            pj,
        }
    }
}

/// What bounds an operator's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The unit's arithmetic.
    Compute,
    /// Off-chip bandwidth.
    Memory,
    /// Fixed latencies (launch overhead, pipeline fill).
    Latency,
}

/// The chosen mapping of a matrix product, with how it was found.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MappingInfo {
    /// The mapping (of one product).
    pub mapping: Mapping,
    /// Search method (`heuristic`, `exhaustive`, `random`).
    pub method: &'static str,
    /// Points evaluated.
    pub evaluated: u64,
    /// Points in the space.
    pub space: u64,
    /// Which level-2 engine ran the winner.
    pub via: &'static str,
    /// The closed-form estimate of the winner, s.
    pub estimate_s: f64,
}

/// The cost of a piece of work on one unit, run alone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpCost {
    /// The unit.
    pub unit: UnitKind,
    /// Time alone on the unit (memory stalls included).
    #[serde(skip)]
    pub time: Time,
    /// Time of the arithmetic alone.
    #[serde(skip)]
    pub compute_time: Time,
    /// Time of the off-chip traffic alone at the achieved bandwidth.
    #[serde(skip)]
    pub memory_time: Time,
    /// Fixed launch overhead included in `time` (GPUs, CPUs).
    #[serde(skip)]
    pub launch_time: Time,
    /// Level-3 (roofline) time of the same work.
    #[serde(skip)]
    pub roofline: Time,
    /// Off-chip bytes read.
    pub dram_read: u64,
    /// Off-chip bytes written.
    pub dram_written: u64,
    /// On-chip buffer bytes read and written.
    pub onchip_bytes: u64,
    /// Energy by unit and action.
    pub energy: Vec<EnergyItem>,
    /// Fidelity level: 2 (tile events) or 3 (analytical).
    pub fidelity: u8,
    /// What bounds the time.
    pub bound: Bound,
    /// The mapping, for matrix products on a PE array.
    pub mapping: Option<MappingInfo>,
}

impl OpCost {
    /// Total energy, pJ.
    pub fn energy_pj(&self) -> f64 {
        self.energy.iter().map(|e| e.pj).sum()
    }
}

/// Costs work on units.
pub trait CostModel {
    /// The units that can run `work`, preferred first (empty: none can).
    fn candidates(&self, work: &Work) -> Vec<UnitKind>;
    /// The cost of `work` on `unit`, alone.
    fn cost(&self, unit: UnitKind, work: &Work) -> Result<OpCost, MapError>;
    /// Why no unit can run `work` (when [`CostModel::candidates`] is empty).
    fn why_none(&self, work: &Work) -> String {
        format!("no unit of the platform runs {} work", work.class())
    }
}

/// The cost model of a whole platform (see the module docs).
pub struct PlatformCosts<'a> {
    /// The platform.
    pub platform: &'a Platform,
    /// Run options (objective, search…).
    pub opts: &'a RunOptions,
    /// Off-chip memory figures.
    pub mem: MemProbe,
    /// PE-array mapping context, when the platform has an array and a buffer.
    pub pe: Option<PeCtx<'a>>,
    fingerprint: u64,
}

type MemoKey = (u64, UnitKind, Work, u64);

fn memo() -> &'static Mutex<HashMap<MemoKey, Arc<OpCost>>> {
    static M: OnceLock<Mutex<HashMap<MemoKey, Arc<OpCost>>>> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
}

type CandidateMemo = Mutex<HashMap<(u64, Work), Vec<UnitKind>>>;

fn candidate_memo() -> &'static CandidateMemo {
    static M: OnceLock<CandidateMemo> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
}

fn probes() -> &'static Mutex<HashMap<u64, MemProbe>> {
    static M: OnceLock<Mutex<HashMap<u64, MemProbe>>> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Empties the cost memo and the memory-probe cache (benchmarks use it to measure cold
/// runs).
pub fn clear_memo() {
    if let Ok(mut m) = memo().lock() {
        m.clear();
    }
    if let Ok(mut m) = probes().lock() {
        m.clear();
    }
    if let Ok(mut m) = candidate_memo().lock() {
        m.clear();
    }
}

/// Entries kept in the memo before it is cleared (bounds memory in long sweeps).
pub const MEMO_CAPACITY: usize = 200_000;

/// A hash of the platform's full description.
pub fn fingerprint(p: &Platform) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{p:?}").hash(&mut h);
    h.finish()
}

impl<'a> PlatformCosts<'a> {
    /// The cost model of `p` under `opts`.
    pub fn new(p: &'a Platform, opts: &'a RunOptions) -> Result<PlatformCosts<'a>, MapError> {
        let fingerprint = fingerprint(p);
        let cached = probes()
            .lock()
            .ok()
            .and_then(|m| m.get(&fingerprint).copied());
        let mem = match cached {
            Some(m) => m,
            None => {
                let m = MemProbe::of(p)?;
                if let Ok(mut t) = probes().lock() {
                    t.insert(fingerprint, m);
                }
                m
            }
        };
        let pe = match (&p.pe_array, &p.global_buffer) {
            (Some(_), Some(_)) => Some(PeCtx::new(p, mem, opts)?),
            _ => None,
        };
        Ok(PlatformCosts {
            platform: p,
            opts,
            mem,
            pe,
            fingerprint,
        })
    }

    fn options_key(&self) -> u64 {
        let mut h = DefaultHasher::new();
        (
            self.opts.objective,
            self.opts.search,
            self.opts.dataflow,
            self.opts.gpu_launch,
            self.opts.inter_op_buffering,
            self.opts.dram,
        )
            .hash(&mut h);
        h.finish()
    }

    /// The vector unit for element-wise functions `arch` has no class for (all multiplies
    /// and adds), as `arch`'s dispatch orders element-wise work: the PE array in
    /// element-wise mode when its reduction tree can be bypassed (MARCA), else the
    /// nonlinear unit.
    pub fn vector_unit(&self) -> Option<UnitKind> {
        if self
            .platform
            .pe_array
            .as_ref()
            .is_some_and(|pe| pe.elementwise_capable())
        {
            Some(UnitKind::PeArray)
        } else if self.platform.nonlinear.is_some() {
            Some(UnitKind::Nonlinear)
        } else {
            None
        }
    }

    /// The candidate units of `work` (see [`CostModel::candidates`]), uncached.
    fn find_candidates(&self, work: &Work) -> Vec<UnitKind> {
        let p = self.platform;
        let mut v = dispatch::candidates(self, work);
        match work {
            // Products on the array through the mapping search (needs a global buffer);
            // attention on PIM first where the platform offloads it (AttAcc).
            Work::Gemm(_) | Work::Attention(_) => {
                if matches!(work, Work::Attention(_)) && v.contains(&UnitKind::Pim) {
                    v.retain(|u| *u != UnitKind::Pim);
                    v.insert(0, UnitKind::Pim);
                }
                if self.pe.is_none() {
                    v.retain(|u| *u != UnitKind::PeArray);
                } else if matches!(work, Work::Gemm(_)) && !v.contains(&UnitKind::PeArray) {
                    v.insert(0, UnitKind::PeArray);
                }
            }
            // Functions without an arch class: the vector unit through `vector`.
            Work::Vector(f) if !dispatch::exact_vector(f.func) => {
                if let Some(u) = self.vector_unit() {
                    v.retain(|x| *x != UnitKind::PeArray && *x != UnitKind::Nonlinear);
                    v.insert(0, u);
                }
            }
            // Data movement on an accelerator (with a [host]: one with its own buffer):
            // the DMA engine.
            Work::Move(_)
                if (p.gpu.is_none() && p.cpu.is_none())
                    || (self.host_fallback() && p.global_buffer.is_some()) =>
            {
                v = vec![UnitKind::Dma];
            }
            _ => {}
        }
        // With a [host]: the platform's own units first, the host's GPU/CPU after.
        if self.host_fallback() {
            let (own, host): (Vec<UnitKind>, Vec<UnitKind>) = v
                .into_iter()
                .partition(|u| !matches!(u, UnitKind::Gpu | UnitKind::Cpu));
            v = own;
            v.extend(host);
        }
        v
    }

    /// Whether the platform has a `[host]` that runs what its own units cannot
    /// (`arch::host::HostRole::Fallback`; its GPU/CPU are the host's, see
    /// [`crate::compose_host`]).
    pub fn host_fallback(&self) -> bool {
        self.platform
            .host
            .as_ref()
            .is_some_and(|h| h.role == arch::host::HostRole::Fallback)
    }

    fn compute(&self, unit: UnitKind, work: &Work) -> Result<OpCost, MapError> {
        match (unit, work) {
            (UnitKind::PeArray, Work::Gemm(g)) if self.pe.is_some() => pe::gemm(self, g),
            (UnitKind::PeArray, Work::Attention(a)) if self.pe.is_some() => pe::attention(self, a),
            (UnitKind::PeArray | UnitKind::Nonlinear, Work::Vector(v))
                if !dispatch::exact_vector(v.func) =>
            {
                vector::cost(self, unit, work)
            }
            (UnitKind::Dma, w) => dma::cost(self, w),
            (u, w) => dispatch::cost(self, u, w),
        }
    }
}

impl CostModel for PlatformCosts<'_> {
    fn candidates(&self, work: &Work) -> Vec<UnitKind> {
        let key = (self.fingerprint, *work);
        if let Some(v) = candidate_memo()
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return v;
        }
        let v = self.find_candidates(work);
        if let Ok(mut m) = candidate_memo().lock() {
            if m.len() >= MEMO_CAPACITY {
                m.clear();
            }
            m.insert(key, v.clone());
        }
        v
    }

    fn why_none(&self, work: &Work) -> String {
        let p = self.platform;
        let (a, _) = dispatch::to_arch(work);
        let why = match p.preferred_unit(&a) {
            Err(arch::ArchError::Unsupported { reason, .. }) => reason,
            Err(e) => e.to_string(),
            Ok(u) => format!("{} refused it", u.name()),
        };
        let digital =
            p.pe_array.is_some() || p.nonlinear.is_some() || p.gpu.is_some() || p.cpu.is_some();
        if digital {
            why
        } else {
            format!(
                "{why}; an in-memory platform needs a digital host for norms and element-wise \
                 work: name one in a [host] section (`[host]` with `platform = \"xeon-8358p\"` \
                 and `link_gb_per_s = 31.5`, or `--set host.platform=xeon-8358p --set \
                 host.link_gb_per_s=31.5`)"
            )
        }
    }

    fn cost(&self, unit: UnitKind, work: &Work) -> Result<OpCost, MapError> {
        let key = (self.fingerprint, unit, *work, self.options_key());
        if let Some(c) = memo().lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok((*c).clone());
        }
        let c = self.compute(unit, work)?;
        if let Ok(mut m) = memo().lock() {
            if m.len() >= MEMO_CAPACITY {
                m.clear();
            }
            m.insert(key, Arc::new(c.clone()));
        }
        Ok(c)
    }
}

/// `Time` from seconds, rounded up to a picosecond.
pub fn secs(s: f64) -> Time {
    if s.is_finite() && s > 0.0 {
        Time::from_ps((s * 1e12).ceil() as u64)
    } else {
        Time::ZERO
    }
}
