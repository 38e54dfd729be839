//! VideoSDK (`https://api.videosdk.live`), the reference's vendor (its `VideoSDKHelper`).
//!
//! What this client relies on, checked against VideoSDK's public material:
//! - **Authentication.** A JWT (HS256, signed with the API secret) with `apikey`, `permissions`,
//!   and for the v2 API `version: 2` and `roles`: `crawler` for the server API, `rtc` for joining a
//!   room ("crawler role is only for accessing v2 API, you can not use this token for running the
//!   Meeting/Room. rtc is only allow for running the Meeting / Room", with optional `roomId` and
//!   `participantId` limiting a join token: `nodejs/server.js` of
//!   `videosdk-live/videosdk-rtc-api-server-examples`). The REST reference passes it as the raw
//!   `Authorization` value, "YOUR_TOKEN_WITHOUT_ANY_PREFIX" (docs.videosdk.live, api-reference v2).
//! - **Rooms.** `POST /v2/rooms` with `customRoomId` answers `{"roomId": "abc-xyzw-lmno", …}`;
//!   "Reusing a customRoomId returns the existing room instead of creating a new one" (server SDK
//!   reference, rooms). `autoStartConfig` starts a recording when the session begins.
//! - **Validation.** `GET /v2/rooms/validate/{roomId}` answers the room (with `disabled`); an unknown
//!   id is `400 invalid_params` or `404 resource_not_found` (`videosdk-live/videosdk-docs`,
//!   api-reference v2 `validate-room` and `error-event.md`).
//! - **Recordings.** `GET /v2/recordings?roomId=…&page=…&perPage=…` answers `{"pageInfo":
//!   {"currentPage","perPage","lastPage","total"}, "data": [{"id","roomId","sessionId","createdAt",
//!   "file": {"fileUrl","size","meta": {"duration","format"}}}]}` (videosdk-docs
//!   `data/fetch-recordings.json`); 404 ("Room Recording not found") means there are none.
//!
//! The room body with recording is the reference's, field for field (inventory §6.1).

use crate::Secret;
use crate::http::{self, Outbound};
use crate::video::token::sign_hs256;
use crate::video::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES, Participant};
use crate::video::{
    JoinTicket, ParticipantRole, Recording, Recordings, Room, RoomRequest, RoomValidity, Session, VideoError,
    VideoProvider, VideoRooms, checked_id, outbound, ticket_expiry,
};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;
use url::Url;

const VENDOR: VideoProvider = VideoProvider::VideoSdk;
/// Lifetime of a management (`crawler`) token: one call and its retries.
pub const MANAGEMENT_TOKEN_TTL: SignedDuration = SignedDuration::from_mins(10);
/// The summary prompt for the recording's transcription (the reference's, without its product name).
pub const SUMMARY_PROMPT: &str = "Online therapy session";
const RECORDINGS_PER_PAGE: u32 = 50;
const MAX_RECORDING_PAGES: u32 = 10;

/// The `videosdk.*` settings.
#[derive(Debug, Clone)]
pub struct VideoSdkConfig {
    /// `videosdk.api_endpoint`, the API's root (`/v2/…` is appended).
    pub api_endpoint: Url,
    pub api_key: String,
    pub secret_key: Secret,
    /// `videosdk.enable_recording`: record, transcribe and summarize every session.
    pub enable_recording: bool,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retries: u32,
}

impl VideoSdkConfig {
    pub const DEFAULT_API_ENDPOINT: &'static str = "https://api.videosdk.live";

    /// The default endpoint, no recording, the default timeouts.
    pub fn new(api_key: impl Into<String>, secret_key: impl Into<Secret>) -> VideoSdkConfig {
        VideoSdkConfig {
            api_endpoint: Url::parse(Self::DEFAULT_API_ENDPOINT).expect("a valid URL"),
            api_key: api_key.into(),
            secret_key: secret_key.into(),
            enable_recording: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retries: DEFAULT_RETRIES,
        }
    }
}

/// The VideoSDK client.
#[derive(Debug)]
pub struct VideoSdk {
    config: VideoSdkConfig,
    http: Outbound,
}

/// Claims of a management or participant token.
#[derive(Debug, Serialize)]
struct Claims<'a> {
    apikey: &'a str,
    permissions: &'a [&'a str],
    version: u8,
    roles: &'a [&'a str],
    #[serde(rename = "roomId", skip_serializing_if = "Option::is_none")]
    room_id: Option<&'a str>,
    #[serde(rename = "participantId", skip_serializing_if = "Option::is_none")]
    participant_id: Option<&'a str>,
    iat: i64,
    exp: i64,
}

