//! Spawns the real application on 127.0.0.1:0 against a fresh database and talks HTTP to it.

use axum::Router;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::organization::{OrganizationKind, Role, SessionBalance};
use tahoon_domain::secrets::MasterKey;
use tahoon_domain::signing::{header_value, secure_hash};
use tahoon_server::envelope::Success;
use tahoon_server::extract::signed::SignedCompat;
use tahoon_server::services::organizations::{self, OrganizationSpec};
use tahoon_server::{AppState, Application, Clock, Secrets, ServerConfig, build_router_with};
use tahoon_store::Backend;
use tahoon_store::testing::TestDatabase;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub state: AppState,
    /// Kept so the database lives as long as the app.
    _db: TestDatabase,
}

#[derive(Debug, Clone)]
pub struct TestOrg {
    pub id: String,
    pub access_key: String,
    pub shared_key: String,
}

/// A body for the test-only signed route: typed like a real mutating route.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeBody {
    pub name: FreeText,
    pub gender_type: i64,
    #[serde(default)]
    pub answers: Vec<ProbeAnswer>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeAnswer {
    pub question_id: i64,
}

async fn probe(request: SignedCompat<ProbeBody>) -> Success<ProbeBody> {
    Success(request.body)
}

async fn panics() -> &'static str {
    panic!("deliberate test panic")
}

/// Longer than any test's request time limit.
async fn slow() -> &'static str {
    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    "late"
}

/// The operator token of `test_config`.
pub const OPERATOR_TOKEN: &str = "thn_op_test-operator-token-0123456789abcdef";

