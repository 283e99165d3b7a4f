//! "Did you mean …?": the closest valid name by edit distance.

/// Levenshtein distance between `a` and `b` (by chars).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name` (case-insensitive), if it is close enough to be a
/// plausible typo: distance ≤ max(2, len/3), or one contains the other. Candidates that
/// start with the name (or that it starts with) rank first.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    // Rank: a candidate that extends the name (or that the name extends) first, then by
    // edit distance, where a name contained in the other counts as at most `limit` away.
    let mut best: Option<((bool, usize, usize), &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        let d = edit_distance(&lower, &cl);
        let prefix = cl.starts_with(&lower) || lower.starts_with(&cl);
        let contains = cl.contains(&lower) || lower.contains(&cl);
        let d_eff = if contains { d.min(limit) } else { d };
        let key = (!prefix, d_eff, d);
        if best.is_none_or(|(bk, _)| key < bk) {
            best = Some((key, c));
        }
    }
    let ((_, d, _), c) = best?;
    (d <= limit).then(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("size_kb", "size_kib"), 1);
    }

    #[test]
    fn suggestions() {
        let keys = ["rows", "cols", "dataflow", "size_kib"];
        assert_eq!(closest("size_kb", keys).as_deref(), Some("size_kib"));
        assert_eq!(closest("colums", keys).as_deref(), Some("cols"));
        assert_eq!(closest("frequency", keys), None);
        assert_eq!(
            closest("HBM2E", ["HBM2e", "HBM3"]).as_deref(),
            Some("HBM2e")
        );
    }
}
