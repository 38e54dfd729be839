//! `GET /sessionbooking/{bookingId}`.

use super::views::{BookingPath, BookingView, booking_id, booking_view};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::query::ApiQuery;
use crate::openapi::{BookingStatusName, NotFound, QueryErrors, TimeZoneName};
use crate::services::booking;
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
}

/// One booking with its status history.
#[utoipa::path(
    get,
    path = "/sessionbooking/{bookingId}",
    tag = "sessionbooking",
    params(BookingPath, ZoneQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The booking, its slot in `timeZone`, and its status history", body = Envelope<BookingDetail>),
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
    let zone =
        crate::routes::careprovider::views::caller_day(query.time_zone.as_deref(), None, None, state.clock.now())?.zone;
    let found =
        booking::owned_booking(&state, auth.organization.id, booking_id(&state, &path.booking_id)?, None, None).await?;
    let history = booking::history(&state, &found).await?;
    Ok(Success(BookingDetail {
        booking: booking_view(&state, &found, &zone),
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
