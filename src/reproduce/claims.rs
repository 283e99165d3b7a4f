//! Claims: a paper's figure next to the simulated one, with the tolerance the
//! reproduction asserts, and their rendering as a terminal table and as Markdown.

use serde::Serialize;

/// How a claim is checked.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// `simulated / paper` must lie in `[lo, hi]` (e.g. ±30 %: `lo = 0.7`, `hi = 1.3`).
    Ratio {
        /// Lowest accepted ratio.
        lo: f64,
        /// Highest accepted ratio.
        hi: f64,
    },
    /// `simulated` must lie in `[lo, hi]` (a published range, e.g. 3.4–4.4×).
    Range {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// A qualitative statement (an ordering, a "faster than"): `simulated` is 1 when it
    /// holds and 0 when not.
    Holds,
    /// Reported for information; not asserted (the reason is in the claim's note).
    Report,
}

impl Check {
    /// The ±`frac` ratio band around the paper's figure (`0.3` → 0.7–1.3).
    pub fn within(frac: f64) -> Check {
        Check::Ratio {
            lo: 1.0 - frac,
            hi: 1.0 + frac,
        }
    }

    fn describe(&self) -> String {
        match self {
            Check::Ratio { lo, hi } => format!("ratio {lo:.2}–{hi:.2}"),
            Check::Range { lo, hi } => format!("in {} – {}", fmt(*lo), fmt(*hi)),
            Check::Holds => "holds".into(),
            Check::Report => "reported".into(),
        }
    }
}

/// One figure of a paper and its simulated counterpart.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    /// What is compared, in the paper's words ("speed-up vs A100, Mamba-2.8B prefill").
    pub what: String,
    /// The paper's figure, if it published one.
    pub paper: Option<f64>,
    /// How the paper states it ("up to 11.66×", "≈ 60 %").
    pub paper_text: String,
    /// The simulated figure (1/0 for [`Check::Holds`]).
    pub simulated: f64,
    /// Unit of both figures ("×", "%", "tokens/s", "W").
    pub unit: String,
    /// How it is checked.
    pub check: Check,
    /// Where the paper's figure comes from.
    pub source: String,
    /// Why the band is what it is, or what explains a gap.
    pub note: String,
}

impl Claim {
    /// `simulated / paper`, when the paper has a non-zero figure.
    pub fn ratio(&self) -> Option<f64> {
        self.paper
            .filter(|p| *p != 0.0 && p.is_finite())
            .map(|p| self.simulated / p)
    }

    /// Whether the check passes (reported claims always pass).
    pub fn passes(&self) -> bool {
        if !self.simulated.is_finite() {
            return matches!(self.check, Check::Report);
        }
        match self.check {
            Check::Ratio { lo, hi } => self.ratio().is_some_and(|r| (lo..=hi).contains(&r)),
            Check::Range { lo, hi } => (lo..=hi).contains(&self.simulated),
            Check::Holds => self.simulated >= 0.5,
            Check::Report => true,
        }
    }

    fn row(&self) -> [String; 6] {
        // A figure the simulation could not produce (the reason is in the note) shows as
        // "—", with no ratio.
        let finite = self.simulated.is_finite();
        let sim = match self.check {
            _ if !finite => "—".to_string(),
            Check::Holds => if self.simulated >= 0.5 { "yes" } else { "no" }.to_string(),
            _ => format!("{} {}", fmt(self.simulated), self.unit),
        };
        let status = match (self.check, self.passes()) {
            (Check::Report, _) => "—",
            (_, true) => "ok",
            (_, false) => "MISS",
        };
        [
            self.what.clone(),
            self.paper_text.clone(),
            sim,
            self.ratio()
                .filter(|_| finite)
                .map_or("—".into(), |r| format!("{r:.2}")),
            self.check.describe(),
            status.to_string(),
        ]
    }
}

/// A number with about four significant digits, without trailing noise.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

const HEADER: [&str; 6] = ["claim", "paper", "simulated", "ratio", "band", "check"];

/// The claims as an aligned terminal table.
pub fn terminal_table(claims: &[Claim]) -> String {
    let rows: Vec<[String; 6]> = claims.iter().map(Claim::row).collect();
    let mut width = HEADER.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(c);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    };
    line(&HEADER.map(String::from), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    out
}

/// The claims as a Markdown table (with the source of each paper figure).
pub fn markdown_table(claims: &[Claim]) -> String {
    let mut out = String::from("| claim | paper | simulated | ratio | band | check | source |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for c in claims {
        let r = c.row();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r[0], r[1], r[2], r[3], r[4], r[5], c.source
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(paper: Option<f64>, simulated: f64, check: Check) -> Claim {
        Claim {
            what: "x".into(),
            paper,
            paper_text: "p".into(),
            simulated,
            unit: "×".into(),
            check,
            source: "s".into(),
            note: String::new(),
        }
    }

    #[test]
    fn checks() {
        assert!(claim(Some(10.0), 12.9, Check::within(0.3)).passes());
        assert!(!claim(Some(10.0), 13.1, Check::within(0.3)).passes());
        assert!(!claim(None, 13.1, Check::within(0.3)).passes());
        assert!(claim(Some(3.9), 3.5, Check::Range { lo: 3.4, hi: 4.4 }).passes());
        assert!(!claim(Some(3.9), 3.3, Check::Range { lo: 3.4, hi: 4.4 }).passes());
        assert!(claim(None, 1.0, Check::Holds).passes());
        assert!(!claim(None, 0.0, Check::Holds).passes());
        assert!(claim(None, f64::NAN, Check::Report).passes());
        assert!(!claim(Some(1.0), f64::NAN, Check::within(0.3)).passes());
    }

    #[test]
    fn tables_align() {
        let c = [claim(Some(2.0), 3.0, Check::within(0.5))];
        let t = terminal_table(&c);
        assert!(t.contains("1.50") && t.contains("ok"), "{t}");
        let m = markdown_table(&c);
        assert!(m.starts_with("| claim |") && m.contains("| 1.50 |"), "{m}");
    }

    #[test]
    fn missing_figures_print_a_dash() {
        let c = [claim(Some(814.0), f64::NAN, Check::Report)];
        let m = markdown_table(&c);
        assert!(m.contains("| x | p | — | — | reported | — | s |"), "{m}");
        let t = terminal_table(&c);
        assert!(!t.contains("NaN"), "{t}");
    }
}
