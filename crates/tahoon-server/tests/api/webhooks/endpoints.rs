//! Managing endpoints: create (the secret once), list (never the secret), delete; what a ReadOnly
//! key may do; another organization's ids are not found on any route; what is refused at
//! creation, and the limit of 20 endpoints.

use super::*;
use tahoon_domain::ids::kind;
use tahoon_domain::organization::Role;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_server::services::webhooks::endpoints::{self, EndpointRequest};

async fn create_list_delete_and_who_may(backend: Backend) {
    let w = world(backend).await;
    let body = json!({
        "url": "http://127.0.0.1:9/tahoon/hooks?tenant=7",
        "events": ["booking.confirmed", "booking.cancelled", "booking.confirmed"],
        "description": "Bookings into the CRM"
    });
    let (status, created) = w.create(body.clone()).await;
    assert_eq!(status, 200, "{created}");
    let data = &created["data"];
    let id = data["endpointId"].as_str().unwrap().to_string();
    assert!(id.starts_with("whe_"), "{data}");
    let secret_text = data["secret"].as_str().unwrap();
    assert!(secret_text.starts_with("whsec_"), "{data}");
    assert_eq!(WebhookSecret::parse(secret_text).unwrap().as_bytes().len(), 32);
    assert_eq!(data["url"], "http://127.0.0.1:9/tahoon/hooks?tenant=7");
    assert_eq!(data["events"], json!(["booking.cancelled", "booking.confirmed"]), "sorted, duplicates gone");
    assert_eq!(data["description"], "Bookings into the CRM");
    assert_eq!(
        (&data["enabled"], &data["disabledReason"], &data["failingSince"]),
        (&json!(true), &json!(null), &json!(null))
    );
    assert_eq!(data["previousSecretExpiresAt"], json!(null));
    assert_eq!(data["createdAt"], json!(w.app.state.clock.now().to_string()));

    // Listed as created, without the secret.
    let (status, listed) = w.get(ENDPOINTS).await;
    assert_eq!(status, 200, "{listed}");
    let mut expected = data.clone();
    expected.as_object_mut().unwrap().remove("secret");
    assert_eq!(listed["data"]["endpoints"], json!([expected]));
    assert!(!listed.to_string().contains(&secret_text[6..]), "the secret is shown once");
    // Audited, with the host only (a query may hold the receiver's own token), never the secret.
    let audit = w.app.state.store.audit_entries(0, 1_000).await.unwrap();
    let entry = audit.iter().find(|e| e.content.action == "webhook.endpoint_created").unwrap();
    assert!(entry.content.details.contains("127.0.0.1"), "{}", entry.content.details);
    assert!(!entry.content.details.contains("tenant") && !entry.content.details.contains(&secret_text[6..]));

    // Unsigned: refused, nothing created.
    let (status, _, answer) = w.app.post(ENDPOINTS, &w.p.token, &body).await;
    assert_envelope(status, &answer, 401, 102, None);
    assert_eq!(w.endpoints().await.len(), 1);

    // Another organization: the ids are not found, on every route; its list is its own.
    let delivery = w.test_event(&id).await["deliveryId"].as_str().unwrap().to_string();
    assert!(delivery.starts_with("whd_"));
    let stranger = w.app.partner().await;
    let (status, theirs) = get_as(&w.app, &stranger.token, ENDPOINTS).await;
    assert_eq!((status, &theirs["data"]["endpoints"]), (200, &json!([])));
    let not_found = [
        (Method::GET, format!("{ENDPOINTS}/{id}/deliveries"), "endpointId"),
        (Method::DELETE, format!("{ENDPOINTS}/{id}"), "endpointId"),
        (Method::POST, format!("{ENDPOINTS}/{id}/rotate-secret"), "endpointId"),
        (Method::POST, format!("{ENDPOINTS}/{id}/test"), "endpointId"),
        (Method::GET, format!("{DELIVERIES}/{delivery}"), "deliveryId"),
        (Method::POST, format!("{DELIVERIES}/{delivery}/redeliver"), "deliveryId"),
    ];
    for (method, path, field) in &not_found {
        let (status, answer) = if *method == Method::GET {
            get_as(&w.app, &stranger.token, path).await
        } else {
            no_body_as(&w.app, &stranger, method.clone(), path).await
        };
        assert_envelope(status, &answer, 404, 104, Some(field));
    }
    // Malformed ids are not found either.
    let (status, answer) = w.get(&format!("{ENDPOINTS}/whe_nope/deliveries")).await;
    assert_envelope(status, &answer, 404, 104, Some("endpointId"));
    let (status, answer) = w.get(&format!("{DELIVERIES}/{id}")).await;
    assert_envelope(status, &answer, 404, 104, Some("deliveryId"));
    // The owner's endpoint is untouched: still there, its test delivery still pending.
    assert_eq!(w.endpoints().await.len(), 1);
    assert_eq!(w.delivery(&delivery).await["status"], "pending");

    // A ReadOnly key reads its organization's endpoints and deliveries, and changes nothing.
    let ro = w.app.create_org(OrganizationKind::Standard, Role::ReadOnly, false).await;
    let ro = Partner { token: w.app.access_token(&ro).await, org: ro };
    let ro_org = w.app.state.ids.decode::<kind::Organization>(&ro.org.id).unwrap();
    let request = EndpointRequest { url: "http://127.0.0.1:9/ro".into(), events: vec!["*".into()], description: None };
    let made = endpoints::create(&w.app.state, ro_org, request).await.unwrap().endpoint;
    let ro_delivery = endpoints::send_test(&w.app.state, ro_org, made.id).await.unwrap();
    let (ro_id, ro_delivery) = (w.app.state.ids.encode(made.id), w.app.state.ids.encode(ro_delivery.id));
    let (status, listed) = get_as(&w.app, &ro.token, ENDPOINTS).await;
    assert_eq!((status, listed["data"]["endpoints"][0]["endpointId"].as_str()), (200, Some(ro_id.as_str())));
    let (status, page) = get_as(&w.app, &ro.token, &format!("{ENDPOINTS}/{ro_id}/deliveries")).await;
    assert_eq!((status, page["data"]["totalCount"].as_i64()), (200, Some(1)), "{page}");
    let (status, one) = get_as(&w.app, &ro.token, &format!("{DELIVERIES}/{ro_delivery}")).await;
    assert_eq!((status, one["data"]["eventType"].as_str()), (200, Some("webhook.test")), "{one}");
    let (status, answer) = w.app.send(&ro, ENDPOINTS, body.clone()).await;
    assert_envelope(status, &answer, 403, 103, None);
    for (method, path) in [
        (Method::DELETE, format!("{ENDPOINTS}/{ro_id}")),
        (Method::POST, format!("{ENDPOINTS}/{ro_id}/rotate-secret")),
        (Method::POST, format!("{ENDPOINTS}/{ro_id}/test")),
        (Method::POST, format!("{DELIVERIES}/{ro_delivery}/redeliver")),
    ] {
        let (status, answer) = no_body_as(&w.app, &ro, method, &path).await;
        assert_envelope(status, &answer, 403, 103, None);
    }
    let (_, page) = get_as(&w.app, &ro.token, &format!("{ENDPOINTS}/{ro_id}/deliveries")).await;
    assert_eq!(page["data"]["totalCount"], 1, "no test event was queued");

    // Deleted: gone from the list and from every route.
    let (status, answer) = w.no_body(Method::DELETE, &format!("{ENDPOINTS}/{id}")).await;
    assert_eq!((status, &answer["data"]), (200, &json!({"endpointId": id, "deleted": true})), "{answer}");
    assert!(w.endpoints().await.is_empty());
    let (status, answer) = w.no_body(Method::DELETE, &format!("{ENDPOINTS}/{id}")).await;
    assert_envelope(status, &answer, 404, 104, Some("endpointId"));
    let (status, answer) = w.get(&format!("{DELIVERIES}/{delivery}")).await;
    assert_envelope(status, &answer, 404, 104, Some("deliveryId"));
    let audit = w.app.state.store.audit_entries(0, 1_000).await.unwrap();
    assert!(audit.iter().any(|e| e.content.action == "webhook.endpoint_deleted"));
}

