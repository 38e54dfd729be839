//! Video rooms for sessions: the one trait the booking saga calls ([`VideoRooms`]) and its three
//! vendors, chosen by the `video.provider` setting.
//!
//! | vendor | room | joining | recordings |
//! |---|---|---|---|
//! | [`jitsi`] (default, no account) | an unguessable name on `jitsi.base_url`, nothing sent | the URL; with an app id and secret, a JWT per participant in it | not supported |
//! | [`videosdk`] (the reference's) | `POST /v2/rooms` with a `customRoomId` derived from the booking | a `rtc` token per participant | `GET /v2/recordings` |
//! | [`livekit`] (self-hosted) | Twirp `CreateRoom`, named after the booking | an access token per participant | not supported |
//!
//! A room is named after the booking ([`BookingRef::room_key`]) wherever the vendor keeps rooms,
//! so creating it again (a retry after a timeout, a second attempt of the saga) finds the same room.

pub mod error;
pub mod jitsi;
pub mod livekit;
mod token;
pub mod videosdk;

pub use error::VideoError;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::http::{HttpPolicy, Outbound};

/// The `video.provider` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VideoProvider {
    #[default]
    Jitsi,
    VideoSdk,
    LiveKit,
}

impl VideoProvider {
    pub const ALL: [VideoProvider; 3] = [VideoProvider::Jitsi, VideoProvider::VideoSdk, VideoProvider::LiveKit];

    /// The setting's value: `jitsi`, `videosdk` or `livekit`.
    pub fn as_str(self) -> &'static str {
        match self {
            VideoProvider::Jitsi => "jitsi",
            VideoProvider::VideoSdk => "videosdk",
            VideoProvider::LiveKit => "livekit",
        }
    }
}

impl fmt::Display for VideoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown video provider (expected jitsi, videosdk or livekit)")]
pub struct UnknownProvider;

impl FromStr for VideoProvider {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VideoProvider::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s.trim())).ok_or(UnknownProvider)
    }
}

/// A stable reference to one booking: its public id (or a digest of it). Never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRef(String);

impl BookingRef {
    pub fn new(reference: impl Into<String>) -> BookingRef {
        BookingRef(reference.into())
    }

    /// The room's name at the vendor: `tahoon-` and 128 bits of SHA-256 of the reference, in
    /// lowercase hex. The same booking always gets the same name; the name tells nothing about it.
    pub fn room_key(&self) -> String {
        let digest = Sha256::digest(format!("tahoon.video.room.v1:{}", self.0).as_bytes());
        format!("tahoon-{}", hex::encode(&digest[..16]))
    }
}

/// Who joins a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParticipantRole {
    /// The organization's user (the person in therapy).
    Client,
    /// The care provider (the therapist).
    Provider,
}

/// One participant of a session, as the vendor sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub role: ParticipantRole,
    /// An opaque id (the public user or provider id): the participant's identity at the vendor.
    pub id: String,
    /// The name the other participant sees.
    pub display_name: String,
}

impl Participant {
    /// What the client is called when the organization does not share names.
    pub const NEUTRAL_CLIENT_NAME: &'static str = "Client";

    /// The client, shown by `name` only if the organization allows sharing it, otherwise by
    /// [`Participant::NEUTRAL_CLIENT_NAME`]: the user's legal name never reaches a vendor unasked.
    pub fn client(id: impl Into<String>, name: &str, share_name: bool) -> Participant {
        let name = name.trim();
        let display_name = if share_name && !name.is_empty() { name } else { Self::NEUTRAL_CLIENT_NAME };
        Participant { role: ParticipantRole::Client, id: id.into(), display_name: display_name.into() }
    }

    /// The provider, by their professional display name.
    pub fn provider(id: impl Into<String>, display_name: &str) -> Participant {
        Participant { role: ParticipantRole::Provider, id: id.into(), display_name: display_name.trim().into() }
    }
}

