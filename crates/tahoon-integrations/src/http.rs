//! One way to call a vendor over HTTP, shared by every outbound client.
//!
//! - a connect timeout and a total timeout (connection, request and the whole answer);
//! - no redirect is followed (a 3xx is an answer like any other, refused by the caller);
//! - `User-Agent: tahoon/<version>`;
//! - at most [`MAX_ANSWER_BYTES`] of answer are read (more is [`HttpFailure::TooLarge`]);
//! - bounded retries of transient failures (unreachable, timeout, 429, 5xx) with doubling backoff,
//!   for calls the caller knows to be idempotent;
//! - a refused answer keeps only a short, one-line excerpt of its body, with the secrets the caller
//!   names replaced by `[redacted]`; failures are logged with the vendor and the operation only.

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use std::error::Error as _;
use std::time::Duration;

pub const USER_AGENT: &str = concat!("tahoon/", env!("CARGO_PKG_VERSION"));
/// The largest answer read from a vendor.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// How much of a refused answer's body is kept, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Timeouts and retries of one vendor's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpPolicy {
    pub connect_timeout: Duration,
    /// Total time of one attempt: connecting, sending and reading the whole answer.
    pub request_timeout: Duration,
    /// Attempts after the first, for transient failures only.
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one.
    pub retry_backoff: Duration,
}

/// Why a call failed, without the vendor's name (the caller's error type adds it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpFailure {
    #[error("unreachable ({0})")]
    Unreachable(String),
    #[error("no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("HTTP {status}: {excerpt}")]
    Status { status: u16, excerpt: String },
    #[error("answer larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl HttpFailure {
    /// Worth another attempt: the vendor may answer next time.
    pub fn is_transient(&self) -> bool {
        match self {
            HttpFailure::Unreachable(_) | HttpFailure::Timeout(_) => true,
            HttpFailure::Status { status, .. } => *status == 429 || *status >= 500,
            HttpFailure::TooLarge { .. } => false,
        }
    }
}

/// An accepted answer: its status and its whole body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// A vendor's HTTP client under a policy.
#[derive(Debug, Clone)]
pub struct Outbound {
    client: Client,
    vendor: &'static str,
    policy: HttpPolicy,
}

impl Outbound {
    /// The client, or why it cannot be built (no TLS backend, say).
    pub fn new(vendor: &'static str, policy: HttpPolicy) -> Result<Outbound, String> {
        let client = Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| format!("the HTTP client cannot be built: {}", innermost(&e)))?;
        Ok(Outbound { client, vendor, policy })
    }

    /// Sends the request `build` makes (once per attempt), retrying transient failures. An answer
    /// whose status `accept` refuses is a failure with an excerpt of its body, `redact` removed.
    pub async fn send(
        &self,
        operation: &'static str,
        build: impl Fn(&Client) -> RequestBuilder,
        accept: impl Fn(StatusCode) -> bool,
        redact: &[&str],
    ) -> Result<Answer, HttpFailure> {
        let mut attempt = 0u32;
        loop {
            match self.once(operation, build(&self.client), &accept, redact).await {
                Ok(answer) => return Ok(answer),
                Err(failure) if failure.is_transient() && attempt < self.policy.retries => {
                    let wait = self.policy.retry_backoff.saturating_mul(2u32.saturating_pow(attempt));
                    tracing::info!(vendor = self.vendor, operation, attempt, error = %failure, "vendor call failed; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(failure) => {
                    tracing::warn!(vendor = self.vendor, operation, attempt, error = %failure, "vendor call failed");
                    return Err(failure);
                }
            }
        }
    }

    /// One attempt, measured (`tahoon_vendor_call_duration_seconds` by vendor, operation and
    /// outcome).
    async fn once(
        &self,
        operation: &'static str,
        request: RequestBuilder,
        accept: &impl Fn(StatusCode) -> bool,
        redact: &[&str],
    ) -> Result<Answer, HttpFailure> {
        let started = std::time::Instant::now();
        let result = self.exchange(request, accept, redact).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(HttpFailure::Unreachable(_)) => "unreachable",
            Err(HttpFailure::Timeout(_)) => "timeout",
            Err(HttpFailure::Status { .. }) => "refused",
            Err(HttpFailure::TooLarge { .. }) => "too_large",
        };
        metrics::histogram!(
            "tahoon_vendor_call_duration_seconds",
            "vendor" => self.vendor,
            "operation" => operation,
            "outcome" => outcome,
        )
        .record(started.elapsed().as_secs_f64());
        result
    }

    async fn exchange(
        &self,
        request: RequestBuilder,
        accept: &impl Fn(StatusCode) -> bool,
        redact: &[&str],
    ) -> Result<Answer, HttpFailure> {
        let mut response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status();
        if accept(status) {
            let body = self.read_limited(&mut response).await?;
            return Ok(Answer { status, body });
        }
        let body = self.read_limited(&mut response).await.unwrap_or_default();
        Err(HttpFailure::Status { status: status.as_u16(), excerpt: excerpt(&body, redact) })
    }

    async fn read_limited(&self, response: &mut Response) -> Result<Vec<u8>, HttpFailure> {
        let too_large = HttpFailure::TooLarge { limit: MAX_ANSWER_BYTES };
        if response.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport(&self, e: &reqwest::Error) -> HttpFailure {
        if e.is_timeout() {
            HttpFailure::Timeout(self.policy.request_timeout)
        } else {
            HttpFailure::Unreachable(innermost(e))
        }
    }
}

