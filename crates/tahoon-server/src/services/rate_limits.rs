//! Rate limits: per organization on every partner request, and, stricter, per client address and
//! per access key on the token routes (against guessing). GCRA decisions
//! (`tahoon_domain::rate_limit`) over state kept in process, or in Redis when `TAHOON_REDIS_URL`
//! is set, so every instance enforces one limit. When Redis cannot be reached the process goes
//! on deciding with its own state (saying so once in the log and in a metric) and returns to
//! Redis when it answers again.

mod local;
mod shared;

use jiff::Timestamp;
use local::LocalLimits;
use shared::SharedLimits;
use std::net::IpAddr;
use std::sync::Arc;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::organization::RateLimit;
use tahoon_domain::rate_limit::{Decision, Quota};

/// What is limited.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// Every authenticated request of one organization.
    Organization(OrganizationId),
    /// Requests to the token routes from one client address.
    TokenAddress(IpAddr),
    /// Password grants naming one access key (its digest: keys never leave the process).
    AccessKey(String),
    /// Console sign-in attempts from one client address.
    ConsoleAddress(IpAddr),
}

impl LimitKey {
    /// The key's name in the store (after the configured prefix).
    fn name(&self) -> String {
        match self {
            LimitKey::Organization(id) => format!("org:{}", id.get()),
            LimitKey::TokenAddress(ip) => format!("token-addr:{ip}"),
            LimitKey::AccessKey(digest) => format!("token-key:{digest}"),
            LimitKey::ConsoleAddress(ip) => format!("console-addr:{ip}"),
        }
    }

    /// The metric label of the key's kind.
    fn scope(&self) -> &'static str {
        match self {
            LimitKey::Organization(_) => "organization",
            LimitKey::TokenAddress(_) => "token_address",
            LimitKey::AccessKey(_) => "token_key",
            LimitKey::ConsoleAddress(_) => "console_address",
        }
    }
}

/// A decision with the quota it was made against (the response's `RateLimit-*` fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub quota: Quota,
    pub decision: Decision,
}

/// The token routes' limits.
#[derive(Debug, Clone, Copy)]
pub struct TokenLimits {
    /// Requests to the token routes per minute from one client address.
    pub per_address: RateLimit,
    /// Password grants per minute naming one access key.
    pub per_access_key: RateLimit,
}

#[derive(Clone)]
pub struct RateLimits {
    local: Arc<LocalLimits>,
    shared: Option<Arc<SharedLimits>>,
}

impl RateLimits {
    /// Limits kept in this process only.
    pub fn local() -> RateLimits {
        RateLimits { local: Arc::new(LocalLimits::default()), shared: None }
    }

    /// Limits kept in Redis at `url` (keys under `prefix`), and in process while it is away.
    pub fn shared(url: &str, prefix: &str) -> Result<RateLimits, redis::RedisError> {
        let shared = SharedLimits::new(url, prefix)?;
        Ok(RateLimits { local: Arc::new(LocalLimits::default()), shared: Some(Arc::new(shared)) })
    }

    /// Decides one request at `now`, counting it when allowed.
    pub async fn check(&self, key: &LimitKey, quota: Quota, now: Timestamp) -> Verdict {
        let name = key.name();
        let decision = match &self.shared {
            Some(shared) => match shared.decide(&name, quota).await {
                Some(decision) => decision,
                None => self.local.decide(&name, quota, now),
            },
            None => self.local.decide(&name, quota, now),
        };
        if !decision.allowed {
            metrics::counter!("tahoon_rate_limit_rejections_total", "scope" => key.scope()).increment(1);
        }
        Verdict { quota, decision }
    }

    /// Whether decisions are being shared through Redis right now (`None`: not configured).
    pub fn shared_available(&self) -> Option<bool> {
        self.shared.as_ref().map(|shared| shared.available())
    }
}

/// Whether `url` names a Redis the client can talk to (its form only: nothing is connected).
pub fn check_redis_url(url: &str) -> Result<(), redis::RedisError> {
    redis::Client::open(url).map(drop)
}

/// A stored per-minute limit as a quota.
pub fn per_minute(limit: i64) -> Quota {
    let limit = u32::try_from(limit.clamp(1, i64::from(u32::MAX))).unwrap_or(u32::MAX);
    Quota::per_minute(limit).unwrap_or_else(|_| unreachable!("a positive limit per minute is a quota"))
}
