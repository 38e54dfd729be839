use super::*;
use serde_json::json;
use std::time::Duration;

fn parse(key: &str, text: &str) -> Result<String, String> {
    find(key).unwrap().parse(text).map(|v| v.to_text()).map_err(|e| e.0)
}

fn refused(key: &str, text: &str, says: &str) {
    let why = parse(key, text).expect_err(&format!("{key} = {text:?} accepted"));
    assert!(why.contains(says), "{key} = {text:?}: {why}");
    if text.len() >= 8 {
        assert!(!why.contains(text.trim()), "the reason repeats the value: {why}");
    }
}

const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";

fn account() -> serde_json::Value {
    json!({
        "type": "service_account",
        "project_id": "tahoon-test",
        "private_key_id": "abc",
        "private_key": PEM,
        "client_email": "push@tahoon-test.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token"
    })
}

#[test]
fn the_catalogue_is_well_formed() {
    let mut keys = std::collections::BTreeSet::new();
    for spec in CATALOGUE {
        assert!(keys.insert(spec.key), "{} twice", spec.key);
        let (group, name) = spec.key.split_once('.').expect("group.name");
        assert!(!name.is_empty() && !name.contains('.'), "{}", spec.key);
        assert_eq!(spec.key, spec.key.to_ascii_lowercase());
        assert!(GROUPS.iter().any(|g| g.name == group), "{} has no group", spec.key);
        assert_eq!(spec.group(), group);
        assert!(!spec.description.is_empty() && !spec.description.contains('\n'));
        assert!(!(spec.secret && spec.default.is_some()), "{} is secret with a default", spec.key);
        if let Some(default) = spec.default {
            let value = spec.parse(default).unwrap_or_else(|e| panic!("{}'s default: {e}", spec.key));
            assert_eq!(value.to_text(), default, "{}'s default is stored as written", spec.key);
        }
    }
    for group in GROUPS {
        assert!(CATALOGUE.iter().any(|s| s.group() == group.name), "{} is empty", group.name);
    }
    for r in REQUIREMENTS {
        assert!(find(r.key).unwrap().parse(r.value).is_ok());
        assert!(r.needs.iter().all(|key| find(key).is_some()));
    }
    // The keys the issue names.
    for key in [
        "video.provider",
        "videosdk.api_endpoint",
        "videosdk.api_key",
        "videosdk.secret_key",
        "videosdk.enable_recording",
        "jitsi.base_url",
        "jitsi.app_id",
        "jitsi.app_secret",
        "livekit.url",
        "livekit.api_key",
        "livekit.api_secret",
        "fcm.service_account",
        "fcm.base_url",
        "video.connect_timeout_ms",
        "video.request_timeout_ms",
        "fcm.connect_timeout_ms",
        "fcm.request_timeout_ms",
        "privacy.share_user_name_with_providers",
    ] {
        assert!(find(key).is_some(), "{key}");
    }
    let secrets: Vec<&str> = CATALOGUE.iter().filter(|s| s.secret).map(|s| s.key).collect();
    assert_eq!(secrets, ["videosdk.secret_key", "jitsi.app_secret", "livekit.api_secret", "fcm.service_account"]);
}

#[test]
fn unknown_keys_are_not_found_and_known_ones_ignore_case() {
    for key in ["video", "video.", "video.nope", "smtp.host", "", "videoprovider"] {
        assert!(find(key).is_none(), "{key}");
    }
    assert_eq!(find(" Video.Provider ").unwrap().key, "video.provider");
}

#[test]
fn text() {
    assert_eq!(parse("videosdk.api_key", "  key-123  ").unwrap(), "key-123");
    refused("videosdk.api_key", "", "reset the setting");
    refused("videosdk.api_key", "   ", "text of 1 to 4096");
    refused("videosdk.api_key", "a\nb", "without control characters");
    refused("videosdk.api_key", "tab\there", "without control characters");
    refused("videosdk.api_key", &"x".repeat(MAX_TEXT_CHARS + 1), "4096");
    assert!(parse("videosdk.api_key", &"x".repeat(MAX_TEXT_CHARS)).is_ok());
    assert_eq!(parse("jitsi.app_id", "مرحبا").unwrap(), "مرحبا");
}

#[test]
fn urls() {
    assert_eq!(parse("videosdk.api_endpoint", "https://API.example.org/").unwrap(), "https://api.example.org");
    assert_eq!(parse("jitsi.base_url", "http://127.0.0.1:8443/meet/").unwrap(), "http://127.0.0.1:8443/meet");
    assert_eq!(parse("livekit.url", "https://lk.example.org/a b").unwrap(), "https://lk.example.org/a%20b");
    refused("videosdk.api_endpoint", "ftp://example.org", "http or https");
    refused("videosdk.api_endpoint", "javascript:alert(1)", "http or https");
    refused("videosdk.api_endpoint", "example.org/api", "absolute");
    refused("videosdk.api_endpoint", "file:///etc/passwd", "http or https");
    refused("videosdk.api_endpoint", "https://user:pass@example.org", "user name or password");
    refused("videosdk.api_endpoint", "https://example.org/?a=1", "query or fragment");
    refused("videosdk.api_endpoint", "https://example.org/#x", "query or fragment");
    refused("fcm.base_url", "wss://example.org", "http or https");
}

