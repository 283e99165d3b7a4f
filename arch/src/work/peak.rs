//! A platform's ceilings: peak operations per second per format, off-chip and on-chip
//! bandwidth, on-chip capacity — for rooflines and for pruning a mapping search.

use super::DType;
use super::pe::{offchip_peak, pe_dtype};
use crate::platform::Platform;

/// Peak figures of a platform (of one device on a `[system]` platform).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Peaks {
    /// Dense operations per second (a MAC is 2) per format, the best of the platform's
    /// units, in [`DType::ALL`] order; only formats a unit has a rate for: the PE array's
    /// own format, the GPU's tensor-core formats (and FP32 on CUDA cores), the CPU's
    /// matrix-engine or SIMD formats, the crossbar (`int8`, or `int4` for ≤ 4-bit weights)
    /// and bank-level PIM (`fp16` for 16-bit elements, `int8` for 8-bit, `fp32` for 32).
    pub flops_per_s: Vec<(DType, f64)>,
    /// Peak off-chip bandwidth, bytes/s: the DRAM (after an FPGA's port limit), the GPU's
    /// or CPU's memory, bank-level PIM's external interface; `None` without off-chip
    /// memory (SRAM-only, IMC-only platforms).
    pub dram_bytes_per_s: Option<f64>,
    /// Peak on-chip bandwidth, bytes/s: the global buffer's ports (or an SRAM-only chip's
    /// SRAM), the GPU's L2, PIM's internal (bank-to-PU) bandwidth.
    pub internal_bytes_per_s: Option<f64>,
    /// On-chip capacity, bytes: the global buffer (SRAM-only: the SRAM), the GPU's L2, the
    /// CPU's last-level cache.
    pub onchip_bytes: Option<u64>,
}

impl Peaks {
    /// The peak in format `d`, if any unit has one.
    pub fn flops_per_s(&self, d: DType) -> Option<f64> {
        self.flops_per_s.iter().find(|(x, _)| *x == d).map(|x| x.1)
    }
}

impl Platform {
    /// The platform's ceilings ([`Peaks`]).
    pub fn peak(&self) -> Peaks {
        let mut ops: Vec<(DType, f64)> = Vec::new();
        let mut put = |d: DType, v: f64| {
            if !(v.is_finite() && v > 0.0) {
                return;
            }
            match ops.iter_mut().find(|x| x.0 == d) {
                Some(x) => x.1 = x.1.max(v),
                None => ops.push((d, v)),
            }
        };
        if let (Some(d), Some(v)) = (pe_dtype(self), self.peak_ops_per_s()) {
            put(d, v);
        }
        if let Some(g) = &self.gpu {
            for d in DType::ALL {
                if let Some(v) = g.peak_ops(d) {
                    put(d, v);
                }
            }
        }
        if let Some(c) = &self.cpu {
            for d in DType::ALL {
                let best = c
                    .simd_peak_ops(d)
                    .into_iter()
                    .chain(c.matrix_peak_ops(d))
                    .fold(0.0, f64::max);
                put(d, best);
            }
        }
        if let Some(x) = &self.crossbar {
            put(
                if x.weight_bits <= 4 {
                    DType::Int4
                } else {
                    DType::Int8
                },
                x.peak_ops_per_s(),
            );
        }
        if let Some(crate::pim::Pim::Bank(b)) = &self.pim {
            let d = match b.element_bytes {
                1 => Some(DType::Int8),
                2 => Some(DType::Fp16),
                4 => Some(DType::Fp32),
                _ => None,
            };
            if let Some(d) = d {
                put(d, b.peak_flops());
            }
        }
        ops.sort_by_key(|x| DType::ALL.iter().position(|d| *d == x.0));
        let dram = if let Some(g) = &self.gpu {
            Some(g.mem_bytes_per_s())
        } else if let Some(c) = &self.cpu {
            Some(c.mem_bytes_per_s())
        } else if let Some(crate::pim::Pim::Bank(b)) = &self.pim {
            Some(b.external_bytes_per_s())
        } else if self.dram.is_some() && self.sram_only.is_none() {
            Some(offchip_peak(self))
        } else {
            None
        };
        let internal = self
            .internal_bytes_per_s()
            .or_else(|| self.gpu.as_ref().map(|g| g.l2_bytes_per_s()))
            .or_else(|| self.pim.as_ref().map(|p| p.internal_bytes_per_s()));
        let onchip = self
            .sram_only
            .as_ref()
            .map(|s| s.capacity_bytes)
            .or_else(|| self.global_buffer.as_ref().map(|b| b.size_bytes))
            .or_else(|| self.gpu.as_ref().map(|g| g.spec().l2_bytes))
            .or_else(|| self.cpu.as_ref().map(|c| c.spec().llc_bytes));
        Peaks {
            flops_per_s: ops,
            dram_bytes_per_s: dram,
            internal_bytes_per_s: internal,
            onchip_bytes: onchip,
        }
    }
}
