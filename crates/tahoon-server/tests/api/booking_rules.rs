//! Booking rules over HTTP: the provider's buffer at booking as in search, session outcomes only
//! after the start, guests registered only with a booking, the cap on a user's upcoming sessions,
//! and operator-set numbers kept in range.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, slots, user};
use crate::video::failures::BrokenVideo;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

/// Books `slot_id` for `user`; returns status and body.
async fn book(app: &TestApp, o: &Partner, user: &str, slot_id: &str) -> (u16, Value) {
    app.send(o, BOOK, json!({"userId": user, "applicationMultiSlotId": slot_id})).await
}

fn start_times(slots: &[(String, String)]) -> Vec<&str> {
    slots.iter().map(|(_, start)| start.as_str()).collect()
}

async fn the_buffer_is_kept_at_booking_as_in_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let buffered = provider(
        "Buffered",
        json!({
            "sessionRates": [{"durationMinutes": 50, "price": 200, "currency": "SAR"}],
            "availability": {
                "minimumNoticeMinutes": 60, "bookingHorizonDays": 365, "bufferMinutes": 15,
                "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "09:00", "endTime": "13:30"})).collect::<Vec<_>>(),
            }
        }),
    );
    let provider_id = import(&app, vec![buffered]).await.remove(0);
    let o = app.partner_of(OrganizationKind::Standard).await;
    let (me, other) = (user(&app, &o, "BUF-1").await, user(&app, &o, "BUF-2").await);
    let date = soon();
    let before = slots(&app, &o, &provider_id, &date).await;
    assert_eq!(start_times(&before), ["09:00:00", "09:50:00", "10:40:00", "11:30:00", "12:20:00"]);

    let (status, body) = book(&app, &o, &me, &before[2].0).await; // 10:40–11:30, busy until 11:45
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    // Search no longer offers the neighbours inside the 15 minutes …
    assert_eq!(start_times(&slots(&app, &o, &provider_id, &date).await), ["09:00:00", "12:20:00"]);
    // … and booking them by their ids, or by date and times, is refused the same way.
    for slot in [&before[1].0, &before[3].0] {
        let (status, body) = book(&app, &o, &other, slot).await;
        assert_envelope(status, &body, 200, 4, None);
    }
    let (status, body) = app
        .send(
            &o,
            BOOK,
            json!({"userId": other, "careProviderId": provider_id, "slotDate": date,
               "slotStartTime": "11:30", "slotEndTime": "12:20", "timeZone": "Asia/Riyadh"}),
        )
        .await;
    assert_envelope(status, &body, 200, 4, None);
    // Far enough away: booked.
    let (status, body) = book(&app, &o, &other, &before[4].0).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
}

async fn session_outcomes_wait_for_the_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Outcome", json!({}))]).await.remove(0);
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "OUT-1").await;
    let free = slots(&app, &o, &provider_id, &soon()).await;
    let (_, booked) = book(&app, &o, &me, &free[0].0).await;
    let booking = booked["data"]["bookingId"].as_str().unwrap().to_string();
    let path = format!("/api/v1/admin/bookings/{booking}/status");
    for status in ["NoShow", "Completed"] {
        let (code, body) = admin(&app, Method::POST, &path, Some(json!({"status": status}))).await;
        assert_envelope(code, &body, 404, 16, None);
        assert!(body["message"].as_str().unwrap().contains("started"), "{body}");
    }
    // Once the session has started (the clock moves past it), the operator records how it ended.
    app.state.clock.advance(jiff::SignedDuration::from_hours(6 * 24));
    let (code, body) = admin(&app, Method::POST, &path, Some(json!({"status": "Completed"}))).await;
    assert_eq!((code, body["data"]["statusName"].as_str()), (200, Some("Completed")), "{body}");
    let (code, body) = admin(&app, Method::POST, &path, Some(json!({"status": "NoShow"}))).await;
    assert_envelope(code, &body, 404, 16, None);
}

/// Registering `reference` anew answers reason 0 when no earlier request registered it.
async fn is_unregistered(app: &TestApp, o: &Partner, reference: &str) -> bool {
    let body = json!({"referenceId": reference, "name": "Probe", "dob": "1990-01-01", "genderType": 1});
    let (status, answer) = app.send(o, "/api/v1/user/register", body).await;
    assert_eq!(status, 200, "{answer}");
    answer["reason"] == 0
}

