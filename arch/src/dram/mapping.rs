//! Address mapping: physical byte address → (channel, rank, bank group, bank, row, column).
//!
//! A mapping is written Ramulator-style as a string of two-letter fields from the most
//! to the least significant: `Ro` row, `Ra` rank, `Bg` bank group, `Ba` bank (within its
//! group), `Co` column (in bursts), `Ch` channel (all stacks × channels × pseudo-channels).
//! The lowest `log2(burst_bytes)` address bits select the byte within a burst and are not
//! part of the mapping. A string without `Bg` places the bank-group field directly below
//! `Ba` (so Ramulator 2's default `RoBaRaCoCh` reads `RoBaBgRaCoCh`).
//!
//! Fields are mixed-radix digits: from the least significant, each takes
//! `burst_index mod count` and divides by `count`, so channel counts need not be powers of
//! two. Addresses beyond the capacity wrap around (the row digit is taken modulo `rows`).
//!
//! Two mappings are named in the docs:
//! - `RoRaBaCoBgCh` (Silica's default): consecutive bursts go to consecutive channels, then
//!   to consecutive bank groups, then along a row; a sequential stream keeps one row open
//!   in each bank group and alternates bank groups (tCCD_S, not tCCD_L, between bursts).
//! - `RoBaRaCoCh` (Ramulator 2's default): channels interleaved per burst, then whole rows;
//!   a stream stays in one bank group for a row (tCCD_L between bursts).
//!
//! ```
//! use arch::dram::{AddressMapping, DramSpec};
//! let cfg = DramSpec { preset: "DDR4-3200".into(), ..Default::default() }
//!     .resolve("dram").unwrap();
//! // DDR4-3200: 64-byte bursts, default RoRaBaCoBgCh: bits 6..8 bank group, 8..15 column.
//! let a = cfg.mapping.decode(&cfg, 3 * 64 + 5 * 256);
//! assert_eq!((a.bank_group, a.column), (3, 5));
//! assert_eq!(cfg.mapping.encode(&cfg, &a), 3 * 64 + 5 * 256);
//! assert!(AddressMapping::parse("RoBaRaCoCh").is_ok());
//! ```

use super::config::DramConfig;

/// One field of an address mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// Row.
    Row,
    /// Rank.
    Rank,
    /// Bank group.
    BankGroup,
    /// Bank within its group.
    Bank,
    /// Column, in bursts.
    Column,
    /// Channel (stacks × channels × pseudo-channels).
    Channel,
}

impl Field {
    fn token(self) -> &'static str {
        match self {
            Field::Row => "Ro",
            Field::Rank => "Ra",
            Field::BankGroup => "Bg",
            Field::Bank => "Ba",
            Field::Column => "Co",
            Field::Channel => "Ch",
        }
    }

    fn from_token(t: &str) -> Option<Field> {
        Some(match t {
            "Ro" => Field::Row,
            "Ra" => Field::Rank,
            "Bg" => Field::BankGroup,
            "Ba" => Field::Bank,
            "Co" => Field::Column,
            "Ch" => Field::Channel,
            _ => return None,
        })
    }

    /// Number of values of this field in `cfg`.
    pub fn count(self, cfg: &DramConfig) -> u64 {
        match self {
            Field::Row => u64::from(cfg.rows),
            Field::Rank => u64::from(cfg.ranks),
            Field::BankGroup => u64::from(cfg.bank_groups),
            Field::Bank => u64::from(cfg.banks_per_group),
            Field::Column => u64::from(cfg.row_bytes) / cfg.burst_bytes(),
            Field::Channel => cfg.units(),
        }
    }
}

/// A decoded burst address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct DramAddress {
    /// Independent channel (stack, channel, pseudo-channel flattened).
    pub channel: u32,
    /// Rank.
    pub rank: u32,
    /// Bank group.
    pub bank_group: u32,
    /// Bank within its group.
    pub bank: u32,
    /// Row.
    pub row: u32,
    /// Column, in bursts.
    pub column: u32,
}

