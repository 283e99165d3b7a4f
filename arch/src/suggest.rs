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
/// plausible typo: distance ≤ max(2, len/3), or one contains the other.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        let mut d = edit_distance(&lower, &cl);
        // A name that contains the other is plausible even when far in edits, but ranks
        // behind any genuinely close name.
        if cl.contains(&lower) || lower.contains(&cl) {
            d = d.min(limit);
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
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
