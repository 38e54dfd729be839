//! Availability and slots: weekly windows and dated exceptions in the provider's own time zone,
//! turned into bookable slots for one day of the caller's calendar.
//!
//! Every conversion between local times and instants goes through jiff, so DST transitions and
//! 30/45-minute offsets are handled by the time zone database: a window's local start and end are
//! converted to instants (a local time that does not exist, in a spring-forward gap, maps to the
//! later instant; an ambiguous one, in a fall-back fold, to the earlier), and slots are laid out in
//! real elapsed time inside each window.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub const MINUTES_PER_DAY: u16 = 1440;

/// A span of local wall-clock time within one day, in minutes since midnight: `[start, end)`,
/// `end` up to 1440 (midnight at the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalWindow {
    start: u16,
    end: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvailabilityError {
    #[error("start must be before end, within 00:00–24:00")]
    BadWindow,
    #[error("must be a time written HH:MM (00:00–24:00)")]
    BadTime,
    #[error("must be 1 (Monday) to 7 (Sunday)")]
    BadWeekday,
    #[error("extra hours need a start and an end time")]
    ExtraHoursNeedWindow,
}

impl LocalWindow {
    pub fn new(start: u16, end: u16) -> Result<LocalWindow, AvailabilityError> {
        if start < end && end <= MINUTES_PER_DAY {
            Ok(LocalWindow { start, end })
        } else {
            Err(AvailabilityError::BadWindow)
        }
    }
    pub fn whole_day() -> LocalWindow {
        LocalWindow { start: 0, end: MINUTES_PER_DAY }
    }
    pub fn start(self) -> u16 {
        self.start
    }
    pub fn end(self) -> u16 {
        self.end
    }
}

/// Parses `HH:MM` or `HH:MM:SS` (seconds must be 0) into minutes since midnight; `24:00` allowed.
pub fn parse_clock(text: &str) -> Result<u16, AvailabilityError> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let number = |p: &str| (p.len() == 2).then(|| p.parse::<u16>().ok()).flatten();
    let (h, m) = match parts.as_slice() {
        [h, m] => (number(h), number(m)),
        [h, m, s] if number(s) == Some(0) => (number(h), number(m)),
        _ => (None, None),
    };
    match (h, m) {
        (Some(h), Some(m)) if m < 60 && (h < 24 || (h == 24 && m == 0)) => Ok(h * 60 + m),
        _ => Err(AvailabilityError::BadTime),
    }
}

/// Formats minutes since midnight as `HH:MM`.
pub fn format_clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Weekday numbers 1 (Monday) to 7 (Sunday).
pub fn weekday_from_number(n: i64) -> Result<Weekday, AvailabilityError> {
    i8::try_from(n).ok().and_then(|n| Weekday::from_monday_one_offset(n).ok()).ok_or(AvailabilityError::BadWeekday)
}

/// A recurring weekly window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyRule {
    pub weekday: Weekday,
    pub window: LocalWindow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExceptionKind {
    /// Not available (the whole day when no window is given).
    TimeOff,
    /// Available in addition to the weekly windows.
    ExtraHours,
}

/// A change to one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedException {
    pub date: Date,
    pub kind: ExceptionKind,
    pub window: LocalWindow,
}

/// Limits on when a slot may be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPolicy {
    /// A slot must start at least this long after now.
    pub min_notice_minutes: u32,
    /// A slot must end within this many days from now.
    pub horizon_days: u32,
    /// Kept free before and after every booked session.
    pub buffer_minutes: u32,
}

impl BookingPolicy {
    /// The time a session holds on its provider's calendar: from its start to its end plus the
    /// buffer. Two sessions of one provider conflict when their held times overlap, which keeps
    /// at least the buffer between them; search and booking both decide by this one rule (the
    /// database compares the held times it stored).
    pub fn held(&self, session: Interval) -> Option<Interval> {
        let buffer = SignedDuration::from_mins(i64::from(self.buffer_minutes));
        Some(Interval { start: session.start, end: session.end.checked_add(buffer).ok()? })
    }
}

impl Default for BookingPolicy {
    fn default() -> Self {
        BookingPolicy { min_notice_minutes: 60, horizon_days: 60, buffer_minutes: 0 }
    }
}

/// An interval of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// One provider's availability, ready for slot computation.
#[derive(Debug, Clone)]
pub struct Schedule<'a> {
    pub zone: &'a TimeZone,
    pub weekly: &'a [WeeklyRule],
    pub exceptions: &'a [DatedException],
    pub policy: BookingPolicy,
    pub slot_minutes: u16,
}

/// What the caller asks for and what is already taken.
#[derive(Debug, Clone)]
pub struct SlotRequest<'a> {
    /// The caller's local date.
    pub date: Date,
    pub caller_zone: &'a TimeZone,
    pub now: Timestamp,
    /// The time the provider's active bookings hold (`BookingPolicy::held`, as stored with
    /// each booking): a slot is offered only if its own held time overlaps none of them.
    pub provider_busy: &'a [Interval],
    /// The caller's own active bookings with anyone (not offered again).
    pub caller_busy: &'a [Interval],
}

/// The instants `[start, end)` of the caller's local `date`.
pub fn day_bounds(date: Date, zone: &TimeZone) -> Option<Interval> {
    let start = zone.to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight())).compatible().ok()?;
    let end = zone
        .to_ambiguous_timestamp(date.tomorrow().ok()?.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .ok()?;
    Some(Interval { start, end })
}