pub fn test_config() -> ServerConfig {
    let mut config = ServerConfig::new(Secrets {
        master_key: MasterKey::new([11u8; 32]),
        token_signing_key: [22u8; 32],
        operator_token: OPERATOR_TOKEN.into(),
    });
    config.max_body_bytes = 16 * 1024;
    // Webhook receivers in tests are local (plain http on 127.0.0.1); SSRF tests use a strict policy.
    config.webhooks_allow_loopback = true;
    config
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |state| state).await
    }

    /// Spawns with the state changed first (another video provider, say).
    pub async fn spawn_with(backend: Backend, change: impl FnOnce(AppState) -> AppState) -> TestApp {
        let db = TestDatabase::create(backend).await.expect("test database");
        let store = tahoon_store::open(&db.url).await.expect("open store");
        // A manual clock: tests move time by advancing it, never by sleeping.
        let clock = Clock::manual(jiff::Timestamp::now());
        let state = change(AppState::with_clock(store, test_config(), clock));
        // As `tahoon serve` does: hear of other instances' settings changes (PostgreSQL).
        state.settings.watch().await.expect("settings watch");
        // As `tahoon serve` does: follow other processes' changes to the directory.
        state.directory.start();
        let extra = Router::new()
            .route("/test/probe", post(probe))
            .route("/test/panic", get(panics))
            .route("/test/slow", get(slow));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Application::with_router(build_router_with(state.clone(), extra), listener);
        tokio::spawn(app.run_until(std::future::pending()));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, http, state, _db: db }
    }

    /// Another instance of the service on this app's database (as a second `tahoon serve` would
    /// be), on its own port, with its own availability index; returns its base URL.
    pub async fn second_instance(&self) -> String {
        self.second_instance_with(|state| state).await
    }

    /// A second instance (as `second_instance`) with its state changed first.
    pub async fn second_instance_with(&self, change: impl FnOnce(AppState) -> AppState) -> String {
        let store = tahoon_store::open(&self._db.url).await.expect("open store");
        let state = change(AppState::with_clock(store, test_config(), self.state.clock.clone()));
        state.settings.watch().await.expect("settings watch");
        state.directory.start();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(Application::new(state, listener).run_until(std::future::pending()));
        base
    }

    /// The database URL, for fixtures written behind the API (bookings before booking exists).
    pub fn _db_url(&self) -> String {
        self._db.url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn create_org(&self, kind: OrganizationKind, role: Role, require_header: bool) -> TestOrg {
        self.create_org_from(OrganizationSpec {
            name: "Test Org".into(),
            kind,
            balance: SessionBalance::clamped(5),
            role,
            rate_limit_per_minute: None,
            require_signature_header: require_header,
            max_active_bookings_per_user: None,
        })
        .await
    }

    /// An organization as `spec` says, with its credentials.
    pub async fn create_org_from(&self, spec: OrganizationSpec) -> TestOrg {
        let issued = organizations::create(&self.state, spec, "test").await.unwrap();
        TestOrg { id: issued.organization_id, access_key: issued.access_key, shared_key: issued.shared_api_key }
    }

    /// Sets an organization's requests per minute through the operator route (tests sending more
    /// than the default 100 at a standing clock).
    pub async fn set_quota(&self, org: &TestOrg, per_minute: i64) {
        let response = self
            .http
            .patch(self.url(&format!("/api/v1/admin/organizations/{}", org.id)))
            .bearer_auth(OPERATOR_TOKEN)
            .json(&serde_json::json!({ "rateLimitPerMinute": per_minute }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// One request with `token`: with a body, signed over it; without, signed over
    /// `METHOD path?query` (the form signed routes without a body take). Status and JSON (or null).
    pub async fn call_signed(
        &self,
        method: reqwest::Method,
        target: &str,
        token: &str,
        shared_key: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let now = self.state.clock.now().as_second();
        let request = self.http.request(method.clone(), self.url(target)).bearer_auth(token);
        let request = match body {
            Some(body) => {
                let raw = body.to_string();
                request
                    .header("content-type", "application/json")
                    .header("x-tahoon-signature", fresh_signature_at(shared_key, &raw, now))
                    .body(raw)
            }
            None => {
                request.header("x-tahoon-signature", fresh_signature_at(shared_key, &format!("{method} {target}"), now))
            }
        };
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn org(&self) -> TestOrg {
        self.create_org(OrganizationKind::Standard, Role::FullAccess, false).await
    }

    /// POSTs a form to a token route; returns status and JSON body.
    pub async fn form(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self.http.post(self.url(path)).form(form).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// A password grant that must succeed.
    pub async fn token(&self, org: &TestOrg) -> Value {
        let (status, body) =
            self.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &org.access_key)]).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn access_token(&self, org: &TestOrg) -> String {
        self.token(org).await["access_token"].as_str().unwrap().to_string()
    }

    /// POSTs JSON with a bearer token; returns status, headers and JSON body.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.unwrap())
    }

    /// POSTs `body` signed with a fresh `X-Tahoon-Signature` header (the form every signed route
    /// takes), on the application's clock.
    pub async fn post_signed(&self, path: &str, token: &str, shared_key: &str, body: &Value) -> (u16, Value) {
        let raw = body.to_string();
        let signature = fresh_signature_at(shared_key, &raw, self.state.clock.now().as_second());
        self.post_header_signed(path, token, &raw, &signature).await
    }

    /// Sends `body` with `method`, signed with a fresh `X-Tahoon-Signature` header.
    pub async fn method_signed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        shared_key: &str,
        body: &Value,
    ) -> (u16, Value) {
        let raw = body.to_string();
        let signature = fresh_signature_at(shared_key, &raw, self.state.clock.now().as_second());
        self.header_signed(method, path, token, &raw, &signature).await
    }

    /// POSTs raw bytes with a header signature.
    pub async fn post_header_signed(&self, path: &str, token: &str, raw: &str, signature: &str) -> (u16, Value) {
        self.header_signed(reqwest::Method::POST, path, token, raw, signature).await
    }

    /// Sends raw bytes with `method` and a header signature.
    pub async fn header_signed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        raw: &str,
        signature: &str,
    ) -> (u16, Value) {
        let response = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("x-tahoon-signature", signature)
            .body(raw.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// An organization and a token for it, as a partner's integration holds them.
pub struct Partner {
    pub org: TestOrg,
    pub token: String,
}

/// The routes the reference signed with `secureHash`; every other signed route takes the header.
pub const SECURE_HASH_ROUTES: [&str; 3] =
    ["/api/v1/user/register", "/api/v1/sessionbooking/booksession", "/api/v1/sessionbooking/cancelbooking"];

impl TestApp {
    pub async fn partner_of(&self, kind: OrganizationKind) -> Partner {
        let org = self.create_org(kind, Role::FullAccess, false).await;
        let token = self.access_token(&org).await;
        Partner { org, token }
    }

    pub async fn partner(&self) -> Partner {
        self.partner_of(OrganizationKind::Standard).await
    }

    /// POSTs `body` signed as a partner of the reference would where it can (`secureHash` on the
    /// routes the reference signed), and with the header everywhere else.
    pub async fn send(&self, p: &Partner, path: &str, body: Value) -> (u16, Value) {
        if SECURE_HASH_ROUTES.contains(&path) {
            let (status, _, answer) = self.post(path, &p.token, &signed(&p.org.shared_key, body)).await;
            (status, answer)
        } else {
            self.post_signed(path, &p.token, &p.org.shared_key, &body).await
        }
    }
}

/// The body with its `secureHash` added.
pub fn signed(shared_key: &str, body: Value) -> Value {
    let Value::Object(mut fields): Value = body else { panic!("object expected") };
    let hash = secure_hash(shared_key, &fields);
    fields.insert("secureHash".into(), Value::String(hash));
    Value::Object(fields)
}

pub fn header_signature(shared_key: &str, raw: &str, timestamp: i64) -> String {
    header_value(shared_key, timestamp, raw.as_bytes())
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A header signature of `signed` (a raw body, or `<METHOD> <path>`) at `now` or, when the same
/// key has signed the same string before in this process, one second before the last time it did:
/// identical requests get distinct signatures, as a partner signing each request anew would.
pub fn fresh_signature_at(shared_key: &str, signed: &str, now: i64) -> String {
    static LAST: std::sync::Mutex<std::collections::BTreeMap<(String, String), i64>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = (shared_key.to_string(), signed.to_string());
    // Step back from the last time used while it is still well inside the ±300 s window.
    let t =
        last.get(&key).filter(|previous| (now - 240..=now).contains(*previous)).map_or(now, |previous| previous - 1);
    last.insert(key, t);
    header_signature(shared_key, signed, t)
}

/// `fresh_signature_at` on the system clock.
pub fn fresh_signature(shared_key: &str, signed: &str) -> String {
    fresh_signature_at(shared_key, signed, now())
}

/// Asserts an error envelope: HTTP status, reason code, and (when given) the named field.
pub fn assert_envelope(status: u16, body: &Value, want_status: u16, want_reason: u64, field: Option<&str>) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["status"], json!(0), "{body}");
    assert_eq!(body["reason"], json!(want_reason), "{body}");
    assert!(body["requestId"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    if let Some(field) = field {
        assert_eq!(body["data"]["field"], json!(field), "{body}");
        assert!(body["message"].as_str().unwrap().contains(field), "message names the field: {body}");
    }
}
