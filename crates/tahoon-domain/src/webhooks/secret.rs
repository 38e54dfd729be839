//! An endpoint's signing secret, written `whsec_<standard base64>` as Standard Webhooks and Svix
//! write it, so that a consumer can paste it into their library unchanged.

use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::fmt;
use subtle::ConstantTimeEq;

pub const SECRET_PREFIX: &str = "whsec_";
/// Fewer bytes than this is too weak a key (the specification's own example has 24).
pub const MIN_SECRET_BYTES: usize = 24;
/// The specification's upper bound on a secret's length.
pub const MAX_SECRET_BYTES: usize = 64;
/// How many random bytes `WebhookSecret::generate` draws.
pub const GENERATED_SECRET_BYTES: usize = 32;

/// Standard base64 that accepts the text with or without its `=` padding: consumers and other
/// senders write both.
const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret must start with \"whsec_\"")]
    MissingPrefix,
    #[error("a webhook secret must be \"whsec_\" followed by standard base64")]
    NotBase64,
    #[error("a webhook secret must hold at least 24 bytes; this one holds {0}")]
    TooShort(usize),
    #[error("a webhook secret must hold at most 64 bytes; this one holds {0}")]
    TooLong(usize),
}

/// The key of an endpoint's HMAC-SHA256 signatures. `Debug` never shows it; `expose` is for the
/// one response that hands it to the endpoint's owner and for sealing it in the store.
#[derive(Clone)]
pub struct WebhookSecret {
    bytes: Vec<u8>,
}

impl WebhookSecret {
    /// A secret of these bytes (24 to 64 of them).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<WebhookSecret, SecretError> {
        match bytes.len() {
            n if n < MIN_SECRET_BYTES => Err(SecretError::TooShort(n)),
            n if n > MAX_SECRET_BYTES => Err(SecretError::TooLong(n)),
            _ => Ok(WebhookSecret { bytes }),
        }
    }

    /// A new secret of 32 bytes from the caller's generator (a cryptographic one: this is a key).
    pub fn generate<R: rand::CryptoRng + ?Sized>(rng: &mut R) -> WebhookSecret {
        let mut bytes = vec![0u8; GENERATED_SECRET_BYTES];
        rng.fill_bytes(&mut bytes);
        WebhookSecret { bytes }
    }

    /// Reads `whsec_<standard base64>`, padded or not. The text is taken as it is (no trimming).
    pub fn parse(text: &str) -> Result<WebhookSecret, SecretError> {
        let encoded = text.strip_prefix(SECRET_PREFIX).ok_or(SecretError::MissingPrefix)?;
        let bytes = STANDARD_ANY_PADDING.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        WebhookSecret::from_bytes(bytes)
    }

    /// `whsec_<standard base64 with padding>`: the form `parse` reads and consumers paste.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.bytes))
    }

    /// The HMAC key.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// Compared in constant time, like any other key.
impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.len() == other.bytes.len() && bool::from(self.bytes.ct_eq(&other.bytes))
    }
}
impl Eq for WebhookSecret {}
