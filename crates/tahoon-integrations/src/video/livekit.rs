//! LiveKit (self-hosted): rooms through the server API, participants' access tokens minted here.
//!
//! Checked against LiveKit's server SDKs (`livekit/node-sdks`, `packages/livekit-server-sdk/src`:
//! `AccessToken.ts`, `grants.ts`, `ServiceBase.ts`, `TwirpRPC.ts`, `RoomServiceClient.ts`; and
//! `livekit/server-sdk-go`, `roomclient.go`, `auth.go`):
//! - the server API is Twirp with JSON bodies: `POST {url}/twirp/livekit.RoomService/<Method>`,
//!   `Content-Type: application/json`, `Authorization: Bearer <token>`; a `ws(s)://` URL is called
//!   over `http(s)://`; errors are `{"code","msg"}` with an HTTP status;
//! - a token is HS256 with the API secret: `iss` = API key, `nbf` = now, `exp`, and for a
//!   participant `sub` = identity and `name`; its grants are in `video` (camelCase: `roomCreate`,
//!   `roomList`, `roomJoin`, `room`, `canPublish`, `canSubscribe`, `canPublishData`);
//! - `CreateRoom` needs `roomCreate` and answers the room (`{"sid","name",…}`), the existing one if
//!   the name is taken; `ListRooms` needs `roomList`, takes `{"names": […]}` and answers
//!   `{"rooms": […]}` (`{}` when none: proto3 JSON leaves empty lists out).
//!
//! A room is named after the booking, kept open until its session's end (`emptyTimeout`) and
//! limited to the two participants (`maxParticipants: 2`). LiveKit does not record here.

use crate::Secret;
use crate::http::{self, Outbound};
use crate::video::token::sign_hs256;
use crate::video::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES, JOIN_GRACE, JoinTicket, Participant, Room,
    RoomRequest, RoomValidity, Session, VideoError, VideoProvider, VideoRooms, checked_id, outbound, ticket_expiry,
};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;
use url::Url;

const VENDOR: VideoProvider = VideoProvider::LiveKit;
/// Lifetime of a server API token: one call and its retries.
pub const API_TOKEN_TTL: SignedDuration = SignedDuration::from_mins(10);
/// The shortest time an empty room is kept open.
const MIN_EMPTY_TIMEOUT_SECS: i64 = 300;

/// The `livekit.*` settings.
#[derive(Debug, Clone)]
pub struct LiveKitConfig {
    /// `livekit.url`: the server, as clients connect to it (`wss://…`) or as `https://…`.
    pub url: Url,
    pub api_key: String,
    pub api_secret: Secret,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retries: u32,
}

impl LiveKitConfig {
    /// The default timeouts.
    pub fn new(url: Url, api_key: impl Into<String>, api_secret: impl Into<Secret>) -> LiveKitConfig {
        LiveKitConfig {
            url,
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retries: DEFAULT_RETRIES,
        }
    }
}

/// The LiveKit client.
#[derive(Debug)]
pub struct LiveKit {
    config: LiveKitConfig,
    /// The server API's base (`http(s)://`).
    api: Url,
    /// What SDKs connect to (`ws(s)://`).
    server_url: String,
    http: Outbound,
}

/// The `video` grant.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct VideoGrant<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    room_create: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    room_list: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    room_join: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    room: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_publish: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_subscribe: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_publish_data: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    nbf: i64,
    exp: i64,
    video: VideoGrant<'a>,
}

#[derive(Debug, Deserialize)]
struct RoomAnswer {
    name: String,
}

#[derive(Debug, Deserialize)]
struct RoomsAnswer {
    #[serde(default)]
    rooms: Vec<RoomAnswer>,
}

/// `ws` → `http` and `wss` → `https` for the API, the other way for SDKs.
fn endpoints(url: &Url) -> Option<(Url, String)> {
    let (api, sdk) = match url.scheme() {
        "ws" | "http" => ("http", "ws"),
        "wss" | "https" => ("https", "wss"),
        _ => return None,
    };
    let mut api_url = url.clone();
    api_url.set_scheme(api).ok()?;
    let mut sdk_url = url.clone();
    sdk_url.set_scheme(sdk).ok()?;
    Some((api_url, sdk_url.to_string()))
}

impl LiveKit {
    pub fn new(config: LiveKitConfig) -> Result<LiveKit, VideoError> {
        let (api, server_url) = endpoints(&config.url)
            .ok_or_else(|| VideoError::not_configured(VENDOR, "livekit.url must be a ws, wss, http or https URL"))?;
        crate::video::http_base(VENDOR, &api)?;
        if config.api_key.trim().is_empty() || config.api_secret.is_empty() {
            return Err(VideoError::not_configured(VENDOR, "livekit.api_key and livekit.api_secret are required"));
        }
        let http = outbound(VENDOR, config.connect_timeout, config.request_timeout, config.retries)?;
        Ok(LiveKit { config, api, server_url, http })
    }

