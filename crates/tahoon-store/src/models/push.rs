//! Push jobs: one per outbox event announced to a care provider (`PushStore`).

use super::OutboxEvent;
use jiff::Timestamp;
use tahoon_domain::ids::PushJobId;

/// The outbox events that are pushed to the provider. The server maps each to its notification
/// type (`NotificationType::for_event`); a test there keeps the two lists equal.
pub const PUSH_EVENT_TYPES: [&str; 4] =
    ["booking.confirmed", "booking.cancelled", "booking.rescheduled", "booking.reminder"];

/// The longest `last_error` kept (longer ones are cut).
pub const PUSH_ERROR_MAX_CHARS: usize = 200;

/// Where a push job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// Claimed by a worker until `locked_until`; claimed again once that has passed.
    Sending,
    /// Both messages were accepted by FCM.
    Sent,
    /// Given up: refused for good, or out of attempts (`last_error` says which).
    Failed,
    /// Closed without sending (push not configured, nothing to tell); `last_error` says why.
    Skipped,
}

impl PushStatus {
    pub const ALL: [PushStatus; 5] =
        [PushStatus::Pending, PushStatus::Sending, PushStatus::Sent, PushStatus::Failed, PushStatus::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            PushStatus::Pending => "pending",
            PushStatus::Sending => "sending",
            PushStatus::Sent => "sent",
            PushStatus::Failed => "failed",
            PushStatus::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<PushStatus> {
        PushStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// Which of an event's two messages FCM has accepted: a retry sends only the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushParts {
    /// To the provider's Android topic.
    pub android: bool,
    /// To the provider's iOS topic.
    pub ios: bool,
}

impl PushParts {
    pub const NONE: PushParts = PushParts { android: false, ios: false };
    pub const BOTH: PushParts = PushParts { android: true, ios: true };

    pub fn is_complete(self) -> bool {
        self == PushParts::BOTH
    }

    /// As stored: 1 = Android, 2 = iOS.
    pub fn bits(self) -> i64 {
        i64::from(self.android) | (i64::from(self.ios) << 1)
    }

    pub fn from_bits(bits: i64) -> Option<PushParts> {
        (0..=3).contains(&bits).then_some(PushParts { android: bits & 1 != 0, ios: bits & 2 != 0 })
    }
}

/// A push job and the event it announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushJob {
    pub id: PushJobId,
    pub event: OutboxEvent,
    pub status: PushStatus,
    /// Attempts begun (a claim counts one): the claimed attempt's number, which fences its finish.
    pub attempts: i64,
    pub sent_parts: PushParts,
    pub next_attempt_at: Timestamp,
    /// The lease of a `Sending` job.
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Creating the jobs of new events.
#[derive(Debug, Clone, Copy)]
pub struct EnqueuePush {
    pub now: Timestamp,
    /// Events created before this have committed (or never will): the consumer's cursor may pass
    /// them. Later ones are looked at again on the next pass, so one whose transaction commits after
    /// a later event's is not missed.
    pub settled_before: Timestamp,
}

/// Claiming due jobs: pending ones whose `next_attempt_at` has come, and sending ones whose lease
/// has expired (their worker died). Each claimed job is `Sending` until `lease_until`, its
/// attempt counted.
#[derive(Debug, Clone, Copy)]
pub struct ClaimPush {
    pub now: Timestamp,
    pub lease_until: Timestamp,
    pub limit: i64,
}

/// How a claimed attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEnd {
    Sent,
    /// Closed without sending; why.
    Skipped {
        reason: String,
    },
    /// Given up for good.
    Failed {
        error: String,
    },
    /// Tried again, not before `at`.
    Retry {
        at: Timestamp,
        error: String,
    },
}

/// The end of the attempt `attempt` of job `id`.
#[derive(Debug, Clone)]
pub struct FinishPush {
    pub id: PushJobId,
    /// The claimed job's `attempts`: a finish of an attempt whose lease was taken over does nothing.
    pub attempt: i64,
    pub sent_parts: PushParts,
    pub end: PushEnd,
    pub now: Timestamp,
}