/// What the saga asks for: a room for one booked session. The participants are the ones the
/// saga then asks [`VideoRooms::join_ticket`] for; no vendor's room creation sends them.
#[derive(Debug, Clone)]
pub struct RoomRequest {
    pub booking: BookingRef,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub client: Participant,
    pub provider: Participant,
}

/// A created room: `meeting_id` becomes the booking's `meetingId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub meeting_id: String,
    /// Where a browser joins, for vendors that have one (Jitsi); participants' own links are in
    /// their [`JoinTicket`].
    pub join_url: Option<String>,
    pub vendor: VideoProvider,
}

/// What a vendor says of a room before a session or a reschedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomValidity {
    Valid,
    /// The vendor does not know the room (or no longer keeps it): create it again.
    Missing,
    /// The vendor knows the room but it was deactivated.
    Disabled,
}

/// The session a participant joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session<'a> {
    pub meeting_id: &'a str,
    pub ends_at: Timestamp,
}

/// How a participant joins: a token for the vendor's SDK, a link, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTicket {
    pub role: ParticipantRole,
    pub display_name: String,
    /// VideoSDK `rtc` token, LiveKit access token, Jitsi JWT (also in `join_url`).
    pub token: Option<String>,
    /// A link that opens the session in a browser (Jitsi).
    pub join_url: Option<String>,
    /// The server an SDK connects to with `token` (LiveKit's `wss://…`).
    pub server_url: Option<String>,
    /// When `token` stops being accepted: [`JOIN_GRACE`] after the session's end.
    pub expires_at: Timestamp,
}

/// How long after its session's end a join token is still accepted.
pub const JOIN_GRACE: SignedDuration = SignedDuration::from_mins(30);

/// A session's recordings at the vendor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recordings {
    pub recordings: Vec<Recording>,
}

/// One recording: where to download it and what the vendor says of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub id: Option<String>,
    pub session_id: Option<String>,
    /// The download link (`None` while the vendor is still processing it).
    pub file_url: Option<String>,
    pub size_bytes: Option<u64>,
    pub duration_secs: Option<f64>,
    pub format: Option<String>,
    pub created_at: Option<Timestamp>,
}

/// Video rooms, whichever vendor holds them. The booking saga creates the room between hold and
/// confirm; any error fails the booking (503, nothing booked).
#[async_trait]
pub trait VideoRooms: Send + Sync + 'static {
    fn provider(&self) -> VideoProvider;

    /// Creates the booking's room, or finds it if it exists already (named after the booking).
    /// Jitsi keeps no rooms: each call names a new one, and nothing exists until someone joins.
    async fn create_room(&self, request: &RoomRequest) -> Result<Room, VideoError>;

    /// Whether the room still exists, before a session and on reschedule.
    async fn validate_room(&self, meeting_id: &str) -> Result<RoomValidity, VideoError>;

    /// A participant's way into the session, minted locally (no call to the vendor).
    fn join_ticket(
        &self,
        session: Session<'_>,
        participant: &Participant,
        now: Timestamp,
    ) -> Result<JoinTicket, VideoError>;

    /// The session's recordings; [`VideoError::NotSupported`] for vendors that do not record.
    async fn recordings(&self, meeting_id: &str) -> Result<Recordings, VideoError> {
        let _ = meeting_id;
        Err(VideoError::NotSupported { vendor: self.provider(), what: "recordings" })
    }
}

/// Every vendor's configuration the settings hold; only the chosen one is needed.
#[derive(Debug, Clone)]
pub struct VideoConfigs {
    pub jitsi: jitsi::JitsiConfig,
    pub videosdk: Option<videosdk::VideoSdkConfig>,
    pub livekit: Option<livekit::LiveKitConfig>,
}

