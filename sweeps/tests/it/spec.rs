//! Spec parsing: errors located at the key with suggestions; canonical form and hash;
//! point resolution.

use toml::Value;

use crate::common::{GRID, spec, spec_err};
use sweeps::spec::raw::DEFAULT_SEED;
use sweeps::{Spec, point_seed};

const MINIMAL: &str = "metrics = [\"latency_s\"]\n[base]\narch = \"toy\"\n";

#[test]
fn unknown_top_level_key_is_located_and_suggested() {
    let e = spec_err("seed = 1\nmetric = [\"latency_s\"]\n[base]\narch = \"toy\"\n");
    assert!(
        e.starts_with("test.toml:2:1: metric: unknown field `metric`"),
        "{e}"
    );
    assert!(e.ends_with("(did you mean `metrics`?)"), "{e}");
}

#[test]
fn unknown_axis_field_names_the_axis() {
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.rows\"\nvalues = [1]\n[[axis]]\nkey = \"arch.cols\"\nvalue = [2]\n"
    );
    let e = spec_err(&text);
    // Line 9 is `value = [2]` in the second `[[axis]]`.
    assert!(
        e.starts_with("test.toml:9:1: axis[1].value: unknown field `value`"),
        "{e}"
    );
    assert!(e.contains("did you mean `values`"), "{e}");
}

#[test]
fn unknown_variant_is_suggested() {
    let text = format!("{MINIMAL}[[objective]]\nmetric = \"latency_s\"\nsense = \"minimise\"\n");
    let e = spec_err(&text);
    assert!(e.contains("objective[0].sense"), "{e}");
    assert!(e.contains("did you mean `minimize`"), "{e}");
}

#[test]
fn axis_key_prefix_is_checked() {
    let text = format!("{MINIMAL}[[axis]]\nkey = \"arhc.pe_array.rows\"\nvalues = [1]\n");
    let e = spec_err(&text);
    assert!(
        e.starts_with("test.toml:5:7: axis[0].key: axis key `arhc.pe_array.rows` must be"),
        "{e}"
    );
    assert!(e.contains("did you mean `arch.pe_array.rows`"), "{e}");
    let text = format!("{MINIMAL}[[axis]]\nkey = \"workload\"\nvalues = [1]\n");
    assert!(spec_err(&text).contains("`workload` alone cannot be an axis"));
    let text = format!("{MINIMAL}[[axis]]\nkey = \"arch\"\nvalues = [1]\n");
    assert!(spec_err(&text).contains("preset names or file paths"));
}

#[test]
fn range_errors_point_at_the_range_key() {
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\nlinear = {{ start = 1, stop = 8, step = 0 }}\n"
    );
    let e = spec_err(&text);
    // The value of `step` is at column 40 of line 6 (`linear = { start = 1, stop = 8, step = `
    // is 39 characters).
    assert!(
        e.starts_with("test.toml:6:40: axis[0].linear.step: the step must be non-zero"),
        "{e}"
    );
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\nlinear = {{ start = 8, stop = 1, step = 1 }}\n"
    );
    assert!(spec_err(&text).contains("towards `stop`"));
    let text = format!("{MINIMAL}[[axis]]\nkey = \"arch.a\"\nlinear = {{ start = 1, stop = 8 }}\n");
    assert!(spec_err(&text).contains("a grid range needs `step` or `count`"));
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\nlinear = {{ start = 1, stop = 8, factor = 2 }}\n"
    );
    assert!(spec_err(&text).contains("unknown field `factor`, expected one of"));
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\ngeometric = {{ start = 0, stop = 8, factor = 2 }}\n"
    );
    assert!(spec_err(&text).contains("> 0"));
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\nvalues = [1]\nlinear = {{ start = 1, stop = 8, step = 1 }}\n"
    );
    assert!(spec_err(&text).contains("exactly one of"));
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\ngeometric = {{ start = 1, stop = 3, count = 5 }}\n"
    );
    assert!(spec_err(&text).contains("repeated values"));
}

