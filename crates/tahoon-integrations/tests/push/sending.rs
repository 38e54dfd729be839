//! Sending: what FCM receives on each topic, and what each of its answers means.

use crate::fakes::{Fakes, PROJECT, fcm_error};
use crate::tokens::message;
use jiff::SignedDuration;
use jiff::fmt::rfc2822;
use serde_json::Value;
use std::time::Duration;
use tahoon_integrations::push::{
    AuthFailure, BookingNotice, FcmClient, FcmError, Language, NotificationType, ProviderTopicId, SendOutcome,
    booking_messages,
};
use wiremock::ResponseTemplate;

fn notice(name: Option<&str>) -> BookingNotice {
    BookingNotice {
        notification_type: NotificationType::NewBooking,
        provider_id: ProviderTopicId::new("cp_q1W2e3R4t5Y6").unwrap(),
        booking_id: "bkg_AAAA".into(),
        starts_at: "2026-03-05T11:00:00Z".parse().unwrap(),
        ends_at: "2026-03-05T11:50:00Z".parse().unwrap(),
        time_zone: "Asia/Riyadh".into(),
        meeting_id: Some("abc-1234-efgh".into()),
        user_display_name: name.map(str::to_owned),
        language: Language::Arabic,
    }
}

fn sent(n: usize) -> SendOutcome {
    SendOutcome::Sent { name: Some(format!("projects/{PROJECT}/messages/0:{n}")) }
}

#[tokio::test]
async fn each_topic_gets_its_shape_in_both_languages() {
    let fakes = Fakes::start().await;
    let outcomes = fakes.client().send_booking(&booking_messages(&notice(Some("Sara Ahmed"))).unwrap()).await;
    assert_eq!(outcomes, [sent(1), sent(2)]);
    let bodies = fakes.sent_bodies().await;
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["message"], "no validate_only, nothing else");
    }
    let (android, ios) = (&bodies[0]["message"], &bodies[1]["message"]);

    assert_eq!(android["topic"], "android_doctor_cp_q1W2e3R4t5Y6~");
    assert!(android.get("notification").is_none(), "Android gets data only");
    assert_eq!(ios["topic"], "ios_doctor_cp_q1W2e3R4t5Y6~");
    assert_eq!(ios["notification"]["title"], "حجز جلسة جديدة");
    assert_eq!(ios["notification"]["body"], "حجز Sara Ahmed جلسة بتاريخ 2026-03-05 الساعة 14:00 (Asia/Riyadh).");

    for m in [android, ios] {
        let data = m["data"].as_object().unwrap();
        assert!(data.values().all(Value::is_string));
        assert_eq!(data["notificationType"], "2");
        assert_eq!(data["meetingId"], "abc-1234-efgh");
        assert_eq!((&data["slotDate"], &data["slotStartTime"]), (&Value::from("2026-03-05"), &Value::from("14:00:00")));
        assert_eq!(
            (&data["startUtc"], &data["timeZone"]),
            (&Value::from("2026-03-05T11:00:00Z"), &Value::from("Asia/Riyadh"))
        );
        assert_eq!(data["clientName"], "Sara Ahmed");
        assert_eq!(data["titleEn"], "New session booked");
        assert_eq!(data["bodyEn"], "Sara Ahmed booked a session on 2026-03-05 at 14:00 (Asia/Riyadh).");
        assert_eq!(data["titleAr"], "حجز جلسة جديدة");
    }
    assert_eq!(fakes.bearers().await, ["Bearer ya29.test-1"; 2]);
}

#[tokio::test]
async fn the_users_name_is_not_sent_unless_allowed() {
    let fakes = Fakes::start().await;
    let outcomes = fakes.client().send_booking(&booking_messages(&notice(None)).unwrap()).await;
    assert!(outcomes.iter().all(SendOutcome::is_sent));
    for body in fakes.sent_bodies().await {
        let text = body.to_string();
        assert!(!text.contains("clientName") && !text.contains("Sara"), "{text}");
        assert!(body["message"]["data"]["bodyEn"].as_str().unwrap().starts_with("A session was booked on 2026-03-05"));
    }
}

#[tokio::test]
async fn unregistered_and_invalid_argument_are_final() {
    let fakes = Fakes::start().await;
    fakes.then_answer([
        fcm_error(404, "NOT_FOUND", "UNREGISTERED"),
        fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
        ResponseTemplate::new(400).set_body_string("Bad Request"),
    ]);
    let client = fakes.client();
    let unregistered = client.send(&message("t")).await;
    assert_eq!(unregistered, SendOutcome::Permanent { error: FcmError::Unregistered });
    assert_eq!(client.send(&message("t")).await, SendOutcome::Permanent { error: FcmError::InvalidArgument });
    assert_eq!(client.send(&message("t")).await, SendOutcome::Permanent { error: FcmError::InvalidArgument });
    assert_eq!(fakes.sent_bodies().await.len(), 3, "each tried once");
    assert!(!format!("{unregistered:?}").contains("Sara"), "FCM's message text is not kept");
}

