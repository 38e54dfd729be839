//! Compatibility mode (issue 14): an organization set to `reference` is read as the reference
//! system's ASP.NET Core binder read requests, and a strict organization is not.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_domain::signing::secure_hash;
use tahoon_store::Backend;

const REGISTER: &str = "/api/user/register";
const SUBMIT: &str = "/api/user/submituserassessmentquestions";
const SEARCH: &str = "/api/careprovider/getcareproviderslistwithschedule";
const SCHEDULE: &str = "/api/careprovider/getcareproviderschedule";
const BOOK: &str = "/api/sessionbooking/booksession";
const ORGANIZATIONS: &str = "/api/v1/admin/organizations";

/// A partner whose organization is in compatibility mode.
pub async fn reference_partner(app: &TestApp) -> Partner {
    let p = app.partner().await;
    set(app, &p, json!({"compatMode": "reference"})).await;
    p
}

async fn set(app: &TestApp, p: &Partner, change: Value) -> Value {
    let (status, body) =
        admin(app, reqwest::Method::PATCH, &format!("{ORGANIZATIONS}/{}", p.org.id), Some(change)).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

/// POSTs `raw` as a .NET client does: `text/json`, bearer token.
async fn post_dotnet(app: &TestApp, path: &str, token: &str, raw: &str) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "text/json; charset=utf-8")
        .body(raw.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The body with a `SecureHash` over its fields as sent (PascalCase names).
fn pascal_signed(shared_key: &str, body: Value) -> String {
    let Value::Object(mut fields) = body else { panic!("an object") };
    let hash = secure_hash(shared_key, &fields);
    fields.insert("SecureHash".into(), hash.into());
    Value::Object(fields).to_string()
}

async fn the_operator_sets_the_mode_and_zone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.partner().await;
    let (_, list) = admin(&app, reqwest::Method::GET, ORGANIZATIONS, None).await;
    let mine = list["data"].as_array().unwrap().iter().find(|o| o["organizationId"] == p.org.id.as_str()).unwrap();
    assert_eq!((mine["compatMode"].as_str(), &mine["defaultTimeZone"]), (Some("strict"), &Value::Null));

    let data = set(&app, &p, json!({"compatMode": "reference", "defaultTimeZone": "Asia/Riyadh"})).await;
    assert_eq!(
        (data["compatMode"].as_str(), data["defaultTimeZone"].as_str()),
        (Some("reference"), Some("Asia/Riyadh"))
    );
    assert_eq!(data["defaultTimeZoneRemembered"], false);
    let data = set(&app, &p, json!({"defaultTimeZone": "+05:30"})).await;
    assert_eq!(data["defaultTimeZone"], "+05:30");
    let data = set(&app, &p, json!({"defaultTimeZone": null})).await;
    assert_eq!((&data["defaultTimeZone"], data["compatMode"].as_str()), (&Value::Null, Some("reference")));

    for (change, field) in [
        (json!({"compatMode": "dotnet"}), "compatMode"),
        (json!({"compatMode": 1}), "compatMode"),
        (json!({"defaultTimeZone": "Mars/Olympus"}), "defaultTimeZone"),
        (json!({"defaultTimeZone": "+03:10"}), "defaultTimeZone"),
        (json!({"defaultTimeZone": "+99:00"}), "defaultTimeZone"),
    ] {
        let (status, body) =
            admin(&app, reqwest::Method::PATCH, &format!("{ORGANIZATIONS}/{}", p.org.id), Some(change)).await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
    let data = set(&app, &p, json!({"compatMode": "strict"})).await;
    assert_eq!(data["compatMode"], "strict");
}

async fn a_dotnet_registration_is_read_in_compatibility_mode_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = json!({
        "ReferenceId": "ORG-USER-123", "Name": "John Doe", "Dob": "1990-05-15T00:00:00", "GenderType": 1,
        "OrganizationBranch": "ignored, as the reference's binder ignored it"
    });

    // A strict organization: text/json is 415, and with application/json the names are refused.
    let strict = app.partner().await;
    let (status, answer) =
        post_dotnet(&app, REGISTER, &strict.token, &pascal_signed(&strict.org.shared_key, body.clone())).await;
    assert_envelope(status, &answer, 415, 111, None);
    let (status, answer) = app.post_signed(REGISTER, &strict.token, &strict.org.shared_key, &body).await;
    assert_eq!((status, answer["reason"].as_i64()), (400, Some(105)), "{answer}");

    // The same request from an organization in compatibility mode registers the user.
    let p = reference_partner(&app).await;
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, &pascal_signed(&p.org.shared_key, body.clone())).await;
    assert_eq!((status, answer["status"].as_i64(), answer["reason"].as_i64()), (200, Some(1), Some(0)), "{answer}");
    let user = answer["data"]["userId"].as_str().unwrap().to_string();
    assert!(user.starts_with("usr_"));
    assert_eq!(answer["data"]["userLoginInfoId"].as_str(), Some(user.as_str()), "the reference's name beside ours");
    // The strict organization's answer has no such field.
    let (_, _, strict_answer) = app
        .post(
            REGISTER,
            &strict.token,
            &signed(
                &strict.org.shared_key,
                json!({"referenceId": "S1", "name": "Sam", "dob": "1990-05-15", "genderType": 0}),
            ),
        )
        .await;
    assert!(strict_answer["data"].get("userLoginInfoId").is_none(), "{strict_answer}");

    // The date was read as 1990-05-15: the export shows it.
    let (status, export) = app
        .call_signed(reqwest::Method::GET, &format!("/api/v1/user/{user}/export"), &p.token, &p.org.shared_key, None)
        .await;
    assert_eq!(status, 200, "{export}");
    assert!(export.to_string().contains("1990-05-15"), "{export}");

    // camelCase, lower case, a number as a string and the hash over camelCase names also pass;
    // the same reference answers 4 with the same user.
    let lower = json!({"referenceid": "ORG-USER-123", "NAME": "John Doe", "dob": "1990-05-15T00:00:00.000Z", "genderType": "1"});
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, &signed(&p.org.shared_key, lower).to_string()).await;
    assert_eq!(
        (status, answer["reason"].as_i64(), answer["data"]["userId"].as_str()),
        (200, Some(4), Some(user.as_str())),
        "{answer}"
    );

    // What is still refused, naming the field: a time other than midnight, a wrong hash, a
    // missing name, a body that is not JSON.
    let noon = json!({"ReferenceId": "ORG-USER-9", "Name": "Jo", "Dob": "1990-05-15T12:00:00", "GenderType": 1});
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, &pascal_signed(&p.org.shared_key, noon)).await;
    assert_envelope(status, &answer, 400, 105, Some("dob"));
    let forged =
        json!({"ReferenceId": "ORG-USER-9", "Name": "Jo", "Dob": "1990-05-15", "GenderType": 1, "SecureHash": "00"});
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, &forged.to_string()).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    let nameless = json!({"ReferenceId": "ORG-USER-9", "Dob": "1990-05-15", "GenderType": 1});
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, &pascal_signed(&p.org.shared_key, nameless)).await;
    assert_envelope(status, &answer, 400, 1, Some("name"));
    let (status, answer) = post_dotnet(&app, REGISTER, &p.token, "{\"ReferenceId\":").await;
    assert_eq!((status, answer["reason"].as_i64()), (400, Some(1)), "{answer}");
}

