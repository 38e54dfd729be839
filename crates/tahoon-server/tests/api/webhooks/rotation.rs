//! The secret's rotation (both secrets sign for 24 hours, then only the new one), redelivery (the
//! same message again) and the test route (one endpoint only).

use super::*;
use tahoon_domain::webhooks::signature::sign;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;

async fn both_secrets_sign_for_a_day_after_a_rotation(backend: Backend) {
    let mut w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["*"]).await;
    let old = endpoint.secret.clone();
    w.test_event(&endpoint.id).await;
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });

    let (status, rotated) = w.no_body(Method::POST, &format!("{ENDPOINTS}/{}/rotate-secret", endpoint.id)).await;
    assert_eq!(status, 200, "{rotated}");
    let new = WebhookSecret::parse(rotated["data"]["secret"].as_str().unwrap()).unwrap();
    assert_ne!(new, old);
    let until = w.app.state.clock.now() + SignedDuration::from_hours(24);
    assert_eq!(rotated["data"]["endpointId"], endpoint.id.as_str());
    assert_eq!(rotated["data"]["previousSecretExpiresAt"], json!(until.to_string()));
    let listed = w.endpoints().await;
    assert_eq!(listed[0]["previousSecretExpiresAt"], json!(until.to_string()));
    assert!(listed[0].get("secret").is_none());
    let audit = w.app.state.store.audit_entries(0, 1_000).await.unwrap();
    assert!(audit.iter().any(|e| e.content.action == "webhook.secret_rotated"));

    // Within the day: two signatures, the new one first; either secret verifies.
    w.advance(SignedDuration::from_hours(23));
    w.retoken().await;
    w.test_event(&endpoint.id).await;
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });
    let received = receiver.requests();
    let first = received[0].header("webhook-signature").unwrap();
    assert_eq!(first.split(' ').count(), 1, "{first}");
    assert!(verifies(&received[0], &old) && !verifies(&received[0], &new));
    let during = &received[1];
    let signatures: Vec<&str> = during.header("webhook-signature").unwrap().split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    assert!(signatures.iter().all(|s| s.starts_with("v1,")));
    assert!(verifies(during, &old) && verifies(during, &new));
    let id = during.header("webhook-id").unwrap();
    let timestamp: i64 = during.header("webhook-timestamp").unwrap().parse().unwrap();
    assert_eq!(signatures, [sign(&new, id, timestamp, &during.body), sign(&old, id, timestamp, &during.body)]);

    // After the day: only the new one.
    w.advance(SignedDuration::from_hours(1) + SignedDuration::from_secs(1));
    w.test_event(&endpoint.id).await;
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });
    let after = &receiver.requests()[2];
    assert_eq!(after.header("webhook-signature").unwrap().split(' ').count(), 1);
    assert!(verifies(after, &new) && !verifies(after, &old));
    assert_eq!(w.endpoints().await[0]["previousSecretExpiresAt"], json!(null));
}

async fn redelivery_sends_the_same_message_again(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/hook").as_str(), &["user.registered"]).await;
    let user = w.register("WH-AGAIN").await;
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    let id = w.deliveries(&endpoint.id).await[0]["deliveryId"].as_str().unwrap().to_string();

    w.advance(SignedDuration::from_mins(10));
    let (status, answer) = w.no_body(Method::POST, &format!("{DELIVERIES}/{id}/redeliver")).await;
    assert_eq!(status, 200, "{answer}");
    let now = w.app.state.clock.now().to_string();
    assert_eq!(
        (answer["data"]["deliveryId"].as_str(), answer["data"]["status"].as_str()),
        (Some(id.as_str()), Some("pending"))
    );
    assert_eq!(answer["data"]["nextAttemptAt"], json!(now), "due now");
    assert_eq!(answer["data"]["attemptCount"], 1);
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });

    let received = receiver.requests();
    assert_eq!(received.len(), 2);
    let ids = receiver.webhook_ids();
    assert_eq!(ids[0], ids[1], "the same webhook-id: the receiver can tell it is the same event");
    assert_eq!(received[0].body, received[1].body);
    let body = verified(&received[1], &endpoint.secret);
    assert_eq!(body["data"], json!({"userId": user}));
    let detail = w.delivery(&id).await;
    assert_eq!((detail["status"].as_str(), detail["attemptCount"].as_i64()), (Some("succeeded"), Some(2)));
    let numbers: Vec<i64> =
        detail["attempts"].as_array().unwrap().iter().map(|a| a["attempt"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(detail["deliveredAt"], json!(now));
    assert!(w.pass().await.is_idle());
}

async fn the_test_route_reaches_one_endpoint(backend: Backend) {
    let w = world(backend).await;
    let (one, other) = (WebhookReceiver::start().await, WebhookReceiver::start().await);
    let tested = w.endpoint(one.url("/one").as_str(), &["booking.cancelled"]).await;
    let everything = w.endpoint(other.url("/all").as_str(), &["*"]).await;
    let queued = w.test_event(&tested.id).await;
    assert_eq!((queued["eventType"].as_str(), queued["status"].as_str()), (Some("webhook.test"), Some("pending")));
    assert_eq!((queued["endpointId"].as_str(), queued["attemptCount"].as_i64()), (Some(tested.id.as_str()), Some(0)));
    assert_eq!(w.pass().await, Report { succeeded: 1, ..Report::default() });

    assert_eq!(other.count(), 0, "another endpoint, even subscribed to everything, gets nothing");
    assert!(w.deliveries(&everything.id).await.is_empty());
    let received = one.requests();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("webhook-id"), queued["eventId"].as_str());
    let body = verified(&received[0], &tested.secret);
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["data"]["endpointId"], tested.id.as_str());
    assert!(body["data"]["message"].as_str().unwrap().starts_with("A test event from Tahoon"));
    let listed = w.deliveries(&tested.id).await;
    assert_eq!((listed.len(), listed[0]["status"].as_str()), (1, Some("succeeded")));
}

tahoon_store::backend_tests!(
    both_secrets_sign_for_a_day_after_a_rotation,
    redelivery_sends_the_same_message_again,
    the_test_route_reaches_one_endpoint,
);
