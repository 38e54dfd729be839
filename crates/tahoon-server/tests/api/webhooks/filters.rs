//! Which events an endpoint gets: the types it subscribed to, of its own organization, written
//! after it existed.

use super::*;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;

fn data(r: &Received) -> Value {
    serde_json::from_slice::<Value>(&r.body).unwrap()["data"].clone()
}

async fn an_endpoint_gets_only_what_it_subscribed_to(backend: Backend) {
    let w = world(backend).await;
    let (cancels, bookings, all) =
        (WebhookReceiver::start().await, WebhookReceiver::start().await, WebhookReceiver::start().await);
    let user = w.register("WH-BEFORE").await;
    // Every endpoint is created after the registration was written.
    w.advance(SignedDuration::from_secs(1));
    let cancelled_only = w.endpoint(cancels.url("/cancelled").as_str(), &["booking.cancelled"]).await;
    let booking_events =
        w.endpoint(bookings.url("/bookings").as_str(), &["booking.confirmed", "booking.cancelled"]).await;
    let everything = w.endpoint(all.url("/all").as_str(), &["*"]).await;
    // Another organization's endpoint subscribed to everything.
    let stranger = w.app.partner().await;
    let theirs = WebhookReceiver::start().await;
    let body = json!({"url": theirs.url("/theirs").as_str(), "events": ["*"]});
    let (status, answer) = w.app.send(&stranger, ENDPOINTS, body).await;
    assert_eq!(status, 200, "{answer}");

    let booked = w.book(&user, &w.free[0].0).await;
    let booking = booked["bookingId"].as_str().unwrap();
    assert_eq!(w.pass().await, Report { enqueued: 2, succeeded: 2, ..Report::default() });
    assert_eq!(cancels.count(), 0, "not subscribed to booking.confirmed");
    assert!(w.deliveries(&cancelled_only.id).await.is_empty());
    assert_eq!(types(&bookings.requests()), ["booking.confirmed"]);

    w.reschedule(&user, booking, &w.free[2].0).await;
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    w.cancel(&user, booking).await;
    assert_eq!(w.pass().await, Report { enqueued: 3, succeeded: 3, ..Report::default() });

    let received = cancels.requests();
    assert_eq!(received.len(), 1);
    let body = verified(&received[0], &cancelled_only.secret);
    assert_eq!(body["type"], "booking.cancelled");
    let moved = w.start_of(&w.free[2].0);
    let expected = json!({
        "bookingId": booking,
        "userId": user,
        "careProviderId": w.provider,
        "startUtc": moved.to_string(),
        "endUtc": (moved + SignedDuration::from_mins(60)).to_string(),
        "status": "Cancelled"
    });
    assert_eq!(body["data"], expected);
    assert_eq!(types(&bookings.requests()), ["booking.confirmed", "booking.cancelled"]);
    assert!(bookings.requests().iter().all(|r| verifies(r, &booking_events.secret)));

    // What the worker did shows in the metrics: deliveries by outcome, how late they began, and
    // the booking by its outcome.
    let metrics = w.app.http.get(w.app.url("/metrics")).bearer_auth(OPERATOR_TOKEN).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    for series in [
        r#"tahoon_webhook_deliveries_total{outcome="delivered"}"#,
        r#"tahoon_outbox_lag_seconds_bucket{consumer="webhooks",le="+Inf"}"#,
        r#"tahoon_bookings_total{outcome="Success"}"#,
        r#"vendor="webhook",operation="deliver",outcome="ok""#,
    ] {
        assert!(metrics.contains(series), "{series} missing from:\n{metrics}");
    }

    // `*`: every booking event, and not the registration written before the endpoint existed.
    let got = all.requests();
    assert_eq!(types(&got), ["booking.confirmed", "booking.rescheduled", "booking.cancelled"]);
    assert!(got.iter().all(|r| verifies(r, &everything.secret)));
    let rescheduled = data(&got[1]);
    assert_eq!(
        (rescheduled["startUtc"].as_str(), rescheduled["status"].as_str()),
        (Some(moved.to_string().as_str()), Some("Confirmed"))
    );
    assert_eq!(data(&got[0])["startUtc"], json!(w.start_of(&w.free[0].0).to_string()));
    // The other organization got nothing of this one's.
    assert_eq!(theirs.count(), 0);
    assert!(w.pass().await.is_idle());
}

tahoon_store::backend_tests!(an_endpoint_gets_only_what_it_subscribed_to);
