//! Reminders (`ReminderStore`): the offsets chosen, and each Confirmed booking's scheduled
//! reminders, replanned inside every transaction that changes the booking.

use super::booking_rows::{BookingRow, COLUMNS};
use super::outbox::insert_event;
use super::{Connection, DbStore};
use crate::backend::common::{corrupt, instant, json};
use crate::error::StoreError;
use crate::models::*;
use crate::store::ReminderStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::{BookingId, Id, OrganizationId, ReminderId, UserId};
use tahoon_domain::reminders::{ReminderOffsets, effective, plan};

const REMINDER_COLUMNS: &str = "id, offset_minutes, session_start, due_at, status, sent_at";

#[derive(sqlx::FromRow)]
struct ReminderRow {
    id: i64,
    offset_minutes: i64,
    session_start: i64,
    due_at: i64,
    status: String,
    sent_at: Option<i64>,
}

impl TryFrom<ReminderRow> for Reminder {
    type Error = StoreError;
    fn try_from(r: ReminderRow) -> Result<Self, StoreError> {
        Ok(Reminder {
            id: Id::new(r.id),
            offset_minutes: r.offset_minutes,
            session_start: instant(r.session_start)?,
            due_at: instant(r.due_at)?,
            status: ReminderStatus::parse(&r.status).ok_or_else(|| corrupt("reminder status", &r.status))?,
            sent_at: r.sent_at.map(instant).transpose()?,
        })
    }
}

/// Stored offsets, read back (they were checked when set).
fn offsets(what: &str, text: &str) -> Result<ReminderOffsets, StoreError> {
    let minutes: Vec<i64> = json(what, text)?;
    ReminderOffsets::parse(&minutes).map_err(|_| corrupt(what, text))
}

/// The offsets that apply to `user_id`'s sessions in `organization_id`.
async fn offsets_for(
    conn: &mut Connection,
    organization_id: OrganizationId,
    user_id: UserId,
) -> Result<ReminderOffsets, StoreError> {
    // One round trip: the user's preference (no row: `enabled` is NULL) and the organization's.
    let (enabled, own, organization): (Option<bool>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT (SELECT enabled FROM user_reminder_preferences WHERE user_id = $1), \
         (SELECT offsets FROM user_reminder_preferences WHERE user_id = $1), \
         (SELECT offsets FROM organization_reminder_settings WHERE organization_id = $2)",
    )
    .bind(user_id.get())
    .bind(organization_id.get())
    .fetch_one(&mut *conn)
    .await?;
    let own = own.map(|t| offsets("user reminder offsets", &t)).transpose()?;
    let organization = organization.map(|t| offsets("organization reminder offsets", &t)).transpose()?;
    Ok(effective(enabled, own, organization))
}

