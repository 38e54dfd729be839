//! Tokens: issuance, validation of every claim, refresh rotation, reuse detection, revocation.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};
use tahoon_domain::audit::ChainVerifier;
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_server::services::organizations;
use tahoon_store::{Backend, OrganizationChanges};

const CHECK: &str = "/api/v1/diagnostics/signature";

pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn header_with(alg: Algorithm, kid: &str) -> Header {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    header
}

/// The issue's walk-through: org → token → signed request → tampered request → every kind of bad
/// token → refresh rotation → reuse detection → disabled organization.
async fn walkthrough(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let grant = app.token(&org).await;
    assert_eq!(grant["token_type"], "bearer");
    assert_eq!(grant["expires_in"], 86400);
    assert!(grant["refresh_expires_in"].as_i64().unwrap() > 86400);
    let access = grant["access_token"].as_str().unwrap().to_string();
    let claims = claims_of(&access);
    for claim in ["iss", "aud", "exp", "iat", "jti", "sub", "role"] {
        assert!(claims.get(claim).is_some(), "claim {claim} present");
    }
    assert_eq!(claims["sub"], json!(org.id));
    assert!(!access.contains(&org.shared_key) && !claims.to_string().contains(&org.shared_key));

    // A signed request is accepted…
    let body = signed(&org.shared_key, json!({"referenceId": "ORG-USER-123", "name": "John Doe", "genderType": 1}));
    let (status, _, answer) = app.post(CHECK, &access, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["verified"], true);
    assert_eq!(answer["data"]["form"], "secureHash");
    // …and the same request with one field changed is not.
    let mut tampered = body.clone();
    tampered["genderType"] = json!(0);
    let (status, _, answer) = app.post(CHECK, &access, &tampered).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    assert_eq!(answer["data"]["canonicalString"], "genderType=0&name=John Doe&referenceId=ORG-USER-123");

    // Bad tokens, each refused with 401 InvalidToken.
    let kid = app.state.tokens.kid().to_string();
    let now = now();
    let forge = |alg: Algorithm, kid: &str, change: &dyn Fn(&mut Value)| {
        let mut c = claims.clone();
        change(&mut c);
        app.state.tokens.sign(&header_with(alg, kid), &c)
    };
    let expired = forge(Algorithm::HS256, &kid, &|c| {
        c["exp"] = json!(now - 5);
        c["iat"] = json!(now - 100);
        c["nbf"] = json!(now - 100);
    });
    let wrong_audience = forge(Algorithm::HS256, &kid, &|c| c["aud"] = json!("someone-else"));
    let wrong_issuer = forge(Algorithm::HS256, &kid, &|c| c["iss"] = json!("evil"));
    let hs384 = forge(Algorithm::HS384, &kid, &|_| {});
    let unknown_kid = forge(Algorithm::HS256, "other-key", &|_| {});
    let other_org = forge(Algorithm::HS256, &kid, &|c| c["sub"] = json!("org_AAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#)),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut parts: Vec<String> = access.split('.').map(String::from).collect();
    let mut payload = claims.clone();
    payload["role"] = json!("FullAccess");
    payload["exp"] = json!(now + 999_999);
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    let tampered_payload = parts.join(".");
    let mut tampered_signature = access.clone();
    let last = tampered_signature.pop().unwrap();
    tampered_signature.push(if last == 'A' { 'B' } else { 'A' });
    for (name, token) in [
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("HS384", hs384),
        ("unknown kid", unknown_kid),
        ("another organization's sub", other_org),
        ("alg none", alg_none),
        ("tampered payload", tampered_payload),
        ("tampered signature", tampered_signature),
        ("garbage", "not-a-jwt".into()),
    ] {
        let (status, headers, answer) = app.post(CHECK, &token, &body).await;
        assert_eq!(status, 401, "{name}: {answer}");
        assert_eq!(answer["reason"], 101, "{name}");
        assert!(headers.contains_key("www-authenticate"), "{name}");
    }
    let response = app.http.post(app.url(CHECK)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 401, "missing token");

    // Revocation of an access token.
    let victim = app.access_token(&org).await;
    assert_eq!(app.post(CHECK, &victim, &body).await.0, 200);
    let (status, _) = app.form("/api/v1/auth/revoke", &[("token", &victim), ("token_type_hint", "access_token")]).await;
    assert_eq!(status, 200);
    assert_eq!(app.post(CHECK, &victim, &body).await.0, 401, "revoked access token");
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200, "other tokens unaffected");

    // Refresh rotation, then reuse of the old refresh token revokes the family.
    let first_refresh = grant["refresh_token"].as_str().unwrap().to_string();
    let (status, rotated) =
        app.form("/api/v1/auth/token", &[("grant_type", "refresh_token"), ("refresh_token", &first_refresh)]).await;
    assert_eq!(status, 200, "{rotated}");
    let second_refresh = rotated["refresh_token"].as_str().unwrap().to_string();
    let second_access = rotated["access_token"].as_str().unwrap().to_string();
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(app.post(CHECK, &second_access, &body).await.0, 200);
    let (status, error) =
        app.form("/api/v1/auth/refresh", &[("grant_type", "refresh_token"), ("refresh_token", &first_refresh)]).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("invalid_grant")), "reuse refused");
    let (status, _) = app.form("/api/v1/auth/refresh", &[("refresh_token", &second_refresh)]).await;
    assert_eq!(status, 400, "the whole family is revoked, the newest refresh token too");
    assert_eq!(app.post(CHECK, &second_access, &body).await.0, 401, "and its access tokens");
    assert_eq!(app.post(CHECK, &access, &body).await.0, 401, "including the first one");

    // A disabled organization's token is refused, and it can get no new one.
    let fresh = app.access_token(&org).await;
    assert_eq!(app.post(CHECK, &fresh, &body).await.0, 200);
    let org_id = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&org.id).unwrap();
    let disable = OrganizationChanges { enabled: Some(false), ..Default::default() };
    organizations::update(&app.state, org_id, disable, "test").await.unwrap().unwrap();
    let (status, _, answer) = app.post(CHECK, &fresh, &body).await;
    assert_envelope(status, &answer, 401, 101, None);
    let (status, error) =
        app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &org.access_key)]).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("invalid_grant")));

    // Every step above is in the audit trail, whose chain is intact, and no secret is in it.
    let entries = app.state.store.audit_entries(0, 1_000).await.unwrap();
    let mut verifier = ChainVerifier::default();
    for entry in &entries {
        verifier.check(entry).unwrap();
        for secret in [&org.access_key, &org.shared_key, &first_refresh, &access] {
            assert!(!entry.content.details.contains(secret.as_str()), "no secret in the audit log");
        }
    }
    let actions: Vec<&str> = entries.iter().map(|e| e.content.action.as_str()).collect();
    for action in [
        "organization.created",
        "token.issued",
        "signature.failed",
        "auth.failed",
        "token.revoked",
        "token.refreshed",
        "token.reuse_detected",
        "organization.updated",
    ] {
        assert!(actions.contains(&action), "{action} audited; got {actions:?}");
    }
    let failed = entries.iter().find(|e| e.content.action == "auth.failed").unwrap();
    assert!(failed.content.request_id.as_deref().is_some_and(|id| id.starts_with("req_")));
    assert_eq!(failed.content.source_ip.as_deref(), Some("127.0.0.1"));
}

