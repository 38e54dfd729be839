//! Settings held in the database, over HTTP with the operator token: list, read, change, refuse,
//! mask, reset, audit; and a change made by another instance seen without a restart.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;
use tahoon_domain::settings::{CATALOGUE, VideoProvider};
use tahoon_server::services::settings::{self, CHECK_UNWATCHED, CHECK_WATCHED, Settings};
use tahoon_server::{AppState, Clock};
use tahoon_store::Backend;

const OPERATOR: &str = OPERATOR_TOKEN;
const SECRET: &str = "sk_live_0123456789abcdefXYZW";

async fn operator(app: &TestApp, method: reqwest::Method, key: &str, body: Option<Value>) -> (u16, Value) {
    let path =
        if key.is_empty() { "/api/v1/admin/settings".to_string() } else { format!("/api/v1/admin/settings/{key}") };
    let mut request = app.http.request(method, app.url(&path)).bearer_auth(OPERATOR);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn get(app: &TestApp, key: &str) -> Value {
    let (status, body) = operator(app, reqwest::Method::GET, key, None).await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

async fn put(app: &TestApp, key: &str, value: &str) -> (u16, Value) {
    operator(app, reqwest::Method::PUT, key, Some(json!({ "value": value }))).await
}

async fn delete(app: &TestApp, key: &str) -> (u16, Value) {
    operator(app, reqwest::Method::DELETE, key, None).await
}

fn service_account() -> Value {
    json!({
        "type": "service_account",
        "project_id": "tahoon-test",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
        "client_email": "push@tahoon-test.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token"
    })
}

async fn operator_lists_reads_and_changes_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.http.get(app.url("/api/v1/admin/settings")).bearer_auth("wrong").send().await.unwrap();
    let status = response.status().as_u16();
    assert_envelope(status, &response.json().await.unwrap(), 401, 101, None);

    let (status, list) = operator(&app, reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200, "{list}");
    let keys: Vec<&str> = list["data"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, CATALOGUE.iter().map(|s| s.key).collect::<Vec<_>>(), "every known key, in order");
    let provider = get(&app, "video.provider").await;
    assert_eq!(provider, list["data"][0]);
    assert_eq!(
        (&provider["group"], &provider["type"], &provider["value"], &provider["default"], &provider["isSet"]),
        (&json!("video"), &json!("choice"), &json!("jitsi"), &json!("jitsi"), &json!(false))
    );
    assert_eq!(provider["choices"], json!(["jitsi", "videosdk", "livekit"]));
    let timeout = get(&app, "video.request_timeout_ms").await;
    assert_eq!((timeout["minimum"].as_i64(), timeout["maximum"].as_i64()), (Some(100), Some(60_000)));
    let secret = get(&app, "videosdk.secret_key").await;
    assert_eq!((&secret["secret"], &secret["value"], &secret["default"]), (&json!(true), &Value::Null, &Value::Null));

    // Changes are checked; a refusal names `value` and says why.
    let (status, body) = put(&app, "video.request_timeout_ms", "1500").await;
    assert_eq!((status, &body["data"]["value"], &body["data"]["isSet"]), (200, &json!("1500"), &json!(true)), "{body}");
    assert_eq!(body["data"]["updatedBy"], "operator");
    for (key, bad, says) in [
        ("video.request_timeout_ms", "60001", "a whole number of milliseconds from 100 to 60000"),
        ("video.request_timeout_ms", "5s", "a whole number of milliseconds"),
        ("video.provider", "zoom", "one of: jitsi, videosdk, livekit"),
        ("video.provider", "videosdk", "videosdk.api_key and videosdk.secret_key set first"),
        ("videosdk.enable_recording", "yes", "true or false"),
        ("jitsi.base_url", "ftp://meet.example.org", "http or https"),
        ("videosdk.api_key", "  ", "reset the setting"),
    ] {
        let (status, body) = put(&app, key, bad).await;
        assert_envelope(status, &body, 400, 105, Some("value"));
        assert!(body["message"].as_str().unwrap().contains(says), "{key} {bad}: {body}");
    }
    for (body, reason, field) in [
        (json!({"value": 5}), 105, "value"),
        (json!({}), 1, "value"),
        (json!({"value": "x", "extra": 1}), 105, "extra"),
    ] {
        let (status, answer) = operator(&app, reqwest::Method::PUT, "jitsi.app_id", Some(body)).await;
        assert_envelope(status, &answer, 400, reason, Some(field));
    }
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let body = (method == reqwest::Method::PUT).then(|| json!({"value": "x"}));
        let (status, answer) = operator(&app, method, "smtp.host", body).await;
        assert_envelope(status, &answer, 404, 104, None);
    }

    // A secret is sealed at rest and never answered in full.
    let (status, body) = put(&app, "videosdk.secret_key", &format!("  {SECRET}\n")).await;
    assert_eq!((status, &body["data"]["value"]), (200, &json!("••••XYZW")), "{body}");
    let stored = app.state.store.settings().await.unwrap();
    let row = stored.settings.iter().find(|s| s.key == "videosdk.secret_key").unwrap();
    assert!(row.sealed && row.value.starts_with("v1.") && !row.value.contains(SECRET));
    assert_eq!(app.state.config.secrets.master_key.unseal(&row.value).unwrap(), SECRET, "trimmed, then sealed");
    let (_, list) = operator(&app, reqwest::Method::GET, "", None).await;
    assert!(!list.to_string().contains(SECRET) && !list.to_string().contains("0123456789abcdef"));
    let (status, body) = put(&app, "fcm.service_account", &service_account().to_string()).await;
    assert_eq!((status, &body["data"]["value"]), (200, &json!("••••")), "{body}");
    let mut incomplete = service_account();
    incomplete.as_object_mut().unwrap().remove("token_uri");
    let (status, body) = put(&app, "fcm.service_account", &incomplete.to_string()).await;
    assert_envelope(status, &body, 400, 105, Some("value"));
    assert!(body["message"].as_str().unwrap().contains("token_uri must be a non-empty string"), "{body}");
    assert!(!body.to_string().contains("MIIEvQ"), "the refusal does not echo the key");

    // With its keys set, the vendor can be chosen; the running app uses it at once.
    assert_eq!(put(&app, "videosdk.api_key", "vsdk-key").await.0, 200);
    let (status, body) = put(&app, "video.provider", "VideoSDK").await;
    assert_eq!((status, &body["data"]["value"]), (200, &json!("videosdk")), "{body}");
    let video = app.state.settings.video().await.unwrap();
    assert_eq!(video.provider, VideoProvider::VideoSdk);
    assert_eq!(video.videosdk.secret_key.unwrap().expose(), SECRET);
    assert_eq!(video.request_timeout, Duration::from_millis(1500));
    assert_eq!(app.state.settings.fcm().await.unwrap().service_account.unwrap().project_id, "tahoon-test");

    // A key the chosen vendor needs cannot be reset; the vendor can, back to its default.
    let (status, body) = delete(&app, "videosdk.secret_key").await;
    assert_envelope(status, &body, 400, 105, Some("key"));
    assert!(body["message"].as_str().unwrap().contains("video.provider is videosdk"), "{body}");
    let (status, body) = delete(&app, "video.provider").await;
    assert_eq!((status, &body["data"]["value"], &body["data"]["isSet"]), (200, &json!("jitsi"), &json!(false)));
    assert_eq!(body["data"]["updatedAt"], Value::Null);
    assert_eq!(delete(&app, "video.provider").await.0, 200, "resetting what is not set is a no-op");
    assert_eq!(app.state.settings.video().await.unwrap().provider, VideoProvider::Jitsi);

    // Every change is audited, with the key and actor, and never a secret.
    let entries = app.state.store.audit_entries(0, 1000).await.unwrap();
    let changes: Vec<(String, Value)> = entries
        .iter()
        .filter(|e| e.content.action.starts_with("setting."))
        .map(|e| (e.content.action.clone(), serde_json::from_str(&e.content.details).unwrap()))
        .collect();
    assert_eq!(changes.len(), 6, "{changes:?}");
    assert!(
        changes.iter().all(|(_, d)| !d.to_string().contains("0123456789abcdef") && !d.to_string().contains("MIIEvQ"))
    );
    assert!(entries.iter().all(|e| !e.content.details.contains("v1.")), "nor a sealed value");
    assert!(changes.contains(&("setting.changed".into(), json!({"key": "videosdk.secret_key", "secret": true}))));
    assert!(changes.contains(&("setting.changed".into(), json!({"key": "video.provider", "value": "videosdk"}))));
    assert!(changes.contains(&("setting.reset".into(), json!({"key": "video.provider"}))));
    assert!(entries.iter().filter(|e| e.content.action.starts_with("setting.")).all(|e| e.content.actor == "operator"));
}

