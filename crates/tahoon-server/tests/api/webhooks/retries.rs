//! When the receiver does not answer 2xx: retries on the schedule (an immediate retry, then 5 s,
//! 5 min, … each ±10 %) with the same `webhook-id`, every attempt logged; 410 Gone disables the
//! endpoint; a redirect is never followed; eleven failures fail the delivery, and five days of
//! failures disable the endpoint.

use super::*;
use std::sync::Arc;
use std::time::Duration;
use tahoon_domain::webhooks::TargetPolicy;
use tahoon_domain::webhooks::schedule::RETRY_DELAYS;
use tahoon_integrations::testing::webhook_receiver::{Reply, WebhookReceiver};
use tahoon_integrations::webhook::StaticResolver;
use tahoon_server::services::webhooks::Webhooks;

fn retried(n: usize) -> Report {
    Report { retried: n, ..Report::default() }
}

async fn a_failing_receiver_is_retried_until_it_answers(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["booking.confirmed"]).await;
    let long = "x".repeat(3_000);
    receiver.respond_with(vec![Reply::status(500).body("busy"), Reply::status(500).body(long.clone())]);
    let user = w.register("WH-RETRY").await;
    w.book(&user, &w.free[0].0).await;
    let t0 = w.app.state.clock.now();

    // The first attempt fails and is retried at once (in the same pass); the second fails too,
    // and waits 5 s ± 10 %.
    assert_eq!(w.pass().await, Report { enqueued: 1, retried: 2, ..Report::default() });
    let listed = w.deliveries(&endpoint.id).await;
    assert_eq!(listed.len(), 1);
    let id = listed[0]["deliveryId"].as_str().unwrap().to_string();
    let waiting = w.delivery(&id).await;
    assert_eq!((waiting["status"].as_str(), waiting["attemptCount"].as_i64()), (Some("pending"), Some(2)));
    assert_eq!(waiting["lastError"], "HTTP 500");
    let next: Timestamp = waiting["nextAttemptAt"].as_str().unwrap().parse().unwrap();
    let wait = next.duration_since(t0);
    assert!((SignedDuration::from_millis(4_500)..=SignedDuration::from_millis(5_500)).contains(&wait), "{wait:?}");
    assert_eq!(w.endpoints().await[0]["failingSince"], json!(t0.to_string()));

    // Not before its time; then delivered.
    w.advance(SignedDuration::from_millis(4_400));
    assert!(w.pass().await.is_idle());
    w.advance(SignedDuration::from_millis(1_200));
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });
    let t1 = w.app.state.clock.now();

    let done = w.delivery(&id).await;
    assert_eq!((done["status"].as_str(), done["attemptCount"].as_i64()), (Some("succeeded"), Some(3)), "{done}");
    assert_eq!((done["lastResponseCode"].as_i64(), done["lastResponseBody"].as_str()), (Some(200), Some("ok")));
    assert_eq!((&done["lastError"], &done["nextAttemptAt"]), (&json!(null), &json!(null)));
    assert_eq!(done["deliveredAt"], json!(t1.to_string()));
    let attempts = done["attempts"].as_array().unwrap();
    let seen: Vec<(i64, &str, i64)> = attempts
        .iter()
        .map(|a| (a["attempt"].as_i64().unwrap(), a["outcome"].as_str().unwrap(), a["responseCode"].as_i64().unwrap()))
        .collect();
    assert_eq!(seen, [(1, "refused", 500), (2, "refused", 500), (3, "delivered", 200)]);
    assert_eq!(attempts[0]["responseBody"], "busy");
    assert_eq!(attempts[1]["responseBody"].as_str().unwrap(), &long[..1024], "the first 1024 bytes");
    assert_eq!((attempts[1]["error"].as_str(), attempts[2]["error"].as_str()), (Some("HTTP 500"), None));
    let started: Vec<&str> = attempts.iter().map(|a| a["startedAt"].as_str().unwrap()).collect();
    assert_eq!(started, [t0.to_string(), t0.to_string(), t1.to_string()]);

    // The receiver saw the same message three times: one webhook-id, the same bytes, each signed.
    let received = receiver.requests();
    assert_eq!(received.len(), 3);
    let ids = receiver.webhook_ids();
    assert!(ids.iter().all(|i| *i == ids[0]) && ids[0].starts_with("evt_"), "{ids:?}");
    assert!(received.iter().all(|r| r.body == received[0].body && verifies(r, &endpoint.secret)));
    assert_eq!(received[2].header("webhook-timestamp"), Some(t1.as_second().to_string().as_str()));
    let page = &w.deliveries(&endpoint.id).await[0];
    assert_eq!((page["attemptCount"].as_i64(), page["lastResponseCode"].as_i64()), (Some(3), Some(200)));
    assert_eq!(page["lastResponseBody"], "ok");
    assert_eq!(w.endpoints().await[0]["failingSince"], json!(null), "healthy again");
}

