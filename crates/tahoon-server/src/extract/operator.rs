//! The operator plane's authentication: the operator token from configuration.

use crate::error::ApiError;
use crate::services::audit::AuditEvent;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde_json::json;
use subtle::ConstantTimeEq;
use tahoon_domain::reason::Reason;

/// A request bearing the operator token.
pub struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .unwrap_or("");
        let expected = state.config.secrets.operator_token.as_bytes();
        if !presented.is_empty() && bool::from(presented.as_bytes().ct_eq(expected)) {
            return Ok(Operator);
        }
        state
            .audit
            .record_failure(AuditEvent::failure("auth.failed", None, "anonymous").details(json!({
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "why": "operator token missing or wrong",
            })))
            .await;
        Err(ApiError::new(Reason::InvalidToken))
    }
}
