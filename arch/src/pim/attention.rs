//! Decode attention on bank-level PIM (AttAcc-like: attention on HBM-PIM, FC layers on
//! the host GPUs).
//!
//! # Model
//! The KV cache is resident in the banks. A decode step of `batch` sequences with
//! `heads` query heads and `kv_heads` K/V heads (`g = heads / kv_heads` query heads per
//! K/V head) over `seq_len = L` cached tokens of `head_dim = d` is `I = batch · kv_heads`
//! independent instances. Instances are dealt to PUs; when there are fewer instances than
//! PUs, an instance's tokens are split over `s = ⌊PUs / I⌋` PUs.
//!
//! 1. **q in**: the `batch · heads · d` query elements cross the host link
//!    (`host_link_gb_per_s`) and are written into the channels holding their instances.
//! 2. **Score GEMV** `s = q · Kᵀ`: each PU streams its `tokens · d` keys (row steps as for a
//!    GEMV) and does `g` MACs per key element. Keys and values are `element_bytes` each,
//!    or, for a quantised cache ([`AttentionShape::kv_bits`]), `bits / 8` plus an FP16
//!    scale and zero per `kv_group` elements.
//! 3. **Softmax** over the `batch · heads · L` scores: on the devices' softmax units
//!    (scores out of and probabilities back into the banks over the channel buses), or on
//!    the host (scores also cross the host link both ways, plus the host's softmax time).
//! 4. **Context GEMV** `o = p · V`: each PU streams its `tokens · d` values, `g` MACs each.
//! 5. **Out**: with `s > 1`, the `s` partial context vectors of each instance are read out
//!    and added (`(s − 1) · g · d` additions per instance, counted as host adds); the
//!    `batch · heads · d` outputs cross the host link.
//!
//! Phases run one after another (a decode step's attention is a dependency chain). The
//! GPU side (QKV projection, output projection, FFN) is not modelled here: see the
//! report for what the mapper needs to combine the two.

use serde::Deserialize;

use super::bank::{BankPim, UNIT, Work};
use crate::ArchError;
use crate::imc::kernel::{
    AttentionShape, KernelClass, KernelEstimate, div_ceil, non_negative, ps_for, rate_per_s,
    unsupported,
};
use crate::suggest::closest;

/// Where the attention softmax runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftmaxPlace {
    /// On the PIM devices' softmax units.
    Pim,
    /// On the host (GPU).
    Host,
}

const PLACES: [&str; 2] = ["pim", "host"];

/// `[pim.attention]`: the attention-offload configuration.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttentionOffloadSpec {
    /// `"pim"` or `"host"`.
    pub softmax_on: String,
    /// Platform preset of the host xPUs that run the FC layers (resolved by the platform
    /// loader; not checked here).
    pub host_platform: Option<String>,
    /// Number of host xPUs (default 1).
    pub host_devices: Option<u32>,
    /// Aggregate bandwidth between the host xPUs and all PIM devices, GB/s.
    pub host_link_gb_per_s: f64,
    /// Host-link energy, pJ per byte (default 10.4: NVLink, as in the AttAcc simulator).
    pub host_link_pj_per_byte: Option<f64>,
    /// Host softmax throughput, 10⁹ elements/s (needed when `softmax_on = "host"`).
    pub host_softmax_gelems_per_s: Option<f64>,
}

/// Validated attention-offload configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionOffload {
    /// Where softmax runs.
    pub softmax_on: SoftmaxPlace,
    /// Host platform preset name.
    pub host_platform: Option<String>,
    /// Host xPUs.
    pub host_devices: u64,
    /// Host link, bytes/s.
    pub host_link_bytes_per_s: u64,
    /// Host link, pJ/byte.
    pub host_link_pj_per_byte: f64,
    /// Host softmax, elements/s.
    pub host_softmax_elems_per_s: Option<u64>,
}

