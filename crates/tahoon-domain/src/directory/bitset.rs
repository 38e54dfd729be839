//! A fixed-size set of small integers (provider ranks), one bit each.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    /// Empty, for members `0..len`.
    pub fn new(len: usize) -> Bitset {
        Bitset { words: vec![0; len.div_ceil(64)], len }
    }

    /// Every member of `0..len`.
    pub fn full(len: usize) -> Bitset {
        let mut set = Bitset { words: vec![u64::MAX; len.div_ceil(64)], len };
        if let Some(last) = set.words.last_mut()
            && !len.is_multiple_of(64)
        {
            *last = (1u64 << (len % 64)) - 1;
        }
        set
    }

    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn intersect(&mut self, other: &Bitset) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w &= o;
        }
    }

    pub fn union(&mut self, other: &Bitset) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// Members in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(n, &word)| {
            let mut w = word;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(n * 64 + bit)
            })
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn behaves_as_a_set(len in 0usize..300, a in proptest::collection::vec(0usize..300, 0..60), b in proptest::collection::vec(0usize..300, 0..60)) {
            let a: BTreeSet<usize> = a.into_iter().filter(|&i| i < len).collect();
            let b: BTreeSet<usize> = b.into_iter().filter(|&i| i < len).collect();
            let mut x = Bitset::new(len);
            a.iter().for_each(|&i| x.insert(i));
            let mut y = Bitset::new(len);
            b.iter().for_each(|&i| y.insert(i));
            prop_assert_eq!(x.iter().collect::<BTreeSet<_>>(), a.clone());
            prop_assert_eq!(x.count(), a.len());
            let mut both = x.clone();
            both.intersect(&y);
            prop_assert_eq!(both.iter().collect::<BTreeSet<_>>(), a.intersection(&b).copied().collect::<BTreeSet<_>>());
            let mut either = x.clone();
            either.union(&y);
            prop_assert_eq!(either.iter().collect::<BTreeSet<_>>(), a.union(&b).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(Bitset::full(len).count(), len);
            if let Some(&first) = a.iter().next() {
                x.remove(first);
                prop_assert!(!x.contains(first));
                prop_assert_eq!(x.count(), a.len() - 1);
            }
        }
    }
}
