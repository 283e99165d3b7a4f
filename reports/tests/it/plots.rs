//! Every plot kind as PNG and SVG of the requested size, byte-identical across runs, and
//! the errors a user can cause.

use std::path::Path;

use reports::{
    Breakdown, ColorScale, ComputeCeiling, Direction, GroupedBarsConfig, MemoryCeiling,
    OperatorPoint, Output, ParetoFront, PointLabels, ReferenceLine, ReportError, Roofline,
    RooflineConfig, ScatterConfig, StackedBarsConfig, Table, grouped_bars, roofline, scatter,
    stacked_bars,
};

use crate::common::{png_size, scratch, svg_size, table};

const SWEEP: &str = "rows,latency_s,energy_j,dataflow\n\
                     8,0.040,0.10,ws\n16,0.020,0.12,os\n32,0.010,0.15,ws\n\
                     64,0.006,0.22,os\n128,0.005,0.40,ws\n64,0.030,0.30,os\n";

const PLATFORMS: &str = "platform,batch,tokens_per_j\n\
                         CPU,1,0.9\nCPU,8,5.1\nGPU,1,3.2\nGPU,8,21\n\
                         ASIC with a long name,1,48\nASIC with a long name,8,160\n";

const ENERGY: &str = "run,unit,energy_j\n\
                      b1,PE array,0.02\nb1,HBM,0.31\nb1,HBM,0.01\nb8,PE array,0.16\nb8,buffer,0.12\n";

fn sweep_front() -> ParetoFront {
    // Minimising both: rows 1–5 trade latency for energy; row 6 is dominated by row 3.
    ParetoFront {
        on_front: vec![true, true, true, true, true, false],
        x: Direction::Minimize,
        y: Direction::Minimize,
    }
}

fn roofline_data() -> Roofline {
    Roofline {
        compute: vec![
            ComputeCeiling {
                label: "FP16".into(),
                flop_per_s: 312e12,
            },
            ComputeCeiling {
                label: "FP32".into(),
                flop_per_s: 19.5e12,
            },
        ],
        memory: vec![MemoryCeiling {
            label: "HBM".into(),
            bytes_per_s: 1.555e12,
        }],
        points: vec![
            OperatorPoint {
                label: "gemv".into(),
                intensity_flop_per_byte: 1.0,
                attained_flop_per_s: 1.2e12,
            },
            OperatorPoint {
                label: "gemm".into(),
                intensity_flop_per_byte: 400.0,
                attained_flop_per_s: 250e12,
            },
        ],
    }
}

/// Draws every plot kind into `dir`, as `<kind>.<ext>` at `w`×`h`.
fn draw_all(dir: &Path, ext: &str, w: u32, h: u32) {
    let out = |kind: &str| Output::new(dir.join(format!("{kind}.{ext}"))).with_size(w, h);
    let sweep = table(SWEEP);
    let config = ScatterConfig {
        color: Some("dataflow".into()),
        pareto: Some(sweep_front()),
        log_x: true,
        log_y: true,
        title: "latency vs energy".into(),
        ..ScatterConfig::new("latency_s", "energy_j")
    };
    scatter(&sweep, &config, &out("scatter")).unwrap();
    let ramp = ScatterConfig {
        color: Some("rows".into()),
        color_scale: ColorScale::Continuous,
        ..ScatterConfig::new("latency_s", "energy_j")
    };
    scatter(&sweep, &ramp, &out("scatter_ramp")).unwrap();
    let bars = GroupedBarsConfig {
        log_y: true,
        ..GroupedBarsConfig::new("platform", "batch", "tokens_per_j")
    };
    grouped_bars(&table(PLATFORMS), &bars, &out("bars")).unwrap();
    let breakdown = Breakdown::from_long_table(&table(ENERGY), "run", "unit", "energy_j").unwrap();
    stacked_bars(&breakdown, &StackedBarsConfig::default(), &out("stacked")).unwrap();
    roofline(
        &roofline_data(),
        &RooflineConfig::default(),
        &out("roofline"),
    )
    .unwrap();
    let legend = RooflineConfig {
        point_labels: PointLabels::Legend,
        ..Default::default()
    };
    roofline(&roofline_data(), &legend, &out("roofline_legend")).unwrap();
}

