//! `Idempotency-Key` (Stripe semantics) on mutating booking routes: the same key with the same
//! request answers the stored response again, byte for byte; with another request, 409; while the
//! first is still running, concurrent ones wait briefly, then get 409. Keys are scoped per
//! organization and kept 24 hours. A request that fails on our side (5xx) releases its key.

use crate::error::ApiError;
use crate::extract::auth::Partner;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tahoon_domain::reason::Reason;
use tahoon_store::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";
const KEEP_US: i64 = 24 * 3600 * 1_000_000;

pub async fn idempotency(request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let Some(state) = request.extensions().get::<AppState>().cloned() else {
        return next.run(request).await;
    };
    match run(state, key, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn run(state: AppState, key: HeaderValue, request: Request, next: Next) -> Result<Response, Response> {
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::validation("Idempotency-Key", "must be 1 to 255 visible ASCII characters").into_response()
        })?;
    let (mut parts, body) = request.into_parts();
    let Partner(auth) = Partner::from_request_parts(&mut parts, &state).await.map_err(IntoResponse::into_response)?;
    let bytes = to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| ApiError::new(Reason::PayloadTooLarge).into_response())?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let organization = auth.organization.id;

    let mut waited = 0;
    loop {
        let now = jiff::Timestamp::now().as_microsecond();
        let claim = state
            .store
            .claim_idempotency_key(organization, &key, &hash, now, now - KEEP_US)
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        match claim {
            IdempotencyClaim::New => break,
            IdempotencyClaim::Replay { status_code, body } => {
                let status = StatusCode::from_u16(status_code as u16).unwrap_or(StatusCode::OK);
                let mut response = (status, body).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(response);
            }
            IdempotencyClaim::Mismatch => {
                return Err(ApiError::new(Reason::IdempotencyConflict).into_response());
            }
            IdempotencyClaim::InFlight if waited < 50 => {
                waited += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            IdempotencyClaim::InFlight => {
                return Err(ApiError::new(Reason::IdempotencyConflict)
                    .with_detail("a request with this key is still being processed")
                    .into_response());
            }
        }
    }

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (response_parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let stored = if response_parts.status.is_server_error() {
        state.store.release_idempotency_key(organization, &key).await
    } else {
        let text = String::from_utf8_lossy(&body);
        state.store.complete_idempotency_key(organization, &key, i64::from(response_parts.status.as_u16()), &text).await
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "recording an idempotency key failed");
    }
    Ok(Response::from_parts(response_parts, Body::from(body)))
}
