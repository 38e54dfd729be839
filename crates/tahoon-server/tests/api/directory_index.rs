//! The availability index search reads follows every change: at once in the process that made it
//! (a booking, a cancellation, availability replaced by the operator), and within the poll's
//! interval in another instance on the same database.

use crate::careprovider::{SEARCH, admin, import, provider, soon};
use crate::helpers::*;
use crate::sessionbooking::{BOOK, CANCEL, slots, user};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tahoon_domain::organization::OrganizationKind;
use tahoon_store::Backend;

/// The start times search offers for each provider on `date` in Riyadh, in the order listed.
async fn searched(http: &reqwest::Client, base: &str, token: &str, date: &str) -> Vec<(String, Vec<String>)> {
    let answer: Value = http
        .post(format!("{base}{SEARCH}"))
        .bearer_auth(token)
        .json(&json!({"scheduleDate": date, "timeZone": "Asia/Riyadh"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["data"]["careProvidersList"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|p| {
            let times = p["availableSlotsList"].as_array().unwrap();
            let times = times.iter().map(|s| s["slotStartTime"].as_str().unwrap().to_string()).collect();
            (p["careProviderId"].as_str().unwrap().to_string(), times)
        })
        .collect()
}

fn times(listed: &[(String, Vec<String>)], id: &str) -> Vec<String> {
    listed.iter().find(|(p, _)| p == id).map(|(_, t)| t.clone()).unwrap_or_default()
}

async fn a_booking_leaves_search_at_once_and_its_cancellation_brings_it_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids =
        import(&app, vec![provider("Amal", json!({"rating": 4.0})), provider("Badr", json!({"rating": 3.0}))]).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "IDX-1").await;
    let date = soon();
    let before = searched(&app.http, &app.base, &o.token, &date).await;
    assert_eq!(times(&before, &ids[0]), ["09:00:00", "10:00:00", "11:00:00"]);
    assert_eq!(before.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(), ids, "equally free: the better rated first");

    // Amal's 09:00 is booked: gone from the very next search, so Badr (free at 09:00) leads.
    let free = slots(&app, &o, &ids[0], &date).await;
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(status, 200, "{body}");
    let booking_id = body["data"]["bookingId"].as_str().unwrap().to_string();
    let after = searched(&app.http, &app.base, &o.token, &date).await;
    assert_eq!(times(&after, &ids[0]), ["10:00:00", "11:00:00"]);
    assert_eq!(after[0].0, ids[1], "the earliest free slot first");

    // Cancelled: back at once.
    let (status, body) =
        app.send(&o, CANCEL, json!({"bookingId": booking_id, "userId": me, "careProviderId": ids[0]})).await;
    assert_eq!(status, 200, "{body}");
    let again = searched(&app.http, &app.base, &o.token, &date).await;
    assert_eq!(times(&again, &ids[0]), ["09:00:00", "10:00:00", "11:00:00"]);
    assert_eq!(again[0].0, ids[0]);
}

async fn availability_replaced_by_the_operator_is_searched_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let o = app.partner().await;
    let date = soon();
    assert_eq!(times(&searched(&app.http, &app.base, &o.token, &date).await, &ids[0]).len(), 3);
    let afternoons = json!({"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
        "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "14:00", "endTime": "16:00"})).collect::<Vec<_>>()});
    let path = format!("/api/v1/admin/careproviders/{}/availability", ids[0]);
    let (status, body) = admin(&app, reqwest::Method::PUT, &path, Some(afternoons)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(times(&searched(&app.http, &app.base, &o.token, &date).await, &ids[0]), ["14:00:00", "15:00:00"]);

    // A provider imported later is listed at once too.
    let more = import(&app, vec![provider("Badr", json!({}))]).await;
    assert_eq!(times(&searched(&app.http, &app.base, &o.token, &date).await, &more[0]).len(), 3);
}

async fn a_second_instance_sees_the_first_ones_booking_within_a_second(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let o = app.partner().await;
    let me = user(&app, &o, "IDX-2").await;
    let date = soon();
    let second = app.second_instance().await;
    // The second instance has loaded its index (first search) before the booking.
    assert_eq!(times(&searched(&app.http, &second, &o.token, &date).await, &ids[0]).len(), 3);

    let free = slots(&app, &o, &ids[0], &date).await;
    let (status, body) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(status, 200, "{body}");
    // Polled every 250 ms; the deadline leaves room for a slow machine.
    let deadline = Instant::now() + Duration::from_secs(2);
    while times(&searched(&app.http, &second, &o.token, &date).await, &ids[0]).len() != 2 {
        assert!(Instant::now() < deadline, "the second instance did not hear of the booking");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // And the slot the second instance still showed a moment ago cannot be booked twice there.
    let other = user(&app, &o, "IDX-3").await;
    let body = signed(&o.org.shared_key, json!({"userId": other, "applicationMultiSlotId": free[0].0}));
    let response = app.http.post(format!("{second}{BOOK}")).bearer_auth(&o.token).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 200, 4, None);
}

async fn a_second_instance_names_the_catalogue_as_the_operator_changed_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let o = app.partner().await;
    let second = app.second_instance().await;
    let languages = |base: String| {
        let request =
            app.http.get(format!("{base}/api/v1/careprovider/getcataloguedataforfilters")).bearer_auth(&o.token);
        async move {
            let answer: Value = request.send().await.unwrap().json().await.unwrap();
            answer["data"]["languagesList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["namePLang"].clone())
                .collect::<Vec<_>>()
        }
    };
    // Both read (and cache) the catalogue, and the second has loaded its index.
    assert!(!languages(second.clone()).await.contains(&json!("Tagalog")));
    assert_eq!(searched(&app.http, &second, &o.token, &soon()).await.len(), 0);
    let item = json!({"items": [{"kind": "language", "id": 7, "namePLang": "Tagalog", "nameSLang": "التاغالوغية"}]});
    let (status, _) = admin(&app, reqwest::Method::PUT, "/api/v1/admin/catalogue", Some(item)).await;
    assert_eq!(status, 200);
    assert!(languages(app.base.clone()).await.contains(&json!("Tagalog")), "at once where it was changed");
    let deadline = Instant::now() + Duration::from_secs(2);
    while !languages(second.clone()).await.contains(&json!("Tagalog")) {
        assert!(Instant::now() < deadline, "the second instance kept the old catalogue");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

tahoon_store::backend_tests!(
    a_second_instance_names_the_catalogue_as_the_operator_changed_it,
    a_booking_leaves_search_at_once_and_its_cancellation_brings_it_back,
    availability_replaced_by_the_operator_is_searched_at_once,
    a_second_instance_sees_the_first_ones_booking_within_a_second,
);