const KINDS: [&str; 6] = [
    "scatter",
    "scatter_ramp",
    "bars",
    "stacked",
    "roofline",
    "roofline_legend",
];

#[test]
fn every_plot_is_a_png_of_the_requested_size() {
    let dir = scratch("png");
    draw_all(&dir, "png", 640, 480);
    for kind in KINDS {
        let bytes = std::fs::read(dir.join(format!("{kind}.png"))).unwrap();
        assert_eq!(png_size(&bytes), (640, 480), "{kind}");
    }
}

#[test]
fn every_plot_is_an_svg_of_the_requested_size() {
    let dir = scratch("svg");
    draw_all(&dir, "svg", 1000, 700);
    for kind in KINDS {
        let text = std::fs::read_to_string(dir.join(format!("{kind}.svg"))).unwrap();
        assert_eq!(svg_size(&text), (1000, 700), "{kind}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for ext in ["png", "svg"] {
        let (a, b) = (
            scratch(&format!("same-{ext}-a")),
            scratch(&format!("same-{ext}-b")),
        );
        draw_all(&a, ext, 500, 400);
        draw_all(&b, ext, 500, 400);
        for kind in KINDS {
            let name = format!("{kind}.{ext}");
            let (x, y) = (
                std::fs::read(a.join(&name)).unwrap(),
                std::fs::read(b.join(&name)).unwrap(),
            );
            assert!(x == y, "{name} differs between runs");
        }
    }
}

#[test]
fn log_axis_rejects_non_positive_data_naming_column_and_row() {
    let t = table("latency_s,energy_j\n0.1,1\n0.2,0\n");
    let config = ScatterConfig {
        log_y: true,
        ..ScatterConfig::new("latency_s", "energy_j")
    };
    let dir = scratch("log-error");
    let err = scatter(&t, &config, &Output::new(dir.join("x.png"))).unwrap_err();
    assert!(
        matches!(&err, ReportError::NonPositiveOnLogAxis { column, row: 2, axis: "y", .. } if column == "energy_j"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "column `energy_j` row 2 is 0, but the y axis is logarithmic and can only show positive values"
    );
    assert!(!dir.join("x.png").exists(), "no file is written on error");
    // The same data draw on a linear axis.
    scatter(
        &t,
        &ScatterConfig::new("latency_s", "energy_j"),
        &Output::new(dir.join("x.png")),
    )
    .unwrap();

    let bars = GroupedBarsConfig {
        log_y: true,
        ..GroupedBarsConfig::new("g", "s", "v")
    };
    let err = grouped_bars(
        &table("g,s,v\na,1,3\nb,1,-1\n"),
        &bars,
        &Output::new(dir.join("b.png")),
    )
    .unwrap_err();
    assert!(
        matches!(err, ReportError::NonPositiveOnLogAxis { row: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn reference_line_is_drawn_across_the_plot_with_a_legend_entry() {
    // Predicted vs measured on log–log axes with y = x: x and y both span 1…1000, so the
    // diagonal crosses the whole plot; its legend entry names it.
    let t = table("measured_us,predicted_us\n1,2\n10,8\n1000,900\n");
    let config = ScatterConfig {
        log_x: true,
        log_y: true,
        reference_line: Some(ReferenceLine::identity()),
        ..ScatterConfig::new("measured_us", "predicted_us")
    };
    let dir = scratch("reference");
    scatter(&t, &config, &Output::new(dir.join("r.svg"))).unwrap();
    let svg = std::fs::read_to_string(dir.join("r.svg")).unwrap();
    assert!(svg.contains("y = x"), "legend entry missing");
    // The line is grey (#787878): one polyline of the reference colour.
    assert!(svg.contains("#787878"), "reference line missing");
    let plain = std::fs::read_to_string({
        scatter(
            &t,
            &ScatterConfig {
                reference_line: None,
                ..config.clone()
            },
            &Output::new(dir.join("p.svg")),
        )
        .unwrap();
        dir.join("p.svg")
    })
    .unwrap();
    assert!(!plain.contains("#787878"));
    let bad = ScatterConfig {
        reference_line: Some(ReferenceLine {
            slope: 0.0,
            label: "flat".into(),
        }),
        ..config
    };
    let err = scatter(&t, &bad, &Output::new(dir.join("bad.svg"))).unwrap_err();
    assert!(
        matches!(err, ReportError::InvalidValue { value, .. } if value == 0.0),
        "{err:?}"
    );
    assert!(!dir.join("bad.svg").exists());
}

#[test]
fn joined_series_draw_one_polyline_each() {
    // Two series (ws, os) of three points each: with `join`, one polyline per series in
    // its legend colour, through its points in x order; without it, none.
    let t = table(
        "frames,speedup,budget\n64,3.5,0.3\n32,3.2,0.3\n128,3.9,0.3\n32,1.4,0.7\n64,1.5,0.7\n128,1.6,0.7\n",
    );
    let config = ScatterConfig {
        color: Some("budget".into()),
        join: true,
        ..ScatterConfig::new("frames", "speedup")
    };
    let dir = scratch("joined");
    scatter(&t, &config, &Output::new(dir.join("j.svg"))).unwrap();
    let svg = std::fs::read_to_string(dir.join("j.svg")).unwrap();
    let lines = |svg: &str, color: &str| {
        svg.lines()
            .filter(|l| l.contains("<polyline") && l.contains(color))
            .count()
    };
    // Tableau blue (#4E79A7) for 0.3, orange (#F28E2B) for 0.7.
    assert_eq!(lines(&svg, "#4E79A7"), 1, "{svg}");
    assert_eq!(lines(&svg, "#F28E2B"), 1);
    scatter(
        &t,
        &ScatterConfig {
            join: false,
            ..config.clone()
        },
        &Output::new(dir.join("p.svg")),
    )
    .unwrap();
    let plain = std::fs::read_to_string(dir.join("p.svg")).unwrap();
    assert_eq!(lines(&plain, "#4E79A7") + lines(&plain, "#F28E2B"), 0);
    // A continuous colour scale has no series to join.
    let ramp = ScatterConfig {
        color_scale: ColorScale::Continuous,
        ..config
    };
    let err = scatter(&t, &ramp, &Output::new(dir.join("bad.svg"))).unwrap_err();
    assert!(matches!(err, ReportError::InvalidValue { .. }), "{err:?}");
}

#[test]
fn log_axes_span_many_decades() {
    // 18 decades on x and 12 on y.
    let t = table("x_s,y_j\n1e-6,1e-3\n1,1\n1e12,1e9\n3e4,2e2\n");
    let config = ScatterConfig {
        log_x: true,
        log_y: true,
        ..ScatterConfig::new("x_s", "y_j")
    };
    let dir = scratch("decades");
    scatter(&t, &config, &Output::new(dir.join("d.png"))).unwrap();
    assert_eq!(
        png_size(&std::fs::read(dir.join("d.png")).unwrap()),
        (1000, 700)
    );
}

#[test]
fn wrong_column_in_a_plot_suggests_the_closest() {
    let config = ScatterConfig::new("latency", "energy_j");
    let err = scatter(&table(SWEEP), &config, &Output::new("unused.png")).unwrap_err();
    assert!(
        err.to_string().contains("did you mean `latency_s`?"),
        "{err}"
    );
}

#[test]
fn pareto_flags_must_be_one_per_row() {
    let config = ScatterConfig {
        pareto: Some(ParetoFront {
            on_front: vec![true],
            ..sweep_front()
        }),
        ..ScatterConfig::new("latency_s", "energy_j")
    };
    let err = scatter(&table(SWEEP), &config, &Output::new("unused.png")).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::LengthMismatch {
                expected: 6,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rows_without_numbers_are_skipped_but_none_at_all_is_an_error() {
    let dir = scratch("skip");
    let t = table("a,b\n1,\n,2\n3,4\n");
    scatter(
        &t,
        &ScatterConfig::new("a", "b"),
        &Output::new(dir.join("ok.svg")),
    )
    .unwrap();
    let t = table("a,b\n1,\n,2\n");
    let err = scatter(
        &t,
        &ScatterConfig::new("a", "b"),
        &Output::new(dir.join("no.svg")),
    )
    .unwrap_err();
    assert!(matches!(err, ReportError::NoData { .. }), "{err:?}");
}

#[test]
fn duplicate_bars_are_an_error() {
    let t = table("platform,batch,v\ngpu,1,3\ngpu,1,4\n");
    let err = grouped_bars(
        &t,
        &GroupedBarsConfig::new("platform", "batch", "v"),
        &Output::new("unused.png"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rows 1 and 2 both give a value for group `gpu`, series `1`"
    );
}

#[test]
fn breakdown_from_long_table_sums_repeats_and_fills_gaps() {
    let b = Breakdown::from_long_table(&table(ENERGY), "run", "unit", "energy_j").unwrap();
    assert_eq!(b.categories, ["b1", "b8"]);
    assert_eq!(b.segments, ["PE array", "HBM", "buffer"]);
    // b1: PE 0.02, HBM 0.31 + 0.01, no buffer; b8: PE 0.16, no HBM, buffer 0.12.
    assert_eq!(b.values[1], [0.16, 0.0, 0.12]);
    assert!((b.values[0][1] - 0.32).abs() < 1e-12);
    assert_eq!(b.values[0][2], 0.0);
    assert!((b.totals()[1] - 0.28).abs() < 1e-12);
}

#[test]
fn breakdown_rejects_bad_shapes_and_negative_values() {
    let err = Breakdown::new(
        "e_j",
        vec!["a".into()],
        vec!["x".into(), "y".into()],
        vec![vec![1.0]],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let err =
        Breakdown::new("e_j", vec!["a".into()], vec!["x".into()], vec![vec![-1.0]]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "breakdown value of `a` / `x` must be finite and ≥ 0, got -1"
    );
}

#[test]
fn roofline_rejects_missing_ceilings_and_bad_points() {
    let mut data = roofline_data();
    data.points[1].intensity_flop_per_byte = 0.0;
    let err = roofline(
        &data,
        &RooflineConfig::default(),
        &Output::new("unused.png"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "roofline point `gemm` intensity_flop_per_byte must be positive and finite, got 0"
    );
    let data = Roofline {
        memory: vec![],
        ..roofline_data()
    };
    let err = roofline(
        &data,
        &RooflineConfig::default(),
        &Output::new("unused.png"),
    )
    .unwrap_err();
    assert!(matches!(err, ReportError::NoData { .. }), "{err:?}");
}

#[test]
fn output_format_and_size_are_checked() {
    let t: Table = table(SWEEP);
    let config = ScatterConfig::new("latency_s", "energy_j");
    let err = scatter(&t, &config, &Output::new("plot.jpg")).unwrap_err();
    assert!(
        matches!(err, ReportError::UnsupportedFormat { .. }),
        "{err:?}"
    );
    let err = scatter(&t, &config, &Output::new("plot.png").with_size(50, 50)).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::CanvasSize {
                width_px: 50,
                height_px: 50
            }
        ),
        "{err:?}"
    );
    let missing = scratch("missing").join("no-such-folder").join("p.svg");
    let err = scatter(&t, &config, &Output::new(&missing)).unwrap_err();
    assert!(err.to_string().contains("no-such-folder"), "{err}");
}

#[test]
fn colour_scales_check_their_column() {
    let dir = scratch("colour");
    let t = table("x,y,rows,name\n1,1,8,a\n2,2,0,b\n");
    let log = ScatterConfig {
        color: Some("rows".into()),
        color_scale: ColorScale::LogContinuous,
        ..ScatterConfig::new("x", "y")
    };
    let err = scatter(&t, &log, &Output::new(dir.join("a.png"))).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::NonPositiveOnLogAxis {
                row: 2,
                axis: "colour",
                ..
            }
        ),
        "{err:?}"
    );
    let ramp_on_text = ScatterConfig {
        color: Some("name".into()),
        color_scale: ColorScale::Continuous,
        ..ScatterConfig::new("x", "y")
    };
    let err = scatter(&t, &ramp_on_text, &Output::new(dir.join("b.png"))).unwrap_err();
    assert!(
        matches!(err, ReportError::NotNumeric { row: 1, .. }),
        "{err:?}"
    );
    // Categorical works for either kind of column.
    for column in ["rows", "name"] {
        let cat = ScatterConfig {
            color: Some(column.into()),
            color_scale: ColorScale::Categorical,
            ..ScatterConfig::new("x", "y")
        };
        scatter(&t, &cat, &Output::new(dir.join(format!("{column}.svg")))).unwrap();
    }
}
