//! `/user/reminders`: a user's reminder preferences (reference §7.2).

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::extract::signed::Signed;
use crate::openapi::{Idempotency, NotFound, QueryErrors, ReminderOffset, SignedErrors, UserId};
use crate::services::{reminders, users};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tahoon_domain::reason::Reason;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct RemindersQuery {
    #[param(value_type = UserId, required = true)]
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetUserReminders {
    #[schema(value_type = UserId)]
    pub user_id: String,
    /// `false`: no reminders for this user's sessions.
    pub enabled: bool,
    /// The user's own minutes before a session (each 1–20160, at most 8); absent or `null` for
    /// the organization's.
    #[schema(value_type = Option<Vec<ReminderOffset>>, max_items = 8)]
    #[serde(default)]
    pub offsets_minutes: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserReminders {
    #[schema(value_type = UserId)]
    pub user_id: String,
    pub enabled: bool,
    /// The user's own offsets; `null` when the organization's apply.
    pub offsets_minutes: Option<Vec<i64>>,
    /// The offsets in force for this user's sessions (empty when reminders are off).
    pub effective_offsets_minutes: Vec<i64>,
}

async fn answer(
    state: &AppState,
    organization_id: tahoon_domain::ids::OrganizationId,
    user: &str,
) -> ApiResult<UserReminders> {
    let user_id = users::owned_user(state, organization_id, user).await?;
    let p = reminders::preferences(state, organization_id, user_id).await?;
    Ok(UserReminders {
        user_id: user.trim().to_string(),
        enabled: p.enabled,
        offsets_minutes: p.own.map(|o| o.minutes().to_vec()),
        effective_offsets_minutes: p.effective.minutes().to_vec(),
    })
}

/// A user's reminder preferences.
///
/// Any role.
#[utoipa::path(
    get,
    path = "/user/reminders",
    tag = "user",
    params(RemindersQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The preferences", body = Envelope<UserReminders>), QueryErrors)
)]
pub async fn get_user_reminders(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(q): ApiQuery<RemindersQuery>,
) -> ApiResult<Success<UserReminders>> {
    let user = q
        .user_id
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::field(Reason::EmptyParameter, "userId", "is required"))?;
    Ok(Success(answer(&state, auth.organization.id, user).await?))
}

/// Set a user's reminder preferences.
///
/// FullAccess. The user's upcoming sessions' reminders not yet sent are replanned at once.
#[utoipa::path(
    put,
    path = "/user/reminders",
    tag = "user",
    request_body = SetUserReminders,
    params(Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "body"}))),
    responses(
        (status = 200, description = "Set", body = Envelope<UserReminders>),
        SignedErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn set_user_reminders(
    State(state): State<AppState>,
    request: Signed<SetUserReminders>,
) -> ApiResult<Success<UserReminders>> {
    let organization_id = request.auth.organization.id;
    let body = request.body;
    let user_id = users::owned_user(&state, organization_id, &body.user_id).await?;
    let own = body.offsets_minutes.as_deref().map(|m| reminders::offsets("offsetsMinutes", m)).transpose()?;
    reminders::set_preferences(&state, user_id, body.enabled, own).await?;
    Ok(Success(answer(&state, organization_id, &body.user_id).await?))
}