#[test]
fn booleans() {
    assert_eq!(parse("videosdk.enable_recording", "TRUE").unwrap(), "true");
    assert_eq!(parse("videosdk.enable_recording", "false").unwrap(), "false");
    for bad in ["yes", "1", "on", "t"] {
        refused("videosdk.enable_recording", bad, "true or false");
    }
}

#[test]
fn durations_and_bounds() {
    assert_eq!(parse("video.connect_timeout_ms", "100").unwrap(), "100");
    assert_eq!(parse("video.connect_timeout_ms", "30000").unwrap(), "30000");
    for bad in ["99", "30001", "-1", "2s", "1.5", "9223372036854775808", "1e3"] {
        refused("video.connect_timeout_ms", bad, "a whole number of milliseconds from 100 to 30000");
    }
    assert_eq!(parse("video.request_timeout_ms", "60000").unwrap(), "60000");
    refused("video.request_timeout_ms", "60001", "from 100 to 60000");
    let kind = SettingType::Seconds { min: 10, max: 3600 };
    assert_eq!(kind.rule(), "a whole number of seconds from 10 to 3600");
    assert_eq!(kind.bounds(), Some((10, 3600)));
    let integer = SettingType::Integer { min: 1, max: 5 };
    assert_eq!(validate::parse(integer, "5").unwrap(), SettingValue::Integer(5));
    assert_eq!(validate::parse(integer, "6").unwrap_err(), "must be a whole number from 1 to 5");
    assert_eq!(validate::parse(kind, "3600").unwrap(), SettingValue::Integer(3600));
}

#[test]
fn choices() {
    assert_eq!(parse("video.provider", "VideoSDK").unwrap(), "videosdk");
    assert_eq!(parse("video.provider", " livekit ").unwrap(), "livekit");
    refused("video.provider", "zoom", "one of: jitsi, videosdk, livekit");
    assert_eq!(find("video.provider").unwrap().kind.choices(), Some(&["jitsi", "videosdk", "livekit"][..]));
}

#[test]
fn the_service_account_is_checked_field_by_field() {
    let text = account().to_string();
    let stored = parse("fcm.service_account", &text).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stored).unwrap(), account());
    // Pretty-printed, as the downloaded file is.
    assert!(parse("fcm.service_account", &serde_json::to_string_pretty(&account()).unwrap()).is_ok());
    let without_type = {
        let mut a = account();
        a.as_object_mut().unwrap().remove("type");
        a
    };
    assert!(service_account(&without_type).is_ok());
    let changed = |field: &str, value: serde_json::Value| {
        let mut a = account();
        a[field] = value;
        a.to_string()
    };
    let removed = |field: &str| {
        let mut a = account();
        a.as_object_mut().unwrap().remove(field);
        a.to_string()
    };
    refused("fcm.service_account", "not json", "a service-account key");
    refused("fcm.service_account", "[1, 2]", "a JSON object");
    refused("fcm.service_account", "\"text\"", "a JSON object");
    for field in ["project_id", "client_email", "private_key", "token_uri"] {
        refused("fcm.service_account", &removed(field), &format!("{field} must be a non-empty string"));
        refused("fcm.service_account", &changed(field, json!(12)), &format!("{field} must be a non-empty string"));
        refused("fcm.service_account", &changed(field, json!("  ")), &format!("{field} must be a non-empty string"));
    }
    refused("fcm.service_account", &changed("type", json!("authorized_user")), "type must be service_account");
    refused("fcm.service_account", &changed("client_email", json!("push")), "client_email must be an email");
    refused("fcm.service_account", &changed("private_key", json!("MIIEvQIBADAN")), "private_key must be a PEM");
    let public = PEM.replace("PRIVATE KEY", "PUBLIC KEY");
    refused("fcm.service_account", &changed("private_key", json!(public)), "private_key must be a PEM");
    let garbled = PEM.replace("MIIEvQ", "MI*EvQ");
    refused("fcm.service_account", &changed("private_key", json!(garbled)), "private_key must be a PEM");
    let rsa = PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY");
    assert!(parse("fcm.service_account", &changed("private_key", json!(rsa))).is_ok());
    refused("fcm.service_account", &changed("token_uri", json!("http://oauth2.example/token")), "token_uri must be");
    refused("fcm.service_account", &changed("token_uri", json!("token")), "token_uri must be");
    refused("fcm.service_account", &changed("token_uri", json!("ftp://127.0.0.1/token")), "token_uri must be");
    // A local emulator or a test's fake: plain http to a loopback address only.
    for local in ["http://127.0.0.1:4000/token", "http://localhost/token", "http://[::1]:9/token"] {
        assert!(parse("fcm.service_account", &changed("token_uri", json!(local))).is_ok(), "{local}");
    }
    refused("fcm.service_account", &changed("padding", json!("x".repeat(MAX_JSON_BYTES))), "at most 65536 bytes");
    // A refusal never quotes the key.
    let why = parse("fcm.service_account", &changed("token_uri", json!(1))).unwrap_err();
    assert!(!why.contains("MIIEvQ"), "{why}");
}

