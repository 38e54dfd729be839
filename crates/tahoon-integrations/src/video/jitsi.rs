//! Jitsi Meet: the default vendor, which needs no account. Nothing is sent to Jitsi when a room is
//! "created": a Jitsi room exists while someone is in it, so the room is an unguessable name
//! (`tahoon-` and 128 random bits in lowercase hex) under `jitsi.base_url`.
//!
//! With `jitsi.app_id` and `jitsi.app_secret` (a deployment with prosody's `token` authentication),
//! each participant's link carries their own JWT (`?jwt=…`), HS256 with the app secret. Checked
//! against `doc/tokens.md` of `jitsi/lib-jitsi-meet` and prosody's
//! `resources/prosody-plugins/token/util.lib.lua` in `jitsi/jitsi-meet`:
//! - `iss` = the app id (accepted issuers default to `{ app_id }`);
//! - `aud` = `jitsi` (the documented example; accepted audiences default to `*`);
//! - `sub` = the lowercase domain (`jitsi.base_url`'s host), or the tenant for `https://host/TENANT`;
//! - `room` = the room name, lowercase (prosody compares it with the lowercased MUC name);
//! - `exp`, and `context.user` `{id, name}`, strings only ("numeric types or null will generate an
//!   exception"); the name is the participant's display name, for the client a neutral label
//!   unless the organization shares names ([`Participant::client`]).
//!
//! Without a secret, the link sets the display name in its fragment (`#userInfo.displayName="…"`),
//! which the browser keeps to itself.

use crate::Secret;
use crate::video::token::sign_hs256;
use crate::video::{
    JoinTicket, Participant, Room, RoomRequest, RoomValidity, Session, VideoError, VideoProvider, VideoRooms,
    ticket_expiry,
};
use async_trait::async_trait;
use jiff::Timestamp;
use rand::RngCore;
use serde::Serialize;
use url::Url;

const VENDOR: VideoProvider = VideoProvider::Jitsi;
/// `aud` of participants' tokens.
pub const AUDIENCE: &str = "jitsi";

/// The `jitsi.*` settings.
#[derive(Debug, Clone)]
pub struct JitsiConfig {
    /// `jitsi.base_url`: rooms are `<base_url>/<room>`.
    pub base_url: Url,
    /// `jitsi.app_id`, with `app_secret`: sign participants' tokens.
    pub app_id: Option<String>,
    pub app_secret: Option<Secret>,
}

impl JitsiConfig {
    pub const DEFAULT_BASE_URL: &'static str = "https://meet.jit.si";

    /// Rooms on `base_url`, without tokens.
    pub fn new(base_url: Url) -> JitsiConfig {
        JitsiConfig { base_url, app_id: None, app_secret: None }
    }
}

impl Default for JitsiConfig {
    fn default() -> JitsiConfig {
        JitsiConfig::new(Url::parse(Self::DEFAULT_BASE_URL).expect("a valid URL"))
    }
}

/// The Jitsi client (no network: rooms are names, tokens are minted here).
#[derive(Debug)]
pub struct Jitsi {
    base_url: Url,
    signing: Option<(String, Secret)>,
    /// `sub` of tokens: the tenant, or the domain.
    subject: String,
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    room: &'a str,
    iat: i64,
    exp: i64,
    context: Context<'a>,
}

#[derive(Debug, Serialize)]
struct Context<'a> {
    user: User<'a>,
}

#[derive(Debug, Serialize)]
struct User<'a> {
    id: &'a str,
    name: &'a str,
}

impl Jitsi {
    pub fn new(config: JitsiConfig) -> Result<Jitsi, VideoError> {
        let base_url = crate::video::http_base(VENDOR, &config.base_url)?;
        let signing = match (config.app_id, config.app_secret) {
            (None, None) => None,
            (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.is_empty() => Some((id, secret)),
            _ => {
                return Err(VideoError::not_configured(VENDOR, "jitsi.app_id and jitsi.app_secret go together"));
            }
        };
        let tenant = base_url.path_segments().and_then(|mut s| s.find(|s| !s.is_empty())).map(str::to_string);
        let subject = tenant.unwrap_or_else(|| base_url.host_str().unwrap_or_default().to_string()).to_lowercase();
        Ok(Jitsi { base_url, signing, subject })
    }

    /// `<base_url>/<room>`.
    fn room_url(&self, room: &str) -> Url {
        let mut url = self.base_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut().expect("checked: an http(s) URL").pop_if_empty().push(room);
        url
    }
}

/// `tahoon-` and 128 random bits, lowercase hex.
fn room_name() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("tahoon-{}", hex::encode(bytes))
}

/// JavaScript's `encodeURIComponent`, which Jitsi's URL parameters are decoded with.
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[async_trait]
impl VideoRooms for Jitsi {
    fn provider(&self) -> VideoProvider {
        VENDOR
    }

    async fn create_room(&self, _request: &RoomRequest) -> Result<Room, VideoError> {
        let meeting_id = room_name();
        Ok(Room { join_url: Some(self.room_url(&meeting_id).to_string()), meeting_id, vendor: VENDOR })
    }

    /// A Jitsi room exists whenever someone joins it: any name is valid.
    async fn validate_room(&self, _meeting_id: &str) -> Result<RoomValidity, VideoError> {
        Ok(RoomValidity::Valid)
    }

    fn join_ticket(
        &self,
        session: Session<'_>,
        participant: &Participant,
        now: Timestamp,
    ) -> Result<JoinTicket, VideoError> {
        let expires_at = ticket_expiry(session);
        let room = session.meeting_id.to_lowercase();
        let mut url = self.room_url(&room);
        let token = match &self.signing {
            Some((app_id, secret)) => {
                let claims = Claims {
                    iss: app_id,
                    aud: AUDIENCE,
                    sub: &self.subject,
                    room: &room,
                    iat: now.as_second(),
                    exp: expires_at.as_second(),
                    context: Context { user: User { id: &participant.id, name: &participant.display_name } },
                };
                let token = sign_hs256(VENDOR, &claims, secret)?;
                url.query_pairs_mut().append_pair("jwt", &token);
                Some(token)
            }
            None => {
                let name = serde_json::Value::String(participant.display_name.clone()).to_string();
                url.set_fragment(Some(&format!("userInfo.displayName={}", encode_component(&name))));
                None
            }
        };
        Ok(JoinTicket {
            role: participant.role,
            display_name: participant.display_name.clone(),
            token,
            join_url: Some(url.to_string()),
            server_url: None,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_encode_uri_component_does() {
        assert_eq!(encode_component("\"Dr. Sami Ali\""), "%22Dr.%20Sami%20Ali%22");
        assert_eq!(encode_component("ليلى"), "%D9%84%D9%8A%D9%84%D9%89");
    }

    #[test]
    fn the_subject_is_the_tenant_or_the_domain() {
        let at = |u: &str| Jitsi::new(JitsiConfig::new(Url::parse(u).unwrap())).unwrap().subject;
        assert_eq!(at("https://Meet.Example.com"), "meet.example.com");
        assert_eq!(at("https://meet.example.com/Tenant1/"), "tenant1");
    }

    #[test]
    fn an_app_id_without_a_secret_is_not_configured() {
        let config = JitsiConfig { app_id: Some("tahoon".into()), ..JitsiConfig::default() };
        assert!(matches!(Jitsi::new(config), Err(VideoError::NotConfigured { .. })));
    }
}
