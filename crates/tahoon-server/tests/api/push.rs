//! Push to providers from the outbox, end to end: FCM configured through the operator's settings
//! route, sessions booked, moved and cancelled over HTTP, and the worker's pass (`deliver_due`)
//! run directly against fakes of Google's token endpoint and FCM. No sleeping: backoff is waited
//! out by moving the application's clock.

use crate::careprovider::{admin, import, provider, soon};
use crate::helpers::*;
use crate::push_fakes::{Fakes, fcm_error, fcm_ok};
use crate::sessionbooking::{BOOK, CANCEL, slots};
use jiff::SignedDuration;
use serde_json::{Value, json};
use tahoon_domain::organization::OrganizationKind;
use tahoon_server::services::push::{Report, deliver_due};
use tahoon_store::{Backend, ClaimPush, EnqueuePush, PushStatus};
use wiremock::ResponseTemplate;

const RESCHEDULE: &str = "/api/v1/sessionbooking/reschedule";

struct World {
    app: TestApp,
    partner: Partner,
    provider: String,
    user: String,
    free: Vec<(String, String)>,
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let provider = import(&app, vec![provider("Amal", json!({}))]).await.remove(0);
    let partner = app.partner_of(OrganizationKind::Standard).await;
    let body = json!({"referenceId": "P1", "name": "Sara Ahmed", "dob": "1990-01-01", "genderType": 1});
    let (status, registered) = app.send(&partner, "/api/v1/user/register", body).await;
    assert_eq!(status, 200, "{registered}");
    let user = registered["data"]["userId"].as_str().unwrap().to_string();
    let free = slots(&app, &partner, &provider, &soon()).await;
    assert_eq!(free.len(), 3);
    World { app, partner, provider, user, free }
}

impl World {
    async fn setting(&self, key: &str, value: &str) {
        let path = format!("/api/v1/admin/settings/{key}");
        let (status, body) = admin(&self.app, reqwest::Method::PUT, &path, Some(json!({ "value": value }))).await;
        assert_eq!(status, 200, "{key}: {body}");
    }

    /// Points `fcm.service_account` and `fcm.base_url` at the fakes.
    async fn configure(&self, fakes: &Fakes) {
        self.setting("fcm.service_account", &fakes.service_account()).await;
        self.setting("fcm.base_url", &fakes.fcm.uri()).await;
        self.setting("fcm.request_timeout_ms", "5000").await;
    }

    /// Books slot `i` (09:00, 10:00, 11:00 in Riyadh); returns the booking's data.
    async fn book(&self, i: usize) -> Value {
        let body = json!({"userId": self.user, "applicationMultiSlotId": self.free[i].0});
        let (status, booked) = self.app.send(&self.partner, BOOK, body).await;
        assert_eq!((status, booked["data"]["statusName"].as_str()), (200, Some("Confirmed")), "{booked}");
        booked["data"].clone()
    }

    async fn cancel(&self, booking: &str) {
        let body = json!({"bookingId": booking, "userId": self.user, "careProviderId": self.provider});
        let (status, answer) = self.app.send(&self.partner, CANCEL, body).await;
        assert_eq!(status, 200, "{answer}");
    }

    async fn reschedule(&self, booking: &str, i: usize) {
        let body = json!({"bookingId": booking, "userId": self.user, "applicationMultiSlotId": self.free[i].0});
        let (status, answer) = self.app.send(&self.partner, RESCHEDULE, body).await;
        assert_eq!(status, 200, "{answer}");
    }

    async fn status(&self, booking: &str) -> String {
        let url = self.app.url(&format!("/api/v1/sessionbooking/{booking}"));
        let response = self.app.http.get(url).bearer_auth(&self.partner.token).send().await.unwrap();
        let detail: Value = response.json().await.unwrap();
        detail["data"]["statusName"].as_str().unwrap().to_string()
    }

    async fn pass(&self) -> Report {
        deliver_due(&self.app.state).await.expect("a push pass")
    }

    async fn jobs(&self, status: PushStatus) -> Vec<tahoon_store::PushJob> {
        self.app.state.store.push_jobs(Some(status), 100).await.unwrap()
    }

