//! Posting one webhook and reading what became of it.

use super::WebhookSenderError;
use super::excerpt::{excerpt_text, read_head};
use super::guard::{CheckedResolver, DnsFailure, Unresolved, check_address, literal_refusal, resolve_checked};
use super::{AddressCheck, NameResolver, OutgoingWebhook, SendReport, SenderConfig, TargetRefused, WebhookOutcome};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use std::error::Error as _;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::{Host, Url};

/// The longest transport error kept in an outcome, in characters.
const MAX_ERROR_CHARS: usize = 200;

/// Sends webhooks through one HTTP client (its connections are pooled across sends).
///
/// Why a name cannot be re-resolved to another address between the check and the connect: the
/// client's only resolver is the guard's, which resolves the name, checks every address, and
/// gives the client exactly those addresses to connect to. The client does no DNS of its own,
/// uses no proxy (a proxy would resolve the name itself), and follows no redirect (a `Location`
/// would be a new, unchecked target). A pooled connection is one that was opened to a checked
/// address. IP-literal hosts never reach a resolver, so they are checked before sending.
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    resolver: Arc<dyn NameResolver>,
    check: AddressCheck,
    timeout: Duration,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl WebhookSender {
    pub fn new(config: SenderConfig) -> Result<WebhookSender, WebhookSenderError> {
        if config.timeout.is_zero() {
            return Err(WebhookSenderError::Timeout);
        }
        let guard = CheckedResolver { resolver: config.resolver.clone(), check: config.check.clone() };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(guard))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            // Scheme policy is the caller's: plain http exists in development.
            .https_only(false)
            .user_agent(config.user_agent)
            .build()
            .map_err(|e| WebhookSenderError::Client(crate::http::innermost(&e)))?;
        Ok(WebhookSender { client, resolver: config.resolver, check: config.check, timeout: config.timeout })
    }

    /// Resolves and checks the target's addresses, then POSTs `body` with `headers` to an address
    /// that was checked. Sent: the given headers, `content-type: application/json` unless given,
    /// the user agent, and what HTTP itself adds (`host`, `content-length`, `accept: */*`).
    /// Nothing is retried here.
    pub async fn send(&self, request: &OutgoingWebhook<'_>) -> SendReport {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(outcome) => outcome,
            Err(_) => self.timed_out(),
        };
        let elapsed = started.elapsed();
        tracing::debug!(
            outcome = outcome.kind(),
            status = outcome.status(),
            elapsed_ms = elapsed.as_millis() as u64,
            "webhook sent"
        );
        SendReport { outcome, elapsed }
    }

    /// Resolves and checks `url`'s host only (for refusing a target at registration): the
    /// addresses, or the refusal (with no address when the name does not resolve).
    pub async fn check_target(&self, url: &Url) -> Result<Vec<IpAddr>, TargetRefused> {
        let no_address = |reason: &str| TargetRefused { address: None, reason: reason.to_owned() };
        let host = match url.host() {
            None => return Err(no_address("the URL has no host")),
            Some(Host::Ipv4(ip)) => return check_address(&self.check, IpAddr::V4(ip)).map(|()| vec![IpAddr::V4(ip)]),
            Some(Host::Ipv6(ip)) => return check_address(&self.check, IpAddr::V6(ip)).map(|()| vec![IpAddr::V6(ip)]),
            Some(Host::Domain(host)) => host,
        };
        let port = url.port_or_known_default().unwrap_or(0);
        let resolving = resolve_checked(self.resolver.as_ref(), &self.check, host, port);
        match tokio::time::timeout(self.timeout, resolving).await {
            Err(_) => Err(no_address(&format!("the name did not resolve within {} ms", self.timeout.as_millis()))),
            Ok(Err(Unresolved::Refused(refused))) => Err(refused),
            Ok(Err(Unresolved::Failed(reason))) => Err(no_address(&reason)),
            Ok(Ok(addresses)) => {
                let mut ips: Vec<IpAddr> = Vec::with_capacity(addresses.len());
                for ip in addresses.iter().map(|a| a.ip()) {
                    if !ips.contains(&ip) {
                        ips.push(ip);
                    }
                }
                Ok(ips)
            }
        }
    }

    async fn exchange(&self, request: &OutgoingWebhook<'_>) -> WebhookOutcome {
        let url = request.url;
        if !matches!(url.scheme(), "http" | "https") {
            return unreachable("the URL's scheme is neither http nor https");
        }
        if url.host().is_none() {
            return unreachable("the URL has no host");
        }
        if let Some(refused) = literal_refusal(&self.check, url) {
            return WebhookOutcome::Blocked(refused);
        }
        let headers = match headers(request.headers) {
            Ok(headers) => headers,
            Err(error) => return unreachable(error),
        };
        let sending = self.client.post(url.clone()).headers(headers).body(request.body.to_vec()).send();
        let mut response = match sending.await {
            Ok(response) => response,
            Err(e) => return self.failure(&e),
        };
        let status = response.status().as_u16();
        let excerpt = match read_head(&mut response).await {
            Ok(head) => excerpt_text(&head),
            Err(e) => return self.failure(&e),
        };
        match status {
            200..=299 => WebhookOutcome::Delivered { status, excerpt },
            410 => WebhookOutcome::Gone { excerpt },
            _ => WebhookOutcome::Refused { status, excerpt },
        }
    }

    /// The outcome of a transport error: a refusal or DNS failure the guard raised, a timeout,
    /// or the innermost cause (it names neither the URL nor anything sent).
    fn failure(&self, e: &reqwest::Error) -> WebhookOutcome {
        let mut cause = e.source();
        while let Some(c) = cause {
            if let Some(refused) = c.downcast_ref::<TargetRefused>() {
                return WebhookOutcome::Blocked(refused.clone());
            }
            if let Some(DnsFailure(reason)) = c.downcast_ref::<DnsFailure>() {
                return unreachable(reason.as_str());
            }
            cause = c.source();
        }
        if e.is_timeout() {
            return self.timed_out();
        }
        let error = crate::http::innermost(e);
        match error.char_indices().nth(MAX_ERROR_CHARS) {
            Some((cut, _)) => unreachable(format!("{}…", &error[..cut])),
            None => unreachable(error),
        }
    }

    fn timed_out(&self) -> WebhookOutcome {
        unreachable(format!("timeout: no complete answer within {} ms", self.timeout.as_millis()))
    }
}

