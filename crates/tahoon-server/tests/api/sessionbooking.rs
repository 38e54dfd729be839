//! Booking over HTTP: the reference's error table, balances, cancellation cut-off, reschedule,
//! history, a failing video step, and 64 racing requests for one slot.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use serde_json::{Value, json};
use std::sync::Arc;
use tahoon_domain::organization::OrganizationKind;
use tahoon_server::services::video::{Room, VideoError, VideoRooms};
use tahoon_store::Backend;

pub const BOOK: &str = "/api/v1/sessionbooking/booksession";
pub const CANCEL: &str = "/api/v1/sessionbooking/cancelbooking";
const RESCHEDULE: &str = "/api/v1/sessionbooking/reschedule";
const SCHEDULE: &str = "/api/v1/careprovider/getcareproviderschedule";

pub async fn user(app: &TestApp, o: &Partner, reference: &str) -> String {
    let (status, body) = app
        .send(
            o,
            "/api/v1/user/register",
            json!({"referenceId": reference, "name": "Guest", "dob": "1990-01-01", "genderType": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["userId"].as_str().unwrap().to_string()
}

/// The slots (ids and start times) of `provider` on `date` in Riyadh.
pub async fn slots(app: &TestApp, o: &Partner, provider: &str, date: &str) -> Vec<(String, String)> {
    let (_, _, answer) = app
        .post(SCHEDULE, &o.token, &json!({"careProviderId": provider, "scheduleDate": date, "timeZone": "Asia/Riyadh"}))
        .await;
    answer["data"]["availableSlotsList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["applicationMultiSlotId"].as_str().unwrap().to_string(),
                s["slotStartTime"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub async fn setup(backend: Backend) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    (app, ids[0].clone())
}

async fn error_table_and_happy_path(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "U1").await;
    let other = user(&app, &o, "U2").await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    assert_eq!(free.len(), 3);

    let (status, body) = app
        .send(
            &o,
            BOOK,
            json!({"userId": me, "applicationMultiSlotId": free[0].0, "timeZone": "Asia/Riyadh",
        "catCommunicationTypeId": 1, "isBookingFromMobile": true, "bookingPlatformId": 3}),
        )
        .await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    let data = &body["data"];
    assert!(data["bookingId"].as_str().unwrap().starts_with("bkg_"));
    assert!(data["meetingId"].as_str().is_some_and(|m| m.len() >= 20));
    assert!(data["joinUrl"].as_str().unwrap().ends_with(data["meetingId"].as_str().unwrap()));
    assert_eq!((data["status"].as_i64(), data["statusName"].as_str()), (Some(1), Some("Confirmed")));
    assert_eq!(
        (data["userId"].as_str(), data["careProviderId"].as_str()),
        (Some(me.as_str()), Some(provider_id.as_str()))
    );
    assert_eq!((data["price"].as_f64(), data["currency"].as_str()), (Some(200.0), Some("SAR")));
    assert_eq!(
        (data["slot"]["slotDate"].as_str(), data["slot"]["slotStartTime"].as_str()),
        (Some(date.as_str()), Some("09:00:00"))
    );
    assert_eq!(data["slot"]["applicationMultiSlotId"], free[0].0);
    // The booked slot is no longer offered.
    assert_eq!(slots(&app, &o, &provider_id, &date).await.len(), 2);

    // Slot already booked → 4, HTTP 200.
    let (status, body) = app.send(&o, BOOK, json!({"userId": other, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 200, 4, None);
    // By date and times in the request's zone (here a fixed offset), the same slot: taken too.
    let (status, body) = app
        .send(
            &o,
            BOOK,
            json!({"userId": other, "careProviderId": provider_id, "slotDate": date,
        "slotStartTime": "09:00:00", "slotEndTime": "10:00:00", "gmtTimeDiffrenceHours": 3}),
        )
        .await;
    assert_envelope(status, &body, 200, 4, None);
    // A free slot by date and times.
    let (status, body) = app
        .send(
            &o,
            BOOK,
            json!({"userId": other, "careProviderId": provider_id, "slotDate": date,
        "slotStartTime": "10:00", "slotEndTime": "11:00", "timeZone": "Asia/Riyadh"}),
        )
        .await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    // Not in availability → 16, HTTP 404 (outside the window, wrong length, unknown provider, tampered id).
    for bad in [
        json!({"userId": other, "careProviderId": provider_id, "slotDate": date, "slotStartTime": "13:00", "slotEndTime": "14:00", "timeZone": "Asia/Riyadh"}),
        json!({"userId": other, "careProviderId": provider_id, "slotDate": date, "slotStartTime": "11:00", "slotEndTime": "11:30", "timeZone": "Asia/Riyadh"}),
        json!({"userId": other, "applicationMultiSlotId": format!("{}x", free[2].0)}),
        json!({"userId": other, "careProviderId": "cp_nope", "slotDate": date, "slotStartTime": "11:00", "slotEndTime": "12:00"}),
    ] {
        let (status, body) = app.send(&o, BOOK, bad.clone()).await;
        assert_envelope(status, &body, 404, 16, None);
    }
    // Unknown user → 18, HTTP 400.
    let (status, body) = app.send(&o, BOOK, json!({"userId": "usr_nobody", "applicationMultiSlotId": free[2].0})).await;
    assert_envelope(status, &body, 400, 18, Some("userId"));
    // Missing parameters → 1, HTTP 400.
    for (body, field) in [
        (json!({"userId": other}), "careProviderId"),
        (
            json!({"userId": other, "careProviderId": provider_id, "slotDate": date, "slotEndTime": "12:00"}),
            "slotStartTime",
        ),
        (
            json!({"applicationMultiSlotId": free[2].0, "referenceId": "G1", "dob": "1990-01-01", "genderType": 1}),
            "name",
        ),
    ] {
        let (status, answer) = app.send(&o, BOOK, body).await;
        assert_envelope(status, &answer, 400, 1, Some(field));
    }
    let (status, answer) = app
        .send(&o, BOOK, json!({"userId": other, "applicationMultiSlotId": free[2].0, "catCommunicationTypeId": 9}))
        .await;
    assert_envelope(status, &answer, 400, 105, Some("catCommunicationTypeId"));

    // A guest is registered on the way, and an existing reference id is reused.
    let guest = json!({"applicationMultiSlotId": free[2].0, "referenceId": "G1", "name": "New Guest", "dob": "1995-03-04", "genderType": 0});
    let (status, body) = app.send(&o, BOOK, guest).await;
    assert_eq!((status, body["reason"].as_i64()), (200, Some(0)), "{body}");
    let guest_id = body["data"]["userId"].as_str().unwrap().to_string();
    let (_, again) = app
        .send(
            &o,
            "/api/v1/user/register",
            json!({"referenceId": "G1", "name": "X", "dob": "1995-03-04", "genderType": 0}),
        )
        .await;
    assert_eq!((again["reason"].as_i64(), again["data"]["userId"].as_str()), (Some(4), Some(guest_id.as_str())));

    // Another organization cannot see or cancel it.
    let stranger = app.partner_of(OrganizationKind::Standard).await;
    let booking = data["bookingId"].as_str().unwrap();
    let response = app
        .http
        .get(app.url(&format!("/api/v1/sessionbooking/{booking}")))
        .bearer_auth(&stranger.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (status, _) =
        app.send(&stranger, CANCEL, json!({"bookingId": booking, "userId": me, "careProviderId": provider_id})).await;
    assert_eq!(status, 404);
    // The owner sees it with its history.
    let response = app
        .http
        .get(app.url(&format!("/api/v1/sessionbooking/{booking}?timeZone=Asia/Riyadh")))
        .bearer_auth(&o.token)
        .send()
        .await
        .unwrap();
    let detail: Value = response.json().await.unwrap();
    let history: Vec<&str> =
        detail["data"]["statusHistory"].as_array().unwrap().iter().map(|h| h["toStatus"].as_str().unwrap()).collect();
    assert_eq!(history, ["Pending", "Confirmed"]);

    // Events and audit rows for every state change.
    let events = app.state.store.pending_events(100).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event_type == "booking.confirmed").count(), 3);
    let actions: Vec<String> =
        app.state.store.audit_entries(0, 1000).await.unwrap().into_iter().map(|e| e.content.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "booking.confirmed").count(), 3);
}

async fn charity_balance_cycle(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Charity).await;
    let (status, _) = admin(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/admin/organizations/{}", o.org.id),
        Some(json!({"balance": 2})),
    )
    .await;
    assert_eq!(status, 200);
    let me = user(&app, &o, "C1").await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    let balance = |app: &TestApp| {
        let id = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&o.org.id).unwrap();
        let store = app.state.store.clone();
        async move { store.organization(id).await.unwrap().unwrap().balance }
    };
    let (_, first) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(first["reason"], 0);
    let (_, second) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[1].0})).await;
    assert_eq!(second["reason"], 0);
    assert_eq!(balance(&app).await, 0);
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[2].0})).await;
    assert_envelope(status, &body, 200, 50, None);
    assert_eq!(slots(&app, &o, &provider_id, &date).await.len(), 1, "nothing booked");
    // Cancelling days ahead restores the session…
    let (status, cancelled) = app
        .send(
            &o,
            CANCEL,
            json!({"bookingId": first["data"]["bookingId"], "userId": me,
        "careProviderId": provider_id, "cancellationReason": "Feeling better"}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(
        (cancelled["data"]["statusName"].as_str(), cancelled["data"]["balanceRestored"].as_bool()),
        (Some("Cancelled"), Some(true))
    );
    assert_eq!(balance(&app).await, 1);
    // …so booking works again.
    let (_, third) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[2].0})).await;
    assert_eq!(third["reason"], 0, "{third}");
    // Cancelling twice, or with the wrong user or provider, is refused.
    let (status, body) = app
        .send(&o, CANCEL, json!({"bookingId": first["data"]["bookingId"], "userId": me, "careProviderId": provider_id}))
        .await;
    assert_envelope(status, &body, 404, 16, None);
    let other = user(&app, &o, "C2").await;
    let (status, body) = app
        .send(
            &o,
            CANCEL,
            json!({"bookingId": second["data"]["bookingId"], "userId": other, "careProviderId": provider_id}),
        )
        .await;
    assert_envelope(status, &body, 404, 104, Some("bookingId"));
    let unknown_provider = app.state.ids.encode(tahoon_domain::ids::CareProviderId::new(999));
    let (status, _) = app
        .send(
            &o,
            CANCEL,
            json!({"bookingId": second["data"]["bookingId"], "userId": me, "careProviderId": unknown_provider}),
        )
        .await;
    assert_eq!(status, 404);
    // A week-long cut-off: cancelling four days ahead no longer restores the session.
    let path = format!("/api/v1/admin/organizations/{}", o.org.id);
    let (status, body) =
        admin(&app, reqwest::Method::PATCH, &path, Some(json!({"cancellationCutoffHours": 200}))).await;
    assert_envelope(status, &body, 400, 105, Some("cancellationCutoffHours"));
    let (status, body) =
        admin(&app, reqwest::Method::PATCH, &path, Some(json!({"cancellationCutoffHours": 168}))).await;
    assert_eq!((status, body["data"]["cancellationCutoffHours"].as_i64()), (200, Some(168)));
    let before = balance(&app).await;
    let (status, cancelled) = app
        .send(
            &o,
            CANCEL,
            json!({"bookingId": second["data"]["bookingId"], "userId": me, "careProviderId": provider_id}),
        )
        .await;
    assert_eq!((status, cancelled["data"]["balanceRestored"].as_bool()), (200, Some(false)), "{cancelled}");
    assert_eq!(balance(&app).await, before);
    // …and rescheduling is refused inside the cut-off.
    let (status, body) = app
        .send(
            &o,
            RESCHEDULE,
            json!({"bookingId": third["data"]["bookingId"], "userId": me, "applicationMultiSlotId": free[1].0}),
        )
        .await;
    assert_envelope(status, &body, 404, 16, None);
}

