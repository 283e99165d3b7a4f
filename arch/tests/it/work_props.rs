//! The dispatch layer never panics: every preset × every unit × random small works gives
//! an estimate or an error, and the answers are consistent with `can_run`.

use arch::work::{AttentionShape, DType, EstimateOptions, EwOp, NormKind, Unit, Work};
use arch::{ArchError, Platform};
use proptest::prelude::*;
use std::sync::OnceLock;

fn presets() -> &'static Vec<Platform> {
    static ALL: OnceLock<Vec<Platform>> = OnceLock::new();
    ALL.get_or_init(|| {
        arch::preset_names()
            .into_iter()
            .map(|n| Platform::load(n, &[]).unwrap())
            .collect()
    })
}

fn dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(DType::ALL.to_vec())
}

fn work() -> impl Strategy<Value = Work> {
    let d = 1u64..48;
    prop_oneof![
        (d.clone(), d.clone(), d.clone(), dtype(), dtype()).prop_map(|(m, k, n, act, weight)| {
            Work::Gemm {
                m,
                k,
                n,
                act,
                weight,
            }
        }),
        (
            d.clone(),
            d.clone(),
            d.clone(),
            dtype(),
            1u32..9,
            1u64..64,
            any::<bool>()
        )
            .prop_map(|(m, k, n, act, weight_bits, group_size, fused_dequant)| {
                Work::QuantGemm {
                    m,
                    k,
                    n,
                    act,
                    weight_bits,
                    group_size,
                    fused_dequant,
                }
            }),
        (d.clone(), d.clone(), dtype(), any::<bool>()).prop_map(|(rows, len, dtype, integer)| {
            Work::Softmax {
                rows,
                len,
                dtype,
                integer,
            }
        }),
        (
            1u64..3,
            1u64..5,
            1u64..3,
            1u64..6,
            d.clone(),
            1u64..40,
            any::<bool>(),
            dtype(),
            dtype(),
            prop::sample::select(vec![0u64, 32, 128])
        )
            .prop_map(
                |(
                    batch,
                    g,
                    kv_heads,
                    q_len,
                    kv_len,
                    head_dim,
                    causal,
                    dtype,
                    kv_dtype,
                    kv_group,
                )| {
                    Work::Attention(AttentionShape {
                        batch,
                        heads: g * kv_heads,
                        kv_heads,
                        q_len: if causal { q_len.min(kv_len) } else { q_len },
                        kv_len,
                        head_dim,
                        causal,
                        dtype,
                        kv_dtype,
                        kv_group,
                    })
                }
            ),
        (
            1u64..5000,
            prop::sample::select(EwOp::ALL.to_vec()),
            1u32..4,
            dtype()
        )
            .prop_map(|(elements, op, n_inputs, dtype)| Work::Elementwise {
                elements,
                op,
                n_inputs,
                dtype
            }),
        (d.clone(), d.clone(), any::<bool>(), dtype()).prop_map(|(rows, len, layer, dtype)| {
            Work::Norm {
                rows,
                len,
                kind: if layer {
                    NormKind::Layer
                } else {
                    NormKind::Rms
                },
                dtype,
            }
        }),
        (1u64..3, 1u64..20, d.clone(), 1u64..20, dtype()).prop_map(
            |(batch, seq_len, d_inner, d_state, dtype)| Work::Scan {
                batch,
                seq_len,
                d_inner,
                d_state,
                dtype
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_preset_unit_and_work_answers(w in work(), roofline in any::<bool>()) {
        let opts = EstimateOptions {
            fidelity: if roofline {
                arch::kernel::Fidelity::Roofline
            } else {
                arch::kernel::Fidelity::TileEvents
            },
            ..Default::default()
        };
        let valid = w.validate();
        for p in presets() {
            if let Err(e) = &valid {
                // Invalid work is the same error on every unit.
                for u in Unit::ALL {
                    let got = p.estimate(u, &w, &opts).unwrap_err();
                    prop_assert_eq!(&got, e);
                }
                continue;
            }
            let cands = p.candidate_units(&w);
            for u in Unit::ALL {
                let can = p.can_run(u, &w);
                prop_assert_eq!(can, cands.contains(&u));
                match p.estimate(u, &w, &opts) {
                    Ok(e) => {
                        prop_assert!(can, "{} {} ran {:?} but can_run is false", p.name, u, w);
                        prop_assert_eq!(e.unit, u);
                        prop_assert!(e.time.as_ps() > 0, "{} {} {:?}: zero time", p.name, u, w);
                        prop_assert!(e.energy_pj.is_finite() && e.energy_pj >= 0.0);
                        prop_assert!(e.flops.is_finite() && e.flops >= 0.0);
                        prop_assert_eq!(e.flops, w.flops());
                        // Level 2 is never faster than level 3 on the tile-level units.
                        if !roofline && matches!(u, Unit::PeArray | Unit::Nonlinear) {
                            let l3 = EstimateOptions {
                                fidelity: arch::kernel::Fidelity::Roofline,
                                ..Default::default()
                            };
                            if let Ok(r) = p.estimate(u, &w, &l3) {
                                prop_assert!(
                                    r.time <= e.time,
                                    "{} {} {:?}: level 3 {:?} > level 2 {:?}",
                                    p.name, u, w, r.time, e.time
                                );
                            }
                        }
                    }
                    Err(ArchError::Unsupported { class, .. }) => {
                        // Refused classes are named; a unit that can run the class may still
                        // refuse a format or a shape (e.g. a GPU without an int4 tensor rate).
                        prop_assert!(!class.is_empty());
                    }
                    Err(e) => {
                        // Shape limits of a runnable unit (a tiling, an SRAM-only platform).
                        prop_assert!(can, "{} {} {:?}: {}", p.name, u, w, e);
                    }
                }
            }
            match p.preferred_unit(&w) {
                Ok(u) => prop_assert_eq!(Some(&u), cands.first()),
                Err(e) => {
                    prop_assert!(cands.is_empty());
                    let msg = e.to_string();
                    let want = format!("cannot run {}", w.class());
                    prop_assert!(msg.contains(&want), "{}", msg);
                }
            }
        }
    }
}
