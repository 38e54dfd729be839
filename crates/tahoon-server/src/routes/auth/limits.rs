//! The token routes' rate limits, against guessing: every request per client address (the one
//! `RequestContext` holds), and password grants also per access key. A refusal is the envelope's
//! 429 reason 106 with `Retry-After`, as on every other route, not an OAuth error body.

use crate::context::RequestContext;
use crate::middleware::rate_limit::{RateLimitSlot, enforce};
use crate::services::rate_limits::{LimitKey, per_minute};
use crate::state::AppState;
use axum::Extension;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The slot the rate-limit middleware put on the request, as a handler extracts it.
pub type Slot = Option<Extension<RateLimitSlot>>;

/// Counts a token-route request against its client address.
pub async fn per_address(state: &AppState, slot: &Slot) -> Result<(), Response> {
    let Some(address) = RequestContext::current().source_ip else { return Ok(()) };
    let quota = per_minute(state.config.token_rate_limits.per_address.get());
    enforce(state, slot.as_deref(), LimitKey::TokenAddress(address), quota).await.map_err(IntoResponse::into_response)
}

/// Counts a password grant against the access key it names (by digest: keys are not kept).
pub async fn per_access_key(state: &AppState, slot: &Slot, access_key: &str) -> Result<(), Response> {
    let digest = hex::encode(&Sha256::digest(access_key.as_bytes())[..16]);
    let quota = per_minute(state.config.token_rate_limits.per_access_key.get());
    enforce(state, slot.as_deref(), LimitKey::AccessKey(digest), quota).await.map_err(IntoResponse::into_response)
}
