//! `GET /sessionbooking/{bookingId}`.

use super::views::{BookingPath, BookingView, booked_view, booking_id};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::query::ApiQuery;
use crate::openapi::{BookingStatusName, NotFound, QueryErrors, RoomStatusName, TimeZoneName};
use crate::services::booking;
use crate::services::video::sessions;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ZoneQuery {
    /// IANA zone to show the slot in (UTC by default).
    #[param(value_type = TimeZoneName, required = false)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChangeView {
    /// `null` for the first status.
    #[schema(value_type = Option<BookingStatusName>)]
    pub from_status: Option<String>,
    #[schema(value_type = BookingStatusName)]
    pub to_status: String,
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingDetail {
    #[serde(flatten)]
    pub booking: BookingView,
    /// Every status change, oldest first.
    pub status_history: Vec<StatusChangeView>,
    /// What the video service says of the room, checked when the booking is read from 15 minutes
    /// before its session's start to its end (Confirmed only; absent at other times). `Unknown`
    /// when the service did not answer within 2 seconds or failed: reading never fails for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RoomStatusName>)]
    pub room_status: Option<String>,
}

/// One booking with its status history.
///
/// For a Confirmed booking, the participants' join tickets (`participants`); from 15 minutes
/// before the session's start to its end, also what the video service says of the room
/// (`roomStatus`).
#[utoipa::path(
    get,
    path = "/sessionbooking/{bookingId}",
    tag = "sessionbooking",
    params(BookingPath, ZoneQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The booking, its slot in `timeZone`, its status history, the participants' join \
            tickets (Confirmed) and, shortly before the session, `roomStatus`", body = Envelope<BookingDetail>),
        QueryErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn get_booking(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiPath(path): ApiPath<BookingPath>,
    ApiQuery(query): ApiQuery<ZoneQuery>,
) -> ApiResult<Success<BookingDetail>> {
    let zone = crate::routes::careprovider::views::caller_day(
        query.time_zone.as_deref(),
        None,
        None,
        &crate::routes::careprovider::views::default_zone(&auth.organization),
        state.clock.now(),
    )?
    .zone;
    let found =
        booking::owned_booking(&state, auth.organization.id, booking_id(&state, &path.booking_id)?, None, None).await?;
    let history = booking::history(&state, &found).await?;
    let room_status = sessions::room_status(&state, &found).await;
    Ok(Success(BookingDetail {
        booking: booked_view(&state, &found, &zone).await,
        room_status: room_status.map(|s| s.name().to_string()),
        status_history: history
            .iter()
            .map(|h| StatusChangeView {
                from_status: h.from.map(|s| s.name().to_string()),
                to_status: h.to.name().into(),
                at: h.at.to_string(),
                reason: h.reason.clone(),
            })
            .collect(),
    }))
}
