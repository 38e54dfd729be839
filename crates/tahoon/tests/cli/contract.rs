//! The reference contract suite (issue 14): every request example of the reference inventory
//! (`/work/shared/reference/tahoon-feature-inventory.md`), sent as a .NET client of the reference
//! sends it — the legacy `/api/…` paths, `text/json` or `application/json`, PascalCase or
//! camelCase names, extra fields, dates with a midnight time — to an organization in
//! compatibility mode, and its answers checked field by field against the inventory's documented
//! answers and error table. Run against a new organization and against one imported with
//! `tahoon import reference` (its keys and reference ids), on both backends (`contract/setup.rs`).

mod booking;
mod search;
mod setup;

pub use setup::*;

use serde_json::{Map, Value, json};
use tahoon_domain::signing::secure_hash;

/// What a .NET `HttpClient` sends for `new StringContent(json, Encoding.UTF8, "text/json")`.
const DOTNET: &str = "text/json; charset=utf-8";
const JSON: &str = "application/json";

/// The partner the suite plays, and what it knows of the data it meets.
pub struct ContractPartner {
    /// The organization's access key (the reference's `ApplicationToken`).
    pub access_key: String,
    pub shared_key: String,
    pub provider: ExpectedProvider,
    /// How many providers the directory holds (a search without filters and paging lists all).
    pub providers_in_directory: usize,
    /// A user the partner already has: registering its `referenceId` again answers its id.
    pub existing_user: Option<KnownUser>,
    /// A future booking the partner already has, cancelled with the ids it knows.
    pub existing_booking: Option<KnownBooking>,
}

pub struct KnownUser {
    pub id: String,
    pub reference_id: String,
}

pub struct KnownBooking {
    pub booking_id: String,
    pub user_id: String,
    pub care_provider_id: String,
    pub meeting_id: String,
}

/// A care provider as the partner's answers must show it. Its hours are in the organization's
/// zone, +03:00 (the provider's own zone is Asia/Riyadh), with 60-minute sessions every day.
pub struct ExpectedProvider {
    /// The id the partner uses and the answers carry: the alias when imported.
    pub id: String,
    pub full_name: String,
    pub gender_type: i64,
    pub language_ids: Vec<i64>,
    pub specialty_ids: Vec<i64>,
    pub experience_years: i64,
    pub experience_level: i64,
    pub provider_level: i64,
    pub rating: f64,
    pub price: f64,
    pub profile_image_url: Option<String>,
    pub opens: i8,
    pub closes: i8,
}

/// One answer: HTTP status and envelope, with the request it answers for messages.
pub(crate) struct Answer {
    what: String,
    http: u16,
    body: Value,
}

impl Answer {
    /// Asserts a success (HTTP 200, status 1, reason 0) and gives `data`.
    pub(crate) fn ok(&self) -> &Value {
        self.envelope(200, 1, 0, None);
        &self.body["data"]
    }

    /// Asserts an answer of the reference's error table: HTTP status, reason and its name, and
    /// the field named (`None`: `data` names none).
    pub(crate) fn refused(&self, http: u16, reason: i64, field: Option<&str>) -> &Value {
        self.envelope(http, 0, reason, field);
        &self.body["data"]
    }

    fn envelope(&self, http: u16, status: i64, reason: i64, field: Option<&str>) {
        let b = &self.body;
        let name = match reason {
            0 => "Success",
            1 => "EmptyParameter",
            4 => "RecordAlreadyExist",
            16 => "NotAllowed",
            18 => "UserNotFound",
            50 => "CharityOrganizationBalanceOut",
            102 => "InvalidSignature",
            104 => "NotFound",
            105 => "ValidationFailed",
            other => panic!("reason {other} is not in the table"),
        };
        assert_eq!(
            (self.http, b["status"].as_i64(), b["reason"].as_i64(), b["reasonName"].as_str()),
            (http, Some(status), Some(reason), Some(name)),
            "{}: {b}",
            self.what
        );
        assert!(b["message"].as_str().is_some_and(|m| !m.is_empty()), "{}: {b}", self.what);
        assert!(b["requestId"].as_str().is_some_and(|r| r.starts_with("req_")), "{}: {b}", self.what);
        if reason != 0 && reason != 4 {
            assert_eq!(b["data"]["field"].as_str(), field, "{}: {b}", self.what);
        }
    }
}

/// The partner's client: the token, the shared key and the legacy base (`http://…/api`).
pub(crate) struct Client<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    token: String,
    shared_key: &'a str,
}

