//! A search over the index: the page of providers matching a filter, those with an offered slot
//! on the caller's day first (earliest first slot first), then by rank; its cost grows with the
//! entries read until the page is full, not with the directory.

use super::bitset::Bitset;
use super::index::{DirectoryIndex, day_start, unpack};
use super::listed::Listed;
use crate::availability::{Interval, SlotLimits, day_bounds};
use crate::provider::{CareProvider, ProviderFilter};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

/// What the caller asks for.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The caller's local date and zone.
    pub date: Date,
    pub zone: &'a TimeZone,
    pub now: Timestamp,
    pub filter: &'a ProviderFilter,
    /// The caller's own sessions (`DirectoryIndex::user_busy`), not offered again.
    pub caller_busy: &'a [Interval],
    pub offset: usize,
    pub limit: usize,
}

/// One provider of the page with its slots on the caller's day.
#[derive(Debug, Clone)]
pub struct Found {
    pub provider: Arc<CareProvider>,
    pub slots: Vec<Interval>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub providers: Vec<Found>,
    /// Every provider the filter matches, with or without a slot that day.
    pub total: usize,
}

/// How a search finds its order (both give the same page; tests compare them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    /// Reads the day's free slots in time order until the page is full.
    Scan,
    /// Computes every matching provider's day and sorts them (few matches, or a day outside the
    /// held coverage).
    EachMatch,
    /// `Scan` unless the matches are few compared with the day's slots, or the day is not held.
    Choose,
}

/// Computing one match's day costs about as much as reading 500 held slots; a scan reads until
/// the page is full, at worst the whole day. Below this many held slots per match, computing each
/// match's day is cheaper.
const SLOTS_PER_MATCH_FOR_SCAN: usize = 512;

impl Listed {
    /// The first slot this provider offers in `[from, to)` at `now`, or whether `start` is one.
    fn offers(&self, start: Timestamp, now: Timestamp, caller_busy: &[Interval]) -> bool {
        let Some(minutes) = self.slot_minutes() else { return false };
        let Ok(end) = start.checked_add(SignedDuration::from_mins(i64::from(minutes))) else { return false };
        let slot = Interval { start, end };
        SlotLimits::new(self.provider.policy, now).is_some_and(|l| l.allow(slot))
            && !caller_busy.iter().any(|b| b.overlaps(&slot))
    }
}

impl DirectoryIndex {
    pub fn search(&self, q: &Query<'_>) -> Page {
        self.search_with(q, SearchPlan::Choose)
    }

    pub fn search_with(&self, q: &Query<'_>, plan: SearchPlan) -> Page {
        let matches = self.filters.matching(q.filter);
        let total = matches.count();
        let need = q.offset.saturating_add(q.limit).min(total);
        let day = day_bounds(q.date, q.zone);
        let held = self.coverage();
        let covered = day.is_some_and(|d| d.end <= held.end && d.start.max(q.now) >= held.start);
        let ranks = match (day, plan) {
            (None, _) => matches.iter().take(need).map(|r| r as u32).collect(),
            (Some(day), SearchPlan::Scan) if covered => self.scan(q, day, &matches, need),
            (Some(day), SearchPlan::Choose)
                if covered && total.saturating_mul(SLOTS_PER_MATCH_FOR_SCAN) >= self.slots_within(day) =>
            {
                self.scan(q, day, &matches, need)
            }
            _ => self.each_match(q, &matches, need),
        };
        let providers = ranks
            .into_iter()
            .skip(q.offset)
            .map(|r| {
                let listed = &self.listed[r as usize];
                let slots = listed.slots_on(q.date, q.zone, q.now, q.caller_busy);
                Found { provider: listed.provider.clone(), slots }
            })
            .collect();
        Page { providers, total }
    }

    /// Held slots on the UTC days `day` touches (an estimate of what a scan reads at most).
    fn slots_within(&self, day: Interval) -> usize {
        self.day_lists(day).map(|(_, list)| list.len()).sum()
    }

    /// The held day lists touching `range`, with each day's start.
    fn day_lists(&self, range: Interval) -> impl Iterator<Item = (Timestamp, &Vec<u32>)> {
        let first = day_start(self.first_day);
        let from = range.start.duration_since(first).as_secs().div_euclid(86_400).max(0) as usize;
        self.days.iter().enumerate().skip(from).map_while(move |(n, list)| {
            let start = first.checked_add(SignedDuration::from_hours(24 * n as i64)).ok()?;
            (start < range.end).then_some((start, list))
        })
    }

    /// The first `need` ranks in order: read the free slots in time order, taking each matching
    /// provider at its first offered slot; if the day runs out, the matches without one follow.
    fn scan(&self, q: &Query<'_>, day: Interval, matches: &Bitset, need: usize) -> Vec<u32> {
        let from = day.start.max(q.now);
        let mut taken = Bitset::new(self.listed.len());
        let mut ranks = Vec::with_capacity(need);
        'days: for (start, list) in self.day_lists(day) {
            let skip = from.duration_since(start).as_secs().max(0) / 60;
            let at = list.partition_point(|&e| i64::from(unpack(e).0) < skip);
            for &entry in &list[at..] {
                if ranks.len() >= need {
                    break 'days;
                }
                let (minute, rank) = unpack(entry);
                let Ok(slot_start) = start.checked_add(SignedDuration::from_mins(i64::from(minute))) else { continue };
                if slot_start >= day.end {
                    break 'days;
                }
                let r = rank as usize;
                if slot_start < from || !matches.contains(r) || taken.contains(r) {
                    continue;
                }
                if self.listed[r].offers(slot_start, q.now, q.caller_busy) {
                    taken.insert(r);
                    ranks.push(rank);
                }
            }
        }
        if ranks.len() < need {
            let rest = matches.iter().filter(|&r| !taken.contains(r)).take(need - ranks.len());
            ranks.extend(rest.map(|r| r as u32));
        }
        ranks
    }

    /// The first `need` ranks in order, computing each match's day.
    fn each_match(&self, q: &Query<'_>, matches: &Bitset, need: usize) -> Vec<u32> {
        let mut firsts: Vec<(Option<Timestamp>, u32)> = matches
            .iter()
            .map(|r| {
                let first = self.listed[r].slots_on(q.date, q.zone, q.now, q.caller_busy).first().map(|s| s.start);
                (first, r as u32)
            })
            .collect();
        // Providers with a slot first, earliest first; then by rank.
        firsts.sort_by_key(|&(first, rank)| (first.is_none(), first, rank));
        firsts.into_iter().take(need).map(|(_, r)| r).collect()
    }
}
