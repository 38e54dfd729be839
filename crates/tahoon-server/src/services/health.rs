//! Readiness: whether the database answers, and which one it is.

use crate::services::error::ServiceResult;
use crate::state::AppState;
use tahoon_store::Backend;

/// The database's name after a cheap round trip to it.
pub async fn database(state: &AppState) -> ServiceResult<&'static str> {
    state.store.ping().await?;
    Ok(match state.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    })
}
