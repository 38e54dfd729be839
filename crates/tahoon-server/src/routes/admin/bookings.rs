//! `POST /api/v1/admin/bookings/{bookingId}/status`: the operator records how a session ended.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::routes::sessionbooking::views::{BookingPath, BookingView, booking_id, booking_view};
use crate::services::booking;
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::booking::BookingStatus;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusRequest {
    /// `Completed` or `NoShow`.
    pub status: String,
    #[schema(value_type = Option<String>)]
    pub reason: Option<FreeText>,
}

/// Mark a confirmed session Completed or NoShow.
///
/// Only once the session has started; any other change is refused by the booking status machine
/// (16 NotAllowed).
#[utoipa::path(
    post,
    path = "/bookings/{bookingId}/status",
    tag = "admin",
    params(BookingPath),
    request_body = StatusRequest,
    security(("operator" = [])),
    responses((status = 200, body = Envelope<BookingView>), (status = 400), (status = 401), (status = 404))
)]
pub async fn set_status(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(path): ApiPath<BookingPath>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> ApiResult<Success<BookingView>> {
    let id = booking_id(&state, &path.booking_id)?;
    let to = BookingStatus::from_name(body.status.trim())
        .filter(|s| matches!(s, BookingStatus::Completed | BookingStatus::NoShow))
        .ok_or_else(|| ApiError::validation("status", "must be Completed or NoShow"))?;
    let reason = body.reason.map(FreeText::into_inner);
    let changed = booking::record_outcome(&state, id, to, reason, "operator").await?;
    Ok(Success(booking_view(&state, &changed, &jiff::tz::TimeZone::UTC)))
}
