//! `/organization/reminders`: the minutes before each session at which its reminders go.

use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::signed::Signed;
use crate::openapi::{Idempotency, QueryErrors, ReminderOffset, SignedErrors};
use crate::services::reminders;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetOrganizationReminders {
    /// Minutes before a session, each 1–20160 (two weeks), at most 8; `[]` for no reminders.
    #[schema(value_type = Vec<ReminderOffset>, max_items = 8, examples(json!([1440, 15])))]
    pub offsets_minutes: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationReminders {
    /// Largest first. Default: `[1440, 15]` (24 hours and 15 minutes).
    pub offsets_minutes: Vec<i64>,
}

/// The organization's reminder offsets.
///
/// Any role. Each upcoming Confirmed session gets a `booking.reminder` webhook and a push to its
/// provider at each offset before it, unless its user chose otherwise (`/user/reminders`).
#[utoipa::path(
    get,
    path = "/organization/reminders",
    tag = "organization",
    security(("bearer" = [])),
    responses((status = 200, description = "The offsets in force", body = Envelope<OrganizationReminders>), QueryErrors)
)]
pub async fn get_organization_reminders(
    State(state): State<AppState>,
    Partner(auth): Partner,
) -> ApiResult<Success<OrganizationReminders>> {
    let offsets = reminders::organization_offsets(&state, auth.organization.id).await?;
    Ok(Success(OrganizationReminders { offsets_minutes: offsets.minutes().to_vec() }))
}

/// Set the organization's reminder offsets.
///
/// FullAccess. Upcoming sessions' reminders not yet sent are replanned at once; an offset whose
/// time has already passed for a session is skipped, not sent late.
#[utoipa::path(
    put,
    path = "/organization/reminders",
    tag = "organization",
    request_body = SetOrganizationReminders,
    params(Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    responses((status = 200, description = "Set", body = Envelope<OrganizationReminders>), SignedErrors)
)]
pub async fn set_organization_reminders(
    State(state): State<AppState>,
    request: Signed<SetOrganizationReminders>,
) -> ApiResult<Success<OrganizationReminders>> {
    let offsets = reminders::offsets("offsetsMinutes", &request.body.offsets_minutes)?;
    reminders::set_organization_offsets(&state, request.auth.organization.id, offsets.clone()).await?;
    Ok(Success(OrganizationReminders { offsets_minutes: offsets.minutes().to_vec() }))
}