async fn what_creation_refuses(backend: Backend) {
    let w = world(backend).await;
    let url = "http://127.0.0.1:9/hook";
    let refused = [
        (json!({"url": url, "events": ["booking.confirmd"]}), 105, "events[0]"),
        (json!({"url": url, "events": ["booking.confirmed", "Booking.Cancelled"]}), 105, "events[1]"),
        (json!({"url": url, "events": []}), 105, "events"),
        (json!({"url": url, "events": ["webhook.test"]}), 105, "events[0]"),
        (json!({"url": url, "events": vec!["*"; 33]}), 105, "events"),
        (json!({"url": url, "events": ["*"], "description": "<script>alert(1)</script>"}), 105, "description"),
        (json!({"url": url, "events": ["*"], "description": "x".repeat(501)}), 105, "description"),
        (json!({"url": "https://user:pw@partner.example/hook", "events": ["*"]}), 105, "url"),
        (json!({"url": "https://partner.example/hook#top", "events": ["*"]}), 105, "url"),
        (json!({"url": "ftp://partner.example/hook", "events": ["*"]}), 105, "url"),
        (json!({"url": "not a url", "events": ["*"]}), 105, "url"),
        (json!({"url": format!("https://partner.example/{}", "a".repeat(2_048)), "events": ["*"]}), 105, "url"),
        (json!({"url": url, "events": ["*"], "secret": "whsec_mine"}), 105, "secret"),
        // Missing: the reference's "required parameter" reason.
        (json!({"url": url}), 1, "events"),
    ];
    for (body, reason, field) in refused {
        let (status, answer) = w.create(body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_envelope(status, &answer, 400, reason, Some(field));
    }
    let (status, answer) = w.create(json!({"url": url, "events": ["booking.confirmd"]})).await;
    assert!(answer["message"].as_str().unwrap().contains("booking.confirmd"), "{status} {answer}");
    assert!(w.endpoints().await.is_empty());

    // Twenty endpoints, then no more until one is deleted.
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(w.endpoint(&format!("http://127.0.0.1:9/hook/{n}"), &["*"]).await.id);
    }
    let (status, answer) = w.create(json!({"url": url, "events": ["*"]})).await;
    assert_envelope(status, &answer, 409, 117, None);
    assert_eq!(w.endpoints().await.len(), 20);
    let (status, _) = w.no_body(Method::DELETE, &format!("{ENDPOINTS}/{}", ids[3])).await;
    assert_eq!(status, 200);
    let (status, answer) = w.create(json!({"url": url, "events": ["*"]})).await;
    assert_eq!(status, 200, "{answer}");
}

