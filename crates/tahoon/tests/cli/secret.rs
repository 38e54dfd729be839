//! `tahoon secret encrypt`: configuration secrets (the database URL with its password, the
//! operator token) given sealed with the master key, opened at start-up.

use super::*;

fn encrypt(cli: &Cli, value: &str) -> String {
    let mut child = cli
        .command()
        .args(["secret", "encrypt"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{value}\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

pub async fn sealed_configuration_secrets_open_at_start_up(backend: Backend) {
    let cli = Cli::new(backend).await;
    let sealed_url = encrypt(&cli, &cli.db.url);
    assert!(sealed_url.starts_with("enc:v1."), "{sealed_url}");
    assert!(!sealed_url.contains(&cli.db.url));
    // The sealed URL opens the same database.
    let output = cli
        .command()
        .args(["org", "create", "--name", "Sealed", "--json"])
        .env("TAHOON_DATABASE_URL", &sealed_url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(cli.json(&["org", "list", "--json"]).as_array().map(Vec::len), Some(1));

    // A sealed operator token works as the plain one on a running server.
    let operator = "thn_op_cli-sealed-operator-token-0123456789";
    let sealed_operator = encrypt(&cli, operator);
    let mut server = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TAHOON_DATABASE_URL", &sealed_url)
        .env("TAHOON_OPERATOR_TOKEN", &sealed_operator)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(server.stderr.take().unwrap());
    let http = reqwest::Client::new();
    let listed =
        http.get(format!("http://{address}/api/v1/admin/organizations")).bearer_auth(operator).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    let sealed_as_token = http
        .get(format!("http://{address}/api/v1/admin/organizations"))
        .bearer_auth(&sealed_operator)
        .send()
        .await
        .unwrap();
    assert_eq!(sealed_as_token.status(), 401);
    let _ = server.kill();
    let _ = server.wait();

    // Under another master key the value cannot be opened: the command stops, naming the setting
    // and not the value.
    let output = cli
        .command()
        .args(["org", "list", "--json"])
        .env("TAHOON_DATABASE_URL", &sealed_url)
        .env("TAHOON_MASTER_KEY", "ab".repeat(32))
        .env("TAHOON_TOKEN_SIGNING_KEY", "cd".repeat(32))
        .env("TAHOON_OPERATOR_TOKEN", operator)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("database_url") && !error.contains(&cli.db.url), "{error}");
    // Nothing on standard input is refused.
    let output = cli.command().args(["secret", "encrypt"]).stdin(Stdio::null()).output().unwrap();
    assert!(!output.status.success());
}
