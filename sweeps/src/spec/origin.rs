//! Which line of the spec set a key that an evaluator rejected.
//!
//! An evaluator's check ([`crate::Evaluator::check`]) only sees the resolved point: an
//! architecture override `pe_array.rowz` or a workload key `workload.contxt`. Every key a
//! point sets comes from an axis (`[[axis]]`, `[[zip]]`, `[sample]`) or from `[base]`
//! (`[base.arch_set]`, `[base.workload]`), so the message is mapped back to that place:
//! `spec.toml:8:7: axis[0].key = "arch.pe_array.rowz"`.

use toml::{Table, Value};

use super::locate::{KeyPath, Locator, path};
use super::raw::{RawAxis, RawSpec};

/// One key that points set, and where the spec sets it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Origin {
    /// The point's key: `arch.<dotted>` or `workload.<dotted>`.
    pub key: String,
    /// Where in the spec: `axis[0].key`, `base.workload.context`…
    pub place: String,
    /// 1-based line and column of the key's value (axes) or of the value it sets (`[base]`).
    pub line_col: Option<(usize, usize)>,
}

impl Origin {
    /// What an evaluator's message may quote for this key, most specific first: the
    /// whole key and, for an architecture override, its path inside the architecture.
    fn needles(&self) -> Vec<String> {
        let mut n = vec![self.key.clone()];
        if let Some(p) = self.key.strip_prefix("arch.") {
            n.push(format!("`{p}`"));
        }
        n
    }
}

/// Every key the axes and `[base]` set, in the order written.
pub(crate) fn origins(loc: &Locator<'_>, raw: &RawSpec) -> Vec<Origin> {
    let mut out = Vec::new();
    let mut axes = |at: KeyPath, list: &[RawAxis]| {
        for (i, a) in list.iter().enumerate() {
            let p = at.index(i).key("key");
            out.push(Origin {
                key: a.key.clone(),
                place: format!("{p} = \"{}\"", a.key),
                line_col: loc.span_of(&p).map(|s| loc.line_col(s.start)),
            });
        }
    };
    axes(path("axis"), &raw.axis);
    for (j, z) in raw.zip.iter().enumerate() {
        axes(path("zip").index(j).key("axis"), &z.axis);
    }
    if let Some(s) = &raw.sample {
        axes(path("sample").key("axis"), &s.axis);
    }
    for (prefix, table, field) in [
        ("arch", &raw.base.arch_set, "arch_set"),
        ("workload", &raw.base.workload, "workload"),
    ] {
        leaves(loc, &path("base").key(field), prefix, table, &mut out);
    }
    out
}

/// The leaves of a `[base]` table as origins `prefix.<dotted>` (a quoted dotted key is one
/// step of the path in the text).
fn leaves(loc: &Locator<'_>, at: &KeyPath, prefix: &str, t: &Table, out: &mut Vec<Origin>) {
    for (k, v) in t {
        let p = at.key(k);
        let key = format!("{prefix}.{k}");
        match v {
            Value::Table(inner) => leaves(loc, &p, &key, inner, out),
            _ => out.push(Origin {
                key,
                place: p.to_string(),
                line_col: loc.span_of(&p).map(|s| loc.line_col(s.start)),
            }),
        }
    }
}

/// The origin whose key `message` quotes first (an architecture error names the
/// override's path, e.g. `` `pe_array.rowz` ``, or the table above it when that is the
/// unknown part; a workload error names `workload.<key>`). Ties: the longer quote.
pub(crate) fn find<'a>(all: &'a [Origin], message: &str) -> Option<&'a Origin> {
    let mut best: Option<(usize, usize, &Origin)> = None;
    for o in all {
        let mut hits: Vec<(usize, usize)> = o
            .needles()
            .iter()
            .filter_map(|n| message.find(n.as_str()).map(|at| (at, n.len())))
            .collect();
        // An unknown table: the message quotes a leading part of the override's path.
        if let Some(p) = o.key.strip_prefix("arch.") {
            let mut head = p;
            while let Some((h, _)) = head.rsplit_once('.') {
                head = h;
                if let Some(at) = message.find(&format!("`{head}`:")) {
                    hits.push((at, head.len() + 2));
                }
            }
        }
        for (at, len) in hits {
            let better = match best {
                None => true,
                Some((a, l, _)) => at < a || (at == a && len > l),
            };
            if better {
                best = Some((at, len, o));
            }
        }
    }
    best.map(|(_, _, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"metrics = ["latency_s"]
[base]
arch = "generic-os-128"
[base.arch_set]
"dram.fast_path_min_bytes" = 4096
[base.workload]
model = "mamba-130m"
[[axis]]
key = "arch.pe_array.rowz"
values = [8, 16]
[[axis]]
key = "workload.contxt"
values = [64, 128]
"#;

    fn all() -> Vec<Origin> {
        let loc = Locator::new("s.toml", SPEC);
        let raw: RawSpec = toml::from_str(SPEC).unwrap();
        origins(&loc, &raw)
    }

    #[test]
    fn axes_and_base_keys_with_their_lines() {
        // Lines counted by hand in SPEC: axis keys on lines 9 and 12 (value at column 7),
        // the quoted override on line 5 (value at column 30), `model` on line 7 (column 9).
        let o = all();
        let at = |k: &str| o.iter().find(|x| x.key == k).unwrap().line_col;
        assert_eq!(at("arch.pe_array.rowz"), Some((9, 7)));
        assert_eq!(at("workload.contxt"), Some((12, 7)));
        assert_eq!(at("arch.dram.fast_path_min_bytes"), Some((5, 30)));
        assert_eq!(at("workload.model"), Some((7, 9)));
    }

    #[test]
    fn messages_map_to_the_key_they_quote() {
        let o = all();
        let f = |m: &str| find(&o, m).map(|x| x.key.as_str());
        assert_eq!(
            f(
                "arch `g`: set by an override: `pe_array.rowz`: unknown field `rowz`, \
               expected one of `rows` (did you mean `rows`?)"
            ),
            Some("arch.pe_array.rowz")
        );
        assert_eq!(
            f("workload.contxt: not a key of a model workload (did you mean `context`?)"),
            Some("workload.contxt")
        );
        // The unknown part is the table above the leaf.
        assert_eq!(
            f("set by an override: `dram`: unknown field `dram`"),
            Some("arch.dram.fast_path_min_bytes")
        );
        assert_eq!(f("the model file is missing"), None);
    }
}
