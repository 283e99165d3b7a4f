//! The survey's data sheet (batch 1, decode, ~7B), the preset that stands for each row,
//! and how each row is checked.

/// How a data-sheet row's tokens/s is checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Band {
    /// Measured through a serving stack: between −30 % and the HBM roofline of the step
    /// at this memory bandwidth (GB/s, datasheet).
    StackToRoofline(f64),
    /// The same quantity at the same precision: ±30 %.
    Within30,
    /// Not comparable (the reason).
    Report(&'static str),
}

/// One row of the survey's data sheet (batch 1, decode, ~7B) and the simulated point
/// that stands for it.
pub(super) struct SheetRow {
    pub class: &'static str,
    pub work: &'static str,
    /// Preset and spec (`survey`, `int4`, `mamba`) of the simulated point.
    pub preset: &'static str,
    pub spec: &'static str,
    pub precision: &'static str,
    pub tokens_per_s: f64,
    pub power_w: f64,
    pub tokens_per_j: f64,
    pub source: &'static str,
    pub band: Band,
    /// Why power / tokens/J differ in kind (shown in the claims' notes).
    pub power_note: &'static str,
}

const TDP: &str = "the survey's power is the board's nominal power (TDP-class), the simulated one \
                   the modelled step's energy ÷ time (HBM, SMs, leakage), so a memory-bound decode \
                   sits well below TDP";

