//! One point from spec to result row: constraints, evaluation (panics caught), metric
//! picking, metric constraints.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use arch::suggest::closest;

use super::Evaluator;
use crate::format::{fmt_f64, fmt_value, one_line};
use crate::results::{Row, Status, csv_line};
use crate::spec::{Spec, Verdict};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Evaluates point `id` and formats its row. Never fails: every problem becomes the row's
/// `error` status and reason.
pub(crate) fn evaluate_row<E: Evaluator + ?Sized>(spec: &Spec, evaluator: &E, id: u64) -> Row {
    let values = spec.axis_values(id);
    let n_metrics = spec.metrics().len();
    let mut cells: Vec<String> = Vec::with_capacity(3 + values.len() + n_metrics);
    cells.push(id.to_string());
    cells.push(String::new());
    cells.push(String::new());
    cells.extend(values.iter().map(|v| fmt_value(v)));
    let (status, reason, metrics) = outcome(spec, evaluator, id, &values);
    cells[1] = status.as_str().to_string();
    cells[2] = one_line(&reason);
    match metrics {
        Some(m) => cells.extend(m.iter().map(|x| fmt_f64(*x))),
        None => cells.extend(std::iter::repeat_n(String::new(), n_metrics)),
    }
    Row {
        id,
        status,
        line: csv_line(&cells),
    }
}

type Outcome = (Status, String, Option<Vec<f64>>);

fn outcome<E: Evaluator + ?Sized>(
    spec: &Spec,
    evaluator: &E,
    id: u64,
    values: &[&toml::Value],
) -> Outcome {
    match spec.check_point(values) {
        Err(m) => return (Status::Error, m, None),
        Ok(Verdict::Fail(text)) => return (Status::Skipped, format!("violates {text}"), None),
        Ok(Verdict::Pass) => {}
    }
    let point = match spec.point(id) {
        Ok(p) => p,
        Err(m) => return (Status::Error, m, None),
    };
    let result = catch_unwind(AssertUnwindSafe(|| evaluator.evaluate(&point)));
    let map = match result {
        Err(payload) => {
            return (
                Status::Error,
                format!("evaluator panicked: {}", panic_message(payload.as_ref())),
                None,
            );
        }
        Ok(Err(m)) => return (Status::Error, m, None),
        Ok(Ok(map)) => map,
    };
    let metrics = match pick(spec.metrics(), &map) {
        Ok(m) => m,
        Err(m) => return (Status::Error, m, None),
    };
    match spec.check_metrics(values, &metrics) {
        Err(m) => (Status::Error, m, Some(metrics)),
        Ok(Verdict::Fail(text)) => (
            Status::Infeasible,
            format!("violates {text}"),
            Some(metrics),
        ),
        Ok(Verdict::Pass) => (Status::Ok, String::new(), Some(metrics)),
    }
}

/// The spec's metrics from the evaluator's map, in spec order.
fn pick(names: &[String], map: &BTreeMap<String, f64>) -> Result<Vec<f64>, String> {
    names
        .iter()
        .map(|n| {
            map.get(n).copied().ok_or_else(|| {
                let given: Vec<&str> = map.keys().map(String::as_str).collect();
                let hint = closest(n, given.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "the evaluator gave no metric `{n}`{hint}; it gave: {}",
                    given.join(", ")
                )
            })
        })
        .collect()
}