/// A request timeout that would outlast half the booking hold is refused.
async fn the_video_timeout_stays_inside_the_hold(backend: Backend) {
    let app = TestApp::spawn_with(backend, |mut state| {
        let key = state.config.secrets.master_key.clone();
        state.settings = Settings::new(state.store.clone(), key, state.clock.clone(), 10);
        state
    })
    .await;
    let (status, body) = put(&app, "video.request_timeout_ms", "5001").await;
    assert_envelope(status, &body, 400, 105, Some("value"));
    assert!(body["message"].as_str().unwrap().contains("at most 5000 milliseconds"), "{body}");
    assert_eq!(put(&app, "video.request_timeout_ms", "5000").await.0, 200);
}

/// Stored values the server cannot use (written behind its back, or sealed under another master
/// key) leave their default in force and are listed with the problem; unknown keys are ignored.
async fn a_stored_value_that_cannot_be_used_shows_its_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (key, value, sealed) in [
        ("video.provider", "zoom", false),
        ("videosdk.secret_key", "v1.c2VhbGVkIHVuZGVyIGFub3RoZXIga2V5IQ==", true),
        ("smtp.host", "mail.example.org", false),
    ] {
        let setting = tahoon_store::StoredSetting {
            key: key.into(),
            value: value.into(),
            sealed,
            updated_at: app.state.clock.now(),
            updated_by: "sql".into(),
        };
        let audit = app.state.audit.content(tahoon_server::services::audit::AuditEvent::success("test", None, "t"));
        app.state.store.set_setting(tahoon_store::SettingChange { setting, audit }).await.unwrap();
    }
    app.state.settings.invalidate();
    let provider = get(&app, "video.provider").await;
    assert_eq!((&provider["value"], &provider["isSet"]), (&json!("jitsi"), &json!(true)));
    let problem = provider["problem"].as_str().unwrap();
    assert!(
        problem.contains("no longer valid: must be one of") && problem.contains("default is in force"),
        "{problem}"
    );
    assert!(!problem.contains("zoom"));
    let secret = get(&app, "videosdk.secret_key").await;
    assert_eq!(secret["value"], Value::Null);
    assert!(secret["problem"].as_str().unwrap().contains("cannot be unsealed with this master key"), "{secret}");
    let (_, list) = operator(&app, reqwest::Method::GET, "", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), CATALOGUE.len(), "unknown keys are not listed");
    assert_eq!(app.state.settings.video().await.unwrap().provider, VideoProvider::Jitsi);
    // Setting a valid value clears the problem.
    assert_eq!(put(&app, "video.provider", "jitsi").await.1["data"]["problem"], Value::Null);
}