/// The innermost cause of a transport error ("Connection refused (os error 111)"): it names
/// neither the URL nor anything sent.
pub(crate) fn innermost(e: &reqwest::Error) -> String {
    let mut last = None;
    let mut cause = e.source();
    while let Some(c) = cause {
        last = Some(c);
        cause = c.source();
    }
    match last {
        Some(c) => c.to_string(),
        None if e.is_connect() => "connection failed".into(),
        None => "the request failed".into(),
    }
}

/// One line of at most [`EXCERPT_CHARS`] characters of `body`, every string of `redact` replaced.
pub fn excerpt(body: &[u8], redact: &[&str]) -> String {
    let head = &body[..body.len().min(8 * 1024)];
    let mut text = String::from_utf8_lossy(head).into_owned();
    for secret in redact.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "[redacted]");
    }
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let trimmed = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.chars().count() > EXCERPT_CHARS {
        let cut: String = trimmed.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        trimmed
    }
}

/// Parses a JSON answer; the error says what was wrong, not what was received.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        let mut message = e.to_string();
        if message.chars().count() > 120 {
            message = message.chars().take(120).collect::<String>() + "…";
        }
        format!("not the expected JSON: {message}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_short_one_line_and_redacted() {
        let body = format!("{{\"error\":\"bad token\",\n\"echo\":\"sk_live_secret\"}}{}", "x".repeat(500));
        let e = excerpt(body.as_bytes(), &["sk_live_secret"]);
        assert!(!e.contains("sk_live_secret"), "{e}");
        assert!(e.contains("[redacted]"));
        assert!(!e.contains('\n'));
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn transient_failures_are_the_retryable_ones() {
        assert!(HttpFailure::Timeout(Duration::from_millis(5)).is_transient());
        assert!(HttpFailure::Unreachable("refused".into()).is_transient());
        assert!(HttpFailure::Status { status: 503, excerpt: String::new() }.is_transient());
        assert!(HttpFailure::Status { status: 429, excerpt: String::new() }.is_transient());
        assert!(!HttpFailure::Status { status: 401, excerpt: String::new() }.is_transient());
        assert!(!HttpFailure::TooLarge { limit: 1 }.is_transient());
    }

    #[test]
    fn json_errors_do_not_echo_the_answer() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Room {
            #[serde(rename = "roomId")]
            room_id: String,
        }
        let e = json::<Room>(b"<html>secret page</html>").unwrap_err();
        assert!(!e.contains("secret page"), "{e}");
    }
}
