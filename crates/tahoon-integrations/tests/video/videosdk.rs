//! VideoSDK: the management token, the room body, idempotent creation, validation, join tokens and
//! recordings, as the fake receives and answers them.

use crate::fake_videosdk::{API_KEY, FakeVideoSdk, Fault, SECRET, recording};
use crate::{SHORT, now, room_request, verified_claims};
use reqwest::Method;
use serde_json::json;
use tahoon_integrations::video::videosdk::{VideoSdk, VideoSdkConfig};
use tahoon_integrations::video::{
    BookingRef, JOIN_GRACE, Participant, ParticipantRole, RoomValidity, Session, VideoError, VideoProvider, VideoRooms,
};

pub fn client(fake: &FakeVideoSdk, enable_recording: bool) -> VideoSdk {
    let mut config = VideoSdkConfig::new(API_KEY, SECRET);
    config.api_endpoint = fake.url.clone();
    config.enable_recording = enable_recording;
    config.request_timeout = std::time::Duration::from_secs(5);
    VideoSdk::new(config).unwrap()
}

#[tokio::test]
async fn the_management_token_is_hs256_with_the_crawler_claims_sent_raw() {
    let fake = FakeVideoSdk::start().await;
    client(&fake, false).create_room(&room_request("bk_1")).await.unwrap();

    let seen = &fake.seen()[0];
    let raw = seen.authorization.as_deref().unwrap();
    assert!(!raw.to_lowercase().starts_with("bearer"), "sent raw, without a scheme: {raw}");
    let claims = verified_claims(raw, SECRET, true);
    assert_eq!(claims["apikey"], API_KEY);
    assert_eq!(claims["permissions"], json!(["allow_join"]));
    assert_eq!(claims["version"], 2);
    assert_eq!(claims["roles"], json!(["crawler"]));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!((1..=600).contains(&lifetime), "short-lived: {lifetime} s");
    assert!(seen.user_agent.as_deref().unwrap().starts_with("tahoon/"));
    assert!(verified_claims_fail_with_another_secret(raw));
}

fn verified_claims_fail_with_another_secret(token: &str) -> bool {
    crate::try_verified_claims(token, "not-the-secret", true).is_err()
}

#[tokio::test]
async fn without_recording_the_room_body_is_only_the_custom_room_id() {
    let fake = FakeVideoSdk::start().await;
    let room = client(&fake, false).create_room(&room_request("bk_1")).await.unwrap();

    let seen = &fake.seen()[0];
    assert_eq!((seen.method.clone(), seen.path.as_str()), (Method::POST, "/v2/rooms"));
    assert_eq!(seen.body, json!({ "customRoomId": BookingRef::new("bk_1").room_key() }));
    assert_eq!(room.meeting_id, fake.rooms()[0].room_id, "the vendor's roomId is the meeting id");
    assert_eq!((room.join_url, room.vendor), (None, VideoProvider::VideoSdk));
}

#[tokio::test]
async fn with_recording_the_room_body_carries_the_reference_auto_start_config() {
    let fake = FakeVideoSdk::start().await;
    client(&fake, true).create_room(&room_request("bk_1")).await.unwrap();

    let expected = json!({
        "customRoomId": BookingRef::new("bk_1").room_key(),
        "autoStartConfig": {
            "recording": {
                "transcription": {
                    "enabled": true,
                    "summary": { "enabled": true, "prompt": "Online therapy session" }
                },
                "config": { "layout": { "type": "GRID", "priority": "SPEAKER", "gridSize": 2 } }
            }
        }
    });
    assert_eq!(fake.seen()[0].body, expected);
}

