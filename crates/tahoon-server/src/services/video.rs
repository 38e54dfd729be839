//! Video rooms for sessions. The vendor clients (VideoSDK, Jitsi, LiveKit) arrive with the
//! integrations issue; until then the built-in provider makes an unguessable room id and a join URL.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub meeting_id: String,
    pub join_url: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the video provider failed: {0}")]
pub struct VideoError(pub String);

#[async_trait]
pub trait VideoRooms: Send + Sync + 'static {
    async fn create_room(&self) -> Result<Room, VideoError>;
}

/// Rooms named by 128 random bits, joined under `base_url`.
pub struct BuiltInRooms {
    pub base_url: String,
}

#[async_trait]
impl VideoRooms for BuiltInRooms {
    async fn create_room(&self) -> Result<Room, VideoError> {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let meeting_id = URL_SAFE_NO_PAD.encode(bytes);
        Ok(Room { join_url: format!("{}/{meeting_id}", self.base_url.trim_end_matches('/')), meeting_id })
    }
}
