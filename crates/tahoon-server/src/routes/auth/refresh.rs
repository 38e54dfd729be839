//! `POST /auth/refresh`: an alias of the token route for the refresh grant.

use super::limits::{self, Slot};
use super::oauth::{OAuthError, TokenRequest, parse_body};
use super::token::refresh_grant;
use crate::services::tokens::TokenGrant;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// Refresh a token.
///
/// Same as `/auth/token` with `grant_type=refresh_token` (which may be omitted here).
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "auth",
    request_body(
        content = TokenRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "A form (the OAuth default); the same fields as a JSON object are accepted too."
    ),
    responses(
        (status = 200, description = "Tokens rotated", body = TokenGrant, links(
            ("revoke" = (operation_id = "revoke_token", request_body = json!({"token": "$response.body#/refresh_token"}))),
        )),
        (status = 400, description = "invalid_request or invalid_grant", body = OAuthError),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
pub async fn refresh_token(State(state): State<AppState>, slot: Slot, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = limits::per_address(&state, &slot).await {
        return refused;
    }
    let request: TokenRequest = match parse_body(&headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    match request.grant_type.as_deref() {
        None | Some("refresh_token") => refresh_grant(&state, request).await,
        Some(_) => OAuthError::unsupported_grant_type().into_response(),
    }
}
