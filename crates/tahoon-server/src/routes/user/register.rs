//! `POST /user/register`.

use crate::envelope::{Envelope, Outcome, Success};
use crate::error::{ApiError, ApiResult};
use crate::extract::signed::SignedCompat;
use crate::openapi::{BirthDate, GenderType, Idempotency, Name, ReferenceId, SecureHash, SignedErrors, UserId};
use crate::services::users::{self, NewRegistration};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::provider::Gender;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegisterRequest {
    /// The organization's own id for the person: 1–100 characters, unique in the organization.
    #[schema(value_type = ReferenceId, example = "ORG-USER-123")]
    pub reference_id: FreeText,
    /// 1–200 characters, no markup.
    #[schema(value_type = Name, example = "John Doe")]
    pub name: FreeText,
    #[schema(value_type = BirthDate)]
    pub dob: String,
    #[schema(value_type = GenderType)]
    pub gender_type: i64,
    /// The request signature (or sign with the `X-Tahoon-Signature` header).
    #[serde(default)]
    #[schema(value_type = Option<SecureHash>)]
    pub secure_hash: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Registered {
    #[schema(value_type = UserId)]
    pub user_id: String,
    /// The same id under the reference's name, for an organization in compatibility mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<UserId>)]
    pub user_login_info_id: Option<String>,
}

impl RegisterRequest {
    pub fn parse(self, now: jiff::Timestamp) -> ApiResult<NewRegistration> {
        let reference_id = self.reference_id.as_str().trim().to_string();
        if reference_id.is_empty() {
            return Err(ApiError::field(Reason::EmptyParameter, "referenceId", "is required"));
        }
        if reference_id.chars().count() > 100 {
            return Err(ApiError::validation("referenceId", "must be at most 100 characters"));
        }
        let name = self.name.as_str().trim().to_string();
        if name.is_empty() {
            return Err(ApiError::field(Reason::EmptyParameter, "name", "is required"));
        }
        if name.chars().count() > 200 {
            return Err(ApiError::validation("name", "must be at most 200 characters"));
        }
        let dob = self
            .dob
            .trim()
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| self.dob.trim().len() == 10)
            .ok_or_else(|| ApiError::validation("dob", "must be a real date written YYYY-MM-DD"))?;
        let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        if dob > today {
            return Err(ApiError::validation("dob", "must not be in the future"));
        }
        let oldest = today.checked_sub(jiff::Span::new().years(121)).unwrap_or(today);
        if dob <= oldest {
            return Err(ApiError::validation("dob", "must give an age of 0 to 120"));
        }
        let gender = Gender::from_code(self.gender_type)
            .ok_or_else(|| ApiError::validation("genderType", "must be 0 (female) or 1 (male)"))?;
        Ok(NewRegistration { reference_id, name, dob, gender })
    }
}

/// Register a user.
///
/// Signed. The same `referenceId` again in the same organization answers reason 4
/// RecordAlreadyExist (HTTP 200) with the existing `userId`; concurrent registrations of one
/// `referenceId` create exactly one user.
#[utoipa::path(
    post,
    path = "/user/register",
    tag = "user",
    request_body = RegisterRequest,
    security(("bearer" = [], "signature" = []), ("bearer" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["secureHash", "header"], "signs": "body"}))),
    params(Idempotency),
    responses(
        (status = 200, description = "Registered (reason 0), or already registered (reason 4)", body = Envelope<Registered>,
            links(
                ("search" = (operation_id = "search_providers", request_body = json!({"userId": "$response.body#/data/userId"}))),
                ("book" = (operation_id = "book_session", request_body = json!({"userId": "$response.body#/data/userId"}))),
                ("submitAssessment" = (operation_id = "submit_assessment", request_body = json!({"userId": "$response.body#/data/userId"}))),
                ("assessments" = (operation_id = "list_assessments", parameters(("userId" = "$response.body#/data/userId")))),
                ("bookings" = (operation_id = "booking_history", parameters(("userId" = "$response.body#/data/userId")))),
                ("addFavorite" = (operation_id = "add_favorite", request_body = json!({"userId": "$response.body#/data/userId"}))),
                ("removeFavorite" = (operation_id = "remove_favorite", request_body = json!({"userId": "$response.body#/data/userId"}))),
                ("favorites" = (operation_id = "list_favorites", parameters(("userId" = "$response.body#/data/userId")))),
                ("export" = (operation_id = "export_user", parameters(("userId" = "$response.body#/data/userId")))),
                ("erase" = (operation_id = "erase_user", parameters(("userId" = "$response.body#/data/userId")))),
            )),
        SignedErrors
    )
)]
pub async fn register_user(
    State(state): State<AppState>,
    request: SignedCompat<RegisterRequest>,
) -> ApiResult<Response> {
    let registration = request.body.parse(state.clock.now())?;
    let organization = &request.auth.organization;
    let (user_id, created) = users::register(&state, organization.id, registration).await?;
    let user_login_info_id = organization.is_reference_compatible().then(|| user_id.clone());
    let data = Registered { user_id, user_login_info_id };
    Ok(if created {
        Success(data).into_response()
    } else {
        Outcome { reason: Reason::RecordAlreadyExist, data }.into_response()
    })
}
