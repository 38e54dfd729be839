//! `GET /api/v1/audit`: an organization reads its own audit trail (never another's, never
//! personal data), filtered and paged; bad parameters are refused naming the parameter.

use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn an_organization_reads_its_own_audit_trail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mine = app.partner().await;
    let theirs = app.partner().await;
    for (n, partner) in [&mine, &mine, &theirs].into_iter().enumerate() {
        let body =
            json!({"referenceId": format!("AUD-{n}"), "name": "Nour Haddad", "dob": "1990-05-15", "genderType": 0});
        let (status, answer) = app.send(partner, "/api/v1/user/register", body).await;
        assert_eq!(status, 200, "{answer}");
    }

    let (status, page) = get(&app, "/api/v1/audit", &mine.token).await;
    assert_eq!(status, 200, "{page}");
    let entries = page["data"]["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "user.registered").count(), 2, "{actions:?}");
    assert!(actions.contains(&"token.issued"), "{actions:?}");
    assert_eq!(page["data"]["totalCount"].as_i64(), Some(entries.len() as i64));
    // Oldest first, each with its chain hash; nothing personal, nothing about the caller's address.
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for entry in entries {
        let keys: Vec<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["action", "actor", "hash", "occurredAt", "outcome", "requestId", "seq"], "{entry}");
        assert_eq!(entry["hash"].as_str().unwrap().len(), 64);
    }
    let text = page.to_string();
    assert!(!text.contains("Nour") && !text.contains("1990-05-15") && !text.contains("127.0.0.1"), "{text}");

    // The other organization sees only its own: one registration.
    let (_, other) = get(&app, "/api/v1/audit?action=user.registered", &theirs.token).await;
    assert_eq!(other["data"]["totalCount"], 1, "{other}");
    assert!(other["data"]["entries"].as_array().unwrap().iter().all(|e| !seqs.contains(&e["seq"].as_i64().unwrap())));

    // Filters and pages; the legacy path answers the same.
    let (_, registered) = get(&app, "/api/v1/audit?action=user.registered&pageSize=1&page=2", &mine.token).await;
    assert_eq!((registered["data"]["totalCount"].as_i64(), registered["data"]["page"].as_i64()), (Some(2), Some(2)));
    assert_eq!(registered["data"]["entries"].as_array().unwrap().len(), 1);
    let (status, legacy) = get(&app, "/api/audit?action=user.registered", &mine.token).await;
    assert_eq!((status, legacy["data"]["totalCount"].as_i64()), (200, Some(2)));
    let tomorrow = app.state.clock.now().checked_add(jiff::SignedDuration::from_hours(24)).unwrap();
    let (_, later) = get(&app, &format!("/api/v1/audit?from={tomorrow}"), &mine.token).await;
    assert_eq!(later["data"]["totalCount"], 0);
    let (_, none) = get(&app, "/api/v1/audit?action=no.such_action", &mine.token).await;
    assert_eq!(none["data"]["totalCount"], 0);
}

async fn bad_audit_parameters_are_refused_by_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let me = app.partner().await;
    for (query, field) in [
        ("page=0", "page"),
        ("pageSize=501", "pageSize"),
        ("page=9223372036854775807", "page"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("from=2026-05-02&to=2026-05-01", "to"),
        ("action=DROP%20TABLE", "action"),
        ("action=%3Cscript%3E", "action"),
    ] {
        let (status, body) = get(&app, &format!("/api/v1/audit?{query}"), &me.token).await;
        assert_envelope(status, &body, 400, 105, Some(field));
    }
    let (status, body) = get(&app, "/api/v1/audit", "not-a-token").await;
    assert_envelope(status, &body, 401, 101, None);
}

tahoon_store::backend_tests!(an_organization_reads_its_own_audit_trail, bad_audit_parameters_are_refused_by_name);
