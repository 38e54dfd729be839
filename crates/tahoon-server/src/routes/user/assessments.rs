//! `GET /user/assessments?userId=`.

use super::views::{AssessmentResult, result};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::query::ApiQuery;
use crate::openapi::{QueryErrors, UserId};
use crate::services::audit::AuditEvent;
use crate::services::{screening, users};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentsQuery {
    #[param(value_type = UserId)]
    pub user_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentHistory {
    /// Newest first.
    pub assessments_list: Vec<AssessmentResult>,
}

/// A user's past screening results (scores, bands and flags; not the answers).
#[utoipa::path(
    get,
    path = "/user/assessments",
    tag = "user",
    params(AssessmentsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's screening results, newest first", body = Envelope<AssessmentHistory>),
        QueryErrors
    )
)]
pub async fn list_assessments(
    State(state): State<AppState>,
    Partner(auth): Partner,
    ApiQuery(query): ApiQuery<AssessmentsQuery>,
) -> ApiResult<Success<AssessmentHistory>> {
    let organization_id = auth.organization.id;
    let user_id = users::owned_user(&state, organization_id, &query.user_id).await?;
    let (records, instruments) = screening::history(&state, organization_id, user_id).await?;
    state
        .audit
        .record(
            AuditEvent::success(
                "user.assessments_read",
                Some(organization_id),
                format!("org:{}", organization_id.get()),
            )
            .details(json!({ "user": user_id.get(), "count": records.len() })),
        )
        .await?;
    Ok(Success(AssessmentHistory {
        assessments_list: records.iter().map(|r| result(&state, r, &instruments)).collect(),
    }))
}
