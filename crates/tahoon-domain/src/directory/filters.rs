//! The search filters answered from bitsets over provider ranks, and prices kept sorted.

use super::bitset::Bitset;
use crate::provider::{CareProvider, ProviderFilter};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub(super) struct Filters {
    len: usize,
    active: Bitset,
    gender: HashMap<i64, Bitset>,
    languages: HashMap<i64, Bitset>,
    specialties: HashMap<i64, Bitset>,
    experience_levels: HashMap<i64, Bitset>,
    provider_levels: HashMap<i64, Bitset>,
    /// (default session price, rank), sorted.
    prices: Vec<(i64, u32)>,
}

fn set_in(map: &mut HashMap<i64, Bitset>, len: usize, key: i64, rank: usize, on: bool) {
    let set = map.entry(key).or_insert_with(|| Bitset::new(len));
    if on { set.insert(rank) } else { set.remove(rank) }
}

impl Filters {
    pub fn new(len: usize) -> Filters {
        Filters {
            len,
            active: Bitset::new(len),
            gender: HashMap::new(),
            languages: HashMap::new(),
            specialties: HashMap::new(),
            experience_levels: HashMap::new(),
            provider_levels: HashMap::new(),
            prices: Vec::new(),
        }
    }

    /// Sets (`on`) or clears the provider's bits; clearing takes the attributes it was added with.
    fn mark(&mut self, rank: u32, p: &CareProvider, on: bool) {
        let (len, r) = (self.len, rank as usize);
        if on && p.active {
            self.active.insert(r);
        } else {
            self.active.remove(r);
        }
        set_in(&mut self.gender, len, p.gender.code(), r, on);
        for &l in &p.language_ids {
            set_in(&mut self.languages, len, l, r, on);
        }
        for &s in &p.specialty_ids {
            set_in(&mut self.specialties, len, s, r, on);
        }
        if let Some(level) = p.experience_level_id {
            set_in(&mut self.experience_levels, len, level, r, on);
        }
        if let Some(level) = p.provider_level_id {
            set_in(&mut self.provider_levels, len, level, r, on);
        }
        if let Some(rate) = p.primary_rate() {
            let entry = (rate.price_minor, rank);
            match (self.prices.binary_search(&entry), on) {
                (Err(at), true) => self.prices.insert(at, entry),
                (Ok(at), false) => {
                    self.prices.remove(at);
                }
                _ => {}
            }
        }
    }

    pub fn add(&mut self, rank: u32, p: &CareProvider) {
        self.mark(rank, p, true);
    }

    pub fn remove(&mut self, rank: u32, p: &CareProvider) {
        self.mark(rank, p, false);
    }

    /// The active providers the filter matches, as `ProviderFilter::matches` decides.
    pub fn matching(&self, f: &ProviderFilter) -> Bitset {
        let mut set = self.active.clone();
        let none = Bitset::new(self.len);
        let one = |map: &HashMap<i64, Bitset>, key: i64| map.get(&key).cloned().unwrap_or_else(|| none.clone());
        let any_of = |map: &HashMap<i64, Bitset>, keys: &[i64]| {
            let mut union = none.clone();
            keys.iter().filter_map(|k| map.get(k)).for_each(|s| union.union(s));
            union
        };
        if let Some(g) = f.gender {
            set.intersect(&one(&self.gender, g.code()));
        }
        if !f.language_ids.is_empty() {
            set.intersect(&any_of(&self.languages, &f.language_ids));
        }
        if !f.specialty_ids.is_empty() {
            set.intersect(&any_of(&self.specialties, &f.specialty_ids));
        }
        if let Some(level) = f.experience_level_id {
            set.intersect(&one(&self.experience_levels, level));
        }
        if let Some(level) = f.provider_level_id {
            set.intersect(&one(&self.provider_levels, level));
        }
        if f.min_price_minor.is_some() || f.max_price_minor.is_some() {
            let lo = f.min_price_minor.map_or(0, |min| self.prices.partition_point(|&(p, _)| p < min));
            let hi = f.max_price_minor.map_or(self.prices.len(), |max| self.prices.partition_point(|&(p, _)| p <= max));
            let mut priced = none.clone();
            self.prices.get(lo..hi.max(lo)).unwrap_or_default().iter().for_each(|&(_, r)| priced.insert(r as usize));
            set.intersect(&priced);
        }
        set
    }
}
