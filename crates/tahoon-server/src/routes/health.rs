//! `GET /healthz` (the process is alive) and `GET /readyz` (the database answers).

use crate::envelope::{Envelope, Success};
use crate::error::{ApiError, ApiResult};
use crate::openapi::ErrorEnvelope;
use crate::services::health;
use crate::state::AppState;
use axum::extract::State;
use serde::Serialize;
use tahoon_domain::reason::Reason;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `alive` or `ready`.
    pub state: &'static str,
    /// `sqlite` or `postgres`, for readiness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process is alive", body = Envelope<Health>))
)]
pub async fn healthz() -> Success<Health> {
    Success(Health { state: "alive", database: None })
}

/// Readiness: the database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "The database answers", body = Envelope<Health>),
        (status = 503, description = "114 ServiceUnavailable: the database is unreachable (`Retry-After`)", body = ErrorEnvelope)
    )
)]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Success<Health>> {
    let database = health::database(&state).await.map_err(|e| {
        tracing::warn!(error = %crate::error::chain(&e), "readiness check failed");
        ApiError::new(Reason::ServiceUnavailable).with_retry_after(5)
    })?;
    Ok(Success(Health { state: "ready", database: Some(database) }))
}