    fn advance(&self, seconds: i64) {
        self.app.state.clock.advance(SignedDuration::from_secs(seconds));
    }
}

fn sent(n: usize) -> Report {
    Report { sent: n, ..Report::default() }
}

/// A pass that also enqueued: only the counts of jobs finished are compared.
fn finished(report: Report) -> Report {
    Report { enqueued: 0, ..report }
}

async fn each_change_reaches_both_topics(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    let booked = w.book(0).await;
    let booking = booked["bookingId"].as_str().unwrap().to_string();
    assert_eq!(w.pass().await, Report { enqueued: 1, sent: 1, ..Report::default() });
    w.reschedule(&booking, 2).await;
    assert_eq!(finished(w.pass().await), sent(1));
    w.cancel(&booking).await;
    assert_eq!(finished(w.pass().await), sent(1));
    assert!(w.pass().await.is_idle(), "nothing is sent twice");

    let received = fakes.received().await;
    let topics: Vec<&str> = received.iter().map(|m| m.topic.as_str()).collect();
    let (android, ios) = (format!("android_doctor_{}~", w.provider), format!("ios_doctor_{}~", w.provider));
    assert_eq!(topics, [&android, &ios, &android, &ios, &android, &ios]);
    let kinds: Vec<&str> = received.iter().map(|m| m.data["notificationTypeName"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "NewBooking",
            "NewBooking",
            "BookingRescheduled",
            "BookingRescheduled",
            "CancelRefundBooking",
            "CancelRefundBooking"
        ]
    );
    let codes: Vec<&str> = received.iter().map(|m| m.data["notificationType"].as_str().unwrap()).collect();
    assert_eq!(codes, ["2", "2", "17", "17", "7", "7"]);
    let starts: Vec<&str> = received.iter().map(|m| m.data["slotStartTime"].as_str().unwrap()).collect();
    assert_eq!(
        starts,
        ["09:00:00", "09:00:00", "11:00:00", "11:00:00", "11:00:00", "11:00:00"],
        "after a move, the new time"
    );
    for m in &received {
        assert_eq!(m.data["bookingId"], booked["bookingId"]);
        assert_eq!(m.data["meetingId"], booked["meetingId"]);
        assert_eq!(m.data["slotDate"].as_str(), Some(soon().as_str()));
        assert_eq!(m.data["timeZone"], "Asia/Riyadh");
        assert_eq!(m.data["utcOffset"], "+03:00");
        assert!(m.data.get("clientName").is_none(), "no name unless the privacy setting allows it");
        assert_eq!(m.notification.is_some(), m.topic == ios, "iOS gets a notification, Android data only");
        assert!(!m.data.to_string().contains("Sara"), "{}", m.data);
    }
    let utc = |m: &crate::push_fakes::Received| (m.data["startUtc"].clone(), m.data["endUtc"].clone());
    let date = soon();
    assert_eq!(utc(&received[0]), (json!(format!("{date}T06:00:00Z")), json!(format!("{date}T07:00:00Z"))));
    assert_eq!(utc(&received[2]), (json!(format!("{date}T08:00:00Z")), json!(format!("{date}T09:00:00Z"))));
    assert_eq!(fakes.exchanges(), 1, "one token exchange for every send");

    // With the privacy setting on, the provider sees the client's name.
    w.setting("privacy.share_user_name_with_providers", "true").await;
    w.book(1).await;
    assert_eq!(finished(w.pass().await), sent(1));
    let received = fakes.received().await;
    let named = &received[6..];
    assert!(named.iter().all(|m| m.data["clientName"] == "Sara Ahmed"), "{named:?}");
    let body = named[1].notification.as_ref().unwrap()["body"].as_str().unwrap();
    assert!(body.starts_with("Sara Ahmed booked a session on"), "{body}");
    assert_eq!(fakes.exchanges(), 1);
    let done = w.jobs(PushStatus::Sent).await;
    assert_eq!(done.len(), 4);
    assert!(done.iter().all(|j| j.sent_at.is_some() && j.attempts == 1 && j.last_error.is_none()));
    // Each call to FCM is measured as a vendor call.
    let metrics = w.app.http.get(w.app.url("/metrics")).bearer_auth(OPERATOR_TOKEN).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains(r#"vendor="fcm",operation="send",outcome="ok""#), "{metrics}");
    assert!(metrics.contains(r#"tahoon_push_deliveries_total{outcome="sent"}"#), "{metrics}");
}

async fn fcm_down_keeps_the_booking_and_retries_the_push(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    let unavailable = || fcm_error(503, "UNAVAILABLE", "UNAVAILABLE").insert_header("retry-after", "30");
    fakes.then_answer([unavailable()]);
    let booking = w.book(0).await["bookingId"].as_str().unwrap().to_string();
    assert_eq!(finished(w.pass().await), Report { retried: 1, ..Report::default() });
    assert_eq!(w.status(&booking).await, "Confirmed");
    let waiting = w.jobs(PushStatus::Pending).await.remove(0);
    assert_eq!(waiting.last_error.as_deref(), Some("UNAVAILABLE"));
    assert!(waiting.next_attempt_at >= w.app.state.clock.now().checked_add(SignedDuration::from_secs(29)).unwrap());
    assert_eq!(fakes.received().await.len(), 1, "the iOS message waits with it");

    // Not before Retry-After.
    w.advance(20);
    assert!(w.pass().await.is_idle());
    w.advance(11);
    assert_eq!(finished(w.pass().await), sent(1));
    assert_eq!(fakes.received().await.len(), 3);

    // Android accepted, iOS refused for now: only iOS is sent again.
    fakes.then_answer([fcm_ok(), unavailable()]);
    w.book(1).await;
    assert_eq!(finished(w.pass().await), Report { retried: 1, ..Report::default() });
    w.advance(31);
    assert_eq!(finished(w.pass().await), sent(1));
    let topics: Vec<String> = fakes.received().await.into_iter().skip(3).map(|m| m.topic).collect();
    assert_eq!(
        topics,
        [
            format!("android_doctor_{}~", w.provider),
            format!("ios_doctor_{}~", w.provider),
            format!("ios_doctor_{}~", w.provider)
        ]
    );

    // FCM down for good: the attempts run out and the push fails; the booking stays.
    fakes.then_answer((0..12).map(|_| fcm_error(500, "INTERNAL", "INTERNAL")));
    let third = w.book(2).await["bookingId"].as_str().unwrap().to_string();
    for _ in 0..12 {
        w.pass().await;
        w.advance(601);
    }
    let failed = w.jobs(PushStatus::Failed).await.remove(0);
    assert_eq!(failed.last_error.as_deref(), Some("gave up after 12 attempts: INTERNAL"));
    assert_eq!(w.status(&third).await, "Confirmed");
    assert_eq!(fakes.exchanges(), 2, "a second token once the first one's hour was up");
}

async fn unregistered_is_recorded_and_not_retried(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    fakes.then_answer([fcm_error(404, "NOT_FOUND", "UNREGISTERED")]);
    let booking = w.book(0).await["bookingId"].as_str().unwrap().to_string();
    assert_eq!(finished(w.pass().await), Report { failed: 1, ..Report::default() });
    let failed = w.jobs(PushStatus::Failed).await.remove(0);
    assert_eq!(failed.last_error.as_deref(), Some("UNREGISTERED"), "FCM's message, which echoes data, is not kept");
    assert_eq!(failed.attempts, 1);
    assert_eq!(fakes.received().await.len(), 2, "the iOS message still went");
    w.advance(3_600);
    assert!(w.pass().await.is_idle());
    assert_eq!(fakes.received().await.len(), 2, "not retried");
    assert_eq!(w.status(&booking).await, "Confirmed");
}

async fn without_fcm_bookings_work_and_pushes_close(backend: Backend) {
    let w = world(backend).await;
    let booking = w.book(0).await["bookingId"].as_str().unwrap().to_string();
    w.cancel(&booking).await;
    assert_eq!(w.pass().await, Report { enqueued: 2, skipped: 2, ..Report::default() });
    let skipped = w.jobs(PushStatus::Skipped).await;
    assert_eq!(skipped.len(), 2);
    assert!(skipped.iter().all(|j| j.last_error.as_deref() == Some("push is not configured (fcm.service_account)")));

    // Set but unusable (plain http to another host): pushes wait, and go once it is fixed.
    let fakes = Fakes::start().await;
    w.setting("fcm.service_account", &fakes.service_account()).await;
    w.setting("fcm.base_url", "http://fcm.example").await;
    w.book(1).await;
    assert_eq!(w.pass().await, Report { enqueued: 1, misconfigured: true, ..Report::default() });
    assert_eq!(w.jobs(PushStatus::Pending).await.len(), 1);
    w.setting("fcm.base_url", &fakes.fcm.uri()).await;
    assert_eq!(w.pass().await, sent(1));
    assert_eq!(fakes.received().await.len(), 2, "the earlier, skipped changes are not sent");
}

async fn a_job_claimed_by_a_crashed_worker_is_delivered_once(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    w.book(0).await;
    // A worker claims the job and dies before sending.
    let store = &w.app.state.store;
    let now = w.app.state.clock.now();
    store.enqueue_push_jobs(EnqueuePush { now, settled_before: now }).await.unwrap();
    let lease = now.checked_add(SignedDuration::from_secs(60)).unwrap();
    let claimed = store.claim_push_jobs(ClaimPush { now, lease_until: lease, limit: 10 }).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(w.pass().await.is_idle(), "leased to the dead worker");
    assert!(fakes.received().await.is_empty());
    w.advance(60);
    assert_eq!(w.pass().await, sent(1));
    assert_eq!(fakes.received().await.len(), 2);
    let job = w.jobs(PushStatus::Sent).await.remove(0);
    assert_eq!((job.id, job.attempts), (claimed[0].id, 2));
    w.advance(3_600);
    assert!(w.pass().await.is_idle());
    assert_eq!(fakes.received().await.len(), 2, "delivered once");
}

/// Changes that piled up (FCM was off, or both came within one pass): a notice a later change made
/// wrong is not sent, so a provider is never told of a time that no longer stands.
async fn a_notice_overtaken_by_a_later_change_is_not_sent(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    let booking = w.book(0).await["bookingId"].as_str().unwrap().to_string();
    w.reschedule(&booking, 2).await;
    assert_eq!(w.pass().await, Report { enqueued: 2, sent: 1, skipped: 1, ..Report::default() });
    let received = fakes.received().await;
    let kinds: Vec<&str> = received.iter().map(|m| m.data["notificationTypeName"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["BookingRescheduled", "BookingRescheduled"]);
    assert_eq!(received[0].data["slotStartTime"], "11:00:00");
    let skipped = w.jobs(PushStatus::Skipped).await.remove(0);
    assert_eq!(
        (skipped.event.event_type.as_str(), skipped.last_error.as_deref()),
        ("booking.confirmed", Some("the booking has moved since"))
    );
}

/// FCM refusing the cached access token: it is replaced once and the message sent.
async fn a_refused_token_is_renewed_once(backend: Backend) {
    let w = world(backend).await;
    let fakes = Fakes::start().await;
    w.configure(&fakes).await;
    w.book(0).await;
    fakes.then_answer([
        ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}))
    ]);
    assert_eq!(finished(w.pass().await), sent(1));
    assert_eq!(fakes.exchanges(), 2, "the refused token was replaced once");
    assert_eq!(fakes.received().await.len(), 3);
}

tahoon_store::backend_tests!(
    each_change_reaches_both_topics,
    fcm_down_keeps_the_booking_and_retries_the_push,
    unregistered_is_recorded_and_not_retried,
    without_fcm_bookings_work_and_pushes_close,
    a_job_claimed_by_a_crashed_worker_is_delivered_once,
    a_refused_token_is_renewed_once,
    a_notice_overtaken_by_a_later_change_is_not_sent,
);
