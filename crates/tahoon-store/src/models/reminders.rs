//! Reminder settings and scheduled reminders (`ReminderStore`).

use jiff::Timestamp;
use tahoon_domain::booking::Booking;
use tahoon_domain::ids::ReminderId;

/// A user's reminder preferences as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPreferences {
    pub enabled: bool,
    /// The user's own offsets (minutes), or `None` for the organization's.
    pub offsets: Option<Vec<i64>>,
    pub updated_at: Timestamp,
}

/// Where a reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderStatus {
    Scheduled,
    Sent,
    /// The booking moved, ended or was cancelled before it was due; or the offsets changed.
    Cancelled,
}

impl ReminderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStatus::Scheduled => "scheduled",
            ReminderStatus::Sent => "sent",
            ReminderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<ReminderStatus> {
        [ReminderStatus::Scheduled, ReminderStatus::Sent, ReminderStatus::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One reminder of a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: ReminderId,
    pub offset_minutes: i64,
    pub session_start: Timestamp,
    pub due_at: Timestamp,
    pub status: ReminderStatus,
    pub sent_at: Option<Timestamp>,
}

/// A scheduled reminder whose time has come, with its booking as it is now.
#[derive(Debug, Clone)]
pub struct DueReminder {
    pub reminder: Reminder,
    pub booking: Booking,
}
