//! `DELETE /api/v1/admin/settings/{key}`: back to the default.

use super::{ACTOR, SettingPath};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{BadRequest, NotFound, Unauthorized};
use crate::services::settings::{self, SettingView};
use crate::state::AppState;
use axum::extract::State;

/// Reset a setting to its default.
///
/// Deletes the stored value (nothing happens when none is stored). A key that the chosen video
/// vendor needs cannot be reset (400, 105 ValidationFailed naming `key`): choose another
/// `video.provider` first. Audited; takes effect without a restart.
#[utoipa::path(
    delete,
    path = "/settings/{key}",
    tag = "admin",
    params(SettingPath),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The setting, now at its default", body = Envelope<SettingView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
pub async fn reset_setting(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(path): ApiPath<SettingPath>,
) -> ApiResult<Success<SettingView>> {
    Ok(Success(settings::reset(&state, &path.key, ACTOR).await?))
}
