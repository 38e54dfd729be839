//! Sending one message: `POST {base_url}/v1/projects/{project_id}/messages:send` with the bearer
//! token, and what the answer means for the message (sent, refused for good, try again later, or
//! the service account is not accepted).

use super::message::Message;
use super::retry_after::retry_after;
use super::token::{AccessToken, TokenSource};
use super::{Now, TokenUnavailable};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;
use url::Url;

/// A send's answer is read up to this size.
const MAX_RESPONSE: usize = 64 * 1024;

/// What went wrong with a send that did not succeed: FCM's own error code when it gave one
/// (`error.details[].errorCode` of type `google.firebase.fcm.v1.FcmError`, else `error.status`),
/// or what the transport saw. Carries no text from the answer (it may echo the message's data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FcmError {
    /// `UNREGISTERED` (404): the target is gone.
    Unregistered,
    /// `INVALID_ARGUMENT` (400): the message is not valid.
    InvalidArgument,
    /// `SENDER_ID_MISMATCH` (403).
    SenderIdMismatch,
    /// `THIRD_PARTY_AUTH_ERROR` (401): the APNs certificate or key of the Firebase project.
    ThirdPartyAuthError,
    /// `QUOTA_EXCEEDED` (429).
    QuotaExceeded,
    /// `UNAVAILABLE` (503).
    Unavailable,
    /// `INTERNAL` (500).
    Internal,
    /// An HTTP status with none of the codes above.
    Http(u16),
    /// No answer within the timeout.
    Timeout,
    /// The connection failed.
    Connection,
    /// A 2xx or error answer that is not what FCM sends.
    Malformed,
    /// The token endpoint was down, slow or overloaded (its status when it answered).
    TokenEndpoint(Option<u16>),
}

impl fmt::Display for FcmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FcmError::Unregistered => f.write_str("UNREGISTERED"),
            FcmError::InvalidArgument => f.write_str("INVALID_ARGUMENT"),
            FcmError::SenderIdMismatch => f.write_str("SENDER_ID_MISMATCH"),
            FcmError::ThirdPartyAuthError => f.write_str("THIRD_PARTY_AUTH_ERROR"),
            FcmError::QuotaExceeded => f.write_str("QUOTA_EXCEEDED"),
            FcmError::Unavailable => f.write_str("UNAVAILABLE"),
            FcmError::Internal => f.write_str("INTERNAL"),
            FcmError::Http(status) => write!(f, "HTTP {status}"),
            FcmError::Timeout => f.write_str("timeout"),
            FcmError::Connection => f.write_str("connection failed"),
            FcmError::Malformed => f.write_str("malformed answer"),
            FcmError::TokenEndpoint(Some(status)) => write!(f, "token endpoint HTTP {status}"),
            FcmError::TokenEndpoint(None) => f.write_str("token endpoint unavailable"),
        }
    }
}

/// Why the service account was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// FCM answered 401 to a fresh token too.
    Unauthorized,
    /// FCM answered 403 (`PERMISSION_DENIED`): the account lacks the right to send.
    Forbidden,
    /// The token endpoint refused the assertion (its OAuth error code, e.g. `invalid_grant`).
    TokenRefused { status: u16, error: String },
    /// The assertion could not be signed.
    Signing,
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// FCM accepted the message (`projects/…/messages/…`, when it said).
    Sent { name: Option<String> },
    /// FCM refused this message for good (`UNREGISTERED`, `INVALID_ARGUMENT`, other 400 and 404,
    /// `SENDER_ID_MISMATCH`, `THIRD_PARTY_AUTH_ERROR`): record it, do not retry.
    Permanent { error: FcmError },
    /// Try again, not before `after` (the server's `Retry-After`, when it sent one):
    /// `QUOTA_EXCEEDED`/429, `UNAVAILABLE`, `INTERNAL`/5xx, timeouts, connection failures.
    Retry { after: Option<Duration>, error: FcmError },
    /// The service account was not accepted (after one retry with a new token, for a 401): the
    /// configuration needs fixing; the message stays to be retried once it is.
    Unauthenticated { cause: AuthFailure },
}

