//! Standard Webhooks signatures: `v1,<base64 of HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`,
//! sent in the `webhook-signature` header with the `webhook-id` and `webhook-timestamp` it signs.
//! During a secret's rotation the header carries one signature per secret, separated by a space,
//! so a consumer holding either secret verifies the message.

use super::secret::WebhookSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The only signature scheme Tahoon sends (symmetric HMAC-SHA256).
pub const VERSION: &str = "v1";

fn mac(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// One signature: `v1,<base64>`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("{VERSION},{}", STANDARD.encode(mac(secret, msg_id, timestamp, body)))
}

/// The `webhook-signature` value: one `v1,…` per secret (the new one first during a rotation),
/// separated by single spaces.
pub fn signature_header(secrets: &[&WebhookSecret], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().map(|secret| sign(secret, msg_id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// Whether any `v1` signature of the header is this secret's for this message, compared in
/// constant time. Other versions (`v1a,…`) and malformed entries are ignored, as the
/// specification asks. The timestamp's age is the caller's to judge: this checks only the bytes.
pub fn verify(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = mac(secret, msg_id, timestamp, body);
    let mut matched = false;
    for entry in header.split_ascii_whitespace() {
        let Some((VERSION, encoded)) = entry.split_once(',') else { continue };
        let Ok(provided) = STANDARD.decode(encoded) else { continue };
        // Every entry is compared, so the time taken does not tell which one matched.
        matched |= provided.len() == expected.len() && bool::from(provided.ct_eq(&expected));
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's published test vector, also the one the Svix
    /// libraries test against (e.g. `testSignFunctionWorks` in svix-webhooks' PHP library);
    /// recomputed independently with python3's `hmac` module before it was written here.
    #[test]
    fn the_specification_test_vector() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let (id, timestamp, body) = ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert_eq!(sign(&secret, id, timestamp, body), expected);
        assert_eq!(signature_header(&[&secret], id, timestamp, body), expected);
        assert!(verify(&secret, id, timestamp, body, expected));
        assert!(verify(&secret, id, timestamp, body, &format!("v1,bm9wZQ== v1a,xyz {expected}")));
        assert!(!verify(&secret, id, timestamp + 1, body, expected));
    }

    #[test]
    fn other_versions_and_malformed_entries_are_ignored() {
        let secret = WebhookSecret::from_bytes(vec![7; 32]).unwrap();
        let good = sign(&secret, "msg_1", 10, b"{}");
        let encoded = good.strip_prefix("v1,").unwrap();
        for header in ["", " ", "v1,", "v1", "v2,abc", "garbage", &format!("v1a,{encoded}"), &format!("v2,{encoded}")] {
            assert!(!verify(&secret, "msg_1", 10, b"{}", header), "{header:?}");
        }
        // Surrounding and repeated spaces do not matter.
        assert!(verify(&secret, "msg_1", 10, b"{}", &format!("  v2,abc   {good} ")));
    }

    #[test]
    fn a_truncated_signature_does_not_verify() {
        let secret = WebhookSecret::from_bytes(vec![7; 32]).unwrap();
        let mac = mac(&secret, "msg_1", 10, b"{}");
        let short = format!("v1,{}", STANDARD.encode(&mac[..31]));
        assert!(!verify(&secret, "msg_1", 10, b"{}", &short));
        assert!(!verify(&secret, "msg_1", 10, b"{}", &format!("v1,{}", STANDARD.encode([]))));
    }
}
