//! Jitsi: unguessable room names, links, and participants' JWTs verified with the app secret as
//! prosody's `token` module does; and `client_for` choosing the vendor.

use crate::{now, room_request, try_verified_claims, verified_claims};
use serde_json::json;
use tahoon_integrations::Secret;
use tahoon_integrations::video::jitsi::{Jitsi, JitsiConfig};
use tahoon_integrations::video::livekit::LiveKitConfig;
use tahoon_integrations::video::videosdk::VideoSdkConfig;
use tahoon_integrations::video::{
    JOIN_GRACE, Participant, RoomValidity, Session, VideoConfigs, VideoError, VideoProvider, VideoRooms, client_for,
};
use url::Url;

const APP_SECRET: &str = "jitsi-app-secret-7d1e";

fn jitsi(base: &str, app: Option<(&str, &str)>) -> Jitsi {
    let mut config = JitsiConfig::new(Url::parse(base).unwrap());
    if let Some((id, secret)) = app {
        config.app_id = Some(id.into());
        config.app_secret = Some(Secret::new(secret));
    }
    Jitsi::new(config).unwrap()
}

fn jwt_of(join_url: &str) -> String {
    let url = Url::parse(join_url).unwrap();
    url.query_pairs().find(|(k, _)| k == "jwt").map(|(_, v)| v.into_owned()).expect("a jwt parameter")
}

#[tokio::test]
async fn rooms_are_unguessable_lowercase_names_on_the_base_url() {
    let jitsi = jitsi("https://meet.example.com/acme/", None);
    let a = jitsi.create_room(&room_request("bk_1")).await.unwrap();
    let b = jitsi.create_room(&room_request("bk_1")).await.unwrap();

    assert_ne!(a.meeting_id, b.meeting_id);
    let random = a.meeting_id.strip_prefix("tahoon-").unwrap();
    assert!(random.len() == 32 && random.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert_eq!(a.join_url.as_deref(), Some(format!("https://meet.example.com/acme/{}", a.meeting_id).as_str()));
    assert_eq!(a.vendor, VideoProvider::Jitsi);
}

#[tokio::test]
async fn without_a_secret_links_carry_no_token_and_a_neutral_name() {
    let jitsi = jitsi("https://meet.example.com", None);
    let request = room_request("bk_1");
    let room = jitsi.create_room(&request).await.unwrap();
    let session = Session { meeting_id: &room.meeting_id, ends_at: request.ends_at };
    let ticket = jitsi.join_ticket(session, &request.client, now()).unwrap();

    assert_eq!(ticket.token, None);
    let expected = format!("https://meet.example.com/{}#userInfo.displayName=%22Client%22", room.meeting_id);
    assert_eq!(ticket.join_url.as_deref(), Some(expected.as_str()));
    let provider = jitsi.join_ticket(session, &request.provider, now()).unwrap();
    assert!(provider.join_url.unwrap().ends_with("#userInfo.displayName=%22Dr.%20Sami%20Aziz%22"));
}

#[tokio::test]
async fn with_an_app_secret_each_participant_gets_a_jwt_that_prosody_accepts() {
    let jitsi = jitsi("https://Meet.Example.com", Some(("tahoon-app", APP_SECRET)));
    let request = room_request("bk_1");
    let room = jitsi.create_room(&request).await.unwrap();
    let session = Session { meeting_id: &room.meeting_id, ends_at: request.ends_at };

    let ticket = jitsi.join_ticket(session, &request.client, now()).unwrap();
    let token = jwt_of(ticket.join_url.as_deref().unwrap());
    assert_eq!(ticket.token.as_deref(), Some(token.as_str()));
    let claims = verified_claims(&token, APP_SECRET, false);
    assert_eq!(claims["iss"], "tahoon-app");
    assert_eq!(claims["aud"], "jitsi");
    assert_eq!(claims["sub"], "meet.example.com");
    assert_eq!(claims["room"], room.meeting_id);
    assert_eq!(claims["exp"], (request.ends_at + JOIN_GRACE).as_second());
    assert_eq!(claims["context"]["user"], json!({ "id": "usr_opaque1", "name": "Client" }));
    assert!(!claims.to_string().contains("Layla"), "the legal name stays out: {claims}");
    assert!(try_verified_claims(&token, "another-secret", false).is_err());

    let provider = jitsi.join_ticket(session, &request.provider, now()).unwrap();
    let claims = verified_claims(provider.token.as_deref().unwrap(), APP_SECRET, false);
    assert_eq!(claims["context"]["user"], json!({ "id": "cp_opaque2", "name": "Dr. Sami Aziz" }));
}

#[tokio::test]
async fn the_client_is_named_in_the_token_only_when_the_organization_allows_it() {
    let jitsi = jitsi("https://meet.example.com/Tenant1", Some(("tahoon-app", APP_SECRET)));
    let session = Session { meeting_id: "tahoon-00112233445566778899aabbccddeeff", ends_at: now() };
    let named = Participant::client("usr_opaque1", "Layla Haddad", true);
    let ticket = jitsi.join_ticket(session, &named, now()).unwrap();

    let claims = verified_claims(ticket.token.as_deref().unwrap(), APP_SECRET, false);
    assert_eq!(claims["context"]["user"]["name"], "Layla Haddad");
    assert_eq!(claims["sub"], "tenant1", "a tenant's rooms are signed for the tenant");
    assert!(ticket.join_url.unwrap().starts_with("https://meet.example.com/Tenant1/tahoon-0011"));
}

#[tokio::test]
async fn rooms_are_always_valid_and_recordings_are_not_supported() {
    let jitsi = jitsi("https://meet.example.com", None);
    assert_eq!(jitsi.validate_room("tahoon-anything").await.unwrap(), RoomValidity::Valid);
    let error = jitsi.recordings("tahoon-anything").await.unwrap_err();
    assert_eq!(error, VideoError::NotSupported { vendor: VideoProvider::Jitsi, what: "recordings" });
    assert!(!error.is_vendor_unavailable());
}

#[test]
fn client_for_builds_the_chosen_vendor_or_says_what_is_missing() {
    let mut configs = VideoConfigs { jitsi: JitsiConfig::default(), videosdk: None, livekit: None };
    assert_eq!(client_for(VideoProvider::Jitsi, &configs).unwrap().provider(), VideoProvider::Jitsi);
    for vendor in [VideoProvider::VideoSdk, VideoProvider::LiveKit] {
        let error = client_for(vendor, &configs).err().unwrap();
        assert!(matches!(error, VideoError::NotConfigured { vendor: v, .. } if v == vendor), "{error:?}");
    }
    configs.videosdk = Some(VideoSdkConfig::new("key", "s3cr3t-vsdk"));
    configs.livekit = Some(LiveKitConfig::new(Url::parse("wss://lk.example.com").unwrap(), "key", "s3cr3t-lk"));
    for vendor in VideoProvider::ALL {
        assert_eq!(client_for(vendor, &configs).unwrap().provider(), vendor);
    }
    let shown = format!("{configs:?}");
    assert!(!shown.contains("s3cr3t"), "secrets stay out of Debug: {shown}");
    configs.videosdk = Some(VideoSdkConfig::new("key", ""));
    let error = client_for(VideoProvider::VideoSdk, &configs).err().unwrap();
    assert!(matches!(error, VideoError::NotConfigured { .. }), "{error:?}");
}