impl SendOutcome {
    pub fn is_sent(&self) -> bool {
        matches!(self, SendOutcome::Sent { .. })
    }

    /// The outcome of a send that could get no token.
    fn no_token(e: TokenUnavailable) -> SendOutcome {
        match e {
            TokenUnavailable::Signing => SendOutcome::Unauthenticated { cause: AuthFailure::Signing },
            TokenUnavailable::Refused { status, error } => {
                SendOutcome::Unauthenticated { cause: AuthFailure::TokenRefused { status, error } }
            }
            TokenUnavailable::Transport { timeout: true } => {
                SendOutcome::Retry { after: None, error: FcmError::Timeout }
            }
            TokenUnavailable::Transport { timeout: false } => {
                SendOutcome::Retry { after: None, error: FcmError::TokenEndpoint(None) }
            }
            TokenUnavailable::Unavailable { status, after } => {
                SendOutcome::Retry { after, error: FcmError::TokenEndpoint(Some(status)) }
            }
            TokenUnavailable::Malformed => SendOutcome::Retry { after: None, error: FcmError::Malformed },
        }
    }
}

#[derive(Deserialize)]
struct Success {
    name: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorStatus,
}

#[derive(Deserialize)]
struct ErrorStatus {
    status: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "@type")]
    kind: Option<String>,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
}

const FCM_ERROR_TYPE: &str = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

/// FCM's code for an error answer: the `FcmError` detail's `errorCode`, else the canonical `status`.
fn fcm_code(body: &[u8]) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let detail =
        parsed.error.details.into_iter().find(|d| d.kind.as_deref() == Some(FCM_ERROR_TYPE)).and_then(|d| d.error_code);
    detail.or(parsed.error.status)
}

/// What an answer of `status` with `body` (and `Retry-After` read as `after`) means. A 401 without
/// `THIRD_PARTY_AUTH_ERROR` is `Unauthenticated`; [`FcmSender::send`] retries it once itself.
pub fn classify(status: u16, body: &[u8], after: Option<Duration>) -> SendOutcome {
    if (200..300).contains(&status) {
        let name = serde_json::from_slice::<Success>(body)
            .ok()
            .and_then(|s| s.name)
            .filter(|n| n.len() <= 512 && n.starts_with("projects/"));
        return SendOutcome::Sent { name };
    }
    let permanent = |error| SendOutcome::Permanent { error };
    let retry = |error| SendOutcome::Retry { after, error };
    match fcm_code(body).as_deref() {
        Some("UNREGISTERED" | "NOT_FOUND") => permanent(FcmError::Unregistered),
        Some("INVALID_ARGUMENT") => permanent(FcmError::InvalidArgument),
        Some("SENDER_ID_MISMATCH") => permanent(FcmError::SenderIdMismatch),
        Some("THIRD_PARTY_AUTH_ERROR" | "APNS_AUTH_ERROR") => permanent(FcmError::ThirdPartyAuthError),
        Some("QUOTA_EXCEEDED" | "RESOURCE_EXHAUSTED") => retry(FcmError::QuotaExceeded),
        Some("UNAVAILABLE") => retry(FcmError::Unavailable),
        Some("INTERNAL") => retry(FcmError::Internal),
        _ => match status {
            400 => permanent(FcmError::InvalidArgument),
            401 => SendOutcome::Unauthenticated { cause: AuthFailure::Unauthorized },
            403 => SendOutcome::Unauthenticated { cause: AuthFailure::Forbidden },
            404 => permanent(FcmError::Unregistered),
            429 => retry(FcmError::QuotaExceeded),
            500 => retry(FcmError::Internal),
            503 => retry(FcmError::Unavailable),
            s if s == 408 || (500..600).contains(&s) => retry(FcmError::Http(s)),
            s if (400..500).contains(&s) => permanent(FcmError::Http(s)),
            // A redirect (not followed) or anything else: a misconfigured base URL, not this message.
            _ => retry(FcmError::Http(status)),
        },
    }
}

