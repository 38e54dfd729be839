//! Edges of query strings, path segments and paging, over HTTP: every refusal is a 400 envelope
//! naming the parameter (never plain text, never a 500), and no page number overflows.

use crate::careprovider::admin;
use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

const SEARCH: &str = "/api/v1/careprovider/getcareproviderslistwithschedule";
const OPERATOR: &str = OPERATOR_TOKEN;

async fn new_user(app: &TestApp, p: &Partner) -> String {
    let body = json!({"referenceId": "EDGE-1", "name": "Layla Al-Harbi", "dob": "1990-05-15", "genderType": 0});
    let (status, _, answer) = app.post("/api/v1/user/register", &p.token, &signed(&p.org.shared_key, body)).await;
    assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
    answer["data"]["userId"].as_str().unwrap().to_string()
}

/// GETs `path` (sent as written: reqwest keeps percent escapes) with a bearer token; asserts the
/// answer is JSON and returns status and body.
async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let text = response.text().await.unwrap();
    assert_eq!(content_type, "application/json", "{path} answered {status} {content_type}: {text}");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"));
    (status, body)
}

async fn booking_history_refuses_pages_out_of_range(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let me = new_user(&app, &p).await;
    let history = |query: &str| format!("/api/v1/user/bookings?userId={me}&{query}");

    for query in ["page=9223372036854775807&pageSize=100", "page=1000001", "page=0", "page=-1"] {
        let (status, body) = get(&app, &history(query), &p.token).await;
        assert_envelope(status, &body, 400, 105, Some("page"));
    }
    for query in ["pageSize=0", "pageSize=101", "pageSize=9223372036854775807", "page=2&pageSize=-5"] {
        let (status, body) = get(&app, &history(query), &p.token).await;
        assert_envelope(status, &body, 400, 105, Some("pageSize"));
    }

    // The last page allowed is served, empty, and labelled with its own number.
    let (status, body) = get(&app, &history("page=1000000&pageSize=100"), &p.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["data"]["page"], &body["data"]["pageSize"], &body["data"]["bookingsList"]),
        (&json!(1_000_000), &json!(100), &json!([]))
    );
    let (status, body) = get(&app, &history(""), &p.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((&body["data"]["page"], &body["data"]["pageSize"]), (&json!(1), &json!(20)), "defaults");
}

async fn booking_history_refuses_malformed_query(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let me = new_user(&app, &p).await;
    let history = |query: &str| format!("/api/v1/user/bookings?userId={me}&{query}");

    for query in ["page=abc", "page=", "page=1.5", "page=9223372036854775808", "page=%zz", "page=%FF", "page=1&page=2"]
    {
        let (status, body) = get(&app, &history(query), &p.token).await;
        assert_envelope(status, &body, 400, 105, Some("page"));
    }
    let (status, body) = get(&app, &history("pageSize=ten"), &p.token).await;
    assert_envelope(status, &body, 400, 105, Some("pageSize"));

    // A required parameter missing is EmptyParameter; a value that is not UTF-8 names its key.
    let (status, body) = get(&app, "/api/v1/user/bookings", &p.token).await;
    assert_envelope(status, &body, 400, 1, Some("userId"));
    let (status, body) = get(&app, "/api/v1/user/bookings?userId=%C3%28", &p.token).await;
    assert_envelope(status, &body, 400, 105, Some("userId"));

    // The legacy prefix answers the same way.
    let (status, body) = get(&app, &format!("/api/user/bookings?userId={me}&page=abc"), &p.token).await;
    assert_envelope(status, &body, 400, 105, Some("page"));
}

async fn search_refuses_pages_out_of_range(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let search = |paging: Value| {
        let mut body = json!({"timeZone": "Asia/Riyadh"});
        for (k, v) in paging.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    for paging in [
        json!({"page": i64::MAX, "pageSize": 100}),
        json!({"page": 1_000_001}),
        json!({"page": 0}),
        json!({"page": -1}),
        json!({"page": "abc"}),
        json!({"page": 9_223_372_036_854_775_808u64}),
        json!({"page": 1.5}),
    ] {
        let (status, _, body) = app.post(SEARCH, &p.token, &search(paging)).await;
        assert_envelope(status, &body, 400, 105, Some("page"));
    }
    for paging in [json!({"pageSize": 0}), json!({"pageSize": 101}), json!({"pageSize": i64::MAX})] {
        let (status, _, body) = app.post(SEARCH, &p.token, &search(paging)).await;
        assert_envelope(status, &body, 400, 105, Some("pageSize"));
    }
    let (status, _, body) = app.post(SEARCH, &p.token, &search(json!({"page": 1_000_000, "pageSize": 100}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((&body["data"]["page"], &body["data"]["careProvidersList"]), (&json!(1_000_000), &json!([])));
}

async fn path_segments_must_be_utf8(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;

    let (status, body) = get(&app, "/api/v1/sessionbooking/%FF", &p.token).await;
    assert_envelope(status, &body, 400, 105, Some("bookingId"));
    let (status, body) = get(&app, "/api/sessionbooking/%C3%28", &p.token).await;
    assert_envelope(status, &body, 400, 105, Some("bookingId"));
    // A well-formed but unknown id is still 404, and the zone is checked as before.
    let (status, body) = get(&app, "/api/v1/sessionbooking/bkg_nope", &p.token).await;
    assert_envelope(status, &body, 404, 104, None);

    // Operator routes too.
    let (status, body) = get(&app, "/api/v1/admin/careproviders/%FF", OPERATOR).await;
    assert_envelope(status, &body, 400, 105, Some("careProviderId"));
    let (status, body) =
        admin(&app, reqwest::Method::PATCH, "/api/v1/admin/organizations/%FF", Some(json!({"enabled": true}))).await;
    assert_envelope(status, &body, 400, 105, Some("organizationId"));
}

async fn other_query_routes_answer_in_the_envelope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let me = new_user(&app, &p).await;

    let cases: Vec<(String, u16, u64, &str)> = vec![
        ("/api/v1/organization/usage?from=2026-01-01&from=2026-02-01".into(), 400, 105, "from"),
        ("/api/v1/organization/usage?to=%FF".into(), 400, 105, "to"),
        (format!("/api/v1/user/favorites?userId={me}&userId={me}"), 400, 105, "userId"),
        ("/api/v1/user/getassessmentquestions?instrument=%FF".into(), 400, 105, "instrument"),
        ("/api/v1/user/assessments?userId=%zz".into(), 400, 105, "userId"),
        ("/api/v1/user/assessments".into(), 400, 1, "userId"),
        ("/api/v1/sessionbooking/bkg_nope?timeZone=a&timeZone=b".into(), 400, 105, "timeZone"),
    ];
    for (path, want_status, want_reason, field) in cases {
        let (status, body) = get(&app, &path, &p.token).await;
        assert_envelope(status, &body, want_status, want_reason, Some(field));
    }
    // Unknown parameters are ignored on read routes, as before.
    let (status, body) = get(&app, &format!("/api/v1/user/favorites?userId={me}&extra=1"), &p.token).await;
    assert_eq!(status, 200, "{body}");
}

tahoon_store::backend_tests!(
    booking_history_refuses_pages_out_of_range,
    booking_history_refuses_malformed_query,
    search_refuses_pages_out_of_range,
    path_segments_must_be_utf8,
    other_query_routes_answer_in_the_envelope,
);
