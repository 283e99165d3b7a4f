//! ADC energy per conversion as a function of resolution.
//!
//! **Model.** The two figures of merit of B. Murmann's *ADC Performance Survey 1997–2024*
//! (github.com/bmurmann/ADC-survey), each an energy per Nyquist conversion:
//!
//! * Walden: `FOM_W = P / (f_s · 2^ENOB)`, so `E_W(b) = FOM_W · 2^b` — energy doubles per
//!   bit; it describes the survey's low/medium-resolution envelope, where converters are
//!   limited by comparator/capacitor overhead rather than noise.
//! * Schreier: `FOM_S = SNDR + 10·log10(BW / P)` dB with `BW = f_s / 2` and
//!   `SNDR = 6.02·b + 1.76` dB, so `E_S(b) = P / f_s = 10^((SNDR − FOM_S)/10) / 2` J —
//!   energy quadruples per bit: the thermal-noise limit that bounds high resolutions.
//!
//! The energy of a `b`-bit conversion is `max(E_W(b), E_S(b))` with `ENOB = b` (an ideal
//! converter). With the defaults below the Walden term dominates up to 14 bits and the
//! Schreier term above, which is the survey's observed envelope shape.
//!
//! **Constants.**
//! * `FOM_W` default 6.1 fJ/conversion-step: ISAAC's ADC (Shafiee et al., ISCA 2016,
//!   Table I: 8 ADCs of 8 bits per IMA, 16 mW, converting 1 024 columns every 100 ns, i.e.
//!   1.5625 pJ per conversion; after Kull et al., ISSCC 2013, 8-bit 1.2 GS/s SAR in 32 nm):
//!   `1.5625 pJ / 2^8 = 6.1 fJ`.
//! * `FOM_S` default 185 dB: the high-resolution (Schreier) envelope of the Murmann survey
//!   (≈ 185–186 dB for the best designs of the 2020s) — read off the survey's envelope,
//!   an approximate value.
//!
//! ```
//! use arch::imc::adc::AdcModel;
//! let m = AdcModel::default();
//! let e8 = m.conversion_pj(8);
//! assert!((e8 - 1.5625).abs() < 1e-3);             // ISAAC's 8-bit conversion
//! assert!((m.conversion_pj(9) / e8 - 2.0).abs() < 1e-9); // Walden: ×2 per bit
//! ```

/// Walden FOM default, fJ per conversion-step (ISAAC's 8-bit ADC, see the module docs).
pub const DEFAULT_WALDEN_FJ_PER_STEP: f64 = 1.5625e3 / 256.0;
/// Schreier FOM default, dB (Murmann survey high-resolution envelope, approximate).
pub const DEFAULT_SCHREIER_DB: f64 = 185.0;

/// Energy per conversion as a function of resolution (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdcModel {
    /// Walden figure of merit, fJ per conversion-step.
    pub walden_fj_per_step: f64,
    /// Schreier figure of merit, dB.
    pub schreier_db: f64,
}

impl Default for AdcModel {
    fn default() -> Self {
        AdcModel {
            walden_fj_per_step: DEFAULT_WALDEN_FJ_PER_STEP,
            schreier_db: DEFAULT_SCHREIER_DB,
        }
    }
}

impl AdcModel {
    /// Walden term `FOM_W · 2^bits`, pJ.
    pub fn walden_pj(&self, bits: u32) -> f64 {
        self.walden_fj_per_step * 1e-3 * 2f64.powi(bits as i32)
    }

    /// Schreier term `10^((6.02·bits + 1.76 − FOM_S)/10) / 2`, pJ.
    pub fn schreier_pj(&self, bits: u32) -> f64 {
        let sndr_db = 6.02 * bits as f64 + 1.76;
        10f64.powf((sndr_db - self.schreier_db) / 10.0) / 2.0 * 1e12
    }

    /// Energy of one `bits`-bit conversion, pJ: the larger of the two terms.
    pub fn conversion_pj(&self, bits: u32) -> f64 {
        self.walden_pj(bits).max(self.schreier_pj(bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_cross_where_expected() {
        let m = AdcModel::default();
        // By hand: E_S(14) = 10^((84.28 + 1.76 − 185)/10)/2 J = 10^-9.896/2 = 63.6 pJ,
        // E_W(14) = 6.1035 fJ × 16384 = 100.0 pJ → Walden still dominates at 14 bits.
        assert!((m.schreier_pj(14) - 63.6).abs() < 0.5);
        assert!((m.walden_pj(14) - 100.0).abs() < 0.01);
        // At 15 bits: E_S = 10^-9.294/2 J = 254 pJ > E_W = 200 pJ.
        assert!((m.conversion_pj(15) - 254.0).abs() < 2.0);
    }
}
