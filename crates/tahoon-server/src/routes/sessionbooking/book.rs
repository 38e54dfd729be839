//! `POST /sessionbooking/booksession`.

use super::views::{BookingView, SlotFields, booked_view, requested_slot};
use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::SignedCompat;
use crate::openapi::{
    BirthDate, CareProviderId, ClockTime, CommunicationType, Date, GenderType, GmtOffsetHours, Idempotency, Name,
    NotFound, ReferenceId, SecureHash, SignedErrors, SlotId, TimeZoneName, UserId, VendorUnavailable,
};
use crate::routes::careprovider::views::{default_zone, remember_zone};
use crate::routes::user::register::RegisterRequest;
use crate::services::booking::{self, BookingFor, BookingOptions};
use crate::services::users;
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BookRequest {
    /// An existing user; or leave it out and give `referenceId`, `name`, `dob`, `genderType` to
    /// register a guest (an existing `referenceId` reuses that user).
    #[schema(value_type = Option<UserId>)]
    pub user_id: Option<String>,
    /// Required unless `applicationMultiSlotId` is given (then it must be that slot's provider).
    #[schema(value_type = Option<CareProviderId>)]
    pub care_provider_id: Option<String>,
    /// The slot id from search or schedule; or give `slotDate`, `slotStartTime`, `slotEndTime`.
    #[schema(value_type = Option<SlotId>)]
    pub application_multi_slot_id: Option<String>,
    /// With `slotStartTime` and `slotEndTime`, in the request's zone, when no slot id is given.
    #[schema(value_type = Option<Date>)]
    pub slot_date: Option<String>,
    #[schema(value_type = Option<ClockTime>)]
    pub slot_start_time: Option<String>,
    /// At or before `slotStartTime`: on the next date (a session across midnight).
    #[schema(value_type = Option<ClockTime>)]
    pub slot_end_time: Option<String>,
    /// Zone of `slotDate`/times and of the answer's slot (IANA; wins over `gmtTimeDiffrenceHours`).
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    #[schema(value_type = Option<GmtOffsetHours>)]
    pub gmt_time_diffrence_hours: Option<f64>,
    /// 1 video (default), 2 audio, 3 text.
    #[schema(value_type = Option<CommunicationType>)]
    pub cat_communication_type_id: Option<i64>,
    pub is_booking_from_mobile: Option<bool>,
    /// The partner's own platform code, stored with the booking.
    pub booking_platform_id: Option<i64>,
    /// For a guest booking (no `userId`).
    #[schema(value_type = Option<ReferenceId>)]
    pub reference_id: Option<FreeText>,
    /// For a guest booking.
    #[schema(value_type = Option<Name>)]
    pub name: Option<FreeText>,
    /// For a guest booking.
    #[schema(value_type = Option<BirthDate>)]
    pub dob: Option<String>,
    /// For a guest booking.
    #[schema(value_type = Option<GenderType>)]
    pub gender_type: Option<i64>,
    /// The reference's name for the slot's id: when `applicationMultiSlotId` is absent and this
    /// is a slot id of this API, it is read as one; anything else (an id of the old system) is
    /// ignored, and `slotDate` with the times names the slot.
    #[schema(value_type = Option<SlotId>)]
    pub slot_availability_id: Option<String>,
    /// The reference's duration id; accepted and ignored (a slot's id carries its length).
    #[schema(value_type = Option<String>)]
    pub care_provider_slot_duration_id: Option<serde_json::Value>,
    #[serde(default)]
    #[schema(value_type = Option<SecureHash>)]
    pub secure_hash: Option<String>,
}

