//! `GET /metrics` on the main listener: the operator's only, Prometheus's text format, with the
//! series the service records. (The recorder is one per process, shared by every test app, so
//! these tests look for series, not exact counts.)

use crate::helpers::*;
use serde_json::json;
use tahoon_store::Backend;

async fn metrics(app: &TestApp, token: Option<&str>) -> (u16, String, String) {
    let mut request = app.http.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn only_the_operator_reads_the_metrics() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = app.org().await;
    let partner = app.access_token(&org).await;
    for token in [None, Some(partner.as_str()), Some("thn_op_wrong")] {
        let (status, _, body) = metrics(&app, token).await;
        assert_eq!(status, 401, "{token:?}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["reason"], 101);
    }
    let (status, content_type, _) = metrics(&app, Some(OPERATOR_TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
}

#[tokio::test]
async fn requests_bookings_limits_and_the_database_are_measured() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let usage = app.http.get(app.url("/api/v1/organization/usage")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(usage.status(), 200);
    // A booking that fails (no such slot) is counted by its reason's name.
    let (status, body) = app
        .post_signed(
            "/api/v1/sessionbooking/booksession",
            &token,
            &org.shared_key,
            &json!({"userId": "usr_AAAAAAAAAAAAAAAAAAAAAAAAAAA", "applicationMultiSlotId": "slot_nope"}),
        )
        .await;
    assert_ne!(status, 200, "{body}");
    let reason = body["reasonName"].as_str().unwrap().to_string();
    // A refusal by a rate limit.
    app.set_quota(&org, 1).await;
    app.state.clock.advance(jiff::SignedDuration::from_mins(2));
    for _ in 0..2 {
        app.http.get(app.url("/api/v1/organization/usage")).bearer_auth(&token).send().await.unwrap();
    }

    let (_, _, text) = metrics(&app, Some(OPERATOR_TOKEN)).await;
    for series in [
        // By route template, never the concrete path.
        r#"tahoon_http_request_duration_seconds_bucket{method="GET",route="/api/v1/organization/usage",status="200",le="0.1"}"#,
        r#"tahoon_http_request_duration_seconds_bucket{method="GET",route="/api/v1/organization/usage",status="429",le="+Inf"}"#,
        &format!(r#"tahoon_bookings_total{{outcome="{reason}"}}"#),
        r#"tahoon_rate_limit_rejections_total{scope="organization"}"#,
        r#"tahoon_db_transaction_wait_seconds_bucket{backend="sqlite",kind="write",le="0.01"}"#,
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
    assert!(!text.contains("usr_"), "no ids in labels");
}
