//! Reading a reproduction's sweep results: the rows of a `results.csv`, split into the
//! `ok` ones and the failed ones (kept, with their reason), looked up by column values or
//! iterated with typed getters; and [`PlotTable`], the small tables the plots draw.
//!
//! A spec whose every point should run reads its results with [`Rows::all_ok`], so a
//! failed point is the reproduction's failure; a spec that may hold failing points (the
//! survey's presets that cannot run a model) reads them with [`Rows::new`] and reports
//! the failed rows ([`Rows::every`], [`Row::is_ok`]).

use anyhow::{Context as _, Result, anyhow};
use reports::{Column, Table};

/// The rows of a sweep's results table: the `ok` ones, and the others kept aside.
pub struct Rows {
    table: Table,
    ok: Vec<usize>,
    failed: Vec<usize>,
}

/// One row of a results table.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    index: usize,
    ok: bool,
}

impl Rows {
    /// The rows of `table` (a `results.csv`), split by their `status` into `ok` ones and
    /// the others.
    pub fn new(table: Table) -> Result<Rows> {
        let status = table.column("status")?;
        let (ok, failed) =
            (0..table.n_rows()).partition(|&i| status.category(i).as_deref() == Some("ok"));
        Ok(Rows { table, ok, failed })
    }

    /// The rows of `table`, every one of which must be `ok`: a reproduction whose spec
    /// defines only points that should run treats a failed point as its own failure.
    pub fn all_ok(table: Table) -> Result<Rows> {
        let rows = Rows::new(table)?;
        if let Some(first) = rows.failed().next() {
            return Err(anyhow!(
                "{} of the sweep's points did not run; the first, {}, is `{}`: {}",
                rows.failed.len(),
                first.text("point_id")?,
                first.text("status")?,
                first.text("reason")?
            ));
        }
        Ok(rows)
    }

    /// The `ok` rows, in point order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.ok.iter().map(|&index| self.row(index, true))
    }

    /// The rows that did not run (error, skipped), in point order.
    pub fn failed(&self) -> impl Iterator<Item = Row<'_>> {
        self.failed.iter().map(|&index| self.row(index, false))
    }

    /// Every row, `ok` or not, in point order.
    pub fn every(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.table.n_rows()).map(|index| self.row(index, self.ok.binary_search(&index).is_ok()))
    }

    /// The `ok` rows whose columns equal the given values (as [`Column::category`] writes
    /// them: text as is, numbers like `2048` or `2.5`), in point order.
    pub fn all(&self, want: &[(&str, &str)]) -> Vec<Row<'_>> {
        let cols: Vec<Option<&Column>> = want
            .iter()
            .map(|(name, _)| self.table.column(name).ok())
            .collect();
        self.iter()
            .filter(|r| {
                want.iter()
                    .zip(&cols)
                    .all(|((_, v), c)| c.and_then(|c| c.category(r.index)).as_deref() == Some(*v))
            })
            .collect()
    }

    /// The first `ok` row with these values; an error naming them when there is none.
    pub fn one(&self, want: &[(&str, &str)]) -> Result<Row<'_>> {
        self.all(want).first().copied().ok_or_else(|| {
            let what: Vec<String> = want.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            anyhow!("no successful result row with {}", what.join(", "))
        })
    }

    /// The number in `col` of the one `ok` row with these values.
    pub fn value(&self, want: &[(&str, &str)], col: &str) -> Result<f64> {
        self.one(want)?.num(col)
    }

    fn row(&self, index: usize, ok: bool) -> Row<'_> {
        Row {
            table: &self.table,
            index,
            ok,
        }
    }
}

impl Row<'_> {
    /// Whether the point ran (`status` is `ok`).
    pub fn is_ok(&self) -> bool {
        self.ok
    }

    /// The number in `column`, or `None` when the cell is empty (a failed row's metrics).
    pub fn opt_num(&self, column: &str) -> Result<Option<f64>> {
        match self.table.column(column)? {
            Column::Numeric(v) => Ok(v.get(self.index).copied().flatten()),
            Column::Text(v) => match v.get(self.index).cloned().flatten() {
                None => Ok(None),
                Some(cell) => cell
                    .parse::<f64>()
                    .map(Some)
                    .with_context(|| format!("column `{column}` row {}: `{cell}`", self.index + 1)),
            },
        }
    }

    /// The number in `column`; an error when the cell is empty or not a number.
    pub fn num(&self, column: &str) -> Result<f64> {
        self.opt_num(column)?
            .ok_or_else(|| anyhow!("column `{column}` is empty in row {}", self.index + 1))
    }

    /// The number in `column` as an integer (sizes, counts).
    pub fn int(&self, column: &str) -> Result<u64> {
        let x = self.num(column)?;
        if x >= 0.0 && x.fract() == 0.0 {
            Ok(x as u64)
        } else {
            Err(anyhow!("column `{column}`: {x} is not a count"))
        }
    }

    /// The cell of `column` as text (numbers as [`Column::category`] writes them; an empty
    /// cell as an empty string).
    pub fn text(&self, column: &str) -> Result<String> {
        Ok(self
            .table
            .column(column)?
            .category(self.index)
            .unwrap_or_default())
    }
}

