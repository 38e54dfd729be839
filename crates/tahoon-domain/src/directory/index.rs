//! The index itself: providers by rank, the filters' bitsets, and every free slot of the coverage
//! in one sorted list per UTC day.

use super::filters::Filters;
use super::listed::{Booked, Listed};
use crate::availability::Interval;
use crate::ids::{CareProviderId, UserId};
use crate::provider::CareProvider;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// The most days of free slots held (later dates are computed per request).
pub const MAX_COVERAGE_DAYS: i64 = 120;

/// A day's entry packs the slot's start (minute of the UTC day, 11 bits) above the provider's
/// rank (21 bits), so one `u32` sort orders entries by start, then by rank.
pub(super) const RANK_BITS: u32 = 21;
pub const MAX_PROVIDERS: usize = 1 << RANK_BITS;

pub(super) fn pack(minute: u32, rank: u32) -> u32 {
    (minute << RANK_BITS) | rank
}

pub(super) fn unpack(entry: u32) -> (u32, u32) {
    (entry >> RANK_BITS, entry & ((1 << RANK_BITS) - 1))
}

/// A change to one provider, read from the database.
#[derive(Debug, Clone)]
pub struct ProviderChange {
    pub id: CareProviderId,
    /// The provider as it now is (`Some(None)`: no longer stored); `None`: unchanged.
    pub provider: Option<Option<CareProvider>>,
    /// Its active bookings as they now are; `None`: unchanged.
    pub bookings: Option<Vec<Booked>>,
}

#[derive(Debug, Clone)]
pub struct DirectoryIndex {
    /// Ordered by rank: rating, highest first, then id (the order of equally available providers).
    pub(super) listed: Vec<Listed>,
    rank_of: HashMap<CareProviderId, u32>,
    pub(super) filters: Filters,
    /// The UTC date of `days[0]`.
    pub(super) first_day: Date,
    pub(super) days: VecDeque<Vec<u32>>,
    /// Each user's bookings, as the rank of the provider holding each (one entry per booking):
    /// the sessions themselves stay with their providers.
    by_user: HashMap<UserId, Vec<u32>>,
}

pub(super) fn day_start(date: Date) -> Timestamp {
    TimeZone::UTC
        .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .unwrap_or(Timestamp::MAX)
}

fn utc_date(t: Timestamp) -> Date {
    TimeZone::UTC.to_datetime(t).date()
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(SignedDuration::from_hours(24 * days)).unwrap_or(date)
}

/// A day's list filled in bulk: sorted, and its spare capacity (up to half of it after growing
/// by doubling) given back, since millions of entries stay held.
fn sorted_and_trimmed(list: &mut Vec<u32>) {
    list.sort_unstable();
    list.shrink_to_fit();
}

/// Days of free slots worth holding for these providers: their longest horizon and a day more.
fn span_for(listed: &[Listed]) -> i64 {
    let longest = listed.iter().filter(|l| l.provider.active).map(|l| i64::from(l.provider.policy.horizon_days)).max();
    (longest.unwrap_or(0) + 2).clamp(2, MAX_COVERAGE_DAYS)
}

impl DirectoryIndex {
    /// The index of `providers` with their active `bookings`, holding free slots from `today`'s
    /// UTC date on. Providers past `MAX_PROVIDERS` are not listed.
    pub fn build(providers: Vec<CareProvider>, bookings: Vec<Booked>, today: Date) -> DirectoryIndex {
        let mut bookings = bookings;
        bookings.sort_unstable_by_key(|b| b.provider_id);
        let of = |id: CareProviderId| {
            let from = bookings.partition_point(|b| b.provider_id < id);
            let to = bookings.partition_point(|b| b.provider_id <= id);
            &bookings[from..to]
        };
        let mut listed: Vec<Listed> = providers
            .into_iter()
            .map(|p| {
                let own = of(p.id);
                Listed::new(Arc::new(p), own)
            })
            .collect();
        // Collected in place, the list would keep the profiles' larger allocation.
        listed.shrink_to_fit();
        // The bookings are the providers' now: gone before the day lists grow.
        drop(bookings);
        DirectoryIndex::from_listed(listed, today)
    }

