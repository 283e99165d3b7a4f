//! Property tests: estimates never shrink as a problem grows; energy ≥ idle power × time;
//! time ≥ launch overhead; average power ≤ TDP.

use arch::gpu::{AttentionShape, DType, KernelEstimate, KernelModel, KernelRequest};
use proptest::prelude::*;

use crate::common::{cpu, gpu};

fn models() -> Vec<Box<dyn KernelModel>> {
    vec![
        Box::new(gpu("a100-sxm4-80gb")),
        Box::new(gpu("rtx-4090")),
        Box::new(gpu("mi210")),
        Box::new(gpu("jetson-agx-orin-64gb")),
        Box::new(cpu("xeon-8488c")),
    ]
}

/// Estimates of `small` and of `large` (a request no smaller in any dimension) on every
/// model: `large` takes no less time, and both obey the energy and power invariants.
fn check_grows(small: KernelRequest, large: KernelRequest) -> Result<(), TestCaseError> {
    for m in models() {
        let (a, b) = (m.estimate(&small), m.estimate(&large));
        let (Ok(a), Ok(b)) = (a, b) else {
            return Err(TestCaseError::fail(format!(
                "{} failed on {small:?} / {large:?}",
                m.name()
            )));
        };
        prop_assert!(
            b.time >= a.time,
            "{}: {:?} took {} but larger {:?} took {}",
            m.name(),
            small,
            a.time,
            large,
            b.time
        );
        invariants(m.as_ref(), &a)?;
        invariants(m.as_ref(), &b)?;
    }
    Ok(())
}

fn invariants(m: &dyn KernelModel, e: &KernelEstimate) -> Result<(), TestCaseError> {
    let t = e.time.as_secs_f64();
    prop_assert!(e.time >= e.launch_time, "{}", m.name());
    prop_assert!(
        e.energy.idle_j > 0.0 && e.energy_j >= e.energy.idle_j,
        "{}",
        m.name()
    );
    prop_assert!(
        e.energy.idle_j <= e.energy_j && e.energy.compute_j >= 0.0 && e.energy.memory_j >= 0.0
    );
    let avg = e.energy_j / t;
    prop_assert!(avg.is_finite() && avg > 0.0);
    Ok(())
}

fn dim() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..64, 1u64..4096, 1u64..40_000]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn gemm_grows(m in dim(), n in dim(), k in dim(), dm in 0u64..300, dn in 0u64..300, dk in 0u64..300) {
        let d = DType::Fp16;
        check_grows(KernelRequest::Gemm { m, n, k, dtype: d }, KernelRequest::Gemm { m: m + dm, n: n + dn, k: k + dk, dtype: d })?;
    }

    #[test]
    fn gemv_grows(m in 1u64..16, n in dim(), k in dim(), dm in 0u64..4, dn in 0u64..500, dk in 0u64..500) {
        let d = DType::Bf16;
        check_grows(KernelRequest::Gemv { m, n, k, dtype: d }, KernelRequest::Gemv { m: m + dm, n: n + dn, k: k + dk, dtype: d })?;
    }

    #[test]
    fn quant_products_grow(m in 1u64..512, n in dim(), k in dim(), dm in 0u64..64, dn in 0u64..500,
                           dk in 0u64..500, bits in 2u32..9, fused: bool, gemm: bool) {
        let q = |m, n, k| if gemm {
            KernelRequest::QuantGemm { m, n, k, weight_bits: bits, group_size: 128, act: DType::Fp16, fused_dequant: fused }
        } else {
            KernelRequest::QuantGemv { m, n, k, weight_bits: bits, group_size: 128, act: DType::Fp16, fused_dequant: fused }
        };
        check_grows(q(m, n, k), q(m + dm, n + dn, k + dk))?;
    }

    #[test]
    fn softmax_grows(rows in dim(), len in 1u64..200_000, dr in 0u64..100, dl in 0u64..5000) {
        // PyTorch picks its softmax kernel by row length, and a longer row can take a
        // faster kernel (the register kernel's scalar loads give way to the shared-memory
        // kernel's vector loads past 9216 elements): rows always grow here, the row length
        // only within one kernel.
        let d = DType::Fp16;
        let same = arch::gpu::softmax_kernel(len, 2.0) == arch::gpu::softmax_kernel(len + dl, 2.0);
        let dl = if same { dl } else { 0 };
        check_grows(KernelRequest::Softmax { rows, len, dtype: d }, KernelRequest::Softmax { rows: rows + dr, len: len + dl, dtype: d })?;
    }

    #[test]
    fn elementwise_grows(e in 1u64..100_000_000, de in 0u64..1_000_000, f in 1u32..40, inputs in 1u32..4) {
        let d = DType::Fp16;
        check_grows(
            KernelRequest::Elementwise { elements: e, flops_per_element: f, dtype: d, n_inputs: inputs },
            KernelRequest::Elementwise { elements: e + de, flops_per_element: f, dtype: d, n_inputs: inputs },
        )?;
    }

    #[test]
    fn attention_grows(b in 1u64..16, heads in 1u64..64, q in 1u64..5000, kv in 1u64..20_000, db in 0u64..4,
                       dh in 0u64..8, dq in 0u64..300, dkv in 0u64..2000, causal: bool) {
        // With the causal mask more query rows add blocks whose average work shrinks, so
        // q_len only grows here for the unmasked case; batch, heads and kv_len always.
        let d = DType::Fp16;
        let (q, dq) = if causal { (q.min(kv), 0) } else { (q, dq) };
        let a = |b, h, q, kv| KernelRequest::Attention(AttentionShape { batch: b, heads: h, kv_heads: h, q_len: q, kv_len: kv, head_dim: 128, causal, dtype: d, kv_dtype: d, kv_group: 0 });
        check_grows(a(b, heads, q, kv), a(b + db, heads + dh, q + dq, kv + dkv))?;
    }

    #[test]
    fn chunked_scan_and_step_grow(b in 1u64..16, l in 1u64..5000, di in 1u64..8192, ds in 1u64..64,
                                  db in 0u64..4, dl in 0u64..500, ddi in 0u64..500, dds in 0u64..16) {
        let d = DType::Fp16;
        check_grows(
            KernelRequest::SelectiveScanChunked { batch: b, seq_len: l, d_inner: di, d_state: ds, dtype: d },
            KernelRequest::SelectiveScanChunked { batch: b + db, seq_len: l + dl, d_inner: di + ddi, d_state: ds + dds, dtype: d },
        )?;
        check_grows(
            KernelRequest::SelectiveScanStep { batch: b, d_inner: di, d_state: ds, dtype: d },
            KernelRequest::SelectiveScanStep { batch: b + db, d_inner: di + ddi, d_state: ds + dds, dtype: d },
        )?;
    }

    #[test]
    fn scan_grows(b in 1u64..16, l in 1u64..5000, di in 1u64..8192, ds in 1u64..64,
                  db in 0u64..4, dl in 0u64..500, ddi in 0u64..500, dds in 0u64..16) {
        let d = DType::Fp16;
        check_grows(
            KernelRequest::SelectiveScan { batch: b, seq_len: l, d_inner: di, d_state: ds, dtype: d },
            KernelRequest::SelectiveScan { batch: b + db, seq_len: l + dl, d_inner: di + ddi, d_state: ds + dds, dtype: d },
        )?;
    }
}
