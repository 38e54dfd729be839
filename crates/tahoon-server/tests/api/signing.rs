//! Request signing over HTTP: both forms, replay, clock window, organizations requiring the header.

use crate::helpers::*;
use serde_json::json;
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_store::Backend;

const CHECK: &str = "/api/v1/diagnostics/signature";

async fn header_signature_is_accepted_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    // The header covers the whole raw body, arrays and objects included.
    let raw = r#"{"name":"John","genderType":1,"answers":[{"questionId":1}]}"#;
    let signature = header_signature(&org.shared_key, raw, now());
    let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["answers"][0]["questionId"], 1);

    let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
    assert_envelope(status, &body, 401, 102, None);
    assert!(body["message"].as_str().unwrap().contains("already used"), "{body}");

    let changed = raw.replace("\"questionId\":1", "\"questionId\":2");
    let signature = header_signature(&org.shared_key, raw, now() + 1);
    let (status, body) = app.post_header_signed("/test/probe", &access, &changed, &signature).await;
    assert_envelope(status, &body, 401, 102, None);

    // Well outside ±300 s, so that a second ticking between client and server cannot matter.
    for skew in [-400, 400] {
        let signature = header_signature(&org.shared_key, raw, now() + skew);
        let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
        assert_envelope(status, &body, 401, 102, None);
    }
    let (status, body) = app.post_header_signed("/test/probe", &access, raw, "v1=abc").await;
    assert_envelope(status, &body, 401, 102, None);
    let signature = header_signature(&org.shared_key, raw, now() - 200);
    assert_eq!(app.post_header_signed("/test/probe", &access, raw, &signature).await.0, 200, "inside the window");
}

async fn organization_can_require_the_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.create_org(OrganizationKind::Charity, Role::FullAccess, true).await;
    let access = app.access_token(&org).await;
    let body = signed(&org.shared_key, json!({"name": "John", "genderType": 1}));
    let (status, _, answer) = app.post("/test/probe", &access, &body).await;
    assert_envelope(status, &answer, 401, 102, None);
    assert!(answer["message"].as_str().unwrap().contains("X-Tahoon-Signature"));
    let raw = body.to_string();
    let signature = header_signature(&org.shared_key, &raw, now());
    // secureHash in a header-signed body is ignored, not an unknown field.
    assert_eq!(app.post_header_signed("/test/probe", &access, &raw, &signature).await.0, 200);
}

async fn secure_hash_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    // Missing secureHash names the field.
    let (status, _, answer) = app.post(CHECK, &access, &json!({"name": "John"})).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    // Nulls, arrays and objects are not signed: adding or changing them keeps the hash valid.
    let mut body = signed(&org.shared_key, json!({"name": "John", "genderType": 1, "isMobile": false}));
    body["answers"] = json!([{"questionId": 9}]);
    body["filter"] = json!({"x": 1});
    body["userId"] = json!(null);
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200);
    // Uppercase hex is the same signature.
    body["secureHash"] = json!(body["secureHash"].as_str().unwrap().to_uppercase());
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200);
    // Another organization's key does not verify.
    let other = app.org().await;
    let body = signed(&other.shared_key, json!({"name": "John"}));
    assert_eq!(app.post(CHECK, &access, &body).await.0, 401);
    // A body that is not an object.
    let (status, _, answer) = app.post(CHECK, &access, &json!([1, 2])).await;
    assert_envelope(status, &answer, 400, 105, Some("body"));
}

tahoon_store::backend_tests!(header_signature_is_accepted_once, organization_can_require_the_header, secure_hash_rules);
