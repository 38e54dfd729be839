//! The OpenAPI document (snapshot-tested: every contract change shows in review) and the
//! offline docs page.

use crate::helpers::*;
use serde_json::Value;
use tahoon_store::Backend;

#[test]
fn openapi_snapshot() {
    let (_, openapi) = tahoon_server::startup::api();
    let mut spec: Value = serde_json::to_value(&openapi).unwrap();
    // The years a date of birth may name move with the calendar (checked by the unit tests of
    // `year_range_pattern`); the snapshot holds the rest of the pattern.
    let birth_date = &mut spec["components"]["schemas"]["BirthDate"]["pattern"];
    let pattern = birth_date.as_str().unwrap();
    let years = pattern.strip_prefix("^(").and_then(|rest| rest.split_once(")-")).unwrap().0;
    assert!(
        years.contains(&jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year().to_string()[..3]),
        "{pattern}"
    );
    *birth_date = Value::from(pattern.replacen(years, "<this year and the 121 before it>", 1));
    insta::assert_json_snapshot!("openapi", spec);
}

#[test]
fn every_partner_operation_documents_the_rate_limit() {
    let (_, openapi) = tahoon_server::startup::api();
    let spec: Value = serde_json::to_value(&openapi).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if path.starts_with("/api/v1/admin") || !path.starts_with("/api/v1") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["responses"].get("429").is_some(), "{method} {path} lists no 429");
        }
    }
}

#[test]
fn operation_ids_are_unique() {
    let (_, openapi) = tahoon_server::startup::api();
    let spec: Value = serde_json::to_value(&openapi).unwrap();
    let mut ids: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values().filter_map(|op| op["operationId"].as_str()))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "every operationId once (generated clients name methods by them)");
}

async fn spec_and_docs_page_are_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let served: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let (_, openapi) = tahoon_server::startup::api();
    assert_eq!(served, serde_json::to_value(&openapi).unwrap());
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/auth/revoke", "/api/v1/diagnostics/signature"] {
        assert!(served["paths"].get(path).is_some(), "{path} documented");
    }
    let page = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "nothing is fetched from a CDN");
    let init = app.http.get(app.url("/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
}

tahoon_store::backend_tests!(spec_and_docs_page_are_served);

/// The fenced block of `language` that follows `heading` in `text`.
fn code_block<'a>(text: &'a str, heading: &str, language: &str) -> &'a str {
    let after = &text[text.find(heading).unwrap_or_else(|| panic!("{heading} in docs/webhooks.md"))..];
    let fence = format!("```{language}\n");
    let start = after.find(&fence).expect("a code block") + fence.len();
    &after[start..start + after[start..].find("```").expect("the block ends")]
}

/// The Python verifier in docs/webhooks.md, run as written: it accepts the specification's test
/// vector (with one of two signatures, as during a rotation) and refuses a changed body, an old
/// timestamp and another secret.
#[test]
fn the_documented_python_verifier_works() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/webhooks.md")).unwrap();
    let verifier = code_block(&docs, "### Verifying (Python)", "python");
    let check = r#"
import time
time.time = lambda: 1614265330 + 10
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
           "webhook-signature": "v1,bm90IGl0 v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
body = b'{"test": 2432232314}'
assert verify(secret, headers, body)
assert not verify(secret, headers, b'{"test": 2432232315}')
assert not verify("whsec_" + "A" * 32, headers, body)
time.time = lambda: 1614265330 + 301
assert not verify(secret, headers, body)
print("ok")
"#;
    let output = match std::process::Command::new("python3").arg("-c").arg(format!("{verifier}\n{check}")).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipped: python3 is not installed");
            return;
        }
        Err(e) => panic!("python3: {e}"),
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}
