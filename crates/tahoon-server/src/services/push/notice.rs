//! What a provider is told about one outbox event: the booking (by the public id in the event),
//! the session's times as the event gives them, the provider's time zone and topic id, the room,
//! and the client's name only when `privacy.share_user_name_with_providers` allows it.

use crate::services::error::ServiceResult;
use crate::state::AppState;
use jiff::Timestamp;
use serde::Deserialize;
use tahoon_domain::booking::{Booking, BookingStatus};
use tahoon_domain::ids::kind;
use tahoon_integrations::push::{BookingNotice, Language, NotificationType, ProviderTopicId};
use tahoon_store::PushJob;

/// Why a job is closed without a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoNotice {
    /// Nothing to tell (recorded as skipped): the reason.
    Skip(&'static str),
    /// The event cannot be announced (recorded as failed): the reason.
    Fail(&'static str),
}

/// The payload the booking transactions write (`services::booking::event`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    booking_id: String,
    start_utc: Option<String>,
    end_utc: Option<String>,
}

/// The notice of `job`'s event at `now`, or why there is none.
pub async fn notice(state: &AppState, job: &PushJob, now: Timestamp) -> ServiceResult<Result<BookingNotice, NoNotice>> {
    let Some(kind) = NotificationType::for_event(&job.event.event_type) else {
        return Ok(Err(NoNotice::Skip("this event is not announced to providers")));
    };
    let Ok(payload) = serde_json::from_str::<Payload>(&job.event.payload) else {
        return Ok(Err(NoNotice::Fail("the event does not name a booking")));
    };
    let Ok(booking_id) = state.ids.decode::<kind::Booking>(&payload.booking_id) else {
        return Ok(Err(NoNotice::Fail("the event's booking id is not valid")));
    };
    let Some(booking) = state.store.booking_by_id(booking_id).await? else {
        return Ok(Err(NoNotice::Fail("the event's booking does not exist")));
    };
    let instant = |text: Option<&String>| text.and_then(|t| t.parse::<Timestamp>().ok());
    let starts_at = instant(payload.start_utc.as_ref()).unwrap_or(booking.starts_at);
    let ends_at = instant(payload.end_utc.as_ref()).unwrap_or(booking.ends_at);
    if let Some(skip) = superseded(state, kind, &booking, starts_at, ends_at).await? {
        return Ok(Err(NoNotice::Skip(skip)));
    }
    if ends_at <= now {
        return Ok(Err(NoNotice::Skip("the session is over")));
    }
    let Some(provider) = state.store.care_provider(booking.provider_id).await? else {
        return Ok(Err(NoNotice::Fail("the booking's care provider does not exist")));
    };
    let Ok(provider_id) = ProviderTopicId::new(&state.ids.encode(booking.provider_id)) else {
        return Ok(Err(NoNotice::Fail("the provider id cannot name an FCM topic")));
    };
    let user_display_name = if state.settings.privacy().await?.share_user_name_with_providers {
        state.store.user(booking.organization_id, booking.user_id).await?.and_then(|u| u.name)
    } else {
        None
    };
    Ok(Ok(BookingNotice {
        notification_type: kind,
        provider_id,
        booking_id: payload.booking_id,
        starts_at,
        ends_at,
        time_zone: provider.time_zone,
        meeting_id: booking.meeting_id,
        user_display_name,
        // Providers have no language of their own yet: English, the reference's primary one (the
        // data carries both languages).
        language: Language::English,
    }))
}

/// Whether a later change made this notice wrong: a new booking or a move that no longer stands
/// (cancelled since, or moved again: the later event tells), or a cancellation of a hold the
/// provider was never told about.
async fn superseded(
    state: &AppState,
    kind: NotificationType,
    booking: &Booking,
    starts_at: Timestamp,
    ends_at: Timestamp,
) -> ServiceResult<Option<&'static str>> {
    Ok(match kind {
        NotificationType::CancelRefundBooking => {
            let history = state.store.booking_history(booking.id).await?;
            (!history.iter().any(|change| change.to == BookingStatus::Confirmed))
                .then_some("the booking was cancelled before it was confirmed")
        }
        _ if booking.status != BookingStatus::Confirmed => Some("the booking is no longer confirmed"),
        _ if (booking.starts_at, booking.ends_at) != (starts_at, ends_at) => Some("the booking has moved since"),
        _ => None,
    })
}
