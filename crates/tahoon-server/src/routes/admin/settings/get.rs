//! `GET /api/v1/admin/settings/{key}`: one setting.

use super::SettingPath;
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{BadRequest, NotFound, Unauthorized};
use crate::services::settings::{self, SettingView};
use crate::state::AppState;
use axum::extract::State;

/// Read a setting.
///
/// Its type and rule, description, default, whether a value is stored, and the value in force
/// (masked when secret).
#[utoipa::path(
    get,
    path = "/settings/{key}",
    tag = "admin",
    params(SettingPath),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The setting with the value in force (masked when secret)", body = Envelope<SettingView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
pub async fn get_setting(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(path): ApiPath<SettingPath>,
) -> ApiResult<Success<SettingView>> {
    Ok(Success(settings::get(&state, &path.key).await?))
}
