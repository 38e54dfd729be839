//! `POST /api/v1/admin/bookings/{bookingId}/status`: the operator records how a session ended.

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{self, NotFound, OperatorErrors};
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
    #[schema(pattern = "^(Completed|NoShow)$", example = "Completed")]
    pub status: String,
    /// Why, kept in the status history (default "recorded by the operator").
    #[schema(value_type = Option<openapi::Note>)]
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
    responses(
        (status = 200, description = "The booking in its new status", body = Envelope<BookingView>),
        OperatorErrors,
        (status = 404, response = NotFound)
    )
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
