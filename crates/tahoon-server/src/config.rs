//! What the server needs to run, already parsed. Loading (files, environment, flags) is the CLI's.

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

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub secrets: Secrets,
    /// `iss` of issued tokens, checked on every request.
    pub token_issuer: String,
    /// `aud` of issued tokens, checked on every request.
    pub token_audience: String,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// Largest accepted request body, in bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Default requests per minute for new organizations.
    pub default_rate_limit_per_minute: RateLimit,
    /// How long a hold may wait for its video room before it is failed and its slot freed.
    pub pending_hold_ttl_secs: i64,
    /// Webhook targets may be plain `http` and loopback (`TAHOON_WEBHOOKS_ALLOW_LOOPBACK`, for
    /// local development and tests only).
    pub webhooks_allow_loopback: bool,
}

const DEFAULT_RATE_LIMIT: RateLimit = match RateLimit::new(100) {
    Ok(limit) => limit,
    Err(_) => panic!("100 requests a minute is within the rate limit's bounds"),
};

impl ServerConfig {
    pub const DEFAULT_ISSUER: &'static str = "tahoon";
    pub const DEFAULT_AUDIENCE: &'static str = "tahoon-partner-api";

    pub fn new(secrets: Secrets) -> ServerConfig {
        ServerConfig {
            secrets,
            token_issuer: Self::DEFAULT_ISSUER.into(),
            token_audience: Self::DEFAULT_AUDIENCE.into(),
            access_token_ttl_secs: 86_400,
            refresh_token_ttl_secs: 30 * 86_400,
            max_body_bytes: 256 * 1024,
            default_rate_limit_per_minute: DEFAULT_RATE_LIMIT,
            pending_hold_ttl_secs: 120,
            webhooks_allow_loopback: false,
        }
    }
}
