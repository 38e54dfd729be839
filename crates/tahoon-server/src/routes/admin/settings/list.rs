//! `GET /api/v1/admin/settings`: every known setting.

use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::operator::Operator;
use crate::openapi::Unauthorized;
use crate::services::settings::{self, SettingView};
use crate::state::AppState;
use axum::extract::State;

/// List the settings.
///
/// Every known setting, in groups (`video`, `videosdk`, `jitsi`, `livekit`, `fcm`, `privacy`):
/// its type and rule, description, default, whether a value is stored, and the value in force
/// (secrets masked). What another instance or the CLI changed shows within seconds.
#[utoipa::path(
    get,
    path = "/settings",
    tag = "admin",
    security(("operator" = [])),
    responses(
        (status = 200, description = "Every known setting with the value in force (secrets masked)",
            body = Envelope<Vec<SettingView>>,
            links(("get" = (operation_id = "get_setting", parameters(("key" = "$response.body#/data/0/key")))))),
        (status = 401, response = Unauthorized)
    )
)]
pub async fn list_settings(State(state): State<AppState>, _: Operator) -> ApiResult<Success<Vec<SettingView>>> {
    Ok(Success(settings::list(&state).await?))
}