#[tokio::test]
async fn creating_a_bookings_room_again_finds_the_same_room() {
    let fake = FakeVideoSdk::start().await;
    let videosdk = client(&fake, false);
    let first = videosdk.create_room(&room_request("bk_1")).await.unwrap();
    let again = videosdk.create_room(&room_request("bk_1")).await.unwrap();
    let other = videosdk.create_room(&room_request("bk_2")).await.unwrap();

    assert_eq!(first, again);
    assert_ne!(first.meeting_id, other.meeting_id);
    assert_eq!(fake.rooms().len(), 2, "one room per booking");
    let ids: Vec<_> = fake.seen().iter().map(|s| s.body["customRoomId"].clone()).collect();
    assert_eq!(ids[0], ids[1], "the same customRoomId both times");
}

#[tokio::test]
async fn a_create_answered_too_late_is_retried_with_the_same_custom_room_id() {
    let fake = FakeVideoSdk::start().await;
    let mut config = VideoSdkConfig::new(API_KEY, SECRET);
    config.api_endpoint = fake.url.clone();
    config.request_timeout = SHORT * 3;
    config.retries = 1;
    // The vendor creates the room but answers after the client gave up; the retry finds it.
    fake.fault(Fault::Late(SHORT * 10));
    let room = VideoSdk::new(config).unwrap().create_room(&room_request("bk_1")).await.unwrap();

    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(fake.rooms().len(), 1, "one room, however many attempts");
    assert_eq!(room.meeting_id, fake.rooms()[0].room_id);
}

#[tokio::test]
async fn validation_tells_valid_disabled_and_missing() {
    let fake = FakeVideoSdk::start().await;
    fake.add_room("aaaa-bbbb-cccc", false);
    fake.add_room("dddd-eeee-ffff", true);
    let videosdk = client(&fake, false);

    assert_eq!(videosdk.validate_room("aaaa-bbbb-cccc").await.unwrap(), RoomValidity::Valid);
    assert_eq!(videosdk.validate_room("dddd-eeee-ffff").await.unwrap(), RoomValidity::Disabled);
    assert_eq!(videosdk.validate_room("zzzz-zzzz-zzzz").await.unwrap(), RoomValidity::Missing);
    fake.fault(Fault::Status(
        400,
        r#"{"statusCode":400,"error":"invalid_params","message":"RoomId is invalid."}"#.into(),
    ));
    assert_eq!(videosdk.validate_room("aaaa-bbbb-cccc").await.unwrap(), RoomValidity::Missing);

    let seen = fake.seen();
    assert_eq!((seen[0].method.clone(), seen[0].path.as_str()), (Method::GET, "/v2/rooms/validate/aaaa-bbbb-cccc"));
    assert!(seen.iter().all(|s| s.claims.is_ok()), "every call carries a valid management token");
}

#[tokio::test]
async fn join_tokens_are_rtc_tokens_for_the_room_and_the_participant() {
    let fake = FakeVideoSdk::start().await;
    let videosdk = client(&fake, false);
    let request = room_request("bk_1");
    let session = Session { meeting_id: "abcd-0001-wxyz", ends_at: request.ends_at };

    let ticket = videosdk.join_ticket(session, &request.client, now()).unwrap();
    let claims = verified_claims(ticket.token.as_deref().unwrap(), SECRET, false);
    assert_eq!(claims["apikey"], API_KEY);
    assert_eq!(claims["roles"], json!(["rtc"]));
    assert_eq!(claims["version"], 2);
    assert_eq!(claims["permissions"], json!(["allow_join"]));
    assert_eq!(claims["roomId"], "abcd-0001-wxyz");
    assert_eq!(claims["participantId"], "usr_opaque1");
    assert_eq!(claims["iat"], now().as_second());
    assert_eq!(claims["exp"], (request.ends_at + JOIN_GRACE).as_second());
    assert_eq!((ticket.role, ticket.display_name.as_str()), (ParticipantRole::Client, "Client"));
    assert_eq!(ticket.expires_at, request.ends_at + JOIN_GRACE);
    assert!(!claims.to_string().contains("Layla"), "no legal name in the token");

    let provider = videosdk.join_ticket(session, &request.provider, now()).unwrap();
    let claims = verified_claims(provider.token.as_deref().unwrap(), SECRET, false);
    assert_eq!(claims["permissions"], json!(["allow_join", "allow_mod"]));
    assert_eq!(claims["participantId"], "cp_opaque2");
    assert!(fake.seen().is_empty(), "join tokens are minted locally");
}

