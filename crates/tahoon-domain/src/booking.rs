//! Bookings: the booking itself, the status machine and the cancellation policy.

use crate::ids::{BookingId, CareProviderId, OrganizationId, UserId};
use crate::settings::VideoProvider;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A booked session, in whatever status it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub provider_id: CareProviderId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: BookingStatus,
    pub price_minor: i64,
    pub currency: String,
    pub communication_type: i64,
    pub from_mobile: bool,
    pub platform_id: Option<i64>,
    pub meeting_id: Option<String>,
    pub join_url: Option<String>,
    /// The vendor that made the room (`None` before a room exists, and for rooms made before
    /// vendors were recorded, which were Jitsi-style links).
    pub video_vendor: Option<VideoProvider>,
    pub charity_debited: bool,
    pub created_at: Timestamp,
}

/// One line of a booking's status history (`from` is `None` for the hold that created it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    pub at: Timestamp,
    pub actor: String,
    pub reason: String,
}

/// Booking statuses. 1, 3, 6 and 8 are the reference's codes; 9 and 10 are Tahoon's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BookingStatus {
    Pending,
    Confirmed,
    Cancelled,
    Failed,
    Completed,
    NoShow,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Pending,
        BookingStatus::Confirmed,
        BookingStatus::Cancelled,
        BookingStatus::Failed,
        BookingStatus::Completed,
        BookingStatus::NoShow,
    ];

    pub fn code(self) -> i64 {
        match self {
            BookingStatus::Confirmed => 1,
            BookingStatus::Cancelled => 3,
            BookingStatus::Pending => 6,
            BookingStatus::Failed => 8,
            BookingStatus::Completed => 9,
            BookingStatus::NoShow => 10,
        }
    }

    pub fn from_code(code: i64) -> Option<BookingStatus> {
        BookingStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            BookingStatus::Pending => "Pending",
            BookingStatus::Confirmed => "Confirmed",
            BookingStatus::Cancelled => "Cancelled",
            BookingStatus::Failed => "Failed",
            BookingStatus::Completed => "Completed",
            BookingStatus::NoShow => "NoShow",
        }
    }

    pub fn from_name(name: &str) -> Option<BookingStatus> {
        BookingStatus::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Whether a booking in this status holds its time (no other booking may overlap it).
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }

    /// Whether a session in this status is billed to a standard organization.
    pub fn is_billable(self) -> bool {
        matches!(self, BookingStatus::Confirmed | BookingStatus::Completed | BookingStatus::NoShow)
    }

    /// The legal transitions at `now` of a session starting at `start`: how a session ended
    /// (Completed, NoShow) can only be recorded once it has started. Everything else is refused.
    pub fn can_become_at(self, next: BookingStatus, now: Timestamp, start: Timestamp) -> Result<(), TransitionError> {
        if !self.can_become(next) {
            return Err(TransitionError::NotAllowed { from: self, to: next });
        }
        if matches!(next, BookingStatus::Completed | BookingStatus::NoShow) && now < start {
            return Err(TransitionError::NotStarted);
        }
        Ok(())
    }

    /// The legal transitions, whatever the time. Everything else is refused.
    pub fn can_become(self, next: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, next),
            (Pending, Confirmed)
                | (Pending, Failed)
                | (Pending, Cancelled)
                | (Confirmed, Cancelled)
                | (Confirmed, Completed)
                | (Confirmed, NoShow)
        )
    }
}

/// Whether a hold has waited too long to be confirmed: a Pending booking created at least `ttl`
/// ago was abandoned (a crash or a failure between holding and confirming) and is failed, freeing
/// its slot and balance.
pub fn is_stale_hold(status: BookingStatus, created_at: Timestamp, now: Timestamp, ttl: SignedDuration) -> bool {
    status == BookingStatus::Pending && now.duration_since(created_at) >= ttl
}

/// Why the status machine refuses a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a {} booking cannot become {}", from.name(), to.name())]
    NotAllowed { from: BookingStatus, to: BookingStatus },
    #[error("the session has not started yet")]
    NotStarted,
}

