//! Roles, proven on every route: a walk over every partner operation in the OpenAPI document
//! with a ReadOnly key's token, under `/api/v1` and the legacy `/api` alias. Each operation has a
//! decision below; a mutating one must answer 403 (reason 103) and change nothing, a reading one
//! must answer 200. An operation added later without a decision here fails the walk.

use crate::careprovider::soon;
use crate::helpers::*;
use crate::sessionbooking::{BOOK, setup, slots, user};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tahoon_domain::ids::kind;
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_domain::secrets::{ACCESS_KEY_PREFIX, SHARED_KEY_PREFIX, digest, generate_secret};
use tahoon_store::{Backend, NewCredentials};

/// What a ReadOnly key may do with an operation.
enum Decision {
    /// Any key, with this request (query and body filled from the fixtures).
    Reads,
    /// FullAccess only.
    Mutates,
    /// No bearer token: the OAuth token routes, which the role does not concern.
    Unauthenticated,
}

fn decisions() -> BTreeMap<&'static str, Decision> {
    use Decision::*;
    BTreeMap::from([
        ("issue_token", Unauthenticated),
        ("refresh_token", Unauthenticated),
        ("revoke_token", Unauthenticated),
        ("check_signature", Reads),
        ("get_catalogue", Reads),
        ("search_providers", Reads),
        ("provider_schedule", Reads),
        ("provider_profile", Reads),
        ("usage", Reads),
        ("list_audit", Reads),
        ("get_organization_reminders", Reads),
        ("set_organization_reminders", Mutates),
        ("register_user", Mutates),
        ("assessment_questions", Reads),
        ("submit_assessment", Mutates),
        ("list_assessments", Reads),
        ("export_user", Reads),
        ("erase_user", Mutates),
        ("get_user_reminders", Reads),
        ("set_user_reminders", Mutates),
        ("list_favorites", Reads),
        ("add_favorite", Mutates),
        ("remove_favorite", Mutates),
        ("book_session", Mutates),
        ("bulk_book", Mutates),
        ("cancel_booking", Mutates),
        ("reschedule_booking", Mutates),
        ("get_booking", Reads),
        ("get_recording", Reads),
        ("booking_history", Reads),
        ("list_endpoints", Reads),
        ("create_endpoint", Mutates),
        ("delete_endpoint", Mutates),
        ("rotate_secret", Mutates),
        ("test_endpoint", Mutates),
        ("list_deliveries", Reads),
        ("get_delivery", Reads),
        ("redeliver", Mutates),
    ])
}

/// What the organization has before its key becomes ReadOnly: a user, a booking, a favorite, a
/// webhook endpoint with a delivery.
struct Fixtures {
    provider: String,
    user: String,
    booking: String,
    endpoint: String,
    delivery: String,
}

impl Fixtures {
    fn path_parameter(&self, name: &str) -> &str {
        match name {
            "userId" => &self.user,
            "bookingId" => &self.booking,
            "endpointId" => &self.endpoint,
            "deliveryId" => &self.delivery,
            other => panic!("no fixture for the path parameter {other}"),
        }
    }

    /// The query and body of a reading operation's request.
    fn read_request(&self, operation: &str) -> (String, Option<Value>) {
        let date = soon();
        let by_user = format!("?userId={}", self.user);
        match operation {
            "search_providers" => (String::new(), Some(json!({"scheduleDate": date, "timeZone": "UTC"}))),
            "provider_schedule" => {
                (String::new(), Some(json!({"careProviderId": self.provider, "scheduleDate": date, "timeZone": "UTC"})))
            }
            "provider_profile" => (String::new(), Some(json!({"careProviderId": self.provider}))),
            "check_signature" => (String::new(), Some(json!({"referenceId": "probe"}))),
            "list_assessments" | "get_user_reminders" | "list_favorites" | "booking_history" => (by_user, None),
            "assessment_questions" => ("?instrument=PHQ-9".into(), None),
            _ => (String::new(), None),
        }
    }
}

