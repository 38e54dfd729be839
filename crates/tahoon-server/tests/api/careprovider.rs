//! Care providers over HTTP: catalogue, search (every filter, pagination, guests and users, both
//! time-zone forms, DST, +05:30), schedule, profile, and the operator's provider routes.

use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_domain::ids::{Id, UserId, kind};
use tahoon_store::Backend;

pub const OPERATOR: &str = OPERATOR_TOKEN;
pub const SEARCH: &str = "/api/v1/careprovider/getcareproviderslistwithschedule";
pub const SCHEDULE: &str = "/api/v1/careprovider/getcareproviderschedule";
pub const PROFILE: &str = "/api/v1/careprovider/getcareprovidersprofiledata";

/// A provider in the import format; `overrides` replace top-level fields.
pub fn provider(external_id: &str, overrides: Value) -> Value {
    let mut p = json!({
        "externalId": external_id,
        "firstNamePLang": external_id, "lastNamePLang": "Tester",
        "firstNameSLang": "اختبار", "lastNameSLang": "مقدم",
        "genderType": 0, "experienceYears": 8, "experienceLevelId": 2, "providerLevelId": 2,
        "languageIds": [1], "specialtyIds": [1],
        "sessionRates": [{"durationMinutes": 60, "price": 200, "currency": "SAR"}],
        "shortBioPLang": "Therapist", "shortBioSLang": "معالج",
        "education": [{"degree": "MSc", "institution": "KSU", "year": 2015}],
        "certifications": [{"name": "CBT", "issuer": "Beck", "year": 2017}],
        "profileImageUrl": "https://example.org/p.jpg",
        "rating": 4.0, "reviewCount": 10, "timeZone": "Asia/Riyadh",
        "availability": {
            "minimumNoticeMinutes": 60, "bookingHorizonDays": 365, "bufferMinutes": 0,
            "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "09:00", "endTime": "12:00"})).collect::<Vec<_>>(),
        }
    });
    for (k, v) in overrides.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

pub async fn admin(app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(OPERATOR);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Imports providers through the operator route; returns their ids in order.
pub async fn import(app: &TestApp, providers: Vec<Value>) -> Vec<String> {
    let (status, body) =
        admin(app, reqwest::Method::POST, "/api/v1/admin/careproviders/import", Some(json!({"providers": providers})))
            .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["careProviderIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// A date a few days ahead (so minimum notice never hides a slot), as YYYY-MM-DD.
pub fn soon() -> String {
    soon_plus(0)
}

/// `days` after `soon()`.
pub fn soon_plus(days: i64) -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Riyadh").unwrap())
        .date()
        .checked_add(jiff::Span::new().days(4 + days))
        .unwrap()
        .to_string()
}

pub fn names(body: &Value) -> Vec<String> {
    body["data"]["careProvidersList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["fullName"].as_str().unwrap().split(' ').next().unwrap().to_string())
        .collect()
}

pub fn first_times(listing: &Value) -> Vec<String> {
    listing["availableSlotsList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slotStartTime"].as_str().unwrap().to_string())
        .collect()
}

async fn catalogue_lists_every_kind(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let response = app
        .http
        .get(app.url("/api/v1/careprovider/getcataloguedataforfilters"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let data = &body["data"];
    for (list, n) in
        [("languagesList", 6), ("specialtiesList", 10), ("experienceLevelsList", 4), ("providerLevelsList", 3)]
    {
        assert_eq!(data[list].as_array().unwrap().len(), n, "{list}");
    }
    assert_eq!(data["languagesList"][1], json!({"id": 2, "namePLang": "Arabic", "nameSLang": "العربية"}));
    assert_eq!(data["providerLevelsList"][2]["namePLang"], "Consultant");
    let response = app.http.get(app.url("/api/careprovider/getcataloguedataforfilters")).send().await.unwrap();
    assert_eq!(response.status(), 401, "a token is required");
}

async fn search_filters_sorting_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import(
        &app,
        vec![
            provider("Amal", json!({"genderType": 0, "languageIds": [1], "specialtyIds": [1], "experienceLevelId": 3, "providerLevelId": 3, "rating": 4.9,
                "sessionRates": [{"durationMinutes": 60, "price": 300, "currency": "SAR"}]})),
            provider("Badr", json!({"genderType": 1, "languageIds": [2], "specialtyIds": [2], "experienceLevelId": 1, "providerLevelId": 1, "rating": 4.0,
                "sessionRates": [{"durationMinutes": 60, "price": 150, "currency": "SAR"}],
                "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 365, "bufferMinutes": 0,
                    "weeklyAvailability": (1..=7).map(|d| json!({"weekday": d, "startTime": "08:00", "endTime": "10:00"})).collect::<Vec<_>>()}})),
            provider("Chadia", json!({"genderType": 0, "languageIds": [1, 2], "specialtyIds": [3], "experienceLevelId": 2, "providerLevelId": 2, "rating": 4.5})),
            provider("Dawood", json!({"genderType": 1, "languageIds": [1], "specialtyIds": [1], "rating": 5.0,
                "sessionRates": [{"durationMinutes": 60, "price": 250, "currency": "SAR"}],
                "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 365, "bufferMinutes": 0, "weeklyAvailability": []}})),
            provider("Eman", json!({"active": false})),
        ],
    )
    .await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let date = soon();
    let search = |body: Value| {
        let mut body = body;
        body["scheduleDate"] = json!(date);
        body["timeZone"] = json!("Asia/Riyadh");
        let token = token.clone();
        let app = &app;
        async move { app.post(SEARCH, &token, &body).await }
    };

    // No filter: inactive providers never appear; with availability first, earliest first, then rating.
    let (status, _, body) = search(json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["Badr", "Amal", "Chadia", "Dawood"]);
    assert_eq!(body["data"]["totalCount"], 4);
    assert_eq!((body["data"]["page"].as_i64(), body["data"]["pageSize"].as_i64()), (Some(1), Some(20)));
    let amal = &body["data"]["careProvidersList"][1];
    assert_eq!(first_times(amal), ["09:00:00", "10:00:00", "11:00:00"]);
    assert_eq!(amal["availableScheduleHoursList"].as_array().unwrap().len(), 3);
    assert_eq!(amal["slotDurationType"], json!({"durationMinutes": 60, "price": 300.0, "currency": "SAR"}));
    assert_eq!(amal["languagesList"][0]["namePLang"], "English");
    assert_eq!(amal["serviceProviderLevel"]["namePLang"], "Consultant");
    assert_eq!(amal["userLoginInfoId"], amal["careProviderId"]);
    assert!(body["data"]["careProvidersList"][3]["availableSlotsList"].as_array().unwrap().is_empty());

    for (filter, expected) in [
        (json!({"genderType": 0}), vec!["Amal", "Chadia"]),
        (json!({"genderType": 1}), vec!["Badr", "Dawood"]),
        (json!({"languageIds": [2]}), vec!["Badr", "Chadia"]),
        (json!({"languageIds": [2, 1]}), vec!["Badr", "Amal", "Chadia", "Dawood"]),
        (json!({"specialtyIds": [1]}), vec!["Amal", "Dawood"]),
        (json!({"specialtyIds": [3, 2]}), vec!["Badr", "Chadia"]),
        (json!({"experienceLevel": 2}), vec!["Chadia", "Dawood"]),
        (json!({"serviceProviderLevel": 1}), vec!["Badr"]),
        (json!({"minPrice": 180}), vec!["Amal", "Chadia", "Dawood"]),
        (json!({"maxPrice": 160}), vec!["Badr"]),
        (json!({"minPrice": 200, "maxPrice": 250}), vec!["Chadia", "Dawood"]),
        (json!({"genderType": 0, "specialtyIds": [1], "serviceProviderLevel": 3}), vec!["Amal"]),
        (json!({"languageIds": [6]}), vec![]),
    ] {
        let (status, _, body) = search(json!({"applyFilter": true, "filterCriteriaObject": filter.clone()})).await;
        assert_eq!(status, 200, "{filter}: {body}");
        assert_eq!(names(&body), expected, "{filter}");
        assert_eq!(body["data"]["totalCount"], expected.len(), "{filter}");
    }
    // applyFilter false ignores the criteria.
    let (_, _, body) = search(json!({"applyFilter": false, "filterCriteriaObject": {"genderType": 1}})).await;
    assert_eq!(body["data"]["totalCount"], 4);

    // Pages.
    let (_, _, body) = search(json!({"page": 1, "pageSize": 3})).await;
    assert_eq!(names(&body), ["Badr", "Amal", "Chadia"]);
    let (_, _, body) = search(json!({"page": 2, "pageSize": 3})).await;
    assert_eq!(names(&body), ["Dawood"]);
    assert_eq!(body["data"]["totalCount"], 4);
    let (_, _, body) = search(json!({"page": 3, "pageSize": 3})).await;
    assert!(names(&body).is_empty());

    for (bad, field) in [
        (json!({"pageSize": 0}), "pageSize"),
        (json!({"pageSize": 101}), "pageSize"),
        (json!({"page": 0}), "page"),
        (json!({"applyFilter": true, "filterCriteriaObject": {"genderType": 2}}), "filterCriteriaObject.genderType"),
        (
            json!({"applyFilter": true, "filterCriteriaObject": {"minPrice": 300, "maxPrice": 100}}),
            "filterCriteriaObject.minPrice",
        ),
        (json!({"applyFilter": true, "filterCriteriaObject": {"minPrice": -1}}), "filterCriteriaObject.minPrice"),
        (
            json!({"applyFilter": true, "filterCriteriaObject": {"languageIds": "1"}}),
            "filterCriteriaObject.languageIds",
        ),
        (json!({"page": "one"}), "page"),
    ] {
        let (status, _, body) = search(bad.clone()).await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
}

async fn caller_time_zones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let date = soon();
    let starts = |body: &Value| first_times(&body["data"]["careProvidersList"][0]);
    for (zone_fields, expected_first, label) in [
        (json!({"timeZone": "Asia/Riyadh"}), "09:00:00", "Asia/Riyadh"),
        (json!({"timeZone": "Asia/Kolkata"}), "11:30:00", "Asia/Kolkata"),
        (json!({"gmtTimeDiffrenceHours": 5.5}), "11:30:00", "+05:30"),
        (json!({"gmtTimeDiffrenceHours": 3}), "09:00:00", "+03"),
        (json!({"timeZone": "Asia/Riyadh", "gmtTimeDiffrenceHours": 5.5}), "09:00:00", "Asia/Riyadh"),
        (json!({}), "06:00:00", "UTC"),
    ] {
        let mut body = zone_fields.clone();
        body["scheduleDate"] = json!(date);
        let (status, _, answer) = app.post(SEARCH, &token, &body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(starts(&answer)[0], expected_first, "{zone_fields}");
        assert!(
            answer["data"]["timeZone"].as_str().unwrap().starts_with(label),
            "{zone_fields}: {}",
            answer["data"]["timeZone"]
        );
    }
    // The slot shape of DESIGN §2, in the caller's zone and in UTC.
    let (_, _, answer) = app.post(SEARCH, &token, &json!({"scheduleDate": date, "timeZone": "Asia/Kolkata"})).await;
    let slot = &answer["data"]["careProvidersList"][0]["availableSlotsList"][0];
    assert_eq!(slot["slotDate"], date);
    assert_eq!((slot["slotStartTime"].as_str(), slot["slotEndTime"].as_str()), (Some("11:30:00"), Some("12:30:00")));
    assert_eq!(slot["startUtc"], format!("{date}T06:00:00Z"));
    assert_eq!(slot["endUtc"], format!("{date}T07:00:00Z"));
    let slot_id = slot["applicationMultiSlotId"].as_str().unwrap();
    let key = app.state.ids.decode_slot(slot_id).unwrap();
    assert_eq!(key.duration_minutes, 60);
    assert_eq!(app.state.ids.encode(key.provider_id), ids[0]);

    for (bad, field) in [
        (json!({"timeZone": "Mars/Base"}), "timeZone"),
        (json!({"gmtTimeDiffrenceHours": 20}), "gmtTimeDiffrenceHours"),
        (json!({"gmtTimeDiffrenceHours": 5.2}), "gmtTimeDiffrenceHours"),
        (json!({"scheduleDate": "15/11/2025"}), "scheduleDate"),
        (json!({"scheduleDate": "2025-02-30"}), "scheduleDate"),
    ] {
        let (status, _, body) = app.post(SEARCH, &token, &bad).await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
}

async fn daylight_saving_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let weekly = json!([{"weekday": 7, "startTime": "00:00", "endTime": "05:00"}]);
    let ids = import(
        &app,
        vec![provider("Nora", json!({"timeZone": "America/New_York",
            "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 365, "bufferMinutes": 0, "weeklyAvailability": weekly}}))],
    )
    .await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    // 2027-03-14: New York springs forward at 02:00; the 00:00–05:00 window is four real hours.
    let body = json!({"careProviderId": ids[0], "scheduleDate": "2027-03-14", "timeZone": "America/New_York"});
    let (status, _, answer) = app.post(SCHEDULE, &token, &body).await;
    assert_eq!(status, 200, "{answer}");
    let slots = answer["data"]["availableSlotsList"].as_array().unwrap();
    let shown: Vec<String> = slots
        .iter()
        .map(|s| format!("{}-{}", s["slotStartTime"].as_str().unwrap(), s["slotEndTime"].as_str().unwrap()))
        .collect();
    assert_eq!(shown, ["00:00:00-01:00:00", "01:00:00-03:00:00", "03:00:00-04:00:00", "04:00:00-05:00:00"]);
    assert_eq!(slots[0]["startUtc"], "2027-03-14T05:00:00Z");
    assert_eq!(slots[3]["endUtc"], "2027-03-14T09:00:00Z");
    // The same provider seen from Kolkata (+05:30) the same UTC morning.
    let body = json!({"careProviderId": ids[0], "scheduleDate": "2027-03-14", "timeZone": "Asia/Kolkata"});
    let (_, _, answer) = app.post(SCHEDULE, &token, &body).await;
    let first = &answer["data"]["availableSlotsList"][0];
    assert_eq!(
        (first["slotStartTime"].as_str(), first["startUtc"].as_str()),
        (Some("10:30:00"), Some("2027-03-14T05:00:00Z"))
    );
}

async fn users_do_not_see_their_own_booked_times(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids =
        import(&app, vec![provider("Amal", json!({"rating": 4.9})), provider("Badr", json!({"rating": 4.0}))]).await;
    let partner = app.partner().await;
    let other = app.partner().await;
    let token = partner.token.clone();
    let date = soon();
    let public = |id: UserId| app.state.ids.encode(id);
    let private = |id: &str| app.state.ids.decode::<kind::User>(id).unwrap();
    let me = private(&crate::sessionbooking::user(&app, &partner, "me").await);
    let someone = private(&crate::sessionbooking::user(&app, &partner, "someone").await);
    let stranger = private(&crate::sessionbooking::user(&app, &other, "x").await);
    // I booked Badr 09:00–10:00; someone else booked Amal 10:00–11:00.
    for (user, provider, start, end) in [(me, &ids[1], "09:00", "10:00"), (someone, &ids[0], "10:00", "11:00")] {
        let body = json!({"userId": public(user), "careProviderId": provider, "slotDate": date,
                          "slotStartTime": start, "slotEndTime": end, "timeZone": "Asia/Riyadh"});
        let (status, answer) = app.send(&partner, crate::sessionbooking::BOOK, body).await;
        assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
    }

    let user_id = public;
    let slots_of = |body: &Value, who: &str| {
        let list = body["data"]["careProvidersList"].as_array().unwrap();
        let p = list.iter().find(|p| p["fullName"].as_str().unwrap().starts_with(who)).unwrap();
        first_times(p)
    };
    let (_, _, guest) =
        app.post(SEARCH, &token, &json!({"scheduleDate": date, "timeZone": "Asia/Riyadh", "userId": ""})).await;
    assert_eq!(slots_of(&guest, "Amal"), ["09:00:00", "11:00:00"], "booked provider time is not offered");
    assert_eq!(slots_of(&guest, "Badr"), ["10:00:00", "11:00:00"]);
    let (status, _, mine) = app
        .post(SEARCH, &token, &json!({"scheduleDate": date, "timeZone": "Asia/Riyadh", "userId": user_id(me)}))
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(slots_of(&mine, "Amal"), ["11:00:00"], "my own session time is not offered with anyone");
    let (_, _, schedule) = app
        .post(
            SCHEDULE,
            &token,
            &json!({"careProviderId": ids[0], "scheduleDate": date, "timeZone": "Asia/Riyadh", "userId": user_id(me)}),
        )
        .await;
    assert_eq!(first_times(&schedule["data"]), ["11:00:00"]);

    // Another organization's user, a malformed id and another kind's id: all UserNotFound.
    for bad in [user_id(stranger), "usr_garbage".into(), ids[0].clone(), user_id(Id::new(me.get() + 1000))] {
        let (status, _, body) = app.post(SEARCH, &token, &json!({"scheduleDate": date, "userId": bad})).await;
        assert_envelope(status, &body, 400, 18, Some("userId"));
    }
}

async fn schedule_and_profile(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({})), provider("Eman", json!({"active": false}))]).await;
    let org = app.org().await;
    let token = app.access_token(&org).await;
    let date = soon();
    let (status, _, answer) = app
        .post(SCHEDULE, &token, &json!({"careProviderId": ids[0], "scheduleDate": date, "gmtTimeDiffrenceHours": 3}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(first_times(&answer["data"]), ["09:00:00", "10:00:00", "11:00:00"]);
    assert_eq!(answer["data"]["careProviderId"], ids[0]);
    assert_eq!(answer["data"]["availableScheduleHoursList"][0]["hourStartTime"], "09:00:00");

    let (status, _, profile) = app.post(PROFILE, &token, &json!({"careProviderId": ids[0]})).await;
    assert_eq!(status, 200, "{profile}");
    let p = &profile["data"];
    assert_eq!(p["fullName"], "Amal Tester");
    assert_eq!(p["fullNameSLang"], "اختبار مقدم");
    assert_eq!(p["education"], Value::Null);
    assert_eq!(p["educationList"][0]["institution"], "KSU");
    assert_eq!(p["certificationsList"][0]["name"], "CBT");
    assert_eq!(p["sessionRatesList"][0]["price"], 200.0);
    assert_eq!(p["timeZone"], "Asia/Riyadh");
    assert_eq!(p["shortBioSLang"], "معالج");

    let organization_id = org.id.clone();
    let unknown = app.state.ids.encode(Id::<kind::CareProvider>::new(9_999));
    for bad in [unknown, organization_id, "cp_nope".into(), "".into(), ids[1].clone()] {
        for path in [SCHEDULE, PROFILE] {
            let (status, _, body) = app.post(path, &token, &json!({"careProviderId": bad, "scheduleDate": date})).await;
            assert_envelope(status, &body, 404, 104, None);
        }
    }
    let (status, _, body) = app.post(PROFILE, &token, &json!({})).await;
    assert_envelope(status, &body, 400, 1, Some("careProviderId"));
    let (status, _, body) = app.post(SCHEDULE, &token, &json!({"careProviderId": 5})).await;
    assert_envelope(status, &body, 400, 105, Some("careProviderId"));
}

tahoon_store::backend_tests!(
    catalogue_lists_every_kind,
    search_filters_sorting_and_pages,
    caller_time_zones,
    daylight_saving_day,
    users_do_not_see_their_own_booked_times,
    schedule_and_profile,
);
