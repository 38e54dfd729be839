//! The event catalogue, and the filter an endpoint subscribes with.

use std::collections::BTreeSet;
use std::fmt;

/// The most entries an endpoint's `events` may list.
pub const MAX_FILTER_ENTRIES: usize = 32;
/// The filter entry that subscribes to every event type, present and future.
pub const WILDCARD: &str = "*";

/// A kind of event sent to webhooks. Its name is the `type` of the payload, and is what a filter
/// lists; names are never changed once sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    BookingConfirmed,
    BookingFailed,
    BookingCancelled,
    BookingRescheduled,
    BookingCompleted,
    BookingNoShow,
    BookingReminder,
    UserRegistered,
    UserErased,
    AssessmentSubmitted,
    AssessmentRiskFlagged,
    /// Sent by the test route to the one endpoint named; no filter subscribes to it.
    WebhookTest,
}

impl EventType {
    /// Every type a filter may list, in catalogue order.
    pub const ALL_SUBSCRIBABLE: &[EventType] = &[
        EventType::BookingConfirmed,
        EventType::BookingFailed,
        EventType::BookingCancelled,
        EventType::BookingRescheduled,
        EventType::BookingCompleted,
        EventType::BookingNoShow,
        EventType::BookingReminder,
        EventType::UserRegistered,
        EventType::UserErased,
        EventType::AssessmentSubmitted,
        EventType::AssessmentRiskFlagged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventType::BookingConfirmed => "booking.confirmed",
            EventType::BookingFailed => "booking.failed",
            EventType::BookingCancelled => "booking.cancelled",
            EventType::BookingRescheduled => "booking.rescheduled",
            EventType::BookingCompleted => "booking.completed",
            EventType::BookingNoShow => "booking.no_show",
            EventType::BookingReminder => "booking.reminder",
            EventType::UserRegistered => "user.registered",
            EventType::UserErased => "user.erased",
            EventType::AssessmentSubmitted => "assessment.submitted",
            EventType::AssessmentRiskFlagged => "assessment.risk_flagged",
            EventType::WebhookTest => "webhook.test",
        }
    }

    /// The type of this exact name (case-sensitive), `webhook.test` included.
    pub fn parse(name: &str) -> Option<EventType> {
        if name == EventType::WebhookTest.name() {
            return Some(EventType::WebhookTest);
        }
        EventType::ALL_SUBSCRIBABLE.iter().copied().find(|t| t.name() == name)
    }

    pub fn is_subscribable(self) -> bool {
        self != EventType::WebhookTest
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an endpoint's `events` list was refused; each message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventFilterError {
    #[error("events: must list at least one event type, or \"*\" for all")]
    Empty,
    #[error("events: must list at most 32 entries; this lists {0}")]
    TooMany(usize),
    #[error("events[{index}]: {value:?} is not an event type")]
    Unknown { index: usize, value: String },
    #[error("events[{index}]: {value:?} cannot be subscribed to; it is sent only by the test route")]
    NotSubscribable { index: usize, value: String },
}

/// The event types an endpoint receives: all (`*`) or the ones listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    /// `None` for all.
    only: Option<BTreeSet<EventType>>,
}

impl EventFilter {
    /// Every subscribable event type, present and future.
    pub fn all() -> EventFilter {
        EventFilter { only: None }
    }

    /// Reads a client's list (also the stored form `names` writes). Duplicates collapse; `*`
    /// beside names means all.
    pub fn parse(names: &[String]) -> Result<EventFilter, EventFilterError> {
        if names.is_empty() {
            return Err(EventFilterError::Empty);
        }
        if names.len() > MAX_FILTER_ENTRIES {
            return Err(EventFilterError::TooMany(names.len()));
        }
        let mut wildcard = false;
        let mut only = BTreeSet::new();
        for (index, value) in names.iter().enumerate() {
            if value == WILDCARD {
                wildcard = true;
                continue;
            }
            match EventType::parse(value) {
                Some(t) if t.is_subscribable() => {
                    only.insert(t);
                }
                Some(_) => return Err(EventFilterError::NotSubscribable { index, value: value.clone() }),
                None => return Err(EventFilterError::Unknown { index, value: value.clone() }),
            }
        }
        Ok(EventFilter { only: if wildcard { None } else { Some(only) } })
    }

    /// Whether an event of this type is sent to the endpoint. `webhook.test` and names outside
    /// the catalogue never match.
    pub fn matches(&self, event_type: &str) -> bool {
        match EventType::parse(event_type) {
            Some(t) if t.is_subscribable() => self.only.as_ref().is_none_or(|only| only.contains(&t)),
            _ => false,
        }
    }

    /// The stored and returned form: `["*"]`, or the names sorted.
    pub fn names(&self) -> Vec<String> {
        match &self.only {
            None => vec![WILDCARD.to_string()],
            Some(only) => {
                let mut names: Vec<String> = only.iter().map(|t| t.name().to_string()).collect();
                names.sort_unstable();
                names
            }
        }
    }
}
