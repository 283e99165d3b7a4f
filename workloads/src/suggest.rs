//! "Did you mean …?" for model names: the closest candidate by edit distance.
//! (A small copy of the idea in `arch::suggest`; `workloads` does not depend on `arch`.)

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

/// The candidate closest to `name` (case-insensitive) if it is a plausible typo:
/// distance ≤ max(2, len/3), or one name contains the other.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        let mut d = edit_distance(&lower, &cl);
        if cl.contains(&lower) || lower.contains(&cl) {
            d = d.min(1);
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let limit = (name.chars().count() / 3).max(2);
    (d <= limit).then(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let names = ["llama2-7b", "llama2-13b", "mamba-2.8b"];
        assert_eq!(closest("lama2-7b", names).as_deref(), Some("llama2-7b"));
        assert_eq!(closest("mamba2.8b", names).as_deref(), Some("mamba-2.8b"));
        assert_eq!(closest("gpt-j", names), None);
    }
}
