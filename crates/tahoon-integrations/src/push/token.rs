//! OAuth 2.0 access tokens for FCM from the service account (Google's "server to server" flow): an
//! RS256 JWT assertion posted to `token_uri` with the jwt-bearer grant, and the access token it
//! returns cached until shortly before it expires. One exchange serves every send meanwhile, even
//! when many sends race for the first token: the cache's lock is held across the exchange. Sends
//! that waited for an exchange that failed get its failure rather than each trying (and, against a
//! slow endpoint, timing out) in turn.

use super::retry_after::retry_after;
use super::service_account::ServiceAccount;
use super::{Now, TokenUnavailable};
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

/// The OAuth 2.0 scope FCM HTTP v1 requires.
pub const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// RFC 7523's grant type for a JWT assertion.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// An assertion's lifetime: Google accepts at most one hour.
const ASSERTION_LIFETIME: SignedDuration = SignedDuration::from_secs(3600);
/// The assertion is dated this much in the past, so a server clock slightly behind ours does not
/// see it issued in the future (golang.org/x/oauth2/jws does the same).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(10);
/// A cached token is replaced this long before it expires.
pub const REFRESH_MARGIN: SignedDuration = SignedDuration::from_secs(60);
/// A token endpoint's answer is read up to this size.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// The claims of the assertion. No `sub`: Google reads it as a user to impersonate (domain-wide
/// delegation), and the Google SDKs leave it out when the service account acts as itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub scope: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

impl AssertionClaims {
    /// The claims of an assertion made at `now` for `account`.
    pub fn new(account: &ServiceAccount, now: Timestamp) -> AssertionClaims {
        let iat = now.checked_sub(CLOCK_SKEW).unwrap_or(now).as_second();
        AssertionClaims {
            iss: account.client_email().to_owned(),
            scope: FCM_SCOPE.to_owned(),
            aud: account.token_uri().as_str().to_owned(),
            iat,
            exp: iat + ASSERTION_LIFETIME.as_secs(),
        }
    }
}

/// The signed assertion (`header.claims.signature`) of `account` at `now`.
pub fn assertion(account: &ServiceAccount, now: Timestamp) -> Result<String, TokenUnavailable> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = account.private_key_id().map(str::to_owned);
    jsonwebtoken::encode(&header, &AssertionClaims::new(account, now), account.signing_key())
        .map_err(|_| TokenUnavailable::Signing)
}

/// An access token. `Debug` and `Display` do not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

#[derive(Debug, Clone)]
struct Cached {
    token: AccessToken,
    /// When the token is replaced: its expiry less [`REFRESH_MARGIN`].
    refresh_at: Timestamp,
}

/// Google's answer to a successful exchange.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: i64,
    #[serde(default)]
    token_type: Option<String>,
}

/// Google's answer to a refused exchange (RFC 6749 §5.2); only the error code is kept.
#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
}

#[derive(Debug, Default)]
struct State {
    cached: Option<Cached>,
    /// How the last exchange failed, if it did.
    failure: Option<TokenUnavailable>,
}

/// Access tokens of one service account, exchanged on demand and cached.
pub struct TokenSource {
    http: reqwest::Client,
    account: ServiceAccount,
    now: Now,
    state: Mutex<State>,
    /// Exchanges finished, successful or not.
    exchanges: AtomicU64,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource").field("account", &self.account).finish_non_exhaustive()
    }
}

impl TokenSource {
    pub fn new(http: reqwest::Client, account: ServiceAccount, now: Now) -> TokenSource {
        TokenSource { http, account, now, state: Mutex::new(State::default()), exchanges: AtomicU64::new(0) }
    }

    pub fn account(&self) -> &ServiceAccount {
        &self.account
    }

