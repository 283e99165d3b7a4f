//! "Did you mean …?": the closest valid name by edit distance.
//!
//! A small copy of the rule used elsewhere in Silica, kept here so that `reports`
//! depends on no other Silica crate.

/// Levenshtein distance between `a` and `b`, counted in chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name` (ignoring case) if it is a plausible typo: edit
/// distance at most max(2, len/3), or one name contains the other. Ties go to the
/// candidate listed first.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let cl = candidate.to_lowercase();
        let mut d = edit_distance(&lower, &cl);
        if !lower.is_empty() && (cl.contains(&lower) || lower.contains(&cl)) {
            d = d.min(1);
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    let (d, c) = best?;
    let limit = (name.chars().count() / 3).max(2);
    (d <= limit).then(|| c.to_string())
}