impl DramAddress {
    fn get(&self, f: Field) -> u64 {
        u64::from(match f {
            Field::Row => self.row,
            Field::Rank => self.rank,
            Field::BankGroup => self.bank_group,
            Field::Bank => self.bank,
            Field::Column => self.column,
            Field::Channel => self.channel,
        })
    }

    fn set(&mut self, f: Field, v: u64) {
        let v = u32::try_from(v).unwrap_or(u32::MAX);
        match f {
            Field::Row => self.row = v,
            Field::Rank => self.rank = v,
            Field::BankGroup => self.bank_group = v,
            Field::Bank => self.bank = v,
            Field::Column => self.column = v,
            Field::Channel => self.channel = v,
        }
    }
}

/// An address mapping (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressMapping {
    /// Fields from the least to the most significant.
    lsb_first: [Field; 6],
}

impl AddressMapping {
    /// Parses a mapping string such as `RoRaBaCoBgCh` (most significant first). Every
    /// field must appear once; `Bg` may be omitted (then it sits directly below `Ba`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let chars: Vec<char> = text.chars().collect();
        if !chars.len().is_multiple_of(2) {
            return Err(format!(
                "`{text}` is not a sequence of two-letter fields (Ro, Ra, Bg, Ba, Co, Ch)"
            ));
        }
        let mut msb_first = Vec::new();
        for pair in chars.chunks(2) {
            let tok: String = pair.iter().collect();
            let Some(f) = Field::from_token(&tok) else {
                return Err(format!(
                    "unknown field `{tok}` in `{text}`; fields are Ro, Ra, Bg, Ba, Co, Ch"
                ));
            };
            if msb_first.contains(&f) {
                return Err(format!("field `{tok}` appears twice in `{text}`"));
            }
            msb_first.push(f);
        }
        if !msb_first.contains(&Field::BankGroup)
            && let Some(i) = msb_first.iter().position(|&f| f == Field::Bank)
        {
            msb_first.insert(i + 1, Field::BankGroup);
        }
        let all = [
            Field::Row,
            Field::Rank,
            Field::BankGroup,
            Field::Bank,
            Field::Column,
            Field::Channel,
        ];
        if let Some(missing) = all.iter().find(|f| !msb_first.contains(f)) {
            return Err(format!(
                "`{text}` lacks the field `{}`; every one of Ro, Ra, Ba, Co, Ch must appear",
                missing.token()
            ));
        }
        let mut lsb_first = all;
        for (i, f) in msb_first.iter().rev().enumerate() {
            lsb_first[i] = *f;
        }
        Ok(AddressMapping { lsb_first })
    }

    /// The fields from the least to the most significant.
    pub fn lsb_first(&self) -> [Field; 6] {
        self.lsb_first
    }

    /// The mapping as a string, most significant field first (with `Bg` explicit).
    pub fn name(&self) -> String {
        self.lsb_first.iter().rev().map(|f| f.token()).collect()
    }

    /// Decodes the burst that holds byte `addr`.
    pub fn decode(&self, cfg: &DramConfig, addr: u64) -> DramAddress {
        self.decode_burst(cfg, addr / cfg.burst_bytes())
    }

    /// Decodes burst number `burst` (= address / burst_bytes).
    pub fn decode_burst(&self, cfg: &DramConfig, mut burst: u64) -> DramAddress {
        let mut a = DramAddress::default();
        for f in self.lsb_first {
            let n = f.count(cfg).max(1);
            a.set(f, burst % n);
            burst /= n;
        }
        a
    }

    /// The first byte address of the burst at `a` (inverse of [`AddressMapping::decode`]).
    pub fn encode(&self, cfg: &DramConfig, a: &DramAddress) -> u64 {
        let mut burst = 0u64;
        for f in self.lsb_first.iter().rev() {
            let n = f.count(cfg).max(1);
            burst = burst.saturating_mul(n).saturating_add(a.get(*f) % n);
        }
        burst.saturating_mul(cfg.burst_bytes())
    }
}

impl std::fmt::Display for AddressMapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}
