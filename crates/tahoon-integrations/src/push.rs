//! Push to care providers through Firebase Cloud Messaging's HTTP v1 API (reference §5.3, §7.1).
//!
//! The flow:
//! 1. [`ServiceAccount::from_json`] reads the service-account key file (`project_id`,
//!    `client_email`, `private_key`, `token_uri`) and checks it.
//! 2. [`TokenSource`] signs an RS256 JWT assertion (`iss` = `client_email`, `scope` =
//!    `https://www.googleapis.com/auth/firebase.messaging`, `aud` = `token_uri`, `iat`,
//!    `exp` = `iat` + 3600; `kid` = `private_key_id`), posts it form-encoded to `token_uri` with
//!    `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, and caches the access token until
//!    a minute before its `expires_in`.
//! 3. [`booking_messages`] builds, from a [`BookingNotice`], the message to the provider's Android
//!    topic `android_doctor_{id}~` (data only) and to its iOS topic `ios_doctor_{id}~`
//!    (notification and data), in English and Arabic.
//! 4. [`FcmSender::send`] posts `{"message": …}` to
//!    `{base_url}/v1/projects/{project_id}/messages:send` with `Authorization: Bearer …`, and
//!    [`classify`] reads the answer into a [`SendOutcome`]; [`Backoff`] says when to retry.
//!
//! Sending one message is one attempt (plus one retry with a new token after a 401): retries are
//! the caller's, the outbox worker's, so a push survives a restart and never holds up a booking.
//!
//! What this relies on, and where it was checked:
//! - Google's "Using OAuth 2.0 for Server to Server Applications"
//!   (developers.google.com/identity/protocols/OAuth2ServiceAccount): the claim set `iss`,
//!   `scope`, `aud`, `exp`, `iat`, at most one hour; `sub` only to impersonate a user
//!   (domain-wide delegation), so it is left out here, as golang.org/x/oauth2's `jwt.Config`
//!   leaves it out when no `Subject` is set.
//! - golang.org/x/oauth2 (`jwt/jwt.go`, `jws/jws.go`, `google/google.go`, `internal/oauth2.go`):
//!   the form post of `grant_type` and `assertion`, `kid` from `private_key_id`, `iat` dated 10 s
//!   back, the default `token_uri`, PKCS#8 or PKCS#1 PEM keys, `expires_in` read as seconds.
//! - firebase-admin-go (`messaging/messaging.go`, `internal/http_client.go`) and
//!   firebase-admin-node (`src/messaging/messaging-errors-internal.ts`): the send URL, the
//!   `{"message": …}` body with a bare `topic`, the topic pattern `[a-zA-Z0-9-_.~%]+`, the error
//!   code from `error.details[]` of type `type.googleapis.com/google.firebase.fcm.v1.FcmError`
//!   (else `error.status`), and `Retry-After` as seconds or an HTTP date.
//! - FCM's REST reference (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode,
//!   `projects.messages`): the codes and their statuses (`INVALID_ARGUMENT` 400, `UNREGISTERED`
//!   404, `SENDER_ID_MISMATCH` 403, `QUOTA_EXCEEDED` 429, `UNAVAILABLE` 503, `INTERNAL` 500,
//!   `THIRD_PARTY_AUTH_ERROR` 401), data values as strings and reserved keys, and the 2048-byte
//!   payload limit of messages to topics.

mod backoff;
mod message;
mod notification;
mod retry_after;
mod send;
mod service_account;
mod texts;
mod token;

pub use backoff::Backoff;
pub use message::{
    AndroidConfig, BookingMessages, BookingNotice, Message, MessageError, Notification, ProviderTopicId,
    TOPIC_PAYLOAD_LIMIT, booking_messages,
};
pub use notification::NotificationType;
pub use retry_after::parse_retry_after;
pub use send::{AuthFailure, FcmError, FcmSender, SendOutcome, classify};
pub use service_account::{GOOGLE_TOKEN_URI, ServiceAccount, ServiceAccountError, checked_endpoint};
pub use texts::{Language, display_name};
pub use token::{AccessToken, AssertionClaims, FCM_SCOPE, JWT_BEARER_GRANT, REFRESH_MARGIN, TokenSource, assertion};

