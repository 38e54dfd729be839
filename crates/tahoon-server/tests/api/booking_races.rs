//! Many requests at once: 64 racing for one slot make one booking; `Idempotency-Key` replays a
//! booking's answer byte for byte, refuses another request under the same key, and makes one
//! booking of concurrent requests with one key.

use crate::careprovider::admin;
use crate::careprovider::soon;
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, setup, slots, user};
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

async fn sixty_four_requests_one_booking(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    // 64 registrations and 64 bookings at a standing clock: more than the default quota.
    app.set_quota(&o.org, 1_000).await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    let mut users = Vec::new();
    for i in 0..64 {
        users.push(user(&app, &o, &format!("RACE-{i}")).await);
    }
    let tasks: Vec<_> = users
        .iter()
        .map(|u| {
            let body = signed(&o.org.shared_key, json!({"userId": u, "applicationMultiSlotId": free[0].0}));
            let (http, url, token) = (app.http.clone(), app.url(BOOK), o.token.clone());
            tokio::spawn(async move {
                let response = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let (mut booked, mut taken) = (0, 0);
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match (status, body["reason"].as_i64()) {
            (200, Some(0)) => booked += 1,
            (200, Some(4)) => taken += 1,
            other => panic!("unexpected {other:?}: {body}"),
        }
    }
    assert_eq!((booked, taken), (1, 63));
}

async fn idempotent_replay_and_conflict(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "I1").await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    let raw = signed(&o.org.shared_key, json!({"userId": me, "applicationMultiSlotId": free[0].0})).to_string();
    let post = |key: &str, body: String| {
        app.http
            .post(app.url(BOOK))
            .bearer_auth(&o.token)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body)
            .send()
    };
    let first = post("key-1", raw.clone()).await.unwrap();
    assert_eq!(first.status(), 200);
    let first_body = first.bytes().await.unwrap();
    let again = post("key-1", raw.clone()).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.bytes().await.unwrap(), first_body, "the stored response, byte for byte");
    // Same key, another body: 409.
    let other = signed(&o.org.shared_key, json!({"userId": me, "applicationMultiSlotId": free[1].0})).to_string();
    let conflict = post("key-1", other.clone()).await.unwrap();
    let status = conflict.status().as_u16();
    assert_envelope(status, &conflict.json().await.unwrap(), 409, 107, None);
    // Another organization's identical key is its own.
    let o2 = app.partner_of(OrganizationKind::Standard).await;
    let theirs = user(&app, &o2, "I2").await;
    let body2 = signed(&o2.org.shared_key, json!({"userId": theirs, "applicationMultiSlotId": free[2].0})).to_string();
    let response = app
        .http
        .post(app.url(BOOK))
        .bearer_auth(&o2.token)
        .header("content-type", "application/json")
        .header("idempotency-key", "key-1")
        .body(body2)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["reason"], 0, "{answer}");
    // Concurrent requests with one key: one booking.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, token, body) = (app.http.clone(), app.url(BOOK), o.token.clone(), other.clone());
            tokio::spawn(async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .header("idempotency-key", "key-2")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut booking_ids = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match (status, body["reason"].as_i64()) {
            (200, Some(0)) => {
                booking_ids.insert(body["data"]["bookingId"].as_str().unwrap().to_string());
            }
            (409, Some(107)) => {}
            other => panic!("unexpected {other:?}: {body}"),
        }
    }
    assert_eq!(booking_ids.len(), 1, "every success is the same booking");
    let response = app
        .http
        .get(app.url(&format!("/api/v1/user/bookings?userId={me}")))
        .bearer_auth(&o.token)
        .send()
        .await
        .unwrap();
    let history: Value = response.json().await.unwrap();
    assert_eq!(history["data"]["totalCount"], 2);
    let bad = post("", raw.clone()).await.unwrap();
    assert_eq!(bad.status(), 400);

    // The operator records how a session ended; the status machine refuses anything else.
    let booking =
        serde_json::from_slice::<Value>(&first_body).unwrap()["data"]["bookingId"].as_str().unwrap().to_string();
    let path = format!("/api/v1/admin/bookings/{booking}/status");
    let (status, body) = admin(&app, reqwest::Method::POST, &path, Some(json!({"status": "Pending"}))).await;
    assert_envelope(status, &body, 400, 105, Some("status"));
    // Not before the session has started (see booking_rules for after).
    let (status, body) =
        admin(&app, reqwest::Method::POST, &path, Some(json!({"status": "NoShow", "reason": "did not join"}))).await;
    assert_envelope(status, &body, 404, 16, None);
    let (status, _) =
        app.send(&o, CANCEL, json!({"bookingId": booking, "userId": me, "careProviderId": provider_id})).await;
    assert_eq!(status, 200, "still Confirmed, so it can be cancelled");
    let (status, body) = admin(&app, reqwest::Method::POST, &path, Some(json!({"status": "Completed"}))).await;
    assert_envelope(status, &body, 404, 16, None);
}

tahoon_store::backend_tests!(idempotent_replay_and_conflict, sixty_four_requests_one_booking);
