//! The envelope: every input error names its field, nothing answers 500 to client input, panics
//! are envelopes, request ids and languages, legacy paths.

use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

async fn input_errors_name_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    let cases: Vec<(Value, u16, u64, &str)> = vec![
        (json!({"genderType": 1}), 400, 1, "name"),
        (json!({"name": "John"}), 400, 1, "genderType"),
        (json!({"name": "John", "genderType": "one"}), 400, 105, "genderType"),
        (json!({"name": 5, "genderType": 1}), 400, 105, "name"),
        (json!({"name": "John", "genderType": 1, "extra": true}), 400, 105, "extra"),
        (json!({"name": "John", "genderType": 1, "answers": [{"questionId": 1}, {}]}), 400, 1, "answers[1].questionId"),
        (json!({"name": "John", "genderType": 1, "answers": [{"questionId": 1, "x": 2}]}), 400, 105, "answers[0].x"),
        (json!({"name": "<script>alert(1)</script>", "genderType": 1}), 400, 105, "name"),
        (json!({"name": "x\" onmouseover=\"go()", "genderType": 1}), 400, 105, "name"),
        (json!({"name": "javascript:alert(1)", "genderType": 1}), 400, 105, "name"),
    ];
    for (body, status, reason, field) in cases {
        let (got_status, _, answer) = app.post("/test/probe", &access, &signed(&org.shared_key, body.clone())).await;
        assert_envelope(got_status, &answer, status, reason, Some(field));
        let _ = body;
    }
    for name in ["محمد عبد الله", "O'Brien-Smith", "José Núñez"] {
        let body = signed(&org.shared_key, json!({"name": name, "genderType": 0}));
        let (status, _, answer) = app.post("/test/probe", &access, &body).await;
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(answer["data"]["name"], name);
    }
}

async fn malformed_bodies_get_the_envelope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    let send = |content_type: &'static str, body: String| {
        app.http
            .post(app.url("/test/probe"))
            .bearer_auth(&access)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for raw in ["{\"name\": ", "", "nul", "{\"a\":1}}"] {
        let response = send("application/json", raw.to_string()).await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_envelope(status, &body, 400, 1, Some("body"));
    }
    let response = send("text/plain", "{}".into()).await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 415, 111, None);
    let big = format!("{{\"name\":\"{}\"}}", "a".repeat(20 * 1024));
    let response = send("application/json", big).await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 413, 110, None);
}

async fn panics_unknown_routes_and_methods(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.http.get(app.url("/test/panic")).header("x-request-id", "trace-42").send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let body: Value = response.json().await.unwrap();
    assert_envelope(500, &body, 500, 113, None);
    assert_eq!(body["requestId"], "trace-42");
    assert!(!body.to_string().contains("deliberate"), "no internals leak");

    let response = app.http.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 404, 104, None);
    let response = app.http.get(app.url("/api/v1/auth/token")).send().await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 405, 112, None);
}

async fn request_ids_and_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": 1, "reason": 0, "reasonName": "Success", "message": "Success.",
        "data": {"state": "alive"}, "requestId": generated})
    );
    // An unacceptable id (spaces, too long) is replaced rather than echoed.
    let response = app.http.get(app.url("/healthz")).header("x-request-id", "a b").send().await.unwrap();
    assert_ne!(response.headers()["x-request-id"], "a b");

    let response = app
        .http
        .post(app.url("/api/v1/diagnostics/signature"))
        .header("accept-language", "ar-SA,en;q=0.5")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["reasonName"], "InvalidToken");
    assert!(body["message"].as_str().unwrap().starts_with("رمز الوصول"), "{body}");

    let response = app.http.get(app.url("/readyz")).send().await.unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["state"], "ready");
    assert_eq!(
        body["data"]["database"],
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );
}

async fn legacy_paths_are_deprecated_aliases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    let body = signed(&org.shared_key, json!({"a": "b"}));
    let (status, headers, answer) = app.post("/api/diagnostics/signature", &access, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(headers["deprecation"], "true");
    assert_eq!(headers["link"], "</api/v1/diagnostics/signature>; rel=\"successor-version\"");
    let (_, headers, _) = app.post("/api/v1/diagnostics/signature", &access, &body).await;
    assert!(!headers.contains_key("deprecation"));
}

tahoon_store::backend_tests!(
    input_errors_name_the_field,
    malformed_bodies_get_the_envelope,
    panics_unknown_routes_and_methods,
    request_ids_and_languages,
    legacy_paths_are_deprecated_aliases,
);
