//! The operator plane: organizations over HTTP with the operator token.

use crate::helpers::*;
use serde_json::{Value, json};
use tahoon_store::Backend;

const OPERATOR: &str = OPERATOR_TOKEN;

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn operator_manages_organizations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let post = reqwest::Method::POST;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v1/admin/organizations", "wrong", None).await;
    assert_envelope(status, &body, 401, 101, None);
    // A partner's token is not an operator token.
    let partner = app.org().await;
    let partner_token = app.access_token(&partner).await;
    let (status, _) = call(&app, reqwest::Method::GET, "/api/v1/admin/organizations", &partner_token, None).await;
    assert_eq!(status, 401);

    let create = json!({"name": "Helping Hands", "kind": "charity", "balance": 12, "role": "ReadOnly"});
    let (status, body) = call(&app, post.clone(), "/api/v1/admin/organizations", OPERATOR, Some(create)).await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["organizationId"].as_str().unwrap().to_string();
    let org = TestOrg {
        id: id.clone(),
        access_key: body["data"]["accessKey"].as_str().unwrap().into(),
        shared_key: body["data"]["sharedApiKey"].as_str().unwrap().into(),
    };
    let token = app.access_token(&org).await;
    assert_eq!(crate::auth::claims_of(&token)["role"], "ReadOnly");

    for (bad, reason, field) in [
        (json!({"kind": "charity"}), 1, "name"),
        (json!({"name": "<b>x</b>"}), 105, "name"),
        (json!({"name": "   "}), 105, "name"),
        (json!({"name": "X", "balance": -1}), 105, "balance"),
        (json!({"name": "X", "rateLimitPerMinute": 0}), 105, "rateLimitPerMinute"),
        (json!({"name": "X", "kind": "bogus"}), 105, "kind"),
        (json!({"name": "X", "secret": 1}), 105, "secret"),
    ] {
        let (status, body) = call(&app, post.clone(), "/api/v1/admin/organizations", OPERATOR, Some(bad)).await;
        assert_envelope(status, &body, 400, reason, Some(field));
    }

    let (status, list) = call(&app, reqwest::Method::GET, "/api/v1/admin/organizations", OPERATOR, None).await;
    assert_eq!(status, 200);
    let listed = list["data"].as_array().unwrap().iter().find(|o| o["organizationId"] == id.as_str()).unwrap();
    assert_eq!((listed["kind"].as_str(), listed["balance"].as_i64()), (Some("charity"), Some(12)));
    assert!(!list.to_string().contains(&org.access_key) && !list.to_string().contains(&org.shared_key));

    let path = format!("/api/v1/admin/organizations/{id}");
    let (status, body) = call(&app, reqwest::Method::PATCH, &path, OPERATOR, Some(json!({"enabled": false}))).await;
    assert_eq!((status, &body["data"]["enabled"]), (200, &json!(false)), "{body}");
    let check = signed(&org.shared_key, json!({"a": "b"}));
    assert_eq!(app.post("/api/v1/diagnostics/signature", &token, &check).await.0, 401);
    call(&app, reqwest::Method::PATCH, &path, OPERATOR, Some(json!({"enabled": true}))).await;
    assert_eq!(app.post("/api/v1/diagnostics/signature", &token, &check).await.0, 200);

    let (status, body) =
        call(&app, reqwest::Method::PATCH, "/api/v1/admin/organizations/org_nope", OPERATOR, Some(json!({}))).await;
    assert_envelope(status, &body, 404, 104, None);
    let booking_like = partner.id.replacen("org_", "bkg_", 1);
    let (status, _) =
        call(&app, post.clone(), &format!("/api/v1/admin/organizations/{booking_like}/rotate-keys"), OPERATOR, None)
            .await;
    assert_eq!(status, 404);

    let (status, rotated) = call(&app, post, &format!("{path}/rotate-keys"), OPERATOR, None).await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(app.post("/api/v1/diagnostics/signature", &token, &check).await.0, 401, "old token dead");
    let renewed = TestOrg {
        id,
        access_key: rotated["data"]["accessKey"].as_str().unwrap().into(),
        shared_key: rotated["data"]["sharedApiKey"].as_str().unwrap().into(),
    };
    assert_eq!(crate::auth::claims_of(&app.access_token(&renewed).await)["role"], "ReadOnly", "role kept");

    let actions: Vec<String> =
        app.state.store.audit_entries(0, 1000).await.unwrap().into_iter().map(|e| e.content.action).collect();
    assert!(actions.iter().filter(|a| *a == "organization.updated").count() >= 2);
    assert!(actions.contains(&"organization.keys_rotated".to_string()));
}

tahoon_store::backend_tests!(operator_manages_organizations);
