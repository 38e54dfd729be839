//! Bulk booking (each item on its own), favorites, and the organization's usage.

use crate::careprovider::soon;
use crate::helpers::*;
use crate::sessionbooking::{setup, slots, user};
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

async fn bulk_favorites_and_usage(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "B1").await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    let body = json!({"bookings": [
        {"userId": me, "applicationMultiSlotId": free[0].0},
        {"userId": me, "applicationMultiSlotId": free[0].0},
        {"userId": me, "careProviderId": provider_id, "slotDate": date, "slotStartTime": "15:00", "slotEndTime": "16:00", "timeZone": "Asia/Riyadh"},
        {"userId": "usr_nobody", "applicationMultiSlotId": free[1].0},
    ]}).to_string();
    let signature = header_signature(&o.org.shared_key, &body, now());
    let (status, answer) = app.post_header_signed("/api/v1/sessionbooking/bulk", &o.token, &body, &signature).await;
    assert_eq!(status, 200, "{answer}");
    let reasons: Vec<i64> =
        answer["data"]["results"].as_array().unwrap().iter().map(|r| r["reason"].as_i64().unwrap()).collect();
    assert_eq!(reasons, [0, 4, 16, 18]);
    assert_eq!((answer["data"]["succeeded"].as_i64(), answer["data"]["failed"].as_i64()), (Some(1), Some(3)));
    let too_many = json!({"bookings": (0..51).map(|_| json!({"userId": me})).collect::<Vec<_>>()}).to_string();
    let signature = header_signature(&o.org.shared_key, &too_many, now());
    let (status, answer) = app.post_header_signed("/api/v1/sessionbooking/bulk", &o.token, &too_many, &signature).await;
    assert_envelope(status, &answer, 400, 105, Some("bookings"));

    // Favorites.
    let fav = |path: &'static str| {
        let body = json!({"userId": me, "careProviderId": provider_id});
        let app = &app;
        let o = &o;
        async move { app.send(o, path, body).await }
    };
    assert_eq!(fav("/api/v1/user/favorites/add").await.1["data"]["changed"], true);
    assert_eq!(fav("/api/v1/user/favorites/add").await.1["data"]["changed"], false);
    let list = |app: &TestApp| {
        let (http, url, token) =
            (app.http.clone(), app.url(&format!("/api/v1/user/favorites?userId={me}")), o.token.clone());
        async move { http.get(url).bearer_auth(token).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let listed = list(&app).await;
    assert_eq!(listed["data"]["favoritesList"][0]["careProviderId"], provider_id);
    assert_eq!(listed["data"]["favoritesList"][0]["fullName"], "Amal Tester");
    assert_eq!(fav("/api/v1/user/favorites/remove").await.1["data"]["changed"], true);
    assert_eq!(fav("/api/v1/user/favorites/remove").await.1["data"]["changed"], false);
    assert!(list(&app).await["data"]["favoritesList"].as_array().unwrap().is_empty());
    let (status, answer) =
        app.send(&o, "/api/v1/user/favorites/add", json!({"userId": me, "careProviderId": "cp_nope"})).await;
    assert_envelope(status, &answer, 404, 104, None);
    let stranger = app.partner_of(OrganizationKind::Standard).await;
    let (status, answer) =
        app.send(&stranger, "/api/v1/user/favorites/add", json!({"userId": me, "careProviderId": provider_id})).await;
    assert_envelope(status, &answer, 400, 18, Some("userId"));

    // Usage: the one confirmed session, billable, with its total.
    let to = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(30))
        .unwrap();
    let response = app
        .http
        .get(app.url(&format!("/api/v1/organization/usage?from=2026-01-01&to={to}")))
        .bearer_auth(&o.token)
        .send()
        .await
        .unwrap();
    let usage: Value = response.json().await.unwrap();
    assert_eq!(usage["data"]["sessions"].as_array().unwrap().len(), 1, "{usage}");
    assert_eq!(usage["data"]["totals"], json!([{"currency": "SAR", "sessions": 1, "amount": 200.0}]));
    let response = app
        .http
        .get(app.url("/api/v1/organization/usage?from=2026-02-01&to=2026-01-01"))
        .bearer_auth(&o.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

tahoon_store::backend_tests!(bulk_favorites_and_usage);
