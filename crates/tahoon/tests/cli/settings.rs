//! `tahoon settings`: list, get, set (from a file too), reset; masking; refusals; and a running
//! server that picks up the CLI's changes without a restart.

use super::*;
use std::time::{Duration, Instant};

const SECRET: &str = "sk_live_0123456789abcdefXYZW";
const OPERATOR: &str = "thn_op_cli-test-operator-token-0123456789";

fn refused(cli: &Cli, args: &[&str], says: &str) {
    let output = cli.run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
}

pub async fn settings_from_the_cli(backend: Backend) {
    let cli = Cli::new(backend).await;
    let list = cli.json(&["settings", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), tahoon_domain::settings::CATALOGUE.len());
    let provider = cli.json(&["settings", "get", "video.provider", "--json"]);
    assert_eq!((&provider["value"], &provider["isSet"]), (&Value::from("jitsi"), &Value::from(false)));

    // A secret from a file (or standard input) never reaches the shell's history or the output.
    let file = cli.dir.join("secret.txt");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let output = cli.run(&["settings", "set", "videosdk.secret_key", "--from-file", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("videosdk.secret_key = ••••XYZW"), "{printed}");
    assert!(!printed.contains("0123456789abcdef"), "{printed}");
    let listed = String::from_utf8(cli.run(&["settings", "list"]).stdout).unwrap();
    assert!(listed.contains("••••XYZW") && !listed.contains(SECRET), "{listed}");
    let shown = String::from_utf8(cli.run(&["settings", "get", "videosdk.secret_key"]).stdout).unwrap();
    assert!(shown.contains("••••XYZW  (set by cli)") && shown.contains("sealed at rest"), "{shown}");
    let mut child = cli
        .command()
        .args(["settings", "set", "jitsi.app_secret", "--from-file", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"jitsi-app-secret-0123456789-ABCD\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let set: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((&set["value"], &set["secret"]), (&Value::from("••••ABCD"), &Value::from(true)));

    // Refusals name the key and say why; nothing is stored.
    refused(
        &cli,
        &["settings", "set", "video.provider", "zoom"],
        "video.provider: must be one of: jitsi, videosdk, livekit",
    );
    refused(&cli, &["settings", "set", "video.request_timeout_ms", "99"], "from 100 to 60000");
    refused(&cli, &["settings", "set", "jitsi.base_url", "meet.example.org"], "jitsi.base_url: must be an absolute");
    refused(&cli, &["settings", "set", "video.provider", "videosdk"], "videosdk needs videosdk.api_key set first");
    refused(&cli, &["settings", "set", "smtp.host", "x"], "no such setting \"smtp.host\"");
    refused(&cli, &["settings", "get", "smtp.host"], "no such setting");
    refused(&cli, &["settings", "reset", "smtp.host"], "no such setting");
    std::fs::write(&file, r#"{"project_id": "p"}"#).unwrap();
    refused(&cli, &["settings", "set", "fcm.service_account", "--from-file", file.to_str().unwrap()], "client_email");
    refused(&cli, &["settings", "set", "video.provider"], "<VALUE>");
    assert_eq!(cli.json(&["settings", "get", "video.provider", "--json"])["isSet"], false);

    // With its keys, the vendor is chosen; its keys then stay until another vendor is.
    assert!(cli.run(&["settings", "set", "videosdk.api_key", "vsdk-key"]).status.success());
    let chosen = cli.json(&["settings", "set", "video.provider", "VIDEOSDK", "--json"]);
    assert_eq!((&chosen["value"], &chosen["updatedBy"]), (&Value::from("videosdk"), &Value::from("cli")));
    refused(&cli, &["settings", "reset", "videosdk.secret_key"], "video.provider is videosdk");
    let reset = cli.json(&["settings", "reset", "video.provider", "--json"]);
    assert_eq!((&reset["value"], &reset["isSet"]), (&Value::from("jitsi"), &Value::from(false)));
    assert!(cli.run(&["settings", "reset", "video.provider"]).status.success(), "again: nothing to do");
    let reset = cli.json(&["settings", "reset", "videosdk.secret_key", "--json"]);
    assert_eq!(reset["value"], Value::Null);

    // Each change is in the audit chain (two secrets, the API key, the vendor, two resets; the
    // reset of what was not set wrote nothing).
    let verified = cli.json(&["audit", "verify"]);
    assert_eq!((&verified["intact"], &verified["checked"]), (&Value::from(true), &Value::from(6)));
}

pub async fn a_running_server_picks_up_cli_changes(backend: Backend) {
    let cli = Cli::new(backend).await;
    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0", "--operator-token", OPERATOR])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    let http = reqwest::Client::new();
    let read = |key: &'static str| {
        let request = http.get(format!("http://{address}/api/v1/admin/settings/{key}")).bearer_auth(OPERATOR);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap()["data"]["value"].clone() }
    };
    assert_eq!(read("jitsi.base_url").await, "https://meet.jit.si");

    // The CLI changes the database the server runs on; the server sees it within seconds
    // (PostgreSQL: notified as it commits; SQLite: it looks at the change counter every second).
    assert!(cli.run(&["settings", "set", "jitsi.base_url", "https://meet.example.org"]).status.success());
    assert!(cli.run(&["settings", "set", "jitsi.app_secret", "jitsi-app-secret-0123456789-ABCD"]).status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while read("jitsi.base_url").await != "https://meet.example.org" {
        assert!(Instant::now() < deadline, "the server did not pick up the change");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server unseals what the CLI sealed (one master key) and shows it masked.
    assert_eq!(read("jitsi.app_secret").await, "••••ABCD");
    let _ = server.kill();
    let _ = server.wait();
}
