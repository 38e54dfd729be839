//! Test support, only with the `testing` feature (this crate's tests and the server's API tests
//! turn it on): local fakes of the vendors' APIs that speak their protocol and check what they
//! receive, and a local receiver of webhooks.

pub mod videosdk;
pub mod webhook_receiver;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use url::Url;

/// Serves `router` on a free local port; the server lives as long as the test's runtime.
pub async fn serve(router: axum::Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free local port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("the fake serves") });
    Url::parse(&format!("http://{address}")).expect("a URL")
}

/// The claims of an HS256 token that verifies with `secret` (and whose `exp` is in the future of
/// the real clock unless `check_exp` is false), or why it does not.
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
