//! # Multi-device systems
//!
//! A platform of `N` identical devices (GPUs, CPUs, accelerator chips such as Groq's
//! LPU, FPGAs, PE-array ASICs) joined by an interconnect: the `[system]` section
//! ([`SystemSpec`]) names the device count, an interconnect preset ([`INTERCONNECTS`]:
//! NVLink 3/4, PCIe 4/5, Groq C2C) and a topology, with optional overrides. The validated
//! [`System`] prices the collectives a mapper needs to split a model across devices, a
//! tensor-parallel GEMM and the activation send between pipeline stages.
//!
//! ## Tensor × pipeline parallelism
//! `pipeline_stages = P` (default 1) splits the `N` devices into `P` pipeline stages of
//! `T = N ÷ P` tensor-parallel devices (an error names `system.pipeline_stages` when `P`
//! does not divide `N`). Devices are numbered stage by stage. [`System::tensor_group`] is
//! the system one stage's `T` devices form (for its all-reduces); [`System::stage_send`]
//! prices the activation send from one stage to the next.
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
//! - **dragonfly** (Kim et al., ISCA 2008; Groq's scale-out network, Abts et al. ISCA
//!   2022): groups of `g` devices fully connected by local links (`bw` per device, a
//!   `bw/(g−1)` link to each peer), groups joined by global links (`bw_global` per
//!   device). Within one group it is the fully-connected formula on the `N − 1` local
//!   links it uses, `bw · (N−1)/(g−1)`; across groups each phase takes the minimal route
//!   (local, global, local hop: 3α) at the slower of `bw` and `bw_global`:
//!   `2(N−1)/N · B / min(bw, bw_global) + 6α + α₀`. This is a flat bound: the
//!   hierarchical algorithm (reduce within groups first) and adaptive routing over
//!   several global links are not modelled.
//!
//! All-gather and reduce-scatter of a `B`-byte (full) tensor take half the all-reduce's
//! traffic: `(N−1)/N · B / bw` plus `(N−1)α` (ring) or `α` (direct; `3α` across dragonfly
//! groups), plus `α₀`. A pipeline-parallel send of `B` bytes to one peer takes
//! `B / bw_pair + α + α₀`, where `bw_pair = bw` on a ring or switch, `bw/(N−1)` on a
//! fully-connected topology (each peer has its own share of the links), `bw/(g−1)` within
//! a dragonfly group and `bw_global` (with `3α`) between groups.
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

mod spec;

use serde::Deserialize;
use sim_core::Time;

pub use spec::{INTERCONNECTS, InterconnectPreset, SystemSpec};