/// Creations at once: the limit holds.
async fn concurrent_creations_stop_at_the_limit(backend: Backend) {
    let w = world(backend).await;
    let now = w.app.state.clock.now().as_second();
    let mut creating = tokio::task::JoinSet::new();
    for n in 0..26 {
        let raw = json!({"url": format!("http://127.0.0.1:9/at-once/{n}"), "events": ["*"]}).to_string();
        let signature = fresh_signature_at(&w.p.org.shared_key, &raw, now);
        let request = w
            .app
            .http
            .post(w.app.url(ENDPOINTS))
            .bearer_auth(&w.p.token)
            .header("content-type", "application/json")
            .header("x-tahoon-signature", signature)
            .body(raw);
        creating.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap()["reason"].as_i64().unwrap())
        });
    }
    let mut answers = creating.join_all().await;
    answers.sort();
    assert_eq!(answers, [vec![(200, 0); 20], vec![(409, 117); 6]].concat());
    assert_eq!(w.endpoints().await.len(), 20);
}

/// The answers kept for `Idempotency-Key` replays, as stored.
async fn stored_answers(app: &TestApp) -> Vec<String> {
    let (url, sql) = (app._db_url(), "SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL");
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
    }
}

/// A creation or rotation retried with its `Idempotency-Key` answers the same secret (the client
/// lost the first answer), and makes nothing twice; the answer kept for the replay is sealed, as
/// the secret itself is, not written in clear for a day.
async fn retried_creations_and_rotations_answer_the_same_secret(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let raw = json!({"url": receiver.url("/hook").as_str(), "events": ["*"]}).to_string();
    // Each try signed anew, as a client retrying does (a signature is good once).
    let create = || {
        let signature = fresh_signature_at(&w.p.org.shared_key, &raw, w.app.state.clock.now().as_second());
        w.app
            .http
            .post(w.app.url(ENDPOINTS))
            .bearer_auth(&w.p.token)
            .header("content-type", "application/json")
            .header("x-tahoon-signature", signature)
            .header("idempotency-key", "create-1")
            .body(raw.clone())
            .send()
    };
    let first = create().await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let again = create().await.unwrap();
    assert_eq!((again.status().as_u16(), again.headers()["idempotent-replayed"].to_str().unwrap()), (200, "true"));
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(w.endpoints().await.len(), 1, "created once");
    let secret = first["data"]["secret"].as_str().unwrap().to_string();

    let path = format!("{ENDPOINTS}/{}/rotate-secret", first["data"]["endpointId"].as_str().unwrap());
    let target = format!("POST {path}");
    let rotate = || {
        let signature = fresh_signature_at(&w.p.org.shared_key, &target, w.app.state.clock.now().as_second());
        w.app
            .http
            .post(w.app.url(&path))
            .bearer_auth(&w.p.token)
            .header("x-tahoon-signature", signature)
            .header("idempotency-key", "rotate-1")
            .send()
    };
    let rotated: Value = rotate().await.unwrap().json().await.unwrap();
    let replayed: Value = rotate().await.unwrap().json().await.unwrap();
    assert_eq!(rotated, replayed);
    let new_secret = rotated["data"]["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);

    // One rotation, not two: the secret before it is the first one, still signing beside the new.
    w.test_event(first["data"]["endpointId"].as_str().unwrap()).await;
    assert_eq!(w.pass().await.succeeded, 1);
    let received = &receiver.requests()[0];
    assert_eq!(received.header("webhook-signature").unwrap().split(' ').count(), 2);
    for secret in [&secret, &new_secret] {
        assert!(verifies(received, &WebhookSecret::parse(secret).unwrap()));
    }

    let stored = stored_answers(&w.app).await;
    assert_eq!(stored.len(), 2);
    for answer in &stored {
        for secret in [&secret, &new_secret] {
            assert!(!answer.contains(&secret[6..]), "a webhook secret in clear in idempotency_keys: {answer}");
        }
    }
}

tahoon_store::backend_tests!(
    create_list_delete_and_who_may,
    what_creation_refuses,
    concurrent_creations_stop_at_the_limit,
    retried_creations_and_rotations_answer_the_same_secret,
);