async fn token_route_errors_use_the_oauth_body(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    for (form, error) in [
        (vec![("access_key", org.access_key.as_str())], "invalid_request"),
        (vec![("grant_type", "client_credentials")], "unsupported_grant_type"),
        (vec![("grant_type", "password")], "invalid_request"),
        (vec![("grant_type", "password"), ("access_key", "thn_ak_wrong")], "invalid_grant"),
        (vec![("grant_type", "refresh_token"), ("refresh_token", "thn_rt_wrong")], "invalid_grant"),
    ] {
        let (status, body) = app.form("/api/v1/auth/token", &form).await;
        assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{form:?}: {body}");
        assert!(body["error_description"].is_string());
    }
    // JSON works as well as a form, on the legacy path too.
    let response = app
        .http
        .post(app.url("/api/auth/token"))
        .json(&json!({"grant_type": "password", "access_key": org.access_key}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["deprecation"], "true");
    let grant: Value = response.json().await.unwrap();
    assert!(grant["access_token"].is_string());
    // Malformed JSON is an OAuth error too, never a 500.
    let response = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Revocation: a missing token is invalid_request; an unknown token is 200 (RFC 7009).
    assert_eq!(app.form("/api/v1/auth/revoke", &[]).await.0, 400);
    assert_eq!(app.form("/api/v1/auth/revoke", &[("token", "whatever")]).await.0, 200);
    assert_eq!(app.form("/api/v1/auth/revoke", &[("token", "thn_rt_unknown")]).await.0, 200);
}

async fn revoking_a_refresh_token_revokes_its_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let grant = app.token(&org).await;
    let access = grant["access_token"].as_str().unwrap();
    let body = signed(&org.shared_key, json!({"a": "b"}));
    assert_eq!(app.post(CHECK, access, &body).await.0, 200);
    let (status, _) = app.form("/api/v1/auth/revoke", &[("token", grant["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(status, 200);
    assert_eq!(app.post(CHECK, access, &body).await.0, 401);
    let (status, _) =
        app.form("/api/v1/auth/refresh", &[("refresh_token", grant["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(status, 400);
}

async fn rotating_keys_invalidates_old_credentials(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org().await;
    let old_access = app.access_token(&org).await;
    let org_id = app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&org.id).unwrap();
    let issued = organizations::rotate_keys(&app.state, org_id, "test").await.unwrap().unwrap();
    assert_eq!(issued.organization_id, org.id);
    let body = signed(&org.shared_key, json!({"a": "b"}));
    assert_eq!(app.post(CHECK, &old_access, &body).await.0, 401, "old token");
    let (status, _) =
        app.form("/api/v1/auth/token", &[("grant_type", "password"), ("access_key", &org.access_key)]).await;
    assert_eq!(status, 400, "old access key");
    let rotated = TestOrg { id: org.id.clone(), access_key: issued.access_key, shared_key: issued.shared_api_key };
    let new_access = app.access_token(&rotated).await;
    let (status, _, answer) = app.post(CHECK, &new_access, &body).await;
    assert_envelope(status, &answer, 401, 102, Some("secureHash"));
    let body = signed(&rotated.shared_key, json!({"a": "b"}));
    assert_eq!(app.post(CHECK, &new_access, &body).await.0, 200, "new shared key");
}

async fn read_only_role_cannot_mutate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.create_org(OrganizationKind::Standard, Role::ReadOnly, false).await;
    let access = app.access_token(&org).await;
    assert_eq!(crate::auth::claims_of(&access)["role"], "ReadOnly");
    let body = signed(&org.shared_key, json!({"name": "John", "genderType": 1}));
    let (status, _, answer) = app.post("/test/probe", &access, &body).await;
    assert_envelope(status, &answer, 403, 103, None);
    // Checking a signature changes nothing, so a read-only key may.
    assert_eq!(app.post(CHECK, &access, &body).await.0, 200);
    // FullAccess may mutate.
    let full = app.org().await;
    let access = app.access_token(&full).await;
    let body = signed(&full.shared_key, json!({"name": "John", "genderType": 1}));
    let (status, _, answer) = app.post("/test/probe", &access, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"], json!({"name": "John", "genderType": 1, "answers": []}));
}

tahoon_store::backend_tests!(
    walkthrough,
    token_route_errors_use_the_oauth_body,
    revoking_a_refresh_token_revokes_its_family,
    rotating_keys_invalidates_old_credentials,
    read_only_role_cannot_mutate,
);

/// Rotating the token-signing key: instances given the old key as retired still accept the
/// tokens it signed (until they expire) and sign new ones with the new key; an instance that no
/// longer knows the old key refuses its tokens.
#[tokio::test]
async fn a_retired_signing_key_still_verifies_its_tokens() {
    use tahoon_server::config::RetiredKeys;
    use tahoon_server::services::tokens::TokenService;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let org = app.org().await;
    let old_token = app.access_token(&org).await;
    let rekeyed = |retired: Vec<[u8; 32]>| {
        move |mut state: tahoon_server::AppState| {
            let mut config = (*state.config).clone();
            config.secrets.token_signing_key = [33u8; 32];
            config.retired_token_signing_keys = RetiredKeys::new(retired);
            state.config = std::sync::Arc::new(config);
            state.tokens =
                TokenService::new(state.store.clone(), state.config.clone(), state.ids.clone(), state.clock.clone());
            state
        }
    };
    let rotated = app.second_instance_with(rekeyed(vec![[22u8; 32]])).await;
    let forgetful = app.second_instance_with(rekeyed(vec![])).await;
    let usage = |base: &str, token: &str| {
        let request = app.http.get(format!("{base}/api/v1/organization/usage")).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(usage(&rotated, &old_token).await, 200, "the retired key verifies its tokens");
    assert_eq!(usage(&forgetful, &old_token).await, 401, "a key no longer listed verifies nothing");
    // New tokens carry the new key's id.
    let response = app
        .http
        .post(format!("{rotated}/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", org.access_key.as_str())])
        .send()
        .await
        .unwrap();
    let new_token = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let kid = |token: &str| {
        let header = token.split('.').next().unwrap();
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()["kid"].clone()
    };
    assert_ne!(kid(&new_token), kid(&old_token));
    assert_eq!(usage(&rotated, &new_token).await, 200);
    assert_eq!(usage(&forgetful, &new_token).await, 200);
    // An instance still on the old key only does not know the new one.
    assert_eq!(usage(&app.base, &new_token).await, 401);
    // A token of a retired key can still be revoked through the rotated instance.
    let response = app
        .http
        .post(format!("{rotated}/api/v1/auth/revoke"))
        .form(&[("token", old_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(usage(&rotated, &old_token).await, 401);
}
