//! `Idempotency-Key` (Stripe semantics) on every signed mutating route: the same key with the same
//! request answers the stored response again, byte for byte; with another request, 409; while the
//! first is still running, concurrent ones wait briefly, then get 409. Keys are scoped per
//! organization and kept 24 hours.
//!
//! Two halves. This middleware only marks a request that carries the header (an
//! `IdempotencySlot`) and, once the response exists, stores or releases what was claimed. The
//! claim itself is made by the signed extractor (`extract::signed`) after the token, the role and
//! the signature have been checked: a request that fails any of them never touches the key, and
//! a stored answer is replayed only to a request that passed the same checks. Only answers of
//! requests that reached the handler are kept, and never 401, 403, 429 or 5xx (Stripe's rule);
//! those release the key so a corrected retry runs.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::reason::Reason;
use tahoon_store::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";
const KEEP: SignedDuration = SignedDuration::from_hours(24);
/// How long a request waits for an identical one still in flight (50 × 100 ms).
const IN_FLIGHT_POLLS: u32 = 50;

/// A key this request holds in the store, until its answer is stored or the key released.
#[derive(Debug, Clone)]
struct Claim {
    organization_id: OrganizationId,
    key: String,
}

/// Put on a request that carries `Idempotency-Key`; filled by the signed extractor's claim.
#[derive(Clone)]
pub struct IdempotencySlot {
    raw_key: HeaderValue,
    claimed: Arc<Mutex<Option<Claim>>>,
}

impl IdempotencySlot {
    fn take(&self) -> Option<Claim> {
        self.claimed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
    }
}

/// Releases a claim whose request never produced an answer (a panic, a dropped connection), so
/// the key does not stay "in flight" for a day.
struct ReleaseOnDrop {
    state: AppState,
    slot: IdempotencySlot,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if let Some(claim) = self.slot.take() {
            let store = self.state.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.release_idempotency_key(claim.organization_id, &claim.key).await {
                    tracing::error!(error = %e, "releasing an abandoned idempotency key failed");
                }
            });
        }
    }
}

pub async fn idempotency(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(raw_key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let slot = IdempotencySlot { raw_key, claimed: Arc::new(Mutex::new(None)) };
    request.extensions_mut().insert(slot.clone());
    let guard = ReleaseOnDrop { state, slot };
    let response = next.run(request).await;
    let Some(claim) = guard.slot.take() else {
        return response;
    };
    finish(&guard.state, claim, response).await
}

/// Whether an answer is kept for replay: only what the handler decided, never a refusal of the
/// caller's credentials, a rate limit or our own failure.
fn storable(status: StatusCode) -> bool {
    !(status.is_server_error()
        || matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS))
}

async fn finish(state: &AppState, claim: Claim, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    if !storable(parts.status) {
        if let Err(e) = state.store.release_idempotency_key(claim.organization_id, &claim.key).await {
            tracing::error!(error = %e, "releasing an idempotency key failed");
        }
        return Response::from_parts(parts, body);
    }
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    // Sealed with the master key: an answer may hold a secret shown once (a webhook endpoint's
    // signing secret), which must not sit in the database in clear for the key's day.
    let sealed = state.config.secrets.master_key.seal(&String::from_utf8_lossy(&body));
    let status = parts.status.as_u16();
    if let Err(e) = state.store.complete_idempotency_key(claim.organization_id, &claim.key, status, &sealed).await {
        tracing::error!(error = %e, "recording an idempotency key failed");
    }
    Response::from_parts(parts, Body::from(body))
}

/// The request's fingerprint: method, path and query, and the exact body.
fn request_hash(target: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(target.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Claims the request's key for an authenticated, authorized and verified request. `Ok` means
/// run the handler; `Err` is the answer instead (the stored one replayed, or 409).
pub async fn claim(
    state: &AppState,
    slot: &IdempotencySlot,
    organization_id: OrganizationId,
    target: &str,
    body: &[u8],
) -> Result<(), Response> {
    let key = slot
        .raw_key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .ok_or_else(|| ApiError::validation("Idempotency-Key", "must be 1 to 255 visible ASCII characters"))?;
    let hash = request_hash(target, body);
    for _ in 0..=IN_FLIGHT_POLLS {
        let now = state.clock.now();
        let expired_before = now.checked_sub(KEEP).unwrap_or(Timestamp::MIN);
        let claim = state
            .store
            .claim_idempotency_key(organization_id, &key, &hash, now, expired_before)
            .await
            .map_err(ApiError::from)?;
        match claim {
            IdempotencyClaim::New => {
                let mut claimed = slot.claimed.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                *claimed = Some(Claim { organization_id, key });
                return Ok(());
            }
            IdempotencyClaim::Replay { status_code, body } => {
                let status = StatusCode::from_u16(status_code).unwrap_or(StatusCode::OK);
                // Answers stored before they were sealed (at most a day old) are replayed as kept.
                let body = state.config.secrets.master_key.unseal(&body).unwrap_or(body);
                let mut response = (status, body).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Err(response);
            }
            IdempotencyClaim::Mismatch => return Err(ApiError::new(Reason::IdempotencyConflict).into_response()),
            IdempotencyClaim::InFlight => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Err(ApiError::new(Reason::IdempotencyConflict)
        .with_detail("a request with this key is still being processed")
        .into_response())
}
