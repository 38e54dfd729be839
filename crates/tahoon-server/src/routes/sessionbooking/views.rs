//! Wire shapes of bookings and the resolution of a requested slot.

use crate::error::{ApiError, ApiResult};
use crate::openapi::{BookingId, BookingStatusCode, BookingStatusName, CareProviderId, CommunicationType, UserId};
use crate::routes::careprovider::views::{SlotView, caller_day, slot_views};
use crate::services::booking::RequestedSlot;
use crate::state::AppState;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use tahoon_domain::availability::{Interval, parse_clock};
use tahoon_domain::booking::Booking;
use tahoon_domain::ids::{self, kind};
use tahoon_domain::reason::Reason;
use utoipa::{IntoParams, ToSchema};

/// The `{bookingId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct BookingPath {
    #[param(value_type = BookingId)]
    pub booking_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingView {
    #[schema(value_type = BookingId)]
    pub booking_id: String,
    pub meeting_id: Option<String>,
    pub join_url: Option<String>,
    #[schema(value_type = UserId)]
    pub user_id: String,
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    #[schema(value_type = BookingStatusCode)]
    pub status: i64,
    #[schema(value_type = BookingStatusName)]
    pub status_name: String,
    /// In the request's time zone (UTC when none was given).
    pub slot: SlotView,
    /// In major units.
    pub price: f64,
    pub currency: String,
    #[schema(value_type = CommunicationType)]
    pub cat_communication_type_id: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn booking_view(state: &AppState, b: &Booking, zone: &TimeZone) -> BookingView {
    let interval = Interval { start: b.starts_at, end: b.ends_at };
    let slot = slot_views(state, b.provider_id, &[interval], zone).remove(0);
    BookingView {
        booking_id: state.ids.encode(b.id),
        meeting_id: b.meeting_id.clone(),
        join_url: b.join_url.clone(),
        user_id: state.ids.encode(b.user_id),
        care_provider_id: state.ids.encode(b.provider_id),
        status: b.status.code(),
        status_name: b.status.name().into(),
        slot,
        price: b.price_minor as f64 / 100.0,
        currency: b.currency.clone(),
        cat_communication_type_id: b.communication_type,
        created_at: b.created_at.to_string(),
    }
}

/// The parts of a request that name a slot.
pub struct SlotFields<'a> {
    pub care_provider_id: Option<&'a str>,
    pub application_multi_slot_id: Option<&'a str>,
    pub slot_date: Option<&'a str>,
    pub slot_start_time: Option<&'a str>,
    pub slot_end_time: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub gmt_hours: Option<f64>,
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// By `applicationMultiSlotId`, or by `slotDate` + `slotStartTime` + `slotEndTime` in the request's
/// zone (UTC when none is given) with `careProviderId`. Returns the slot and the request's zone.
pub fn requested_slot(state: &AppState, f: SlotFields<'_>) -> ApiResult<(RequestedSlot, TimeZone)> {
    let day = caller_day(f.time_zone, f.gmt_hours, f.slot_date, state.clock.now())?;
    let provider = present(f.care_provider_id)
        .map(|id| {
            state
                .ids
                .decode::<kind::CareProvider>(id)
                .map_err(|_| ApiError::field(Reason::NotAllowed, "careProviderId", "no such care provider"))
        })
        .transpose()?;
    if let Some(slot_id) = present(f.application_multi_slot_id) {
        let key = state
            .ids
            .decode_slot(slot_id)
            .map_err(|_| ApiError::field(Reason::NotAllowed, "applicationMultiSlotId", "is not a valid slot id"))?;
        if provider.is_some_and(|p| p != key.provider_id) {
            return Err(ApiError::field(
                Reason::NotAllowed,
                "applicationMultiSlotId",
                "belongs to another care provider",
            ));
        }
        let start = Timestamp::from_second(key.start_unix_seconds).map_err(|_| ApiError::new(Reason::NotAllowed))?;
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(i64::from(key.duration_minutes)))
            .map_err(|_| ApiError::new(Reason::NotAllowed))?;
        return Ok((RequestedSlot { provider_id: key.provider_id, interval: Interval { start, end } }, day.zone));
    }
    let provider = provider.ok_or_else(|| ApiError::field(Reason::EmptyParameter, "careProviderId", "is required"))?;
    let field = |name: &'static str, v: Option<&str>| {
        present(v).map(str::to_string).ok_or_else(|| {
            ApiError::field(Reason::EmptyParameter, name, "is required (or give applicationMultiSlotId)")
        })
    };
    field("slotDate", f.slot_date)?;
    let start = parse_clock(&field("slotStartTime", f.slot_start_time)?)
        .map_err(|e| ApiError::validation("slotStartTime", e.to_string()))?;
    let end = parse_clock(&field("slotEndTime", f.slot_end_time)?)
        .map_err(|e| ApiError::validation("slotEndTime", e.to_string()))?;
    let instant = |date: jiff::civil::Date, minute: u16| -> ApiResult<Timestamp> {
        let (date, minute) = if minute >= 1440 {
            (date.tomorrow().map_err(|_| ApiError::validation("slotDate", "is out of range"))?, 0)
        } else {
            (date, minute)
        };
        let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .map_err(|_| ApiError::validation("slotStartTime", "is not a time"))?;
        day.zone
            .to_ambiguous_timestamp(date.to_datetime(time))
            .compatible()
            .map_err(|_| ApiError::validation("slotDate", "is out of range"))
    };
    let start_at = instant(day.date, start)?;
    // An end at or before the start is on the next date (a session across midnight).
    let end_date = if end <= start {
        day.date.tomorrow().map_err(|_| ApiError::validation("slotDate", "is out of range"))?
    } else {
        day.date
    };
    let end_at = instant(end_date, end)?;
    Ok((RequestedSlot { provider_id: provider, interval: Interval { start: start_at, end: end_at } }, day.zone))
}

/// The booking named by `bookingId` (malformed and other-kind ids are NotFound).
pub fn booking_id(state: &AppState, text: &str) -> ApiResult<ids::BookingId> {
    state
        .ids
        .decode::<kind::Booking>(text.trim())
        .map_err(|_| ApiError::field(Reason::NotFound, "bookingId", "no such booking"))
}