fn guest(reference: &str, slot: Value) -> Value {
    let mut body = json!({"referenceId": reference, "name": "Guest Person", "dob": "1992-02-02", "genderType": 0});
    for (k, v) in slot.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn a_refused_guest_booking_registers_no_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Guests", json!({}))]).await.remove(0);
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "G-OWNER").await;
    let free = slots(&app, &o, &provider_id, &soon()).await;

    // A slot in the past: 404 NotAllowed, and no one registered.
    let yesterday = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Riyadh").unwrap())
        .date()
        .yesterday()
        .unwrap()
        .to_string();
    let past = json!({"careProviderId": provider_id, "slotDate": yesterday, "slotStartTime": "09:00",
                      "slotEndTime": "10:00", "timeZone": "Asia/Riyadh"});
    let (status, body) = app.send(&o, BOOK, guest("G-PAST", past)).await;
    assert_envelope(status, &body, 404, 16, None);
    // A taken slot: reason 4, no one registered.
    book(&app, &o, &me, &free[0].0).await;
    let (status, body) = app.send(&o, BOOK, guest("G-TAKEN", json!({"applicationMultiSlotId": free[0].0}))).await;
    assert_envelope(status, &body, 200, 4, None);
    // A charity with no sessions left: reason 50, no one registered.
    let charity = app.partner_of(OrganizationKind::Charity).await;
    let (status, _) = admin(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/organizations/{}", charity.org.id),
        Some(json!({"balance": 0})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = app.send(&charity, BOOK, guest("G-BROKE", json!({"applicationMultiSlotId": free[1].0}))).await;
    assert_envelope(status, &body, 200, 50, None);
    for reference in ["G-PAST", "G-TAKEN"] {
        assert!(is_unregistered(&app, &o, reference).await, "{reference} was registered by a refused booking");
    }
    assert!(is_unregistered(&app, &charity, "G-BROKE").await);
    // A booked guest is registered (and registering again finds it).
    let (status, body) = app.send(&o, BOOK, guest("G-OK", json!({"applicationMultiSlotId": free[1].0}))).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    assert!(!is_unregistered(&app, &o, "G-OK").await);

    // The video room fails after the hold: nothing is booked, so no one is registered either.
    let broken = TestApp::spawn_with(backend, |state| state.with_video(Arc::new(BrokenVideo))).await;
    let provider_id = import(&broken, vec![provider("Broken", json!({}))]).await.remove(0);
    let o = broken.partner_of(OrganizationKind::Standard).await;
    let free = slots(&broken, &o, &provider_id, &soon()).await;
    let (status, body) = broken.send(&o, BOOK, guest("G-VIDEO", json!({"applicationMultiSlotId": free[0].0}))).await;
    assert_envelope(status, &body, 503, 108, None);
    assert!(is_unregistered(&broken, &o, "G-VIDEO").await);
}

async fn a_users_upcoming_sessions_can_be_capped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Capped", json!({}))]).await.remove(0);
    let o = app.partner_of(OrganizationKind::Standard).await;
    let (me, other) = (user(&app, &o, "CAP-1").await, user(&app, &o, "CAP-2").await);
    let free = slots(&app, &o, &provider_id, &soon()).await;
    let patch = format!("/api/v1/admin/organizations/{}", o.org.id);
    let (status, body) = admin(&app, Method::PATCH, &patch, Some(json!({"maxActiveBookingsPerUser": 2}))).await;
    assert_eq!((status, body["data"]["maxActiveBookingsPerUser"].as_i64()), (200, Some(2)), "{body}");

    let (_, first) = book(&app, &o, &me, &free[0].0).await;
    assert_eq!(book(&app, &o, &me, &free[1].0).await.1["reason"], 0);
    let (status, body) = book(&app, &o, &me, &free[2].0).await;
    assert_envelope(status, &body, 409, 115, None);
    assert_eq!(body["data"]["maxActiveBookingsPerUser"], 2, "{body}");
    // In a bulk request each item answers as a single booking would.
    let raw = json!({"bookings": [{"userId": me, "applicationMultiSlotId": free[2].0},
                                  {"userId": other, "applicationMultiSlotId": free[2].0}]});
    let (status, body) = app.post_signed("/api/v1/sessionbooking/bulk", &o.token, &o.org.shared_key, &raw).await;
    assert_eq!(status, 200, "{body}");
    let reasons: Vec<i64> =
        body["data"]["results"].as_array().unwrap().iter().map(|r| r["reason"].as_i64().unwrap()).collect();
    assert_eq!(reasons, [115, 0]);
    // Cancelling frees a place under the cap.
    let cancel = json!({"bookingId": first["data"]["bookingId"], "userId": me, "careProviderId": provider_id});
    assert_eq!(app.send(&o, CANCEL, cancel).await.0, 200);
    let later = slots(&app, &o, &provider_id, &crate::careprovider::soon_plus(1)).await;
    assert_eq!(book(&app, &o, &me, &later[0].0).await.1["reason"], 0);
    // null removes the cap; a value out of range is refused and changes nothing.
    let (status, body) = admin(&app, Method::PATCH, &patch, Some(json!({"maxActiveBookingsPerUser": 0}))).await;
    assert_envelope(status, &body, 400, 105, Some("maxActiveBookingsPerUser"));
    let (status, body) = admin(&app, Method::PATCH, &patch, Some(json!({"maxActiveBookingsPerUser": null}))).await;
    assert_eq!((status, body["data"]["maxActiveBookingsPerUser"].clone()), (200, Value::Null), "{body}");
    assert_eq!(book(&app, &o, &me, &later[1].0).await.1["reason"], 0);
}

