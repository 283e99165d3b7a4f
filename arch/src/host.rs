//! `[host]`: the digital processor an accelerator works beside.
//!
//! In-memory accelerators (crossbars, associative processors, PIM) and small test chips
//! are co-processors: a host CPU or GPU runs what their units cannot (norms, element-wise
//! work, the selective scan…) and the two exchange activations over a link (PCIe, DDR
//! channels, a board bus). A platform names its host by preset:
//!
//! ```toml
//! [host]
//! platform = "xeon-8358p"      # a [gpu] or [cpu] preset (closest name suggested)
//! devices = 1                  # host devices (default 1)
//! link_gb_per_s = 31.5         # host link bandwidth, 10⁹ B/s per direction
//! link_latency_us = 1.0        # α per transfer, µs (default 0)
//! link_pj_per_byte = 40.0      # energy per byte moved (default 0)
//! sources = ["PCIe 4.0 x16"]   # citations for the link figures
//! ```
//!
//! **The rule** (`mappers::compose_host`): an operator runs on the platform's own unit
//! when one can run it, else on the host; every activation that crosses between the two
//! sides is one transfer on the host link, `α + bytes ÷ bandwidth` seconds and
//! `bytes × pJ/byte`. A platform with `[host]` has no `[gpu]`, `[cpu]` or `[system]` of
//! its own (it would not need a host). AttAcc's `[pim.attention] host_platform` is the same
//! host, the other way round (the host GPUs run everything but the offloaded decode
//! attention, whose link traffic the PIM attention model counts itself): see
//! [`crate::Platform::host`].

use serde::Deserialize;
use sim_core::Time;

/// `[host]` as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    /// A GPU or CPU preset (`silica presets`): the host device.
    pub platform: String,
    /// Host devices (default 1); more than one are joined by the host's interconnect
    /// (NVLink 3 for GPUs without one of their own) as a tensor-parallel `[system]`.
    pub devices: Option<u32>,
    /// Link bandwidth between the host and the accelerator, GB/s (10⁹ B/s), each way.
    pub link_gb_per_s: f64,
    /// Fixed latency of one transfer, µs (default 0).
    pub link_latency_us: Option<f64>,
    /// Link energy, pJ per byte (default 0).
    pub link_pj_per_byte: Option<f64>,
    /// Citations for the host choice and the link figures.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Which side runs an operator when both could.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostRole {
    /// `[host]`: the platform's own units first, the host runs the rest; the mapper
    /// charges every crossing activation to the host link.
    Fallback,
    /// `[pim.attention] host_platform` (AttAcc): the host runs everything but decode
    /// attention, which goes to the PIM; the PIM attention model charges its own link
    /// traffic (query in, context out).
    AttentionOffload,
}

/// A validated host.
#[derive(Clone, Debug, PartialEq)]
pub struct Host {
    /// The host's preset name, as written.
    pub platform: String,
    /// Host devices, ≥ 1.
    pub devices: u32,
    /// Link bandwidth, bytes/s, each way.
    pub link_bytes_per_s: u64,
    /// Fixed latency of one transfer.
    pub link_latency: Time,
    /// Link energy, pJ/byte.
    pub link_pj_per_byte: f64,
    /// Citations.
    pub sources: Vec<String>,
    /// Which side runs work both sides could run.
    pub role: HostRole,
}

impl Host {
    /// Time of one transfer of `bytes` over the link: `α + bytes ÷ bandwidth`, rounded up
    /// to a picosecond.
    pub fn transfer_time(&self, bytes: u64) -> Time {
        let bw = self.link_bytes_per_s.max(1) as u128;
        let ps = (u128::from(bytes) * 1_000_000_000_000).div_ceil(bw);
        self.link_latency + Time::from_ps(u64::try_from(ps).unwrap_or(u64::MAX))
    }

    /// Energy of one transfer of `bytes`, pJ.
    pub fn transfer_pj(&self, bytes: u64) -> f64 {
        bytes as f64 * self.link_pj_per_byte
    }
}

/// Names a `[host]` may take: the GPU and CPU presets.
pub fn host_preset_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = crate::gpu::presets()
        .iter()
        .chain(crate::cpu::presets())
        .map(|p| p.0)
        .collect();
    v.sort_unstable();
    v
}

/// Validates `[host]`: each problem as (dotted key, message).
pub fn build(raw: &RawHost) -> (Option<Host>, Vec<(String, String)>) {
    let mut problems = Vec::new();
    let names = host_preset_names();
    if !names.iter().any(|n| n.eq_ignore_ascii_case(&raw.platform)) {
        let hint = match crate::suggest::closest(&raw.platform, names.iter().copied()) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        problems.push((
            "host.platform".to_string(),
            format!(
                "is `{}`; expected a GPU or CPU preset{hint}: one of {}",
                raw.platform,
                names.join(", ")
            ),
        ));
    }
    let devices = raw.devices.unwrap_or(1);
    if devices == 0 {
        problems.push((
            "host.devices".into(),
            "is 0; expected an integer >= 1".into(),
        ));
    }
    let bw = raw.link_gb_per_s;
    let link_bytes_per_s = if bw.is_finite() && bw > 0.0 && bw * 1e9 < u64::MAX as f64 {
        (bw * 1e9).round().max(1.0) as u64
    } else {
        problems.push((
            "host.link_gb_per_s".into(),
            format!("is {bw}; expected a finite bandwidth > 0 GB/s"),
        ));
        1
    };
    let mut non_negative = |key: &str, v: Option<f64>| match v {
        Some(x) if !(x.is_finite() && x >= 0.0) => {
            problems.push((
                format!("host.{key}"),
                format!("is {x}; expected a finite value >= 0"),
            ));
            0.0
        }
        Some(x) => x,
        None => 0.0,
    };
    let latency_us = non_negative("link_latency_us", raw.link_latency_us);
    let link_pj_per_byte = non_negative("link_pj_per_byte", raw.link_pj_per_byte);
    if !problems.is_empty() {
        return (None, problems);
    }
    (
        Some(Host {
            platform: raw.platform.clone(),
            devices,
            link_bytes_per_s,
            link_latency: Time::from_ps((latency_us * 1e6).round() as u64),
            link_pj_per_byte,
            sources: raw.sources.clone(),
            role: HostRole::Fallback,
        }),
        problems,
    )
}
