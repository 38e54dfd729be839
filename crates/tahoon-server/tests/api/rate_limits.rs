//! Rate limits over HTTP: an organization's quota with the `RateLimit-*` fields on every answer
//! and 429 reason 106 with `Retry-After` beyond it; the token routes' limits per client address
//! and per access key; the quota shared through Redis by two instances, and the fallback to the
//! process's own state while Redis is away. The limits themselves are kept in process (or in
//! Redis), so one database backend is enough here.

use crate::helpers::*;
use jiff::SignedDuration;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tahoon_domain::organization::{OrganizationKind, RateLimit, Role, SessionBalance};
use tahoon_server::AppState;
use tahoon_server::services::organizations::OrganizationSpec;
use tahoon_server::services::rate_limits::{RateLimits, TokenLimits};
use tahoon_store::Backend;

/// An organization allowed `limit` requests a minute.
async fn org_limited(app: &TestApp, limit: i64) -> TestOrg {
    app.create_org_from(OrganizationSpec {
        name: "Limited Org".into(),
        kind: OrganizationKind::Standard,
        balance: SessionBalance::clamped(5),
        role: Role::FullAccess,
        rate_limit_per_minute: Some(RateLimit::new(limit).unwrap()),
        require_signature_header: false,
        max_active_bookings_per_user: None,
    })
    .await
}

async fn get(app: &TestApp, base: &str, path: &str, token: &str) -> (u16, HeaderMap, Value) {
    let response = app.http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

fn header(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name).map(|v| v.to_str().unwrap().parse().unwrap())
}

const USAGE: &str = "/api/v1/organization/usage";

#[tokio::test]
async fn an_organization_gets_its_quota_then_429_with_retry_after() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = org_limited(&app, 5).await;
    let token = app.access_token(&org).await;
    for remaining in (0..5).rev() {
        let (status, headers, body) = get(&app, &app.base, USAGE, &token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(header(&headers, "ratelimit-limit"), Some(5));
        assert_eq!(header(&headers, "ratelimit-remaining"), Some(remaining));
        let reset = header(&headers, "ratelimit-reset").unwrap();
        assert!((1..=60).contains(&reset), "reset {reset}");
        assert_eq!(headers["ratelimit-policy"], "5;w=60");
        assert!(headers.get("retry-after").is_none());
    }
    let (status, headers, body) = get(&app, &app.base, USAGE, &token).await;
    assert_envelope(status, &body, 429, 106, None);
    assert_eq!(body["reasonName"], "RateLimited");
    // One request every 12 s refills a quota of 5 a minute.
    assert_eq!(header(&headers, "retry-after"), Some(12));
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(0));
    assert_eq!(header(&headers, "ratelimit-reset"), Some(60));

    // A refused request is not counted: after the wait, exactly one more is allowed.
    app.state.clock.advance(SignedDuration::from_secs(12));
    let (status, headers, _) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(0));
    let (status, _, _) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 429);

    // The whole quota is back after a minute.
    app.state.clock.advance(SignedDuration::from_secs(60));
    let (status, headers, _) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(4));
}

#[tokio::test]
async fn every_answer_counts_and_reports_the_organizations_one_quota() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = org_limited(&app, 4).await;
    let other = org_limited(&app, 4).await;
    let token = app.access_token(&org).await;
    // An error answer counts and carries the fields too.
    let (status, headers, _) =
        get(&app, &app.base, "/api/v1/sessionbooking/bkg_AAAAAAAAAAAAAAAAAAAAAAAAAAA", &token).await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(3));
    // The legacy paths draw on the same quota.
    let (status, headers, _) = get(&app, &app.base, "/api/organization/usage", &token).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(2));
    // A signed write counts like a read.
    let register = serde_json::json!({"referenceId": "r-1", "name": "Amal", "dob": "1990-05-15", "genderType": 0});
    let (status, body) = app.post_signed("/api/v1/user/register", &token, &org.shared_key, &register).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 200);
    let (status, body) = app.post_signed("/api/v1/user/register", &token, &org.shared_key, &register).await;
    assert_envelope(status, &body, 429, 106, None);
    // A second token of the same organization shares its quota; another organization does not.
    let second = app.access_token(&org).await;
    assert_eq!(get(&app, &app.base, USAGE, &second).await.0, 429);
    let (status, headers, _) = get(&app, &app.base, USAGE, &app.access_token(&other).await).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(3));
    // Unauthenticated requests are refused before any organization's quota is touched.
    let (status, headers, _) = get(&app, &app.base, USAGE, "not-a-token").await;
    assert_eq!(status, 401);
    assert!(headers.get("ratelimit-limit").is_none());
}

