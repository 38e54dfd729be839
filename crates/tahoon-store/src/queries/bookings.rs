//! Bookings: holding a slot, changing a booking's status or time, and reading bookings back.
//!
//! Two active bookings (`ACTIVE_STATUSES`) never overlap: each change checks first (to answer
//! "taken" cleanly) and the database refuses what a race lets through (`DbStore::is_overlap`).

use super::DbStore;
use super::audit::append_in;
use super::booking_rows::{BookingRow, BusyRow, COLUMNS, HistoryLine, MeetingColumns, Overlap, StatusChangeRow};
use super::outbox::insert_event;
use super::reminders::replan;
use super::users::register;
use crate::backend::common::ACTIVE_STATUSES;
use crate::error::StoreError;
use crate::models::*;
use crate::store::BookingStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::booking::{Booking, BookingStatus, StatusChange};
use tahoon_domain::ids::{BookingId, Id, OrganizationId};
use tahoon_domain::organization::SessionBalance;

/// The conditions of one user's booking history (`$1`..`$5`), shared by its page and its count.
/// A status of 0 matches every status; an unbounded side is bound as `i64::MIN` or `i64::MAX`.
const USER_BOOKINGS: &str = "organization_id = $1 AND user_id = $2 AND ($3 = 0 OR status = $3) \
     AND starts_at >= $4 AND starts_at < $5";

