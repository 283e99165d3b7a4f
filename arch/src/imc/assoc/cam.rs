//! A bit-level associative-processor emulator: the cycle-stepped reference (level 1).
//!
//! [`CamArray`] holds words of up to 256 bit columns and a tag bit per word. It does only
//! what an AP does in one cycle: a compare (a key on masked columns sets, ANDs or ORs the
//! tags), a write (a value into masked columns of the tagged words, or of all words), and
//! a population count of the tags. Arithmetic is built from those by truth tables
//! ([`CamArray::lut`]), in the order that never rewrites a word twice, exactly as
//! [`super::passes`] counts them; the tests check both the numbers and the counts.

use crate::ArchError;

/// Columns per word.
pub const MAX_COLUMNS: u16 = 256;

/// A bit column index.
pub type Col = u16;

/// A field: its columns, least significant first (not necessarily adjacent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field(pub Vec<Col>);

impl Field {
    /// Bits in the field.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the field has no columns.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Columns `lo..hi` of this field as a field.
    pub fn slice(&self, lo: usize, hi: usize) -> Field {
        Field(self.0[lo.min(self.0.len())..hi.min(self.0.len())].to_vec())
    }

    /// This field followed by `other` (more significant).
    pub fn concat(&self, other: &Field) -> Field {
        let mut v = self.0.clone();
        v.extend_from_slice(&other.0);
        Field(v)
    }
}

type Bits = [u64; 4];

/// A compare key or write value: bit values on masked columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Key {
    value: Bits,
    mask: Bits,
}

impl Key {
    /// The empty key (matches every word).
    pub fn any() -> Key {
        Key::default()
    }

    /// This key plus column `col` = `bit`; `None` if it already fixes `col` otherwise.
    pub fn with(mut self, col: Col, bit: bool) -> Option<Key> {
        let (w, b) = ((col / 64) as usize, col % 64);
        let m = 1u64 << b;
        if self.mask[w] & m != 0 {
            return ((self.value[w] & m != 0) == bit).then_some(self);
        }
        self.mask[w] |= m;
        if bit {
            self.value[w] |= m;
        }
        Some(self)
    }

    /// This key plus `field` = `value` (low bits first).
    pub fn with_field(self, field: &Field, value: u64) -> Option<Key> {
        field.0.iter().enumerate().try_fold(self, |k, (i, &c)| {
            k.with(c, i < 64 && (value >> i) & 1 == 1)
        })
    }

    fn matches(&self, word: &Bits) -> bool {
        (0..4).all(|i| word[i] & self.mask[i] == self.value[i])
    }

    fn apply(&self, word: &mut Bits) {
        for (i, w) in word.iter_mut().enumerate() {
            *w = (*w & !self.mask[i]) | self.value[i];
        }
    }
}

/// How a compare combines with the current tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMode {
    /// Tags = match.
    Set,
    /// Tags = tags AND match.
    And,
    /// Tags = tags OR match.
    Or,
}

/// Words of bit columns with tags, counting every compare, write and popcount.
#[derive(Clone, Debug)]
pub struct CamArray {
    words: Vec<Bits>,
    tags: Vec<bool>,
    next_col: Col,
    /// Compares so far.
    pub compares: u64,
    /// Writes so far.
    pub writes: u64,
    /// Popcounts so far.
    pub popcounts: u64,
}

fn too_wide(need: u32) -> ArchError {
    ArchError::Invalid {
        key: "assoc_processor".into(),
        message: format!("the emulator needs {need} columns, more than {MAX_COLUMNS}"),
    }
}

impl CamArray {
    /// `n_words` zeroed words.
    pub fn new(n_words: usize) -> Self {
        CamArray {
            words: vec![[0; 4]; n_words],
            tags: vec![false; n_words],
            next_col: 0,
            compares: 0,
            writes: 0,
            popcounts: 0,
        }
    }

    /// Columns allocated so far.
    pub fn columns_used(&self) -> u16 {
        self.next_col
    }

    /// Allocates `bits` fresh (zero) columns.
    pub fn alloc(&mut self, bits: u64) -> Result<Field, ArchError> {
        let end = u64::from(self.next_col) + bits;
        if end > u64::from(MAX_COLUMNS) {
            return Err(too_wide(end as u32));
        }
        let f = Field((self.next_col..end as Col).collect());
        self.next_col = end as Col;
        Ok(f)
    }

    /// Loads `value` into `field` of word `w` (I/O, not a pass).
    pub fn load(&mut self, w: usize, field: &Field, value: u64) {
        if let (Some(word), Some(k)) = (self.words.get_mut(w), Key::any().with_field(field, value))
        {
            k.apply(word);
        }
    }