async fn gone_disables_the_endpoint(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/old").as_str(), &["*"]).await;
    receiver.respond_with(vec![Reply::status(410).body("this integration was removed")]);
    let user = w.register("WH-GONE").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, failed: 1, disabled: 1, ..Report::default() });

    let listed = w.endpoints().await;
    assert_eq!(
        (&listed[0]["enabled"], &listed[0]["disabledReason"]),
        (&json!(false), &json!("the endpoint answered 410 Gone"))
    );
    let delivery = &w.deliveries(&endpoint.id).await[0];
    let detail = w.delivery(delivery["deliveryId"].as_str().unwrap()).await;
    assert_eq!(detail["status"], "failed");
    let attempt = &detail["attempts"][0];
    assert_eq!((attempt["outcome"].as_str(), attempt["responseCode"].as_i64()), (Some("gone"), Some(410)));
    assert_eq!(attempt["responseBody"], "this integration was removed");
    let audit = w.app.state.store.audit_entries(0, 1_000).await.unwrap();
    let disabled: Vec<_> = audit.iter().filter(|e| e.content.action == "endpoint.disabled").collect();
    assert_eq!(disabled.len(), 1);
    assert!(disabled[0].content.details.contains("410 Gone"), "{}", disabled[0].content.details);
    let organization = w.app.state.ids.decode::<tahoon_domain::ids::kind::Organization>(&w.p.org.id).unwrap();
    assert_eq!(disabled[0].content.organization_id, Some(organization));

    // Later events make no deliveries; it can be neither tested nor redelivered to.
    w.book(&user, &w.free[0].0).await;
    w.register("WH-GONE-2").await;
    assert!(w.pass().await.is_idle());
    assert_eq!(w.deliveries(&endpoint.id).await.len(), 1);
    assert_eq!(receiver.count(), 1);
    let (status, answer) = w.no_body(Method::POST, &format!("{ENDPOINTS}/{}/test", endpoint.id)).await;
    assert_envelope(status, &answer, 409, 118, None);
    let path = format!("{DELIVERIES}/{}/redeliver", delivery["deliveryId"].as_str().unwrap());
    let (status, answer) = w.no_body(Method::POST, &path).await;
    assert_envelope(status, &answer, 409, 118, None);
}

async fn redirects_are_not_followed(backend: Backend) {
    let w = world(backend).await;
    let (first, second) = (WebhookReceiver::start().await, WebhookReceiver::start().await);
    let endpoint = w.endpoint(first.url("/hook").as_str(), &["user.registered"]).await;
    let elsewhere = second.url("/caught").to_string();
    first.respond_with(vec![Reply::redirect(&elsewhere), Reply::redirect(&elsewhere)]);
    w.register("WH-302").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, retried: 2, ..Report::default() });
    w.advance(SignedDuration::from_secs(6));
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });
    assert_eq!(second.count(), 0, "the redirect's target got nothing");
    assert_eq!(first.count(), 3);
    let id = w.deliveries(&endpoint.id).await[0]["deliveryId"].as_str().unwrap().to_string();
    let detail = w.delivery(&id).await;
    let outcomes: Vec<(&str, i64)> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["outcome"].as_str().unwrap(), a["responseCode"].as_i64().unwrap()))
        .collect();
    assert_eq!(outcomes, [("refused", 302), ("refused", 302), ("delivered", 200)]);
    assert_eq!(detail["attempts"][0]["error"], "HTTP 302");
}

