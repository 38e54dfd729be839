//! `GET /user/{userId}/export`: everything held about a user.

use super::views::{AssessmentResult, UserPath, result};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::signed::SignedNoBodyRead;
use crate::openapi::{Date, GenderType, SignedNoBodyErrors, UserId};
use crate::services::audit::AuditEvent;
use crate::services::{screening, users};
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use serde_json::json;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::screening::ScoredAnswer;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[schema(value_type = UserId)]
    pub user_id: String,
    pub reference_id: Option<String>,
    pub name: Option<String>,
    #[schema(value_type = Option<Date>)]
    pub dob: Option<String>,
    #[schema(value_type = Option<GenderType>)]
    pub gender_type: Option<i64>,
    #[schema(format = DateTime)]
    pub registered_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedAssessment {
    #[serde(flatten)]
    pub result: AssessmentResult,
    /// Every answer as given (option ids, their values, free text).
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<ScoredAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserExport {
    pub user: UserProfile,
    pub assessments: Vec<ExportedAssessment>,
    #[schema(format = DateTime)]
    pub exported_at: String,
}

/// Export everything held about a user.
///
/// Signed with the `X-Tahoon-Signature` header over `<t>.GET <path>` (the request has no body).
/// Audited.
#[utoipa::path(
    get,
    path = "/user/{userId}/export",
    tag = "user",
    params(UserPath),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "Everything held about the user", body = Envelope<UserExport>),
        SignedNoBodyErrors
    )
)]
pub async fn export_user(
    State(state): State<AppState>,
    // Authenticated before the path is read, so a reference id in it resolves in the organization.
    _: Partner,
    ApiPath(UserPath { user_id: user }): ApiPath<UserPath>,
    request: SignedNoBodyRead,
) -> ApiResult<Success<UserExport>> {
    Ok(Success(export(&state, request.auth.organization.id, &user).await?))
}

/// Everything kept about one of the organization's users (the API's export and the console's),
/// audited as `user.exported`.
pub async fn export(state: &AppState, organization_id: OrganizationId, user: &str) -> ApiResult<UserExport> {
    let user_id = users::owned_user(state, organization_id, user).await?;
    let profile = users::profile(state, organization_id, user_id).await?;
    let (records, instruments) = screening::history(state, organization_id, user_id).await?;
    state
        .audit
        .record(
            AuditEvent::success("user.exported", Some(organization_id), format!("org:{}", organization_id.get()))
                .details(json!({ "user": user_id.get() })),
        )
        .await?;
    Ok(UserExport {
        user: UserProfile {
            user_id: user.trim().to_string(),
            reference_id: profile.reference_id,
            name: profile.name,
            dob: profile.dob,
            gender_type: profile.gender,
            registered_at: profile.created_at.to_string(),
        },
        assessments: records
            .iter()
            .map(|r| ExportedAssessment { result: result(state, r, &instruments), answers: r.answers.clone() })
            .collect(),
        exported_at: state.clock.now().to_string(),
    })
}