async fn assessment_answers_need_only_the_token_in_compatibility_mode(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = reference_partner(&app).await;
    let (_, registered) = post_dotnet(
        &app,
        REGISTER,
        &p.token,
        &pascal_signed(
            &p.org.shared_key,
            json!({"ReferenceId": "R1", "Name": "Rania", "Dob": "1991-02-03", "GenderType": 0}),
        ),
    )
    .await;
    let user = registered["data"]["userId"].as_str().unwrap().to_string();
    let (status, questions) = {
        let response =
            app.http.get(app.url("/api/user/getassessmentquestions")).bearer_auth(&p.token).send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200, "{questions}");
    let phq9 = questions["data"]["instrumentsList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["instrument"] == "PHQ-9")
        .unwrap_or_else(|| panic!("PHQ-9 in {questions}"))
        .clone();
    let answers: Vec<Value> = phq9["questionsList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            json!({"QuestionId": q["questionId"], "CatScreeningQuetionOptionId": q["optionsList"][0]["catScreeningQuetionOptionId"]})
        })
        .collect();
    let body = json!({"UserId": user, "Instrument": "PHQ-9", "Answers": answers}).to_string();
    let (status, answer) = post_dotnet(&app, SUBMIT, &p.token, &body).await;
    assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
    assert!(answer["data"]["assessmentId"].as_str().unwrap().starts_with("asm_"));

    // A signature, when sent, is still checked; a strict organization still needs one.
    let response = app
        .http
        .post(app.url(SUBMIT))
        .bearer_auth(&p.token)
        .header("content-type", "application/json")
        .header("x-tahoon-signature", "t=1,v1=00")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let strict = app.partner().await;
    let (status, _, answer) = app.post(SUBMIT, &strict.token, &json!({"userId": user, "answers": []})).await;
    assert_envelope(status, &answer, 401, 102, None);
    // An organization that requires the header keeps requiring it in compatibility mode.
    set(&app, &p, json!({"requireSignatureHeader": true})).await;
    let (status, answer) = post_dotnet(&app, SUBMIT, &p.token, &body).await;
    assert_envelope(status, &answer, 401, 102, None);
}

