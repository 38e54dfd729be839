//! `/api/v1/admin/settings`: the settings held in the database (`docs/configuration.md`), one file
//! per action. Secrets are shown masked; a change takes effect without a restart.

pub mod get;
pub mod list;
pub mod reset;
pub mod set;

use serde::Deserialize;
use utoipa::IntoParams;

const ACTOR: &str = "operator";

/// The `{key}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SettingPath {
    /// A known setting, `group.name`.
    #[param(value_type = crate::openapi::SettingKey)]
    pub key: String,
}