async fn late_cancellation_keeps_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Open around the clock with no notice: the next hour is bookable.
    let all_day = json!({"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
        "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "00:00", "endTime": "24:00"})).collect::<Vec<_>>()});
    let ids = import(&app, vec![provider("Nour", json!({"timeZone": "UTC", "availability": all_day}))]).await;
    let o = app.partner_of(OrganizationKind::Charity).await;
    let me = user(&app, &o, "L1").await;
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let (_, _, schedule) =
        app.post(SCHEDULE, &o.token, &json!({"careProviderId": ids[0], "scheduleDate": today.to_string()})).await;
    let mut next: Vec<Value> = schedule["data"]["availableSlotsList"].as_array().unwrap().clone();
    if next.is_empty() {
        let (_, _, tomorrow) = app
            .post(
                SCHEDULE,
                &o.token,
                &json!({"careProviderId": ids[0], "scheduleDate": today.tomorrow().unwrap().to_string()}),
            )
            .await;
        next = tomorrow["data"]["availableSlotsList"].as_array().unwrap().clone();
    }
    let (_, booked) =
        app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": next[0]["applicationMultiSlotId"]})).await;
    assert_eq!(booked["reason"], 0, "{booked}");
    let (status, cancelled) = app
        .send(&o, CANCEL, json!({"bookingId": booked["data"]["bookingId"], "userId": me, "careProviderId": ids[0]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["data"]["balanceRestored"], false, "inside the 24-hour cut-off the session is spent");
}

async fn reschedule_and_history(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "R1").await;
    let other = user(&app, &o, "R2").await;
    let date = soon();
    let free = slots(&app, &o, &provider_id, &date).await;
    let (_, a) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    let (_, b) = app.send(&o, BOOK, json!({"userId": other, "applicationMultiSlotId": free[1].0})).await;
    let booking = a["data"]["bookingId"].as_str().unwrap().to_string();
    // Onto someone else's slot: taken.
    let (status, body) = app
        .send(&o, RESCHEDULE, json!({"bookingId": booking, "userId": me, "applicationMultiSlotId": free[1].0}))
        .await;
    assert_envelope(status, &body, 200, 4, None);
    let (status, moved) = app
        .send(
            &o,
            RESCHEDULE,
            json!({"bookingId": booking, "userId": me, "slotDate": date,
        "slotStartTime": "11:00", "slotEndTime": "12:00", "timeZone": "Asia/Riyadh"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        (moved["data"]["bookingId"].as_str(), moved["data"]["slot"]["slotStartTime"].as_str()),
        (Some(booking.as_str()), Some("11:00:00"))
    );
    // The old slot is free again and the new one taken.
    let offered: Vec<String> = slots(&app, &o, &provider_id, &date).await.into_iter().map(|s| s.1).collect();
    assert_eq!(offered, ["09:00:00"]);
    let (status, _) = app
        .send(&o, RESCHEDULE, json!({"bookingId": booking, "userId": other, "applicationMultiSlotId": free[0].0}))
        .await;
    assert_eq!(status, 404, "someone else's booking");
    let response =
        app.http.get(app.url(&format!("/api/v1/sessionbooking/{booking}"))).bearer_auth(&o.token).send().await.unwrap();
    let detail: Value = response.json().await.unwrap();
    assert_eq!(detail["data"]["statusHistory"].as_array().unwrap().len(), 3);
    assert!(app.state.store.pending_events(100).await.unwrap().iter().any(|e| e.event_type == "booking.rescheduled"));

    // History: paging, status filter, dates.
    let (_, c) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    app.send(&o, CANCEL, json!({"bookingId": c["data"]["bookingId"], "userId": me, "careProviderId": provider_id}))
        .await;
    let history = |query: String| {
        let (http, url, token) =
            (app.http.clone(), app.url(&format!("/api/v1/user/bookings?userId={me}{query}")), o.token.clone());
        async move {
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, page) = history("&pageSize=1".into()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (page["data"]["totalCount"].as_i64(), page["data"]["bookingsList"].as_array().unwrap().len()),
        (Some(2), 1)
    );
    assert_eq!(page["data"]["bookingsList"][0]["statusName"], "Cancelled", "earliest first (09:00)");
    let (_, page2) = history("&pageSize=1&page=2".into()).await;
    assert_eq!(page2["data"]["bookingsList"][0]["bookingId"], booking);
    let (_, confirmed) = history("&status=Confirmed".into()).await;
    assert_eq!(confirmed["data"]["totalCount"], 1);
    let (_, by_code) = history("&status=3".into()).await;
    assert_eq!(by_code["data"]["totalCount"], 1);
    let (_, none) = history(format!("&to={date}")).await;
    assert_eq!(none["data"]["totalCount"], 0);
    let (status, bad) = history("&status=Sleeping".into()).await;
    assert_envelope(status, &bad, 400, 105, Some("status"));
    let _ = b;
}

pub struct BrokenVideo;

#[async_trait::async_trait]
impl VideoRooms for BrokenVideo {
    async fn create_room(&self) -> Result<Room, VideoError> {
        Err(VideoError("vendor down".into()))
    }
}

async fn a_failed_video_step_frees_the_slot(backend: Backend) {
    let app = TestApp::spawn_with(backend, |state| state.with_video(Arc::new(BrokenVideo))).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let o = app.partner_of(OrganizationKind::Charity).await;
    let me = user(&app, &o, "V1").await;
    let date = soon();
    let free = slots(&app, &o, &ids[0], &date).await;
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_envelope(status, &body, 503, 108, None);
    assert_eq!(slots(&app, &o, &ids[0], &date).await.len(), 3, "the slot is free again");
    let org_id = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&o.org.id).unwrap();
    assert_eq!(app.state.store.organization(org_id).await.unwrap().unwrap().balance, 5, "the balance is as it was");
    let events = app.state.store.pending_events(100).await.unwrap();
    assert!(events.iter().any(|e| e.event_type == "booking.failed"));
}

async fn sixty_four_requests_one_booking(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
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

tahoon_store::backend_tests!(
    idempotent_replay_and_conflict,
    bulk_favorites_and_usage,
    error_table_and_happy_path,
    charity_balance_cycle,
    late_cancellation_keeps_the_session,
    reschedule_and_history,
    a_failed_video_step_frees_the_slot,
    sixty_four_requests_one_booking,
);
