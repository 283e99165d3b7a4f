//! The `[system]` section as written ([`SystemSpec`]), its interconnect presets
//! ([`INTERCONNECTS`]) and its validation into a [`System`].

use serde::Deserialize;

use super::{System, Topology};
use crate::ArchError;
use crate::suggest::closest;

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
        98e9,
        0.6,
        0.0,
        Topology::FullyConnected,
        "Groq TSP: 16 C2C links of 4 lanes at 30 Gb/s, 28 Gb/s when cabled = 14 GB/s per \
         link per direction (Linley Newsletter, 'Groq Gets Connected', 2020-11-10, reporting \
         D. Abts at the Linley Fall Processor Conference 2020); the 8 TSPs of a GroqNode \
         fully connected by 7 local links per TSP = 98 GB/s, 4 global links per TSP (Abts \
         et al., ISCA 2022, as transcribed by secondary summaries: the paper text was not \
         retrievable here; cross-check: Groq's 2020 deck gives 240 GB/s of node bisection \
         = 16 links x 15 GB/s, full connectivity at 30 Gb/s lanes); step latency 0.6 us = \
         ISCA 2022's end-to-end bound of < 3 us over the network's 5-hop diameter, taken \
         per hop (an upper bound, not a measured hop time); no start-up cost (statically \
         scheduled)",
    ),
];

/// The `[system]` section as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    /// Number of identical devices (≥ 1).
    pub devices: u32,
    /// Interconnect preset name (see [`INTERCONNECTS`]); required (an empty name is
    /// reported as missing, with the valid names).
    #[serde(default)]
    pub interconnect: String,
    /// Topology (default: the preset's).
    pub topology: Option<Topology>,
    /// Override: link bandwidth per device per direction, bytes/s.
    pub link_bytes_per_s: Option<f64>,
    /// Override: latency per communication step, µs.
    pub step_latency_us: Option<f64>,
    /// Override: fixed start-up latency per collective, µs.
    pub base_latency_us: Option<f64>,
    /// Pipeline stages `P` (default 1): `devices = T × P`, with `T` tensor-parallel
    /// devices in each stage.
    pub pipeline_stages: Option<u32>,
    /// Dragonfly only: devices per group (fully connected by the local links).
    pub group_devices: Option<u32>,
    /// Dragonfly only: one device's bandwidth to a device of another group (its global
    /// links), bytes/s per direction.
    pub global_link_bytes_per_s: Option<f64>,
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
        if self.interconnect.is_empty() {
            return Err(ArchError::Invalid {
                key: format!("{key_path}.interconnect"),
                message: format!(
                    "missing: the interconnect joining the devices, one of {} (e.g. \
                     `--set {key_path}.interconnect=pcie5`)",
                    names().collect::<Vec<_>>().join(", ")
                ),
            });
        }
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
        check(
            key_path,
            "global_link_bytes_per_s",
            self.global_link_bytes_per_s,
            true,
        )?;
        let pipeline_stages = self.pipeline_stages.unwrap_or(1);
        if pipeline_stages == 0 || !self.devices.is_multiple_of(pipeline_stages) {
            let divisors: Vec<String> = (1..=self.devices)
                .filter(|d| self.devices.is_multiple_of(*d))
                .map(|d| d.to_string())
                .collect();
            return Err(ArchError::Invalid {
                key: format!("{key_path}.pipeline_stages"),
                message: format!(
                    "{} devices do not split into {pipeline_stages} pipeline stages: devices \
                     must be (tensor-parallel devices per stage) × pipeline_stages; \
                     pipeline_stages can be one of {}",
                    self.devices,
                    divisors.join(", ")
                ),
            });
        }
        let topology = self.topology.unwrap_or(p.4);
        let (group_devices, global) = match topology {
            Topology::Dragonfly => {
                let missing = |field: &str| ArchError::Invalid {
                    key: format!("{key_path}.{field}"),
                    message: "a dragonfly topology needs group_devices (devices per group) \
                              and global_link_bytes_per_s (bytes/s between groups)"
                        .into(),
                };
                let g = self.group_devices.ok_or_else(|| missing("group_devices"))?;
                if g == 0 {
                    return Err(ArchError::Invalid {
                        key: format!("{key_path}.group_devices"),
                        message: "must be >= 1, got 0".into(),
                    });
                }
                let bw = self
                    .global_link_bytes_per_s
                    .ok_or_else(|| missing("global_link_bytes_per_s"))?;
                (g, bw)
            }
            _ => {
                for (field, set) in [
                    ("group_devices", self.group_devices.is_some()),
                    (
                        "global_link_bytes_per_s",
                        self.global_link_bytes_per_s.is_some(),
                    ),
                ] {
                    if set {
                        return Err(ArchError::Invalid {
                            key: format!("{key_path}.{field}"),
                            message: "is used only with topology = \"dragonfly\"".into(),
                        });
                    }
                }
                (0, 0.0)
            }
        };
        Ok(System {
            devices: self.devices,
            interconnect: p.0.to_string(),
            topology,
            link_bytes_per_s: self.link_bytes_per_s.unwrap_or(p.1),
            step_latency_s: self.step_latency_us.unwrap_or(p.2) * 1e-6,
            base_latency_s: self.base_latency_us.unwrap_or(p.3) * 1e-6,
            pipeline_stages,
            group_devices,
            global_link_bytes_per_s: global,
        })
    }
}
