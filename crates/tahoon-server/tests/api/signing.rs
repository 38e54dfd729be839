//! Request signing over HTTP: both forms, replay, clock window, organizations requiring the header,
//! which routes take `secureHash`, body-less signatures, escaping, and numbers sent as strings.

use crate::helpers::*;
use crate::sessionbooking::{BOOK, setup, slots, user};
use serde_json::{Value, json};
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_store::Backend;

const CHECK: &str = "/api/v1/diagnostics/signature";

async fn header_signature_is_accepted_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    // The header covers the whole raw body, arrays and objects included.
    let raw = r#"{"name":"John","genderType":1,"answers":[{"questionId":1}]}"#;
    let signature = header_signature(&org.shared_key, raw, now());
    let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["answers"][0]["questionId"], 1);

    let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
    assert_envelope(status, &body, 401, 102, None);
    assert!(body["message"].as_str().unwrap().contains("already used"), "{body}");

    let changed = raw.replace("\"questionId\":1", "\"questionId\":2");
    let signature = header_signature(&org.shared_key, raw, now() + 1);
    let (status, body) = app.post_header_signed("/test/probe", &access, &changed, &signature).await;
    assert_envelope(status, &body, 401, 102, None);

    // Well outside ±300 s, so that a second ticking between client and server cannot matter.
    for skew in [-400, 400] {
        let signature = header_signature(&org.shared_key, raw, now() + skew);
        let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
        assert_envelope(status, &body, 401, 102, None);
    }
    // Timestamps at i64's edges are outside the window, not an overflow.
    for t in [i64::MIN, i64::MAX] {
        let signature = format!("t={t},v1={}", "0".repeat(64));
        let (status, body) = app.post_header_signed("/test/probe", &access, raw, &signature).await;
        assert_envelope(status, &body, 401, 102, None);
    }
    let (status, body) = app.post_header_signed("/test/probe", &access, raw, "v1=abc").await;
    assert_envelope(status, &body, 401, 102, None);
    let signature = header_signature(&org.shared_key, raw, now() - 200);
    assert_eq!(app.post_header_signed("/test/probe", &access, raw, &signature).await.0, 200, "inside the window");
}

async fn organization_can_require_the_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.create_org(OrganizationKind::Charity, Role::FullAccess, true).await;
    let access = app.access_token(&org).await;
    let body = signed(&org.shared_key, json!({"name": "John", "genderType": 1}));
    let (status, _, answer) = app.post("/test/probe", &access, &body).await;
    assert_envelope(status, &answer, 401, 102, None);
    assert!(answer["message"].as_str().unwrap().contains("X-Tahoon-Signature"));
    let raw = body.to_string();
    let signature = header_signature(&org.shared_key, &raw, now());
    // secureHash in a header-signed body is ignored, not an unknown field.
    assert_eq!(app.post_header_signed("/test/probe", &access, &raw, &signature).await.0, 200);
}

async fn secure_hash_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let access = app.access_token(&org).await;
    // Missing secureHash names the field.
    let (status, _, answer) = app.post(CHECK, &access, &json!({"name": "John"})).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    // Nulls, arrays and objects are not signed: adding or changing them keeps the hash valid.
    let mut body = signed(&org.shared_key, json!({"name": "John", "genderType": 1, "isMobile": false}));
    body["answers"] = json!([{"questionId": 9}]);
    body["filter"] = json!({"x": 1});
    body["userId"] = json!(null);
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200);
    // Uppercase hex is the same signature.
    body["secureHash"] = json!(body["secureHash"].as_str().unwrap().to_uppercase());
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200);
    // Another organization's key does not verify.
    let other = app.org().await;
    let body = signed(&other.shared_key, json!({"name": "John"}));
    assert_eq!(app.post(CHECK, &access, &body).await.0, 401);
    // A body that is not an object.
    let (status, _, answer) = app.post(CHECK, &access, &json!([1, 2])).await;
    assert_envelope(status, &answer, 400, 105, Some("body"));
}

/// The body `fields` signed with `secureHash`, sent as they are.
async fn post_secure_hashed(app: &TestApp, o: &Partner, path: &str, fields: Value) -> (u16, Value) {
    let (status, _, answer) = app.post(path, &o.token, &signed(&o.org.shared_key, fields)).await;
    (status, answer)
}