#[test]
fn secrets_are_masked() {
    assert_eq!(mask("short-secret"), MASK);
    assert_eq!(mask("0123456789abcdef"), "••••cdef");
    assert_eq!(mask("ابتثجحخدذرزسشصضط"), "••••شصضط", "characters, not bytes");
    let spec = find("videosdk.secret_key").unwrap();
    assert_eq!(spec.shown(&spec.parse("sk_live_0123456789abcdef").unwrap()), "••••cdef");
    let spec = find("fcm.service_account").unwrap();
    assert_eq!(spec.shown(&spec.parse(&account().to_string()).unwrap()), MASK);
    let spec = find("videosdk.api_key").unwrap();
    assert_eq!(spec.shown(&spec.parse("public-key-0123456789").unwrap()), "public-key-0123456789");
    // Debug shows no value.
    let value = find("videosdk.secret_key").unwrap().parse("sk_live_0123456789abcdef").unwrap();
    assert_eq!(format!("{value:?}"), "Text(24 characters)");
    assert_eq!(format!("{:?}", SecretText::new("hidden")), "SecretText(..)");
}

fn values(pairs: &[(&str, &str)]) -> SettingValues {
    let mut values = SettingValues::new();
    for (key, text) in pairs {
        let spec = find(key).unwrap();
        values.insert(spec, spec.parse(text).unwrap());
    }
    values
}

#[test]
fn typed_groups_read_defaults_then_what_is_set() {
    let defaults = SettingValues::new();
    let video = defaults.video();
    assert_eq!(video.provider, VideoProvider::Jitsi);
    assert_eq!((video.connect_timeout, video.request_timeout), (Duration::from_secs(2), Duration::from_secs(5)));
    assert_eq!(video.videosdk.api_endpoint, "https://api.videosdk.live");
    assert_eq!((video.videosdk.api_key.as_deref(), video.videosdk.enable_recording), (None, false));
    assert_eq!(video.jitsi.base_url, "https://meet.jit.si");
    assert_eq!((video.livekit.url, video.jitsi.app_secret), (None, None));
    let fcm = defaults.fcm();
    assert_eq!((fcm.service_account, fcm.base_url.as_str()), (None, "https://fcm.googleapis.com"));
    assert_eq!(fcm.request_timeout, Duration::from_secs(10));
    assert!(!defaults.privacy().share_user_name_with_providers);

    let set = values(&[
        ("video.provider", "videosdk"),
        ("videosdk.api_key", "key"),
        ("videosdk.secret_key", "secret"),
        ("videosdk.enable_recording", "true"),
        ("video.request_timeout_ms", "1500"),
        ("fcm.service_account", &account().to_string()),
        ("privacy.share_user_name_with_providers", "true"),
    ]);
    let video = set.video();
    assert_eq!(video.provider, VideoProvider::VideoSdk);
    assert_eq!(video.request_timeout, Duration::from_millis(1500));
    assert_eq!(video.videosdk.secret_key.as_ref().map(SecretText::expose), Some("secret"));
    assert!(video.videosdk.enable_recording);
    let account = set.fcm().service_account.unwrap();
    assert_eq!(
        (account.project_id.as_str(), account.token_uri.as_str()),
        ("tahoon-test", "https://oauth2.googleapis.com/token")
    );
    assert_eq!(account.private_key.expose(), PEM.trim());
    assert!(set.privacy().share_user_name_with_providers);
    assert!(!format!("{set:?} {video:?}").contains("secret\""), "Debug hides values");
    let mut reset = set.clone();
    reset.remove("video.provider");
    assert_eq!(reset.video().provider, VideoProvider::Jitsi);
    assert_eq!(VideoProvider::from_word("LiveKit"), Some(VideoProvider::LiveKit));
}

#[test]
fn a_vendor_needs_its_credentials() {
    assert_eq!(unmet(&SettingValues::new()), None);
    let chosen = values(&[("video.provider", "videosdk"), ("videosdk.api_key", "k")]);
    let missing = unmet(&chosen).unwrap();
    assert_eq!(missing.missing, ["videosdk.secret_key"]);
    assert_eq!(missing.to_string(), "videosdk needs videosdk.secret_key set");
    let complete = values(&[("video.provider", "videosdk"), ("videosdk.api_key", "k"), ("videosdk.secret_key", "s")]);
    assert_eq!(unmet(&complete), None);
    let livekit = values(&[("video.provider", "livekit")]);
    assert_eq!(unmet(&livekit).unwrap().missing, ["livekit.url", "livekit.api_key", "livekit.api_secret"]);
}

#[test]
fn the_video_call_fits_in_half_the_hold() {
    assert_eq!(longest_video_request_ms(120), 60_000);
    assert_eq!(longest_video_request_ms(10), 5_000);
    let default_request = find("video.request_timeout_ms").unwrap().default_value().unwrap();
    assert_eq!(default_request, SettingValue::Integer(5_000));
    assert!(5_000 <= longest_video_request_ms(10), "the default fits the shortest hold allowed");
}
