//! Local fakes of Google's token endpoint and of FCM's send endpoint, speaking their protocols and
//! checking what they receive, and the test-only service account they trust.

use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tahoon_integrations::push::{FCM_SCOPE, FcmClient, FcmConfig, JWT_BEARER_GRANT, Now, ServiceAccount};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const PROJECT: &str = "tahoon-test";
pub const EMAIL: &str = "push@tahoon-test.iam.gserviceaccount.com";
pub const KEY_ID: &str = "test-key-1";
pub const SEND_PATH: &str = "/v1/projects/tahoon-test/messages:send";

/// A key pair made for this test run (never a real credential), made once per test binary.
pub fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("an RSA key"))
}

pub fn pkcs8_pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).expect("a PEM key").to_string()
}

/// The key file Google would hand out, pointing at `token_uri`.
pub fn service_account_json(token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": KEY_ID,
        "private_key": pkcs8_pem(key()),
        "client_email": EMAIL,
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    })
    .to_string()
}

/// A clock the tests move.
#[derive(Clone)]
pub struct Clock(Arc<Mutex<Timestamp>>);

impl Clock {
    /// Reads the system clock's current second (HTTP dates have no fractions).
    pub fn new() -> Clock {
        let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
        Clock(Arc::new(Mutex::new(now)))
    }
    pub fn now(&self) -> Now {
        let at = self.0.clone();
        Arc::new(move || *at.lock().unwrap())
    }
    pub fn advance(&self, by: SignedDuration) {
        let mut at = self.0.lock().unwrap();
        *at = at.checked_add(by).unwrap();
    }
}

/// Google's token endpoint: checks the grant and the assertion (RS256 signature with the test
/// key's public half, header, claims) and issues `ya29.test-1`, `ya29.test-2`, …
pub struct TokenEndpoint {
    public: RsaPublicKey,
    audience: String,
    pub issued: Arc<AtomicUsize>,
    pub problems: Arc<Mutex<Vec<String>>>,
    expires_in: i64,
}

impl TokenEndpoint {
    fn check(&self, request: &Request) -> Result<(), String> {
        let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type != "application/x-www-form-urlencoded" {
            return Err(format!("content type {content_type}"));
        }
        let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body).into_owned().collect();
        if form.get("grant_type").map(String::as_str) != Some(JWT_BEARER_GRANT) {
            return Err(format!("grant_type {:?}", form.get("grant_type")));
        }
        let assertion = form.get("assertion").ok_or("no assertion")?;
        let header = jsonwebtoken::decode_header(assertion).map_err(|e| format!("header: {e}"))?;
        if header.alg != Algorithm::RS256
            || header.kid.as_deref() != Some(KEY_ID)
            || header.typ.as_deref() != Some("JWT")
        {
            return Err(format!("header {header:?}"));
        }
        let key = DecodingKey::from_rsa_raw_components(&self.public.n().to_bytes_be(), &self.public.e().to_bytes_be());
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[EMAIL]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
            .map_err(|e| format!("signature or claims: {e}"))?
            .claims;
        if claims["scope"] != FCM_SCOPE {
            return Err(format!("scope {}", claims["scope"]));
        }
        let (iat, exp) = (claims["iat"].as_i64().unwrap_or(0), claims["exp"].as_i64().unwrap_or(0));
        if exp - iat != 3600 {
            return Err(format!("lifetime {}", exp - iat));
        }
        if claims.get("sub").is_some() {
            return Err("sub set: Google would read it as a user to impersonate".into());
        }
        Ok(())
    }
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Err(problem) = self.check(request) {
            self.problems.lock().unwrap().push(problem);
            return ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}));
        }
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": format!("ya29.test-{n}"), "expires_in": self.expires_in, "token_type": "Bearer"}))
            .set_delay(Duration::from_millis(50))
    }
}

/// FCM's send endpoint: answers 401 to any but the last token issued, then plays the scripted
/// answers, then `{"name": …}`.
pub struct SendEndpoint {
    issued: Arc<AtomicUsize>,
    pub script: Arc<Mutex<VecDeque<ResponseTemplate>>>,
    sent: AtomicUsize,
}

impl Respond for SendEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let expected = format!("Bearer ya29.test-{}", self.issued.load(Ordering::SeqCst));
        let bearer = request.headers.get("authorization").and_then(|v| v.to_str().ok());
        if bearer != Some(expected.as_str()) {
            return ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}));
        }
        if let Some(scripted) = self.script.lock().unwrap().pop_front() {
            return scripted;
        }
        let n = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({"name": format!("projects/{PROJECT}/messages/0:{n}")}))
    }
}

/// FCM's error answer with an `FcmError` detail.
pub fn fcm_error(status: u16, canonical: &str, error_code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "code": status,
        "message": "Requested entity was not found. (echoes data: Sara Ahmed)",
        "status": canonical,
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}],
    }}))
}

/// Both fakes, and a client configured against them.
pub struct Fakes {
    pub google: MockServer,
    pub fcm: MockServer,
    pub issued: Arc<AtomicUsize>,
    pub problems: Arc<Mutex<Vec<String>>>,
    pub script: Arc<Mutex<VecDeque<ResponseTemplate>>>,
    pub clock: Clock,
}

impl Fakes {
    pub async fn start() -> Fakes {
        Fakes::with_token_lifetime(3599).await
    }

    pub async fn with_token_lifetime(expires_in: i64) -> Fakes {
        let (google, fcm) = (MockServer::start().await, MockServer::start().await);
        let issued = Arc::new(AtomicUsize::new(0));
        let problems = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let token = TokenEndpoint {
            public: key().to_public_key(),
            audience: format!("{}/token", google.uri()),
            issued: issued.clone(),
            problems: problems.clone(),
            expires_in,
        };
        Mock::given(method("POST")).and(path("/token")).respond_with(token).mount(&google).await;
        let send = SendEndpoint { issued: issued.clone(), script: script.clone(), sent: AtomicUsize::new(0) };
        Mock::given(method("POST")).and(path(SEND_PATH)).respond_with(send).mount(&fcm).await;
        Fakes { google, fcm, issued, problems, script, clock: Clock::new() }
    }

    pub fn config(&self) -> FcmConfig {
        let account =
            ServiceAccount::from_json(&service_account_json(&format!("{}/token", self.google.uri()))).unwrap();
        let mut config = FcmConfig::new(account);
        config.base_url = self.fcm.uri().parse().unwrap();
        config.connect_timeout = Duration::from_millis(500);
        config.request_timeout = Duration::from_secs(2);
        config
    }

    pub fn client(&self) -> FcmClient {
        FcmClient::with_clock(self.config(), self.clock.now()).unwrap()
    }

    /// Queues FCM's next answers (after the bearer check).
    pub fn then_answer(&self, answers: impl IntoIterator<Item = ResponseTemplate>) {
        self.script.lock().unwrap().extend(answers);
    }

    pub fn exchanges(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// What the token endpoint found wrong (empty when every assertion was right).
    pub fn problems(&self) -> Vec<String> {
        self.problems.lock().unwrap().clone()
    }

    /// The bodies FCM received, as JSON.
    pub async fn sent_bodies(&self) -> Vec<Value> {
        let requests = self.fcm.received_requests().await.unwrap_or_default();
        requests.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
    }

    /// The `Authorization` headers FCM received.
    pub async fn bearers(&self) -> Vec<String> {
        let requests = self.fcm.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .map(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
            .collect()
    }
}