/// `secureHash` only where the reference used it: register, booksession and cancelbooking (and
/// the diagnostics route). Every other signed route wants the header, as the OpenAPI document says.
async fn secure_hash_only_on_the_reference_routes(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Charity).await;
    let me = user(&app, &o, "S1").await;
    let free = slots(&app, &o, &provider_id, &crate::careprovider::soon()).await;

    // Bulk's only top-level field is an array: its canonical string is empty, and HMAC(key, "")
    // would sign every bulk request forever.
    let bulk = json!({"bookings": [{"userId": me, "applicationMultiSlotId": free[0].0}]});
    let empty_hash = tahoon_domain::signing::secure_hash(&o.org.shared_key, &serde_json::Map::new());
    let mut forged = bulk.clone();
    forged["secureHash"] = json!(empty_hash);
    let (status, _, answer) = app.post("/api/v1/sessionbooking/bulk", &o.token, &forged).await;
    assert_envelope(status, &answer, 401, 102, None);
    // Submitting answers: a hash over `userId` alone must not carry any answers.
    let submit = json!({"userId": me, "answers": [{"questionId": 1001, "catScreeningQuetionOptionId": 10013}]});
    let (status, answer) = post_secure_hashed(&app, &o, "/api/v1/user/submituserassessmentquestions", submit).await;
    assert_envelope(status, &answer, 401, 102, None);
    assert!(answer["message"].as_str().unwrap().contains("X-Tahoon-Signature"), "{answer}");
    // Nothing was booked and the balance is untouched.
    assert_eq!(slots(&app, &o, &provider_id, &crate::careprovider::soon()).await.len(), 3);

    // Every operation the document marks header-only refuses secureHash; the others take it.
    let spec: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut secure_hash_routes = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(forms) = operation["x-tahoon-signature"]["forms"].as_array() else { continue };
            if forms.contains(&json!("secureHash")) {
                secure_hash_routes.push(format!("{method} {}", path.trim_start_matches("/api/v1")));
                continue;
            }
            if operation["x-tahoon-signature"]["signs"] != "body" {
                continue;
            }
            let url = app.url(path);
            let body = signed(&o.org.shared_key, json!({"userId": me, "careProviderId": provider_id}));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app.http.request(method, url).bearer_auth(&o.token).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            assert_envelope(status, &response.json().await.unwrap(), 401, 102, None);
        }
    }
    secure_hash_routes.sort();
    assert_eq!(
        secure_hash_routes,
        [
            "post /diagnostics/signature",
            "post /sessionbooking/booksession",
            "post /sessionbooking/cancelbooking",
            "post /user/register"
        ]
    );
    // The reference's routes still take it.
    let (status, answer) = app.send(&o, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!((status, answer["reason"].as_i64()), (200, Some(0)), "{answer}");
}