#[derive(Debug, Deserialize)]
struct RoomAnswer {
    #[serde(rename = "roomId")]
    room_id: String,
    #[serde(default)]
    disabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct RecordingsPage {
    #[serde(rename = "pageInfo", default)]
    page_info: Option<PageInfo>,
    data: Vec<RecordingEntry>,
}

#[derive(Debug, Deserialize)]
struct PageInfo {
    #[serde(rename = "lastPage", default)]
    last_page: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct RecordingEntry {
    id: Option<String>,
    #[serde(rename = "sessionId")]
    session_id: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
    file: Option<RecordingFile>,
}

#[derive(Debug, Deserialize)]
struct RecordingFile {
    #[serde(rename = "fileUrl")]
    file_url: Option<String>,
    size: Option<u64>,
    meta: Option<RecordingMeta>,
}

#[derive(Debug, Deserialize)]
struct RecordingMeta {
    duration: Option<f64>,
    format: Option<String>,
}

/// The body of `POST /v2/rooms`: the booking's `customRoomId`, and with recording the reference's
/// `autoStartConfig`.
pub fn room_body(custom_room_id: &str, enable_recording: bool) -> Value {
    let mut body = json!({ "customRoomId": custom_room_id });
    if enable_recording {
        body["autoStartConfig"] = json!({
            "recording": {
                "transcription": {
                    "enabled": true,
                    "summary": { "enabled": true, "prompt": SUMMARY_PROMPT }
                },
                "config": {
                    "layout": { "type": "GRID", "priority": "SPEAKER", "gridSize": 2 }
                }
            }
        });
    }
    body
}

impl VideoSdk {
    pub fn new(config: VideoSdkConfig) -> Result<VideoSdk, VideoError> {
        crate::video::http_base(VENDOR, &config.api_endpoint)?;
        if config.api_key.trim().is_empty() || config.secret_key.is_empty() {
            return Err(VideoError::not_configured(VENDOR, "videosdk.api_key and videosdk.secret_key are required"));
        }
        let http = outbound(VENDOR, config.connect_timeout, config.request_timeout, config.retries)?;
        Ok(VideoSdk { config, http })
    }

    fn token(
        &self,
        roles: &[&str],
        permissions: &[&str],
        room: Option<(&str, &str)>,
        now: Timestamp,
        exp: Timestamp,
    ) -> Result<String, VideoError> {
        let claims = Claims {
            apikey: &self.config.api_key,
            permissions,
            version: 2,
            roles,
            room_id: room.map(|(r, _)| r),
            participant_id: room.map(|(_, p)| p),
            iat: now.as_second(),
            exp: exp.as_second(),
        };
        sign_hs256(VENDOR, &claims, &self.config.secret_key)
    }

    /// A short-lived `crawler` token for the server API.
    pub fn management_token(&self, now: Timestamp) -> Result<String, VideoError> {
        let exp = now.checked_add(MANAGEMENT_TOKEN_TTL).unwrap_or(now);
        self.token(&["crawler"], &["allow_join"], None, now, exp)
    }

    /// `{api_endpoint}/v2/<segments>` (one `v2` even if the endpoint already ends with it).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.config.api_endpoint.clone();
        let ends_with_v2 = url.path_segments().and_then(|mut s| s.rfind(|s| !s.is_empty())) == Some("v2");
        {
            let mut path = url.path_segments_mut().expect("checked: an http(s) URL");
            path.pop_if_empty();
            if !ends_with_v2 {
                path.push("v2");
            }
            path.extend(segments);
        }
        url
    }

    async fn get(
        &self,
        operation: &'static str,
        url: Url,
        accept: impl Fn(StatusCode) -> bool,
    ) -> Result<http::Answer, VideoError> {
        let token = self.management_token(Timestamp::now())?;
        let redact = [token.as_str(), self.config.secret_key.expose()];
        self.http
            .send(operation, |c| c.get(url.clone()).header(AUTHORIZATION, &token), accept, &redact)
            .await
            .map_err(|f| VideoError::from_http(VENDOR, f))
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, VideoError> {
    http::json(body).map_err(|detail| VideoError::malformed(VENDOR, detail))
}

fn recording(entry: RecordingEntry) -> Result<Recording, VideoError> {
    let file = entry.file;
    let file_url = match file.as_ref().and_then(|f| f.file_url.as_deref()) {
        None => None,
        Some(link) => match Url::parse(link) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => Some(u.to_string()),
            _ => return Err(VideoError::malformed(VENDOR, "a recording whose fileUrl is not an http(s) URL")),
        },
    };
    let meta = file.as_ref().and_then(|f| f.meta.as_ref());
    Ok(Recording {
        id: entry.id,
        session_id: entry.session_id,
        file_url,
        size_bytes: file.as_ref().and_then(|f| f.size),
        duration_secs: meta.and_then(|m| m.duration).filter(|d| d.is_finite() && *d >= 0.0),
        format: meta.and_then(|m| m.format.clone()),
        created_at: entry.created_at.and_then(|t| t.parse().ok()),
    })
}

#[async_trait]
impl VideoRooms for VideoSdk {
    fn provider(&self) -> VideoProvider {
        VENDOR
    }