impl Client<'_> {
    pub(crate) async fn post(&self, path: &str, content_type: &str, body: &Value) -> Answer {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_string());
        answer(format!("POST {path} {body}"), request).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        answer(format!("GET {path}"), self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token)).await
    }

    /// `body` with `hash_field`, over the names as sent.
    pub(crate) fn signed(&self, body: Value, hash_field: &str) -> Value {
        let Value::Object(mut fields) = body else { panic!("an object") };
        let hash = secure_hash(self.shared_key, &fields);
        fields.insert(hash_field.into(), hash.into());
        Value::Object(fields)
    }

    /// `body` with `hash_field`, over the names camelCased (as some .NET helpers sign).
    pub(crate) fn signed_camel_case(&self, body: Value, hash_field: &str) -> Value {
        let Value::Object(mut fields) = body else { panic!("an object") };
        let camel: Map<String, Value> = fields
            .iter()
            .map(|(name, value)| {
                let mut chars = name.chars();
                let first = chars.next().map(|c| c.to_ascii_lowercase()).into_iter();
                (first.chain(chars).collect(), value.clone())
            })
            .collect();
        fields.insert(hash_field.into(), secure_hash(self.shared_key, &camel).into());
        Value::Object(fields)
    }
}

async fn answer(what: String, request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    let http = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    Answer { what, http, body }
}

/// The local date of the bookings (three days ahead in the organization's zone) and the zone.
pub(crate) struct Day {
    date: jiff::civil::Date,
    zone: jiff::tz::TimeZone,
}

impl Day {
    fn ahead() -> Day {
        let zone = jiff::tz::TimeZone::fixed(jiff::tz::offset(3));
        let today = jiff::Timestamp::now().to_zoned_datetime(zone.clone()).date();
        Day { date: today.checked_add(jiff::Span::new().days(3)).unwrap(), zone }
    }

    fn date(&self) -> String {
        self.date.to_string()
    }

    /// The instant of local hour `hour` that day, as answers write it.
    fn utc(&self, hour: i8) -> String {
        let local = self.date.at(hour, 0, 0, 0);
        let local = if hour == 24 { self.date.tomorrow().unwrap().at(0, 0, 0, 0) } else { local };
        local.to_zoned_datetime(self.zone.clone()).unwrap().timestamp().to_string()
    }
}

fn clock(hour: i8) -> String {
    format!("{:02}:00:00", hour % 24)
}

/// Runs every request example of the inventory for `partner` against the server at `base`
/// (`http://host:port/api`, the legacy paths).
pub async fn reference_contract(http: &reqwest::Client, base: &str, partner: &ContractPartner) {
    // 1.1 POST /api/auth/token: a form, as the inventory gives it.
    let response = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", partner.access_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let grant: Value = response.json().await.unwrap();
    assert_eq!((&grant["token_type"], &grant["expires_in"]), (&json!("bearer"), &json!(86400)), "{grant}");
    let token = grant["access_token"].as_str().unwrap().to_string();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    let client = Client { http, base, token, shared_key: &partner.shared_key };
    let day = Day::ahead();

    let user = register(&client, partner).await;
    assessment(&client, &user).await;
    let catalogue = client.get("/careprovider/getcataloguedataforfilters").await.ok().clone();
    check_catalogue(&catalogue);
    search::search(&client, partner, &catalogue, &user, &day).await;
    search::schedule_and_profile(&client, partner, &catalogue, &user, &day).await;
    booking::book_and_cancel(&client, partner, &user, &day).await;
}

/// 2.1 POST /api/user/register; the user the suite books for (the partner's own when it has one).
async fn register(client: &Client<'_>, partner: &ContractPartner) -> String {
    const PATH: &str = "/user/register";
    // The inventory's example as it stands: camelCase, application/json, `secureHash`.
    let example = json!({"referenceId": "ORG-USER-123", "name": "John Doe", "dob": "1990-05-15", "genderType": 1});
    let answer = client.post(PATH, JSON, &client.signed(example.clone(), "secureHash")).await;
    let user = match &partner.existing_user {
        Some(known) => {
            assert_eq!(known.reference_id, "ORG-USER-123", "the inventory's example is the partner's user");
            let data = answer.refused(200, 4, None);
            assert_eq!(data, &json!({"userId": known.id, "userLoginInfoId": known.id}));
            known.id.clone()
        }
        None => {
            let data = answer.ok();
            let id = data["userId"].as_str().unwrap().to_string();
            assert!(id.starts_with("usr_"), "{data}");
            assert_eq!(data, &json!({"userId": id, "userLoginInfoId": id}));
            id
        }
    };

    // A .NET client: PascalCase, text/json, a midnight time, a field the reference's model had
    // that this API does not know, `SecureHash` over the names as sent.
    let dotnet = json!({"ReferenceId": "NET-USER-1", "Name": "Layla Haddad", "Dob": "1987-09-30T00:00:00",
        "GenderType": 0, "MobileNumber": "+966500000000"});
    let data = client.post(PATH, DOTNET, &client.signed(dotnet.clone(), "SecureHash")).await.ok().clone();
    let second = data["userId"].as_str().unwrap();
    assert!(second.starts_with("usr_") && second != user, "{data}");
    assert_eq!(data, json!({"userId": second, "userLoginInfoId": second}));
    // The same referenceId again, hashed over camelCased names, the hash's name in capitals:
    // RecordAlreadyExist with the same id, HTTP 200.
    let again = client.post(PATH, DOTNET, &client.signed_camel_case(dotnet, "SECUREHASH")).await;
    assert_eq!(again.refused(200, 4, None), &json!({"userId": second, "userLoginInfoId": second}));
    // The inventory's validation rules, in the error table's terms.
    let nameless = json!({"ReferenceId": "NET-USER-2", "Dob": "1987-09-30", "GenderType": 0});
    client.post(PATH, DOTNET, &client.signed(nameless, "SecureHash")).await.refused(400, 1, Some("name"));
    let noon = json!({"referenceId": "NET-USER-2", "name": "Sami", "dob": "1987-09-30T12:00:00", "genderType": 1});
    client.post(PATH, JSON, &client.signed(noon, "secureHash")).await.refused(400, 105, Some("dob"));
    let mut forged = client.signed(example, "secureHash");
    forged["name"] = "Jane Doe".into();
    client.post(PATH, JSON, &forged).await.refused(401, 102, Some("secureHash"));
    user
}

