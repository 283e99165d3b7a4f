//! Model vs published and measured kernel times.

use arch::gpu::{AttentionShape, DType, KernelModel, KernelRequest};

use crate::common::{gpu, rel, us};

/// Rows of a CSV in `arch/tests/data/` (lines starting with `#` are comments; the first
/// other line is the header).
fn csv(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .collect()
}

/// GEMV time of the model for `m × n × k` in FP16.
fn gemv_us(preset: &str, m: u64, n: u64, k: u64) -> f64 {
    gemv_us_on(&gpu(preset), m, n, k)
}

/// GEMV time of `g` for `m × n × k` in FP16.
fn gemv_us_on(g: &arch::gpu::Gpu, m: u64, n: u64, k: u64) -> f64 {
    us(g.estimate(&KernelRequest::Gemv {
        m,
        n,
        k,
        dtype: DType::Fp16,
    })
    .unwrap()
    .time)
}

/// The `gemv` rows of `validation/data/published.csv` (the workspace's published kernel
/// times, also read by `silica validate`): (case_id, preset, m, n, k, measured µs).
fn published_gemv_rows() -> Vec<(String, String, u64, u64, u64, f64)> {
    let path = format!(
        "{}/../validation/data/published.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, class, m, n, k, t, dev) = (
        col("case_id"),
        col("kernel_class"),
        col("m"),
        col("n"),
        col("k"),
        col("median_us"),
        col("device"),
    );
    // Every column used here lies before `source`, the only quoted field.
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[class] == "gemv")
        .map(|r| {
            (
                r[id].to_string(),
                r[dev].to_string(),
                r[m].parse().unwrap(),
                r[n].parse().unwrap(),
                r[k].parse().unwrap(),
                r[t].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn gemv_within_20_percent_of_published_measurements() {
    // validation/data/published.csv: FastGEMV's RTX 3090 table (PyTorch/cuBLAS and FastGEMV
    // kernels), EfficientQAT's A100-80GB rows, bitsandbytes' RTX 4090 cuBLAS rows and AQLM's
    // RTX 3090 row (sources in each row). Issue 5: fp16 4096×4096 and 4096→11008 GEMV on
    // the A100 and RTX 4090 within 20 % of published measurements. Not independent: the
    // four FastGEMV cuBLAS rows set `blas_bandwidth`'s default (their times over FastGEMV's
    // on the same card, arch::gpu::DEFAULT_BLAS_BANDWIDTH) and the FastGEMV rows the RTX
    // 3090 preset's `mem_bandwidth`; the A100, RTX 4090 and AQLM rows are checks.
    let rows = published_gemv_rows();
    for (preset, n) in [
        ("a100-sxm4-80gb", 4096),
        ("a100-sxm4-80gb", 11008),
        ("rtx-4090", 4096),
        ("rtx-4090", 11008),
    ] {
        assert!(
            rows.iter()
                .any(|r| r.1 == preset && r.2 == 1 && r.3 == n && r.4 == 4096),
            "no published {preset} gemv {n}x4096 row"
        );
    }
    assert!(rows.len() >= 13, "{} gemv rows", rows.len());
    for (id, preset, m, n, k, measured) in rows {
        let model = gemv_us(&preset, m, n, k);
        assert!(
            rel(model, measured) <= 0.2,
            "{id} ({preset} {n}x{k}): model {model:.1} us vs {measured} us"
        );
    }
}

#[test]
fn model_matches_h100_measurements() {
    // arch/tests/data/h100_measured.csv, measured for this model on the project's H100 SXM5.
    let h = gpu("h100-sxm5-80gb");
    for r in csv("h100_measured.csv") {
        let class = r[0].as_str();
        let (m, n, k): (u64, u64, u64) = (
            r[1].parse().unwrap(),
            r[2].parse().unwrap(),
            r[3].parse().unwrap(),
        );
        let measured: f64 = r[5].parse().unwrap();
        let req = match class {
            "gemv" => KernelRequest::Gemv {
                m,
                n,
                k,
                dtype: DType::Fp16,
            },
            "gemm" => KernelRequest::Gemm {
                m,
                n,
                k,
                dtype: DType::Fp16,
            },
            "softmax" => KernelRequest::Softmax {
                rows: m,
                len: n,
                dtype: DType::Fp16,
            },
            "elementwise" => KernelRequest::Elementwise {
                elements: m,
                flops_per_element: 1,
                dtype: DType::Fp16,
                n_inputs: 2,
            },
            "attention" => {
                let field = |key: &str| -> u64 {
                    r[4].split(' ')
                        .find_map(|kv| kv.strip_prefix(key))
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                KernelRequest::Attention(AttentionShape {
                    batch: m,
                    heads: n,
                    kv_heads: k,
                    q_len: field("q="),
                    kv_len: field("kv="),
                    head_dim: field("d="),
                    causal: field("causal=") == 1,
                    dtype: DType::Fp16,
                    kv_dtype: DType::Fp16,
                    kv_group: 0,
                })
            }
            other => panic!("unknown class {other}"),
        };
        // Measured as CUDA-graph replays of back-to-back kernels: each pays the stream
        // launch overhead, not an isolated kernel's.
        let e = h.estimate(&req).unwrap();
        let model = us(e.time) - us(e.launch_time)
            + f64::from(e.kernels) * h.efficiency().stream_launch_overhead_us;
        if class == "softmax" && m == 32 {
            // Known gap: 32 rows of 32768 occupy 32 SMs, each block walking its row three
            // times (PyTorch's global-memory kernel); the model counts the DRAM pass's
            // round trips, not the two L2 passes', and is faster than measured.
            let ratio = model / measured;
            assert!(
                (0.5..=1.0).contains(&ratio),
                "softmax {m}x{n}: model {model:.1} vs {measured} us"
            );
        } else {
            assert!(
                rel(model, measured) <= 0.3,
                "{class} {m} {n} {k} {}: model {model:.1} vs {measured} us",
                r[4]
            );
        }
    }
}

/// Real A100 and MI210 GEMM times from the LLMCompass artifact (Zhang et al., ISCA 2024,
/// `ae/figure5/ab/real_hardware/matmul_{A100,MI210}.csv`): (m, n, k, ms). FP16.
const LLMCOMPASS_A100: &[(u64, u64, u64, f64)] = &[
    (64, 12288, 12288, 0.1900),
    (128, 12288, 12288, 0.2003),
    (256, 12288, 12288, 0.3185),
    (512, 12288, 12288, 0.6118),
    (2048, 12288, 12288, 2.3586),
    (8192, 12288, 12288, 8.6216),
    (32768, 12288, 12288, 35.4407),
    (8192, 2048, 2048, 0.2818),
    (8192, 4096, 4096, 1.0210),
    (8192, 16384, 16384, 15.0087),
];
const LLMCOMPASS_MI210: &[(u64, u64, u64, f64)] = &[
    (256, 12288, 12288, 0.7699),
    (2048, 12288, 12288, 5.3905),
    (8192, 1024, 1024, 0.1950),
    (8192, 2048, 2048, 0.5822),
    (8192, 8192, 8192, 9.4150),
];
/// Small-K A100 rows the model is too fast on (known gap, left to calibration: cuBLAS
/// reaches only 91 and 185 TFLOP/s there, the model 0.8× peak).
const LLMCOMPASS_A100_SMALL_K: &[(u64, u64, u64, f64)] =
    &[(8192, 512, 512, 0.0471), (8192, 1024, 1024, 0.0927)];

fn gemm_ms(preset: &str, m: u64, n: u64, k: u64) -> f64 {
    let e = gpu(preset)
        .estimate(&KernelRequest::Gemm {
            m,
            n,
            k,
            dtype: DType::Fp16,
        })
        .unwrap();
    us(e.time) / 1e3
}

#[test]
fn gemm_within_20_percent_of_llmcompass_real_hardware() {
    // (The presets' tensor efficiencies come from one row each — 8192³ on A100 and
    // 8192×4096×4096 on MI210, not listed here — the others are independent checks.)
    for (preset, rows) in [
        ("a100-sxm4-80gb", LLMCOMPASS_A100),
        ("mi210", LLMCOMPASS_MI210),
    ] {
        for &(m, n, k, ms) in rows {
            let model = gemm_ms(preset, m, n, k);
            assert!(
                rel(model, ms) <= 0.2,
                "{preset} {m}x{n}x{k}: model {model:.4} ms vs {ms} ms"
            );
        }
    }
    for &(m, n, k, ms) in LLMCOMPASS_A100_SMALL_K {
        let model = gemm_ms("a100-sxm4-80gb", m, n, k);
        assert!(
            model < ms && model > 0.4 * ms,
            "{m}x{n}x{k}: model {model:.4} ms vs {ms} ms"
        );
    }
}

/// FastGEMV's RTX 3090 table (`method_and_result.md`, "On 3090": nsys kernel times, fp16,
/// batch 1): (size, PyTorch/cuBLAS µs, FastGEMV µs), as in validation/data/published.csv.
const FASTGEMV_3090: [(u64, f64, f64); 4] = [
    (2048, 13.9718, 12.3954),
    (4096, 46.0319, 40.6214),
    (8192, 159.163, 156.4483),
    (16384, 691.661, 609.2350),
];

/// The RTX 3090 preset with a purpose-written GEMV (`blas_bandwidth` = 1).
fn stream_gemv_us(size: u64) -> f64 {
    let mut spec = gpu("rtx-3090").spec().clone();
    spec.efficiency.blas_bandwidth = Some(1.0);
    gemv_us_on(&spec.validate("gpu").unwrap(), 1, size, size)
}

#[test]
fn gemv_fixed_cost_and_bandwidth_fit_the_3090_ramp() {
    // FastGEMV's own kernel from 2048² to 16384² lies on t = a + bytes / bw with a ≈ 2.5 µs
    // (the default launch overhead) and bw ≈ 0.94 × 936 GB/s (the preset's efficiency): a
    // GEMV written to stream (blas_bandwidth = 1) reproduces the whole ramp within 5 %.
    for (size, _, measured) in FASTGEMV_3090 {
        let model = stream_gemv_us(size);
        assert!(
            rel(model, measured) <= 0.05,
            "{size}: {model:.2} vs {measured}"
        );
    }
}

#[test]
fn the_default_blas_bandwidth_is_cublas_over_fastgemv_on_one_card() {
    // By hand from the table: (t_cuBLAS − 2.5 µs) / (t_FastGEMV − 2.5 µs) = 1.1593, 1.1419,
    // 1.0176, 1.1359; mean 1.1137; 1 / 1.1137 = 0.898 — the default, 0.90, to 0.005.
    let launch = arch::gpu::DEFAULT_LAUNCH_OVERHEAD_US;
    let mean = FASTGEMV_3090
        .iter()
        .map(|&(_, cublas, fast)| (cublas - launch) / (fast - launch))
        .sum::<f64>()
        / 4.0;
    assert!((mean - 1.1137).abs() < 5e-4, "{mean}");
    assert!((1.0 / mean - arch::gpu::DEFAULT_BLAS_BANDWIDTH).abs() < 0.005);
    // And the library kernel's rows, predicted with it, sit within 10 % (not independent:
    // they set it; the A100, RTX 4090 and AQLM rows of the published test are the checks).
    for (size, measured, _) in FASTGEMV_3090 {
        let model = gemv_us("rtx-3090", 1, size, size);
        assert!(
            rel(model, measured) <= 0.10,
            "{size}: {model:.2} vs {measured}"
        );
    }
}
