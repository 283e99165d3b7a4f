//! JEDEC presets: geometry, timings (in cycles of the model clock) and energy sources.
//!
//! The **model clock** of every preset runs at `data_rate_mtps / 2` MHz (two transfers per
//! cycle), so one burst of `burst_length` beats occupies `burst_length / 2` cycles. For
//! DDR3, DDR4, HBM2 and HBM2E this is JEDEC's CK; for LPDDR5 it is WCK (4 × CK at
//! 6400 MT/s) and for HBM3 it is twice CK (HBM3 moves four data beats per CK). Timings
//! quoted by a source in CK are converted through nanoseconds (×4 for LPDDR5, ×2 for
//! HBM3).
//!
//! Sources (cross-checked where two are named):
//! - **DDR3-1600** — JESD79-3 speed bin DDR3-1600K (11-11-11); values as in DRAMsim3
//!   `configs/DDR3_8Gb_x8_1600.ini` and Ramulator 2 `DDR3_1600K` (1 KB page of x8 parts:
//!   tRRD = max(4 nCK, 6 ns) = 5, tFAW = 30 ns = 24). tRFC 260 ns (4 Gb parts).
//! - **DDR3-2133** — JESD79-3 DDR3-2133M (13-13-13) as in Ramulator 2 `DDR3_2133M`
//!   (tRAS 36, tWR 16, tRTP 8, tWTR 8; x8: tRRD 6, tFAW 27); CWL 10 (JESD79-3 for
//!   tCK 0.938 ns); tRFC 260 ns, tREFI 7.8 µs. Two such x64 channels give the TPU v1's
//!   34 GB/s (Jouppi et al., ISCA 2017).
//! - **DDR4-3200** — JESD79-4 DDR4-3200AA (22-22-22), 8 Gb x8 parts; identical in DRAMsim3
//!   `configs/DDR4_8Gb_x8_3200.ini` and Ramulator 2 `DDR4_3200AA` + `DDR4_8Gb_x8`
//!   (tRRD_S/L 4/8, tFAW 34, tRFC 350 ns = 560, tREFI 7.8 µs = 12480).
//! - **LPDDR5-6400** — JESD209-5, one x16 channel in bank-group mode (4 BG × 4 banks,
//!   2 KB page, BL16); Ramulator 2 `LPDDR5_6400` values in CK (1.25 ns) × 4: RL 20, WL 11,
//!   tRCD 15, tRPpb 15, tRAS 34, tWR 28, tRTP 4, tRRD 4, tFAW 16, tWTR_S/L 5/10 nCK;
//!   tCCD_S/L = 2/4 nCK (BL16 in BG mode); tRFCab 210 ns (8 Gb per channel),
//!   tREFI 3.906 µs. One command per CK (`command_cycles = 4`).
//! - **HBM2** — JESD235 at 2.0 Gb/s, pseudo-channel mode (2 × 64-bit pseudo-channels per
//!   128-bit channel, BL4, 16 banks in 4 bank groups, 1 KB page); timings from DRAMsim3
//!   `configs/HBM2_8Gb_x128.ini` (CL 14, CWL 4, tRCD 14, tRP 14, tRAS 34, tRRD_S/L 4/6,
//!   tFAW 30, tWR 16, tWTR_S/L 6/8, tRTP_L 6, tRFC 260, tREFI 3900); tCCD_S = 2 nCK (one
//!   BL4 burst), tCCD_L = 4 nCK (2 × tCCD_S, as Ramulator 2's HBM3).
//! - **HBM2E** — JESD235D at 3.2 Gb/s: the HBM2 nanosecond values at tCK = 0.625 ns (the
//!   method and the resulting values of Ramulator 2's `HBM3_6.4Gbps`, whose CK is also
//!   0.625 ns: CL/tRCD/tRP 23, tRAS 55, tWR 26, tRTP 10, CWL 7, tWTR 10/13, tFAW 48,
//!   tREFI 6240); tRRD_S/L = 4/6 ns = 7/10; tRFC 350 ns (8 Gb per channel).
//! - **HBM3** — JESD238 at 6.4 Gb/s: 16 × 64-bit channels, 2 × 32-bit pseudo-channels,
//!   BL8; Ramulator 2 `HBM3_6.4Gbps` (CK 0.625 ns) × 2: CL/tRCD/tRP 46, tRAS 110, tWR 52,
//!   tRTP 20, CWL 14, tCCD_S/L 4/8, tRRD_S/L 4/8, tWTR_S/L 20/26, tFAW 96, tREFI 12480;
//!   tRFC 350 ns = 1120. One command per CK (`command_cycles = 2`).
//!
//! Energy sources are in [`crate::dram::energy`].

