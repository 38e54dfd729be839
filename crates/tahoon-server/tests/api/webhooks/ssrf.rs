//! Server-side request forgery: with the production policy (no loopback) and a resolver the test
//! controls, internal targets are refused at registration, naming the reason, and again at send
//! time for a URL that got past registration (a name that came to resolve to loopback).

use super::*;
use std::sync::Arc;
use std::time::Duration;
use tahoon_domain::ids::kind;
use tahoon_domain::webhooks::TargetPolicy;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_integrations::webhook::StaticResolver;
use tahoon_server::services::audit::AuditEvent;
use tahoon_server::services::webhooks::Webhooks;
use tahoon_store::{CreateEndpointOutcome, NewWebhookEndpoint};

/// The production policy, with names resolved from a fixed map.
fn strict(mut state: AppState) -> AppState {
    let resolver = StaticResolver::new([
        ("evil.test", "127.0.0.1".parse().unwrap()),
        ("split.test", "93.184.215.14".parse().unwrap()),
        ("split.test", "10.1.2.3".parse().unwrap()),
        ("public.test", "93.184.215.14".parse().unwrap()),
    ]);
    state.webhooks =
        Webhooks::with_resolver(TargetPolicy { allow_loopback: false }, Arc::new(resolver), Duration::from_secs(2));
    state
}

async fn internal_targets_are_refused_at_registration(backend: Backend) {
    let w = world_with(backend, strict).await;
    let refused = [
        ("http://public.test/hook", "must use https"),
        ("https://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("https://10.0.0.1/", "10.0.0.1 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata service address"),
        ("https://[::ffff:127.0.0.1]/", "a loopback address"),
        ("https://[fd00::1]/", "fd00::1 is a unique local address"),
        ("https://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
        ("https://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("https://0.0.0.0/", "0.0.0.0 is the unspecified address"),
        ("https://localhost/", "127.0.0.1 is a loopback address"),
        ("https://LOCALHOST./", "127.0.0.1 is a loopback address"),
        ("https://metadata/computeMetadata/v1/", "metadata is an internal name"),
        ("https://printer.local/", "printer.local is an internal name"),
        // Names are resolved, and every address checked.
        ("https://evil.test/hook", "127.0.0.1 is refused: a loopback address"),
        ("https://split.test/hook", "10.1.2.3 is refused: a private address"),
    ];
    for (url, says) in refused {
        let (status, answer) = w.create(json!({"url": url, "events": ["*"]})).await;
        assert_envelope(status, &answer, 400, 105, Some("url"));
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{url}: {message}");
    }
    assert!(w.endpoints().await.is_empty());
    // A public address is accepted; so is a name that does not resolve yet (its sends wait).
    for url in ["https://public.test/hook", "https://93.184.215.14/hook", "https://not-yet.example/hook"] {
        let (status, answer) = w.create(json!({"url": url, "events": ["*"]})).await;
        assert_eq!(status, 200, "{url}: {answer}");
    }
}

/// An endpoint written behind the API's back, as if its name had resolved to a public address when
/// it was registered.
async fn stored_endpoint(w: &World, url: &str) -> String {
    let state = &w.app.state;
    let organization = state.ids.decode::<kind::Organization>(&w.p.org.id).unwrap();
    let secret = WebhookSecret::from_bytes(vec![7; 32]).unwrap();
    let new = NewWebhookEndpoint {
        organization_id: organization,
        url: url.into(),
        description: String::new(),
        events: vec!["*".into()],
        secret_sealed: state.config.secrets.master_key.seal(&secret.expose()),
        limit: 20,
        audit: state.audit.content(AuditEvent::success("webhook.endpoint_created", Some(organization), "test")),
        now: state.clock.now(),
    };
    match state.store.create_webhook_endpoint(new).await.unwrap() {
        CreateEndpointOutcome::Created(endpoint) => state.ids.encode(endpoint.id),
        other => panic!("{other:?}"),
    }
}

async fn internal_targets_are_refused_at_send_time(backend: Backend) {
    let w = world_with(backend, strict).await;
    let receiver = WebhookReceiver::start().await;
    // `evil.test` now resolves to this host, where the receiver listens; and a literal loopback.
    let rebound = stored_endpoint(&w, &format!("http://evil.test:{}/hook", receiver.port())).await;
    let literal = stored_endpoint(&w, receiver.url("/hook").as_str()).await;
    w.register("WH-SSRF").await;
    assert_eq!(w.pass().await, Report { enqueued: 2, retried: 4, ..Report::default() });
    assert_eq!(receiver.count(), 0, "nothing reached the receiver");
    for (endpoint, address) in [(&rebound, "127.0.0.1"), (&literal, "127.0.0.1")] {
        let listed = w.deliveries(endpoint).await;
        assert_eq!(listed.len(), 1);
        let detail = w.delivery(listed[0]["deliveryId"].as_str().unwrap()).await;
        assert_eq!((detail["status"].as_str(), detail["lastResponseCode"].as_i64()), (Some("pending"), None));
        for attempt in detail["attempts"].as_array().unwrap() {
            assert_eq!((attempt["outcome"].as_str(), &attempt["responseCode"]), (Some("blocked"), &json!(null)));
            let error = attempt["error"].as_str().unwrap();
            assert!(error.contains(address) && error.contains("loopback"), "{error}");
        }
    }
    // Still refused on the next attempt.
    w.advance(SignedDuration::from_secs(6));
    assert_eq!(w.pass().await, Report { retried: 2, ..Report::default() });
    assert_eq!(receiver.count(), 0);
}

tahoon_store::backend_tests!(internal_targets_are_refused_at_registration, internal_targets_are_refused_at_send_time);