#[test]
fn axes_must_not_clash() {
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"arch.a\"\nvalues = [1]\n[[zip]]\naxis = [{{ key = \"arch.a\", values = [2] }}]\n"
    );
    let e = spec_err(&text);
    assert!(
        e.contains("zip[0].axis[0].key: axis `arch.a` clashes with axis `arch.a` at `axis[0].key`"),
        "{e}"
    );
    let text = format!(
        "{MINIMAL}[[axis]]\nkey = \"workload.a\"\nvalues = [1]\n[[axis]]\nkey = \"workload.a.b\"\nvalues = [2]\n"
    );
    assert!(spec_err(&text).contains("clashes"));
}

#[test]
fn zip_lengths_must_agree() {
    let text = format!(
        "{MINIMAL}[[zip]]\naxis = [{{ key = \"workload.bits\", values = [3, 4, 8] }}, {{ key = \"workload.group\", values = [64, 128] }}]\n"
    );
    let e = spec_err(&text);
    assert!(
        e.contains("`workload.bits` has 3, `workload.group` has 2"),
        "{e}"
    );
}

#[test]
fn constraint_errors() {
    let with = |c: &str| {
        format!(
            "constraints = [\"{c}\"]\n{MINIMAL}[[axis]]\nkey = \"arch.rows\"\nvalues = [1, 2]\n"
        )
    };
    let e = spec_err(&with("arch.rows ** 2 <= 4"));
    assert!(
        e.starts_with("test.toml:1:16: constraints[0]: unknown operator `**`"),
        "{e}"
    );
    assert!(
        e.contains("at column 11 of\n    arch.rows ** 2 <= 4\n              ^"),
        "{e}"
    );
    let e = spec_err(&with("arch.row * 2 <= 4"));
    assert!(
        e.contains("unknown name `arch.row`") && e.contains("did you mean `arch.rows`"),
        "{e}"
    );
    let e = spec_err(&with("arch.pe_array.cols <= 4"));
    assert!(e.contains("add the key to `[base.arch_set]`"), "{e}");
    let e = spec_err(&with("arch.rows * 2"));
    assert!(e.contains("expected a condition"), "{e}");
    let e = spec_err(&with("latency_s < 1"));
    assert!(e.contains("metric_constraints"), "{e}");
}

#[test]
fn constraints_see_base_values() {
    let s = spec(
        "metrics = [\"x\"]\nconstraints = [\"workload.batch * workload.context <= 1e6 && arch.pe.rows == 4\"]\n\
         [base]\narch = \"toy\"\n[base.arch_set]\n\"pe.rows\" = 4\n[base.workload]\nbatch = 8\n\
         [[axis]]\nkey = \"workload.context\"\nvalues = [1000, 200000]\n",
    );
    assert_eq!(s.n_points(), 2);
    let e = spec_err(
        "metrics = [\"x\"]\nconstraints = [\"workload.model > 1\"]\n[base]\narch = \"toy\"\n[base.workload]\nmodel = \"llama\"\n",
    );
    assert!(
        e.contains("`workload.model` is not a number (string)"),
        "{e}"
    );
}

#[test]
fn objectives_and_plots_name_real_columns() {
    let e = spec_err(&format!(
        "{MINIMAL}[[objective]]\nmetric = \"latency\"\nsense = \"minimize\"\n"
    ));
    assert!(e.contains("objective[0].metric: objective `latency` is not in `metrics` (did you mean `latency_s`?)"), "{e}");
    let e = spec_err(&format!(
        "{MINIMAL}[[plot]]\nx = \"latency_s\"\ny = \"statsu\"\nfile = \"a.png\"\n"
    ));
    assert!(
        e.contains("plot[0].y: `statsu` is not a result column (did you mean `status`?)"),
        "{e}"
    );
    let e = spec_err(&format!(
        "{MINIMAL}[[plot]]\nx = \"latency_s\"\ny = \"latency_s\"\nfile = \"a.pdf\"\n"
    ));
    assert!(e.contains("`.png` or `.svg`"), "{e}");
    let e = spec_err(&format!(
        "{MINIMAL}[[plot]]\nx = \"latency_s\"\ny = \"latency_s\"\npareto = true\nfile = \"a.svg\"\n"
    ));
    assert!(
        e.contains("needs an `[[objective]]` for `latency_s`"),
        "{e}"
    );
    let e = spec_err("metrics = [\"latency s\"]\n[base]\narch = \"toy\"\n");
    assert!(e.contains("metrics[0]"), "{e}");
}