/// Another instance (or the CLI) on the same database: its own store and state.
async fn another_instance(app: &TestApp) -> AppState {
    let store = tahoon_store::open(&app._db_url()).await.unwrap();
    AppState::with_clock(store, test_config(), Clock::manual(jiff::Timestamp::now()))
}

async fn a_change_elsewhere_is_seen_without_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let other = another_instance(&app).await;
    assert_eq!(get(&app, "jitsi.base_url").await["value"], "https://meet.jit.si");
    let mut notices = app.state.settings.notices();

    settings::set(&other, "jitsi.base_url", "https://meet.example.org/", "cli").await.unwrap();
    match backend {
        Backend::Sqlite => {
            // Read through the cache: the counter is looked at no more than once a second …
            assert_eq!(get(&app, "jitsi.base_url").await["value"], "https://meet.jit.si", "cached");
            app.state.clock.advance(CHECK_UNWATCHED);
        }
        Backend::Postgres => {
            // … PostgreSQL announces the change as it commits.
            tokio::time::timeout(Duration::from_secs(10), notices.changed()).await.expect("notified").unwrap();
        }
    }
    let seen = get(&app, "jitsi.base_url").await;
    assert_eq!((&seen["value"], &seen["updatedBy"]), (&json!("https://meet.example.org"), &json!("cli")));
    assert_eq!(app.state.settings.video().await.unwrap().jitsi.base_url, "https://meet.example.org");

    // A reset elsewhere too.
    settings::reset(&other, "jitsi.base_url", "cli").await.unwrap();
    if backend == Backend::Postgres {
        tokio::time::timeout(Duration::from_secs(10), notices.changed()).await.expect("notified").unwrap();
    } else {
        app.state.clock.advance(CHECK_UNWATCHED);
    }
    assert_eq!(get(&app, "jitsi.base_url").await["value"], "https://meet.jit.si");
    if backend == Backend::Postgres {
        a_lost_notice_is_made_up_by_the_counter(&app).await;
    }
}

/// A change whose notice never arrives (written behind the store's back, without NOTIFY) is still
/// seen once the watched instance looks at the counter, within `CHECK_WATCHED`.
async fn a_lost_notice_is_made_up_by_the_counter(app: &TestApp) {
    let raw = tahoon_store::PostgresStore::open(&app._db_url()).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO settings (key, value, sealed, updated_at, updated_by) VALUES ('jitsi.app_id', 'tahoon', FALSE, 0, 'sql'); \
         UPDATE settings_version SET version = version + 1 WHERE id = 1",
    )
    .execute(raw.pool())
    .await
    .unwrap();
    app.state.clock.advance(CHECK_UNWATCHED);
    assert_eq!(get(app, "jitsi.app_id").await["value"], Value::Null, "watched: the counter waits longer");
    app.state.clock.advance(CHECK_WATCHED);
    assert_eq!(get(app, "jitsi.app_id").await["value"], "tahoon");
}

tahoon_store::backend_tests!(
    operator_lists_reads_and_changes_settings,
    the_video_timeout_stays_inside_the_hold,
    a_stored_value_that_cannot_be_used_shows_its_problem,
    a_change_elsewhere_is_seen_without_restart,
);
