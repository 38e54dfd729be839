//! `POST /careprovider/getcareproviderschedule`.

use super::views::{
    ScheduleHour, SlotDurationType, SlotView, caller_day, provider_id, schedule_hours, slot_views, viewer, zone_label,
};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::json::ApiJson;
use crate::services::directory;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    /// The provider (`cp_…`).
    pub care_provider_id: String,
    /// The organization's user; their own booked times are not offered. Optional.
    pub user_id: Option<String>,
    pub schedule_date: Option<String>,
    pub gmt_time_diffrence_hours: Option<f64>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSchedule {
    pub care_provider_id: String,
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
    responses((status = 200, body = Envelope<ProviderSchedule>), (status = 400), (status = 401), (status = 404))
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
        state.clock.now(),
    )?;
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
