//! The video clients against local fakes of their vendors (axum routers on `127.0.0.1:0`) that
//! speak the vendor's protocol and check what they receive: tokens verified with the secret,
//! headers, bodies. Timeouts are tens of milliseconds.

mod fake_livekit;
mod fake_videosdk;
mod jitsi;
mod livekit;
mod videosdk;
mod videosdk_failures;

use jiff::Timestamp;
use serde_json::Value;
use std::time::Duration;
pub use tahoon_integrations::testing::{serve, try_verified_claims};
use tahoon_integrations::video::{BookingRef, Participant, RoomRequest};
use url::Url;

/// A local URL where nothing listens.
pub async fn closed_port() -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    Url::parse(&format!("http://{address}")).unwrap()
}

/// The session every test books: tomorrow at 10:00 UTC for 50 minutes, never a real name sent.
pub fn room_request(booking: &str) -> RoomRequest {
    let starts_at: Timestamp = "2031-05-06T10:00:00Z".parse().unwrap();
    RoomRequest {
        booking: BookingRef::new(booking),
        starts_at,
        ends_at: starts_at + jiff::SignedDuration::from_mins(50),
        client: Participant::client("usr_opaque1", "Layla Haddad", false),
        provider: Participant::provider("cp_opaque2", "Dr. Sami Aziz"),
    }
}

pub fn now() -> Timestamp {
    "2031-05-05T09:00:00Z".parse().unwrap()
}

/// The claims of an HS256 token that verifies with `secret` (and `exp` in the future of the real
/// clock unless `check_exp` is false); panics otherwise.
pub fn verified_claims(token: &str, secret: &str, check_exp: bool) -> Value {
    try_verified_claims(token, secret, check_exp).unwrap_or_else(|e| panic!("token does not verify: {e}"))
}

pub const SHORT: Duration = Duration::from_millis(60);
