//! What the token routes share: form-or-JSON bodies and the OAuth error body.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Body of `/auth/token` and `/auth/refresh`, as a form or as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password` (with `access_key`) or `refresh_token` (with `refresh_token`); required by
    /// `/auth/token`, optional (`refresh_token`) on `/auth/refresh`.
    #[schema(pattern = "^(password|refresh_token)$", example = "password")]
    pub grant_type: Option<String>,
    /// The organization's access key, for `grant_type=password`: `thn_ak_` and 43 characters.
    #[schema(pattern = "^thn_ak_[A-Za-z0-9_-]{43}$")]
    pub access_key: Option<String>,
    /// A refresh token, for `grant_type=refresh_token`: `thn_rt_` and 43 characters.
    #[schema(pattern = "^thn_rt_[A-Za-z0-9_-]{43}$")]
    pub refresh_token: Option<String>,
}

/// Body of `/auth/revoke` (RFC 7009), as a form or as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// The access or refresh token to revoke (required).
    #[schema(min_length = 1)]
    pub token: Option<String>,
    /// `access_token` or `refresh_token`; optional.
    #[schema(pattern = "^(access_token|refresh_token)$")]
    pub token_type_hint: Option<String>,
}

/// OAuth error body (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_grant` or `unsupported_grant_type`.
    #[schema(pattern = "^(invalid_request|invalid_grant|unsupported_grant_type|server_error)$")]
    pub error: &'static str,
    pub error_description: String,
}

impl OAuthError {
    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError { error: "invalid_request", error_description: description.into() }
    }
    pub fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError { error: "invalid_grant", error_description: description.into() }
    }
    pub fn unsupported_grant_type() -> OAuthError {
        OAuthError {
            error: "unsupported_grant_type",
            error_description: "grant_type must be password or refresh_token".into(),
        }
    }
    pub fn server_error() -> OAuthError {
        OAuthError { error: "server_error", error_description: "an internal error occurred".into() }
    }
}

/// A failure on our side: logged once, with the request id and the whole chain of causes, and
/// answered as OAuth's `server_error` (the token routes do not use the envelope).
pub fn server_error(cause: &(dyn std::error::Error + 'static)) -> Response {
    let request_id = crate::context::RequestContext::current().request_id;
    tracing::error!(request_id = %request_id, error = %crate::error::chain(cause), "token request failed");
    OAuthError::server_error().into_response()
}

/// Token responses must not be cached (RFC 6749 §5.1).
pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status =
            if self.error == "server_error" { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
        no_store((status, Json(self)).into_response())
    }
}

/// Parses a form (the OAuth default) or, with a JSON content type, a JSON object.
pub fn parse_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, OAuthError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if is_json {
        serde_json::from_slice(body).map_err(|_| OAuthError::invalid_request("the body is not a valid JSON object"))
    } else {
        serde_urlencoded::from_bytes(body).map_err(|_| OAuthError::invalid_request("the body is not a valid form"))
    }
}
