//! One provider as the index holds it: its profile, its zone, and its active bookings.

use crate::availability::{Interval, Schedule, SlotRequest, free_slots, slots};
use crate::ids::{CareProviderId, UserId};
use crate::provider::CareProvider;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::Arc;

/// An active booking, as search needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    pub provider_id: CareProviderId,
    pub user_id: UserId,
    /// The session itself (what its user is busy with).
    pub interval: Interval,
    /// The time it holds on the provider's calendar: the session and the buffer after it.
    pub held: Interval,
}

/// A booking as a provider's entry keeps it: its user and three instants in microseconds (the
/// precision bookings are stored in), a third of `Booked`'s size, since half a million are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Kept {
    pub(super) user_id: UserId,
    start: i64,
    end: i64,
    held_end: i64,
}

fn instant(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::MAX)
}

impl Kept {
    fn of(b: &Booked) -> Kept {
        // The held time starts with the session (`BookingPolicy::held`): a buffer only lengthens it.
        debug_assert_eq!(b.held.start, b.interval.start);
        Kept {
            user_id: b.user_id,
            start: b.interval.start.as_microsecond(),
            end: b.interval.end.as_microsecond(),
            held_end: b.held.end.as_microsecond(),
        }
    }

    pub(super) fn interval(&self) -> Interval {
        Interval { start: instant(self.start), end: instant(self.end) }
    }

    fn held(&self) -> Interval {
        Interval { start: instant(self.start), end: instant(self.held_end) }
    }
}

#[derive(Debug, Clone)]
pub struct Listed {
    pub provider: Arc<CareProvider>,
    /// `None` when the provider's zone is unknown to this build's zone database: no slots.
    zone: Option<TimeZone>,
    pub(super) bookings: Box<[Kept]>,
}

impl Listed {
    pub fn new(provider: Arc<CareProvider>, bookings: &[Booked]) -> Listed {
        let zone = TimeZone::get(&provider.time_zone).ok();
        Listed { provider, zone, bookings: bookings.iter().map(Kept::of).collect() }
    }

    /// The same bookings under the provider as it now is (its zone too).
    pub(super) fn with_provider(self, provider: Arc<CareProvider>) -> Listed {
        let zone = TimeZone::get(&provider.time_zone).ok();
        Listed { provider, zone, bookings: self.bookings }
    }

    fn schedule(&self) -> Option<Schedule<'_>> {
        self.provider.schedule(self.zone.as_ref()?)
    }

    /// The provider's calendar as its bookings hold it.
    fn held(&self) -> Vec<Interval> {
        self.bookings.iter().map(Kept::held).collect()
    }

    /// The slots free of the provider's bookings starting in `range` (before notice, horizon and
    /// the caller's own sessions); nothing for an inactive provider.
    pub(super) fn free_in(&self, range: Interval) -> Vec<Interval> {
        match self.schedule() {
            Some(schedule) if self.provider.active => free_slots(&schedule, range, &self.held()),
            _ => Vec::new(),
        }
    }

    /// The slots offered to a caller on its local `date` in `zone` at `now`, the caller's own
    /// sessions (`caller_busy`) left out: exactly what `availability::slots` gives.
    pub fn slots_on(&self, date: Date, zone: &TimeZone, now: Timestamp, caller_busy: &[Interval]) -> Vec<Interval> {
        let Some(schedule) = self.schedule() else { return Vec::new() };
        let held = self.held();
        let request = SlotRequest { date, caller_zone: zone, now, provider_busy: &held, caller_busy };
        slots(&schedule, &request)
    }

    pub(super) fn slot_minutes(&self) -> Option<u16> {
        self.provider.primary_rate().map(|r| r.duration_minutes).filter(|&m| m > 0)
    }
}
