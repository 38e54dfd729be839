//! The OWASP API Security Top 10 (2023), at least one test per item, over real HTTP. Several
//! items are covered in depth elsewhere (named per test); each test here attacks the item
//! directly.

use crate::careprovider::{admin, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, setup, slots, user};
use jsonwebtoken::{Algorithm, Header};
use reqwest::Method;
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

/// API1 Broken object-level authorization: every route that takes an id, given another
/// organization's id, answers as if it did not exist and changes nothing.
async fn api1_another_organizations_ids_are_never_found(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let victim = app.partner().await;
    let attacker = app.partner().await;
    let their_user = user(&app, &victim, "VICTIM-1").await;
    let free = slots(&app, &victim, &provider, &soon()).await;
    let (status, booked) =
        app.send(&victim, BOOK, json!({"userId": their_user, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(status, 200, "{booked}");
    let their_booking = booked["data"]["bookingId"].as_str().unwrap().to_string();
    let (_, endpoint) = app
        .send(&victim, "/api/v1/webhooks/endpoints", json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
        .await;
    let their_endpoint = endpoint["data"]["endpointId"].as_str().unwrap().to_string();

    let (u, b, e) = (&their_user, &their_booking, &their_endpoint);
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/sessionbooking/{b}"), None),
        (Method::GET, format!("/api/v1/sessionbooking/getrecording/{b}"), None),
        (Method::GET, format!("/api/v1/user/{u}/export"), None),
        (Method::DELETE, format!("/api/v1/user/{u}"), None),
        (Method::GET, format!("/api/v1/user/bookings?userId={u}"), None),
        (Method::GET, format!("/api/v1/user/assessments?userId={u}"), None),
        (Method::GET, format!("/api/v1/user/favorites?userId={u}"), None),
        (Method::GET, format!("/api/v1/user/reminders?userId={u}"), None),
        (Method::POST, CANCEL.to_string(), Some(json!({"userId": u, "bookingId": b, "careProviderId": provider}))),
        (
            Method::POST,
            "/api/v1/sessionbooking/reschedule".into(),
            Some(json!({"userId": u, "bookingId": b, "applicationMultiSlotId": free[1].0})),
        ),
        (Method::POST, BOOK.into(), Some(json!({"userId": u, "applicationMultiSlotId": free[2].0}))),
        (Method::POST, "/api/v1/user/favorites/add".into(), Some(json!({"userId": u, "careProviderId": provider}))),
        (Method::GET, format!("/api/v1/webhooks/endpoints/{e}/deliveries"), None),
        (Method::POST, format!("/api/v1/webhooks/endpoints/{e}/rotate-secret"), None),
        (Method::POST, format!("/api/v1/webhooks/endpoints/{e}/test"), None),
        (Method::DELETE, format!("/api/v1/webhooks/endpoints/{e}"), None),
    ];
    for (method, path, body) in attempts {
        let (status, answer) =
            app.call_signed(method.clone(), &path, &attacker.token, &attacker.org.shared_key, body).await;
        let reason = answer["reason"].as_i64();
        assert!(
            matches!((status, reason), (404, Some(104)) | (404, Some(18)) | (400, Some(18))),
            "{method} {path}: {status} {answer}"
        );
    }
    // Nothing of the victim's changed.
    let (_, detail) = app
        .call_signed(Method::GET, &format!("/api/v1/sessionbooking/{b}"), &victim.token, &victim.org.shared_key, None)
        .await;
    assert_eq!(detail["data"]["statusName"], "Confirmed", "{detail}");
    let (status, _) = app
        .call_signed(Method::GET, &format!("/api/v1/user/{u}/export"), &victim.token, &victim.org.shared_key, None)
        .await;
    assert_eq!(status, 200);
    let (_, endpoints) =
        app.call_signed(Method::GET, "/api/v1/webhooks/endpoints", &victim.token, &victim.org.shared_key, None).await;
    assert_eq!(endpoints["data"]["endpoints"].as_array().map(Vec::len), Some(1));
}

/// API2 Broken authentication: an expired token, a revoked one, one for another audience, and a
/// refresh token presented twice (its whole family is then revoked). Depth: `auth.rs`.
async fn api2_expired_revoked_foreign_and_replayed_credentials_fail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let grant = app.token(&org).await;
    let access = grant["access_token"].as_str().unwrap().to_string();
    let usage = |token: String| {
        let request = app.http.get(app.url("/api/v1/organization/usage")).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(usage(access.clone()).await, 200);
    let mut claims = crate::auth::claims_of(&access);
    claims["aud"] = json!("another-service");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(app.state.tokens.kid().to_string());
    assert_eq!(usage(app.state.tokens.sign(&header, &claims)).await, 401, "wrong audience");

    let refresh = grant["refresh_token"].as_str().unwrap().to_string();
    let (status, rotated) =
        app.form("/api/v1/auth/token", &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(status, 200, "{rotated}");
    let (status, reused) =
        app.form("/api/v1/auth/token", &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!((status, reused["error"].as_str()), (400, Some("invalid_grant")));
    let newer = rotated["refresh_token"].as_str().unwrap();
    let (status, _) =
        app.form("/api/v1/auth/token", &[("grant_type", "refresh_token"), ("refresh_token", newer)]).await;
    assert_eq!(status, 400, "reuse revoked the family");
    assert_eq!(usage(rotated["access_token"].as_str().unwrap().to_string()).await, 401);

    let fresh = app.access_token(&org).await;
    assert_eq!(app.form("/api/v1/auth/revoke", &[("token", fresh.as_str())]).await.0, 200);
    assert_eq!(usage(fresh).await, 401, "revoked");
    let later = app.access_token(&org).await;
    app.state.clock.advance(jiff::SignedDuration::from_hours(25));
    assert_eq!(usage(later).await, 401, "expired");
}

/// API3 Broken object-property-level authorization: a field the caller may not set (or that does
/// not exist) is refused by name, and nothing is created.
async fn api3_privileged_and_unknown_fields_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let base = json!({"referenceId": "P-1", "name": "Sara", "dob": "1990-05-15", "genderType": 0});
    for (field, value) in [
        ("organizationId", json!("org_AAAAAAAAAAAAAAAAAAAAAAAAAAA")),
        ("role", json!("FullAccess")),
        ("userId", json!(1)),
        ("balance", json!(1000)),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let (status, answer) = app.send(&p, "/api/v1/user/register", body).await;
        assert_envelope(status, &answer, 400, 105, Some(field));
    }
    let (_, audit) =
        app.call_signed(Method::GET, "/api/v1/audit?action=user.registered", &p.token, &p.org.shared_key, None).await;
    assert_eq!(audit["data"]["totalCount"], 0, "nothing was registered");
    // An operator-only field through the partner plane: the admin route refuses the token.
    let (status, _) = app
        .call_signed(
            Method::PATCH,
            &format!("/api/v1/admin/organizations/{}", p.org.id),
            &p.token,
            &p.org.shared_key,
            Some(json!({"balance": 1000})),
        )
        .await;
    assert_eq!(status, 401);
}

/// API4 Unrestricted resource consumption: bodies, pages and request rates have limits. Depth:
/// `input_edges.rs`, `rate_limits.rs`.
async fn api4_bodies_pages_and_rates_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let huge = json!({"referenceId": "R", "name": "x".repeat(20 * 1024), "dob": "1990-05-15", "genderType": 0});
    let (status, answer) = app.send(&p, "/api/v1/user/register", huge).await;
    assert_envelope(status, &answer, 413, 110, None);
    let (status, answer) =
        app.call_signed(Method::GET, "/api/v1/audit?pageSize=100000", &p.token, &p.org.shared_key, None).await;
    assert_envelope(status, &answer, 400, 105, Some("pageSize"));
    app.set_quota(&p.org, 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            app.call_signed(Method::GET, "/api/v1/organization/usage", &p.token, &p.org.shared_key, None).await.0,
        );
    }
    assert!(statuses.ends_with(&[429, 429]), "{statuses:?}");
}

/// API5 Broken function-level authorization: a partner's token on the operator plane, and a
/// ReadOnly key on a mutating route. Depth: `roles.rs` walks every operation.
async fn api5_partners_cannot_reach_operator_or_mutating_functions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    for (method, path) in [
        (Method::GET, "/api/v1/admin/organizations"),
        (Method::POST, "/api/v1/admin/careproviders/import"),
        (Method::GET, "/api/v1/admin/settings"),
        (Method::GET, "/metrics"),
    ] {
        let (status, answer) =
            app.call_signed(method.clone(), path, &p.token, &p.org.shared_key, Some(json!({}))).await;
        assert_eq!((status, answer["reason"].as_i64()), (401, Some(101)), "{method} {path}");
    }
    let reader = app.create_org(OrganizationKind::Standard, tahoon_domain::organization::Role::ReadOnly, false).await;
    let token = app.access_token(&reader).await;
    let body = json!({"referenceId": "R-1", "name": "Sara", "dob": "1990-05-15", "genderType": 0});
    let (status, answer) =
        app.call_signed(Method::POST, "/api/v1/user/register", &token, &reader.shared_key, Some(body)).await;
    assert_envelope(status, &answer, 403, 103, None);
}

/// API6 Unrestricted access to sensitive business flows: bulk booking is bounded, and a charity
/// with no sessions left books nothing.
async fn api6_bulk_size_and_balance_are_enforced(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let charity = app.partner_of(OrganizationKind::Charity).await;
    let me = user(&app, &charity, "CH-1").await;
    let free = slots(&app, &charity, &provider, &soon()).await;
    let items: Vec<Value> = (0..51).map(|_| json!({"userId": me, "applicationMultiSlotId": free[0].0})).collect();
    let (status, answer) = app.send(&charity, "/api/v1/sessionbooking/bulk", json!({"bookings": items})).await;
    assert_envelope(status, &answer, 400, 105, Some("bookings"));
    let (status, answer) = admin(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/organizations/{}", charity.org.id),
        Some(json!({"balance": 0})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = app.send(&charity, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!((status, answer["reason"].as_i64()), (200, Some(50)), "{answer}");
    let (_, history) = app
        .call_signed(
            Method::GET,
            &format!("/api/v1/user/bookings?userId={me}"),
            &charity.token,
            &charity.org.shared_key,
            None,
        )
        .await;
    assert_eq!(history["data"]["totalCount"], 0, "nothing was booked");
}

/// API7 Server-side request forgery: webhook targets on internal, link-local or cloud-metadata
/// addresses are refused. Depth: `webhooks/ssrf.rs` (DNS answers, send-time checks).
async fn api7_webhook_targets_cannot_reach_inside(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://0.0.0.0/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ] {
        let (status, answer) = app.send(&p, "/api/v1/webhooks/endpoints", json!({"url": url, "events": ["*"]})).await;
        assert_envelope(status, &answer, 400, 105, Some("url"));
    }
}

/// API8 Security misconfiguration: security headers everywhere, no CORS by default, and errors
/// that say nothing of the server's insides. Depth: `hardening.rs`.
async fn api8_errors_and_headers_reveal_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let answer = app.http.get(app.url("/test/panic")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(answer.status(), 500);
    assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    assert!(answer.headers().get("access-control-allow-origin").is_none());
    let body: Value = answer.json().await.unwrap();
    let text = body.to_string();
    assert!(!text.contains("deliberate") && !text.contains("panicked") && !text.contains(".rs"), "{text}");
    let answer = app.http.get(app.url("/api/v1/../../etc/passwd")).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    let answer = app
        .http
        .post(app.url("/api/v1/user/register"))
        .header("content-type", "application/json")
        .body("{\"a\":")
        .send()
        .await
        .unwrap();
    // Malformed JSON: our envelope, naming no library and quoting nothing of the parser's.
    let body: Value = answer.json().await.unwrap();
    assert!(body["reason"].is_i64(), "{body}");
    let text = body.to_string();
    assert!(!text.contains("serde") && !text.contains("EOF while parsing"), "{text}");
}

/// API9 Improper inventory management: every documented path is routed (a wrong method answers
/// 405, not 404), under `/api/v1` and the legacy `/api` alike, and nothing undocumented answers.
async fn api9_the_document_is_the_inventory(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, openapi) = tahoon_server::startup::api();
    let spec: Value = serde_json::to_value(&openapi).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let unused = ["get", "post", "put", "delete", "patch"].into_iter().find(|m| item.get(*m).is_none()).unwrap();
        let concrete = path.replace('{', "x").replace('}', "");
        let mut targets = vec![concrete.clone()];
        if concrete.starts_with("/api/v1/") && !concrete.starts_with("/api/v1/admin/") {
            targets.push(concrete.replacen("/api/v1/", "/api/", 1));
        }
        for target in targets {
            let method = Method::from_bytes(unused.to_ascii_uppercase().as_bytes()).unwrap();
            let status = app.http.request(method, app.url(&target)).send().await.unwrap().status().as_u16();
            assert_eq!(status, 405, "{unused} {target}: documented, so routed");
        }
    }
    for undocumented in [
        "/api/v2/user/register",
        "/api/v1/admin",
        "/api/v1/internal/debug",
        "/.env",
        "/actuator/health",
        "/api/api/v1/user/register",
    ] {
        let status = app.http.get(app.url(undocumented)).send().await.unwrap().status().as_u16();
        assert_eq!(status, 404, "{undocumented}");
    }
}

/// API10 Unsafe consumption of APIs: a video vendor answering garbage, too much or a redirect is
/// refused (108, nothing booked, no vendor text echoed). Depth: `video/failures.rs`.
async fn api10_a_vendors_garbage_books_nothing(backend: Backend) {
    use tahoon_integrations::testing::videosdk::Fault;
    let w = crate::video::world(backend, OrganizationKind::Standard).await;
    let fake = crate::video::use_videosdk(&w.app, 2_000).await;
    for fault in [Fault::Body("{\"roomId\": [1,2,3]}".into()), Fault::Oversized, Fault::Redirect] {
        fake.outage(Some(fault.clone()));
        let (status, body) = w.book(0).await;
        assert_envelope(status, &body, 503, 108, None);
        assert!(!body.to_string().contains("roomId"), "{fault:?}: {body}");
    }
    fake.outage(None);
    let (status, body) = w.book(0).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "the slot was never taken: {body}");
}

tahoon_store::backend_tests!(
    api1_another_organizations_ids_are_never_found,
    api2_expired_revoked_foreign_and_replayed_credentials_fail,
    api3_privileged_and_unknown_fields_are_refused,
    api4_bodies_pages_and_rates_are_bounded,
    api5_partners_cannot_reach_operator_or_mutating_functions,
    api6_bulk_size_and_balance_are_enforced,
    api7_webhook_targets_cannot_reach_inside,
    api8_errors_and_headers_reveal_nothing,
    api9_the_document_is_the_inventory,
    api10_a_vendors_garbage_books_nothing,
);
