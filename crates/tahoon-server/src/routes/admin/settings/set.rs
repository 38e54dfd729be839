//! `PUT /api/v1/admin/settings/{key}`: change a setting.

use super::{ACTOR, SettingPath};
use crate::envelope::{Envelope, Success};
use crate::error::ApiResult;
use crate::extract::json::ApiJson;
use crate::extract::operator::Operator;
use crate::extract::path::ApiPath;
use crate::openapi::{NotFound, OperatorErrors};
use crate::services::settings::{self, SettingView};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetSetting {
    /// The new value as text, as the setting's `rule` says: `true`/`false`, a whole number, a URL,
    /// one of the choices, or (for `fcm.service_account`) the JSON document as a string.
    /// Surrounding white space is ignored.
    #[schema(example = "jitsi")]
    pub value: String,
}

/// Change a setting.
///
/// The value is checked against the setting's rule, and a video vendor needs its keys set first
/// (`video.provider` `videosdk` needs `videosdk.api_key` and `videosdk.secret_key`); a refusal is
/// 400 (105 ValidationFailed naming `value`, with the reason). A secret is sealed with the master
/// key and answered masked. The change is audited (the value only when not secret) and takes
/// effect without a restart: at once in this instance, within seconds in the others.
#[utoipa::path(
    put,
    path = "/settings/{key}",
    tag = "admin",
    params(SettingPath),
    request_body = SetSetting,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The setting as changed (masked when secret)", body = Envelope<SettingView>),
        OperatorErrors,
        (status = 404, response = NotFound)
    )
)]
pub async fn set_setting(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(path): ApiPath<SettingPath>,
    ApiJson(body): ApiJson<SetSetting>,
) -> ApiResult<Success<SettingView>> {
    Ok(Success(settings::set(&state, &path.key, &body.value, ACTOR).await?))
}
