//! `POST /auth/token`: the password grant (an access key) and the refresh grant.

use super::limits::{self, Slot};
use super::oauth::{OAuthError, TokenRequest, no_store, parse_body, server_error};
use crate::services::audit::AuditEvent;
use crate::services::error::ServiceError;
use crate::services::tokens::TokenGrant;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Issue a token.
///
/// `grant_type=password&access_key=…` issues an access token (24 h) and a refresh token.
/// `grant_type=refresh_token&refresh_token=…` rotates the refresh token; presenting an already
/// rotated refresh token revokes its whole family. Accepts a form or a JSON object.
#[utoipa::path(
    post,
    path = "/auth/token",
    tag = "auth",
    request_body(
        content = TokenRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "A form (the OAuth default); the same fields as a JSON object are accepted too."
    ),
    responses(
        (status = 200, description = "Tokens issued", body = TokenGrant, links(
            ("refresh" = (operation_id = "refresh_token", request_body = json!({
                "refresh_token": "$response.body#/refresh_token"
            }))),
            ("revoke" = (operation_id = "revoke_token", request_body = json!({"token": "$response.body#/refresh_token"}))),
        )),
        (status = 400, description = "invalid_request, invalid_grant or unsupported_grant_type", body = OAuthError),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
pub async fn issue_token(State(state): State<AppState>, slot: Slot, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = limits::per_address(&state, &slot).await {
        return refused;
    }
    let request: TokenRequest = match parse_body(&headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    match request.grant_type.as_deref() {
        Some("password") => password_grant(&state, &slot, request).await,
        Some("refresh_token") => refresh_grant(&state, request).await,
        None => OAuthError::invalid_request("grant_type is required").into_response(),
        Some(_) => OAuthError::unsupported_grant_type().into_response(),
    }
}

pub(super) async fn password_grant(state: &AppState, slot: &Slot, request: TokenRequest) -> Response {
    let Some(access_key) = request.access_key.filter(|k| !k.is_empty()) else {
        return OAuthError::invalid_request("access_key is required").into_response();
    };
    if let Err(refused) = limits::per_access_key(state, slot, &access_key).await {
        return refused;
    }
    match state.tokens.password_grant(&access_key).await {
        Ok((grant, key, organization)) => {
            let event = AuditEvent::success("token.issued", Some(organization.id), format!("key:{}", key.id.get()))
                .details(json!({ "grant": "password", "role": key.role }));
            respond(state, event, grant).await
        }
        Err(ServiceError::InvalidGrant) => {
            state
                .audit
                .record_failure(
                    AuditEvent::failure("auth.failed", None, "anonymous")
                        .details(json!({ "grant": "password", "why": "unknown or revoked access key" })),
                )
                .await;
            OAuthError::invalid_grant("the access key is invalid or revoked").into_response()
        }
        Err(e) => server_error(&e),
    }
}

pub(super) async fn refresh_grant(state: &AppState, request: TokenRequest) -> Response {
    let Some(refresh_token) = request.refresh_token.filter(|t| !t.is_empty()) else {
        return OAuthError::invalid_request("refresh_token is required").into_response();
    };
    match state.tokens.refresh_grant(&refresh_token).await {
        Ok((grant, family)) => {
            let event = AuditEvent::success(
                "token.refreshed",
                Some(family.organization_id),
                format!("key:{}", family.access_key_id.get()),
            )
            .details(json!({ "grant": "refresh_token", "family": family.id }));
            respond(state, event, grant).await
        }
        Err(ServiceError::RefreshReused(family)) => {
            state
                .audit
                .record_failure(
                    AuditEvent::failure(
                        "token.reuse_detected",
                        Some(family.organization_id),
                        format!("key:{}", family.access_key_id.get()),
                    )
                    .details(json!({ "family": family.id, "effect": "family revoked" })),
                )
                .await;
            OAuthError::invalid_grant("the refresh token was already used; every token of its family is now revoked")
                .into_response()
        }
        Err(ServiceError::InvalidGrant) => {
            state
                .audit
                .record_failure(
                    AuditEvent::failure("auth.failed", None, "anonymous").details(
                        json!({ "grant": "refresh_token", "why": "unknown, expired or revoked refresh token" }),
                    ),
                )
                .await;
            OAuthError::invalid_grant("the refresh token is invalid, expired or revoked").into_response()
        }
        Err(e) => server_error(&e),
    }
}

/// Records the issuance (failing closed: no audit, no token) and answers.
async fn respond(state: &AppState, event: AuditEvent, grant: TokenGrant) -> Response {
    match state.audit.record(event).await {
        Ok(()) => no_store(Json(grant).into_response()),
        Err(e) => server_error(&e),
    }
}