    fn from_listed(mut listed: Vec<Listed>, today: Date) -> DirectoryIndex {
        listed.sort_by(|a, b| b.provider.rating.total_cmp(&a.provider.rating).then(a.provider.id.cmp(&b.provider.id)));
        listed.truncate(MAX_PROVIDERS);
        let mut filters = Filters::new(listed.len());
        let mut rank_of = HashMap::with_capacity(listed.len());
        let mut by_user: HashMap<UserId, Vec<u32>> = HashMap::new();
        for (rank, l) in listed.iter().enumerate() {
            filters.add(rank as u32, &l.provider);
            rank_of.insert(l.provider.id, rank as u32);
            for b in &l.bookings {
                by_user.entry(b.user_id).or_default().push(rank as u32);
            }
        }
        by_user.values_mut().for_each(|ranks| ranks.shrink_to_fit());
        let span = span_for(&listed);
        let mut index = DirectoryIndex { listed, rank_of, filters, first_day: today, days: VecDeque::new(), by_user };
        index.days = (0..span).map(|_| Vec::new()).collect();
        // A week at a time, each week's lists sorted and trimmed before the next week's grow: the
        // spare capacity of lists growing by doubling stays a week's, not the whole coverage's.
        let whole = index.coverage();
        let mut start = whole.start;
        while start < whole.end {
            let end = start.checked_add(SignedDuration::from_hours(24 * 7)).unwrap_or(whole.end).min(whole.end);
            index.fill(Interval { start, end });
            start = end;
        }
        index
    }

    /// The instants whose free slots are held: from the first day's start to the last day's end.
    pub fn coverage(&self) -> Interval {
        Interval { start: day_start(self.first_day), end: day_start(add_days(self.first_day, self.days.len() as i64)) }
    }

    /// The UTC date the held days start on.
    pub fn first_day(&self) -> Date {
        self.first_day
    }