use super::energy::{EnergyTable, Idd, PresetEnergy};

/// Geometry of one preset (per stack / DIMM).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub channels: u32,
    pub pseudo_channels: u32,
    pub ranks: u32,
    pub bank_groups: u32,
    pub banks_per_group: u32,
    pub rows: u32,
    pub row_bytes: u32,
    pub burst_length: u32,
    pub bus_bits: u32,
    pub data_rate_mtps: u32,
}

/// Timings in cycles of the model clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cycles {
    pub rcd: u32,
    pub rp: u32,
    pub cl: u32,
    pub cwl: u32,
    pub ras: u32,
    pub ccd_s: u32,
    pub ccd_l: u32,
    pub rrd_s: u32,
    pub rrd_l: u32,
    pub faw: u32,
    pub wr: u32,
    pub wtr_s: u32,
    pub wtr_l: u32,
    pub rtp: u32,
    pub refi: u32,
    pub rfc: u32,
    pub rtrs: u32,
}

/// One preset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Preset {
    pub name: &'static str,
    pub geometry: Geometry,
    pub timing: Cycles,
    pub command_cycles: u32,
    pub energy: PresetEnergy,
}

/// Silica's default mapping (MSB → LSB): channel- then bank-group-interleaved at burst
/// granularity, then columns, banks, ranks, rows.
pub(crate) const DEFAULT_MAPPING: &str = "RoRaBaCoBgCh";

/// DDR3 IDD currents (mA) of 8 Gb x8 parts, VDD 1.35 V: DRAMsim3
/// `configs/DDR3_8Gb_x8_1600.ini` (Micron datasheet values); 8 devices per x64 rank.
const DDR3_IDD: Idd = Idd {
    vdd: 1.35,
    idd0: 67.0,
    idd2n: 36.0,
    idd3n: 51.0,
    idd4r: 125.0,
    idd4w: 125.0,
    idd5ab: 245.0,
    devices: 8.0,
};

/// HBM2 per-action energies per pseudo-channel, from the IDD currents of DRAMsim3
/// `configs/HBM2_8Gb_x128.ini` (VDD 1.2 V; IDD0 65, IDD2N 40, IDD3N 55, IDD4R 390,
/// IDD4W 500, IDD5AB 250 mA per 128-bit channel; a pseudo-channel is half of it) at the
/// HBM2 timings (tCK 1 ns, tRC 48, tRAS 34, tRP 14, burst 2, tRFC 260):
/// activate 1.2·(65·48 − 55·34 − 40·14)·1·0.5 = 414 pJ; read 1.2·(390−55)·2·0.5 = 402 pJ;
/// write 1.2·(500−55)·2·0.5 = 534 pJ; refresh 1.2·(250−55)·260·0.5 = 30 420 pJ;
/// background 1.2·55·0.5 = 33 mW.
const HBM2_ENERGY: EnergyTable = EnergyTable {
    activate_pj: 414.0,
    read_burst_pj: 402.0,
    write_burst_pj: 534.0,
    refresh_pj: 30_420.0,
    background_mw: 33.0,
    io_pj_per_bit: 0.0,
};

/// HBM2E/HBM3: no public IDD figures in the sources used; the HBM2 energies per 32-byte
/// burst and per 1 KB activation are reused, refresh scaled by tRFC (350/260 ns).
const HBM2E_ENERGY: EnergyTable = EnergyTable {
    refresh_pj: 40_950.0,
    ..HBM2_ENERGY
};

/// HBM3 pseudo-channels are 32 bits wide (32 per stack, twice HBM2E's 16): the HBM2
/// stack background power (16 × 33 mW) is split over 32.
const HBM3_ENERGY: EnergyTable = EnergyTable {
    background_mw: 16.5,
    ..HBM2E_ENERGY
};