fn unreachable(error: impl Into<String>) -> WebhookOutcome {
    WebhookOutcome::Unreachable { error: error.into() }
}

/// The given headers, in order, plus `content-type: application/json` unless one is given. The
/// error names no header and no value (a value may be a signature).
fn headers(given: &[(String, String)]) -> Result<HeaderMap, &'static str> {
    let mut map = HeaderMap::with_capacity(given.len() + 1);
    for (name, value) in given {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "a header name is not valid")?;
        let value = HeaderValue::from_str(value).map_err(|_| "a header value is not valid")?;
        map.append(name, value);
    }
    if !map.contains_key(CONTENT_TYPE) {
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_is_added_unless_given_and_bad_headers_are_not_echoed() {
        let given = vec![("Webhook-Id".to_owned(), "msg_1".to_owned())];
        let map = headers(&given).unwrap();
        assert_eq!(map["webhook-id"], "msg_1");
        assert_eq!(map[CONTENT_TYPE], "application/json");
        let given = vec![("content-type".to_owned(), "application/cloudevents+json".to_owned())];
        let map = headers(&given).unwrap();
        assert_eq!(map.get_all(CONTENT_TYPE).iter().count(), 1);
        assert_eq!(map[CONTENT_TYPE], "application/cloudevents+json");
        let bad = vec![("webhook-signature".to_owned(), "v1,secret\nsig".to_owned())];
        assert!(!headers(&bad).unwrap_err().contains("secret"));
    }
}
