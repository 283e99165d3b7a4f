//! Markdown and terminal tables. The golden file was written by hand from the rules:
//! numbers right-aligned with 4 significant digits, text left-aligned, `|` escaped.

use reports::{Align, Cell, ReportError, TextTable};

use crate::common::table;

const CSV: &str = "platform,batch,tokens_per_j,note\n\
                   CPU | x86,1,0.9,\n\
                   GPU (A100),8,21.04567,fast\n\
                   ASIC,8,1234567.0,\n";

#[test]
fn markdown_matches_the_golden_file() {
    let t = TextTable::from_table(&table(CSV), &[]).unwrap();
    assert_eq!(
        t.alignments(),
        [Align::Left, Align::Right, Align::Right, Align::Left]
    );
    assert_eq!(t.to_markdown(), include_str!("golden/table.md"));
}

#[test]
fn terminal_table_is_column_aligned() {
    let t = TextTable::from_table(&table(CSV), &[]).unwrap();
    let expected = [
        "platform    batch  tokens_per_j  note",
        "----------  -----  ------------  ----",
        "CPU | x86       1           0.9",
        "GPU (A100)      8         21.05  fast",
        "ASIC            8       1234567",
    ];
    assert_eq!(t.to_terminal(), expected.join("\n") + "\n");
}

#[test]
fn selected_columns_and_digits() {
    let mut t = TextTable::from_table(&table(CSV), &["tokens_per_j", "platform"]).unwrap();
    t.significant = 2;
    let md = t.to_markdown();
    // 21.04567 at 2 significant digits is 21; 0.9 stays 0.9.
    assert!(md.contains("|           21 | GPU (A100) |"), "{md}");
    assert!(md.starts_with("| tokens_per_j | platform   |"), "{md}");
}

#[test]
fn rows_must_match_headers() {
    let mut t = TextTable::new(vec!["a".into(), "b".into()]);
    let err = t.push_row(vec![Cell::Number(1.0)]).unwrap_err();
    assert!(matches!(
        err,
        ReportError::LengthMismatch {
            expected: 2,
            found: 1,
            ..
        }
    ));
}
