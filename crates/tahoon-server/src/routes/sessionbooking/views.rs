//! Wire shapes of bookings and the resolution of a requested slot.

use crate::error::{ApiError, ApiResult};
use crate::openapi::{
    BookingId, BookingStatusCode, BookingStatusName, CareProviderId, CommunicationType, UserId, VideoVendorName,
};
use crate::routes::careprovider::views::{SlotView, caller_day, slot_views};
use crate::services::booking::RequestedSlot;
use crate::services::video::sessions;
use crate::state::AppState;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use tahoon_domain::availability::{Interval, parse_clock};
use tahoon_domain::booking::Booking;
use tahoon_domain::ids::{self, kind};
use tahoon_domain::reason::Reason;
use tahoon_integrations::video::JoinTicket;
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
    /// The video service that holds the session's room; absent while the booking has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<VideoVendorName>)]
    pub video_vendor: Option<String>,
    /// How each participant joins the session: in the answers of `booksession`, `bulk`,
    /// `reschedule` and `GET /sessionbooking/{bookingId}`, for a Confirmed booking (absent
    /// otherwise, and from lists and cancellations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<ParticipantsView>,
}

/// The client's and the provider's ways into the session (minted when answered).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantsView {
    /// The organization's user.
    pub client: JoinTicketView,
    /// The care provider (on VideoSDK also allowed to moderate).
    pub provider: JoinTicketView,
}

/// How one participant joins the session: a link, a token for the vendor's SDK, or both.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JoinTicketView {
    /// The participant's identity at the video service: the user's or the provider's public id.
    pub participant_id: String,
    /// The name the other participant sees: the provider's display name; for the client `Client`,
    /// or the user's name only when the operator lets organizations share it
    /// (`privacy.share_user_name_with_providers`).
    pub display_name: String,
    /// A link that opens the session in a browser (Jitsi; with token authentication it carries the
    /// participant's token). Absent for vendors joined through their SDK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    /// The participant's token: VideoSDK's `rtc` token (pass it with `meetingId` to VideoSDK's
    /// SDK, with `displayName`), LiveKit's access token, or Jitsi's JWT. Absent where the
    /// vendor uses none (Jitsi without token authentication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The server an SDK connects to with `token` (LiveKit's `wss://…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
    /// When `token` stops being accepted: 30 minutes after the session's end.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

fn ticket_view(id: String, ticket: JoinTicket) -> JoinTicketView {
    JoinTicketView {
        participant_id: id,
        display_name: ticket.display_name,
        join_url: ticket.join_url,
        token: ticket.token,
        server_url: ticket.server_url,
        expires_at: ticket.expires_at.to_string(),
    }
}

/// A booking as a booking answer shows it: with the participants' join tickets when Confirmed.
pub async fn booked_view(state: &AppState, b: &Booking, zone: &TimeZone) -> BookingView {
    let mut view = booking_view(state, b, zone);
    if let Some(tickets) = sessions::tickets(state, b).await {
        view.video_vendor = Some(tickets.vendor.as_str().to_string());
        view.participants = Some(ParticipantsView {
            client: ticket_view(state.ids.encode(b.user_id), tickets.client),
            provider: ticket_view(state.ids.encode(b.provider_id), tickets.provider),
        });
    }
    view
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
        // Rooms from before vendors were recorded are Jitsi-style links.
        video_vendor: b.meeting_id.as_ref().map(|_| b.video_vendor.unwrap_or_default().as_str().to_string()),
        participants: None,
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
    /// The zone when neither `time_zone` nor `gmt_hours` is given (`default_zone`).
    pub fallback_zone: &'a TimeZone,
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// By `applicationMultiSlotId`, or by `slotDate` + `slotStartTime` + `slotEndTime` in the request's
/// zone (the organization's default zone, else UTC, when none is given) with `careProviderId`. Returns the slot and the request's zone.
pub fn requested_slot(state: &AppState, f: SlotFields<'_>) -> ApiResult<(RequestedSlot, TimeZone)> {
    let day = caller_day(f.time_zone, f.gmt_hours, f.slot_date, f.fallback_zone, state.clock.now())?;
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