/// 2.3 GET /api/user/getassessmentquestions, POST /api/user/submituserassessmentquestions with
/// the token alone: every question of GAD-7 answered with the option worth 1.
async fn assessment(client: &Client<'_>, user: &str) {
    let data = client.get("/user/getassessmentquestions").await.ok().clone();
    let instruments = data["instrumentsList"].as_array().unwrap();
    for code in ["PHQ-9", "GAD-7"] {
        assert!(instruments.iter().any(|i| i["instrument"] == code), "{code} in {data}");
    }
    let gad7 = instruments.iter().find(|i| i["instrument"] == "GAD-7").unwrap();
    assert_eq!(gad7["maxScore"], 21);
    let questions = gad7["questionsList"].as_array().unwrap();
    assert_eq!(questions.len(), 8, "seven scored items and the functional question");
    let answers: Vec<Value> = questions
        .iter()
        .map(|q| {
            assert!(q["questionId"].is_i64() && q["questionTextPLang"].is_string() && q["isRequired"].is_boolean());
            match q["questionType"].as_str() {
                Some("choice") => {
                    let option = q["optionsList"].as_array().unwrap().iter().find(|o| o["value"] == 1).unwrap();
                    assert!(option["catScreeningQuetionOptionId"].is_i64() && option["optionTextSLang"].is_string());
                    json!({"QuestionId": q["questionId"],
                        "CatScreeningQuetionOptionId": option["catScreeningQuetionOptionId"], "AnswerText": null})
                }
                Some("text") => json!({"QuestionId": q["questionId"], "CatScreeningQuetionOptionId": null,
                    "AnswerText": "Some days are harder"}),
                other => panic!("question type {other:?}"),
            }
        })
        .collect();
    let body = json!({"UserId": user, "Answers": answers, "SubmittedFrom": "mobile"});
    let result = client.post("/user/submituserassessmentquestions", DOTNET, &body).await.ok().clone();
    assert!(result["assessmentId"].as_str().is_some_and(|a| a.starts_with("asm_")), "{result}");
    assert_eq!(
        (&result["instrument"], &result["totalScore"], &result["maxScore"], &result["severityBand"]["code"]),
        (&json!("GAD-7"), &json!(7), &json!(21), &json!("mild")),
        "{result}"
    );
    assert_eq!(result["riskFlags"], json!([]));
    let unknown = json!({"userId": "VXNlckxvZ2luLTk5OTk5", "answers": answers});
    client.post("/user/submituserassessmentquestions", JSON, &unknown).await.refused(400, 18, Some("userId"));
}

/// 3.4: `languagesList` as the inventory shows it, and the other lists in the same shape.
fn check_catalogue(catalogue: &Value) {
    let languages = catalogue["languagesList"].as_array().unwrap();
    assert_eq!(languages[0], json!({"id": 1, "namePLang": "English", "nameSLang": "الإنجليزية"}));
    assert_eq!(languages[1], json!({"id": 2, "namePLang": "Arabic", "nameSLang": "العربية"}));
    for list in ["languagesList", "specialtiesList", "experienceLevelsList", "providerLevelsList"] {
        let entries = catalogue[list].as_array().unwrap_or_else(|| panic!("{list} in {catalogue}"));
        assert!(!entries.is_empty(), "{list}");
        for entry in entries {
            let keys: Vec<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 3, "{list}: {entry}");
            assert!(entry["id"].is_i64() && entry["namePLang"].is_string() && entry["nameSLang"].is_string());
        }
    }
    // The provider levels the inventory names (Jr/Sr/Consultant), by the ids its filter uses.
    let level = |id: i64| catalogue["providerLevelsList"].as_array().unwrap().iter().find(|e| e["id"] == id).cloned();
    assert_eq!(level(3).map(|l| l["namePLang"].clone()), Some(json!("Consultant")));
}

/// The catalogue's entries for `ids`, as answers list them.
pub(crate) fn entries(catalogue: &Value, list: &str, ids: &[i64]) -> Value {
    let all = catalogue[list].as_array().unwrap();
    Value::Array(ids.iter().map(|id| all.iter().find(|e| e["id"] == *id).cloned().expect("in the catalogue")).collect())
}
