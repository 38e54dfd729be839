//! `ReminderStore`: reminder settings and scheduled reminders.

use crate::error::StoreError;
use crate::models::*;
use async_trait::async_trait;
use jiff::Timestamp;
use tahoon_domain::ids::{BookingId, OrganizationId, ReminderId, UserId};

/// Reminders before sessions: the offsets an organization and its users chose, and one scheduled
/// row per reminder of each Confirmed booking, written with the booking's change
/// (`transition_booking`, `reschedule_booking` replan them) and sent by the reminder pass.
#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// The organization's offsets (minutes), `None` when it never chose.
    async fn organization_reminder_offsets(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Option<Vec<i64>>, StoreError>;
    /// Sets the organization's offsets and replans the reminders of its upcoming sessions.
    async fn set_organization_reminder_offsets(
        &self,
        organization_id: OrganizationId,
        offsets: Vec<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    async fn user_reminder_preferences(&self, user_id: UserId) -> Result<Option<ReminderPreferences>, StoreError>;
    /// Sets a user's preferences and replans the reminders of the user's upcoming sessions.
    async fn set_user_reminder_preferences(
        &self,
        user_id: UserId,
        enabled: bool,
        offsets: Option<Vec<i64>>,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// Scheduled reminders due at `now` whose session has not started, earliest first, with their
    /// bookings (one still due after its session started, the service having been down, is not sent).
    async fn due_reminders(&self, now: Timestamp, limit: i64) -> Result<Vec<DueReminder>, StoreError>;
    /// Marks a due reminder sent and writes its event, in one transaction, if it is still
    /// scheduled and its booking is still Confirmed at the same time: `false` otherwise (another
    /// instance sent it, or the booking changed), with nothing written.
    async fn send_reminder(&self, reminder_id: ReminderId, event: NewEvent, now: Timestamp)
    -> Result<bool, StoreError>;
    /// A booking's reminders, in due order (for operators and tests).
    async fn booking_reminders(&self, booking_id: BookingId) -> Result<Vec<Reminder>, StoreError>;
}
