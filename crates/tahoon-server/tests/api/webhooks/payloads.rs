//! What a receiver gets: Standard Webhooks headers and signature, a `{type, timestamp, data}` body
//! with thin data (public ids, never a name, a date of birth, a score or an answer).

use super::*;
use crate::user::{SUBMIT, answers};
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;

async fn events_arrive_signed_and_thin(backend: Backend) {
    let w = world(backend).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = w.endpoint(receiver.url("/tahoon").as_str(), &["*"]).await;
    let written_at = w.app.state.clock.now();
    let user = w.register("WH-PAYLOAD").await;
    // PHQ-9 with item 9 positive: a risk flag at a minimal total.
    let body = json!({"userId": user, "instrument": "PHQ-9", "answers": answers(1, 9, 0, Some(2))});
    let (status, submitted) = w.app.send(&w.p, SUBMIT, body).await;
    assert_eq!((status, &submitted["data"]["riskFlags"]), (200, &json!(["self_harm"])), "{submitted}");
    let assessment = submitted["data"]["assessmentId"].as_str().unwrap().to_string();
    assert!(assessment.starts_with("asm_"));
    let booked = w.book(&user, &w.free[0].0).await;

    let report = w.pass().await;
    assert_eq!(report, Report { enqueued: 4, succeeded: 4, ..Report::default() });
    let mut received = receiver.requests();
    assert_eq!(received.len(), 4);
    received.sort_by_key(|r| r.header("webhook-id").unwrap().to_string());
    let mut kinds = types(&received);
    kinds.sort();
    assert_eq!(kinds, ["assessment.risk_flagged", "assessment.submitted", "booking.confirmed", "user.registered"]);

    let mut ids = Vec::new();
    for r in &received {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/tahoon"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.header("user-agent").unwrap().starts_with("tahoon/"), "{:?}", r.headers);
        let id = r.header("webhook-id").unwrap().to_string();
        assert!(id.starts_with("evt_"), "{id}");
        assert_eq!(r.header("webhook-timestamp"), Some(written_at.as_second().to_string().as_str()));
        let signature = r.header("webhook-signature").unwrap();
        assert!(signature.starts_with("v1,") && !signature.contains(' '), "one secret signs: {signature}");
        let body = verified(r, &endpoint.secret);
        assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
        assert_eq!(body["timestamp"], json!(written_at.to_string()), "when the event was written");
        // Nothing personal, whatever the event.
        let text = r.body_text();
        for personal in [NAME, "Noura", "Qahtani", DOB, "1988", "WH-PAYLOAD"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 4, "one webhook-id per event");

    let of = |kind: &str| {
        let r = received.iter().find(|r| types(std::slice::from_ref(*r))[0] == kind).unwrap();
        serde_json::from_slice::<Value>(&r.body).unwrap()["data"].clone()
    };
    let start = w.start_of(&w.free[0].0);
    assert_eq!(
        of("booking.confirmed"),
        json!({
            "bookingId": booked["bookingId"],
            "userId": user,
            "careProviderId": w.provider,
            "startUtc": start.to_string(),
            "endUtc": (start + SignedDuration::from_mins(60)).to_string(),
            "status": "Confirmed"
        })
    );
    assert_eq!(of("user.registered"), json!({"userId": user}));
    let assessed = json!({"userId": user, "instrument": "PHQ-9", "assessmentId": assessment});
    assert_eq!(of("assessment.submitted"), assessed);
    // The public id the submit route answered; no row id, no score, no answers, no flags' detail.
    assert_eq!(of("assessment.risk_flagged"), assessed);

    // The deliveries page tells the same story: each event once, delivered at the first attempt.
    let listed = w.deliveries(&endpoint.id).await;
    assert_eq!(listed.len(), 4);
    for d in &listed {
        assert_eq!((d["status"].as_str(), d["attemptCount"].as_i64()), (Some("succeeded"), Some(1)), "{d}");
        assert_eq!((d["lastResponseCode"].as_i64(), d["lastResponseBody"].as_str()), (Some(200), Some("ok")));
        assert_eq!(d["deliveredAt"], json!(written_at.to_string()));
        assert_eq!((&d["nextAttemptAt"], &d["lastError"]), (&json!(null), &json!(null)));
        assert!(ids.contains(&d["eventId"].as_str().unwrap().to_string()), "eventId is the webhook-id: {d}");
    }
    assert!(w.pass().await.is_idle(), "nothing is sent twice");
    assert_eq!(receiver.count(), 4);

    // Erased: `user.erased` carries the public id alone.
    let (status, erased) = w.no_body(Method::DELETE, &format!("/api/v1/user/{user}")).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(w.pass().await, Report { enqueued: 1, succeeded: 1, ..Report::default() });
    let last = &receiver.requests()[4];
    let body = verified(last, &endpoint.secret);
    assert_eq!((&body["type"], &body["data"]), (&json!("user.erased"), &json!({"userId": user})));
}

tahoon_store::backend_tests!(events_arrive_signed_and_thin);
