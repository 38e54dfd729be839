//! `POST /auth/revoke` (RFC 7009).

use super::limits::{self, Slot};
use super::oauth::{OAuthError, RevokeRequest, no_store, parse_body, server_error};
use crate::services::audit::AuditEvent;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Revoke a token.
///
/// Revokes an access token, or a refresh token together with its whole family (every access and
/// refresh token issued from the same grant). Possession of the token is the authorization.
/// As RFC 7009 requires, an unknown or already revoked token also gets 200.
#[utoipa::path(
    post,
    path = "/auth/revoke",
    tag = "auth",
    request_body(
        content = RevokeRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "A form (the OAuth default); the same fields as a JSON object are accepted too."
    ),
    responses(
        (status = 200, description = "Revoked, or was not valid", body = Object),
        (status = 400, description = "invalid_request", body = OAuthError),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
pub async fn revoke_token(State(state): State<AppState>, slot: Slot, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = limits::per_address(&state, &slot).await {
        return refused;
    }
    let request: RevokeRequest = match parse_body(&headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let Some(token) = request.token.filter(|t| !t.is_empty()) else {
        return OAuthError::invalid_request("token is required").into_response();
    };
    match state.tokens.revoke(&token, request.token_type_hint.as_deref()).await {
        Ok(organization_id) => {
            if let Some(organization_id) = organization_id {
                let actor = format!("org:{}", organization_id.get());
                let hint =
                    request.token_type_hint.as_deref().filter(|h| matches!(*h, "access_token" | "refresh_token"));
                let event =
                    AuditEvent::success("token.revoked", Some(organization_id), actor).details(json!({ "hint": hint }));
                if let Err(e) = state.audit.record(event).await {
                    return server_error(&e);
                }
            }
            no_store(Json(json!({})).into_response())
        }
        Err(e) => server_error(&e),
    }
}