/// LPDDR5: the VDD2 (1.1 V) IDD currents of LPDDR4-3200 from DRAMSys
/// `configs/memspec/JEDEC_8Gb_LPDDR4-3200_16bit.json` (IDD02 45, IDD2N2 27, IDD3N2 30,
/// IDD4R2 275, IDD4W2 210, IDD52 90 mA) at LPDDR4-3200 timings (tCK 0.625 ns, tRCpb 97,
/// tRAS 68, tRPpb 29, BL16 = 8 cycles, tRFCab 448): activate
/// 1.1·(45·97 − 30·68 − 27·29)·0.625 = 1060.1 pJ; read 1.1·(275−30)·8·0.625 = 1347.5 pJ;
/// write 1.1·(210−30)·8·0.625 = 990 pJ; refresh 1.1·(90−30)·448·0.625 = 18 480 pJ;
/// background 1.1·30 = 33 mW. LPDDR5 datasheet currents were not in the sources used:
/// treat these as upper bounds.
const LPDDR5_ENERGY: EnergyTable = EnergyTable {
    activate_pj: 1060.125,
    read_burst_pj: 1347.5,
    write_burst_pj: 990.0,
    refresh_pj: 18_480.0,
    background_mw: 33.0,
    io_pj_per_bit: 0.0,
};

const DDR3_1600_TIMING: Cycles = Cycles {
    rcd: 11,
    rp: 11,
    cl: 11,
    cwl: 8,
    ras: 28,
    ccd_s: 4,
    ccd_l: 4,
    rrd_s: 5,
    rrd_l: 5,
    faw: 24,
    wr: 12,
    wtr_s: 6,
    wtr_l: 6,
    rtp: 6,
    refi: 6240,
    rfc: 208,
    rtrs: 1,
};

