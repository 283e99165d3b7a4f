//! # Multi-device systems
//!
//! A platform of `N` identical devices (GPUs, CPUs, accelerator chips) joined by an
//! interconnect: the `[system]` section ([`SystemSpec`]) names the device count, an
//! interconnect preset ([`INTERCONNECTS`]: NVLink 3/4, PCIe 4/5, Groq C2C) and a topology,
//! with optional overrides. The validated [`System`] prices the collectives a mapper needs
//! to split a model across devices, and a tensor-parallel GEMM.
//!
//! ## Cost model (α–β)
//! `bw` is one device's link bandwidth per direction (all its links together), `α` the
//! latency of one communication step, `α₀` a fixed per-collective start-up cost. For an
//! all-reduce of `B` bytes over `N` devices:
//! - **ring**: reduce-scatter then all-gather around the ring,
//!   `2(N−1)/N · B / bw + 2(N−1)·α + α₀`; each device sends `2(N−1)/N · B`;
//! - **switch** (NVSwitch, PCIe switch) and **fully-connected** (HGX A100 4-GPU, Groq
//!   node): the same two phases done directly — every device sends its `(N−1)` shares to
//!   all peers at once, link-limited — `2(N−1)/N · B / bw + 2α + α₀`. (NVSwitch's
//!   in-network reduction, NVLS, is not modelled: it would halve the bytes a GPU sends.)
//!
//! All-gather and reduce-scatter of a `B`-byte (full) tensor take half the all-reduce's
//! traffic: `(N−1)/N · B / bw` plus `(N−1)α` (ring) or `α` (direct), plus `α₀`. A
//! pipeline-parallel send of `B` bytes to one peer takes `B / bw_pair + α + α₀`, where
//! `bw_pair = bw` on a ring or switch and `bw/(N−1)` on a fully-connected topology (each
//! peer has its own share of the links).
//!
//! ## Tensor-parallel GEMM
//! [`System::tp_gemm`] splits `C[m×n] = A[m×k]·B[k×n]` over the devices: **column**-
//! parallel splits `n` (each device computes `m × ⌈n/N⌉ × k`; C stays sharded, no
//! communication — an all-gather is needed only if the next operator wants C whole);
//! **row**-parallel splits `k` (each device computes `m × n × ⌈k/N⌉` partial sums, then an
//! all-reduce of `m·n` outputs). Communication is not overlapped with compute.
//!
//! ```
//! use arch::system::{SystemSpec, TpSplit};
//! use arch::gpu::{self, DType};
//! let spec: SystemSpec = toml::from_str("devices = 2\ninterconnect = \"nvlink3\"").unwrap();
//! let sys = spec.validate("system").unwrap();
//! let a100 = gpu::preset("a100-sxm4-80gb").unwrap();
//! let tp = sys.tp_gemm(&a100, 16, 8192, 8192, DType::Fp16, TpSplit::Row).unwrap();
//! // All-reduce of 16 × 8192 FP16 outputs = 262144 bytes over 2 GPUs.
//! assert_eq!(tp.comm.unwrap().bytes_sent_per_device, 262144.0);
//! ```

use serde::Deserialize;
use sim_core::Time;

use crate::ArchError;
use crate::gpu::kernels::{DType, KernelEstimate, KernelModel, KernelRequest, secs_to_time};
use crate::suggest::closest;

/// How the devices are wired.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Topology {
    /// Each device talks to two neighbours; collectives go round the ring.
    Ring,
    /// Every device has one (aggregate) link to a non-blocking switch.
    Switch,
    /// Every pair of devices has its own direct links.
    FullyConnected,
}

/// An interconnect preset: `(name, bytes per second per direction per device, step
/// latency µs, start-up latency µs, default topology, source)`.
pub type InterconnectPreset = (&'static str, f64, f64, f64, Topology, &'static str);