#[derive(Serialize)]
struct SendRequest<'a> {
    message: &'a Message,
}

/// Sends messages as one service account.
pub struct FcmSender {
    http: reqwest::Client,
    send_url: Url,
    tokens: TokenSource,
    now: Now,
}

impl fmt::Debug for FcmSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FcmSender").field("send_url", &self.send_url.as_str()).field("tokens", &self.tokens).finish()
    }
}

impl FcmSender {
    pub(crate) fn new(http: reqwest::Client, base_url: &Url, tokens: TokenSource, now: Now) -> FcmSender {
        let mut send_url = base_url.clone();
        let project = tokens.account().project_id().to_owned();
        send_url.path_segments_mut().expect("an http(s) URL has a path").pop_if_empty().extend([
            "v1",
            "projects",
            &project,
            "messages:send",
        ]);
        FcmSender { http, send_url, tokens, now }
    }

    /// The URL messages are posted to.
    pub fn send_url(&self) -> &Url {
        &self.send_url
    }

    pub fn tokens(&self) -> &TokenSource {
        &self.tokens
    }

    /// Sends `message` once; on a 401 drops the token, gets a new one and tries once more.
    pub async fn send(&self, message: &Message) -> SendOutcome {
        let mut outcome = SendOutcome::Unauthenticated { cause: AuthFailure::Unauthorized };
        for attempt in 0..2 {
            let token = match self.tokens.token().await {
                Ok(token) => token,
                Err(e) => return SendOutcome::no_token(e),
            };
            outcome = self.post(&token, message).await;
            let unauthorized = matches!(outcome, SendOutcome::Unauthenticated { cause: AuthFailure::Unauthorized });
            if !unauthorized {
                break;
            }
            self.tokens.invalidate(&token).await;
            if attempt == 0 {
                tracing::info!("FCM refused the access token; retrying once with a new one");
            }
        }
        match &outcome {
            SendOutcome::Sent { .. } => tracing::debug!("push sent"),
            SendOutcome::Permanent { error } => tracing::warn!(error = %error, "push refused for good"),
            SendOutcome::Retry { error, after } => {
                tracing::warn!(error = %error, retry_after_secs = after.map(|d| d.as_secs()), "push to retry")
            }
            SendOutcome::Unauthenticated { cause } => tracing::error!(?cause, "FCM did not accept the service account"),
        }
        outcome
    }

    /// One call to FCM, measured as every vendor call is (`tahoon_vendor_call_duration_seconds`).
    async fn post(&self, token: &AccessToken, message: &Message) -> SendOutcome {
        let started = std::time::Instant::now();
        let outcome = self.exchange(token, message).await;
        let label = match &outcome {
            SendOutcome::Sent { .. } => "ok",
            SendOutcome::Permanent { .. } => "refused",
            SendOutcome::Retry { error: FcmError::Timeout, .. } => "timeout",
            SendOutcome::Retry { error: FcmError::Connection, .. } => "unreachable",
            SendOutcome::Retry { .. } => "retry",
            SendOutcome::Unauthenticated { .. } => "unauthenticated",
        };
        metrics::histogram!(
            "tahoon_vendor_call_duration_seconds",
            "vendor" => "fcm",
            "operation" => "send",
            "outcome" => label,
        )
        .record(started.elapsed().as_secs_f64());
        outcome
    }

    async fn exchange(&self, token: &AccessToken, message: &Message) -> SendOutcome {
        let response = self
            .http
            .post(self.send_url.clone())
            .bearer_auth(token.secret())
            .json(&SendRequest { message })
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return transport(&e),
        };
        let status = response.status().as_u16();
        let after = retry_after(response.headers(), (self.now)());
        if response.content_length().is_some_and(|n| n > MAX_RESPONSE as u64) {
            return classify(status, b"", after);
        }
        match response.bytes().await {
            Ok(body) if body.len() <= MAX_RESPONSE => classify(status, &body, after),
            Ok(_) => classify(status, b"", after),
            Err(e) if (200..300).contains(&status) => {
                // FCM said yes before the body broke: the message is sent; sending again would repeat it.
                tracing::debug!(timeout = e.is_timeout(), "the body of a 2xx answer was cut short");
                SendOutcome::Sent { name: None }
            }
            Err(e) => transport(&e),
        }
    }
}

