//! `DELETE /user/{userId}`: erase a user's personal data.

use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::auth::Partner;
use crate::extract::path::ApiPath;
use crate::extract::signed::SignedNoBody;
use crate::openapi::{Conflict, Forbidden, Idempotency, SignedNoBodyErrors, UserId};
use crate::routes::user::views::UserPath;
use crate::services::users;
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    #[schema(value_type = UserId)]
    pub user_id: String,
    pub erased: bool,
}

/// Erase a user.
///
/// Erases name, date of birth, reference id and free-text answers; keeps anonymous score (and
/// booking) records for the organization's reporting, and frees the reference id for a new
/// registration. The user id is then unknown to every route. Signed with the
/// `X-Tahoon-Signature` header over `<t>.DELETE <path>`. Audited; writes a `user.erased` event.
#[utoipa::path(
    delete,
    path = "/user/{userId}",
    tag = "user",
    params(UserPath, Idempotency),
    security(("bearer" = [], "signature" = [])),
    extensions(("x-tahoon-signature" = json!({"forms": ["header"], "signs": "method and path"}))),
    responses(
        (status = 200, description = "Erased", body = Envelope<Erased>),
        SignedNoBodyErrors,
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict)
    )
)]
pub async fn erase_user(
    State(state): State<AppState>,
    // Authenticated before the path is read, so a reference id in it resolves in the organization.
    _: Partner,
    ApiPath(UserPath { user_id: user }): ApiPath<UserPath>,
    request: SignedNoBody,
) -> ApiResult<Success<Erased>> {
    users::erase(&state, request.auth.organization.id, &user).await?;
    Ok(Success(Erased { user_id: user.trim().to_string(), erased: true }))
}