    pub fn len(&self) -> usize {
        self.listed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// How many free slots are held (for the log and benchmarks).
    pub fn slot_count(&self) -> usize {
        self.days.iter().map(Vec::len).sum()
    }

    pub fn provider(&self, id: CareProviderId) -> Option<&Listed> {
        self.rank_of.get(&id).map(|&r| &self.listed[r as usize])
    }

    /// The sessions a user is busy with (its active bookings with anyone), in time order.
    pub fn user_busy(&self, user: UserId) -> Vec<Interval> {
        let Some(ranks) = self.by_user.get(&user) else { return Vec::new() };
        let mut ranks = ranks.clone();
        ranks.sort_unstable();
        ranks.dedup();
        let mut busy: Vec<Interval> = ranks
            .iter()
            .flat_map(|&rank| self.listed[rank as usize].bookings.iter())
            .filter(|b| b.user_id == user)
            .map(|b| b.interval())
            .collect();
        busy.sort_unstable_by_key(|i| (i.start, i.end));
        busy
    }

    /// Adds (`on`) or removes a provider's free slots from the day lists; the days must be sorted
    /// afterwards when adding in bulk (`on` with `sorted_insert` false is only used by a build).
    fn place(&mut self, rank: u32, free: &[Interval], bulk: bool) {
        let first = day_start(self.first_day);
        for slot in free {
            let since = slot.start.duration_since(first).as_secs();
            let (day, minute) = (since.div_euclid(86_400), since.rem_euclid(86_400) / 60);
            let Some(list) = usize::try_from(day).ok().and_then(|d| self.days.get_mut(d)) else { continue };
            let entry = pack(minute as u32, rank);
            if bulk {
                list.push(entry);
            } else if let Err(at) = list.binary_search(&entry) {
                list.insert(at, entry);
            }
        }
    }

    fn unplace(&mut self, rank: u32, free: &[Interval]) {
        let first = day_start(self.first_day);
        for slot in free {
            let since = slot.start.duration_since(first).as_secs();
            let (day, minute) = (since.div_euclid(86_400), since.rem_euclid(86_400) / 60);
            let Some(list) = usize::try_from(day).ok().and_then(|d| self.days.get_mut(d)) else { continue };
            if let Ok(at) = list.binary_search(&pack(minute as u32, rank)) {
                list.remove(at);
            }
        }
    }

    /// Moves the held days forward so they start at `today` (UTC), computing the new last days.
    pub fn advance(&mut self, today: Date) {
        if today == self.first_day {
            return;
        }
        let span = self.days.len() as i64;
        let shift = (today - self.first_day).get_days() as i64;
        if !(1..span).contains(&shift) {
            // Backwards (a test's clock) or past every held day: compute them all again.
            let listed = std::mem::take(&mut self.listed);
            *self = DirectoryIndex::from_listed(listed, today);
            return;
        }
        for _ in 0..shift {
            self.days.pop_front();
            self.days.push_back(Vec::new());
        }
        self.first_day = today;
        let coverage = self.coverage();
        let fresh = Interval { start: day_start(add_days(today, span - shift)), end: coverage.end };
        self.fill(fresh);
    }

    /// Computes every provider's free slots in `range` (whole days at the end of the coverage).
    fn fill(&mut self, range: Interval) {
        for rank in 0..self.listed.len() {
            let free = self.listed[rank].free_in(range);
            self.place(rank as u32, &free, true);
        }
        let first = day_start(self.first_day);
        let from = (range.start.duration_since(first).as_secs() / 86_400).max(0) as usize;
        self.days.iter_mut().skip(from).for_each(sorted_and_trimmed);
    }

    /// Whether applying these changes moves providers between ranks (a provider added, removed or
    /// rated anew): then `rebuilt` applies them, otherwise `apply` does, in place.
    pub fn needs_reranking(&self, changes: &[ProviderChange]) -> bool {
        changes.iter().any(|c| match &c.provider {
            None => false,
            Some(None) => self.rank_of.contains_key(&c.id),
            Some(Some(p)) => self.provider(c.id).is_none_or(|l| l.provider.rating.total_cmp(&p.rating).is_ne()),
        })
    }

    /// A new index with the changes applied, computed beside this one (which keeps serving).
    pub fn rebuilt(&self, changes: Vec<ProviderChange>, today: Date) -> DirectoryIndex {
        let mut by_id: HashMap<CareProviderId, Listed> =
            self.listed.iter().map(|l| (l.provider.id, l.clone())).collect();
        for change in changes {
            let current = by_id.remove(&change.id);
            let provider = match change.provider {
                Some(Some(p)) => Some(Arc::new(p)),
                Some(None) => None,
                None => current.as_ref().map(|l| l.provider.clone()),
            };
            if let Some(provider) = provider {
                let listed = match (change.bookings, current) {
                    (Some(bookings), _) => Listed::new(provider, &bookings),
                    (None, Some(current)) => current.with_provider(provider),
                    (None, None) => Listed::new(provider, &[]),
                };
                by_id.insert(change.id, listed);
            }
        }
        DirectoryIndex::from_listed(by_id.into_values().collect(), today)
    }

    /// Applies one change in place; a change that `needs_reranking` must go through `rebuilt`.
    pub fn apply(&mut self, change: ProviderChange) {
        let Some(&rank) = self.rank_of.get(&change.id) else { return };
        let old = self.listed[rank as usize].clone();
        let provider = match change.provider {
            Some(Some(p)) => Arc::new(p),
            _ => old.provider.clone(),
        };
        let new = match &change.bookings {
            Some(bookings) => Listed::new(provider, bookings),
            None => old.clone().with_provider(provider),
        };
        if !Arc::ptr_eq(&old.provider, &new.provider) {
            self.filters.remove(rank, &old.provider);
            self.filters.add(rank, &new.provider);
        }
        for b in &old.bookings {
            if let Some(ranks) = self.by_user.get_mut(&b.user_id) {
                if let Some(at) = ranks.iter().position(|&r| r == rank) {
                    ranks.swap_remove(at);
                }
                if ranks.is_empty() {
                    self.by_user.remove(&b.user_id);
                }
            }
        }
        for b in &new.bookings {
            self.by_user.entry(b.user_id).or_default().push(rank);
        }
        let coverage = self.coverage();
        let (before, after) = (old.free_in(coverage), new.free_in(coverage));
        self.listed[rank as usize] = new;
        if before != after {
            let gone: Vec<Interval> = before.iter().filter(|s| after.binary_search(s).is_err()).copied().collect();
            let came: Vec<Interval> = after.iter().filter(|s| before.binary_search(s).is_err()).copied().collect();
            self.unplace(rank, &gone);
            self.place(rank, &came, false);
        }
        // A longer horizon than any before: hold more days.
        let span = span_for(&self.listed);
        if span > self.days.len() as i64 {
            let end = coverage.end;
            self.days.resize(span as usize, Vec::new());
            self.fill(Interval { start: end, end: self.coverage().end });
        }
    }

    /// The UTC date of an instant, for callers choosing `today`.
    pub fn date_of(t: Timestamp) -> Date {
        utc_date(t)
    }
}
