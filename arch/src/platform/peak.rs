//! Headline figures of a platform (peak compute, internal and external bandwidth) and the
//! on-chip capacity rules of SRAM-only platforms — what a preset is checked against and
//! what a mapper asks before placing work.

use super::Platform;
use crate::ArchError;
use crate::sram_only::chips_to_hold;

impl Platform {
    /// Dense peak of the PE array: `R · C` MACs per cycle × the clock, MACs/s (`None`
    /// without a PE array).
    pub fn peak_macs_per_s(&self) -> Option<f64> {
        self.pe_array
            .as_ref()
            .map(|pe| pe.n_pes() as f64 * self.clock.freq_hz() as f64)
    }

    /// Dense peak in operations per second (one MAC = 2 operations).
    pub fn peak_ops_per_s(&self) -> Option<f64> {
        self.peak_macs_per_s().map(|m| 2.0 * m)
    }

    /// Dense MACs done per physical MAC slot for linear operations: the FPGA's
    /// `effective_macs_factor` (sparse MAC units), 1 otherwise.
    pub fn effective_macs_factor(&self) -> f64 {
        self.fpga.as_ref().map_or(1.0, |f| f.effective_macs_factor)
    }

    /// Peak off-chip bandwidth, bytes/s: the DRAM's peak (limited by the FPGA's memory
    /// ports when set); `None` for SRAM-only platforms and platforms without `[dram]`.
    pub fn external_bytes_per_s(&self) -> Result<Option<f64>, ArchError> {
        if self.sram_only.is_some() || self.dram.is_none() {
            return Ok(None);
        }
        Ok(Some(self.memory()?.peak_bytes_per_s()))
    }

    /// Peak on-chip bandwidth, bytes/s: the SRAM-only bandwidth when set, else the global
    /// buffer's `n_banks · ports · word_bytes` per cycle × the clock.
    pub fn internal_bytes_per_s(&self) -> Option<f64> {
        if let Some(s) = &self.sram_only {
            return Some(s.bandwidth_bytes_per_s as f64);
        }
        self.global_buffer
            .as_ref()
            .map(|b| b.bytes_per_cycle() as f64 * self.clock.freq_hz() as f64)
    }

    /// On-chip capacity every tensor must fit in, bytes: `Some` only for SRAM-only
    /// platforms.
    pub fn on_chip_capacity_bytes(&self) -> Option<u64> {
        self.sram_only.as_ref().map(|s| s.capacity_bytes)
    }

    /// Chips of this platform needed to hold `bytes` (SRAM-only platforms; `None` otherwise).
    pub fn chips_to_hold(&self, bytes: u64) -> Option<u64> {
        self.on_chip_capacity_bytes()
            .map(|cap| chips_to_hold(bytes, cap))
    }

    /// Errors with [`ArchError::OnChipCapacity`] when this platform has no off-chip memory
    /// and `bytes` (everything `what` touches) exceed its on-chip SRAM.
    pub fn check_fits_on_chip(&self, what: &str, bytes: u64) -> Result<(), ArchError> {
        match self.on_chip_capacity_bytes() {
            Some(cap) if bytes > cap => Err(ArchError::OnChipCapacity {
                platform: self.name.clone(),
                what: what.to_string(),
                needed_bytes: bytes,
                available_bytes: cap,
            }),
            _ => Ok(()),
        }
    }
}