    /// Reads `field` of word `w` (I/O, not a pass).
    pub fn read(&self, w: usize, field: &Field) -> u64 {
        let Some(word) = self.words.get(w) else {
            return 0;
        };
        field.0.iter().enumerate().fold(0, |acc, (i, &c)| {
            let bit = (word[(c / 64) as usize] >> (c % 64)) & 1;
            if i < 64 { acc | bit << i } else { acc }
        })
    }

    /// One compare pass.
    pub fn compare(&mut self, key: &Key, mode: TagMode) {
        self.compares += 1;
        for (t, w) in self.tags.iter_mut().zip(&self.words) {
            let m = key.matches(w);
            *t = match mode {
                TagMode::Set => m,
                TagMode::And => *t && m,
                TagMode::Or => *t || m,
            };
        }
    }

    /// One compare that narrows the tags only if some tagged word matches (the AP's
    /// response resolver keeps the old tags otherwise); returns whether any matched.
    pub fn compare_narrow(&mut self, key: &Key) -> bool {
        self.compares += 1;
        let any = self
            .tags
            .iter()
            .zip(&self.words)
            .any(|(t, w)| *t && key.matches(w));
        if any {
            for (t, w) in self.tags.iter_mut().zip(&self.words) {
                *t = *t && key.matches(w);
            }
        }
        any
    }

    /// One write pass into the tagged words.
    pub fn write(&mut self, value: &Key) {
        self.writes += 1;
        for (t, w) in self.tags.iter().zip(self.words.iter_mut()) {
            if *t {
                value.apply(w);
            }
        }
    }

    /// One write pass into every word (tags set to all by the controller).
    pub fn write_all(&mut self, value: &Key) {
        self.writes += 1;
        for w in &mut self.words {
            value.apply(w);
        }
    }

    /// Counts the tagged words (one popcount reduction).
    pub fn popcount(&mut self) -> u64 {
        self.popcounts += 1;
        self.tags.iter().filter(|t| **t).count() as u64
    }

    /// Clears `fields` in every word (one write).
    pub fn clear(&mut self, fields: &[&Field]) -> Result<(), ArchError> {
        let mut k = Key::any();
        for f in fields {
            k = k.with_field(f, 0).ok_or_else(|| too_wide(0))?;
        }
        self.write_all(&k);
        Ok(())
    }

    /// Applies the in-place function `f` to the columns `cols` (state bit `i` is column
    /// `cols[i]`) of the words matching `cond`: one compare and one write per changing
    /// state consistent with `cond`, ordered so that a state is handled before any state
    /// that turns into it.
    pub fn lut(
        &mut self,
        cond: &Key,
        cols: &[Col],
        f: impl Fn(u32) -> u32,
    ) -> Result<(), ArchError> {
        let n = cols.len();
        let states = 1u32 << n;
        let key_of = |s: u32| {
            cols.iter()
                .enumerate()
                .try_fold(*cond, |k, (i, &c)| k.with(c, (s >> i) & 1 == 1))
        };
        // Changing states consistent with the condition.
        let changing: Vec<u32> = (0..states)
            .filter(|&s| f(s) != s && key_of(s).is_some())
            .collect();
        // s' must come after s when f(s') = s (s changing): Kahn, smallest first.
        let mut done = vec![false; states as usize];
        let mut order = Vec::with_capacity(changing.len());
        while order.len() < changing.len() {
            let next = changing.iter().copied().find(|&s| {
                !done[s as usize]
                    && !changing
                        .iter()
                        .any(|&o| !done[o as usize] && o != s && f(s) == o)
            });
            let Some(s) = next else {
                return Err(ArchError::Invalid {
                    key: "assoc_processor".into(),
                    message: "truth table has no safe pass order".into(),
                });
            };
            done[s as usize] = true;
            order.push(s);
        }
        for s in order {
            let Some(key) = key_of(s) else { continue };
            self.compare(&key, TagMode::Set);
            let mut out = Key::any();
            for (i, &c) in cols.iter().enumerate() {
                out = out
                    .with(c, (f(s) >> i) & 1 == 1)
                    .ok_or_else(|| too_wide(0))?;
            }
            self.write(&out);
        }
        Ok(())
    }

    /// `b ← a + b` (mod `2^|b|`, `a` as wide as `b`) on words matching `cond`.
    pub fn add(&mut self, cond: &Key, a: &Field, b: &Field, carry: Col) -> Result<(), ArchError> {
        self.clear(&[&Field(vec![carry])])?;
        for (&ac, &bc) in a.0.iter().zip(&b.0) {
            self.lut(cond, &[carry, ac, bc], |s| {
                let sum = (s & 1) + ((s >> 1) & 1) + ((s >> 2) & 1);
                (sum >> 1) | (s & 2) | ((sum & 1) << 2)
            })?;
        }
        Ok(())
    }