#[tokio::test]
async fn the_operator_changes_an_organizations_quota() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = org_limited(&app, 2).await;
    let token = app.access_token(&org).await;
    for _ in 0..2 {
        assert_eq!(get(&app, &app.base, USAGE, &token).await.0, 200);
    }
    assert_eq!(get(&app, &app.base, USAGE, &token).await.0, 429);
    app.set_quota(&org, 600).await;
    // The state kept is time, not a count: the minute the old quota used up is the new one's
    // whole burst too, so room comes back at the new rate (a request every 0.1 s), not at the
    // old one (every 30 s).
    app.state.clock.advance(SignedDuration::from_secs(1));
    let (status, headers, _) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "ratelimit-limit"), Some(600));
}

fn token_limits(per_address: i64, per_access_key: i64) -> impl FnOnce(AppState) -> AppState {
    move |mut state| {
        let mut config = (*state.config).clone();
        config.token_rate_limits = TokenLimits {
            per_address: RateLimit::new(per_address).unwrap(),
            per_access_key: RateLimit::new(per_access_key).unwrap(),
        };
        state.config = std::sync::Arc::new(config);
        state
    }
}

#[tokio::test]
async fn password_grants_are_limited_per_access_key() {
    let app = TestApp::spawn_with(Backend::Sqlite, token_limits(100, 3)).await;
    let org = app.org().await;
    let guessed = "thn_ak_guessed-0000000000000000000000000000";
    for _ in 0..3 {
        let (status, body) =
            app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", guessed)]).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    }
    let response = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", guessed)])
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let (status, body) = (response.status().as_u16(), response.json::<Value>().await.unwrap());
    assert_envelope(status, &body, 429, 106, None);
    assert_eq!(header(&headers, "retry-after"), Some(20));
    assert_eq!(header(&headers, "ratelimit-limit"), Some(3));
    // Another key is not affected, and answers its own quota's fields.
    let response = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", org.access_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(response.headers(), "ratelimit-remaining"), Some(2));
}

#[tokio::test]
async fn the_token_routes_are_limited_per_client_address() {
    let app = TestApp::spawn_with(Backend::Sqlite, token_limits(4, 100)).await;
    let org = app.org().await;
    let grant = app.token(&org).await;
    let refresh = grant["refresh_token"].as_str().unwrap();
    // Every token route counts against the address: a refresh, a revocation, malformed bodies.
    assert_eq!(app.form("/api/v1/auth/refresh", &[("refresh_token", refresh)]).await.0, 200);
    assert_eq!(app.form("/api/v1/auth/revoke", &[("token", "unknown")]).await.0, 200);
    assert_eq!(app.form("/api/v1/auth/token", &[("grant_type", "nonsense")]).await.0, 400);
    for path in ["/api/v1/auth/token", "/api/v1/auth/refresh", "/api/auth/revoke"] {
        let (status, body) = app.form(path, &[("grant_type", "password"), ("access_key", &org.access_key)]).await;
        assert_envelope(status, &body, 429, 106, None);
    }
    // The partner routes are the organization's quota, not the address's.
    let token = grant["access_token"].as_str().unwrap();
    assert_eq!(get(&app, &app.base, USAGE, token).await.0, 200);
    app.state.clock.advance(SignedDuration::from_secs(15));
    assert_eq!(
        app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &org.access_key)]).await.0,
        200
    );
}

