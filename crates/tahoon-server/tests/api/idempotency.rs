//! `Idempotency-Key` runs after authentication, role and signature: a refused request never
//! stores its answer, and a stored answer is replayed only to a request that passes the same
//! checks. Keys work on every signed mutating route.

use crate::helpers::*;
use crate::sessionbooking::{BOOK, setup, slots, user};
use serde_json::{Value, json};
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_store::Backend;

struct Answer {
    status: u16,
    replayed: bool,
    body: Value,
}

/// POSTs raw JSON with an idempotency key and optional bearer token and signature header.
async fn post(app: &TestApp, path: &str, token: Option<&str>, key: &str, raw: &str, signature: Option<&str>) -> Answer {
    let mut request = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(raw.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(signature) = signature {
        request = request.header("x-tahoon-signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    Answer { status, replayed, body: response.json().await.unwrap() }
}

async fn refused_requests_never_store_their_answer(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "K1").await;
    let free = slots(&app, &o, &provider_id, &crate::careprovider::soon()).await;

    // A bad secureHash with key "k": 401, and nothing is kept under "k".
    let good = signed(&o.org.shared_key, json!({"userId": me, "applicationMultiSlotId": free[0].0}));
    let mut bad = good.clone();
    bad["secureHash"] = json!("00".repeat(32));
    let first = post(&app, BOOK, Some(&o.token), "k", &bad.to_string(), None).await;
    assert_envelope(first.status, &first.body, 401, 102, None);
    // No token at all: 401, not a replay.
    let anonymous = post(&app, BOOK, None, "k", &good.to_string(), None).await;
    assert_envelope(anonymous.status, &anonymous.body, 401, 101, None);
    // The correctly signed retry with "k" books.
    let booked = post(&app, BOOK, Some(&o.token), "k", &good.to_string(), None).await;
    assert_eq!(
        (booked.status, booked.body["reason"].as_i64(), booked.replayed),
        (200, Some(0), false),
        "{}",
        booked.body
    );

    // A stored success is not replayed to a request without a valid signature …
    let mut unsigned = good.clone();
    unsigned.as_object_mut().unwrap().remove("secureHash");
    let refused = post(&app, BOOK, Some(&o.token), "k", &unsigned.to_string(), None).await;
    assert_envelope(refused.status, &refused.body, 401, 102, Some("secureHash"));
    assert!(!refused.replayed);
    let forged = post(&app, BOOK, Some(&o.token), "k", &bad.to_string(), None).await;
    assert_envelope(forged.status, &forged.body, 401, 102, None);
    assert!(!forged.replayed);
    // … nor to another organization using the same key with its own valid signature.
    let stranger = app.partner_of(OrganizationKind::Standard).await;
    let theirs = signed(&stranger.org.shared_key, json!({"userId": me, "applicationMultiSlotId": free[0].0}));
    let other = post(&app, BOOK, Some(&stranger.token), "k", &theirs.to_string(), None).await;
    assert_envelope(other.status, &other.body, 400, 18, Some("userId"));
    assert!(!other.replayed);
    // … but it is, byte for byte, to the correctly signed identical retry.
    let again = post(&app, BOOK, Some(&o.token), "k", &good.to_string(), None).await;
    assert_eq!((again.status, again.replayed), (200, true));
    assert_eq!(again.body, booked.body);

    // A read-only key's 403 is not stored either.
    let reader = app.create_org(OrganizationKind::Standard, Role::ReadOnly, false).await;
    let reader_token = app.access_token(&reader).await;
    let read_only = post(&app, BOOK, Some(&reader_token), "r", &good.to_string(), None).await;
    assert_envelope(read_only.status, &read_only.body, 403, 103, None);
}

async fn header_signed_retries_sign_anew(backend: Backend) {
    let (app, provider_id) = setup(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let me = user(&app, &o, "K2").await;
    let free = slots(&app, &o, &provider_id, &crate::careprovider::soon()).await;
    let raw = json!({"bookings": [{"userId": me, "applicationMultiSlotId": free[1].0}]}).to_string();
    let bulk = "/api/v1/sessionbooking/bulk";

    // A signature over another body with key "h": 401, not stored.
    let wrong = fresh_signature(&o.org.shared_key, "{}");
    let refused = post(&app, bulk, Some(&o.token), "h", &raw, Some(&wrong)).await;
    assert_envelope(refused.status, &refused.body, 401, 102, None);
    let signature = fresh_signature(&o.org.shared_key, &raw);
    let first = post(&app, bulk, Some(&o.token), "h", &raw, Some(&signature)).await;
    assert_eq!((first.status, first.body["data"]["succeeded"].as_i64(), first.replayed), (200, Some(1), false));
    // The same header again is a replayed signature, whatever the key.
    let replay = post(&app, bulk, Some(&o.token), "h", &raw, Some(&signature)).await;
    assert_envelope(replay.status, &replay.body, 401, 102, None);
    // Signed anew, the retry gets the stored answer.
    let fresh = fresh_signature(&o.org.shared_key, &raw);
    let again = post(&app, bulk, Some(&o.token), "h", &raw, Some(&fresh)).await;
    assert_eq!((again.status, again.replayed), (200, true));
    assert_eq!(again.body, first.body);
}

/// Registration, assessments and the other signed mutating routes honour the key too.
async fn every_signed_mutating_route_takes_a_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let o = app.partner_of(OrganizationKind::Standard).await;
    let body =
        signed(&o.org.shared_key, json!({"referenceId": "K3", "name": "Karim", "dob": "1991-02-03", "genderType": 1}))
            .to_string();
    let first = post(&app, "/api/v1/user/register", Some(&o.token), "reg-1", &body, None).await;
    assert_eq!((first.status, first.body["reason"].as_i64(), first.replayed), (200, Some(0), false));
    let again = post(&app, "/api/v1/user/register", Some(&o.token), "reg-1", &body, None).await;
    assert_eq!((again.status, again.replayed), (200, true));
    assert_eq!(again.body, first.body, "the stored answer (reason 0), not a new 'already exists'");
    // A malformed key on a signed route is named.
    let bad = post(&app, "/api/v1/user/register", Some(&o.token), " ", &body, None).await;
    assert_envelope(bad.status, &bad.body, 400, 105, Some("Idempotency-Key"));
    // Reading routes ignore the header.
    let response = app
        .http
        .get(app.url("/api/v1/careprovider/getcataloguedataforfilters"))
        .bearer_auth(&o.token)
        .header("idempotency-key", " ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

tahoon_store::backend_tests!(
    refused_requests_never_store_their_answer,
    header_signed_retries_sign_anew,
    every_signed_mutating_route_takes_a_key
);
