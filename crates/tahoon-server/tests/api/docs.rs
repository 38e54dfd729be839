//! The OpenAPI document (snapshot-tested: every contract change shows in review) and the
//! offline docs page.

use crate::helpers::*;
use serde_json::Value;
use tahoon_store::Backend;

#[test]
fn openapi_snapshot() {
    let (_, openapi) = tahoon_server::startup::api();
    let spec: Value = serde_json::to_value(&openapi).unwrap();
    insta::assert_json_snapshot!("openapi", spec);
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
