//! VideoSDK failing: down, slow, refusing, answering garbage or too much. Each is the right
//! `VideoError` (which the booking saga turns into Failed + 503), without a secret in it.

use crate::fake_videosdk::{API_KEY, FakeVideoSdk, Fault, SECRET};
use crate::{SHORT, closed_port, room_request};
use std::time::{Duration, Instant};
use tahoon_integrations::video::videosdk::{VideoSdk, VideoSdkConfig};
use tahoon_integrations::video::{VideoError, VideoProvider, VideoRooms};
use url::Url;

/// A client of `url`; `timeout` is its connect and request timeout.
fn client_at(url: &Url, retries: u32, timeout: Duration) -> VideoSdk {
    let mut config = VideoSdkConfig::new(API_KEY, SECRET);
    config.api_endpoint = url.clone();
    config.connect_timeout = timeout;
    config.request_timeout = timeout;
    config.retries = retries;
    VideoSdk::new(config).unwrap()
}

async fn create(fake: &FakeVideoSdk, retries: u32) -> VideoError {
    client_at(&fake.url, retries, Duration::from_secs(5)).create_room(&room_request("bk_1")).await.unwrap_err()
}

#[tokio::test]
async fn a_500_is_retried_then_refused_with_a_short_excerpt_and_no_secret() {
    let fake = FakeVideoSdk::start().await;
    fake.fault(Fault::EchoSecrets(500));
    fake.fault(Fault::EchoSecrets(502));
    let error = create(&fake, 1).await;

    let VideoError::Refused { vendor, status, excerpt } = &error else { panic!("{error:?}") };
    assert_eq!((*vendor, *status), (VideoProvider::VideoSdk, 502));
    let token = fake.seen()[1].authorization.clone().unwrap();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(&token), "{shown}");
    assert!(excerpt.contains("[redacted]") && excerpt.chars().count() <= 201, "{excerpt}");
    assert!(error.is_vendor_unavailable());
    assert_eq!(fake.seen().len(), 2, "one retry");
}

#[tokio::test]
async fn a_refusal_of_the_credentials_is_not_retried() {
    let fake = FakeVideoSdk::start().await;
    let mut config = VideoSdkConfig::new(API_KEY, "a-wrong-secret");
    config.api_endpoint = fake.url.clone();
    let error = VideoSdk::new(config).unwrap().create_room(&room_request("bk_1")).await.unwrap_err();

    assert!(matches!(error, VideoError::Refused { status: 401, .. }), "{error:?}");
    assert_eq!(fake.seen().len(), 1);
    assert!(fake.rooms().is_empty());
}

#[tokio::test]
async fn a_vendor_slower_than_the_timeout_times_out() {
    let fake = FakeVideoSdk::start().await;
    fake.fault(Fault::Late(SHORT * 5));
    fake.fault(Fault::Late(SHORT * 5));
    let started = Instant::now();
    let error = client_at(&fake.url, 1, SHORT).create_room(&room_request("bk_1")).await.unwrap_err();

    assert_eq!(error, VideoError::Timeout { vendor: VideoProvider::VideoSdk, timeout_ms: SHORT.as_millis() as u64 });
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(error.is_vendor_unavailable());
}

#[tokio::test]
async fn an_unreachable_vendor_is_unreachable() {
    let error = client_at(&closed_port().await, 0, SHORT).create_room(&room_request("bk_1")).await.unwrap_err();
    assert!(matches!(error, VideoError::Unreachable { vendor: VideoProvider::VideoSdk, .. }), "{error:?}");
    assert!(error.is_vendor_unavailable());
}

#[tokio::test]
async fn garbage_a_wrong_shape_or_an_unsafe_room_id_is_malformed() {
    let fake = FakeVideoSdk::start().await;
    for body in
        ["<html>Service Unavailable</html>", r#"{"id": 5}"#, r#"{"roomId": "../../admin"}"#, r#"{"roomId": ""}"#]
    {
        fake.fault(Fault::Body(body.into()));
        let error = create(&fake, 1).await;
        assert!(matches!(error, VideoError::Malformed { .. }), "{body}: {error:?}");
        assert!(!error.to_string().contains("Service Unavailable"), "the answer is not echoed: {error}");
    }
    assert_eq!(fake.seen().len(), 4, "a malformed answer is not retried");
}

#[tokio::test]
async fn an_oversized_answer_is_malformed_announced_or_not() {
    let fake = FakeVideoSdk::start().await;
    fake.fault(Fault::Oversized);
    fake.fault(Fault::OversizedChunked);
    let videosdk = client_at(&fake.url, 0, Duration::from_secs(5));
    for _ in 0..2 {
        let error = videosdk.create_room(&room_request("bk_1")).await.unwrap_err();
        assert!(matches!(&error, VideoError::Malformed { detail, .. } if detail.contains("larger than")), "{error:?}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let fake = FakeVideoSdk::start().await;
    fake.fault(Fault::Redirect);
    let error = create(&fake, 1).await;
    assert!(matches!(error, VideoError::Refused { status: 302, .. }), "{error:?}");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn the_vendor_answering_again_makes_the_room() {
    let fake = FakeVideoSdk::start().await;
    fake.fault(Fault::Status(503, "maintenance".into()));
    assert!(create(&fake, 0).await.is_vendor_unavailable());
    let room = client_at(&fake.url, 0, Duration::from_secs(5)).create_room(&room_request("bk_1")).await.unwrap();
    assert_eq!(room.meeting_id, fake.rooms()[0].room_id);
}