    /// A short-lived server API token with `grant`.
    pub fn api_token(&self, grant: VideoGrantKind, now: Timestamp) -> Result<String, VideoError> {
        let video = match grant {
            VideoGrantKind::RoomCreate => VideoGrant { room_create: Some(true), ..VideoGrant::default() },
            VideoGrantKind::RoomList => VideoGrant { room_list: Some(true), ..VideoGrant::default() },
        };
        let exp = now.checked_add(API_TOKEN_TTL).unwrap_or(now);
        let claims = Claims {
            iss: &self.config.api_key,
            sub: None,
            name: None,
            nbf: now.as_second(),
            exp: exp.as_second(),
            video,
        };
        sign_hs256(VENDOR, &claims, &self.config.api_secret)
    }

    /// Calls `RoomService/<method>` with `body` under a token carrying `grant`.
    async fn twirp(&self, method: &'static str, grant: VideoGrantKind, body: Value) -> Result<Vec<u8>, VideoError> {
        let token = format!("Bearer {}", self.api_token(grant, Timestamp::now())?);
        let mut url = self.api.clone();
        url.path_segments_mut().expect("checked: an http(s) URL").pop_if_empty().extend([
            "twirp",
            "livekit.RoomService",
            method,
        ]);
        let redact = [token.trim_start_matches("Bearer "), self.config.api_secret.expose()];
        let answer = self
            .http
            .send(
                method,
                |c| c.post(url.clone()).header(AUTHORIZATION, &token).json(&body),
                |s| s.is_success(),
                &redact,
            )
            .await
            .map_err(|f| VideoError::from_http(VENDOR, f))?;
        Ok(answer.body)
    }
}

/// The server API grants this client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoGrantKind {
    RoomCreate,
    RoomList,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, VideoError> {
    http::json(body).map_err(|detail| VideoError::malformed(VENDOR, detail))
}

/// Seconds an empty room stays open: until its session's end and the join grace.
fn empty_timeout(ends_at: Timestamp, now: Timestamp) -> u32 {
    let until = ends_at.as_second().saturating_add(JOIN_GRACE.as_secs()).saturating_sub(now.as_second());
    u32::try_from(until.max(MIN_EMPTY_TIMEOUT_SECS)).unwrap_or(u32::MAX)
}

#[async_trait]
impl VideoRooms for LiveKit {
    fn provider(&self) -> VideoProvider {
        VENDOR
    }

    async fn create_room(&self, request: &RoomRequest) -> Result<Room, VideoError> {
        let name = request.booking.room_key();
        let body = json!({
            "name": name,
            "emptyTimeout": empty_timeout(request.ends_at, Timestamp::now()),
            "maxParticipants": 2,
        });
        let room: RoomAnswer = parse(&self.twirp("CreateRoom", VideoGrantKind::RoomCreate, body).await?)?;
        if room.name != name {
            return Err(VideoError::malformed(VENDOR, "a room with another name than the one asked for"));
        }
        Ok(Room { meeting_id: checked_id(VENDOR, &room.name)?, join_url: None, vendor: VENDOR })
    }

    async fn validate_room(&self, meeting_id: &str) -> Result<RoomValidity, VideoError> {
        let body = json!({ "names": [meeting_id] });
        let listed: RoomsAnswer = parse(&self.twirp("ListRooms", VideoGrantKind::RoomList, body).await?)?;
        Ok(if listed.rooms.iter().any(|r| r.name == meeting_id) { RoomValidity::Valid } else { RoomValidity::Missing })
    }

    fn join_ticket(
        &self,
        session: Session<'_>,
        participant: &Participant,
        now: Timestamp,
    ) -> Result<JoinTicket, VideoError> {
        let expires_at = ticket_expiry(session);
        let claims = Claims {
            iss: &self.config.api_key,
            sub: Some(&participant.id),
            name: Some(&participant.display_name),
            nbf: now.as_second(),
            exp: expires_at.as_second(),
            video: VideoGrant {
                room_join: Some(true),
                room: Some(session.meeting_id),
                can_publish: Some(true),
                can_subscribe: Some(true),
                can_publish_data: Some(true),
                ..VideoGrant::default()
            },
        };
        Ok(JoinTicket {
            role: participant.role,
            display_name: participant.display_name.clone(),
            token: Some(sign_hs256(VENDOR, &claims, &self.config.api_secret)?),
            join_url: None,
            server_url: Some(self.server_url.clone()),
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls_are_called_over_http() {
        let (api, sdk) = endpoints(&Url::parse("wss://lk.example.com").unwrap()).unwrap();
        assert_eq!((api.as_str(), sdk.as_str()), ("https://lk.example.com/", "wss://lk.example.com/"));
        let (api, sdk) = endpoints(&Url::parse("http://127.0.0.1:7880").unwrap()).unwrap();
        assert_eq!((api.as_str(), sdk.as_str()), ("http://127.0.0.1:7880/", "ws://127.0.0.1:7880/"));
        assert!(endpoints(&Url::parse("ftp://lk.example.com").unwrap()).is_none());
    }

    #[test]
    fn empty_rooms_stay_open_until_the_session_ends() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let ends: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        assert_eq!(empty_timeout(ends, now), 86_400 + 1_800);
        assert_eq!(empty_timeout(now, ends), 300);
    }
}
