//! The mapping space, its legality checker, the search and the level-2 run of the winner.

use arch::Platform;
use mappers::cost::PlatformCosts;
use mappers::mapping::legality::{check, check_coverage, tiles};
use mappers::mapping::space::{PeCtx, candidates};
use mappers::mapping::{
    ArrayMode, DataflowName, Dim, LoopOrder, Mapping, Tile, cost, level2, search,
};
use mappers::work::{GemmWork, Operand};
use mappers::{DataflowPolicy, DramTiming, Objective, RunOptions, Search};
use proptest::prelude::*;
use toml::Value;

fn platform(rows: u64, cols: u64, kib: u64, df: &str, db: bool) -> Platform {
    let o = |k: &str, v: Value| (k.to_string(), v);
    Platform::load(
        "generic-os-128",
        &[
            o("pe_array.rows", Value::Integer(rows as i64)),
            o("pe_array.cols", Value::Integer(cols as i64)),
            o("global_buffer.size_kib", Value::Integer(kib as i64)),
            o("pe_array.dataflow", Value::String(df.into())),
            o("global_buffer.double_buffered", Value::Boolean(db)),
        ],
    )
    .unwrap()
}

fn gemm(m: u64, k: u64, n: u64, bits: u32) -> GemmWork {
    GemmWork {
        batch: 1,
        m,
        k,
        n,
        a_bits: bits,
        b_bits: bits,
        out_bits: bits,
        b_group: 0,
        b_meta_bits: 0,
        b_role: Operand::Weight,
        quantized: false,
    }
}

fn opts(search: Search, objective: Objective, dram: DramTiming) -> RunOptions {
    RunOptions {
        search,
        objective,
        dataflow: DataflowPolicy::Search,
        dram,
        ..RunOptions::default()
    }
}

fn mapping(tile: (u64, u64, u64), order: [Dim; 3], db: bool) -> Mapping {
    Mapping {
        mode: ArrayMode::Systolic(DataflowName::Os),
        transpose: false,
        tile: Tile {
            m: tile.0,
            k: tile.1,
            n: tile.2,
        },
        order: LoopOrder(order),
        double_buffered: db,
    }
}

#[test]
fn candidate_tiles_by_hand() {
    // 300 on an extent of 128: 128 (one fold), 256 (two), ⌈300/2⌉ = 150 → 256,
    // ⌈300/3⌉ = 100 → 128, ⌈300/4⌉ = 75 → 128, … and 300 itself.
    assert_eq!(candidates(300, 128), vec![128, 256, 300]);
    // A streamed dimension: 16, 32, 64 and splits 50, 34, 25, 20, 17, 15, 13 (⌈100/p⌉).
    assert_eq!(
        candidates(100, 1),
        vec![13, 15, 16, 17, 20, 25, 32, 34, 50, 64, 100]
    );
    // Smaller than the extent: only itself.
    assert_eq!(candidates(7, 128), vec![7]);
}

#[test]
fn loop_order_traffic_by_hand() {
    // 256³ int8 GEMM, 128³ tiles: trips (2, 2, 2); A = B = C = 65 536 bytes; psums 4 B.
    let p = platform(128, 128, 1024, "os", true);
    let o = RunOptions::default();
    let pc = PlatformCosts::new(&p, &o).unwrap();
    let ctx = pc.pe.as_ref().unwrap();
    let w = gemm(256, 256, 256, 8);
    // m→n→k: A re-read per n tile (2×), B per m tile (2×), C written once.
    let m = mapping((128, 128, 128), [Dim::M, Dim::N, Dim::K], true);
    assert_eq!(cost::traffic(ctx, &w, &m), (2 * 65536 + 2 * 65536, 65536));
    // m→k→n: A once; B per m tile (2×); C visited kt = 2 times: one extra store and
    // reload of 256·256 partial sums at 4 bytes = 262 144 each way.
    let m = mapping((128, 128, 128), [Dim::M, Dim::K, Dim::N], true);
    assert_eq!(
        cost::traffic(ctx, &w, &m),
        (65536 + 2 * 65536 + 262_144, 65536 + 262_144)
    );
    // k→n→m: A per n tile, B once, C visited twice.
    let m = mapping((128, 128, 128), [Dim::K, Dim::N, Dim::M], true);
    assert_eq!(
        cost::traffic(ctx, &w, &m),
        (2 * 65536 + 65536 + 262_144, 65536 + 262_144)
    );
    // Whole-K tiles: k has one trip, so no order re-visits C.
    let m = mapping((128, 256, 128), [Dim::K, Dim::M, Dim::N], true);
    assert_eq!(cost::traffic(ctx, &w, &m), (65536 + 2 * 65536, 65536));
}