fn transport(e: &reqwest::Error) -> SendOutcome {
    let error = if e.is_timeout() { FcmError::Timeout } else { FcmError::Connection };
    SendOutcome::Retry { after: None, error }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fcm_error(status: u16, code: &str, error_code: Option<&str>) -> Vec<u8> {
        let details = match error_code {
            Some(c) => serde_json::json!([{"@type": FCM_ERROR_TYPE, "errorCode": c}]),
            None => serde_json::json!([]),
        };
        serde_json::json!({"error": {"code": status, "message": "x", "status": code, "details": details}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn fcm_codes_decide_before_statuses() {
        let after = Some(Duration::from_secs(7));
        let c = |status, body: Vec<u8>| classify(status, &body, after);
        assert_eq!(
            c(404, fcm_error(404, "NOT_FOUND", Some("UNREGISTERED"))),
            SendOutcome::Permanent { error: FcmError::Unregistered }
        );
        assert_eq!(
            c(400, fcm_error(400, "INVALID_ARGUMENT", Some("INVALID_ARGUMENT"))),
            SendOutcome::Permanent { error: FcmError::InvalidArgument }
        );
        assert_eq!(
            c(429, fcm_error(429, "RESOURCE_EXHAUSTED", Some("QUOTA_EXCEEDED"))),
            SendOutcome::Retry { after, error: FcmError::QuotaExceeded }
        );
        assert_eq!(
            c(503, fcm_error(503, "UNAVAILABLE", None)),
            SendOutcome::Retry { after, error: FcmError::Unavailable }
        );
        assert_eq!(
            c(500, fcm_error(500, "INTERNAL", Some("INTERNAL"))),
            SendOutcome::Retry { after, error: FcmError::Internal }
        );
        assert_eq!(
            c(401, fcm_error(401, "UNAUTHENTICATED", Some("THIRD_PARTY_AUTH_ERROR"))),
            SendOutcome::Permanent { error: FcmError::ThirdPartyAuthError }
        );
        assert_eq!(
            c(401, fcm_error(401, "UNAUTHENTICATED", None)),
            SendOutcome::Unauthenticated { cause: AuthFailure::Unauthorized }
        );
        assert_eq!(
            c(403, fcm_error(403, "PERMISSION_DENIED", Some("SENDER_ID_MISMATCH"))),
            SendOutcome::Permanent { error: FcmError::SenderIdMismatch }
        );
        assert_eq!(
            c(403, fcm_error(403, "PERMISSION_DENIED", None)),
            SendOutcome::Unauthenticated { cause: AuthFailure::Forbidden }
        );
    }

    #[test]
    fn bare_statuses() {
        let c = |status| classify(status, b"<html>oops</html>", None);
        assert_eq!(c(400), SendOutcome::Permanent { error: FcmError::InvalidArgument });
        assert_eq!(c(404), SendOutcome::Permanent { error: FcmError::Unregistered });
        assert_eq!(c(413), SendOutcome::Permanent { error: FcmError::Http(413) });
        assert_eq!(c(429), SendOutcome::Retry { after: None, error: FcmError::QuotaExceeded });
        assert_eq!(c(502), SendOutcome::Retry { after: None, error: FcmError::Http(502) });
        assert_eq!(c(302), SendOutcome::Retry { after: None, error: FcmError::Http(302) });
        assert_eq!(c(200), SendOutcome::Sent { name: None });
        let named = classify(200, br#"{"name":"projects/p-1/messages/0:1"}"#, None);
        assert_eq!(named, SendOutcome::Sent { name: Some("projects/p-1/messages/0:1".into()) });
    }
}
