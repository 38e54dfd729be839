//! `tahoon worker`: the outbox worker alone delivers a signed webhook, then stops on SIGTERM.

use super::*;
use jiff::Timestamp;
use tahoon_domain::audit::{AuditContent, Outcome};
use tahoon_domain::secrets::{MasterKey, parse_hex_key};
use tahoon_domain::webhooks::WebhookSecret;
use tahoon_domain::webhooks::signature::verify;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_store::{CreateEndpointOutcome, NewUser, NewWebhookEndpoint};

/// The master key the CLI generated into its secrets file.
fn master_key(cli: &Cli) -> MasterKey {
    let text = std::fs::read_to_string(cli.dir.join("secrets.toml")).unwrap();
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("master_key = ").map(|v| v.trim().trim_matches('"').to_string()))
        .expect("master_key in the secrets file");
    MasterKey::new(parse_hex_key(&hex).unwrap())
}

pub async fn worker_delivers_a_webhook_and_stops_on_sigterm(backend: Backend) {
    let cli = Cli::new(backend).await;
    let created = cli.json(&["org", "create", "--name", "Hooks", "--json"]);
    let store = tahoon_store::open(&cli.db.url).await.unwrap();
    let organization = store.organizations().await.unwrap().into_iter().next().expect("the organization");
    assert_eq!(created["organizationId"].as_str().map(str::len), Some(31));

    // An endpoint at a local receiver, written behind the API, then an event after it.
    let receiver = WebhookReceiver::start().await;
    let secret = WebhookSecret::generate(&mut rand::rng());
    let now = Timestamp::now();
    let audit = AuditContent {
        occurred_at: now,
        organization_id: Some(organization.id),
        actor: "cli-test".into(),
        action: "webhook.endpoint_created".into(),
        outcome: Outcome::Success,
        request_id: None,
        source_ip: None,
        details: "{}".into(),
    };
    let endpoint = NewWebhookEndpoint {
        organization_id: organization.id,
        url: receiver.url("/hooks").to_string(),
        description: String::new(),
        events: vec!["*".into()],
        secret_sealed: master_key(&cli).seal(&secret.expose()),
        limit: 20,
        audit,
        now,
    };
    assert!(matches!(store.create_webhook_endpoint(endpoint).await.unwrap(), CreateEndpointOutcome::Created(_)));
    let user = NewUser {
        organization_id: organization.id,
        reference_id: "W1".into(),
        name: "Huda".into(),
        dob: "1990-01-01".into(),
        gender: 0,
        now: Timestamp::now(),
    };
    store.register_user(user).await.unwrap();

    let mut worker = cli
        .command()
        .arg("worker")
        .env("TAHOON_WEBHOOKS_ALLOW_LOOPBACK", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(receiver.wait_for(1, std::time::Duration::from_secs(30)).await, "the worker delivered the event");
    let request = receiver.requests().remove(0);
    let id = request.header("webhook-id").unwrap().to_string();
    let timestamp: i64 = request.header("webhook-timestamp").unwrap().parse().unwrap();
    assert!(id.starts_with("evt_"), "{id}");
    assert!(verify(&secret, &id, timestamp, &request.body, request.header("webhook-signature").unwrap()));
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["type"], "user.registered");
    assert!(body["data"]["userId"].as_str().unwrap().starts_with("usr_"));
    assert!(!request.body_text().contains("Huda"), "no name in a payload");

    #[cfg(unix)]
    {
        let status = Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap();
        assert!(status.success());
        let waited = tokio::task::spawn_blocking(move || worker.wait()).await.unwrap().unwrap();
        assert!(waited.success(), "a graceful stop exits 0");
    }
    #[cfg(not(unix))]
    worker.kill().unwrap();
    // Delivered once: nothing more arrives.
    assert_eq!(receiver.count(), 1);
}