/// An answer later than the send's timeout is no answer: the attempt is `unreachable`, retried.
async fn a_receiver_too_slow_to_answer_is_retried(backend: Backend) {
    let w = world_with(backend, |mut state| {
        let policy = TargetPolicy { allow_loopback: true };
        state.webhooks =
            Webhooks::with_resolver(policy, Arc::new(StaticResolver::default()), Duration::from_millis(300));
        state
    })
    .await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/slow").as_str(), &["user.registered"]).await;
    receiver.respond_with(vec![Reply::delay(Duration::from_secs(2), 200), Reply::delay(Duration::from_secs(2), 200)]);
    w.register("WH-SLOW").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, retried: 2, ..Report::default() });
    w.advance(SignedDuration::from_secs(6));
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });
    let id = w.deliveries(&endpoint.id).await[0]["deliveryId"].as_str().unwrap().to_string();
    let attempts = w.delivery(&id).await["attempts"].as_array().unwrap().clone();
    let outcomes: Vec<&str> = attempts.iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["unreachable", "unreachable", "delivered"]);
    assert_eq!(attempts[0]["responseCode"], json!(null));
    assert_eq!(attempts[0]["error"], "timeout: no complete answer within 300 ms");
    assert!(attempts[0]["durationMs"].as_i64().unwrap() >= 300, "{attempts:?}");
    assert_eq!(receiver.count(), 3);
}

async fn eleven_failures_fail_the_delivery_and_five_days_disable_the_endpoint(backend: Backend) {
    let mut w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/down").as_str(), &["user.registered"]).await;
    receiver.respond_with((0..40).map(|_| Reply::status(503)).collect());
    let t0 = w.app.state.clock.now();
    w.register("WH-DOWN").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, retried: 2, ..Report::default() });
    // Each later delay, at its longest (+10 %): one more attempt each time, the last one fails it.
    for (n, delay) in RETRY_DELAYS.iter().enumerate().skip(1) {
        w.advance(*delay * 11 / 10 + SignedDuration::from_secs(1));
        let want = if n == RETRY_DELAYS.len() - 1 { Report { failed: 1, ..Report::default() } } else { retried(1) };
        assert_eq!(w.pass().await, want, "after delay {n}");
    }
    w.retoken().await;
    let id = w.deliveries(&endpoint.id).await[0]["deliveryId"].as_str().unwrap().to_string();
    let detail = w.delivery(&id).await;
    assert_eq!((detail["status"].as_str(), detail["attemptCount"].as_i64()), (Some("failed"), Some(11)), "{detail}");
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 11);
    assert_eq!(receiver.count(), 11);
    assert!(receiver.webhook_ids().iter().all(|i| *i == receiver.webhook_ids()[0]));
    let listed = w.endpoints().await;
    assert_eq!((&listed[0]["enabled"], &listed[0]["failingSince"]), (&json!(true), &json!(t0.to_string())));

    // Still failing five days after the first failure: the next failure disables the endpoint.
    w.app.state.clock.set(t0 + SignedDuration::from_hours(5 * 24));
    w.retoken().await;
    w.register("WH-DOWN-2").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, failed: 1, disabled: 1, ..Report::default() });
    let listed = w.endpoints().await;
    assert_eq!(
        (&listed[0]["enabled"], &listed[0]["disabledReason"]),
        (&json!(false), &json!("every attempt has failed for five days"))
    );
}

tahoon_store::backend_tests!(
    a_failing_receiver_is_retried_until_it_answers,
    gone_disables_the_endpoint,
    redirects_are_not_followed,
    a_receiver_too_slow_to_answer_is_retried,
    eleven_failures_fail_the_delivery_and_five_days_disable_the_endpoint,
);