/// What the cancellation policy says about cancelling now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelDecision {
    /// At least the cut-off before the start: cancelled, and a charity's session is restored.
    WithRefund,
    /// Inside the cut-off, before the start: cancelled, the session is spent.
    WithoutRefund,
    /// The session has started or is over.
    TooLate,
}

/// The organization's cancellation policy: a cut-off in hours before the start.
pub fn cancel_decision(now: Timestamp, start: Timestamp, cutoff_hours: i64) -> CancelDecision {
    if now >= start {
        CancelDecision::TooLate
    } else if start.duration_since(now) >= SignedDuration::from_hours(cutoff_hours) {
        CancelDecision::WithRefund
    } else {
        CancelDecision::WithoutRefund
    }
}

/// Rescheduling moves a session only when it could be cancelled with a refund.
pub fn can_reschedule(now: Timestamp, start: Timestamp, cutoff_hours: i64) -> bool {
    cancel_decision(now, start, cutoff_hours) == CancelDecision::WithRefund
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus::*;

    #[test]
    fn codes_round_trip_and_keep_the_reference() {
        assert_eq!((Confirmed.code(), Cancelled.code(), Pending.code(), Failed.code()), (1, 3, 6, 8));
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::from_code(s.code()), Some(s));
            assert_eq!(BookingStatus::from_name(s.name()), Some(s));
        }
        assert_eq!(BookingStatus::from_code(2), None);
    }

    #[test]
    fn every_transition_is_decided() {
        let allowed = [
            (Pending, Confirmed),
            (Pending, Failed),
            (Pending, Cancelled),
            (Confirmed, Cancelled),
            (Confirmed, Completed),
            (Confirmed, NoShow),
        ];
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
        // Terminal statuses go nowhere.
        for terminal in [Cancelled, Failed, Completed, NoShow] {
            assert!(BookingStatus::ALL.iter().all(|to| !terminal.can_become(*to)));
            assert!(!terminal.is_active());
        }
        assert!(Pending.is_active() && Confirmed.is_active());
    }

    #[test]
    fn how_a_session_ended_is_recorded_only_once_it_started() {
        let start: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let before = "2026-12-01T09:59:59Z".parse().unwrap();
        for to in [Completed, NoShow] {
            assert_eq!(Confirmed.can_become_at(to, before, start), Err(TransitionError::NotStarted));
            assert_eq!(Confirmed.can_become_at(to, start, start), Ok(()));
            assert_eq!(
                Cancelled.can_become_at(to, start, start),
                Err(TransitionError::NotAllowed { from: Cancelled, to })
            );
        }
        // Cancelling and confirming do not wait for the start.
        assert_eq!(Confirmed.can_become_at(Cancelled, before, start), Ok(()));
        assert_eq!(Pending.can_become_at(Confirmed, before, start), Ok(()));
    }

    #[test]
    fn only_old_pending_holds_are_stale() {
        let created: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let ttl = SignedDuration::from_mins(2);
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(!is_stale_hold(Pending, created, at("2026-12-01T10:01:59Z"), ttl));
        assert!(is_stale_hold(Pending, created, at("2026-12-01T10:02:00Z"), ttl));
        for other in [Confirmed, Cancelled, Failed, Completed, NoShow] {
            assert!(!is_stale_hold(other, created, at("2026-12-02T10:00:00Z"), ttl));
        }
    }

    #[test]
    fn cancellation_cut_off() {
        let start: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(cancel_decision(at("2026-11-30T10:00:00Z"), start, 24), CancelDecision::WithRefund);
        assert_eq!(cancel_decision(at("2026-11-30T10:00:01Z"), start, 24), CancelDecision::WithoutRefund);
        assert_eq!(cancel_decision(at("2026-12-01T09:59:59Z"), start, 24), CancelDecision::WithoutRefund);
        assert_eq!(cancel_decision(start, start, 24), CancelDecision::TooLate);
        assert_eq!(cancel_decision(at("2026-12-01T09:00:00Z"), start, 0), CancelDecision::WithRefund);
        assert!(can_reschedule(at("2026-11-29T10:00:00Z"), start, 24));
        assert!(!can_reschedule(at("2026-12-01T09:00:00Z"), start, 24));
    }
}