/// The interconnect presets. Latencies of NVLink and PCIe are NCCL's tuning model
/// (`src/graph/tuning.cc`): ring LL-protocol hardware latency per step (NVLink 0.6 µs, PCIe
/// 1.0 µs) and base latency 6.6 µs.
pub const INTERCONNECTS: [InterconnectPreset; 5] = [
    (
        "nvlink3",
        300e9,
        0.6,
        6.6,
        Topology::Switch,
        "A100: 12 NVLink 3 links × 25 GB/s per direction = 600 GB/s total (A100 datasheet)",
    ),
    (
        "nvlink4",
        450e9,
        0.6,
        6.6,
        Topology::Switch,
        "H100 SXM: 18 NVLink 4 links × 25 GB/s per direction = 900 GB/s total (H100 datasheet)",
    ),
    (
        "pcie4",
        31.5e9,
        1.0,
        6.6,
        Topology::Switch,
        "PCIe 4.0 x16: 16 GT/s × 16 lanes × 128/130 / 8 = 31.5 GB/s per direction",
    ),
    (
        "pcie5",
        63.0e9,
        1.0,
        6.6,
        Topology::Switch,
        "PCIe 5.0 x16: 32 GT/s × 16 lanes × 128/130 / 8 = 63.0 GB/s per direction",
    ),
    (
        "groq-c2c",
        105e9,
        0.6,
        0.0,
        Topology::FullyConnected,
        "Groq TSP: 16 C2C links of 4 × 30 Gb/s lanes = 15 GB/s per link per direction \
         (Linley Newsletter, 'Groq Gets Connected', 2020); an 8-chip node is fully connected \
         by 7 local links per chip = 105 GB/s; step latency an estimate (Groq ISCA 2022: \
         under 3 µs end to end across 10,440 TSPs); no start-up cost (statically scheduled)",
    ),
];

/// The `[system]` section as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    /// Number of identical devices (≥ 1).
    pub devices: u32,
    /// Interconnect preset name (see [`INTERCONNECTS`]).
    pub interconnect: String,
    /// Topology (default: the preset's).
    pub topology: Option<Topology>,
    /// Override: link bandwidth per device per direction, bytes/s.
    pub link_bytes_per_s: Option<f64>,
    /// Override: latency per communication step, µs.
    pub step_latency_us: Option<f64>,
    /// Override: fixed start-up latency per collective, µs.
    pub base_latency_us: Option<f64>,
}

/// A validated multi-device system.
#[derive(Clone, Debug, PartialEq)]
pub struct System {
    devices: u32,
    interconnect: String,
    topology: Topology,
    link_bytes_per_s: f64,
    step_latency_s: f64,
    base_latency_s: f64,
}

/// The cost of one collective or transfer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CommEstimate {
    /// Time until every device has its result.
    pub time: Time,
    /// Bytes each device sends.
    pub bytes_sent_per_device: f64,
    /// Latency steps on the critical path.
    pub steps: u32,
}

/// How a GEMM is split across devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TpSplit {
    /// Split `n` (output features): no communication.
    Column,
    /// Split `k` (input features): partial outputs all-reduced.
    Row,
}

/// A tensor-parallel GEMM.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TpGemmEstimate {
    /// One device's shard of the product.
    pub per_device: KernelEstimate,
    /// The all-reduce (row-parallel), if any.
    pub comm: Option<CommEstimate>,
    /// `per_device.time + comm.time`.
    pub time: Time,
}

fn check(key: &str, field: &str, v: Option<f64>, positive: bool) -> Result<(), ArchError> {
    match v {
        Some(x) if !x.is_finite() || x < 0.0 || (positive && x == 0.0) => Err(ArchError::Invalid {
            key: format!("{key}.{field}"),
            message: format!("must be {}, got {x}", if positive { "> 0" } else { ">= 0" }),
        }),
        _ => Ok(()),
    }
}

