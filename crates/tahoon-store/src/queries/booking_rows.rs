//! Bookings as selected, and their conversion to the store's models.

use crate::backend::common::{instant, status_of};
use crate::error::StoreError;
use crate::models::*;
use tahoon_domain::availability::Interval;

/// The booking columns, in `BookingRow` order.
pub(super) const COLUMNS: &str = "id, organization_id, user_id, provider_id, starts_at, ends_at, status, \
     price_minor, currency, communication_type, from_mobile, platform_id, meeting_id, join_url, charity_debited, \
     created_at";

#[derive(sqlx::FromRow)]
pub(super) struct BookingRow {
    pub id: i64,
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
    charity_debited: bool,
    created_at: i64,
}

impl TryFrom<BookingRow> for Booking {
    type Error = StoreError;
    fn try_from(r: BookingRow) -> Result<Self, StoreError> {
        Ok(Booking {
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            provider_id: r.provider_id,
            starts_at_us: r.starts_at,
            ends_at_us: r.ends_at,
            status: status_of(r.status)?,
            price_minor: r.price_minor,
            currency: r.currency,
            communication_type: r.communication_type,
            from_mobile: r.from_mobile,
            platform_id: r.platform_id,
            meeting_id: r.meeting_id,
            join_url: r.join_url,
            charity_debited: r.charity_debited,
            created_at_us: r.created_at,
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
            at_us: r.at,
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
            provider_id: r.provider_id,
            user_id: r.user_id,
            interval: Interval { start: instant(r.starts_at)?, end: instant(r.ends_at)? },
            held: Interval { start: instant(r.starts_at)?, end: instant(r.blocks_until)? },
        })
    }
}
