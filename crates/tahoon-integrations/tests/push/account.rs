//! Service accounts with real (test-made) keys.

use crate::fakes::{EMAIL, KEY_ID, PROJECT, key, pkcs8_pem, service_account_json};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::LineEnding;
use serde_json::{Value, json};
use tahoon_integrations::push::{FcmConfig, FcmConfigError, GOOGLE_TOKEN_URI, ServiceAccount, ServiceAccountError};

fn with(field: &str, value: Value) -> String {
    let mut json: Value = serde_json::from_str(&service_account_json("https://oauth2.googleapis.com/token")).unwrap();
    json[field] = value;
    json.to_string()
}

#[test]
fn a_google_key_file_is_read() {
    let account = ServiceAccount::from_json(&service_account_json("https://oauth2.googleapis.com/token")).unwrap();
    assert_eq!(account.project_id(), PROJECT);
    assert_eq!(account.client_email(), EMAIL);
    assert_eq!(account.private_key_id(), Some(KEY_ID));
    assert_eq!(account.token_uri().as_str(), "https://oauth2.googleapis.com/token");
    let shown = format!("{account:?}");
    assert!(!shown.contains("PRIVATE KEY") && shown.contains("<redacted>"), "{shown}");
}

#[test]
fn pkcs1_keys_escaped_newlines_and_a_missing_token_uri_are_accepted() {
    let pkcs1 = key().to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
    assert!(ServiceAccount::from_json(&with("private_key", json!(pkcs1))).is_ok());
    let escaped = pkcs8_pem(key()).replace('\n', "\\n");
    assert!(ServiceAccount::from_json(&with("private_key", json!(escaped))).is_ok());
    let mut json: Value = serde_json::from_str(&with("token_uri", Value::Null)).unwrap();
    json.as_object_mut().unwrap().remove("token_uri");
    let account = ServiceAccount::from_json(&json.to_string()).unwrap();
    assert_eq!(account.token_uri().as_str(), GOOGLE_TOKEN_URI);
}

#[test]
fn bad_fields_are_refused() {
    let refuse = |json: String| ServiceAccount::from_json(&json).unwrap_err();
    assert_eq!(
        refuse(with("token_uri", json!("http://oauth2.googleapis.com/token"))),
        ServiceAccountError::Endpoint("the service account's \"token_uri\"")
    );
    assert_eq!(refuse(with("project_id", json!("../other"))), ServiceAccountError::ProjectId);
    assert_eq!(refuse(with("client_email", json!("nobody"))), ServiceAccountError::ClientEmail);
    assert_eq!(refuse(with("private_key", json!("not a key"))), ServiceAccountError::PrivateKey);
    let weak = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    assert_eq!(refuse(with("private_key", json!(pkcs8_pem(&weak)))), ServiceAccountError::WeakKey);
}

#[test]
fn settings_are_validated() {
    let json = service_account_json("https://oauth2.googleapis.com/token");
    let config = FcmConfig::from_settings(&json, None, None, Some(2500)).unwrap();
    assert_eq!(config.base_url.as_str(), "https://fcm.googleapis.com/");
    assert_eq!(config.request_timeout.as_millis(), 2500);
    assert_eq!(config.connect_timeout.as_millis(), 5000);
    let local = FcmConfig::from_settings(&json, Some("http://127.0.0.1:9099"), Some(100), None).unwrap();
    assert_eq!(local.base_url.as_str(), "http://127.0.0.1:9099/");
    assert_eq!(
        FcmConfig::from_settings(&json, Some("http://fcm.example.com"), None, None).unwrap_err(),
        FcmConfigError::ServiceAccount(ServiceAccountError::Endpoint("fcm.base_url"))
    );
    assert_eq!(
        FcmConfig::from_settings(&json, None, Some(0), None).unwrap_err(),
        FcmConfigError::Timeout("fcm.connect_timeout_ms")
    );
    assert_eq!(
        FcmConfig::from_settings(&json, None, None, Some(300_001)).unwrap_err(),
        FcmConfigError::Timeout("fcm.request_timeout_ms")
    );
}