#[test]
fn workload_overrides_are_checked_at_parse_time() {
    let e = spec_err(
        "metrics = [\"x\"]\n[base]\narch = \"toy\"\n[base.workload]\nbatch = 4\n[[axis]]\nkey = \"workload.batch.x\"\nvalues = [1]\n",
    );
    assert!(e.contains("`batch` is a value, not a table"), "{e}");
}

#[test]
fn canonical_form_and_hash() {
    let s = spec(GRID);
    let again = Spec::parse(s.to_toml(), "spec.toml").unwrap();
    assert_eq!(again.to_toml(), s.to_toml());
    assert_eq!(again.hash(), s.hash());
    // Comments and layout do not change the hash; a value does.
    let commented = GRID.replace("seed = 11", "# a comment\nseed    =   11 # the seed");
    assert_eq!(spec(&commented).hash(), s.hash());
    assert_ne!(spec(&GRID.replace("[4, 8]", "[4, 16]")).hash(), s.hash());
    // Objectives, plots and the name do not decide rows: they may change.
    let fewer_objectives = GRID.replace(
        "[[objective]]\nmetric = \"latency_s\"\nsense = \"minimize\"\n",
        "",
    );
    assert_ne!(fewer_objectives, GRID);
    assert_eq!(spec(&fewer_objectives).hash(), s.hash());
    // The default seed is written out.
    let d = spec(MINIMAL);
    assert_eq!(d.seed(), DEFAULT_SEED);
    assert!(d.to_toml().contains(&format!("seed = {DEFAULT_SEED}")));
    assert_eq!(d.n_points(), 1);
}

#[test]
fn points_are_resolved_from_base_and_axes() {
    let s = spec(
        "metrics = [\"x\"]\nseed = 5\n[base]\narch = \"base-preset\"\n[base.arch_set]\n\"pe.rows\" = 4\n\
         [base.arch_set.dram]\nchannels = 8\n[base.workload]\nmodel = \"m\"\n\
         [[axis]]\nkey = \"arch\"\nvalues = [\"a\", \"b.toml\"]\n\
         [[axis]]\nkey = \"arch.dram.channels\"\nvalues = [16]\n\
         [[axis]]\nkey = \"workload.transforms.keep_ratio\"\nvalues = [0.5, 0.25]\n",
    );
    assert_eq!(
        s.axis_columns(),
        [
            "arch",
            "arch.dram.channels",
            "workload.transforms.keep_ratio"
        ]
    );
    let p = s.point(3).unwrap();
    // Point 3 = (arch index 1, channels index 0, ratio index 1): last axis fastest.
    assert_eq!(p.arch, "b.toml");
    assert_eq!(
        p.arch_overrides,
        [
            ("pe.rows".to_string(), Value::Integer(4)),
            ("dram.channels".to_string(), Value::Integer(16))
        ]
    );
    assert_eq!(
        p.workload["transforms"]["keep_ratio"].as_float(),
        Some(0.25)
    );
    assert_eq!(p.workload["model"].as_str(), Some("m"));
    assert_eq!(p.seed, point_seed(5, 3));
    assert_ne!(s.point(2).unwrap().seed, p.seed);
    let mut arch_table: toml::Table =
        toml::from_str("[pe]\nrows = 1\n[dram]\nchannels = 2\n").unwrap();
    p.apply_arch_overrides(&mut arch_table).unwrap();
    assert_eq!(arch_table["dram"]["channels"].as_integer(), Some(16));
    let mut wrong: toml::Table = toml::from_str("[pe]\nrows = 1\n[dram]\nchanels = 2\n").unwrap();
    let e = p.apply_arch_overrides(&mut wrong).unwrap_err().to_string();
    assert!(e.contains("did you mean `dram.chanels`"), "{e}");
}

#[test]
fn example_specs_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let s = Spec::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(s.n_points() >= 1, "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 4, "expected the example specs in {}", dir.display());
}
