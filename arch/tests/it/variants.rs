//! Platform variants: `extends = "<preset>"` files, and MARCA's reused nonlinear functions
//! switched off (`nonlinear_on_pes = false`: exp and SiLU on a `[nonlinear]` unit beside
//! the PEs). Expected cycles are derived by hand in the comments.

use arch::kernel::{Fidelity, VectorChain, run_vector_chain};
use arch::nonlinear::ElementwiseOp as Op;
use arch::work::{DType, EwOp, Unit, Work};
use arch::{ArchError, Platform};

#[test]
fn a_file_extends_a_preset_and_states_only_its_changes() {
    let text = "extends = \"marca\"\nname = \"v\"\n\n[pe_array.reduction_tree]\nbypass = false\n\n\
                [nonlinear]\nlanes = 64\n";
    let p = Platform::from_toml_str(text, "v.toml", &[]).unwrap();
    let base = Platform::load("marca", &[]).unwrap();
    assert_eq!(p.name, "v");
    let (pe, b) = (
        p.pe_array.as_ref().unwrap(),
        base.pe_array.as_ref().unwrap(),
    );
    // Inherited: the array, its tree's fan-in and linear mode, the buffer, the clock.
    assert_eq!((pe.rows, pe.cols), (b.rows, b.cols));
    let t = pe.reduction_tree.as_ref().unwrap();
    assert!(t.linear && !t.bypass);
    assert_eq!(t.fan_in, 64);
    assert_eq!(
        p.global_buffer.as_ref().unwrap().size_bytes,
        base.global_buffer.as_ref().unwrap().size_bytes
    );
    assert_eq!(p.clock_mhz, base.clock_mhz);
    assert_eq!(p.nonlinear.as_ref().unwrap().lanes, 64);
    assert!(base.nonlinear.is_none());
    // Overrides still apply on top.
    let p = Platform::from_toml_str(
        text,
        "v.toml",
        &[("pe_array.rows".into(), toml::Value::Integer(32))],
    )
    .unwrap();
    assert_eq!(p.pe_array.unwrap().rows, 32);
}

#[test]
fn bad_extends_names_the_closest_preset_and_keys_are_still_checked() {
    let e = Platform::from_toml_str("extends = \"marka\"\nname = \"v\"\n", "v.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean `marca`"), "{e}");
    let e = Platform::from_toml_str("extends = 3\nname = \"v\"\n", "v.toml", &[]).unwrap_err();
    assert!(
        matches!(&e, ArchError::Invalid { key, .. } if key == "extends"),
        "{e}"
    );
    // A misspelt key of the file is located in the file (line 3) with a suggestion.
    let e = Platform::from_toml_str("extends = \"marca\"\n[pe_array]\nrowz = 3\n", "v.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("did you mean `rows`") && e.contains("line 3"),
        "{e}"
    );
}

/// A 4×4 fp16 array (16 PEs) with a bypassable tree of fan-in 4, and optionally a
/// nonlinear unit of 2 lanes with a 3-cycle pipeline.
fn small(nonlinear_on_pes: bool, with_unit: bool) -> Platform {
    let mut text = format!(
        "name = \"s\"\nclock_mhz = 1000\ntech_nm = 28\n[global_buffer]\nsize_kib = 256\n\
         n_banks = 4\nword_bits = 256\n[pe_array]\nrows = 4\ncols = 4\ndataflow = \"ws\"\n\
         operand_bits = 16\narithmetic = \"fp\"\n[pe_array.reduction_tree]\nfan_in = 4\n\
         linear = true\nbypass = true\nnonlinear_on_pes = {nonlinear_on_pes}\n"
    );
    if with_unit {
        text.push_str("[nonlinear]\nlanes = 2\ndata_bits = 16\nlatency_cycles = 3\n");
    }
    Platform::from_toml_str(&text, "s.toml", &[]).unwrap()
}

fn chain(ops: &[Op], rows: u64, row_len: u64, dependent: bool) -> VectorChain<'_> {
    let n = rows * row_len;
    VectorChain {
        kernel: "test chain".into(),
        ops,
        rows,
        row_len,
        dependent_rows: dependent,
        inputs: 1,
        bytes_in: 2 * n,
        bytes_out: 2 * n,
    }
}