/// The Redis the tests use: `TAHOON_TEST_REDIS_URL` (`.ci/run` sets it), else the local one.
fn redis_url() -> String {
    std::env::var("TAHOON_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// State sharing its limits through the Redis at `url`, under `prefix` (each test its own, so
/// tests running at once do not share quotas).
fn through_redis(url: String, prefix: String) -> impl FnOnce(AppState) -> AppState {
    move |mut state| {
        state.rate_limits = RateLimits::shared(&url, &prefix).expect("a Redis URL");
        state
    }
}

fn unique_prefix() -> String {
    format!("tahoon-test:{}:", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn two_instances_share_one_quota_through_redis() {
    let prefix = unique_prefix();
    let app = TestApp::spawn_with(Backend::Sqlite, through_redis(redis_url(), prefix.clone())).await;
    let second = app.second_instance_with(through_redis(redis_url(), prefix)).await;
    let org = org_limited(&app, 10).await;
    let token = app.access_token(&org).await;
    // Twenty requests at once, spread over both instances: exactly the quota is answered.
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..20 {
        let url = format!("{}{USAGE}", if n % 2 == 0 { &app.base } else { &second });
        let (http, token) = (app.http.clone(), token.clone());
        requests.spawn(async move { http.get(url).bearer_auth(token).send().await.unwrap().status().as_u16() });
    }
    let statuses = requests.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10, "{statuses:?}");
    assert_eq!(app.state.rate_limits.shared_available(), Some(true));
}

/// A TCP relay to Redis that can be cut and restored: Redis going away and coming back.
struct Relay {
    url: String,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(redis_url: &str) -> Relay {
        let target = redis_url.trim_start_matches("redis://").split('/').next().unwrap().to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (accepting, relaying) = (up.clone(), connections.clone());
        tokio::spawn(async move {
            loop {
                let (mut inbound, _) = listener.accept().await.unwrap();
                if !accepting.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let target = target.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                relaying.lock().unwrap().push(relay);
            }
        });
        Relay { url, up, connections }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for relay in self.connections.lock().unwrap().drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn while_redis_is_away_the_instance_limits_alone_and_then_returns_to_it() {
    let relay = Relay::start(&redis_url()).await;
    let app = TestApp::spawn_with(Backend::Sqlite, through_redis(relay.url.clone(), unique_prefix())).await;
    let org = org_limited(&app, 3).await;
    let token = app.access_token(&org).await;
    // Two requests decided in Redis.
    for _ in 0..2 {
        assert_eq!(get(&app, &app.base, USAGE, &token).await.0, 200);
    }
    assert_eq!(app.state.rate_limits.shared_available(), Some(true));

    // Redis away: requests are still answered, against the instance's own state (which has not
    // seen the two above, so allows the whole quota), never with an error.
    relay.cut();
    for _ in 0..3 {
        let (status, headers, body) = get(&app, &app.base, USAGE, &token).await;
        assert_eq!(status, 200, "{body}");
        assert!(headers.get("ratelimit-remaining").is_some());
    }
    assert_eq!(app.state.rate_limits.shared_available(), Some(false));
    assert_eq!(get(&app, &app.base, USAGE, &token).await.0, 429);

    // Redis back: once the pause after a failure has passed, decisions are Redis's again, whose
    // state still holds the two requests it decided: one more is allowed.
    relay.restore();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (status, headers, body) = get(&app, &app.base, USAGE, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&headers, "ratelimit-remaining"), Some(0));
    assert_eq!(app.state.rate_limits.shared_available(), Some(true));
    assert_eq!(get(&app, &app.base, USAGE, &token).await.0, 429);
}
