//! `POST /sessionbooking/cancelbooking`.

use super::views::{BookingView, booking_id, booking_view};
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::SignedCompat;
use crate::openapi::{
    self, BookingId, CareProviderId, Idempotency, NotFound, SecureHash, SignedErrors, TimeZoneName, UserId,
};
use crate::routes::careprovider::views::provider_id;
use crate::services::booking;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::ids::kind;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CancelRequest {
    #[schema(value_type = BookingId)]
    pub booking_id: String,
    /// Must be the booking's user.
    #[schema(value_type = UserId)]
    pub user_id: String,
    /// Must be the booking's provider.
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    /// Optional, at most 500 characters.
    #[schema(value_type = Option<openapi::CancellationReason>)]
    pub cancellation_reason: Option<FreeText>,
    /// Zone to show the answer's slot in (UTC by default).
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<SecureHash>)]
    pub secure_hash: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cancelled {
    #[serde(flatten)]
    pub booking: BookingView,
    /// Whether a charity organization's session was given back (cancelled at least the
    /// organization's cut-off, 24 hours by default, before the start).
    pub balance_restored: bool,
}

/// Cancel a booking.
///
/// Signed. The booking, user and provider must match (else 404 NotFound). Cancelling at least the
/// organization's cut-off before the start restores a charity's session; later (before the start)
/// cancels without restoring; after the start it is refused (16 NotAllowed).
#[utoipa::path(
    post,
    path = "/sessionbooking/cancelbooking",
    tag = "sessionbooking",
    request_body = CancelRequest,
    security(("bearer" = [], "signature" = []), ("bearer" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["secureHash", "header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Cancelled; `balanceRestored` says whether a charity's session was given back",
            body = Envelope<Cancelled>,
            links(("getBooking" = (operation_id = "get_booking", parameters(("bookingId" = "$response.body#/data/bookingId")))))),
        SignedErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn cancel_booking(
    State(state): State<AppState>,
    request: SignedCompat<CancelRequest>,
) -> ApiResult<Success<Cancelled>> {
    let organization = request.auth.organization.clone();
    let body = request.body;
    let not_found = || ApiError::field(Reason::NotFound, "bookingId", "no such booking");
    let id = booking_id(&state, &body.booking_id)?;
    let user = state.ids.decode::<kind::User>(body.user_id.trim()).map_err(|_| not_found())?;
    let provider = provider_id(&state, &body.care_provider_id).map_err(|_| not_found())?;
    let reason = body.cancellation_reason.map(FreeText::into_inner).unwrap_or_default();
    if reason.chars().count() > 500 {
        return Err(ApiError::validation("cancellationReason", "must be at most 500 characters"));
    }
    let fallback = crate::routes::careprovider::views::default_zone(&organization);
    let zone = crate::routes::careprovider::views::caller_day(
        body.time_zone.as_deref(),
        None,
        None,
        &fallback,
        state.clock.now(),
    )?
    .zone;
    let found = booking::owned_booking(&state, organization.id, id, Some(user), Some(provider)).await?;
    let (cancelled, restored) = booking::cancel(&state, &organization, found, reason).await?;
    Ok(Success(Cancelled { booking: booking_view(&state, &cancelled, &zone), balance_restored: restored }))
}