#[test]
fn exp_streams_through_the_nonlinear_unit_beside_the_pes() {
    let ops = [Op::Mul, Op::Exp, Op::Add];
    // PEs build exp (degree-2 polynomial: 3 mul, 4 add → 4 passes): mul 1 + exp 4 + add 1
    // = 6 passes over ⌈32/16⌉ = 2 lane groups, + 1 bypass stage = 13 cycles.
    let on = run_vector_chain(
        &small(true, false),
        None,
        &chain(&ops, 1, 32, false),
        Fidelity::TileEvents,
    )
    .unwrap();
    assert_eq!(on.compute_cycles, 13);
    // Exp on the 2-lane unit: PEs 2 passes × 2 = 4 cycles, the unit ⌈32/2⌉ = 16 cycles,
    // side by side → 16, + its 3-cycle latency = 19.
    let p = small(false, true);
    let off = run_vector_chain(&p, None, &chain(&ops, 1, 32, false), Fidelity::TileEvents).unwrap();
    assert_eq!(off.compute_cycles, 19);
    assert!(off.unit.contains("nonlinear"), "{}", off.unit);
    let count = |unit: &str, action: &str| {
        off.energy
            .iter()
            .find(|l| l.unit == unit && l.action == action)
            .map_or(0, |l| l.count)
    };
    // 32 exps on the unit; the PEs do 32 multiplies and 32 adds (no exp pieces).
    assert_eq!(
        (
            count("nonlinear", "exp"),
            count("pe_array", "mul"),
            count("pe_array", "add")
        ),
        (32, 32, 32)
    );
    // Dependent rows (a recurrence): 4 rows of 8, per row max(2·⌈8/16⌉, ⌈8/2⌉) = 4,
    // 4 × 4 + 3 = 19.
    let dep = run_vector_chain(&p, None, &chain(&ops, 4, 8, true), Fidelity::TileEvents).unwrap();
    assert_eq!(dep.compute_cycles, 19);
    // Without the unit the PEs cannot run the chain, and say why.
    let e = run_vector_chain(
        &small(false, false),
        None,
        &chain(&ops, 1, 32, false),
        Fidelity::TileEvents,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("nonlinear_on_pes"), "{e}");
}

#[test]
fn dispatch_puts_arithmetic_on_the_pes_and_exp_on_the_unit() {
    let ew = |op| Work::Elementwise {
        elements: 1024,
        op,
        n_inputs: 1,
        dtype: DType::Fp16,
    };
    let scan = Work::Scan {
        batch: 1,
        seq_len: 16,
        d_inner: 64,
        d_state: 16,
        dtype: DType::Fp16,
    };
    let softmax = Work::Softmax {
        rows: 4,
        len: 64,
        dtype: DType::Fp16,
        integer: false,
    };
    // A bypassable array is the vector engine: it comes before the unit.
    let both = small(true, true);
    assert_eq!(
        both.candidate_units(&ew(EwOp::Mul)),
        [Unit::PeArray, Unit::Nonlinear]
    );
    assert_eq!(
        both.candidate_units(&ew(EwOp::Exp)),
        [Unit::PeArray, Unit::Nonlinear]
    );
    // PEs without exp/SiLU: those go to the unit; multiplies and the scan stay on the PEs.
    let split = small(false, true);
    assert_eq!(split.candidate_units(&ew(EwOp::Exp)), [Unit::Nonlinear]);
    assert_eq!(split.candidate_units(&ew(EwOp::Silu)), [Unit::Nonlinear]);
    assert_eq!(split.candidate_units(&softmax), [Unit::Nonlinear]);
    assert_eq!(
        split.candidate_units(&ew(EwOp::Mul)),
        [Unit::PeArray, Unit::Nonlinear]
    );
    assert_eq!(split.candidate_units(&scan)[0], Unit::PeArray);
    // Neither exp on the PEs nor a unit: the scan and exp have nowhere to run.
    let none = small(false, false);
    let e = none.preferred_unit(&scan).unwrap_err().to_string();
    assert!(e.contains("nonlinear_on_pes"), "{e}");
    assert!(none.preferred_unit(&ew(EwOp::Exp)).is_err());
    assert_eq!(none.preferred_unit(&ew(EwOp::Add)).unwrap(), Unit::PeArray);
}
