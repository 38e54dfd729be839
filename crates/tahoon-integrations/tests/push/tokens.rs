//! Access tokens: the assertion Google receives, one exchange for many sends, a new one near expiry.

use crate::fakes::{Clock, EMAIL, Fakes, KEY_ID, key, service_account_json};
use jiff::SignedDuration;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tahoon_integrations::push::{
    AuthFailure, FCM_SCOPE, FcmClient, FcmConfig, FcmError, Message, SendOutcome, ServiceAccount, assertion,
};
use tokio::task::JoinSet;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub fn message(topic: &str) -> Message {
    Message { topic: topic.into(), notification: None, data: [("k".to_owned(), "v".to_owned())].into(), android: None }
}

#[test]
fn the_assertion_carries_googles_claims_and_is_signed_with_the_key() {
    let account = ServiceAccount::from_json(&service_account_json("https://oauth2.googleapis.com/token")).unwrap();
    let now: jiff::Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
    let jwt = assertion(&account, now).unwrap();
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::RS256, Some(KEY_ID)));
    let public = key().to_public_key();
    let decoding = DecodingKey::from_rsa_raw_components(&public.n().to_bytes_be(), &public.e().to_bytes_be());
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.set_audience(&["https://oauth2.googleapis.com/token"]);
    let claims = jsonwebtoken::decode::<Value>(&jwt, &decoding, &validation).unwrap().claims;
    let iat = now.as_second() - 10;
    assert_eq!(
        claims,
        json!({"iss": EMAIL, "scope": FCM_SCOPE, "aud": "https://oauth2.googleapis.com/token", "iat": iat, "exp": iat + 3600})
    );
}

#[tokio::test]
async fn one_exchange_serves_many_sends() {
    let fakes = Fakes::start().await;
    let client = fakes.client();
    for _ in 0..5 {
        assert!(client.send(&message("android_doctor_cp_1~")).await.is_sent());
    }
    assert_eq!(fakes.problems(), Vec::<String>::new());
    assert_eq!(fakes.exchanges(), 1);
    assert_eq!(fakes.bearers().await, vec!["Bearer ya29.test-1"; 5]);
}

#[tokio::test]
async fn racing_sends_share_one_exchange() {
    let fakes = Fakes::start().await;
    let client = Arc::new(fakes.client());
    let mut sends = JoinSet::new();
    for i in 0..16 {
        let client = client.clone();
        sends.spawn(async move { client.send(&message(&format!("ios_doctor_cp_{i}~"))).await });
    }
    while let Some(outcome) = sends.join_next().await {
        assert!(outcome.unwrap().is_sent());
    }
    assert_eq!(fakes.problems(), Vec::<String>::new());
    assert_eq!(fakes.exchanges(), 1);
    assert_eq!(fakes.sent_bodies().await.len(), 16);
}

#[tokio::test]
async fn a_token_is_replaced_a_minute_before_it_expires() {
    let fakes = Fakes::start().await;
    let client = fakes.client();
    assert!(client.send(&message("t")).await.is_sent());
    fakes.clock.advance(SignedDuration::from_secs(3599 - 61));
    assert!(client.send(&message("t")).await.is_sent());
    assert_eq!(fakes.exchanges(), 1);
    fakes.clock.advance(SignedDuration::from_secs(2));
    assert!(client.send(&message("t")).await.is_sent());
    assert_eq!(fakes.exchanges(), 2);
    assert_eq!(fakes.bearers().await, ["Bearer ya29.test-1", "Bearer ya29.test-1", "Bearer ya29.test-2"]);
    assert_eq!(fakes.problems(), Vec::<String>::new());
}

/// A client whose token endpoint is `google` (answering as mounted), sending to `fakes`' FCM.
async fn client_with_token_endpoint(fakes: &Fakes, google: &MockServer) -> FcmClient {
    let account = ServiceAccount::from_json(&service_account_json(&format!("{}/token", google.uri()))).unwrap();
    let config = FcmConfig { service_account: account, ..fakes.config() };
    FcmClient::with_clock(config, Clock::new().now()).unwrap()
}

#[tokio::test]
async fn a_refused_assertion_is_unauthenticated_and_sends_nothing() {
    let fakes = Fakes::start().await;
    let google = MockServer::start().await;
    let refusal = json!({"error": "invalid_grant", "error_description": "Invalid JWT: push@… is not a valid issuer"});
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_json(refusal)).mount(&google).await;
    let outcome = client_with_token_endpoint(&fakes, &google).await.send(&message("t")).await;
    let cause = AuthFailure::TokenRefused { status: 400, error: "invalid_grant".into() };
    assert_eq!(outcome, SendOutcome::Unauthenticated { cause });
    assert!(fakes.sent_bodies().await.is_empty());
}

#[tokio::test]
async fn a_token_endpoint_down_or_slow_is_retried_later() {
    let fakes = Fakes::start().await;
    let google = MockServer::start().await;
    let busy = ResponseTemplate::new(503).insert_header("Retry-After", "30").set_body_string("busy");
    Mock::given(method("POST")).respond_with(busy).up_to_n_times(1).mount(&google).await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(3));
    Mock::given(method("POST")).respond_with(slow).mount(&google).await;
    let mut config = fakes.config();
    config.service_account =
        ServiceAccount::from_json(&service_account_json(&format!("{}/token", google.uri()))).unwrap();
    config.request_timeout = Duration::from_millis(200);
    let client = FcmClient::with_clock(config, Clock::new().now()).unwrap();
    let outcome = client.send(&message("t")).await;
    assert_eq!(
        outcome,
        SendOutcome::Retry { after: Some(Duration::from_secs(30)), error: FcmError::TokenEndpoint(Some(503)) }
    );
    let started = std::time::Instant::now();
    assert_eq!(client.send(&message("t")).await, SendOutcome::Retry { after: None, error: FcmError::Timeout });
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(fakes.sent_bodies().await.is_empty());
}

#[tokio::test]
async fn sends_waiting_for_a_failed_exchange_share_its_failure() {
    let fakes = Fakes::start().await;
    let google = MockServer::start().await;
    let slow = ResponseTemplate::new(200).set_delay(Duration::from_secs(3));
    Mock::given(method("POST")).respond_with(slow).mount(&google).await;
    let mut config = fakes.config();
    config.service_account =
        ServiceAccount::from_json(&service_account_json(&format!("{}/token", google.uri()))).unwrap();
    config.request_timeout = Duration::from_millis(300);
    let client = Arc::new(FcmClient::with_clock(config, Clock::new().now()).unwrap());
    let started = std::time::Instant::now();
    let mut sends = JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        sends.spawn(async move { client.send(&message("t")).await });
    }
    while let Some(outcome) = sends.join_next().await {
        assert_eq!(outcome.unwrap(), SendOutcome::Retry { after: None, error: FcmError::Timeout });
    }
    assert!(started.elapsed() < Duration::from_millis(1500), "one timeout, not eight in turn");
    assert_eq!(google.received_requests().await.unwrap().len(), 1);
}
