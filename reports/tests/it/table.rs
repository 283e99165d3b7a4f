//! Loading CSV into typed columns and looking columns up.

use reports::{Column, ReportError, Table};

use crate::common::table;

#[test]
fn columns_are_typed_and_empty_cells_are_none() {
    let t = table("platform,batch,tokens_per_s,note\ngpu,1,41.5,\nasic, 8 ,,fast\n");
    assert_eq!(t.n_rows(), 2);
    assert_eq!(
        t.column_names(),
        ["platform", "batch", "tokens_per_s", "note"]
    );
    assert_eq!(t.numeric("batch").unwrap(), &[Some(1.0), Some(8.0)]);
    assert_eq!(t.numeric("tokens_per_s").unwrap(), &[Some(41.5), None]);
    assert_eq!(
        t.column("platform").unwrap(),
        &Column::Text(vec![Some("gpu".into()), Some("asic".into())])
    );
    assert_eq!(
        t.column("note").unwrap(),
        &Column::Text(vec![None, Some("fast".into())])
    );
}

#[test]
fn wrong_column_name_suggests_the_closest() {
    let t = table("latency_s,energy_j,tokens_per_s\n1,2,3\n");
    let err = t.numeric("energy_pj").unwrap_err();
    match &err {
        ReportError::UnknownColumn {
            name,
            suggestion,
            available,
        } => {
            assert_eq!(name, "energy_pj");
            assert_eq!(suggestion.as_deref(), Some("energy_j"));
            assert_eq!(available.len(), 3);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "unknown column `energy_pj` (did you mean `energy_j`?); columns are: latency_s, energy_j, tokens_per_s"
    );
    // Nothing close: no suggestion.
    let err = t.column("frequency").unwrap_err().to_string();
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn text_column_is_not_numeric_and_the_row_is_named() {
    let t = table("batch\n1\n2\nmany\n");
    let err = t.numeric("batch").unwrap_err();
    assert!(
        matches!(err, ReportError::NotNumeric { row: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "column `batch` is not numeric: row 3 holds `many`"
    );
}

#[test]
fn ragged_csv_is_an_error_naming_the_source() {
    let err = Table::from_csv_reader("a,b\n1,2\n3\n".as_bytes(), "results.csv").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot parse CSV `results.csv`"),
        "{err}"
    );
}

#[test]
fn from_columns_checks_lengths_and_names() {
    let err = Table::from_columns(vec![
        ("a".into(), Column::Numeric(vec![Some(1.0)])),
        ("b".into(), Column::Numeric(vec![])),
    ])
    .unwrap_err();
    assert!(matches!(
        err,
        ReportError::LengthMismatch {
            expected: 1,
            found: 0,
            ..
        }
    ));
    let err = Table::from_columns(vec![
        ("a".into(), Column::Numeric(vec![])),
        ("a".into(), Column::Numeric(vec![])),
    ])
    .unwrap_err();
    assert!(matches!(err, ReportError::DuplicateColumn { .. }));
}

#[test]
fn missing_file_names_the_path() {
    let err = Table::from_csv_path("no/such/results.csv".as_ref()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read `no/such/results.csv`"),
        "{err}"
    );
}