async fn readonly_walk(backend: Backend) {
    let (app, provider) = setup(backend).await;
    let partner = app.partner_of(OrganizationKind::Standard).await;
    app.set_quota(&partner.org, 10_000).await;
    let me = user(&app, &partner, "ROLES-1").await;
    let free = slots(&app, &partner, &provider, &soon()).await;
    let (status, booked) = app.send(&partner, BOOK, json!({"userId": me, "applicationMultiSlotId": free[0].0})).await;
    assert_eq!(status, 200, "{booked}");
    let booking = booked["data"]["bookingId"].as_str().unwrap().to_string();
    let (status, body) =
        app.send(&partner, "/api/v1/user/favorites/add", json!({"userId": me, "careProviderId": provider})).await;
    assert_eq!(status, 200, "{body}");
    let (status, endpoint) = app
        .send(&partner, "/api/v1/webhooks/endpoints", json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}))
        .await;
    assert_eq!(status, 200, "{endpoint}");
    let endpoint = endpoint["data"]["endpointId"].as_str().unwrap().to_string();
    let test_path = format!("/api/v1/webhooks/endpoints/{endpoint}/test");
    let (status, tested) =
        app.call_signed(Method::POST, &test_path, &partner.token, &partner.org.shared_key, None).await;
    assert_eq!(status, 200, "{tested}");
    let delivery = tested["data"]["deliveryId"].as_str().unwrap().to_string();
    let fixtures = Fixtures { provider, user: me, booking, endpoint, delivery };

    // The organization's key becomes ReadOnly (a rotation to a ReadOnly key, as the store does it).
    let organization = app.state.ids.decode::<kind::Organization>(&partner.org.id).unwrap();
    let (access_key, shared_key) = (generate_secret(ACCESS_KEY_PREFIX), generate_secret(SHARED_KEY_PREFIX));
    let credentials = NewCredentials {
        shared_key_sealed: app.state.config.secrets.master_key.seal(&shared_key),
        access_key_digest: digest(&access_key),
        role: Role::ReadOnly,
        now: app.state.clock.now(),
    };
    app.state.store.rotate_organization_keys(organization, credentials).await.unwrap().unwrap();
    let org = TestOrg { id: partner.org.id.clone(), access_key, shared_key };
    let token = app.access_token(&org).await;
    assert_eq!(crate::auth::claims_of(&token)["role"], "ReadOnly");

    let (_, openapi) = tahoon_server::startup::api();
    let spec: Value = serde_json::to_value(&openapi).unwrap();
    let decisions = decisions();
    let mut walked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/admin/") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            let decision = decisions.get(id).unwrap_or_else(|| panic!("{id} ({method} {path}) has no role decision"));
            if matches!(decision, Decision::Unauthenticated) {
                continue;
            }
            let mut concrete = path.clone();
            for parameter in ["userId", "bookingId", "endpointId", "deliveryId"] {
                let placeholder = format!("{{{parameter}}}");
                if concrete.contains(&placeholder) {
                    concrete = concrete.replace(&placeholder, fixtures.path_parameter(parameter));
                }
            }
            for prefix in ["/api/v1", "/api"] {
                let target = concrete.replacen("/api/v1", prefix, 1);
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
                let (status, body) = match decision {
                    Decision::Reads => {
                        let (query, body) = fixtures.read_request(id);
                        app.call_signed(method.clone(), &format!("{target}{query}"), &token, &org.shared_key, body)
                            .await
                    }
                    // Any body: the role is refused before the body is read.
                    _ => app.call_signed(method.clone(), &target, &token, &org.shared_key, Some(json!({}))).await,
                };
                match decision {
                    Decision::Reads => {
                        // The booking's video service (Jitsi) keeps no recordings: the route's own
                        // answer, past the role.
                        let want = if id == "get_recording" { (404, 116) } else { (200, 0) };
                        let got = (status, body["reason"].as_i64().unwrap_or(-1));
                        assert_eq!(got, want, "{id}: {method} {target} as ReadOnly: {body}");
                    }
                    _ => {
                        assert_eq!(status, 403, "{id}: {method} {target} as ReadOnly: {body}");
                        assert_eq!(body["reason"], 103, "{id}: {body}");
                    }
                }
                walked += 1;
            }
        }
    }
    assert_eq!(walked, 2 * (decisions.len() - 3), "every decided operation walked under both prefixes");

    // Nothing the refused calls named changed: the booking is still confirmed, the user still
    // there, the endpoint still listed.
    let (status, booking) = app
        .call_signed(
            Method::GET,
            &format!("/api/v1/sessionbooking/{}", fixtures.booking),
            &token,
            &org.shared_key,
            None,
        )
        .await;
    assert_eq!((status, booking["data"]["statusName"].as_str()), (200, Some("Confirmed")), "{booking}");
    let (_, endpoints) =
        app.call_signed(Method::GET, "/api/v1/webhooks/endpoints", &token, &org.shared_key, None).await;
    assert_eq!(endpoints["data"]["endpoints"].as_array().map(Vec::len), Some(1), "{endpoints}");
}

tahoon_store::backend_tests!(readonly_walk);
