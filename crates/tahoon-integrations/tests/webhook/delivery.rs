//! What each answer becomes, and what the receiver gets.

use super::*;
use std::collections::BTreeSet;
use tahoon_integrations::testing::webhook_receiver::{Reply, WebhookReceiver};
use tahoon_integrations::webhook::{MAX_EXCERPT_BYTES, WebhookOutcome};

#[tokio::test]
async fn a_2xx_is_delivered_with_an_excerpt_of_the_answer() {
    let receiver = WebhookReceiver::start().await;
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    assert_eq!(report.outcome, WebhookOutcome::Delivered { status: 200, excerpt: "ok".into() });
    assert!(report.elapsed > Duration::ZERO && report.elapsed < Duration::from_secs(5));
    receiver.respond_with(vec![Reply::status(204)]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    assert_eq!(report.outcome, WebhookOutcome::Delivered { status: 204, excerpt: String::new() });
}

#[tokio::test]
async fn a_500_is_refused_with_its_status_and_an_excerpt_cut_to_the_limit() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::status(500).body("e".repeat(5000))]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    let WebhookOutcome::Refused { status, excerpt } = report.outcome else { panic!("{:?}", report.outcome) };
    assert_eq!(status, 500);
    assert_eq!(excerpt, "e".repeat(MAX_EXCERPT_BYTES));
}

#[tokio::test]
async fn a_large_answer_is_not_read_past_the_excerpt() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::status(200).body(vec![b'a'; 8 * 1024 * 1024])]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    let WebhookOutcome::Delivered { status: 200, excerpt } = report.outcome else { panic!("{:?}", report.outcome) };
    assert_eq!(excerpt.len(), MAX_EXCERPT_BYTES);
}

#[tokio::test]
async fn control_characters_in_the_answer_are_replaced() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::status(400).body("bad\r\n\x1b[2Jrequest\tnow")]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    assert_eq!(report.outcome, WebhookOutcome::Refused { status: 400, excerpt: "bad \n [2Jrequest\tnow".into() });
}

#[tokio::test]
async fn a_410_is_gone() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::status(410).body("endpoint removed")]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    assert_eq!(report.outcome, WebhookOutcome::Gone { excerpt: "endpoint removed".into() });
    assert_eq!(report.outcome.status(), Some(410));
}

#[tokio::test]
async fn a_redirect_is_refused_and_never_followed() {
    let receiver = WebhookReceiver::start().await;
    let elsewhere = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::redirect(elsewhere.url("/stolen").as_str())]);
    let report = post(&loopback_sender(), &receiver.url("/hook")).await;
    assert_eq!(report.outcome, WebhookOutcome::Refused { status: 302, excerpt: String::new() });
    assert_eq!(receiver.count(), 1);
    assert!(!elsewhere.wait_for(1, QUIET).await, "the redirect was followed");
}

#[tokio::test]
async fn a_reply_slower_than_the_timeout_is_unreachable() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::delay(Duration::from_secs(3), 200)]);
    let sender = sender_with(allow_all(), StaticResolver::default(), Duration::from_millis(300));
    let report = post(&sender, &receiver.url("/hook")).await;
    let WebhookOutcome::Unreachable { error } = &report.outcome else { panic!("{:?}", report.outcome) };
    assert!(error.contains("timeout"), "{error}");
    assert!(report.elapsed >= Duration::from_millis(300) && report.elapsed < Duration::from_secs(2), "{report:?}");
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let report = post(&loopback_sender(), &closed_port().await).await;
    let WebhookOutcome::Unreachable { error } = &report.outcome else { panic!("{:?}", report.outcome) };
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(!error.contains("/hook"), "the error names the URL: {error}");
}

#[tokio::test]
async fn headers_and_body_arrive_exactly_as_given() {
    let receiver = WebhookReceiver::start().await;
    let url = receiver.url("/hooks/in?tenant=t1");
    assert!(matches!(post(&loopback_sender(), &url).await.outcome, WebhookOutcome::Delivered { .. }));
    let requests = receiver.requests();
    let [got] = requests.as_slice() else { panic!("{requests:?}") };
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/hooks/in");
    assert_eq!(got.query.as_deref(), Some("tenant=t1"));
    assert_eq!(got.body, BODY);
    for (name, value) in signed_headers() {
        assert_eq!(got.header(&name), Some(value.as_str()), "{name}");
    }
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some(USER_AGENT));
    assert_eq!(got.header("content-length"), Some(BODY.len().to_string().as_str()));
    // Nothing but the given headers, content-type, the user agent and HTTP's own.
    let names: BTreeSet<&str> = got.headers.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "content-type",
        "user-agent",
        "host",
        "content-length",
        "accept",
    ]
    .into();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn a_given_content_type_is_kept_and_not_doubled() {
    let receiver = WebhookReceiver::start().await;
    let url = receiver.url("/hook");
    let headers = vec![("Content-Type".to_owned(), "application/cloudevents+json".to_owned())];
    let report = loopback_sender().send(&OutgoingWebhook { url: &url, headers: &headers, body: b"{}" }).await;
    assert!(matches!(report.outcome, WebhookOutcome::Delivered { .. }), "{report:?}");
    assert_eq!(receiver.requests()[0].header("content-type"), Some("application/cloudevents+json"));
}

#[tokio::test]
async fn the_scripted_queue_answers_in_order_and_ids_can_be_deduplicated() {
    let receiver = WebhookReceiver::start().await;
    receiver.respond_with(vec![Reply::status(500), Reply::status(200)]);
    let sender = loopback_sender();
    let url = receiver.url("/hook");
    assert_eq!(post(&sender, &url).await.outcome.kind(), "refused");
    assert_eq!(post(&sender, &url).await.outcome.kind(), "delivered");
    assert_eq!(post(&sender, &url).await.outcome, WebhookOutcome::Delivered { status: 200, excerpt: "ok".into() });
    assert!(receiver.wait_for(3, Duration::from_secs(1)).await);
    assert_eq!(receiver.webhook_ids(), vec!["msg_2Lb0Zq8d"; 3]);
    let requests = receiver.requests();
    assert!(requests.windows(2).all(|w| w[0].at <= w[1].at));
}