    /// `b ← b − a` (mod `2^|b|`); the borrow column ends as 1 where `b < a`.
    pub fn sub(&mut self, cond: &Key, a: &Field, b: &Field, borrow: Col) -> Result<(), ArchError> {
        self.clear(&[&Field(vec![borrow])])?;
        for (&ac, &bc) in a.0.iter().zip(&b.0) {
            self.lut(cond, &[borrow, ac, bc], |s| {
                let d = ((s >> 2) & 1) as i32 - ((s >> 1) & 1) as i32 - (s & 1) as i32;
                u32::from(d < 0) | (s & 2) | (((d & 1) as u32) << 2)
            })?;
        }
        Ok(())
    }

    /// `b ← b + k` (mod `2^|b|`) for a constant `k`.
    pub fn add_const(
        &mut self,
        cond: &Key,
        k: u64,
        b: &Field,
        carry: Col,
    ) -> Result<(), ArchError> {
        self.clear(&[&Field(vec![carry])])?;
        for (i, &bc) in b.0.iter().enumerate() {
            let kb = u32::from(i < 64 && (k >> i) & 1 == 1);
            self.lut(cond, &[carry, bc], move |s| {
                let sum = (s & 1) + ((s >> 1) & 1) + kb;
                (sum >> 1) | ((sum & 1) << 1)
            })?;
        }
        Ok(())
    }

    /// `b ← b − k` (mod `2^|b|`); the borrow column ends as 1 where `b < k`.
    pub fn sub_const(
        &mut self,
        cond: &Key,
        k: u64,
        b: &Field,
        borrow: Col,
    ) -> Result<(), ArchError> {
        self.clear(&[&Field(vec![borrow])])?;
        for (i, &bc) in b.0.iter().enumerate() {
            let kb = (i < 64 && (k >> i) & 1 == 1) as i32;
            self.lut(cond, &[borrow, bc], move |s| {
                let d = ((s >> 1) & 1) as i32 - kb - (s & 1) as i32;
                u32::from(d < 0) | (((d & 1) as u32) << 1)
            })?;
        }
        Ok(())
    }

    /// `out ← k − b` (mod `2^|out|`) into the fresh field `out` (as wide as `b`). In place
    /// the table of `(borrow, b)` has a cycle — `(1,0) → (1,1) → (1,0)` for a 0 bit of `k` —
    /// so no pass order exists; writing into cleared output columns breaks it: per bit 2
    /// changing entries where `k` has a 0, 3 where it has a 1.
    pub fn rsub_const(
        &mut self,
        cond: &Key,
        k: u64,
        b: &Field,
        out: &Field,
        borrow: Col,
    ) -> Result<(), ArchError> {
        self.clear(&[&Field(vec![borrow]), out])?;
        for (i, (&bc, &oc)) in b.0.iter().zip(&out.0).enumerate() {
            let kb = (i < 64 && (k >> i) & 1 == 1) as i32;
            self.lut(cond, &[borrow, bc, oc], move |s| {
                if s & 4 != 0 {
                    return s; // output already written: never matched again
                }
                let d = kb - ((s >> 1) & 1) as i32 - (s & 1) as i32;
                u32::from(d < 0) | (s & 2) | (((d & 1) as u32) << 2)
            })?;
        }
        Ok(())
    }

    /// `p ← a × b` by shift-and-add (`p` at least `|a| + |b|` bits, cleared first).
    pub fn mul(
        &mut self,
        cond: &Key,
        a: &Field,
        b: &Field,
        p: &Field,
        carry: Col,
    ) -> Result<(), ArchError> {
        self.clear(&[p])?;
        let nb = b.len();
        for (j, &aj) in a.0.iter().enumerate() {
            let Some(cj) = cond.with(aj, true) else {
                continue;
            };
            self.add(&cj, b, &p.slice(j, j + nb), carry)?;
            // Carry-out into p[j + nb] (zero until now).
            if let (Some(k), Some(&top)) = (cj.with(carry, true), p.0.get(j + nb)) {
                self.compare(&k, TagMode::Set);
                self.write(&Key::any().with(top, true).ok_or_else(|| too_wide(0))?);
            }
        }
        Ok(())
    }

