//! What every answer carries for safety (content sniffing, referrer, framing, caching, CSP), the
//! request time limit (503 in the envelope), and CORS: off unless configured, then only for the
//! configured origins.

use crate::helpers::*;
use reqwest::Method;
use serde_json::Value;
use tahoon_server::{AppState, HeaderValue};
use tahoon_store::Backend;

fn with_config(change: impl FnOnce(&mut tahoon_server::ServerConfig)) -> impl FnOnce(AppState) -> AppState {
    move |mut state| {
        let mut config = (*state.config).clone();
        change(&mut config);
        state.config = std::sync::Arc::new(config);
        state
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let answers = [
        app.http.get(app.url("/api/v1/organization/usage")).bearer_auth(&token).send().await.unwrap(),
        app.http.get(app.url("/api/v1/organization/usage")).send().await.unwrap(),
        app.http.get(app.url("/api/v1/nothing-here")).send().await.unwrap(),
        app.http.get(app.url("/healthz")).send().await.unwrap(),
    ];
    for answer in &answers {
        let headers = answer.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{}", answer.url());
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    }
    assert_eq!(answers.iter().map(|a| a.status().as_u16()).collect::<Vec<_>>(), [200, 401, 404, 200]);
    // An error answer says nothing of the server's insides.
    assert!(answers[2].headers().get("server").is_none());

    // The docs page: its own scripts only, no inline script.
    let docs = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let policy = docs.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("script-src 'self'") && !policy.contains("script-src 'self' 'unsafe"), "{policy}");
    let page = docs.text().await.unwrap();
    assert!(!page.contains("<script>"), "no inline script on the docs page");
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_answered_503() {
    let limit = std::time::Duration::from_millis(300);
    let app = TestApp::spawn_with(Backend::Sqlite, with_config(|c| c.request_timeout = limit)).await;
    let answer = app.http.get(app.url("/test/slow")).header("x-request-id", "slow-1").send().await.unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers()["retry-after"], "1");
    assert_eq!(answer.headers()["x-request-id"], "slow-1");
    let body: Value = answer.json().await.unwrap();
    assert_envelope(503, &body, 503, 114, None);
    assert_eq!(body["requestId"], "slow-1");
    // Quick requests are not affected.
    assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .request(Method::OPTIONS, app.url("/api/v1/user/register"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type, x-tahoon-signature")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let answer = preflight(&app, "https://app.example").await;
    assert!(answer.headers().get("access-control-allow-origin").is_none());
    let plain = app.http.get(app.url("/healthz")).header("origin", "https://app.example").send().await.unwrap();
    assert!(plain.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let allowed = HeaderValue::from_static("https://app.example");
    let app = TestApp::spawn_with(Backend::Sqlite, with_config(|c| c.cors_allowed_origins = vec![allowed])).await;
    let answer = preflight(&app, "https://app.example").await;
    assert_eq!(answer.status(), 200);
    let headers = answer.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://app.example");
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed_headers.contains("x-tahoon-signature") && allowed_headers.contains("authorization"));

    let org = app.org().await;
    let token = app.access_token(&org).await;
    let answer = app
        .http
        .get(app.url("/api/v1/organization/usage"))
        .bearer_auth(&token)
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["access-control-allow-origin"], "https://app.example");
    let exposed = answer.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("ratelimit-remaining") && exposed.contains("x-request-id"), "{exposed}");

    for other in ["https://evil.example", "http://app.example", "https://app.example.evil.example", "null"] {
        let answer = preflight(&app, other).await;
        assert!(answer.headers().get("access-control-allow-origin").is_none(), "{other}");
    }
}

async fn failed_sign_in(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", "thn_ak_wrong")]);
    if let Some(forwarded_for) = forwarded_for {
        request = request.header("x-forwarded-for", forwarded_for);
    }
    request.send().await.unwrap().status().as_u16()
}

fn token_limits(per_address: i64) -> impl FnOnce(&mut tahoon_server::ServerConfig) {
    move |c| {
        c.token_rate_limits.per_address = tahoon_domain::organization::RateLimit::new(per_address).unwrap();
        c.token_rate_limits.per_access_key = tahoon_domain::organization::RateLimit::new(1000).unwrap();
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_and_audited() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        with_config(|c| {
            token_limits(2)(c);
            c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        }),
    )
    .await;
    // One client through the proxy uses up its own quota; another client is not affected, nor
    // helped by forging an entry to the left of what the proxy appended.
    assert_eq!(failed_sign_in(&app, Some("203.0.113.1")).await, 400);
    assert_eq!(failed_sign_in(&app, Some("203.0.113.1")).await, 400);
    assert_eq!(failed_sign_in(&app, Some("203.0.113.1")).await, 429);
    assert_eq!(failed_sign_in(&app, Some("198.51.100.1, 203.0.113.1")).await, 429);
    assert_eq!(failed_sign_in(&app, Some("203.0.113.2")).await, 400);
    // The audit records the client, not the proxy.
    let entries = app.state.store.audit_entries(0, 100).await.unwrap();
    let failures: Vec<_> = entries.iter().filter(|e| e.content.action == "auth.failed").collect();
    assert_eq!(failures.last().unwrap().content.source_ip.as_deref(), Some("203.0.113.2"));
    assert!(failures.iter().all(|e| e.content.source_ip.as_deref() != Some("127.0.0.1")));
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let app = TestApp::spawn_with(Backend::Sqlite, with_config(token_limits(2))).await;
    assert_eq!(failed_sign_in(&app, Some("203.0.113.1")).await, 400);
    assert_eq!(failed_sign_in(&app, Some("203.0.113.2")).await, 400);
    // Every claimed address is the same peer: its quota is spent.
    assert_eq!(failed_sign_in(&app, Some("203.0.113.3")).await, 429);
    let entries = app.state.store.audit_entries(0, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .filter(|e| e.content.action == "auth.failed")
            .all(|e| e.content.source_ip.as_deref() == Some("127.0.0.1"))
    );
}