/// The client of `provider`, or why it cannot be built (missing or invalid configuration).
pub fn client_for(provider: VideoProvider, configs: &VideoConfigs) -> Result<Arc<dyn VideoRooms>, VideoError> {
    let missing = |vendor| VideoError::NotConfigured { vendor, detail: "no configuration is set".into() };
    Ok(match provider {
        VideoProvider::Jitsi => Arc::new(jitsi::Jitsi::new(configs.jitsi.clone())?),
        VideoProvider::VideoSdk => {
            let config = configs.videosdk.clone().ok_or_else(|| missing(provider))?;
            Arc::new(videosdk::VideoSdk::new(config)?)
        }
        VideoProvider::LiveKit => {
            let config = configs.livekit.clone().ok_or_else(|| missing(provider))?;
            Arc::new(livekit::LiveKit::new(config)?)
        }
    })
}

/// Connect timeout unless `video.connect_timeout_ms` says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Total time of one call unless `video.request_timeout_ms` says otherwise. With one retry, a
/// room is created or refused well within the hold's 120 seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts after the first, for transient failures of idempotent calls (all of them here).
pub const DEFAULT_RETRIES: u32 = 1;
const RETRY_BACKOFF: Duration = Duration::from_millis(200);

/// The outbound client of `vendor`.
pub(crate) fn outbound(
    vendor: VideoProvider,
    connect_timeout: Duration,
    request_timeout: Duration,
    retries: u32,
) -> Result<Outbound, VideoError> {
    if connect_timeout.is_zero() || request_timeout.is_zero() {
        return Err(VideoError::not_configured(vendor, "timeouts must be longer than zero"));
    }
    let policy = HttpPolicy { connect_timeout, request_timeout, retries, retry_backoff: RETRY_BACKOFF };
    Outbound::new(vendor.as_str(), policy).map_err(|e| VideoError::not_configured(vendor, e))
}

/// A vendor's base URL, which must be `http` or `https`.
pub(crate) fn http_base(vendor: VideoProvider, url: &Url) -> Result<Url, VideoError> {
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(VideoError::not_configured(vendor, "the URL must be an http or https URL with a host"));
    }
    Ok(url.clone())
}

/// A room id from a vendor's answer, checked before it reaches the database and partners' answers:
/// 1 to 128 characters of letters, digits, `-` and `_`.
pub(crate) fn checked_id(vendor: VideoProvider, id: &str) -> Result<String, VideoError> {
    let sane = (1..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if sane {
        Ok(id.to_string())
    } else {
        Err(VideoError::malformed(vendor, "a room id that is empty, too long or has unexpected characters"))
    }
}

/// The instant a join token stops being accepted.
pub(crate) fn ticket_expiry(session: Session<'_>) -> Timestamp {
    session.ends_at.saturating_add(JOIN_GRACE).unwrap_or(session.ends_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_parse_from_their_setting_values() {
        for p in VideoProvider::ALL {
            assert_eq!(p.as_str().parse::<VideoProvider>(), Ok(p));
        }
        assert_eq!(" VideoSDK ".parse::<VideoProvider>(), Ok(VideoProvider::VideoSdk));
        assert!("zoom".parse::<VideoProvider>().is_err());
        assert_eq!(VideoProvider::default(), VideoProvider::Jitsi);
    }

    #[test]
    fn room_keys_are_stable_opaque_and_distinct() {
        let a = BookingRef::new("bk_abc").room_key();
        assert_eq!(a, BookingRef::new("bk_abc").room_key());
        assert_ne!(a, BookingRef::new("bk_abd").room_key());
        assert!(a.starts_with("tahoon-") && a.len() == 7 + 32 && !a.contains("abc"));
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }

    #[test]
    fn the_client_is_named_only_when_the_organization_allows_it() {
        assert_eq!(Participant::client("u1", "Layla Haddad", false).display_name, "Client");
        assert_eq!(Participant::client("u1", "Layla Haddad", true).display_name, "Layla Haddad");
        assert_eq!(Participant::client("u1", "  ", true).display_name, "Client");
        assert_eq!(Participant::provider("p1", " Dr. Sami ").display_name, "Dr. Sami");
    }
}