/// A signature of a request without a body covers its method and path, whatever body is sent,
/// so it cannot be moved to another user; a body there is refused.
async fn body_less_signatures_cannot_move(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let alice = user(&app, &o, "ALICE").await;
    let bob = user(&app, &o, "BOB").await;
    let request = |method: reqwest::Method, path: String, body: Option<&'static str>, signature: String| {
        let mut r =
            app.http.request(method, app.url(&path)).bearer_auth(&o.token).header("x-tahoon-signature", signature);
        if let Some(body) = body {
            r = r.header("content-type", "application/json").body(body);
        }
        async move {
            let response = r.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    for (method, suffix) in [(reqwest::Method::DELETE, ""), (reqwest::Method::GET, "/export")] {
        // The attack: body `null`, signature over "<t>.null", which names no user.
        let over_null = fresh_signature(&o.org.shared_key, "null");
        for target in [&alice, &bob] {
            let (status, answer) =
                request(method.clone(), format!("/api/v1/user/{target}{suffix}"), Some("null"), over_null.clone())
                    .await;
            assert_envelope(status, &answer, 400, 105, Some("body"));
        }
        // A correct signature for Alice, sent with a body: still refused.
        let alice_path = format!("/api/v1/user/{alice}{suffix}");
        let for_alice = fresh_signature(&o.org.shared_key, &format!("{method} {alice_path}"));
        let (status, answer) = request(method.clone(), alice_path.clone(), Some("{}"), for_alice.clone()).await;
        assert_envelope(status, &answer, 400, 105, Some("body"));
        // Moved to Bob: the signed string names Alice's path.
        let (status, answer) =
            request(method.clone(), format!("/api/v1/user/{bob}{suffix}"), None, for_alice.clone()).await;
        assert_envelope(status, &answer, 401, 102, None);
    }
    // Both users are still there.
    for reference in ["ALICE", "BOB"] {
        let (_, answer) = app
            .send(
                &o,
                "/api/v1/user/register",
                json!({"referenceId": reference, "name": "Again", "dob": "1990-01-01", "genderType": 1}),
            )
            .await;
        assert_eq!(answer["reason"], 4, "{answer}");
    }
}

/// `&`, `=` and `%` inside a value are escaped, so one value cannot pose as several fields.
async fn canonical_string_is_unambiguous(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let free = slots(&app, &o, &provider_id, &crate::careprovider::soon()).await;
    let guest = |reference: &str| {
        json!({"applicationMultiSlotId": free[0].0, "name": "Guest", "dob": "1990-01-01", "genderType": 1,
               "referenceId": reference})
    };
    let mut original = guest("R-ORIG");
    original["timeZone"] = json!("Asia/Riyadh");
    let hash = signed(&o.org.shared_key, original)["secureHash"].clone();
    let mut forged = guest("R-ORIG&timeZone=Asia/Riyadh");
    forged["secureHash"] = hash;
    let (status, _, answer) = app.post(BOOK, &o.token, &forged).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    assert_eq!(
        answer["data"]["canonicalString"].as_str().unwrap().split('&').find(|f| f.starts_with("referenceId")),
        Some("referenceId=R-ORIG%26timeZone%3DAsia/Riyadh")
    );
    // The diagnostics route agrees, and a value with the escaped characters verifies.
    let body = signed(&o.org.shared_key, json!({"name": "Tom & Jerry", "note": "100% = sure"}));
    let (status, _, answer) = app.post(CHECK, &o.token, &body).await;
    assert_eq!(status, 200, "{answer}");
}

/// The JSON types a property schema of the OpenAPI document admits, through `$ref` and `oneOf`.
fn types_of(spec: &Value, property: &Value) -> Vec<String> {
    if let Some(name) = property["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return types_of(spec, &spec["components"]["schemas"][name]);
    }
    if let Some(alternatives) = property["oneOf"].as_array() {
        return alternatives.iter().flat_map(|a| types_of(spec, a)).collect();
    }
    match &property["type"] {
        Value::Array(types) => types.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Value::String(single) => vec![single.clone()],
        _ => Vec::new(),
    }
}

/// The canonical string cannot tell `"1"` from `1`, so the route must: on every signed route,
/// each top-level field the OpenAPI document types as integer, number or boolean refuses a
/// string, even under a matching signature, and i64's edges and 2^64 are refused, not wrapped.
async fn numbers_sent_as_strings_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let spec: Value = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut checked = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(forms) = operation["x-tahoon-signature"]["forms"].as_array() else { continue };
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) else { continue };
            let properties = spec["components"]["schemas"][name]["properties"].as_object().unwrap();
            for (field, property) in properties {
                let types = types_of(&spec, property);
                if !types.iter().any(|t| ["integer", "number", "boolean"].contains(&t.as_str())) {
                    continue;
                }
                for value in [json!("1"), json!("true")] {
                    let body = json!({ field.as_str(): value });
                    let (status, answer) = if forms.contains(&json!("secureHash")) {
                        post_secure_hashed(&app, &o, path, body).await
                    } else {
                        app.method_signed(method.clone(), path, &o.token, &o.org.shared_key, &body).await
                    };
                    assert_envelope(status, &answer, 400, 105, Some(field));
                }
                checked.push(format!("{path} {field}"));
            }
        }
    }
    assert!(checked.contains(&"/api/v1/user/register genderType".to_string()), "{checked:?}");
    assert!(checked.len() >= 5, "{checked:?}");

    // Beyond i64, as a JSON integer literal and as its string, signed either way.
    let person =
        |gender: &str| format!(r#"{{"referenceId":"N2","name":"Nadia","dob":"1990-01-01","genderType":{gender}}}"#);
    for gender in
        ["18446744073709551616", "\"18446744073709551616\"", "9223372036854775807", "-9223372036854775808", "1.5"]
    {
        let raw = person(gender);
        let signature = fresh_signature(&o.org.shared_key, &raw);
        let (status, answer) = app.post_header_signed("/api/v1/user/register", &o.token, &raw, &signature).await;
        assert_envelope(status, &answer, 400, 105, Some("genderType"));
        let fields: Value = serde_json::from_str(&raw).unwrap();
        let (status, answer) = post_secure_hashed(&app, &o, "/api/v1/user/register", fields).await;
        assert_envelope(status, &answer, 400, 105, Some("genderType"));
    }
    // Nothing was registered.
    let (_, answer) =
        post_secure_hashed(&app, &o, "/api/v1/user/register", serde_json::from_str(&person("1")).unwrap()).await;
    assert_eq!(answer["reason"], 0, "{answer}");
}

tahoon_store::backend_tests!(
    header_signature_is_accepted_once,
    organization_can_require_the_header,
    secure_hash_rules,
    secure_hash_only_on_the_reference_routes,
    body_less_signatures_cannot_move,
    canonical_string_is_unambiguous,
    numbers_sent_as_strings_are_refused
);
