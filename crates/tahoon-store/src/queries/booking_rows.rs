//! Bookings as selected and their conversion to the store's models, and the two checks every
//! change of a booking makes: overlap and history.

use super::Connection;
use crate::backend::common::{ACTIVE_STATUSES, instant, status_of, video_vendor_of};
use crate::error::StoreError;
use crate::models::*;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::availability::Interval;
use tahoon_domain::booking::{Booking, BookingStatus, StatusChange};
use tahoon_domain::ids::{BookingId, CareProviderId, Id, UserId};

/// The booking columns, in `BookingRow` order.
pub(super) const COLUMNS: &str = "id, organization_id, user_id, provider_id, starts_at, ends_at, status, \
     price_minor, currency, communication_type, from_mobile, platform_id, meeting_id, join_url, video_vendor, \
     charity_debited, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct BookingRow {
    id: i64,
    organization_id: i64,
    user_id: i64,
    provider_id: i64,
    starts_at: i64,
    ends_at: i64,
    status: i64,
    price_minor: i64,
    currency: String,
    communication_type: i64,
    from_mobile: bool,
    platform_id: Option<i64>,
    meeting_id: Option<String>,
    join_url: Option<String>,
    video_vendor: Option<String>,
    charity_debited: bool,
    created_at: i64,
}

impl TryFrom<BookingRow> for Booking {
    type Error = StoreError;
    fn try_from(r: BookingRow) -> Result<Self, StoreError> {
        Ok(Booking {
            id: Id::new(r.id),
            organization_id: Id::new(r.organization_id),
            user_id: Id::new(r.user_id),
            provider_id: Id::new(r.provider_id),
            starts_at: instant(r.starts_at)?,
            ends_at: instant(r.ends_at)?,
            status: status_of(r.status)?,
            price_minor: r.price_minor,
            currency: r.currency,
            communication_type: r.communication_type,
            from_mobile: r.from_mobile,
            platform_id: r.platform_id,
            meeting_id: r.meeting_id,
            join_url: r.join_url,
            video_vendor: r.video_vendor.as_deref().map(video_vendor_of).transpose()?,
            charity_debited: r.charity_debited,
            created_at: instant(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct StatusChangeRow {
    from_status: Option<i64>,
    to_status: i64,
    at: i64,
    actor: String,
    reason: String,
}

impl TryFrom<StatusChangeRow> for StatusChange {
    type Error = StoreError;
    fn try_from(r: StatusChangeRow) -> Result<Self, StoreError> {
        Ok(StatusChange {
            from: r.from_status.map(status_of).transpose()?,
            to: status_of(r.to_status)?,
            at: instant(r.at)?,
            actor: r.actor,
            reason: r.reason,
        })
    }
}

/// An active booking's place in the calendar.
#[derive(sqlx::FromRow)]
pub(super) struct BusyRow {
    provider_id: i64,
    user_id: i64,
    starts_at: i64,
    ends_at: i64,
    blocks_until: i64,
}

impl TryFrom<BusyRow> for BusyInterval {
    type Error = StoreError;
    fn try_from(r: BusyRow) -> Result<Self, StoreError> {
        Ok(BusyInterval {
            provider_id: Id::new(r.provider_id),
            user_id: Id::new(r.user_id),
            interval: Interval { start: instant(r.starts_at)?, end: instant(r.ends_at)? },
            held: Interval { start: instant(r.starts_at)?, end: instant(r.blocks_until)? },
        })
    }
}

/// Whether an active booking other than `except` would overlap a session of `user_id` with
/// `provider_id` over `[starts_at, ends_at)` holding the provider until `blocks_until`. The
/// provider's calendar compares held times (sessions and their buffers); the user's compares the
/// sessions themselves.
pub(super) struct Overlap {
    pub except: Option<BookingId>,
    pub provider_id: CareProviderId,
    pub user_id: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub blocks_until: Timestamp,
}

impl Overlap {
    pub async fn exists(&self, conn: &mut Connection) -> Result<bool, StoreError> {
        let found: Option<(i64,)> = sqlx::query_as(formatcp!(
            "SELECT id FROM bookings WHERE {ACTIVE_STATUSES} AND id <> $1 \
             AND ((provider_id = $2 AND starts_at < $6 AND blocks_until > $4) \
               OR (user_id = $3 AND starts_at < $5 AND ends_at > $4)) LIMIT 1"
        ))
        .bind(self.except.map_or(0, Id::get)) // no booking has id 0
        .bind(self.provider_id.get())
        .bind(self.user_id.get())
        .bind(self.starts_at.as_microsecond())
        .bind(self.ends_at.as_microsecond())
        .bind(self.blocks_until.as_microsecond())
        .fetch_optional(conn)
        .await?;
        Ok(found.is_some())
    }
}

/// A booking's room as bound to an update: all `None` keeps the stored room (a room is replaced
/// whole: its id, its link, even when the new one has none, and its vendor).
pub(super) struct MeetingColumns {
    pub meeting_id: Option<String>,
    pub join_url: Option<String>,
    pub vendor: Option<&'static str>,
}

impl MeetingColumns {
    pub fn of(meeting: Option<&Meeting>) -> MeetingColumns {
        MeetingColumns {
            meeting_id: meeting.map(|m| m.meeting_id.clone()),
            join_url: meeting.and_then(|m| m.join_url.clone()),
            vendor: meeting.map(|m| m.vendor.as_str()),
        }
    }
}

/// One line of a booking's status history.
pub(super) struct HistoryLine<'a> {
    pub booking_id: BookingId,
    pub from: Option<BookingStatus>,
    pub to: BookingStatus,
    pub at: Timestamp,
    pub actor: &'a str,
    pub reason: &'a str,
}

impl HistoryLine<'_> {
    pub async fn insert(&self, conn: &mut Connection) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO booking_status_history (booking_id, from_status, to_status, at, actor, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.booking_id.get())
        .bind(self.from.map(BookingStatus::code))
        .bind(self.to.code())
        .bind(self.at.as_microsecond())
        .bind(self.actor)
        .bind(self.reason)
        .execute(conn)
        .await?;
        Ok(())
    }
}
