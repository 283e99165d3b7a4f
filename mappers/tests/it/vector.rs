//! The vector-unit model against `arch`'s own vector kernels where both apply.

use arch::kernel::{Fidelity, run_elementwise, run_softmax};
use arch::nonlinear::ElementwiseOp;
use mappers::cost::{CostModel, PlatformCosts, UnitKind};
use mappers::work::{SoftmaxWork, VecFn, VectorWork, Work};
use mappers::{DramTiming, RunOptions};

fn opts() -> RunOptions {
    RunOptions {
        dram: DramTiming::Detailed,
        inter_op_buffering: false,
        ..RunOptions::default()
    }
}

#[test]
fn softmax_and_elementwise_match_arch_kernels() {
    // generic-os-128's nonlinear unit (16-bit lanes) and MARCA's PEs in element-wise mode:
    // the same closed-form cycles and chunked pipeline, so times agree closely (chunk
    // sizes differ slightly: arch sizes chunks by the unit's element width, this model by
    // the operator's bytes).
    for (preset, unit) in [
        ("generic-os-128", UnitKind::Nonlinear),
        ("marca", UnitKind::PeArray),
    ] {
        let p = arch::Platform::load(preset, &[]).unwrap();
        let o = opts();
        let pc = PlatformCosts::new(&p, &o).unwrap();
        let (rows, len) = (64, 2048);
        let ours = pc
            .cost(
                unit,
                &Work::Softmax(SoftmaxWork {
                    rows,
                    len,
                    bits: 16,
                    integer: false,
                }),
            )
            .unwrap();
        let theirs = run_softmax(&p, rows, len, Fidelity::TileEvents).unwrap();
        let r = ours.time.as_secs_f64() / theirs.seconds;
        assert!((0.95..=1.05).contains(&r), "{preset} softmax: {r}");
        let n = 1 << 20;
        for (f, op, inputs) in [
            (VecFn::Silu, ElementwiseOp::Silu, 1),
            (VecFn::Add, ElementwiseOp::Add, 2),
        ] {
            let ours = pc
                .cost(
                    unit,
                    &Work::Vector(VectorWork {
                        func: f,
                        elements: n,
                        rows: n,
                        read_bytes: 2 * n * inputs,
                        write_bytes: 2 * n,
                        out_bits: 16,
                    }),
                )
                .unwrap();
            let theirs = run_elementwise(&p, n, op, Fidelity::TileEvents).unwrap();
            let r = ours.time.as_secs_f64() / theirs.seconds;
            assert!((0.95..=1.05).contains(&r), "{preset} {f:?}: {r}");
        }
    }
}