    /// A token valid for at least [`REFRESH_MARGIN`] more (the cached one, or a new one). Callers
    /// that arrive during an exchange wait for it and share its token, or its failure.
    pub async fn token(&self) -> Result<AccessToken, TokenUnavailable> {
        let seen = self.exchanges.load(Ordering::SeqCst);
        let mut state = self.state.lock().await;
        let now = (self.now)();
        if let Some(cached) = state.cached.as_ref().filter(|c| now < c.refresh_at) {
            return Ok(cached.token.clone());
        }
        if self.exchanges.load(Ordering::SeqCst) != seen
            && let Some(failure) = &state.failure
        {
            return Err(failure.clone());
        }
        let result = self.exchange(now).await;
        self.exchanges.fetch_add(1, Ordering::SeqCst);
        match result {
            Ok((token, expires_in)) => {
                let refresh_at = now.checked_add(expires_in - REFRESH_MARGIN).unwrap_or(now);
                *state = State { cached: Some(Cached { token: token.clone(), refresh_at }), failure: None };
                Ok(token)
            }
            Err(failure) => {
                state.failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    /// Drops `stale` from the cache (FCM refused it), unless another send already replaced it.
    pub async fn invalidate(&self, stale: &AccessToken) {
        let mut state = self.state.lock().await;
        if state.cached.as_ref().is_some_and(|c| &c.token == stale) {
            state.cached = None;
        }
    }

    async fn exchange(&self, now: Timestamp) -> Result<(AccessToken, SignedDuration), TokenUnavailable> {
        let assertion = assertion(&self.account, now)?;
        let form = [("grant_type", JWT_BEARER_GRANT), ("assertion", assertion.as_str())];
        let response = self
            .http
            .post(self.account.token_uri().clone())
            .form(&form)
            .send()
            .await
            .map_err(TokenUnavailable::transport)?;
        let status = response.status();
        let after = retry_after(response.headers(), now);
        let body = read_limited(response).await?;
        if status.is_success() {
            return parse_token(&body);
        }
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(TokenUnavailable::Unavailable { status: status.as_u16(), after });
        }
        let error = serde_json::from_slice::<TokenErrorResponse>(&body)
            .ok()
            .map(|e| e.error)
            .filter(|e| e.len() <= 64 && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or_else(|| "unknown".to_owned());
        tracing::warn!(status = status.as_u16(), error = %error, "the token endpoint refused the service account");
        Err(TokenUnavailable::Refused { status: status.as_u16(), error })
    }
}

async fn read_limited(response: reqwest::Response) -> Result<Vec<u8>, TokenUnavailable> {
    if response.content_length().is_some_and(|n| n > MAX_TOKEN_RESPONSE as u64) {
        return Err(TokenUnavailable::Malformed);
    }
    let body = response.bytes().await.map_err(TokenUnavailable::transport)?;
    if body.len() > MAX_TOKEN_RESPONSE {
        return Err(TokenUnavailable::Malformed);
    }
    Ok(body.to_vec())
}

/// A token endpoint's 2xx answer, checked: a bearer token that fits in a header, a positive lifetime.
fn parse_token(body: &[u8]) -> Result<(AccessToken, SignedDuration), TokenUnavailable> {
    let parsed: TokenResponse = serde_json::from_slice(body).map_err(|_| TokenUnavailable::Malformed)?;
    let bearer = parsed.token_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("bearer"));
    let token_ok = !parsed.access_token.is_empty()
        && parsed.access_token.len() <= 4096
        && parsed.access_token.bytes().all(|b| b.is_ascii_graphic());
    if !bearer || !token_ok || !(1..=86_400).contains(&parsed.expires_in) {
        return Err(TokenUnavailable::Malformed);
    }
    Ok((AccessToken(parsed.access_token.into()), SignedDuration::from_secs(parsed.expires_in)))
}

impl TokenUnavailable {
    fn transport(e: reqwest::Error) -> TokenUnavailable {
        TokenUnavailable::Transport { timeout: e.is_timeout() }
    }

    /// How long to wait before asking again, when the endpoint said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TokenUnavailable::Unavailable { after, .. } => *after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_are_checked() {
        let ok = br#"{"access_token":"ya29.abc","expires_in":3599,"token_type":"Bearer"}"#;
        let (token, life) = parse_token(ok).unwrap();
        assert_eq!(token.secret(), "ya29.abc");
        assert_eq!(life, SignedDuration::from_secs(3599));
        assert!(!format!("{token:?}").contains("ya29"));
        for bad in [
            &br#"{"access_token":"","expires_in":3599}"#[..],
            br#"{"access_token":"a b","expires_in":3599}"#,
            br#"{"access_token":"abc","expires_in":0}"#,
            br#"{"access_token":"abc","expires_in":3599,"token_type":"mac"}"#,
            br#"<html>"#,
        ] {
            assert!(matches!(parse_token(bad), Err(TokenUnavailable::Malformed)), "{}", String::from_utf8_lossy(bad));
        }
    }
}