/// Replaces `booking`'s scheduled (unsent) reminders with those its current time and status call
/// for: none unless it is Confirmed. A reminder already sent for the same time and offset is not
/// sent again. Runs inside the transaction of every change of the booking.
pub(super) async fn replan(conn: &mut Connection, booking: &Booking, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE booking_reminders SET status = 'cancelled' WHERE booking_id = $1 AND status = 'scheduled'")
        .bind(booking.id.get())
        .execute(&mut *conn)
        .await?;
    if booking.status != BookingStatus::Confirmed {
        return Ok(());
    }
    let offsets = offsets_for(conn, booking.organization_id, booking.user_id).await?;
    for planned in plan(booking.starts_at, &offsets, now) {
        sqlx::query(
            "INSERT INTO booking_reminders (booking_id, offset_minutes, session_start, due_at, status, created_at) \
             VALUES ($1, $2, $3, $4, 'scheduled', $5) ON CONFLICT (booking_id, offset_minutes, session_start) \
             DO UPDATE SET status = 'scheduled', due_at = excluded.due_at WHERE booking_reminders.status = 'cancelled'",
        )
        .bind(booking.id.get())
        .bind(planned.offset_minutes)
        .bind(booking.starts_at.as_microsecond())
        .bind(planned.due_at.as_microsecond())
        .bind(now.as_microsecond())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An organization's upcoming Confirmed bookings (`$1`, `$2`: now, `$3`: Confirmed).
const ORGANIZATION_UPCOMING: &str =
    formatcp!("SELECT {COLUMNS} FROM bookings WHERE organization_id = $1 AND starts_at > $2 AND status = $3");

/// A user's upcoming Confirmed bookings (`$1`, `$2`: now, `$3`: Confirmed).
const USER_UPCOMING: &str =
    formatcp!("SELECT {COLUMNS} FROM bookings WHERE user_id = $1 AND starts_at > $2 AND status = $3");

/// Replans every booking `upcoming` selects for `id`.
async fn replan_upcoming(
    conn: &mut Connection,
    upcoming: &'static str,
    id: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    let rows: Vec<BookingRow> = sqlx::query_as(upcoming)
        .bind(id)
        .bind(now.as_microsecond())
        .bind(BookingStatus::Confirmed.code())
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        replan(conn, &row.try_into()?, now).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl ReminderStore for DbStore {
    async fn organization_reminder_offsets(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT offsets FROM organization_reminder_settings WHERE organization_id = $1")
                .bind(organization_id.get())
                .fetch_optional(&self.pool)
                .await?;
        text.map(|t| Ok(offsets("organization reminder offsets", &t)?.minutes().to_vec())).transpose()
    }

    async fn set_organization_reminder_offsets(
        &self,
        organization_id: OrganizationId,
        offsets: Vec<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO organization_reminder_settings (organization_id, offsets, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organization_id) DO UPDATE SET offsets = excluded.offsets, updated_at = excluded.updated_at",
        )
        .bind(organization_id.get())
        .bind(serde_json::to_string(&offsets).expect("numbers serialize"))
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?;
        replan_upcoming(&mut tx, ORGANIZATION_UPCOMING, organization_id.get(), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_reminder_preferences(&self, user_id: UserId) -> Result<Option<ReminderPreferences>, StoreError> {
        let row: Option<(bool, Option<String>, i64)> =
            sqlx::query_as("SELECT enabled, offsets, updated_at FROM user_reminder_preferences WHERE user_id = $1")
                .bind(user_id.get())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(enabled, own, updated_at)| {
            Ok(ReminderPreferences {
                enabled,
                offsets: own
                    .map(|t| Ok::<_, StoreError>(offsets("user reminder offsets", &t)?.minutes().to_vec()))
                    .transpose()?,
                updated_at: instant(updated_at)?,
            })
        })
        .transpose()
    }

    async fn set_user_reminder_preferences(
        &self,
        user_id: UserId,
        enabled: bool,
        offsets: Option<Vec<i64>>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO user_reminder_preferences (user_id, enabled, offsets, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, offsets = excluded.offsets, \
             updated_at = excluded.updated_at",
        )
        .bind(user_id.get())
        .bind(enabled)
        .bind(offsets.map(|o| serde_json::to_string(&o).expect("numbers serialize")))
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?;
        replan_upcoming(&mut tx, USER_UPCOMING, user_id.get(), now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn due_reminders(&self, now: Timestamp, limit: i64) -> Result<Vec<DueReminder>, StoreError> {
        let mut tx = self.begin_read().await?;
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, booking_id FROM booking_reminders WHERE status = 'scheduled' AND due_at <= $1 \
             AND session_start > $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(now.as_microsecond())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for (id, booking_id) in rows {
            let reminder: ReminderRow =
                sqlx::query_as(formatcp!("SELECT {REMINDER_COLUMNS} FROM booking_reminders WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let booking: BookingRow = sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM bookings WHERE id = $1"))
                .bind(booking_id)
                .fetch_one(&mut *tx)
                .await?;
            due.push(DueReminder { reminder: reminder.try_into()?, booking: booking.try_into()? });
        }
        tx.commit().await?;
        Ok(due)
    }

    async fn send_reminder(
        &self,
        reminder_id: ReminderId,
        event: NewEvent,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // Still scheduled, and its booking still Confirmed at the time it reminds of.
        let sent = sqlx::query(
            "UPDATE booking_reminders SET status = 'sent', sent_at = $2 WHERE id = $1 AND status = 'scheduled' \
             AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_reminders.booking_id AND b.status = $3 \
             AND b.starts_at = booking_reminders.session_start)",
        )
        .bind(reminder_id.get())
        .bind(now.as_microsecond())
        .bind(BookingStatus::Confirmed.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if sent == 0 {
            return Ok(false);
        }
        insert_event(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn booking_reminders(&self, booking_id: BookingId) -> Result<Vec<Reminder>, StoreError> {
        let rows: Vec<ReminderRow> = sqlx::query_as(formatcp!(
            "SELECT {REMINDER_COLUMNS} FROM booking_reminders WHERE booking_id = $1 ORDER BY due_at, id"
        ))
        .bind(booking_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