    /// Restoring division of the window field `f` (numerator; at least `q.len() + |d|`
    /// columns, zero above the numerator) by the divisor `d` — a constant (`Ok(k)`) or a
    /// field (`Err(field)`, one column wider than the divisor's value, top column zero).
    /// Leaves the quotient in `q` and the remainder in the lowest window of `f`.
    pub fn divide(
        &mut self,
        cond: &Key,
        f: &Field,
        d: Result<(u64, usize), &Field>,
        q: &Field,
        borrow: Col,
        carry: Col,
    ) -> Result<(), ArchError> {
        self.clear(&[q])?;
        let width = match d {
            Ok((_, c_bits)) => c_bits + 1,
            Err(field) => field.len(),
        };
        for i in (0..q.len()).rev() {
            let w = f.slice(i, i + width);
            match d {
                Ok((k, _)) => self.sub_const(cond, k, &w, borrow)?,
                Err(field) => self.sub(cond, field, &w, borrow)?,
            }
            if let Some(k) = cond.with(borrow, false) {
                self.compare(&k, TagMode::Set);
                self.write(&Key::any().with(q.0[i], true).ok_or_else(|| too_wide(0))?);
            }
            let Some(restore) = cond.with(borrow, true) else {
                continue;
            };
            match d {
                Ok((k, _)) => self.add_const(&restore, k, &w, carry)?,
                Err(field) => self.add(&restore, field, &w, carry)?,
            }
        }
        Ok(())
    }

    /// `e ← e >> z` per word (logarithmic shifter, see [`super::passes::var_shift`]).
    pub fn shift_right(&mut self, cond: &Key, e: &Field, z: &Field) -> Result<(), ArchError> {
        let l = e.len();
        for (j, &zc) in z.0.iter().enumerate() {
            let s = 1usize << j.min(63);
            let Some(cj) = cond.with(zc, true) else {
                continue;
            };
            for i in 0..l.saturating_sub(s) {
                for bit in [true, false] {
                    if let Some(k) = cj.with(e.0[i + s], bit) {
                        self.compare(&k, TagMode::Set);
                        self.write(&Key::any().with(e.0[i], bit).ok_or_else(|| too_wide(0))?);
                    }
                }
            }
            let top = e.slice(l.saturating_sub(s), l);
            self.compare(&cj, TagMode::Set);
            self.write(&Key::any().with_field(&top, 0).ok_or_else(|| too_wide(0))?);
        }
        Ok(())
    }

    /// Maximum of `field` over the words matching `sel` (bit-serial search from the most
    /// significant bit; two's complement when `signed`): 1 + |field| compares.
    pub fn max_search(&mut self, sel: &Key, field: &Field, signed: bool) -> u64 {
        self.compare(sel, TagMode::Set);
        let n = field.len();
        let mut max = 0u64;
        for i in (0..n).rev() {
            let sign_bit = signed && i + 1 == n;
            let want = !sign_bit;
            let Some(k) = Key::any().with(field.0[i], want) else {
                continue;
            };
            let found = self.compare_narrow(&k);
            // Sign bit: a non-negative word found means the max's sign bit is 0.
            let bit = if sign_bit { !found } else { found };
            if bit && i < 64 {
                max |= 1 << i;
            }
        }
        max
    }

    /// `Σ field` over the words matching `sel`: per bit one compare and one popcount.
    pub fn sum(&mut self, sel: &Key, field: &Field) -> u64 {
        let mut total = 0u64;
        for (b, &c) in field.0.iter().enumerate() {
            if let Some(k) = sel.with(c, true) {
                self.compare(&k, TagMode::Set);
                total = total.saturating_add(self.popcount() << b.min(63));
            }
        }
        total
    }

    /// Writes `value` into `field` of the words matching `sel` (1 compare + 1 write).
    pub fn broadcast(&mut self, sel: &Key, field: &Field, value: u64) -> Result<(), ArchError> {
        self.compare(sel, TagMode::Set);
        self.write(
            &Key::any()
                .with_field(field, value)
                .ok_or_else(|| too_wide(0))?,
        );
        Ok(())
    }

    /// Saturates `field` to `2^keep − 1` where any bit at or above `keep` is set:
    /// `|field| − keep` compares (OR-ed) and one write.
    pub fn clamp_ones(&mut self, field: &Field, keep: usize) -> Result<(), ArchError> {
        if field.len() <= keep {
            return Ok(());
        }
        for (i, &c) in field.0.iter().enumerate().skip(keep) {
            let k = Key::any().with(c, true).ok_or_else(|| too_wide(0))?;
            self.compare(&k, if i == keep { TagMode::Set } else { TagMode::Or });
        }
        let ones = (1u64 << keep.min(63)) - 1;
        self.write(
            &Key::any()
                .with_field(field, ones)
                .ok_or_else(|| too_wide(0))?,
        );
        Ok(())
    }
}
