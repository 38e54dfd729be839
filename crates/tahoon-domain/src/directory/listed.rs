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

#[derive(Debug, Clone)]
pub struct Listed {
    pub provider: Arc<CareProvider>,
    /// `None` when the provider's zone is unknown to this build's zone database: no slots.
    zone: Option<TimeZone>,
    pub(super) bookings: Vec<Booked>,
    held: Vec<Interval>,
}

impl Listed {
    pub fn new(provider: Arc<CareProvider>, bookings: Vec<Booked>) -> Listed {
        let zone = TimeZone::get(&provider.time_zone).ok();
        let held = bookings.iter().map(|b| b.held).collect();
        Listed { provider, zone, bookings, held }
    }

    fn schedule(&self) -> Option<Schedule<'_>> {
        self.provider.schedule(self.zone.as_ref()?)
    }

    /// The slots free of the provider's bookings starting in `range` (before notice, horizon and
    /// the caller's own sessions); nothing for an inactive provider.
    pub(super) fn free_in(&self, range: Interval) -> Vec<Interval> {
        match self.schedule() {
            Some(schedule) if self.provider.active => free_slots(&schedule, range, &self.held),
            _ => Vec::new(),
        }
    }

    /// The slots offered to a caller on its local `date` in `zone` at `now`, the caller's own
    /// sessions (`caller_busy`) left out: exactly what `availability::slots` gives.
    pub fn slots_on(&self, date: Date, zone: &TimeZone, now: Timestamp, caller_busy: &[Interval]) -> Vec<Interval> {
        let Some(schedule) = self.schedule() else { return Vec::new() };
        let request = SlotRequest { date, caller_zone: zone, now, provider_busy: &self.held, caller_busy };
        slots(&schedule, &request)
    }

    pub(super) fn slot_minutes(&self) -> Option<u16> {
        self.provider.primary_rate().map(|r| r.duration_minutes).filter(|&m| m > 0)
    }
}