/// Book a session.
///
/// Signed. Validates the user (or registers a guest in the same transaction as the hold, so a
/// refused booking registers no one), checks the slot against the provider's availability now
/// (its buffer included), holds it (debiting a charity organization's balance) under the
/// organization's cap on a user's upcoming sessions, creates the video room and confirms.
/// Answers: 1 EmptyParameter (400) for missing parameters, 18 UserNotFound (400), 16 NotAllowed
/// (404) for a slot outside availability, 4 RecordAlreadyExist (200) for a taken slot, 50
/// CharityOrganizationBalanceOut (200), 115 ActiveBookingLimitReached (409), 108
/// VendorUnavailable (503) when the video room fails (nothing is booked, no guest registered). The
/// answer carries the participants' join tickets (`participants`).
#[utoipa::path(
    post,
    path = "/sessionbooking/booksession",
    tag = "sessionbooking",
    request_body = BookRequest,
    security(("bearer" = [], "signature" = []), ("bearer" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["secureHash", "header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Booked (reason 0); or 4 RecordAlreadyExist (the slot is taken) or 50 \
            CharityOrganizationBalanceOut, both with `status` 0 and `data` null", body = Envelope<BookingView>,
            links(
                ("getBooking" = (operation_id = "get_booking", parameters(("bookingId" = "$response.body#/data/bookingId")))),
                ("getRecording" = (operation_id = "get_recording", parameters(("bookingId" = "$response.body#/data/bookingId")))),
                ("cancel" = (operation_id = "cancel_booking", request_body = json!({
                    "bookingId": "$response.body#/data/bookingId",
                    "userId": "$response.body#/data/userId",
                    "careProviderId": "$response.body#/data/careProviderId"
                }))),
                ("reschedule" = (operation_id = "reschedule_booking", request_body = json!({
                    "bookingId": "$response.body#/data/bookingId",
                    "userId": "$response.body#/data/userId"
                }))),
                ("bookings" = (operation_id = "booking_history", parameters(("userId" = "$response.body#/data/userId")))),
                ("setStatus" = (operation_id = "set_status", parameters(("bookingId" = "$response.body#/data/bookingId")))),
            )),
        SignedErrors,
        (status = 404, response = NotFound),
        (status = 503, response = VendorUnavailable)
    )
)]
pub async fn book_session(
    State(state): State<AppState>,
    request: SignedCompat<BookRequest>,
) -> ApiResult<Success<BookingView>> {
    Ok(Success(book_one(&state, &request.auth.organization, request.body).await?))
}

/// One booking request, from the request's fields to the booked session; counted by outcome
/// (`tahoon_bookings_total`, the reason's name).
pub async fn book_one(
    state: &AppState,
    organization: &tahoon_domain::organization::Organization,
    body: BookRequest,
) -> ApiResult<BookingView> {
    let booked = book_fields(state, organization, body).await;
    let outcome = booked.as_ref().map_or_else(|e| e.reason().name(), |_| "Success");
    metrics::counter!("tahoon_bookings_total", "outcome" => outcome).increment(1);
    booked
}

async fn book_fields(
    state: &AppState,
    organization: &tahoon_domain::organization::Organization,
    body: BookRequest,
) -> ApiResult<BookingView> {
    let state = state.clone();
    let organization = organization.clone();
    let communication_type = body.cat_communication_type_id.unwrap_or(1);
    if !(1..=3).contains(&communication_type) {
        return Err(ApiError::validation("catCommunicationTypeId", "must be 1 (video), 2 (audio) or 3 (text)"));
    }
    let (slot, zone) = requested_slot(
        &state,
        SlotFields {
            care_provider_id: body.care_provider_id.as_deref(),
            application_multi_slot_id: body
                .application_multi_slot_id
                .as_deref()
                .filter(|id| !id.trim().is_empty())
                .or(body.slot_availability_id.as_deref().filter(|id| state.ids.decode_slot(id.trim()).is_ok())),
            slot_date: body.slot_date.as_deref(),
            slot_start_time: body.slot_start_time.as_deref(),
            slot_end_time: body.slot_end_time.as_deref(),
            time_zone: body.time_zone.as_deref(),
            gmt_hours: body.gmt_time_diffrence_hours,
            fallback_zone: &default_zone(&organization),
        },
    )?;
    remember_zone(&state, &organization, body.time_zone.as_deref(), body.gmt_time_diffrence_hours).await;
    let who = match body.user_id.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(user) => BookingFor::User(users::owned_user(&state, organization.id, user).await?),
        None => {
            let missing = |f: &'static str| {
                ApiError::field(Reason::EmptyParameter, f, "is required for a guest booking (or give userId)")
            };
            let guest = RegisterRequest {
                reference_id: body.reference_id.ok_or_else(|| missing("referenceId"))?,
                name: body.name.ok_or_else(|| missing("name"))?,
                dob: body.dob.ok_or_else(|| missing("dob"))?,
                gender_type: body.gender_type.ok_or_else(|| missing("genderType"))?,
                secure_hash: None,
            };
            // Registered in the same transaction as the hold: a refused booking registers no one.
            BookingFor::Guest(guest.parse(state.clock.now())?)
        }
    };
    let options = BookingOptions {
        communication_type,
        from_mobile: body.is_booking_from_mobile.unwrap_or(false),
        platform_id: body.booking_platform_id,
    };
    let booked = booking::book(&state, &organization, who, slot, options).await?;
    Ok(booked_view(&state, &booked, &zone).await)
}