#[test]
fn legality_checker_gives_reasons() {
    let p = platform(16, 16, 64, "os", true);
    let o = RunOptions::default();
    let pc = PlatformCosts::new(&p, &o).unwrap();
    let ctx = pc.pe.as_ref().unwrap();
    let w = gemm(100, 200, 300, 8);
    // 64 KiB buffer, 16 KiB reserved for intermediates: 24 KiB per tile when
    // double-buffered. 100×200 + 200×128 + 100×128×4 = 96 800 bytes: too big.
    let big = mapping((100, 200, 128), [Dim::M, Dim::N, Dim::K], true);
    let e = check(ctx, &w, &big).unwrap_err().to_string();
    assert!(
        e.contains("needs 96800 bytes") && e.contains("24576"),
        "{e}"
    );
    assert!(e.contains("double-buffered"), "{e}");
    let e = check(ctx, &w, &mapping((0, 1, 1), [Dim::M, Dim::N, Dim::K], true))
        .unwrap_err()
        .to_string();
    assert!(e.contains("tile m is 0"), "{e}");
    let e = check(
        ctx,
        &w,
        &mapping((101, 1, 1), [Dim::M, Dim::N, Dim::K], true),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("exceeds the operator's m = 100"), "{e}");
    // A weight-stationary mode is not allowed under the platform policy.
    let mut ws = mapping((10, 10, 10), [Dim::M, Dim::N, Dim::K], true);
    ws.mode = ArrayMode::Systolic(DataflowName::Ws);
    let e = check(ctx, &w, &ws).unwrap_err().to_string();
    assert!(e.contains("not available"), "{e}");
    // A legal one covers the space exactly once.
    let ok = mapping((32, 64, 48), [Dim::K, Dim::N, Dim::M], false);
    check(ctx, &w, &ok).unwrap();
    check_coverage(&w, &ok).unwrap();
    assert_eq!(tiles(&w, &ok).len(), 4 * 4 * 7);
}

#[test]
fn search_is_deterministic_and_exhaustive_beats_random_and_heuristic() {
    let p = platform(32, 32, 256, "ws", true);
    let w = gemm(200, 300, 400, 8);
    let run = |s: Search| {
        let o = opts(s, Objective::Edp, DramTiming::Calibrated);
        let pc = PlatformCosts::new(&p, &o).unwrap();
        search::search(pc.pe.as_ref().unwrap(), &w, o.objective, o.search).unwrap()
    };
    let ex = run(Search::Exhaustive);
    let rnd = run(Search::Random {
        budget: 50,
        seed: 7,
    });
    let heu = run(Search::Heuristic);
    let score = |r: &search::SearchResult| r.cost.score(Objective::Edp);
    assert!(score(&ex) <= score(&rnd) && score(&rnd) <= score(&heu));
    assert_eq!(
        run(Search::Random {
            budget: 50,
            seed: 7
        }),
        rnd
    );
    assert_eq!(ex.method, "exhaustive");
    assert!(ex.evaluated <= ex.space);
}

#[test]
fn own_tile_sequence_equals_run_gemm() {
    // Where both apply (int8 operands and output, run_gemm's loop order), the tile
    // sequence built here and arch::kernel::run_gemm give the same time and traffic on the
    // bank-level DRAM model.
    let p = platform(64, 64, 512, "os", true);
    let o = opts(Search::Heuristic, Objective::Latency, DramTiming::Detailed);
    let pc = PlatformCosts::new(&p, &o).unwrap();
    let ctx = pc.pe.as_ref().unwrap();
    for (w, tile) in [
        (gemm(300, 500, 200, 8), (128, 256, 64)),
        (gemm(1, 4096, 1000, 8), (1, 512, 256)),
    ] {
        for transpose in [false, true] {
            let mut m = mapping(tile, [Dim::M, Dim::N, Dim::K], true);
            if transpose {
                m.transpose = true;
                m.order = LoopOrder([Dim::N, Dim::M, Dim::K]);
            }
            check(ctx, &w, &m).unwrap();
            assert!(level2::run_gemm_compatible(ctx, &w, &m));
            let a = level2::via_run_gemm(ctx, &w, &m).unwrap();
            let b = level2::via_pipeline(ctx, &w, &m).unwrap();
            assert_eq!(a.time, b.time, "{w:?} {m}");
            assert_eq!((a.dram_read, a.dram_written), (b.dram_read, b.dram_written));
            assert_eq!(a.tiles, b.tiles);
        }
    }
}

#[test]
fn mapping_prints_its_choices() {
    let mut m = mapping((128, 4096, 64), [Dim::N, Dim::M, Dim::K], false);
    m.transpose = true;
    assert_eq!(
        m.to_string(),
        "os array, rows←n cols←m streamed k (transposed); tile m128×k4096×n64, loops n→m→k, \
         single-buffered"
    );
}

fn arb_case()
-> impl Strategy<Value = (u64, u64, u64, u64, u64, u64, usize, bool, u32, usize, usize)> {
    (
        1u64..=160,
        1u64..=160,
        1u64..=160,
        1u64..=16,
        1u64..=16,
        1u64..=16,
        0usize..3,
        any::<bool>(),
        prop_oneof![Just(8u32), Just(16u32)],
        0usize..3,
        0usize..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Every mapping the search returns is legal, covers the iteration space exactly once,
    /// and its level-2 time is never below the level-3 roofline of the same work.
    #[test]
    fn search_returns_legal_covering_mappings(
        (m, k, n, rows, cols, kib, df, db, bits, strat, obj) in arb_case()
    ) {
        let p = platform(rows, cols, 4 * kib, ["os", "ws", "is"][df], db);
        let search = [
            Search::Exhaustive,
            Search::Random { budget: 40, seed: m ^ k },
            Search::Heuristic,
        ][strat];
        let o = opts(search, Objective::ALL[obj], DramTiming::Calibrated);
        let pc = PlatformCosts::new(&p, &o).unwrap();
        let ctx: &PeCtx<'_> = pc.pe.as_ref().unwrap();
        let w = gemm(m, k, n, bits);
        let r = search::search(ctx, &w, o.objective, o.search).unwrap();
        prop_assert!(check(ctx, &w, &r.mapping).is_ok(), "{}", r.mapping);
        prop_assert!(check_coverage(&w, &r.mapping).is_ok(), "{}", r.mapping);
        let l2 = level2::run(ctx, &w, &r.mapping).unwrap();
        prop_assert!(l2.time >= l2.roofline, "{:?} < {:?} for {}", l2.time, l2.roofline, r.mapping);
    }
}
