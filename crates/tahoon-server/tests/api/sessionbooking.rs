//! Booking over HTTP: the reference's error table, balances, cancellation cut-off, reschedule and
//! history (races and idempotency: `booking_races`; bulk: `bulk_and_usage`; video: `video`).

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

pub const BOOK: &str = "/api/v1/sessionbooking/booksession";
pub const CANCEL: &str = "/api/v1/sessionbooking/cancelbooking";
pub const RESCHEDULE: &str = "/api/v1/sessionbooking/reschedule";
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

tahoon_store::backend_tests!(
    error_table_and_happy_path,
    charity_balance_cycle,
    late_cancellation_keeps_the_session,
    reschedule_and_history,
);