#[async_trait::async_trait]
impl BookingStore for DbStore {
    async fn hold_booking(&self, new: NewBooking) -> Result<HoldOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        // A guest is registered in this transaction: any refusal below rolls it back.
        let (user_id, guest_created) = match &new.user {
            BookingUser::Existing(id) => (*id, false),
            BookingUser::Guest(guest) => match register(&mut tx, guest).await? {
                Registration::Created(user) => (user.id, true),
                Registration::Existing(user) => (user.id, false),
            },
        };
        DbStore::lock_calendars(&mut tx, user_id, new.provider_id).await?;
        let (cap,): (Option<i64>,) =
            sqlx::query_as("SELECT max_active_bookings_per_user FROM organizations WHERE id = $1")
                .bind(new.organization_id.get())
                .fetch_one(&mut *tx)
                .await?;
        if let Some(limit) = cap {
            // Concurrent holds for one user count one after the other (`lock_calendars`).
            let (active,): (i64,) = sqlx::query_as(formatcp!(
                "SELECT COUNT(*) FROM bookings WHERE user_id = $1 AND {ACTIVE_STATUSES} AND starts_at > $2"
            ))
            .bind(user_id.get())
            .bind(new.now.as_microsecond())
            .fetch_one(&mut *tx)
            .await?;
            if active >= limit {
                return Ok(HoldOutcome::UserLimitReached { limit });
            }
        }
        let overlap = Overlap {
            except: None,
            provider_id: new.provider_id,
            user_id,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            blocks_until: new.blocks_until,
        };
        if overlap.exists(&mut tx).await? {
            return Ok(HoldOutcome::Taken);
        }
        if new.debit_balance {
            let debited = sqlx::query("UPDATE organizations SET balance = balance - 1 WHERE id = $1 AND balance > 0")
                .bind(new.organization_id.get())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if debited == 0 {
                return Ok(HoldOutcome::BalanceOut);
            }
        }
        let inserted: Result<BookingRow, sqlx::Error> = sqlx::query_as(formatcp!(
            "INSERT INTO bookings (organization_id, user_id, provider_id, starts_at, ends_at, status, price_minor, \
             currency, communication_type, from_mobile, platform_id, charity_debited, created_at, updated_at, \
             blocks_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) \
             RETURNING {COLUMNS}"
        ))
        .bind(new.organization_id.get())
        .bind(user_id.get())
        .bind(new.provider_id.get())
        .bind(new.starts_at.as_microsecond())
        .bind(new.ends_at.as_microsecond())
        .bind(BookingStatus::Pending.code())
        .bind(new.price_minor)
        .bind(&new.currency)
        .bind(new.communication_type)
        .bind(new.from_mobile)
        .bind(new.platform_id)
        .bind(new.debit_balance)
        .bind(new.now.as_microsecond())
        .bind(new.blocks_until.as_microsecond())
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(e) if DbStore::is_overlap(&e) => return Ok(HoldOutcome::Taken),
            Err(e) => return Err(e.into()),
        };
        let booking: Booking = row.try_into()?;
        let history = HistoryLine {
            booking_id: booking.id,
            from: None,
            to: BookingStatus::Pending,
            at: new.now,
            actor: &new.actor,
            reason: "slot held",
        };
        history.insert(&mut tx).await?;
        if let (true, Some(audit)) = (guest_created, new.guest_audit) {
            append_in(&mut tx, audit).await?;
        }
        match tx.commit().await {
            Ok(()) => Ok(HoldOutcome::Held { booking, guest_created }),
            Err(e) if DbStore::is_overlap(&e) => Ok(HoldOutcome::Taken),
            Err(e) => Err(e.into()),
        }
    }

    async fn transition_booking(&self, t: Transition) -> Result<Option<Booking>, StoreError> {
        let mut tx = self.begin_write().await?;
        let current: Option<BookingRow> = sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM bookings WHERE id = $1"))
            .bind(t.booking_id.get())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(current) = current else { return Ok(None) };
        let current: Booking = current.try_into()?;
        let allowed = current.status.can_become_at(t.to, t.now, current.starts_at);
        if !t.from.contains(&current.status) || allowed.is_err() {
            return Ok(None);
        }
        let restore_balance = t.restore_balance && current.charity_debited;
        let meeting = MeetingColumns::of(t.meeting.as_ref());
        let row: BookingRow = sqlx::query_as(formatcp!(
            "UPDATE bookings SET status = $2, updated_at = $3, meeting_id = COALESCE($4, meeting_id), \
             join_url = CASE WHEN $4 IS NULL THEN join_url ELSE $5 END, video_vendor = COALESCE($6, video_vendor), \
             charity_debited = CASE WHEN $7 THEN $8 ELSE charity_debited END \
             WHERE id = $1 AND status = $9 RETURNING {COLUMNS}"
        ))
        .bind(t.booking_id.get())
        .bind(t.to.code())
        .bind(t.now.as_microsecond())
        .bind(meeting.meeting_id)
        .bind(meeting.join_url)
        .bind(meeting.vendor)
        .bind(restore_balance)
        .bind(false)
        .bind(current.status.code())
        .fetch_one(&mut *tx)
        .await?;
        if restore_balance {
            // Checked: a balance already at its ceiling stays there rather than overflow.
            sqlx::query(
                "UPDATE organizations SET balance = CASE WHEN balance < $2 THEN balance + 1 ELSE balance END \
                 WHERE id = $1",
            )
            .bind(current.organization_id.get())
            .bind(SessionBalance::MAX)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(guest) = t.withdraw_guest {
            sqlx::query(
                "UPDATE users SET name = NULL, dob = NULL, reference_id = NULL, erased_at = $2 \
                 WHERE id = $1 AND erased_at IS NULL",
            )
            .bind(guest.get())
            .bind(t.now.as_microsecond())
            .execute(&mut *tx)
            .await?;
        }
        let history = HistoryLine {
            booking_id: t.booking_id,
            from: Some(current.status),
            to: t.to,
            at: t.now,
            actor: &t.actor,
            reason: &t.reason,
        };
        history.insert(&mut tx).await?;
        if let Some(event) = &t.event {
            insert_event(&mut tx, event, t.now).await?;
        }
        if let Some(audit) = t.audit {
            append_in(&mut tx, audit).await?;
        }
        let booking: Booking = row.try_into()?;
        replan(&mut tx, &booking, t.now).await?;
        tx.commit().await?;
        Ok(Some(booking))
    }

    async fn reschedule_booking(&self, change: Reschedule) -> Result<RescheduleOutcome, StoreError> {
        let Reschedule { booking_id, starts_at, ends_at, blocks_until, actor, event, audit, meeting, now } = change;
        let confirmed = BookingStatus::Confirmed;
        let mut tx = self.begin_write().await?;
        let current: Option<BookingRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM bookings WHERE id = $1 AND status = $2"))
                .bind(booking_id.get())
                .bind(confirmed.code())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(current) = current else { return Ok(RescheduleOutcome::NotMovable) };
        let current: Booking = current.try_into()?;
        DbStore::lock_calendars(&mut tx, current.user_id, current.provider_id).await?;
        let overlap = Overlap {
            except: Some(booking_id),
            provider_id: current.provider_id,
            user_id: current.user_id,
            starts_at,
            ends_at,
            blocks_until,
        };
        if overlap.exists(&mut tx).await? {
            return Ok(RescheduleOutcome::Taken);
        }
        let meeting = MeetingColumns::of(meeting.as_ref());
        let moved: Result<BookingRow, sqlx::Error> = sqlx::query_as(formatcp!(
            "UPDATE bookings SET meeting_id = COALESCE($3, meeting_id), \
             join_url = CASE WHEN $3 IS NULL THEN join_url ELSE $4 END, video_vendor = COALESCE($5, video_vendor), \
             starts_at = $6, ends_at = $7, updated_at = $8, blocks_until = $9 \
             WHERE id = $1 AND status = $2 RETURNING {COLUMNS}"
        ))
        .bind(booking_id.get())
        .bind(confirmed.code())
        .bind(meeting.meeting_id)
        .bind(meeting.join_url)
        .bind(meeting.vendor)
        .bind(starts_at.as_microsecond())
        .bind(ends_at.as_microsecond())
        .bind(now.as_microsecond())
        .bind(blocks_until.as_microsecond())
        .fetch_one(&mut *tx)
        .await;
        let row = match moved {
            Ok(row) => row,
            Err(e) if DbStore::is_overlap(&e) => return Ok(RescheduleOutcome::Taken),
            Err(e) => return Err(e.into()),
        };
        let moved: Booking = row.try_into()?;
        replan(&mut tx, &moved, now).await?;
        // The history's text keeps the stored form: microseconds since the Unix epoch.
        let reason =
            format!("rescheduled from {} to {}", current.starts_at.as_microsecond(), starts_at.as_microsecond());
        let history =
            HistoryLine { booking_id, from: Some(confirmed), to: confirmed, at: now, actor: &actor, reason: &reason };
        history.insert(&mut tx).await?;
        insert_event(&mut tx, &event, now).await?;
        if let Some(audit) = audit {
            append_in(&mut tx, audit).await?;
        }
        match tx.commit().await {
            Ok(()) => Ok(RescheduleOutcome::Moved(moved)),
            Err(e) if DbStore::is_overlap(&e) => Ok(RescheduleOutcome::Taken),
            Err(e) => Err(e.into()),
        }
    }

    async fn booking(
        &self,
        organization_id: OrganizationId,
        booking_id: BookingId,
    ) -> Result<Option<Booking>, StoreError> {
        let row: Option<BookingRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM bookings WHERE id = $1 AND organization_id = $2"))
                .bind(booking_id.get())
                .bind(organization_id.get())
                .fetch_optional(&self.pool)
                .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn booking_by_id(&self, booking_id: BookingId) -> Result<Option<Booking>, StoreError> {
        let row: Option<BookingRow> = sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM bookings WHERE id = $1"))
            .bind(booking_id.get())
            .fetch_optional(&self.pool)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn stale_holds(&self, q: StaleHolds) -> Result<Vec<Booking>, StoreError> {
        // Without a session to overlap, the overlap conditions are switched off by $3 (and the
        // values bound for them are never compared); without a user, no user has id 0.
        let times = q.overlapping.map(|t| {
            (
                t.provider_id.get(),
                t.user_id.map_or(0, Id::get),
                t.starts_at.as_microsecond(),
                t.ends_at.as_microsecond(),
                t.blocks_until.as_microsecond(),
            )
        });
        let (provider_id, user_id, starts_at, ends_at, blocks_until) = times.unwrap_or_default();
        let rows: Vec<BookingRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM bookings WHERE status = $1 AND created_at <= $2 \
             AND (NOT $3 OR (provider_id = $4 AND starts_at < $8 AND blocks_until > $6) \
               OR (user_id = $5 AND starts_at < $7 AND ends_at > $6)) \
             ORDER BY created_at, id LIMIT $9"
        ))
        .bind(BookingStatus::Pending.code())
        .bind(q.created_by.as_microsecond())
        .bind(q.overlapping.is_some())
        .bind(provider_id)
        .bind(user_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(blocks_until)
        .bind(q.limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn booking_history(&self, booking_id: BookingId) -> Result<Vec<StatusChange>, StoreError> {
        let rows: Vec<StatusChangeRow> = sqlx::query_as(
            "SELECT from_status, to_status, at, actor, reason FROM booking_status_history \
             WHERE booking_id = $1 ORDER BY id",
        )
        .bind(booking_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn user_bookings(&self, q: BookingQuery) -> Result<(Vec<Booking>, i64), StoreError> {
        let status = q.status.map_or(0, |s| s.code());
        let from = q.from.map_or(i64::MIN, Timestamp::as_microsecond);
        let to = q.to.map_or(i64::MAX, Timestamp::as_microsecond);
        // The page and the count read one snapshot.
        let mut tx = self.begin_read().await?;
        let rows: Vec<BookingRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM bookings WHERE {USER_BOOKINGS} ORDER BY starts_at, id LIMIT $6 OFFSET $7"
        ))
        .bind(q.organization_id.get())
        .bind(q.user_id.get())
        .bind(status)
        .bind(from)
        .bind(to)
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(&mut *tx)
        .await?;
        let (total,): (i64,) = sqlx::query_as(formatcp!("SELECT COUNT(*) FROM bookings WHERE {USER_BOOKINGS}"))
            .bind(q.organization_id.get())
            .bind(q.user_id.get())
            .bind(status)
            .bind(from)
            .bind(to)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?, total))
    }

    async fn organization_bookings(
        &self,
        organization_id: OrganizationId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Booking>, StoreError> {
        let rows: Vec<BookingRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM bookings WHERE organization_id = $1 AND starts_at >= $2 AND starts_at < $3 \
             ORDER BY starts_at, id"
        ))
        .bind(organization_id.get())
        .bind(from.as_microsecond())
        .bind(to.as_microsecond())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn busy_intervals(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BusyInterval>, StoreError> {
        let rows: Vec<BusyRow> = sqlx::query_as(formatcp!(
            "SELECT provider_id, user_id, starts_at, ends_at, blocks_until FROM bookings \
             WHERE {ACTIVE_STATUSES} AND starts_at < $2 AND blocks_until > $1"
        ))
        .bind(from.as_microsecond())
        .bind(to.as_microsecond())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