async fn operator_numbers_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let provider_id = import(&app, vec![provider("Numbers", json!({}))]).await.remove(0);
    let o = app.partner_of(OrganizationKind::Charity).await;
    let patch = format!("/api/v1/admin/organizations/{}", o.org.id);
    for (field, value) in [
        ("balance", json!(i64::MAX)),
        ("balance", json!(-1)),
        ("balance", json!(1_000_000_001)),
        ("balance", json!("5")),
        ("balance", json!(1e20)),
        ("rateLimitPerMinute", json!(0)),
        ("rateLimitPerMinute", json!(i64::MAX)),
        ("cancellationCutoffHours", json!(169)),
        ("cancellationCutoffHours", json!(i64::MIN)),
        ("maxActiveBookingsPerUser", json!(1001)),
    ] {
        let (status, body) = admin(&app, Method::PATCH, &patch, Some(json!({ field: value }))).await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
    let create = json!({"name": "Too rich", "kind": "charity", "balance": i64::MAX});
    let (status, body) = admin(&app, Method::POST, "/api/v1/admin/organizations", Some(create)).await;
    assert_envelope(status, &body, 400, 105, Some("balance"));

    // The ceiling itself is fine, and a refund there keeps every organization readable.
    let (status, body) = admin(&app, Method::PATCH, &patch, Some(json!({"balance": 1_000_000_000}))).await;
    assert_eq!((status, body["data"]["balance"].as_i64()), (200, Some(1_000_000_000)), "{body}");
    let me = user(&app, &o, "NUM-1").await;
    let free = slots(&app, &o, &provider_id, &soon()).await;
    let (_, booked) = book(&app, &o, &me, &free[0].0).await;
    assert_eq!(booked["reason"], 0, "{booked}");
    admin(&app, Method::PATCH, &patch, Some(json!({"balance": 1_000_000_000}))).await;
    let cancel = json!({"bookingId": booked["data"]["bookingId"], "userId": me, "careProviderId": provider_id});
    let (status, body) = app.send(&o, CANCEL, cancel).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin(&app, Method::GET, "/api/v1/admin/organizations", None).await;
    assert_eq!(status, 200, "{body}");
    let listed = body["data"].as_array().unwrap().iter().find(|v| v["organizationId"] == o.org.id).unwrap().clone();
    assert_eq!(listed["balance"], 1_000_000_000);
    app.token(&o.org).await;
}

tahoon_store::backend_tests!(
    the_buffer_is_kept_at_booking_as_in_search,
    session_outcomes_wait_for_the_start,
    a_refused_guest_booking_registers_no_one,
    a_users_upcoming_sessions_can_be_capped,
    operator_numbers_are_bounded
);
