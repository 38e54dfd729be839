//! HS256 JSON Web Tokens, as all three vendors take them (VideoSDK management and `rtc` tokens,
//! Jitsi's prosody `token` authentication, LiveKit access tokens).

use crate::Secret;
use crate::video::{VideoError, VideoProvider};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// `claims` signed with `secret` (header `{"alg":"HS256","typ":"JWT"}`).
pub(crate) fn sign_hs256<C: Serialize>(
    vendor: VideoProvider,
    claims: &C,
    secret: &Secret,
) -> Result<String, VideoError> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.expose().as_bytes()))
        .map_err(|_| VideoError::not_configured(vendor, "a token could not be signed with the configured secret"))
}