use crate::ArchError;
use crate::gpu::kernels::{DType, KernelEstimate, KernelModel, KernelRequest, secs_to_time};

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
    /// Groups of `group_devices` devices fully connected by local links, groups joined
    /// by global links (Kim et al., "Technology-Driven, Highly-Scalable Dragonfly
    /// Topology", ISCA 2008; Groq's scale-out network, Abts et al. ISCA 2022).
    Dragonfly,
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
    pipeline_stages: u32,
    /// Dragonfly: devices per group (0 for other topologies).
    group_devices: u32,
    /// Dragonfly: bytes/s between devices of different groups (0 otherwise).
    global_link_bytes_per_s: f64,
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

    /// Pipeline stages `P` (1 without pipeline parallelism).
    pub fn pipeline_stages(&self) -> u32 {
        self.pipeline_stages
    }
    /// Tensor-parallel devices per pipeline stage, `T = devices ÷ P`.
    pub fn tensor_devices(&self) -> u32 {
        self.devices / self.pipeline_stages.max(1)
    }
    /// Dragonfly: devices per group (`None` for other topologies).
    pub fn group_devices(&self) -> Option<u32> {
        (self.topology == Topology::Dragonfly).then_some(self.group_devices)
    }
    /// Dragonfly: bytes/s between two devices of different groups (`None` otherwise).
    pub fn global_link_bytes_per_s(&self) -> Option<f64> {
        (self.topology == Topology::Dragonfly).then_some(self.global_link_bytes_per_s)
    }

    /// The system one pipeline stage's `T` tensor-parallel devices form, for their
    /// collectives: the same system when `P = 1`. On a fully-connected topology the `T`
    /// devices use `T − 1` of each device's `N − 1` peer links (`bw · (T−1)/(N−1)`); on a
    /// dragonfly a stage that fits in one group is a fully-connected system of its local
    /// links (`bw_local · (T−1)/(g−1)`); ring and switch keep their per-device bandwidth.
    pub fn tensor_group(&self) -> System {
        if self.pipeline_stages <= 1 {
            return self.clone();
        }
        let t = self.tensor_devices();
        let mut g = self.clone();
        g.devices = t;
        g.pipeline_stages = 1;
        let share = |peers: u32| {
            if peers > 1 {
                f64::from(t.saturating_sub(1)) / f64::from(peers - 1)
            } else {
                1.0
            }
        };
        match self.topology {
            Topology::Ring | Topology::Switch => {}
            Topology::FullyConnected => g.link_bytes_per_s *= share(self.devices),
            Topology::Dragonfly if t <= self.group_devices => {
                g.topology = Topology::FullyConnected;
                g.link_bytes_per_s *= share(self.group_devices);
                g.group_devices = 0;
                g.global_link_bytes_per_s = 0.0;
            }
            Topology::Dragonfly => {}
        }
        g
    }

    /// Whether a dragonfly's devices all sit in one group.
    fn one_group(&self) -> bool {
        self.devices <= self.group_devices
    }

    /// `(bandwidth, steps per phase)` of a collective: `N − 1` steps on a ring, 1 when
    /// devices talk directly; on a dragonfly within one group the local links
    /// (`bw · (N−1)/(g−1)`, 1 step), across groups the slower of a device's local and
    /// global bandwidth and 3 steps (local, global, local hop: the minimal route).
    fn phase(&self) -> (f64, u32) {
        match self.topology {
            Topology::Ring => (self.link_bytes_per_s, self.devices - 1),
            Topology::Switch | Topology::FullyConnected => (self.link_bytes_per_s, 1),
            Topology::Dragonfly if self.one_group() => {
                let g = self.group_devices;
                let share = if g > 1 {
                    f64::from(self.devices - 1) / f64::from(g - 1)
                } else {
                    1.0
                };
                (self.link_bytes_per_s * share, 1)
            }
            Topology::Dragonfly => (self.link_bytes_per_s.min(self.global_link_bytes_per_s), 3),
        }
    }

    /// All-reduce of `bytes` (each device holds `bytes`, all end with the sum).
    pub fn all_reduce(&self, bytes: f64) -> CommEstimate {
        if self.devices <= 1 || bytes <= 0.0 {
            return self.comm(0.0, 0.0, 0);
        }
        let n = f64::from(self.devices);
        let sent = 2.0 * (n - 1.0) / n * bytes;
        let (bw, phase_steps) = self.phase();
        let steps = 2 * phase_steps;
        let t = sent / bw + f64::from(steps) * self.step_latency_s + self.base_latency_s;
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
        let (bw, steps) = self.phase();
        let t = sent / bw + f64::from(steps) * self.step_latency_s + self.base_latency_s;
        self.comm(t, sent, steps)
    }

    /// Reduce-scatter of a `bytes`-byte tensor (same cost as [`System::all_gather`]).
    pub fn reduce_scatter(&self, bytes: f64) -> CommEstimate {
        self.all_gather(bytes)
    }

    /// Point-to-point send of `bytes` to one peer (a pipeline-parallel stage boundary):
    /// `B / bw_pair + α + α₀`. On a dragonfly this is a send to another group
    /// (`B / bw_global + 3α + α₀`: local, global, local hop); see [`System::stage_send`].
    pub fn send(&self, bytes: f64) -> CommEstimate {
        if self.devices <= 1 || bytes <= 0.0 {
            return self.comm(0.0, 0.0, 0);
        }
        let (pair_bw, steps) = match self.topology {
            Topology::Ring | Topology::Switch => (self.link_bytes_per_s, 1),
            Topology::FullyConnected => (self.link_bytes_per_s / f64::from(self.devices - 1), 1),
            Topology::Dragonfly if self.one_group() => (self.local_pair_bw(), 1),
            Topology::Dragonfly => (self.global_link_bytes_per_s, 3),
        };
        let t = bytes / pair_bw + f64::from(steps) * self.step_latency_s + self.base_latency_s;
        self.comm(t, bytes, steps)
    }

    /// A dragonfly's bandwidth between two devices of one group: one local link.
    fn local_pair_bw(&self) -> f64 {
        self.link_bytes_per_s / f64::from(self.group_devices.max(2) - 1)
    }

    /// The activation send from pipeline stage `stage` to stage `stage + 1`: each of the
    /// stage's `T` devices sends `bytes` (its copy or shard) to its counterpart in the
    /// next stage, all at once, so the time is one pair's. Devices are numbered stage by
    /// stage (stage `s` holds devices `s·T … s·T + T − 1`). On a dragonfly the send stays
    /// on local links (`B / bw_local_pair + α + α₀`) when every pair is in one group,
    /// else it crosses groups ([`System::send`]); on other topologies it is
    /// [`System::send`].
    pub fn stage_send(&self, stage: u32, bytes: f64) -> CommEstimate {
        if self.topology != Topology::Dragonfly || self.devices <= 1 || bytes <= 0.0 {
            return self.send(bytes);
        }
        let t = self.tensor_devices();
        let g = self.group_devices.max(1);
        let local = (0..t).all(|i| (stage * t + i) / g == ((stage + 1) * t + i) / g);
        if !local {
            return self.send(bytes);
        }
        let s = bytes / self.local_pair_bw() + self.step_latency_s + self.base_latency_s;
        self.comm(s, bytes, 1)
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
