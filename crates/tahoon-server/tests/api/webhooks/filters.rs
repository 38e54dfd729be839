//! Which events an endpoint gets: the types it subscribed to, of its own organization, written
//! after it existed.

use super::*;
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;

async fn an_endpoint_gets_only_what_it_subscribed_to(backend: Backend) {
    let w = world(backend).await;
    let (cancels, bookings) = (WebhookReceiver::start().await, WebhookReceiver::start().await);
    let user = w.register("WH-BEFORE").await;
    let cancelled_only = w.endpoint(cancels.url("/cancelled").as_str(), &["booking.cancelled"]).await;
    let booking_events =
        w.endpoint(bookings.url("/bookings").as_str(), &["booking.confirmed", "booking.cancelled"]).await;
    // Another organization's endpoint subscribed to everything.
    let stranger = w.app.partner().await;
    let theirs = WebhookReceiver::start().await;
    let body = json!({"url": theirs.url("/theirs").as_str(), "events": ["*"]});
    let (status, answer) = w.app.send(&stranger, ENDPOINTS, body).await;
    assert_eq!(status, 200, "{answer}");

    let booked = w.book(&user, &w.free[0].0).await;
    let booking = booked["bookingId"].as_str().unwrap();
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    assert_eq!(cancels.count(), 0, "not subscribed to booking.confirmed");
    assert!(w.deliveries(&cancelled_only.id).await.is_empty());
    assert_eq!(types(&bookings.requests()), ["booking.confirmed"]);

    w.cancel(&user, booking).await;
    assert_eq!(w.pass().await, Report { enqueued: 2, succeeded: 2, ..Report::default() });
    let received = cancels.requests();
    assert_eq!(received.len(), 1);
    let body = verified(&received[0], &cancelled_only.secret);
    assert_eq!(body["type"], "booking.cancelled");
    assert_eq!(
        (body["data"]["bookingId"].as_str(), body["data"]["status"].as_str()),
        (Some(booking), Some("Cancelled"))
    );
    assert_eq!(types(&bookings.requests()), ["booking.confirmed", "booking.cancelled"]);
    assert!(bookings.requests().iter().all(|r| verifies(r, &booking_events.secret)));
    // The user registered before any endpoint existed: no one got `user.registered`; and the
    // other organization got nothing of this one's.
    assert_eq!(theirs.count(), 0);
    assert!(w.pass().await.is_idle());
}

tahoon_store::backend_tests!(an_endpoint_gets_only_what_it_subscribed_to);
