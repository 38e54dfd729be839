//! The `tahoon` binary end to end: organizations, signing, audit verification, serve.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use tahoon_store::Backend;
use tahoon_store::testing::{TestDatabase, tamper_with_audit_row};

mod audit;
mod backup_restore;
mod bench;
mod contract;
mod data;
mod directory;
mod import_reference;
mod metrics;
mod migrate_data;
mod push;
mod scale_out;
mod secret;
mod settings;
mod tls;
mod video;
mod worker;
use audit::*;
use bench::*;
use contract::*;
use data::*;
use directory::*;
use import_reference::*;
use metrics::*;
use push::*;
use secret::*;
use settings::*;
use tls::*;
use video::*;
use worker::*;

struct Cli {
    dir: PathBuf,
    db: TestDatabase,
}

impl Cli {
    async fn new(backend: Backend) -> Cli {
        let dir = std::env::temp_dir().join(format!("tahoon-cli-{}", std::process::id() as u64 * 1000 + rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        Cli { dir, db: TestDatabase::create(backend).await.unwrap() }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tahoon"));
        command
            .current_dir(&self.dir)
            .env_remove("TAHOON_MASTER_KEY")
            .env_remove("TAHOON_TOKEN_SIGNING_KEY")
            .env_remove("TAHOON_OPERATOR_TOKEN")
            .env("TAHOON_DATABASE_URL", &self.db.url)
            .env("TAHOON_SECRETS_FILE", self.dir.join("secrets.toml"))
            .env("RUST_LOG", "info");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Imports one provider, bookable around the clock for 30 days at 60-minute sessions; its id.
    fn provider_open_all_week(&self, external_id: &str) -> String {
        let all_week: Vec<Value> =
            (1..=7).map(|d| serde_json::json!({"weekday": d, "startTime": "00:00", "endTime": "24:00"})).collect();
        let provider = serde_json::json!({"externalId": external_id, "firstNamePLang": "Amal", "lastNamePLang": "Tester",
            "genderType": 1, "timeZone": "UTC", "sessionRates": [{"durationMinutes": 60, "price": 100, "currency": "SAR"}],
            "availability": {"minimumNoticeMinutes": 0, "bookingHorizonDays": 30, "bufferMinutes": 0,
                "weeklyAvailability": all_week}});
        let file = self.dir.join(format!("provider-{external_id}.json"));
        std::fs::write(&file, serde_json::json!({"providers": [provider]}).to_string()).unwrap();
        let output = self.run(&["provider", "import", file.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let listed = self.json(&["provider", "list", "--json"]);
        let mine = listed.as_array().unwrap().iter().find(|p| p["externalId"] == external_id).expect("imported");
        mine["careProviderId"].as_str().unwrap().to_string()
    }

    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {:?}", output.stdout))
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn organizations_from_the_cli(backend: Backend) {
    let cli = Cli::new(backend).await;
    let created =
        cli.json(&["org", "create", "--name", "Acme Health", "--kind", "charity", "--balance", "20", "--json"]);
    let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["accessKey", "organizationId", "sharedApiKey"]);
    let id = created["organizationId"].as_str().unwrap();
    assert!(id.starts_with("org_"));
    assert!(created["accessKey"].as_str().unwrap().len() >= 43, "≥ 256 bits");

    // Generated secrets are stored with mode 0600 and reused by the next command.
    let secrets = cli.dir.join("secrets.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let list = cli.json(&["org", "list", "--json"]);
    assert_eq!(list[0]["organizationId"], created["organizationId"], "same master key, same public id");
    assert_eq!(list[0]["kind"], "charity");
    assert_eq!(list[0]["balance"], 20);
    assert!(!list.to_string().contains(created["accessKey"].as_str().unwrap()), "no secrets listed");

    let rotated = cli.json(&["org", "rotate-keys", id, "--json"]);
    assert_eq!(rotated["organizationId"], created["organizationId"]);
    assert_ne!(rotated["accessKey"], created["accessKey"]);
    let disabled = cli.json(&["org", "disable", id, "--json"]);
    assert_eq!(disabled["enabled"], false);
    let enabled = cli.json(&[
        "org",
        "set",
        id,
        "--rate-limit",
        "250",
        "--require-signature-header",
        "true",
        "--cancellation-cutoff-hours",
        "48",
        "--json",
    ]);
    assert_eq!(enabled["cancellationCutoffHours"], 48);
    assert_eq!(
        (enabled["rateLimitPerMinute"].as_i64(), enabled["requireSignatureHeader"].as_bool()),
        (Some(250), Some(true))
    );

    // The cap on a user's upcoming sessions: set, then removed.
    let capped = cli.json(&["org", "set", id, "--max-active-bookings-per-user", "3", "--json"]);
    assert_eq!(capped["maxActiveBookingsPerUser"], 3);
    let uncapped = cli.json(&["org", "set", id, "--max-active-bookings-per-user", "unlimited", "--json"]);
    assert_eq!(uncapped["maxActiveBookingsPerUser"], Value::Null);
    // Numbers out of range are refused and change nothing.
    for (flag, value) in [
        ("--balance", "9223372036854775807"),
        ("--balance", "-1"),
        ("--rate-limit", "0"),
        ("--cancellation-cutoff-hours", "169"),
        ("--max-active-bookings-per-user", "0"),
        ("--max-active-bookings-per-user", "lots"),
    ] {
        let bad = cli.run(&["org", "set", id, &format!("{flag}={value}")]);
        assert!(!bad.status.success(), "{flag} {value}");
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains(flag),
            "{flag}: {}",
            String::from_utf8_lossy(&bad.stderr)
        );
    }
    let bad = cli.run(&["org", "create", "--name", "Too rich", "--balance", "1000000001"]);
    assert!(!bad.status.success());
    let listed = cli.json(&["org", "list", "--json"]);
    assert_eq!((listed[0]["balance"].as_i64(), listed[0]["rateLimitPerMinute"].as_i64()), (Some(20), Some(250)));

    let bad = cli.run(&["org", "disable", "org_tampered"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("organization id"));
    let bad = cli.run(&["org", "create", "--name", "<script>x</script>"]);
    assert!(!bad.status.success());
    // Control characters, bidirectional overrides and markup references too, on create and set.
    for (name, problem) in [
        ("\u{1b}[31mRed", "control characters"),
        ("a\u{202E}b", "bidirectional"),
        ("Acme&colon;x", "character references"),
    ] {
        for args in [vec!["org", "create", "--name", name], vec!["org", "set", id, "--name", name]] {
            let bad = cli.run(&args);
            assert!(!bad.status.success(), "{args:?}");
            assert!(String::from_utf8_lossy(&bad.stderr).contains(problem), "{args:?}");
        }
    }

    // The audit chain covers these changes and verifies; an edited row is named.
    let verified = cli.json(&["audit", "verify"]);
    assert_eq!(verified["intact"], true);
    assert_eq!(verified["checked"], 6);
    tamper_with_audit_row(&cli.db.url, 2).await.unwrap();
    let output = cli.run(&["audit", "verify"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((report["intact"].as_bool(), report["brokenAt"].as_i64()), (Some(false), Some(2)));
    assert!(String::from_utf8_lossy(&output.stderr).contains("entry 2"));
}

/// Runs `tahoon` with `body` on standard input (none at all when `None`).
fn sign_output(args: &[&str], body: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tahoon"))
        .args(args)
        .env_remove("TAHOON_SHARED_KEY")
        .stdin(if body.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(body) = body {
        child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

#[test]
fn sign_matches_the_documented_vectors() {
    let run = |args: &[&str], body: &str| {
        let output = sign_output(args, Some(body));
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    let key = "thn_sk_test_0123456789abcdef";
    let body = r#"{"referenceId":"ORG-USER-123","name":"John Doe","dob":"1990-05-15","genderType":1}"#;
    assert_eq!(run(&["sign", "--key", key], body), "519c38ded486ad4cebfded0f45a2cacafffdb24dd51f77e77fb38a36ca35f3ee");
    let embedded: Value = serde_json::from_str(&run(&["sign", "--key", key, "--embed"], body)).unwrap();
    assert_eq!(embedded["secureHash"], "519c38ded486ad4cebfded0f45a2cacafffdb24dd51f77e77fb38a36ca35f3ee");
    let header = run(
        &["sign", "--key", key, "--header", "--timestamp", "1764000000"],
        "{\"referenceId\":\"ORG-USER-123\",\"genderType\":1}\n",
    );
    assert_eq!(header, "t=1764000000,v1=f01fffa22fc1971ba2a9e7095a94b532b76fb62560ef6600ac415e13ec6d172f");

    // `&`, `=` and `%` are escaped in the canonical string:
    // printf '%s' 'name=Tom %26 Jerry&note=100%25 %3D sure' | openssl dgst -sha256 -hmac "$key"
    let escaped = r#"{"name":"Tom & Jerry","note":"100% = sure"}"#;
    let hash = "9918e5418b9bdd8966e4d4f46908c0a57cea45151e76434d9be8c9594adabb2a";
    assert_eq!(run(&["sign", "--key", key], escaped), hash);
    let embedded: Value = serde_json::from_str(&run(&["sign", "--key", key, "--embed"], escaped)).unwrap();
    assert_eq!(embedded, serde_json::json!({"name": "Tom & Jerry", "note": "100% = sure", "secureHash": hash}));

    // A request without a body signs "<t>.<METHOD> <path?query>" and reads no standard input:
    // printf '%s' '1764000000.DELETE /api/v1/user/usr_x' | openssl dgst -sha256 -hmac "$key"
    let args =
        ["sign", "--key", key, "--header", "--timestamp", "1764000000", "--request", "DELETE /api/v1/user/usr_x"];
    let output = sign_output(&args, None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "t=1764000000,v1=bd2f13a37eca4a4bae974a71a4ed5839b06a714541e4abad11370ad952836d65"
    );
}

#[test]
fn sign_refuses_what_the_server_never_accepts() {
    let key = "thn_sk_test_0123456789abcdef";
    let refused = |args: &[&str], body: Option<&str>, says: &str| {
        let output = sign_output(args, body);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} {body:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?} {body:?} printed {:?}", output.stdout);
        assert!(stderr.contains(says), "{args:?} {body:?}: {stderr}");
    };
    // A body whose canonical string is empty: its secureHash would sign nothing.
    for body in [r#"{"bookings":[{"userId":"usr_x","applicationMultiSlotId":"slot_y"}]}"#, "{}", r#"{"a":null}"#] {
        refused(&["sign", "--key", key], Some(body), "--header");
        refused(&["sign", "--key", key, "--embed"], Some(body), "--header");
    }
    // The header form still signs such a body.
    let output = sign_output(&["sign", "--key", key, "--header"], Some(r#"{"bookings":[]}"#));
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("t="));
    // An empty body with --header points to --request.
    refused(&["sign", "--key", key, "--header"], Some(""), "--request");
    // --request needs --header, and must look like "<METHOD> /<path>".
    refused(&["sign", "--key", key, "--request", "DELETE /api/v1/user/usr_x"], None, "--header");
    for request in [
        "DELETE",
        "/api/v1/user/usr_x",
        "delete /api/v1/user/usr_x",
        "DELETE api/v1/user/usr_x",
        "DELETE  /api/v1/x",
        "GET /a b",
    ] {
        refused(&["sign", "--key", key, "--header", "--request", request], None, "<METHOD> /<path");
    }
}

/// `body` with its `secureHash`, as a partner of the reference signs it.
pub(crate) fn signed(shared_key: &str, body: Value) -> Value {
    let Value::Object(mut fields) = body else { panic!("an object") };
    let hash = tahoon_domain::signing::secure_hash(shared_key, &fields);
    fields.insert("secureHash".into(), Value::String(hash));
    Value::Object(fields)
}

fn wait_for_address(stderr: impl std::io::Read + Send + 'static) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("address=") {
                let address = line[at + 8..].split_whitespace().next().unwrap().to_string();
                let _ = tx.send(address);
            }
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(30)).expect("server printed its address")
}

async fn serve_migrates_answers_and_stops_on_sigterm(backend: Backend) {
    let cli = Cli::new(backend).await;
    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    let http = reqwest::Client::new();
    let ready: Value = http.get(format!("http://{address}/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["data"]["state"], "ready");

    // The CLI works on the same database while the server runs, and the server sees the result.
    let created = cli.json(&["org", "create", "--name", "Live", "--json"]);
    let response = http
        .post(format!("http://{address}/api/v1/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", created["accessKey"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    #[cfg(unix)]
    {
        let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
        assert!(status.success());
        let waited = tokio::task::spawn_blocking(move || server.wait()).await.unwrap().unwrap();
        assert!(waited.success(), "graceful shutdown exits 0");
    }
}

async fn migrate_on_an_empty_database(backend: Backend) {
    let cli = Cli::new(backend).await;
    let output = cli.run(&["migrate"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("migrations applied"));
    // Idempotent.
    assert!(cli.run(&["migrate"]).status.success());
}

tahoon_store::backend_tests!(
    instruments_from_the_cli,
    demo_and_provider_commands,
    serve_with_demo_data_answers_a_search,
    organizations_from_the_cli,
    serve_migrates_answers_and_stops_on_sigterm,
    migrate_on_an_empty_database,
    audit_export_and_anchored_verification,
    sealed_configuration_secrets_open_at_start_up,
    https_with_a_certificate_reloaded_on_sighup,
    tls_settings_go_together,
    metrics_on_their_own_address,
    worker_delivers_a_webhook_and_stops_on_sigterm,
    settings_from_the_cli,
    a_running_server_picks_up_cli_changes,
    a_running_server_follows_availability_set_from_the_cli,
    bench_seeds_measures_and_reports,
    push_jobs_from_the_cli,
    the_cli_switches_a_running_server_to_videosdk,
    the_reference_data_set_imports_once,
    a_wrong_record_stops_the_import_before_anything_is_written,
    contract_with_a_new_compatibility_mode_organization,
    contract_with_imported_credentials_and_ids,
);