impl AttentionOffloadSpec {
    /// Validates the section at `key`.
    pub fn validate(&self, key: &str) -> Result<AttentionOffload, ArchError> {
        let softmax_on = match self.softmax_on.as_str() {
            "pim" => SoftmaxPlace::Pim,
            "host" => SoftmaxPlace::Host,
            other => {
                return Err(ArchError::UnknownName {
                    what: format!("softmax place at `{key}.softmax_on`"),
                    name: other.to_string(),
                    suggestion: closest(other, PLACES),
                    valid: PLACES.iter().map(|s| s.to_string()).collect(),
                });
            }
        };
        let host_softmax_elems_per_s = match self.host_softmax_gelems_per_s {
            Some(v) => Some(rate_per_s(
                &format!("{key}.host_softmax_gelems_per_s"),
                v,
                1e9,
            )?),
            None if softmax_on == SoftmaxPlace::Host => {
                return Err(ArchError::Invalid {
                    key: format!("{key}.host_softmax_gelems_per_s"),
                    message: "required when softmax_on = \"host\"".into(),
                });
            }
            None => None,
        };
        Ok(AttentionOffload {
            softmax_on,
            host_platform: self.host_platform.clone(),
            host_devices: u64::from(self.host_devices.unwrap_or(1).max(1)),
            host_link_bytes_per_s: rate_per_s(
                &format!("{key}.host_link_gb_per_s"),
                self.host_link_gb_per_s,
                1e9,
            )?,
            host_link_pj_per_byte: non_negative(
                &format!("{key}.host_link_pj_per_byte"),
                self.host_link_pj_per_byte.unwrap_or(10.4),
            )?,
            host_softmax_elems_per_s,
        })
    }
}

