//! The rate limits' answer on the wire. Like the idempotency slot, two halves: this middleware
//! puts an empty `RateLimitSlot` on every partner request and, once the response exists, writes
//! the verdict it holds as `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and
//! `RateLimit-Policy` (the IETF draft's fields); a refusal's `Retry-After` is the error's. The verdict
//! itself is reached by `enforce`, called where the limited thing is known: the partner
//! extractor (the organization, once the token is verified) and the token routes (the client
//! address and the access key).

use crate::error::ApiError;
use crate::services::rate_limits::{LimitKey, Verdict};
use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, Mutex};
use tahoon_domain::rate_limit::Quota;
use tahoon_domain::reason::Reason;

/// The verdict a partner request's answer reports (the tightest when several limits applied).
#[derive(Clone, Default)]
pub struct RateLimitSlot(Arc<Mutex<Option<Verdict>>>);

impl RateLimitSlot {
    fn record(&self, verdict: Verdict) {
        let mut held = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tighter = match *held {
            None => true,
            Some(current) => {
                !verdict.decision.allowed
                    || (current.decision.allowed && verdict.decision.remaining < current.decision.remaining)
            }
        };
        if tighter {
            *held = Some(verdict);
        }
    }

    fn get(&self) -> Option<Verdict> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub async fn rate_limit_headers(mut request: Request, next: Next) -> Response {
    let slot = RateLimitSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some(verdict) = slot.get() {
        write_headers(response.headers_mut(), verdict);
    }
    response
}

fn write_headers(headers: &mut HeaderMap, Verdict { quota, decision }: Verdict) {
    let number = |n: i64| HeaderValue::from(n);
    headers.insert("ratelimit-limit", number(i64::from(quota.limit())));
    headers.insert("ratelimit-remaining", number(i64::from(decision.remaining)));
    headers.insert("ratelimit-reset", number(decision.reset_secs));
    if let Ok(policy) = HeaderValue::from_str(&format!("{};w={}", quota.limit(), quota.period_secs())) {
        headers.insert("ratelimit-policy", policy);
    }
}

/// Counts one request against `key`'s quota; a refusal is 429 reason 106. The verdict goes to
/// the request's slot, when it has one, for the response's fields.
pub async fn enforce(
    state: &AppState,
    slot: Option<&RateLimitSlot>,
    key: LimitKey,
    quota: Quota,
) -> Result<(), ApiError> {
    let verdict = state.rate_limits.check(&key, quota, state.clock.now()).await;
    if let Some(slot) = slot {
        slot.record(verdict);
    }
    if verdict.decision.allowed {
        Ok(())
    } else {
        let wait = verdict.decision.retry_after_secs;
        Err(ApiError::new(Reason::RateLimited)
            .with_detail(format!("retry after {wait} s"))
            .with_retry_after(u64::try_from(wait).unwrap_or(1)))
    }
}