async fn search_without_paging_returns_every_match_in_compatibility_mode(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for batch in [0..12, 12..23] {
        import(&app, batch.map(|i| provider(&format!("P{i:02}"), json!({}))).collect()).await;
    }
    let date = soon();
    let p = reference_partner(&app).await;
    let strict = app.partner().await;
    let body = json!({"ScheduleDate": date, "GmtTimeDiffrenceHours": 3, "ApplyFilter": false});
    let (status, answer) = post_dotnet(&app, SEARCH, &p.token, &body.to_string()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["careProvidersList"].as_array().unwrap().len(), 23);
    assert_eq!((answer["data"]["totalCount"].as_i64(), answer["data"]["pageSize"].as_i64()), (Some(23), Some(500)));
    // Paging asked for is paging given.
    let (_, answer) =
        post_dotnet(&app, SEARCH, &p.token, &json!({"scheduleDate": date, "PageSize": 5}).to_string()).await;
    assert_eq!(answer["data"]["careProvidersList"].as_array().unwrap().len(), 5);
    // A strict organization gets the documented first page, and its filter names are exact.
    let (_, _, answer) = app.post(SEARCH, &strict.token, &json!({"scheduleDate": date})).await;
    assert_eq!(answer["data"]["careProvidersList"].as_array().unwrap().len(), 20);
    let filtered = json!({"ScheduleDate": date, "ApplyFilter": true, "FilterCriteriaObject": {"GenderType": 1}});
    let (_, answer) = post_dotnet(&app, SEARCH, &p.token, &filtered.to_string()).await;
    assert_eq!(answer["data"]["totalCount"], 0, "the filter applies (every provider is female): {answer}");
}

async fn the_default_zone_applies_to_booking_by_date_and_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = import(&app, vec![provider("Amal", json!({}))]).await;
    let amal = &ids[0];
    let date = soon();
    let p = reference_partner(&app).await;
    let user_body = json!({"ReferenceId": "Z1", "Name": "Zaid", "Dob": "1988-01-01T00:00:00", "GenderType": 1});
    let (_, registered) = post_dotnet(&app, REGISTER, &p.token, &pascal_signed(&p.org.shared_key, user_body)).await;
    let user = registered["data"]["userId"].as_str().unwrap().to_string();

    // The search in the caller's offset (Riyadh, +3) shows 09:00 and is remembered.
    let (_, answer) = post_dotnet(
        &app,
        SCHEDULE,
        &p.token,
        &json!({"CareProviderId": amal, "UserId": user, "ScheduleDate": date, "GmtTimeDiffrenceHours": 3}).to_string(),
    )
    .await;
    assert_eq!(answer["data"]["availableSlotsList"][0]["slotStartTime"], "09:00:00", "{answer}");
    let (_, list) = admin(&app, reqwest::Method::GET, ORGANIZATIONS, None).await;
    let mine =
        list["data"].as_array().unwrap().iter().find(|o| o["organizationId"] == p.org.id.as_str()).unwrap().clone();
    assert_eq!((mine["defaultTimeZone"].as_str(), &mine["defaultTimeZoneRemembered"]), (Some("+03:00"), &json!(true)));

    // The booking by date and times names no zone: it is read in the remembered zone, as the
    // reference's client expects, with the reference's extra fields ignored.
    let book = json!({
        "UserId": user, "CareProviderId": amal, "SlotDate": format!("{date}T00:00:00"),
        "SlotStartTime": "09:00:00", "SlotEndTime": "10:00:00", "CatCommunicationTypeId": 1,
        "IsBookingFromMobile": false, "BookingPlatformId": 3,
        "SlotAvailabilityId": "Q2ZESjh4b2RlZ2Vz", "CareProviderSlotDurationId": "a1b2c3"
    });
    let (status, answer) = post_dotnet(&app, BOOK, &p.token, &pascal_signed(&p.org.shared_key, book)).await;
    assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
    let start = answer["data"]["slot"]["startUtc"].as_str().unwrap();
    assert!(start.starts_with(&format!("{date}T06:00:00")), "09:00 at +03:00 is 06:00 UTC: {answer}");

    // A strict organization's same booking is read as UTC: 09:00 UTC is after Amal's hours.
    let strict = app.partner().await;
    let strict_user = crate::sessionbooking::user(&app, &strict, "S1").await;
    let (status, answer) = app
        .send(
            &strict,
            "/api/v1/sessionbooking/booksession",
            json!({
                "userId": strict_user, "careProviderId": amal, "slotDate": date,
                "slotStartTime": "10:00:00", "slotEndTime": "11:00:00"
            }),
        )
        .await;
    assert_envelope(status, &answer, 404, 16, None);

    // A zone the operator set is never replaced by a request's offset.
    set(&app, &p, json!({"defaultTimeZone": "Asia/Dubai"})).await;
    post_dotnet(&app, SEARCH, &p.token, &json!({"ScheduleDate": date, "GmtTimeDiffrenceHours": 5}).to_string()).await;
    let (_, list) = admin(&app, reqwest::Method::GET, ORGANIZATIONS, None).await;
    let mine =
        list["data"].as_array().unwrap().iter().find(|o| o["organizationId"] == p.org.id.as_str()).unwrap().clone();
    assert_eq!(
        (mine["defaultTimeZone"].as_str(), &mine["defaultTimeZoneRemembered"]),
        (Some("Asia/Dubai"), &json!(false))
    );
}

tahoon_store::backend_tests!(
    the_operator_sets_the_mode_and_zone,
    a_dotnet_registration_is_read_in_compatibility_mode_only,
    assessment_answers_need_only_the_token_in_compatibility_mode,
    search_without_paging_returns_every_match_in_compatibility_mode,
    the_default_zone_applies_to_booking_by_date_and_time,
);
