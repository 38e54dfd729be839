//! Secrets: generation of access keys and shared signing keys, their digests, and sealing under
//! the server's master key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

pub const ACCESS_KEY_PREFIX: &str = "thn_ak_";
pub const SHARED_KEY_PREFIX: &str = "thn_sk_";
pub const REFRESH_TOKEN_PREFIX: &str = "thn_rt_";
pub const OPERATOR_TOKEN_PREFIX: &str = "thn_op_";

/// A random 256-bit secret as text: `<prefix><base64url>`.
pub fn generate_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// 32 random bytes (master and token-signing keys).
pub fn generate_key() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Lowercase hex SHA-256 of a secret: how access keys and refresh tokens are stored.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Parses a 256-bit key written as 64 hex characters.
pub fn parse_hex_key(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim()).map_err(|_| "must be 64 hexadecimal characters".to_string())?;
    bytes.try_into().map_err(|_| "must be 64 hexadecimal characters (256 bits)".to_string())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sealed secret cannot be opened with this master key")]
pub struct UnsealError;

/// The server's master key: seals secrets stored in the database (AES-256-GCM, random nonce).
#[derive(Clone)]
pub struct MasterKey {
    bytes: [u8; 32],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        MasterKey { bytes }
    }
    pub fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(&self.bytes).expect("32-byte key")
    }

    /// `v1.<base64(nonce ‖ ciphertext)>`.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher()
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption does not fail for short inputs");
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!("v1.{}", STANDARD.encode(out))
    }

    pub fn unseal(&self, sealed: &str) -> Result<String, UnsealError> {
        let raw = sealed
            .strip_prefix("v1.")
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|raw| raw.len() > 12)
            .ok_or(UnsealError)?;
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| UnsealError)?;
        let pt = self.cipher().decrypt(&Nonce::from(nonce), ct).map_err(|_| UnsealError)?;
        String::from_utf8(pt).map_err(|_| UnsealError)
    }

    /// A configuration value (a database URL with its password, an operator token) sealed for
    /// the configuration file or the environment: `enc:v1.<…>` (`tahoon secret encrypt`).
    pub fn seal_setting(&self, plaintext: &str) -> String {
        format!("{SEALED_SETTING_PREFIX}{}", self.seal(plaintext))
    }

    /// A configuration value as given: opened when sealed (`enc:…`), unchanged otherwise.
    pub fn open_setting(&self, value: &str) -> Result<String, UnsealError> {
        match value.strip_prefix(SEALED_SETTING_PREFIX) {
            Some(sealed) => self.unseal(sealed),
            None => Ok(value.to_string()),
        }
    }
}

/// Marks a configuration value sealed with the master key.
pub const SEALED_SETTING_PREFIX: &str = "enc:";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_settings_open_with_their_key_only() {
        let key = MasterKey::new([7u8; 32]);
        let url = "postgres://tahoon:s3cret@db.internal:5432/tahoon";
        let sealed = key.seal_setting(url);
        assert!(sealed.starts_with("enc:v1.") && !sealed.contains("s3cret"));
        assert_ne!(sealed, key.seal_setting(url), "a fresh nonce each time");
        assert_eq!(key.open_setting(&sealed).unwrap(), url);
        assert_eq!(key.open_setting(url).unwrap(), url, "a plain value is used as given");
        assert!(MasterKey::new([8u8; 32]).open_setting(&sealed).is_err(), "another key cannot open it");
        assert!(key.open_setting("enc:v1.garbage").is_err());
    }

    #[test]
    fn secrets_are_random_and_prefixed() {
        let a = generate_secret(ACCESS_KEY_PREFIX);
        let b = generate_secret(ACCESS_KEY_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("thn_ak_"));
        // 32 bytes → 43 base64url characters: 256 bits of entropy.
        assert_eq!(a.len(), ACCESS_KEY_PREFIX.len() + 43);
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn seal_round_trip_and_tamper() {
        let key = MasterKey::new([9u8; 32]);
        let sealed = key.seal("thn_sk_secret");
        assert_ne!(sealed, key.seal("thn_sk_secret"), "random nonce");
        assert_eq!(key.unseal(&sealed).unwrap(), "thn_sk_secret");
        assert!(MasterKey::new([1u8; 32]).unseal(&sealed).is_err());
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(key.unseal(&String::from_utf8(tampered).unwrap()).is_err());
    }

    #[test]
    fn hex_keys() {
        assert!(parse_hex_key(&"ab".repeat(32)).is_ok());
        assert!(parse_hex_key("abc").is_err());
        assert!(parse_hex_key(&"zz".repeat(32)).is_err());
    }
}