#[tokio::test]
async fn quota_exceeded_honours_retry_after_in_seconds_or_as_a_date() {
    let fakes = Fakes::start().await;
    let in_90_s = fakes.clock.now()().checked_add(SignedDuration::from_secs(90)).unwrap();
    let date = rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&in_90_s).unwrap();
    fakes.then_answer([
        fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED").insert_header("Retry-After", "42"),
        fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED").insert_header("Retry-After", date.as_str()),
        ResponseTemplate::new(429),
    ]);
    let client = fakes.client();
    let quota = |after| SendOutcome::Retry { after, error: FcmError::QuotaExceeded };
    assert_eq!(client.send(&message("t")).await, quota(Some(Duration::from_secs(42))));
    assert_eq!(client.send(&message("t")).await, quota(Some(Duration::from_secs(90))));
    assert_eq!(client.send(&message("t")).await, quota(None));
}

#[tokio::test]
async fn unavailable_and_server_errors_are_retried_later() {
    let fakes = Fakes::start().await;
    fakes.then_answer([
        ResponseTemplate::new(503).insert_header("Retry-After", "5"),
        fcm_error(503, "UNAVAILABLE", "UNAVAILABLE"),
        fcm_error(500, "INTERNAL", "INTERNAL"),
        ResponseTemplate::new(502).set_body_string("<html>gateway</html>"),
    ]);
    let client = fakes.client();
    let retry = |after, error| SendOutcome::Retry { after, error };
    assert_eq!(client.send(&message("t")).await, retry(Some(Duration::from_secs(5)), FcmError::Unavailable));
    assert_eq!(client.send(&message("t")).await, retry(None, FcmError::Unavailable));
    assert_eq!(client.send(&message("t")).await, retry(None, FcmError::Internal));
    assert_eq!(client.send(&message("t")).await, retry(None, FcmError::Http(502)));
    assert_eq!(client.send(&message("t")).await, sent(1));
    assert_eq!(fakes.exchanges(), 1);
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once_with_a_new_one() {
    let fakes = Fakes::start().await;
    fakes.then_answer([ResponseTemplate::new(401)]);
    let client = fakes.client();
    assert_eq!(client.send(&message("t")).await, sent(1));
    assert_eq!(fakes.exchanges(), 2);
    assert_eq!(fakes.bearers().await, ["Bearer ya29.test-1", "Bearer ya29.test-2"]);
    assert_eq!(client.send(&message("t")).await, sent(2));
    assert_eq!(fakes.exchanges(), 2, "the new token is cached");
}

#[tokio::test]
async fn a_second_401_is_unauthenticated() {
    let fakes = Fakes::start().await;
    fakes.then_answer([ResponseTemplate::new(401), ResponseTemplate::new(401)]);
    let outcome = fakes.client().send(&message("t")).await;
    assert_eq!(outcome, SendOutcome::Unauthenticated { cause: AuthFailure::Unauthorized });
    assert_eq!(fakes.sent_bodies().await.len(), 2, "one retry, no more");
}

#[tokio::test]
async fn an_apns_credential_error_is_final_and_keeps_the_token() {
    let fakes = Fakes::start().await;
    fakes.then_answer([fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")]);
    let outcome = fakes.client().send(&message("t")).await;
    assert_eq!(outcome, SendOutcome::Permanent { error: FcmError::ThirdPartyAuthError });
    assert_eq!(fakes.exchanges(), 1);
}

#[tokio::test]
async fn a_slow_fcm_times_out() {
    let fakes = Fakes::start().await;
    fakes.then_answer([ResponseTemplate::new(200).set_delay(Duration::from_secs(3))]);
    let mut config = fakes.config();
    config.request_timeout = Duration::from_millis(300);
    let client = FcmClient::with_clock(config, fakes.clock.now()).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(client.send(&message("t")).await, SendOutcome::Retry { after: None, error: FcmError::Timeout });
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_unreachable_fcm_is_retried_later() {
    let fakes = Fakes::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut config = fakes.config();
    config.base_url = format!("http://{closed}").parse().unwrap();
    let client = FcmClient::with_clock(config, fakes.clock.now()).unwrap();
    assert_eq!(client.send(&message("t")).await, SendOutcome::Retry { after: None, error: FcmError::Connection });
}

#[tokio::test]
async fn the_send_url_names_the_project() {
    let fakes = Fakes::start().await;
    let client = fakes.client();
    assert_eq!(client.sender().send_url().as_str(), format!("{}/v1/projects/{PROJECT}/messages:send", fakes.fcm.uri()));
}