#[tokio::test]
async fn recordings_list_download_links_and_metadata() {
    let fake = FakeVideoSdk::start().await;
    fake.set_recordings(
        "abcd-0001-wxyz",
        vec![recording("rec1", "abcd-0001-wxyz"), recording("rec2", "abcd-0001-wxyz")],
    );
    let listed = client(&fake, true).recordings("abcd-0001-wxyz").await.unwrap().recordings;

    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].file_url.as_deref(), Some("https://cdn.videosdk.live/uploads/videos/rec1.mp4"));
    assert_eq!(listed[0].id.as_deref(), Some("rec1"));
    assert_eq!(listed[0].session_id.as_deref(), Some("session-rec1"));
    assert_eq!(listed[0].size_bytes, Some(17023255));
    assert_eq!(listed[0].duration_secs, Some(3005.5));
    assert_eq!(listed[0].created_at, Some("2031-05-06T10:00:05.814Z".parse().unwrap()));
    let seen = &fake.seen()[0];
    assert_eq!(seen.path, "/v2/recordings");
    assert_eq!(seen.query.get("roomId").map(String::as_str), Some("abcd-0001-wxyz"));
}

#[tokio::test]
async fn recordings_are_read_page_by_page() {
    let fake = FakeVideoSdk::start().await;
    let many = (0..60).map(|i| recording(&format!("rec{i}"), "abcd-0001-wxyz")).collect();
    fake.set_recordings("abcd-0001-wxyz", many);
    let listed = client(&fake, true).recordings("abcd-0001-wxyz").await.unwrap().recordings;

    assert_eq!(listed.len(), 60);
    assert_eq!(listed[59].id.as_deref(), Some("rec59"));
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn a_room_without_recordings_has_none_whether_empty_or_404() {
    let fake = FakeVideoSdk::start().await;
    fake.set_recordings("abcd-0001-wxyz", vec![]);
    let videosdk = client(&fake, true);

    assert!(videosdk.recordings("abcd-0001-wxyz").await.unwrap().recordings.is_empty());
    assert!(videosdk.recordings("abcd-9999-wxyz").await.unwrap().recordings.is_empty(), "404: none yet");
}

#[tokio::test]
async fn recordings_refused_or_malformed_are_errors() {
    let fake = FakeVideoSdk::start().await;
    let mut bad = recording("rec1", "abcd-0001-wxyz");
    bad["file"]["fileUrl"] = json!("javascript:alert(1)");
    fake.set_recordings("abcd-0001-wxyz", vec![bad]);
    let mut config = VideoSdkConfig::new(API_KEY, SECRET);
    config.api_endpoint = fake.url.clone();
    config.retries = 0;
    let videosdk = VideoSdk::new(config).unwrap();

    fake.fault(Fault::Status(500, "upstream exploded".into()));
    let refused = videosdk.recordings("abcd-0001-wxyz").await.unwrap_err();
    assert!(
        matches!(&refused, VideoError::Refused { status: 500, excerpt, .. } if excerpt == "upstream exploded"),
        "{refused:?}"
    );
    let malformed = videosdk.recordings("abcd-0001-wxyz").await.unwrap_err();
    assert!(matches!(malformed, VideoError::Malformed { .. }), "{malformed:?}");
}

#[tokio::test]
async fn a_participant_named_only_with_consent() {
    let fake = FakeVideoSdk::start().await;
    let session = Session { meeting_id: "abcd-0001-wxyz", ends_at: now() };
    let named = Participant::client("usr_1", "Layla Haddad", true);
    let ticket = client(&fake, false).join_ticket(session, &named, now()).unwrap();
    assert_eq!(ticket.display_name, "Layla Haddad");
}
