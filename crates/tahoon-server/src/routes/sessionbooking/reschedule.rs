//! `POST /sessionbooking/reschedule`.

use super::views::{BookingView, SlotFields, booked_view, booking_id, requested_slot};
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::Signed;
use crate::openapi::{
    BookingId, ClockTime, Date, GmtOffsetHours, Idempotency, NotFound, SignedErrors, SlotId, TimeZoneName, UserId,
    VendorUnavailable,
};
use crate::services::{booking, users};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RescheduleRequest {
    #[schema(value_type = BookingId)]
    pub booking_id: String,
    /// Must be the booking's user.
    #[schema(value_type = UserId)]
    pub user_id: String,
    /// The new slot: its id (of the booking's provider), or date and times in the request's zone.
    #[schema(value_type = Option<SlotId>)]
    pub application_multi_slot_id: Option<String>,
    #[schema(value_type = Option<Date>)]
    pub slot_date: Option<String>,
    #[schema(value_type = Option<ClockTime>)]
    pub slot_start_time: Option<String>,
    #[schema(value_type = Option<ClockTime>)]
    pub slot_end_time: Option<String>,
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    #[schema(value_type = Option<GmtOffsetHours>)]
    pub gmt_time_diffrence_hours: Option<f64>,
}

/// Move a booking to another slot of the same provider.
///
/// Signed. Atomic: at no moment are both slots, or neither, held. The booking keeps its id and
/// history. Allowed up to the organization's cancellation cut-off before the current start. The
/// video room is checked first at its video service and made again if the service no longer has
/// it; a service that fails, or keeps the room disabled, answers 108 VendorUnavailable (503) and
/// nothing moves.
/// The answer carries the participants' join tickets.
#[utoipa::path(
    post,
    path = "/sessionbooking/reschedule",
    tag = "sessionbooking",
    request_body = RescheduleRequest,
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Moved (reason 0); or 4 RecordAlreadyExist (the new time is taken), with `status` 0 \
            and `data` null", body = Envelope<BookingView>,
            links(("getBooking" = (operation_id = "get_booking", parameters(("bookingId" = "$response.body#/data/bookingId")))))),
        SignedErrors,
        (status = 404, response = NotFound),
        (status = 503, response = VendorUnavailable)
    )
)]
pub async fn reschedule_booking(
    State(state): State<AppState>,
    request: Signed<RescheduleRequest>,
) -> ApiResult<Success<BookingView>> {
    let organization = request.auth.organization.clone();
    let body = request.body;
    let id = booking_id(&state, &body.booking_id)?;
    let user = users::owned_user(&state, organization.id, &body.user_id)
        .await
        .map_err(|_| ApiError::field(Reason::NotFound, "bookingId", "no such booking"))?;
    let found = booking::owned_booking(&state, organization.id, id, Some(user), None).await?;
    let provider_text = state.ids.encode(found.provider_id);
    let (slot, zone) = requested_slot(
        &state,
        SlotFields {
            care_provider_id: Some(&provider_text),
            application_multi_slot_id: body.application_multi_slot_id.as_deref(),
            slot_date: body.slot_date.as_deref(),
            slot_start_time: body.slot_start_time.as_deref(),
            slot_end_time: body.slot_end_time.as_deref(),
            time_zone: body.time_zone.as_deref(),
            gmt_hours: body.gmt_time_diffrence_hours,
            fallback_zone: &crate::routes::careprovider::views::default_zone(&organization),
        },
    )?;
    let moved = booking::reschedule(&state, &organization, found, slot.interval).await?;
    Ok(Success(booked_view(&state, &moved, &zone).await))
}