/// The instant of local minute `minute` (0–1440) of `date` in `zone`.
fn instant(date: Date, minute: u16, zone: &TimeZone) -> Option<Timestamp> {
    let (date, minute) = if minute >= MINUTES_PER_DAY { (date.tomorrow().ok()?, 0) } else { (date, minute) };
    let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    zone.to_ambiguous_timestamp(date.to_datetime(time)).compatible().ok()
}

/// Sorted, non-overlapping local windows open on `date`: weekly windows and extra hours, merged,
/// minus time off.
pub fn open_windows(date: Date, weekly: &[WeeklyRule], exceptions: &[DatedException]) -> Vec<LocalWindow> {
    let mut open: Vec<LocalWindow> = weekly
        .iter()
        .filter(|r| r.weekday == date.weekday())
        .map(|r| r.window)
        .chain(exceptions.iter().filter(|e| e.date == date && e.kind == ExceptionKind::ExtraHours).map(|e| e.window))
        .collect();
    open.sort();
    let mut merged: Vec<LocalWindow> = Vec::with_capacity(open.len());
    for w in open {
        match merged.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => merged.push(w),
        }
    }
    for off in exceptions.iter().filter(|e| e.date == date && e.kind == ExceptionKind::TimeOff) {
        merged = merged
            .into_iter()
            .flat_map(|w| {
                let before = LocalWindow::new(w.start, w.end.min(off.window.start)).ok();
                let after = LocalWindow::new(w.start.max(off.window.end), w.end).ok();
                [before, after].into_iter().flatten()
            })
            .collect();
    }
    merged
}

/// The open windows of the provider's local dates that touch `range`, as instants.
pub fn open_intervals(schedule: &Schedule<'_>, range: Interval) -> Vec<Interval> {
    let zone = schedule.zone;
    let first = zone.to_datetime(range.start).date();
    let last = zone.to_datetime(range.end.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(range.end)).date();
    let mut out = Vec::new();
    let mut date = first;
    while date <= last {
        for w in open_windows(date, schedule.weekly, schedule.exceptions) {
            if let (Some(start), Some(end)) = (instant(date, w.start, zone), instant(date, w.end, zone))
                && start < end
            {
                out.push(Interval { start, end });
            }
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    out
}

/// Every slot of the provider's default length laid out in its open windows that touch `range`,
/// before any booking or limit is considered: a window's slots start at its start and follow one
/// another; a slot that would run past the window's end is not laid out. Unsorted; a DST fold can
/// lay one instant out twice.
pub fn laid_out(schedule: &Schedule<'_>, range: Interval) -> Vec<Interval> {
    let mut out = Vec::new();
    if schedule.slot_minutes == 0 {
        return out;
    }
    let length = SignedDuration::from_mins(i64::from(schedule.slot_minutes));
    for window in open_intervals(schedule, range) {
        let mut start = window.start;
        while let Ok(end) = start.checked_add(length) {
            if end > window.end {
                break;
            }
            out.push(Interval { start, end });
            start = end;
        }
    }
    out
}

/// The slots starting in `range` whose held time (`BookingPolicy::held`) overlaps none of
/// `provider_busy`, sorted and without duplicates: what the provider could offer anyone, before
/// the notice, the horizon and the caller's own sessions are applied (`SlotLimits`).
pub fn free_slots(schedule: &Schedule<'_>, range: Interval, provider_busy: &[Interval]) -> Vec<Interval> {
    let mut out: Vec<Interval> = laid_out(schedule, range)
        .into_iter()
        .filter(|slot| {
            slot.start >= range.start
                && slot.start < range.end
                && schedule.policy.held(*slot).is_some_and(|held| !provider_busy.iter().any(|b| b.overlaps(&held)))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What a free slot must also satisfy to be offered at `now`: the provider's notice and horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotLimits {
    /// A slot must start at or after this instant.
    pub earliest_start: Timestamp,
    /// A slot must end at or before this instant.
    pub latest_end: Timestamp,
}

impl SlotLimits {
    /// `None` when the limits leave nothing (an instant out of range).
    pub fn new(policy: BookingPolicy, now: Timestamp) -> Option<SlotLimits> {
        let earliest_start = now.checked_add(SignedDuration::from_mins(i64::from(policy.min_notice_minutes))).ok()?;
        let latest_end = now.checked_add(SignedDuration::from_hours(24 * i64::from(policy.horizon_days))).ok()?;
        Some(SlotLimits { earliest_start, latest_end })
    }

    pub fn allow(&self, slot: Interval) -> bool {
        slot.start >= self.earliest_start && slot.end <= self.latest_end
    }
}

/// The bookable slots starting on the caller's local date, sorted and without duplicates.
pub fn slots(schedule: &Schedule<'_>, request: &SlotRequest<'_>) -> Vec<Interval> {
    let Some(day) = day_bounds(request.date, request.caller_zone) else { return Vec::new() };
    let Some(limits) = SlotLimits::new(schedule.policy, request.now) else { return Vec::new() };
    let mut out = free_slots(schedule, day, request.provider_busy);
    out.retain(|slot| limits.allow(*slot) && !request.caller_busy.iter().any(|b| b.overlaps(slot)));
    out
}

#[cfg(test)]
mod tests;
