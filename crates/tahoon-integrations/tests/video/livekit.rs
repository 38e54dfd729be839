//! LiveKit: room creation through Twirp with a `roomCreate` token, validation with `roomList`,
//! and participants' access tokens verified with the API secret.

use crate::fake_livekit::{API_KEY, API_SECRET, FakeLiveKit};
use crate::{SHORT, closed_port, now, room_request, verified_claims};
use serde_json::json;
use std::time::Duration;
use tahoon_integrations::video::livekit::{LiveKit, LiveKitConfig};
use tahoon_integrations::video::{
    BookingRef, JOIN_GRACE, RoomValidity, Session, VideoError, VideoProvider, VideoRooms,
};
use url::Url;

fn client(url: &Url, secret: &str) -> LiveKit {
    let mut config = LiveKitConfig::new(url.clone(), API_KEY, secret);
    config.request_timeout = Duration::from_secs(5);
    LiveKit::new(config).unwrap()
}

/// The fake's address as clients are given it: `ws://`.
fn ws(url: &Url) -> Url {
    Url::parse(&url.as_str().replacen("http://", "ws://", 1)).unwrap()
}

#[tokio::test]
async fn a_room_is_created_by_twirp_with_a_room_create_token() {
    let fake = FakeLiveKit::start().await;
    let request = room_request("bk_1");
    let room = client(&ws(&fake.url), API_SECRET).create_room(&request).await.unwrap();

    let name = BookingRef::new("bk_1").room_key();
    assert_eq!((room.meeting_id.as_str(), room.join_url, room.vendor), (name.as_str(), None, VideoProvider::LiveKit));
    let seen = &fake.seen()[0];
    assert_eq!(seen.path, "/twirp/livekit.RoomService/CreateRoom");
    assert!(seen.content_type.as_deref().unwrap().starts_with("application/json"));
    let token = seen.authorization.as_deref().unwrap().strip_prefix("Bearer ").expect("a bearer token");
    let claims = verified_claims(token, API_SECRET, true);
    assert_eq!(claims["iss"], API_KEY);
    assert_eq!(claims["video"], json!({ "roomCreate": true }), "only the grant the call needs");
    assert!(claims["nbf"].as_i64().unwrap() <= jiff::Timestamp::now().as_second());
    assert_eq!(seen.body["name"], name);
    assert_eq!(seen.body["maxParticipants"], 2);
    let open_for = seen.body["emptyTimeout"].as_i64().unwrap();
    let until_end = (request.ends_at + JOIN_GRACE).as_second() - jiff::Timestamp::now().as_second();
    assert!((until_end - 60..=until_end).contains(&open_for), "kept open until the session ends: {open_for}");
}

#[tokio::test]
async fn creating_a_bookings_room_again_finds_the_same_room() {
    let fake = FakeLiveKit::start().await;
    let livekit = client(&fake.url, API_SECRET);
    let first = livekit.create_room(&room_request("bk_1")).await.unwrap();
    let again = livekit.create_room(&room_request("bk_1")).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(fake.rooms().len(), 1);
}

#[tokio::test]
async fn validation_lists_the_room_by_name_with_a_room_list_token() {
    let fake = FakeLiveKit::start().await;
    let livekit = client(&fake.url, API_SECRET);
    let room = livekit.create_room(&room_request("bk_1")).await.unwrap();

    assert_eq!(livekit.validate_room(&room.meeting_id).await.unwrap(), RoomValidity::Valid);
    assert_eq!(livekit.validate_room("tahoon-gone").await.unwrap(), RoomValidity::Missing);
    let seen = fake.seen();
    assert_eq!(seen[1].path, "/twirp/livekit.RoomService/ListRooms");
    assert_eq!(seen[1].body, json!({ "names": [room.meeting_id] }));
    let token = seen[1].authorization.as_deref().unwrap().strip_prefix("Bearer ").unwrap();
    assert_eq!(verified_claims(token, API_SECRET, true)["video"], json!({ "roomList": true }));
}

#[tokio::test]
async fn participant_tokens_carry_the_video_grant_for_the_room() {
    let fake = FakeLiveKit::start().await;
    let livekit = client(&ws(&fake.url), API_SECRET);
    let request = room_request("bk_1");
    let session = Session { meeting_id: "tahoon-room", ends_at: request.ends_at };

    let ticket = livekit.join_ticket(session, &request.client, now()).unwrap();
    let claims = verified_claims(ticket.token.as_deref().unwrap(), API_SECRET, false);
    assert_eq!(claims["iss"], API_KEY);
    assert_eq!(claims["sub"], "usr_opaque1");
    assert_eq!(claims["name"], "Client");
    assert_eq!(claims["nbf"], now().as_second());
    assert_eq!(claims["exp"], (request.ends_at + JOIN_GRACE).as_second());
    assert_eq!(
        claims["video"],
        json!({ "roomJoin": true, "room": "tahoon-room", "canPublish": true, "canSubscribe": true, "canPublishData": true })
    );
    assert_eq!(ticket.server_url.as_deref(), Some(ws(&fake.url).as_str()));
    assert!(!claims.to_string().contains("Layla"));

    let provider = livekit.join_ticket(session, &request.provider, now()).unwrap();
    let claims = verified_claims(provider.token.as_deref().unwrap(), API_SECRET, false);
    assert_eq!((claims["sub"].as_str(), claims["name"].as_str()), (Some("cp_opaque2"), Some("Dr. Sami Aziz")));
    assert!(fake.seen().is_empty(), "participants' tokens are minted locally");
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused_by_the_server() {
    let fake = FakeLiveKit::start().await;
    let error = client(&fake.url, "not-the-secret").create_room(&room_request("bk_1")).await.unwrap_err();
    let VideoError::Refused { status, excerpt, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*status, 401);
    assert!(excerpt.contains("unauthenticated"), "{excerpt}");
    assert!(!format!("{error:?}").contains("not-the-secret"));
    assert!(fake.rooms().is_empty());
}

#[tokio::test]
async fn livekit_down_is_unreachable_and_recordings_are_not_supported() {
    let mut config = LiveKitConfig::new(closed_port().await, API_KEY, API_SECRET);
    config.connect_timeout = SHORT;
    config.request_timeout = SHORT;
    let livekit = LiveKit::new(config).unwrap();
    let error = livekit.create_room(&room_request("bk_1")).await.unwrap_err();
    assert!(matches!(error, VideoError::Unreachable { vendor: VideoProvider::LiveKit, .. }), "{error:?}");
    let error = livekit.recordings("tahoon-room").await.unwrap_err();
    assert_eq!(error, VideoError::NotSupported { vendor: VideoProvider::LiveKit, what: "recordings" });
}