impl SystemSpec {
    /// Validates this section (`key_path` prefixes error keys).
    pub fn validate(&self, key_path: &str) -> Result<System, ArchError> {
        if self.devices == 0 {
            return Err(ArchError::Invalid {
                key: format!("{key_path}.devices"),
                message: "a system needs at least 1 device".into(),
            });
        }
        let names = || INTERCONNECTS.iter().map(|p| p.0);
        let Some(p) = INTERCONNECTS
            .iter()
            .find(|p| p.0.eq_ignore_ascii_case(&self.interconnect))
        else {
            return Err(ArchError::UnknownName {
                what: format!("interconnect at `{key_path}.interconnect`"),
                name: self.interconnect.clone(),
                suggestion: closest(&self.interconnect, names()),
                valid: names().map(String::from).collect(),
            });
        };
        check(key_path, "link_bytes_per_s", self.link_bytes_per_s, true)?;
        check(key_path, "step_latency_us", self.step_latency_us, false)?;
        check(key_path, "base_latency_us", self.base_latency_us, false)?;
        Ok(System {
            devices: self.devices,
            interconnect: p.0.to_string(),
            topology: self.topology.unwrap_or(p.4),
            link_bytes_per_s: self.link_bytes_per_s.unwrap_or(p.1),
            step_latency_s: self.step_latency_us.unwrap_or(p.2) * 1e-6,
            base_latency_s: self.base_latency_us.unwrap_or(p.3) * 1e-6,
        })
    }
}

impl System {
    /// Number of devices.
    pub fn devices(&self) -> u32 {
        self.devices
    }
    /// Interconnect preset name.
    pub fn interconnect(&self) -> &str {
        &self.interconnect
    }
    /// Topology.
    pub fn topology(&self) -> Topology {
        self.topology
    }
    /// Link bandwidth per device per direction, bytes/s.
    pub fn link_bytes_per_s(&self) -> f64 {
        self.link_bytes_per_s
    }
    /// Step latency, seconds.
    pub fn step_latency_s(&self) -> f64 {
        self.step_latency_s
    }
    /// Start-up latency per collective, seconds.
    pub fn base_latency_s(&self) -> f64 {
        self.base_latency_s
    }

    fn comm(&self, seconds: f64, sent: f64, steps: u32) -> CommEstimate {
        CommEstimate {
            time: secs_to_time(seconds),
            bytes_sent_per_device: sent,
            steps,
        }
    }

    /// `(steps per phase)`: `N − 1` on a ring, 1 when devices talk directly.
    fn phase_steps(&self) -> u32 {
        match self.topology {
            Topology::Ring => self.devices - 1,
            Topology::Switch | Topology::FullyConnected => 1,
        }
    }

    /// All-reduce of `bytes` (each device holds `bytes`, all end with the sum).
    pub fn all_reduce(&self, bytes: f64) -> CommEstimate {
        if self.devices <= 1 || bytes <= 0.0 {
            return self.comm(0.0, 0.0, 0);
        }
        let n = f64::from(self.devices);
        let sent = 2.0 * (n - 1.0) / n * bytes;
        let steps = 2 * self.phase_steps();
        let t = sent / self.link_bytes_per_s
            + f64::from(steps) * self.step_latency_s
            + self.base_latency_s;
        self.comm(t, sent, steps)
    }

    /// All-gather of a `bytes`-byte tensor (each device holds `bytes/N`, all end with it
    /// whole). Reduce-scatter costs the same.
    pub fn all_gather(&self, bytes: f64) -> CommEstimate {
        if self.devices <= 1 || bytes <= 0.0 {
            return self.comm(0.0, 0.0, 0);
        }
        let n = f64::from(self.devices);
        let sent = (n - 1.0) / n * bytes;
        let steps = self.phase_steps();
        let t = sent / self.link_bytes_per_s
            + f64::from(steps) * self.step_latency_s
            + self.base_latency_s;
        self.comm(t, sent, steps)
    }

    /// Reduce-scatter of a `bytes`-byte tensor (same cost as [`System::all_gather`]).
    pub fn reduce_scatter(&self, bytes: f64) -> CommEstimate {
        self.all_gather(bytes)
    }

    /// Point-to-point send of `bytes` to one peer (a pipeline-parallel stage boundary).
    pub fn send(&self, bytes: f64) -> CommEstimate {
        if self.devices <= 1 || bytes <= 0.0 {
            return self.comm(0.0, 0.0, 0);
        }
        let pair_bw = match self.topology {
            Topology::Ring | Topology::Switch => self.link_bytes_per_s,
            Topology::FullyConnected => self.link_bytes_per_s / f64::from(self.devices - 1),
        };
        let t = bytes / pair_bw + self.step_latency_s + self.base_latency_s;
        self.comm(t, bytes, 1)
    }

