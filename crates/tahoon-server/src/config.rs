//! What the server needs to run, already parsed. Loading (files, environment, flags) is the CLI's.

use crate::services::rate_limits::TokenLimits;
use std::fmt;
use tahoon_domain::organization::RateLimit;
use tahoon_domain::secrets::MasterKey;

/// The server's own secrets.
#[derive(Clone)]
pub struct Secrets {
    /// Seals organizations' shared keys and derives the public-id keys.
    pub master_key: MasterKey,
    /// HS256 key for access tokens.
    pub token_signing_key: [u8; 32],
    /// Bearer token of the operator plane (`/api/v1/admin/…`).
    pub operator_token: String,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(..)")
    }
}

/// Token-signing keys taken out of service: tokens they signed still verify until they expire,
/// so rotating the signing key logs no partner out (`docs/operations.md`).
#[derive(Clone, Default)]
pub struct RetiredKeys(Vec<[u8; 32]>);

impl RetiredKeys {
    pub fn new(keys: Vec<[u8; 32]>) -> RetiredKeys {
        RetiredKeys(keys)
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8; 32]> {
        self.0.iter()
    }
}

impl fmt::Debug for RetiredKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RetiredKeys({} keys)", self.0.len())
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub secrets: Secrets,
    /// `iss` of issued tokens, checked on every request.
    pub token_issuer: String,
    /// `aud` of issued tokens, checked on every request.
    pub token_audience: String,
    /// Earlier token-signing keys, for verification only.
    pub retired_token_signing_keys: RetiredKeys,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// Largest accepted request body, in bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Default requests per minute for new organizations.
    pub default_rate_limit_per_minute: RateLimit,
    /// The token routes' limits, per client address and per access key.
    pub token_rate_limits: TokenLimits,
    /// Redis shared by every instance for rate-limit state (`None`: kept in process).
    pub redis_url: Option<String>,
    /// Prefix of this deployment's keys in Redis.
    pub redis_key_prefix: String,
    /// Where `/metrics` is served on its own, without the operator token (`None`: on the main
    /// listener, for the operator only).
    pub metrics_listen: Option<String>,
    /// The longest a request may run before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` names the client (empty: the TCP peer is the client).
    pub trusted_proxies: Vec<tahoon_domain::client_address::AddressRange>,
    /// Browser origins allowed by CORS (`https://app.example`); empty: no CORS at all.
    pub cors_allowed_origins: Vec<axum::http::HeaderValue>,
    /// How long a hold may wait for its video room before it is failed and its slot freed.
    pub pending_hold_ttl_secs: i64,
    /// Webhook targets may be plain `http` and loopback (`TAHOON_WEBHOOKS_ALLOW_LOOPBACK`, for
    /// local development and tests only).
    pub webhooks_allow_loopback: bool,
    /// The console's cookies carry `Secure` (served over TLS, or behind a proxy that terminates it).
    pub console_secure_cookies: bool,
}

const fn per_minute(limit: i64) -> RateLimit {
    match RateLimit::new(limit) {
        Ok(limit) => limit,
        Err(_) => panic!("a default rate limit is within the rate limit's bounds"),
    }
}

const DEFAULT_RATE_LIMIT: RateLimit = per_minute(100);
/// Generous for a partner's servers behind one address, which fetch a token a day; tight for
/// someone trying access keys.
const DEFAULT_TOKEN_LIMITS: TokenLimits = TokenLimits { per_address: per_minute(30), per_access_key: per_minute(10) };

impl ServerConfig {
    pub const DEFAULT_ISSUER: &'static str = "tahoon";
    pub const DEFAULT_AUDIENCE: &'static str = "tahoon-partner-api";
    pub const DEFAULT_REDIS_KEY_PREFIX: &'static str = "tahoon:ratelimit:";

    pub fn new(secrets: Secrets) -> ServerConfig {
        ServerConfig {
            secrets,
            token_issuer: Self::DEFAULT_ISSUER.into(),
            token_audience: Self::DEFAULT_AUDIENCE.into(),
            retired_token_signing_keys: RetiredKeys::default(),
            access_token_ttl_secs: 86_400,
            refresh_token_ttl_secs: 30 * 86_400,
            max_body_bytes: 256 * 1024,
            default_rate_limit_per_minute: DEFAULT_RATE_LIMIT,
            token_rate_limits: DEFAULT_TOKEN_LIMITS,
            redis_url: None,
            redis_key_prefix: Self::DEFAULT_REDIS_KEY_PREFIX.into(),
            metrics_listen: None,
            request_timeout: std::time::Duration::from_secs(30),
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            pending_hold_ttl_secs: 120,
            webhooks_allow_loopback: false,
            console_secure_cookies: false,
        }
    }
}