/// The survey's data sheet (github.com/Kimho666/LLM_Hardware_Survey, data202505.xlsx, as
/// tabulated in `survey_decode_b1.csv`), with the preset that stands for each row.
pub(super) const SHEET: [SheetRow; 10] = [
    SheetRow {
        class: "GPU",
        work: "vLLM, NVIDIA A100",
        preset: "a100-sxm4-80gb",
        spec: "survey",
        precision: "fp16",
        tokens_per_s: 91.53,
        power_w: 304.14,
        tokens_per_j: 0.301,
        source: "survey sheet; vLLM, arXiv 2309.06180",
        band: Band::StackToRoofline(2039.0), // A100 80GB SXM4 datasheet: 2 039 GB/s
        power_note: TDP,
    },
    SheetRow {
        class: "GPU",
        work: "vLLM, NVIDIA H100",
        preset: "h100-sxm5-80gb",
        spec: "survey",
        precision: "fp16",
        tokens_per_s: 142.73,
        power_w: 422.82,
        tokens_per_j: 0.338,
        source: "survey sheet; vLLM, arXiv 2309.06180",
        band: Band::StackToRoofline(3350.0), // H100 SXM5 datasheet: 3.35 TB/s
        power_note: TDP,
    },
    SheetRow {
        class: "GPU",
        work: "vLLM, NVIDIA RTX 4090",
        preset: "rtx-4090",
        spec: "survey",
        precision: "fp16",
        tokens_per_s: 63.1,
        power_w: 298.67,
        tokens_per_j: 0.211,
        source: "survey sheet; vLLM, arXiv 2309.06180",
        band: Band::StackToRoofline(1008.0), // Ada whitepaper: 21 Gb/s × 384 bit
        power_note: TDP,
    },
    SheetRow {
        class: "GPU",
        work: "vLLM, NVIDIA RTX 3090",
        preset: "rtx-3090",
        spec: "survey",
        precision: "fp16",
        tokens_per_s: 53.31,
        power_w: 350.0,
        tokens_per_j: 0.152,
        source: "survey sheet; vLLM, arXiv 2309.06180",
        band: Band::StackToRoofline(936.0), // GA102 whitepaper: 19.5 Gb/s × 384 bit
        power_note: TDP,
    },
    SheetRow {
        class: "CPU",
        work: "Shen et al., Xeon 8488C",
        preset: "xeon-8488c",
        spec: "int4",
        precision: "int4 weights",
        tokens_per_s: 45.53,
        power_w: 385.0,
        tokens_per_j: 0.118,
        source: "survey sheet; arXiv 2311.00502",
        band: Band::Within30,
        power_note: "385 W is the socket's TDP; the simulated power is the step's energy ÷ time",
    },
    SheetRow {
        class: "CPU",
        work: "Snapdragon 8 Gen 3 (vendor)",
        preset: "snapdragon-8-gen3",
        spec: "int4",
        precision: "unknown (int4 assumed)",
        tokens_per_s: 15.0,
        power_w: 6.3,
        tokens_per_j: 2.38,
        source: "survey sheet; Qualcomm product page",
        band: Band::Report(
            "Qualcomm's figure runs on the Hexagon NPU; the preset models the Kryo CPU only \
             (no NPU preset), so the two are different engines",
        ),
        power_note: "a vendor figure for the whole SoC running the NPU",
    },
    SheetRow {
        class: "FPGA",
        work: "FlightLLM, Alveo U280",
        preset: "flightllm-u280",
        spec: "int4",
        precision: "mixed low-bit + N:M sparsity (4-bit modelled)",
        tokens_per_s: 55.0,
        power_w: 45.0,
        tokens_per_j: 1.22,
        source: "survey sheet; FlightLLM, FPGA'24 (arXiv 2401.03868)",
        band: Band::Within30,
        power_note: "45 W is the U280 board (static FPGA power, shell, HBM PHYs); the preset \
                     models the accelerator's MACs, buffers and HBM accesses",
    },
    SheetRow {
        class: "ASIC",
        work: "Groq LPU",
        preset: "groq-576",
        spec: "survey",
        precision: "not stated",
        tokens_per_s: 814.0,
        power_w: 185.0,
        tokens_per_j: 4.40,
        source: "survey sheet; Groq LPU white paper 2024",
        band: Band::Report(
            "one LPU holds 230 MB of SRAM and no DRAM (groq-lpu cannot hold the weights); \
             Groq's chip count for its 7B service is not published, so the 576-chip system \
             of its Llama-2-70B service (groq-576: 36 pipeline stages of 16 chips) stands \
             in. The simulator is several times faster than Groq's published per-user \
             rates here and for Llama-2-70B (240-300 tokens/s): the deployed system's \
             per-token overheads are not published and not modelled",
        ),
        power_note: "",
    },
    SheetRow {
        class: "ASIC",
        work: "MARCA (Mamba)",
        preset: "marca",
        spec: "mamba",
        precision: "Mamba-2.8B (assumed), fp16",
        tokens_per_s: 23.78,
        power_w: 10.44,
        tokens_per_j: 2.28,
        source: "survey sheet; MARCA, ICCAD'24 (arXiv 2409.11440)",
        band: Band::Within30,
        power_note: "10.44 W is MARCA's rated chip power (HLX, MICRO'25, Table 4), not a power \
                     measured during decode; a memory-bound decode keeps most PEs idle",
    },
    SheetRow {
        class: "PIM/NDP",
        work: "SK hynix AiMX",
        preset: "pim-aimx",
        spec: "survey",
        precision: "bf16",
        tokens_per_s: 330.0,
        power_w: 76.0,
        tokens_per_j: 4.34,
        source: "survey sheet; Hot Chips 2024 AiMX talk",
        band: Band::Report(
            "the AiMX preset models the GDDR6-AiM devices, whose units run GEMV only; the \
             card's FPGA controller (norms, softmax, rotary) is not modelled, so the step \
             cannot run",
        ),
        power_note: "",
    },
];

/// Bytes one Llama-2-7B fp16 decode step at batch 1 and 1 024 tokens of context must move
/// at least: every weight once except the embedding table, of which one row is gathered
/// (6 738 415 616 parameters × 2 B − 32 000 × 4 096 × 2 B = 13 214 687 232 B), plus the
/// KV cache read (2 × 32 layers × 4 096 channels × 2 B × 1 024 tokens = 536 870 912 B).
pub(super) const LLAMA2_7B_DECODE_BYTES: f64 = 13_214_687_232.0 + 536_870_912.0;