/// All presets, in the order `silica presets` lists them.
pub(crate) const PRESETS: &[Preset] = &[
    Preset {
        name: "DDR3-1600",
        geometry: Geometry {
            channels: 1,
            pseudo_channels: 1,
            ranks: 1,
            bank_groups: 1,
            banks_per_group: 8,
            rows: 65_536,
            row_bytes: 8192,
            burst_length: 8,
            bus_bits: 64,
            data_rate_mtps: 1600,
        },
        timing: DDR3_1600_TIMING,
        command_cycles: 1,
        energy: PresetEnergy::Idd(DDR3_IDD),
    },
    Preset {
        name: "DDR3-2133",
        geometry: Geometry {
            channels: 1,
            pseudo_channels: 1,
            ranks: 1,
            bank_groups: 1,
            banks_per_group: 8,
            rows: 65_536,
            row_bytes: 8192,
            burst_length: 8,
            bus_bits: 64,
            data_rate_mtps: 2133,
        },
        timing: Cycles {
            rcd: 13,
            rp: 13,
            cl: 13,
            cwl: 10,
            ras: 36,
            ccd_s: 4,
            ccd_l: 4,
            rrd_s: 6,
            rrd_l: 6,
            faw: 27,
            wr: 16,
            wtr_s: 8,
            wtr_l: 8,
            rtp: 8,
            refi: 8320,
            rfc: 278,
            rtrs: 1,
        },
        command_cycles: 1,
        // IDD currents of the 1600 part (flagged: currents grow with the data rate).
        energy: PresetEnergy::Idd(DDR3_IDD),
    },
    Preset {
        name: "DDR4-3200",
        geometry: Geometry {
            channels: 1,
            pseudo_channels: 1,
            ranks: 1,
            bank_groups: 4,
            banks_per_group: 4,
            rows: 65_536,
            row_bytes: 8192,
            burst_length: 8,
            bus_bits: 64,
            data_rate_mtps: 3200,
        },
        timing: Cycles {
            rcd: 22,
            rp: 22,
            cl: 22,
            cwl: 16,
            ras: 52,
            ccd_s: 4,
            ccd_l: 8,
            rrd_s: 4,
            rrd_l: 8,
            faw: 34,
            wr: 24,
            wtr_s: 4,
            wtr_l: 12,
            rtp: 12,
            refi: 12_480,
            rfc: 560,
            rtrs: 1,
        },
        command_cycles: 1,
        // DRAMsim3 `configs/DDR4_8Gb_x8_3200.ini` (Micron 8 Gb x8), VDD 1.2 V, 8 devices.
        energy: PresetEnergy::Idd(Idd {
            vdd: 1.2,
            idd0: 57.0,
            idd2n: 37.0,
            idd3n: 52.0,
            idd4r: 168.0,
            idd4w: 150.0,
            idd5ab: 250.0,
            devices: 8.0,
        }),
    },
    Preset {
        name: "LPDDR5-6400",
        geometry: Geometry {
            channels: 1,
            pseudo_channels: 1,
            ranks: 1,
            bank_groups: 4,
            banks_per_group: 4,
            rows: 32_768,
            row_bytes: 2048,
            burst_length: 16,
            bus_bits: 16,
            data_rate_mtps: 6400,
        },
        timing: Cycles {
            rcd: 60,
            rp: 60,
            cl: 80,
            cwl: 44,
            ras: 136,
            ccd_s: 8,
            ccd_l: 16,
            rrd_s: 16,
            rrd_l: 16,
            faw: 64,
            wr: 112,
            wtr_s: 20,
            wtr_l: 40,
            rtp: 16,
            refi: 12_500,
            rfc: 672,
            rtrs: 4,
        },
        command_cycles: 4,
        energy: PresetEnergy::Fixed(LPDDR5_ENERGY),
    },
    Preset {
        name: "HBM2",
        geometry: Geometry {
            channels: 8,
            pseudo_channels: 2,
            ranks: 1,
            bank_groups: 4,
            banks_per_group: 4,
            rows: 32_768,
            row_bytes: 1024,
            burst_length: 4,
            bus_bits: 128,
            data_rate_mtps: 2000,
        },
        timing: Cycles {
            rcd: 14,
            rp: 14,
            cl: 14,
            cwl: 4,
            ras: 34,
            ccd_s: 2,
            ccd_l: 4,
            rrd_s: 4,
            rrd_l: 6,
            faw: 30,
            wr: 16,
            wtr_s: 6,
            wtr_l: 8,
            rtp: 6,
            refi: 3900,
            rfc: 260,
            rtrs: 1,
        },
        command_cycles: 1,
        energy: PresetEnergy::Fixed(HBM2_ENERGY),
    },
    Preset {
        name: "HBM2e",
        geometry: Geometry {
            channels: 8,
            pseudo_channels: 2,
            ranks: 1,
            bank_groups: 4,
            banks_per_group: 4,
            rows: 65_536,
            row_bytes: 1024,
            burst_length: 4,
            bus_bits: 128,
            data_rate_mtps: 3200,
        },
        timing: Cycles {
            rcd: 23,
            rp: 23,
            cl: 23,
            cwl: 7,
            ras: 55,
            ccd_s: 2,
            ccd_l: 4,
            rrd_s: 7,
            rrd_l: 10,
            faw: 48,
            wr: 26,
            wtr_s: 10,
            wtr_l: 13,
            rtp: 10,
            refi: 6240,
            rfc: 560,
            rtrs: 1,
        },
        command_cycles: 1,
        energy: PresetEnergy::Fixed(HBM2E_ENERGY),
    },
    Preset {
        name: "HBM3",
        geometry: Geometry {
            channels: 16,
            pseudo_channels: 2,
            ranks: 1,
            bank_groups: 4,
            banks_per_group: 4,
            rows: 32_768,
            row_bytes: 1024,
            burst_length: 8,
            bus_bits: 64,
            data_rate_mtps: 6400,
        },
        timing: Cycles {
            rcd: 46,
            rp: 46,
            cl: 46,
            cwl: 14,
            ras: 110,
            ccd_s: 4,
            ccd_l: 8,
            rrd_s: 4,
            rrd_l: 8,
            faw: 96,
            wr: 52,
            wtr_s: 20,
            wtr_l: 26,
            rtp: 20,
            refi: 12_480,
            rfc: 1120,
            rtrs: 2,
        },
        command_cycles: 2,
        energy: PresetEnergy::Fixed(HBM3_ENERGY),
    },
];

/// The preset called `name` (exact match).
pub(crate) fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}
