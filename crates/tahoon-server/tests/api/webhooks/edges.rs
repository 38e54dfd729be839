//! What an attacker or a careless client sends the webhook and reminder routes: a body where none
//! belongs, a replayed signature, a signature moved to another endpoint's path, numbers at i64's
//! edges. Each is refused in the envelope, naming what is wrong, and changes nothing.

use super::*;
use tahoon_domain::ids::kind;

/// Sends `raw` as the body of a body-less route, signed over the body as if it had one.
async fn with_body(w: &World, method: Method, path: &str, raw: &str) -> (u16, Value) {
    let signature = fresh_signature_at(&w.p.org.shared_key, raw, w.app.state.clock.now().as_second());
    w.app.header_signed(method, path, &w.p.token, raw, &signature).await
}

/// Sends a body-less request with a given signature header.
async fn signed_with(w: &World, method: Method, path: &str, signature: &str) -> (u16, Value) {
    let response = w
        .app
        .http
        .request(method, w.app.url(path))
        .bearer_auth(&w.p.token)
        .header("x-tahoon-signature", signature)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The endpoint's secret as stored (sealed): changes only when it is rotated.
async fn sealed_secret(w: &World, id: &str) -> String {
    let ids = &w.app.state.ids;
    let organization = ids.decode::<kind::Organization>(&w.p.org.id).unwrap();
    let endpoint = ids.decode::<kind::WebhookEndpoint>(id).unwrap();
    w.app.state.store.webhook_endpoint(organization, endpoint).await.unwrap().unwrap().secret_sealed
}

async fn refused_edges(backend: Backend) {
    let w = world(backend).await;
    let a = w.endpoint("http://127.0.0.1:9/a", &["*"]).await;
    let b = w.endpoint("http://127.0.0.1:9/b", &["*"]).await;
    let delivery = w.test_event(&a.id).await["deliveryId"].as_str().unwrap().to_string();
    let sealed_a = sealed_secret(&w, &a.id).await;

    // A body where none belongs: refused before anything changes.
    for (method, path) in [
        (Method::DELETE, format!("{ENDPOINTS}/{}", a.id)),
        (Method::POST, format!("{ENDPOINTS}/{}/rotate-secret", a.id)),
        (Method::POST, format!("{ENDPOINTS}/{}/test", a.id)),
        (Method::POST, format!("{DELIVERIES}/{delivery}/redeliver")),
    ] {
        let (status, answer) = with_body(&w, method.clone(), &path, r#"{"url":"http://127.0.0.1:9/evil"}"#).await;
        assert_envelope(status, &answer, 400, 105, Some("body"));
        assert!(answer.to_string().contains("takes no request body"), "{method} {path}: {answer}");
    }
    assert_eq!(w.endpoints().await.len(), 2, "nothing deleted");
    assert_eq!(sealed_secret(&w, &a.id).await, sealed_a, "nothing rotated");
    assert_eq!(w.deliveries(&a.id).await.len(), 1, "no test event queued");

    // A replayed signature: the first rotation happens, its replay does not.
    let path = format!("{ENDPOINTS}/{}/rotate-secret", a.id);
    let signature =
        fresh_signature_at(&w.p.org.shared_key, &format!("POST {path}"), w.app.state.clock.now().as_second());
    let (status, first) = signed_with(&w, Method::POST, &path, &signature).await;
    assert_eq!(status, 200, "{first}");
    let rotated = sealed_secret(&w, &a.id).await;
    assert_ne!(rotated, sealed_a);
    let (status, replay) = signed_with(&w, Method::POST, &path, &signature).await;
    assert_envelope(status, &replay, 401, 102, None);
    assert_eq!(sealed_secret(&w, &a.id).await, rotated, "the replay rotated nothing");

    // A signature moved to another endpoint's path does not verify there.
    let sealed_b = sealed_secret(&w, &b.id).await;
    let for_a = format!("{ENDPOINTS}/{}", a.id);
    let moved =
        fresh_signature_at(&w.p.org.shared_key, &format!("DELETE {for_a}"), w.app.state.clock.now().as_second());
    let (status, answer) = signed_with(&w, Method::DELETE, &format!("{ENDPOINTS}/{}", b.id), &moved).await;
    assert_envelope(status, &answer, 401, 102, None);
    assert_eq!(w.endpoints().await.len(), 2, "b is still there");
    assert_eq!(sealed_secret(&w, &b.id).await, sealed_b);

    // Numbers at i64's edges: paging and reminder offsets are refused naming the field.
    let deliveries = format!("{ENDPOINTS}/{}/deliveries", a.id);
    for (query, field) in [
        ("page=9223372036854775807", "page"),
        ("page=-9223372036854775808", "page"),
        ("page=9223372036854775808", "page"),
        ("pageSize=9223372036854775807", "pageSize"),
        ("pageSize=0", "pageSize"),
    ] {
        let (status, answer) = w.get(&format!("{deliveries}?{query}")).await;
        assert_envelope(status, &answer, 400, 105, Some(field));
    }
    for offsets in ["[9223372036854775807]", "[-9223372036854775808]", "[18446744073709551616]", "[1e3]"] {
        let raw = format!(r#"{{"offsetsMinutes":{offsets}}}"#);
        let signature = fresh_signature_at(&w.p.org.shared_key, &raw, w.app.state.clock.now().as_second());
        let (status, answer) =
            w.app.header_signed(Method::PUT, "/api/v1/organization/reminders", &w.p.token, &raw, &signature).await;
        assert_envelope(status, &answer, 400, 105, Some("offsetsMinutes[0]"));
    }
    let (_, reminders) = w.get("/api/v1/organization/reminders").await;
    assert_eq!(reminders["data"]["offsetsMinutes"], json!([1440, 15]), "unchanged");
}

tahoon_store::backend_tests!(refused_edges);
