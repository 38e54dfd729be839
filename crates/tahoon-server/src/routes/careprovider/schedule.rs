//! `POST /careprovider/getcareproviderschedule`.

use super::views::{
    ScheduleHour, SlotDurationType, SlotView, caller_day, default_zone, provider_id, remember_zone, schedule_hours,
    slot_views, viewer, zone_label,
};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::json::ApiJson;
use crate::openapi::{CareProviderId, Date, GmtOffsetHours, NotFound, ReadErrors, TimeZoneName, UserId};
use crate::services::directory;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    /// The organization's user; their own booked times are not offered. Optional.
    #[schema(value_type = Option<UserId>)]
    pub user_id: Option<String>,
    /// The caller's local date (default: today in the caller's zone).
    #[schema(value_type = Option<Date>)]
    pub schedule_date: Option<String>,
    #[schema(value_type = Option<GmtOffsetHours>)]
    pub gmt_time_diffrence_hours: Option<f64>,
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSchedule {
    #[schema(value_type = CareProviderId)]
    pub care_provider_id: String,
    #[schema(value_type = Date)]
    pub schedule_date: String,
    pub time_zone: String,
    pub available_schedule_hours_list: Vec<ScheduleHour>,
    pub available_slots_list: Vec<SlotView>,
    pub slot_duration_type: Option<SlotDurationType>,
}

/// One provider's available slots on one day.
#[utoipa::path(
    post,
    path = "/careprovider/getcareproviderschedule",
    tag = "careprovider",
    request_body = ScheduleRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The provider's slots on the caller's day", body = Envelope<ProviderSchedule>,
            links(("book" = (operation_id = "book_session", request_body = json!({
                "careProviderId": "$response.body#/data/careProviderId",
                "applicationMultiSlotId": "$response.body#/data/availableSlotsList/0/applicationMultiSlotId"
            }))))),
        ReadErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn provider_schedule(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiJson(request): ApiJson<ScheduleRequest>,
) -> ApiResult<Success<ProviderSchedule>> {
    let id = provider_id(&state, &request.care_provider_id)?;
    let day = caller_day(
        request.time_zone.as_deref(),
        request.gmt_time_diffrence_hours,
        request.schedule_date.as_deref(),
        &default_zone(&auth.organization),
        state.clock.now(),
    )?;
    remember_zone(&state, &auth.organization, request.time_zone.as_deref(), request.gmt_time_diffrence_hours).await;
    let viewer = viewer(&state, auth.organization.id, request.user_id.as_deref()).await?;
    let found = directory::schedule(&state, id, &day, viewer).await?;
    Ok(Success(ProviderSchedule {
        care_provider_id: request.care_provider_id.trim().to_string(),
        schedule_date: day.date.to_string(),
        time_zone: zone_label(&day.zone, state.clock.now()),
        available_schedule_hours_list: schedule_hours(&found.slots, &day.zone),
        available_slots_list: slot_views(&state, id, &found.slots, &day.zone),
        slot_duration_type: found.provider.primary_rate().map(SlotDurationType::from),
    }))
}