use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The source of "now" (the service's clock in production, a manual one in tests).
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenUnavailable {
    #[error("the assertion could not be signed")]
    Signing,
    #[error("the token endpoint could not be reached (timeout: {timeout})")]
    Transport { timeout: bool },
    #[error("the token endpoint is unavailable (HTTP {status})")]
    Unavailable { status: u16, after: Option<Duration> },
    #[error("the token endpoint refused the service account (HTTP {status}, {error})")]
    Refused { status: u16, error: String },
    #[error("the token endpoint's answer is not an access token")]
    Malformed,
}

/// FCM's production endpoint.
pub const DEFAULT_BASE_URL: &str = "https://fcm.googleapis.com";

/// Configuration of the FCM client (settings `fcm.service_account`, `fcm.base_url`,
/// `fcm.connect_timeout_ms`, `fcm.request_timeout_ms`).
#[derive(Debug, Clone)]
pub struct FcmConfig {
    pub service_account: ServiceAccount,
    /// `https://fcm.googleapis.com` unless set (https, or http to a loopback address).
    pub base_url: Url,
    pub connect_timeout: Duration,
    /// The whole of one request, the token exchange's included.
    pub request_timeout: Duration,
}

/// The longest timeout accepted.
const MAX_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FcmConfigError {
    #[error(transparent)]
    ServiceAccount(#[from] ServiceAccountError),
    #[error("{0} must be between 1 ms and 300000 ms")]
    Timeout(&'static str),
    #[error("the HTTP client could not be built")]
    Client,
}

impl FcmConfig {
    /// The defaults: FCM's production URL, 5 s to connect, 10 s for a request.
    pub fn new(service_account: ServiceAccount) -> FcmConfig {
        FcmConfig {
            service_account,
            base_url: Url::parse(DEFAULT_BASE_URL).expect("a valid constant URL"),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }

    /// The configuration the settings describe (`None` keeps the default), validated.
    pub fn from_settings(
        service_account_json: &str,
        base_url: Option<&str>,
        connect_timeout_ms: Option<u64>,
        request_timeout_ms: Option<u64>,
    ) -> Result<FcmConfig, FcmConfigError> {
        let mut config = FcmConfig::new(ServiceAccount::from_json(service_account_json)?);
        if let Some(url) = base_url {
            config.base_url = checked_endpoint(url, "fcm.base_url")?;
        }
        let timeout = |ms: Option<u64>, default: Duration, what| match ms.map(Duration::from_millis) {
            None => Ok(default),
            Some(d) if !d.is_zero() && d <= MAX_TIMEOUT => Ok(d),
            Some(_) => Err(FcmConfigError::Timeout(what)),
        };
        config.connect_timeout = timeout(connect_timeout_ms, config.connect_timeout, "fcm.connect_timeout_ms")?;
        config.request_timeout = timeout(request_timeout_ms, config.request_timeout, "fcm.request_timeout_ms")?;
        Ok(config)
    }
}

/// The FCM client: a token source and a sender sharing one HTTP client (connect and total
/// timeouts, no redirects followed).
#[derive(Debug)]
pub struct FcmClient {
    sender: FcmSender,
}

impl FcmClient {
    /// A client on the system clock.
    pub fn new(config: FcmConfig) -> Result<FcmClient, FcmConfigError> {
        FcmClient::with_clock(config, Arc::new(Timestamp::now))
    }

    /// A client reading "now" from `now`.
    pub fn with_clock(config: FcmConfig, now: Now) -> Result<FcmClient, FcmConfigError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tahoon/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| FcmConfigError::Client)?;
        let tokens = TokenSource::new(http.clone(), config.service_account, now.clone());
        Ok(FcmClient { sender: FcmSender::new(http, &config.base_url, tokens, now) })
    }

    pub fn sender(&self) -> &FcmSender {
        &self.sender
    }

    /// Sends one message (see [`FcmSender::send`]).
    pub async fn send(&self, message: &Message) -> SendOutcome {
        self.sender.send(message).await
    }

    /// Sends both messages of a notice: Android's, then iOS's. Each has its own outcome, so a
    /// caller retries only the one that needs it.
    pub async fn send_booking(&self, messages: &BookingMessages) -> [SendOutcome; 2] {
        let android = self.send(&messages.android).await;
        let ios = self.send(&messages.ios).await;
        [android, ios]
    }
}