/// A table of named columns for a plot, in the order they are added.
#[derive(Default)]
pub struct PlotTable {
    columns: Vec<(String, Column)>,
}

impl PlotTable {
    /// An empty table.
    pub fn new() -> PlotTable {
        PlotTable::default()
    }

    /// Adds a numeric column.
    pub fn num(mut self, name: &str, values: Vec<f64>) -> PlotTable {
        self.columns.push((
            name.to_string(),
            Column::Numeric(values.into_iter().map(Some).collect()),
        ));
        self
    }

    /// Adds a text column.
    pub fn text(mut self, name: &str, values: Vec<String>) -> PlotTable {
        self.columns.push((
            name.to_string(),
            Column::Text(values.into_iter().map(Some).collect()),
        ));
        self
    }

    /// Adds the three columns of grouped bars, one (group, series, value) per bar.
    pub fn bars(
        self,
        (group, series, value): (&str, &str, &str),
        bars: impl IntoIterator<Item = (String, String, f64)>,
    ) -> PlotTable {
        let (mut g, mut s, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for (a, b, x) in bars {
            g.push(a);
            s.push(b);
            v.push(x);
        }
        self.text(group, g).text(series, s).num(value, v)
    }

    /// The table (an error when two columns share a name or differ in length).
    pub fn build(self) -> Result<Table> {
        Table::from_columns(self.columns).context("building a plot table")
    }
}

/// The smallest and largest of `values` (NaN-free), or `None` when empty.
pub fn min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Three points as `silica sweep` writes them: two ran, the middle one failed (its
    /// metrics empty, its reason given).
    fn results() -> Table {
        let csv = "point_id,status,reason,arch,workload.batch,latency_s\n\
                   0,ok,,a100,1,0.5\n\
                   1,error,weights do not fit,rtx-3090,8,\n\
                   2,ok,,a100,8,2.25\n";
        Table::from_csv_reader(csv.as_bytes(), "results.csv").unwrap()
    }

    #[test]
    fn ok_rows_are_iterated_and_failed_ones_kept() {
        let rows = Rows::new(results()).unwrap();
        let ok: Vec<u64> = rows
            .iter()
            .map(|r| r.int("workload.batch").unwrap())
            .collect();
        assert_eq!(ok, [1, 8]);
        let failed: Vec<String> = rows.failed().map(|r| r.text("reason").unwrap()).collect();
        assert_eq!(failed, ["weights do not fit"]);
        let every: Vec<bool> = rows.every().map(|r| r.is_ok()).collect();
        assert_eq!(every, [true, false, true]);
        // The failed row's metric is empty: `None`, and an error for `num`.
        let bad = rows.failed().next().unwrap();
        assert_eq!(bad.opt_num("latency_s").unwrap(), None);
        assert!(bad.num("latency_s").is_err());
        assert_eq!(bad.text("latency_s").unwrap(), "");
    }

    #[test]
    fn all_ok_names_the_first_failed_point() {
        let e = Rows::all_ok(results()).err().unwrap().to_string();
        assert_eq!(
            e,
            "1 of the sweep's points did not run; the first, 1, is `error`: weights do not fit"
        );
    }

    #[test]
    fn lookup_by_column_values_sees_ok_rows_only() {
        let rows = Rows::new(results()).unwrap();
        // Numbers compare as written: batch 8 is `8`; the failed rtx-3090 row is not seen.
        assert_eq!(
            rows.value(&[("workload.batch", "8")], "latency_s").unwrap(),
            2.25
        );
        assert_eq!(rows.all(&[("arch", "a100")]).len(), 2);
        assert!(rows.all(&[("arch", "rtx-3090")]).is_empty());
        let e = rows.one(&[("arch", "rtx-3090")]).err().unwrap().to_string();
        assert_eq!(e, "no successful result row with arch = rtx-3090");
        // A fractional number is not a count.
        assert!(rows.iter().next().unwrap().int("latency_s").is_err());
    }

    #[test]
    fn plot_table_keeps_column_order_and_bars_split_into_three_columns() {
        let t = PlotTable::new()
            .num("x", vec![1.0, 2.0])
            .bars(
                ("group", "series", "value"),
                [("a".into(), "s".into(), 3.0), ("b".into(), "s".into(), 4.0)],
            )
            .build()
            .unwrap();
        assert_eq!(t.column_names(), ["x", "group", "series", "value"]);
        assert_eq!(t.numeric("value").unwrap(), [Some(3.0), Some(4.0)]);
        assert_eq!(t.column("group").unwrap().category(1).as_deref(), Some("b"));
        assert!(
            PlotTable::new()
                .num("x", vec![1.0])
                .num("x", vec![2.0])
                .build()
                .is_err()
        );
        assert_eq!(min_max([3.0, -1.0, 2.0]), Some((-1.0, 3.0)));
        assert_eq!(min_max([]), None);
    }
}
