//! Local fakes of Google's token endpoint and of FCM's send endpoint for the push worker's tests,
//! and the test-only service account (a key made for this test run) that points at them. The FCM
//! client's own tests (`tahoon-integrations/tests/push`) check the assertion's signature and
//! claims; these count exchanges, check the bearer token, and record what FCM received.

use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const PROJECT: &str = "tahoon-push-test";
const SEND_PATH: &str = "/v1/projects/tahoon-push-test/messages:send";

/// A 2048-bit key made once per test binary (never a real credential).
fn key_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("an RSA key");
        key.to_pkcs8_pem(LineEnding::LF).expect("a PEM key").to_string()
    })
}

/// Issues `ya29.push-1`, `ya29.push-2`, … and counts the exchanges.
struct TokenEndpoint {
    issued: Arc<AtomicUsize>,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = String::from_utf8_lossy(&request.body);
        if !form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
            return ResponseTemplate::new(400).set_body_json(json!({"error": "unsupported_grant_type"}));
        }
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("ya29.push-{n}"), "expires_in": 3599, "token_type": "Bearer"}))
    }
}

/// Answers 401 to any token but the last one issued, then the scripted answers, then success.
struct SendEndpoint {
    issued: Arc<AtomicUsize>,
    script: Arc<Mutex<VecDeque<ResponseTemplate>>>,
    sent: AtomicUsize,
}

impl Respond for SendEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let expected = format!("Bearer ya29.push-{}", self.issued.load(Ordering::SeqCst));
        if request.headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
            return ResponseTemplate::new(401)
                .set_body_json(json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}));
        }
        if let Some(scripted) = self.script.lock().unwrap().pop_front() {
            return scripted;
        }
        let n = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({"name": format!("projects/{PROJECT}/messages/0:{n}")}))
    }
}

/// FCM's error answer with an `FcmError` detail.
pub fn fcm_error(status: u16, canonical: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "code": status, "message": "echoes the data: Sara Ahmed", "status": canonical,
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}}))
}

/// FCM's success answer.
pub fn fcm_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"name": format!("projects/{PROJECT}/messages/0:scripted")}))
}

/// One message FCM received: its topic and data.
#[derive(Debug, Clone)]
pub struct Received {
    pub topic: String,
    pub data: Value,
    pub notification: Option<Value>,
}

pub struct Fakes {
    pub google: MockServer,
    pub fcm: MockServer,
    issued: Arc<AtomicUsize>,
    script: Arc<Mutex<VecDeque<ResponseTemplate>>>,
}

impl Fakes {
    pub async fn start() -> Fakes {
        let (google, fcm) = (MockServer::start().await, MockServer::start().await);
        let issued = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(TokenEndpoint { issued: issued.clone() })
            .mount(&google)
            .await;
        let send = SendEndpoint { issued: issued.clone(), script: script.clone(), sent: AtomicUsize::new(0) };
        Mock::given(method("POST")).and(path(SEND_PATH)).respond_with(send).mount(&fcm).await;
        Fakes { google, fcm, issued, script }
    }

    /// The key file Google would hand out, with `token_uri` at the fake.
    pub fn service_account(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "push-test-key",
            "private_key": key_pem(),
            "client_email": "push@tahoon-push-test.iam.gserviceaccount.com",
            "token_uri": format!("{}/token", self.google.uri()),
        })
        .to_string()
    }

    /// Queues FCM's next answers (after the bearer check).
    pub fn then_answer(&self, answers: impl IntoIterator<Item = ResponseTemplate>) {
        self.script.lock().unwrap().extend(answers);
    }

    pub fn exchanges(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// Every message FCM received, in order (refused ones included).
    pub async fn received(&self) -> Vec<Received> {
        let requests = self.fcm.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .map(|r| {
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                let message = &body["message"];
                Received {
                    topic: message["topic"].as_str().unwrap().to_string(),
                    data: message["data"].clone(),
                    notification: message.get("notification").cloned(),
                }
            })
            .collect()
    }
}