    async fn create_room(&self, request: &RoomRequest) -> Result<Room, VideoError> {
        let body = room_body(&request.booking.room_key(), self.config.enable_recording);
        let token = self.management_token(Timestamp::now())?;
        let redact = [token.as_str(), self.config.secret_key.expose()];
        let url = self.url(&["rooms"]);
        let answer = self
            .http
            .send(
                "create_room",
                |c| c.post(url.clone()).header(AUTHORIZATION, &token).json(&body),
                |s| s.is_success(),
                &redact,
            )
            .await
            .map_err(|f| VideoError::from_http(VENDOR, f))?;
        let room: RoomAnswer = parse(&answer.body)?;
        Ok(Room { meeting_id: checked_id(VENDOR, &room.room_id)?, join_url: None, vendor: VENDOR })
    }

    async fn validate_room(&self, meeting_id: &str) -> Result<RoomValidity, VideoError> {
        let unknown = |s: StatusCode| s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND;
        let answer = self
            .get("validate_room", self.url(&["rooms", "validate", meeting_id]), |s| s.is_success() || unknown(s))
            .await?;
        if unknown(answer.status) {
            return Ok(RoomValidity::Missing);
        }
        let room: RoomAnswer = parse(&answer.body)?;
        Ok(if room.disabled == Some(true) { RoomValidity::Disabled } else { RoomValidity::Valid })
    }

    fn join_ticket(
        &self,
        session: Session<'_>,
        participant: &Participant,
        now: Timestamp,
    ) -> Result<JoinTicket, VideoError> {
        let permissions: &[&str] = match participant.role {
            ParticipantRole::Client => &["allow_join"],
            ParticipantRole::Provider => &["allow_join", "allow_mod"],
        };
        let expires_at = ticket_expiry(session);
        let token =
            self.token(&["rtc"], permissions, Some((session.meeting_id, participant.id.as_str())), now, expires_at)?;
        Ok(JoinTicket {
            role: participant.role,
            display_name: participant.display_name.clone(),
            token: Some(token),
            join_url: None,
            server_url: None,
            expires_at,
        })
    }

    async fn recordings(&self, meeting_id: &str) -> Result<Recordings, VideoError> {
        let mut recordings = Vec::new();
        for page in 1..=MAX_RECORDING_PAGES {
            let mut url = self.url(&["recordings"]);
            url.query_pairs_mut()
                .append_pair("roomId", meeting_id)
                .append_pair("page", &page.to_string())
                .append_pair("perPage", &RECORDINGS_PER_PAGE.to_string());
            let answer = self.get("recordings", url, |s| s.is_success() || s == StatusCode::NOT_FOUND).await?;
            if answer.status == StatusCode::NOT_FOUND {
                break;
            }
            let listed: RecordingsPage = parse(&answer.body)?;
            let last_page = listed.page_info.and_then(|p| p.last_page).unwrap_or(page);
            let empty = listed.data.is_empty();
            for entry in listed.data {
                recordings.push(recording(entry)?);
            }
            if empty || page >= last_page {
                break;
            }
        }
        Ok(Recordings { recordings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(endpoint: &str) -> VideoSdk {
        let mut config = VideoSdkConfig::new("key", "secret");
        config.api_endpoint = Url::parse(endpoint).unwrap();
        VideoSdk::new(config).unwrap()
    }

    #[test]
    fn urls_have_one_v2_whatever_the_endpoint_ends_with() {
        for endpoint in [
            "https://api.videosdk.live",
            "https://api.videosdk.live/",
            "https://api.videosdk.live/v2",
            "https://api.videosdk.live/v2/",
        ] {
            assert_eq!(client(endpoint).url(&["rooms"]).as_str(), "https://api.videosdk.live/v2/rooms", "{endpoint}");
        }
        assert_eq!(
            client("http://127.0.0.1:9/proxy").url(&["rooms", "validate", "a/b"]).as_str(),
            "http://127.0.0.1:9/proxy/v2/rooms/validate/a%2Fb"
        );
    }

    #[test]
    fn missing_credentials_or_a_non_http_endpoint_are_not_configured() {
        let mut config = VideoSdkConfig::new("", "secret");
        assert!(matches!(VideoSdk::new(config.clone()), Err(VideoError::NotConfigured { .. })));
        config.api_key = "key".into();
        config.api_endpoint = Url::parse("ftp://example.com").unwrap();
        assert!(matches!(VideoSdk::new(config), Err(VideoError::NotConfigured { .. })));
    }
}
