//! The operator's provider routes over HTTP: import, read back, availability, catalogue.

use crate::careprovider::*;
use crate::helpers::*;
use serde_json::json;
use tahoon_store::Backend;

async fn operator_manages_providers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = provider("Amal", json!({}));
    let ids = import(&app, vec![first.clone()]).await;
    // Importing again is idempotent.
    let (status, body) =
        admin(&app, reqwest::Method::POST, "/api/v1/admin/careproviders/import", Some(json!({"providers": [first]})))
            .await;
    assert_eq!((status, body["data"]["created"].as_i64(), body["data"]["updated"].as_i64()), (200, Some(0), Some(1)));
    assert_eq!(body["data"]["careProviderIds"][0], ids[0]);

    // The export is the import format.
    let (status, exported) =
        admin(&app, reqwest::Method::GET, &format!("/api/v1/admin/careproviders/{}", ids[0]), None).await;
    assert_eq!(status, 200, "{exported}");
    assert_eq!(exported["data"]["externalId"], "Amal");
    assert_eq!(exported["data"]["availability"]["weeklyAvailability"].as_array().unwrap().len(), 7);
    let (status, _) = admin(
        &app,
        reqwest::Method::POST,
        "/api/v1/admin/careproviders/import",
        Some(json!({"providers": [exported["data"]]})),
    )
    .await;
    assert_eq!(status, 200);

    for (change, field) in [
        (json!({"timeZone": "Nowhere/City"}), "providers[0].timeZone"),
        (json!({"languageIds": [1, 77]}), "providers[0].languageIds[1]"),
        (json!({"genderType": 3}), "providers[0].genderType"),
        (json!({"sessionRates": []}), "providers[0].sessionRates"),
        (
            json!({"sessionRates": [{"durationMinutes": 7, "price": 1, "currency": "SAR"}]}),
            "providers[0].sessionRates[0].durationMinutes",
        ),
        (json!({"firstNamePLang": "<script>x</script>"}), "providers[0].firstNamePLang"),
        (json!({"rating": 7}), "providers[0].rating"),
        (
            json!({"availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
            "weeklyAvailability": [{"weekday": 8, "startTime": "09:00", "endTime": "10:00"}]}}),
            "providers[0].availability.weeklyAvailability[0].weekday",
        ),
        (
            json!({"availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
            "weeklyAvailability": [{"weekday": 1, "startTime": "11:00", "endTime": "10:00"}]}}),
            "providers[0].availability.weeklyAvailability[0].endTime",
        ),
        (
            json!({"availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0, "weeklyAvailability": [],
            "exceptions": [{"date": "2027-01-01", "kind": "extraHours"}]}}),
            "providers[0].availability.exceptions[0].startTime",
        ),
        (json!({"nickname": "x"}), "providers[0].nickname"),
    ] {
        let (status, body) = admin(
            &app,
            reqwest::Method::POST,
            "/api/v1/admin/careproviders/import",
            Some(json!({"providers": [provider("Zed", change.clone())]})),
        )
        .await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
    let (status, body) = admin(&app, reqwest::Method::GET, "/api/v1/admin/careproviders/cp_nope", None).await;
    assert_envelope(status, &body, 404, 104, None);

    // Changing availability changes what search offers.
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let date = soon();
    let availability = json!({"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
        "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "14:00", "endTime": "15:30"})).collect::<Vec<_>>(),
        "exceptions": [{"date": date, "kind": "extraHours", "startTime": "18:00", "endTime": "19:00"}]});
    let path = format!("/api/v1/admin/careproviders/{}/availability", ids[0]);
    let (status, body) = admin(&app, reqwest::Method::PUT, &path, Some(availability)).await;
    assert_eq!(status, 200, "{body}");
    let (_, _, answer) = app
        .post(SCHEDULE, &token, &json!({"careProviderId": ids[0], "scheduleDate": date, "timeZone": "Asia/Riyadh"}))
        .await;
    assert_eq!(first_times(&answer["data"]), ["14:00:00", "18:00:00"]);
    let off = json!({"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
        "weeklyAvailability": [{"weekday": 1, "startTime": "14:00", "endTime": "15:00"}],
        "exceptions": [{"date": date, "kind": "timeOff"}]});
    admin(&app, reqwest::Method::PUT, &path, Some(off)).await;
    let (_, _, answer) = app
        .post(SCHEDULE, &token, &json!({"careProviderId": ids[0], "scheduleDate": date, "timeZone": "Asia/Riyadh"}))
        .await;
    assert!(first_times(&answer["data"]).is_empty());

    // Catalogue entries can be added.
    let (status, _) = admin(
        &app,
        reqwest::Method::PUT,
        "/api/v1/admin/catalogue",
        Some(json!({"items": [{"kind": "language", "id": 7, "namePLang": "Tagalog", "nameSLang": "التاغالوغية"}]})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = admin(
        &app,
        reqwest::Method::PUT,
        "/api/v1/admin/catalogue",
        Some(json!({"items": [{"kind": "planet", "id": 7, "namePLang": "X", "nameSLang": "Y"}]})),
    )
    .await;
    assert_envelope(status, &body, 400, 105, Some("items[0].kind"));
    let response = app.http.put(app.url("/api/v1/admin/catalogue")).json(&json!({"items": []})).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

tahoon_store::backend_tests!(operator_manages_providers);
