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
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::time::Duration;
use tahoon_integrations::video::{BookingRef, Participant, RoomRequest};
use url::Url;

/// Serves `router` on a free local port; the server lives as long as the test's runtime.
pub async fn serve(router: axum::Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Url::parse(&format!("http://{address}")).unwrap()
}

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

pub fn try_verified_claims(token: &str, secret: &str, check_exp: bool) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    if header.alg != Algorithm::HS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = check_exp;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

pub const SHORT: Duration = Duration::from_millis(60);