    /// Tensor-parallel GEMM `C[m×n] = A[m×k]·B[k×n]` on `device`, split as `split` over
    /// the system's devices (see the module docs). The all-reduce moves `m·n` outputs of
    /// `max(2, dtype bytes)` bytes (8/4-bit products emit FP16).
    pub fn tp_gemm(
        &self,
        device: &dyn KernelModel,
        m: u64,
        n: u64,
        k: u64,
        dtype: DType,
        split: TpSplit,
    ) -> Result<TpGemmEstimate, ArchError> {
        let d = u64::from(self.devices);
        let (sn, sk) = match split {
            TpSplit::Column => (n.div_ceil(d), k),
            TpSplit::Row => (n, k.div_ceil(d)),
        };
        let per_device = device.estimate(&KernelRequest::Gemm {
            m,
            n: sn,
            k: sk,
            dtype,
        })?;
        let comm = match split {
            TpSplit::Column => None,
            TpSplit::Row => Some(self.all_reduce(m as f64 * n as f64 * dtype.bytes().max(2.0))),
        };
        let time = per_device.time + comm.map_or(Time::ZERO, |c| c.time);
        Ok(TpGemmEstimate {
            per_device,
            comm,
            time,
        })
    }
}

/// Multi-device presets are whole platform files with a `[system]` section next to their
/// device's section; they are listed with the device presets ([`crate::gpu::presets`]).
/// This returns the validated `[system]` of such a preset.
pub fn preset(name: &str) -> Result<System, ArchError> {
    crate::Platform::load(name, &[])?
        .system
        .ok_or_else(|| crate::gpu::not_a(name, "multi-device", "system"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sys(devices: u32, topo: &str) -> System {
        let text = format!(
            "devices = {devices}\ninterconnect = \"nvlink3\"\ntopology = \"{topo}\"\n\
             link_bytes_per_s = 1e9\nstep_latency_us = 1\nbase_latency_us = 10"
        );
        toml::from_str::<SystemSpec>(&text)
            .unwrap()
            .validate("system")
            .unwrap()
    }

    /// Times agree to a picosecond (the model rounds real seconds up once).
    fn close(t: Time, ns: u64) {
        let (a, b) = (t.as_ps(), ns * 1000);
        assert!(a.abs_diff(b) <= 1, "{a} ps vs {b} ps");
    }

    #[test]
    fn ring_all_reduce_by_hand() {
        // N = 4, B = 1 MB at 1 GB/s: 2·3/4·1e6 bytes = 1.5e6 bytes → 1.5 ms;
        // 2·3 = 6 steps × 1 µs; + 10 µs: 1.516 ms.
        let c = sys(4, "ring").all_reduce(1e6);
        assert_eq!(c.bytes_sent_per_device, 1.5e6);
        assert_eq!(c.steps, 6);
        close(c.time, 1_516_000);
    }

    #[test]
    fn switch_and_full_mesh_by_hand() {
        // Same bytes, 2 steps: 1.5 ms + 2 µs + 10 µs.
        let c = sys(4, "switch").all_reduce(1e6);
        close(c.time, 1_512_000);
        // All-gather: 0.75e6 bytes → 0.75 ms + 1 µs + 10 µs.
        close(sys(4, "switch").all_gather(1e6).time, 761_000);
        // Send on a full mesh: 1e6 bytes at 1e9/3 B/s = 3 ms + 11 µs.
        close(sys(4, "fully-connected").send(1e6).time, 3_011_000);
        assert_eq!(sys(1, "ring").all_reduce(1e6).time, Time::ZERO);
    }

    #[test]
    fn unknown_interconnect_suggests() {
        let spec: SystemSpec = toml::from_str("devices = 2\ninterconnect = \"nvlnk4\"").unwrap();
        match spec.validate("system") {
            Err(ArchError::UnknownName { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("nvlink4"))
            }
            other => panic!("expected UnknownName, got {other:?}"),
        }
        let err = toml::from_str::<SystemSpec>(
            "devices = 2\ninterconnect = \"pcie4\"\ntopology = \"rng\"",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown variant `rng`"), "{err}");
    }
}