impl BankPim {
    /// One decode step of attention over the resident KV cache (see the module docs).
    pub fn attention(&self, a: &AttentionShape) -> Result<KernelEstimate, ArchError> {
        let class = KernelClass::Attention;
        if !a.heads.is_multiple_of(a.kv_heads) {
            return Err(ArchError::Invalid {
                key: "attention kernel".into(),
                message: format!(
                    "{} query heads are not a multiple of {} K/V heads",
                    a.heads, a.kv_heads
                ),
            });
        }
        let (softmax_on, link_bps, link_pj, host_rate) = match &self.attention {
            Some(o) => (
                o.softmax_on,
                o.host_link_bytes_per_s,
                o.host_link_pj_per_byte,
                o.host_softmax_elems_per_s,
            ),
            None => (
                SoftmaxPlace::Pim,
                self.channels() * self.external_bytes_per_s_per_channel,
                0.0,
                None,
            ),
        };
        if softmax_on == SoftmaxPlace::Pim && self.softmax_elems_per_s_per_device.is_none() {
            return Err(unsupported(
                UNIT,
                class,
                "softmax is placed on the PIM devices but they have no softmax unit; set \
                 `softmax_gelems_per_s_per_device` or `[pim.attention] softmax_on = \"host\"`",
            ));
        }
        let eb = self.element_bytes;
        let g = a.heads / a.kv_heads;
        let inst = a.batch * a.kv_heads;
        // K and V per token and instance: at the unit's width, or the cache's own format.
        let kv_row = a.kv_row_bytes(eb);
        let kv_bytes = inst * 2 * a.seq_len * kv_row;
        if kv_bytes > self.capacity_bytes_per_device * self.devices {
            return Err(unsupported(
                UNIT,
                class,
                &format!("a KV cache of {kv_bytes} bytes exceeds the PIM capacity"),
            ));
        }
        let pus = self.pus();
        let pus_per_channel = self.banks_per_channel / self.banks_per_pu;
        let (per_pu_inst, split) = if inst >= pus {
            (div_ceil(inst, pus), 1)
        } else {
            (1, pus / inst)
        };
        let tokens = div_ceil(a.seq_len, split);
        let pu_bytes = per_pu_inst * tokens * kv_row; // K (or V) per PU
        let pu_elems = per_pu_inst * tokens * a.head_dim;
        let q_elems = a.batch * a.heads * a.head_dim;
        let score_elems = a.batch * a.heads * a.seq_len;
        // 1. q in.
        let inst_per_channel =
            div_ceil(inst * div_ceil(split, pus_per_channel), self.channels()).max(1);
        let q_channel_bytes = inst_per_channel * g * a.head_dim * eb;
        let q_in = ps_for(q_elems * eb, link_bps) + self.channel_ps(q_channel_bytes);
        // 2 and 4. Score and context GEMVs: g query heads share each K/V element.
        let gemv = |bytes: u64, elems: u64| {
            let st = self.stream(bytes);
            let passes = div_ceil(g, self.vectors_per_pass);
            let t = (st.ps * passes).max(self.compute_ps(g * elems));
            (self.with_refresh(t), st.row_steps * passes)
        };
        let (score_ps, score_steps) = gemv(pu_bytes, pu_elems);
        let (ctx_ps, ctx_steps) = gemv(pu_bytes, pu_elems);
        // 3. Softmax: scores out of the banks and probabilities back, per channel.
        let sm_channel = self.channel_ps(div_ceil(2 * score_elems * eb, self.channels()));
        let (softmax_ps, link_bytes_sm) = match softmax_on {
            SoftmaxPlace::Pim => {
                let rate = self.softmax_elems_per_s_per_device.unwrap_or(1) * self.devices;
                let unit = ps_for(score_elems, rate);
                (unit.max(sm_channel), 0)
            }
            SoftmaxPlace::Host => {
                let host = ps_for(score_elems, host_rate.unwrap_or(1));
                let link = ps_for(2 * score_elems * eb, link_bps);
                (sm_channel.max(link) + host, 2 * score_elems * eb)
            }
        };
        // 5. Partial contexts (split instances) and outputs.
        let partial_bytes = if split > 1 {
            pus_per_channel * per_pu_inst * g * a.head_dim * eb
        } else {
            0
        };
        let out_bytes = q_elems * eb;
        let out_ps = self.channel_ps(partial_bytes + div_ceil(out_bytes, self.channels()))
            + ps_for(out_bytes, link_bps);
        let mut w = Work::default();
        w.phases
            .push(("host command overhead".into(), self.kernel_overhead_ps));
        w.phases
            .push(("q in (host link, channel buses)".into(), q_in));
        w.phases.push(("score GEMV q·K^T".into(), score_ps));
        w.phases.push((
            match softmax_on {
                SoftmaxPlace::Pim => "softmax on the PIM units".into(),
                SoftmaxPlace::Host => "softmax on the host".into(),
            },
            softmax_ps,
        ));
        w.phases.push(("context GEMV p·V".into(), ctx_ps));
        w.phases.push((
            "partial sums and output (channel buses, host link)".into(),
            out_ps,
        ));
        let macs = 2 * a.batch * a.heads * a.seq_len * a.head_dim;
        w.internal_bytes = kv_bytes;
        w.external_bytes = self.channels() * q_channel_bytes
            + 2 * score_elems * eb
            + self.channels() * partial_bytes
            + out_bytes;
        w.activations = (score_steps + ctx_steps) * self.banks_per_pu * pus;
        w.macs = macs;
        w.softmax_elems = if softmax_on == SoftmaxPlace::Pim {
            score_elems
        } else {
            0
        };
        w.host_adds = if split > 1 {
            inst * g * a.head_dim * (split - 1)
        } else {
            0
        };
        let link_bytes = q_elems * eb + link_bytes_sm + out_bytes;
        w.extra_counts = vec![
            ("host_link_bytes".into(), link_bytes),
            (
                "host_softmax_elements".into(),
                if softmax_on == SoftmaxPlace::Host {
                    score_elems
                } else {
                    0
                },
            ),
            ("pus_per_instance".into(), split),
        ];
        w.extra_energy = vec![("host_link", link_bytes, link_pj)];
        self.package(class, w, macs)
    }
}
