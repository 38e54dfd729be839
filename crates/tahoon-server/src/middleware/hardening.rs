//! What every answer carries for safety, the time limit of every request, and CORS when an
//! operator allows browser origins (off by default: the API is called by partners' servers).

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tahoon_domain::reason::Reason;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// JSON answers load nothing and are never framed.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The docs page (Swagger UI, served by the binary): its own scripts and styles only, no inline
/// script; Swagger UI sets some styles inline and draws icons from `data:` URLs.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// The console: its own stylesheet and script only, no inline script or style; forms post to
/// itself.
const CONSOLE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/docs");
    let console = request.uri().path().starts_with("/console");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let policy = if docs {
        DOCS_POLICY
    } else if console {
        CONSOLE_POLICY
    } else {
        API_POLICY
    };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    // Answers hold personal and health data: no cache, shared or private, may keep them. (The
    // docs page's and the console's static assets set their own.)
    if !docs && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Answers 503 (reason 114, `Retry-After: 1`) when a request runs longer than `limit`. The
/// handler is dropped: an open transaction rolls back, an idempotency claim is released, and a
/// booking's pending hold is failed by the sweep if its video room was being made.
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let route = request.uri().path().to_string();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path = %route, limit_ms = limit.as_millis() as u64, "request timed out");
            ApiError::new(Reason::ServiceUnavailable)
                .with_detail("the request took longer than the server allows")
                .with_retry_after(1)
                .into_response()
        }
    }
}

/// CORS for the configured origins (exact `scheme://host[:port]` matches), or none at all.
pub fn cors(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let header = HeaderName::from_static;
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::header::ACCEPT_LANGUAGE,
                header("x-tahoon-signature"),
                header("idempotency-key"),
                header("x-request-id"),
            ])
            .expose_headers([
                header("x-request-id"),
                header("ratelimit-limit"),
                header("ratelimit-remaining"),
                header("ratelimit-reset"),
                header("ratelimit-policy"),
                axum::http::header::RETRY_AFTER,
                header("idempotent-replayed"),
                header("deprecation"),
            ])
            .max_age(Duration::from_secs(600)),
    )
}
