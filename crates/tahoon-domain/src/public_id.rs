//! Opaque public ids: deterministic, URL-safe, bound to their kind and tamper-evident.
//!
//! Construction (deterministic authenticated encryption, SIV style, all HMAC-SHA256):
//! `tag = HMAC(k_mac, kind_byte ‖ payload)[..12]`, `ct = payload ⊕ HMAC(k_enc, tag)[..len]`,
//! id = `<prefix>_` + base64url-nopad(`tag ‖ ct`). Decoding recomputes the tag and compares in
//! constant time, so any change (a character, a truncation, another kind's id) is rejected rather
//! than decoded to another record, and the payload (a row number) is not readable.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

pub use crate::ids::{
    AccessKeyId, AssessmentId, BookingId, CareProviderId, Id, IdKind, OrganizationId, OutboxEventId, UserId, kind,
};

type HmacSha256 = Hmac<Sha256>;

const TAG_LEN: usize = 12;
const MAX_PAYLOAD: usize = 32;

/// What a slot id (`applicationMultiSlotId`) names: a provider, a start instant and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotKey {
    pub provider_id: CareProviderId,
    pub start_unix_seconds: i64,
    pub duration_minutes: u16,
}

impl SlotKey {
    fn to_bytes(self) -> [u8; 18] {
        let mut out = [0u8; 18];
        out[..8].copy_from_slice(&self.provider_id.get().to_be_bytes());
        out[8..16].copy_from_slice(&self.start_unix_seconds.to_be_bytes());
        out[16..].copy_from_slice(&self.duration_minutes.to_be_bytes());
        out
    }

    fn from_bytes(bytes: &[u8]) -> Option<SlotKey> {
        let bytes: [u8; 18] = bytes.try_into().ok()?;
        Some(SlotKey {
            provider_id: Id::new(i64::from_be_bytes(bytes[..8].try_into().ok()?)),
            start_unix_seconds: i64::from_be_bytes(bytes[8..16].try_into().ok()?),
            duration_minutes: u16::from_be_bytes(bytes[16..].try_into().ok()?),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is not a valid {0}")]
    Invalid(&'static str),
}

/// Encodes and decodes public ids with keys derived from the server's master key.
#[derive(Clone)]
pub struct IdCodec {
    /// The keyed HMAC states, cloned for each id: keying costs two of the four compressions an
    /// HMAC of a short message takes, so it is done once.
    mac: HmacSha256,
    enc: HmacSha256,
}

impl fmt::Debug for IdCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdCodec(..)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    keyed_hmac(&HmacSha256::new_from_slice(key).expect("HMAC takes any key length"), parts)
}

fn keyed_hmac(keyed: &HmacSha256, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed.clone();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl IdCodec {
    pub fn new(master_key: &[u8; 32]) -> Self {
        let keyed = |key: [u8; 32]| HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        IdCodec {
            mac: keyed(hmac(master_key, &[b"tahoon/public-id/mac/v1"])),
            enc: keyed(hmac(master_key, &[b"tahoon/public-id/enc/v1"])),
        }
    }

    pub fn encode<K: IdKind>(&self, id: Id<K>) -> String {
        self.encode_bytes::<K>(&id.get().to_be_bytes())
    }

    pub fn decode<K: IdKind>(&self, text: &str) -> Result<Id<K>, IdError> {
        let payload = self.decode_bytes::<K>(text)?;
        let bytes: [u8; 8] = payload.try_into().map_err(|_| IdError::Invalid(K::NAME))?;
        Ok(Id::new(i64::from_be_bytes(bytes)))
    }

    pub fn encode_slot(&self, slot: SlotKey) -> String {
        self.encode_bytes::<kind::Slot>(&slot.to_bytes())
    }

    pub fn decode_slot(&self, text: &str) -> Result<SlotKey, IdError> {
        let bytes = self.decode_bytes::<kind::Slot>(text)?;
        SlotKey::from_bytes(&bytes).ok_or(IdError::Invalid(kind::Slot::NAME))
    }

    /// Encodes up to 32 payload bytes (for ids that are not a single row number, such as slots).
    pub fn encode_bytes<K: IdKind>(&self, payload: &[u8]) -> String {
        assert!(payload.len() <= MAX_PAYLOAD, "public id payload too long");
        let tag = &keyed_hmac(&self.mac, &[&[K::TAG], payload])[..TAG_LEN];
        let stream = keyed_hmac(&self.enc, &[tag]);
        let mut raw = Vec::with_capacity(TAG_LEN + payload.len());
        raw.extend_from_slice(tag);
        raw.extend(payload.iter().zip(stream.iter()).map(|(p, s)| p ^ s));
        format!("{}_{}", K::PREFIX, URL_SAFE_NO_PAD.encode(raw))
    }

    pub fn decode_bytes<K: IdKind>(&self, text: &str) -> Result<Vec<u8>, IdError> {
        let invalid = || IdError::Invalid(K::NAME);
        let body = text.strip_prefix(K::PREFIX).and_then(|rest| rest.strip_prefix('_')).ok_or_else(invalid)?;
        // 4 * ceil(44 * 4 / 3) bounds the length before decoding anything.
        if body.len() > 60 {
            return Err(invalid());
        }
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
        if raw.len() <= TAG_LEN || raw.len() > TAG_LEN + MAX_PAYLOAD {
            return Err(invalid());
        }
        let (tag, ct) = raw.split_at(TAG_LEN);
        let stream = keyed_hmac(&self.enc, &[tag]);
        let payload: Vec<u8> = ct.iter().zip(stream.iter()).map(|(c, s)| c ^ s).collect();
        let expected = &keyed_hmac(&self.mac, &[&[K::TAG], &payload])[..TAG_LEN];
        if bool::from(expected.ct_eq(tag)) { Ok(payload) } else { Err(invalid()) }
    }
}

#[cfg(test)]
mod tests {
    use super::kind::{Booking, User};
    use super::*;
    use proptest::prelude::*;

    fn codec() -> IdCodec {
        IdCodec::new(&[7u8; 32])
    }

    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    proptest! {
        #[test]
        fn round_trip(id in any::<i64>()) {
            let c = codec();
            let text = c.encode(Id::<User>::new(id));
            prop_assert_eq!(c.decode::<User>(&text).unwrap().get(), id);
            // Deterministic for the same record.
            prop_assert_eq!(text.clone(), c.encode(Id::<User>::new(id)));
        }

        #[test]
        fn url_safe(id in any::<i64>()) {
            let text = codec().encode(Id::<Booking>::new(id));
            prop_assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
        }

        #[test]
        fn bound_to_kind(id in any::<i64>()) {
            let c = codec();
            let booking = c.encode(Id::<Booking>::new(id));
            prop_assert!(c.decode::<User>(&booking).is_err());
            // Even with the prefix swapped, the tag binds the kind.
            let swapped = booking.replacen("bkg_", "usr_", 1);
            prop_assert!(c.decode::<User>(&swapped).is_err());
        }

        #[test]
        fn every_single_character_change_is_rejected(id in any::<i64>()) {
            let c = codec();
            let text = c.encode(Id::<User>::new(id));
            for pos in 0..text.len() {
                for &b in ALPHABET {
                    if text.as_bytes()[pos] == b { continue; }
                    let mut changed = text.clone().into_bytes();
                    changed[pos] = b;
                    let changed = String::from_utf8(changed).unwrap();
                    prop_assert!(c.decode::<User>(&changed).is_err(), "accepted {changed}");
                }
            }
        }

        #[test]
        fn every_truncation_and_extension_is_rejected(id in any::<i64>()) {
            let c = codec();
            let text = c.encode(Id::<User>::new(id));
            for len in 0..text.len() {
                prop_assert!(c.decode::<User>(&text[..len]).is_err());
            }
            let extended = format!("{}A", text);
            prop_assert!(c.decode::<User>(&extended).is_err());
        }

        #[test]
        fn another_master_key_rejects(id in any::<i64>()) {
            let text = codec().encode(Id::<User>::new(id));
            prop_assert!(IdCodec::new(&[8u8; 32]).decode::<User>(&text).is_err());
        }
    }

    #[test]
    fn garbage_is_rejected() {
        let c = codec();
        for text in ["", "usr_", "usr", "usr_!!!!", "usr_AAAAAAAAAAAAAAAAAAAAAAAAAAA", "42"] {
            assert!(c.decode::<User>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn slot_keys_round_trip() {
        let c = codec();
        let key = SlotKey { provider_id: Id::new(42), start_unix_seconds: 1_800_000_000, duration_minutes: 60 };
        let text = c.encode_slot(key);
        assert!(text.starts_with("slot_"));
        assert_eq!(c.decode_slot(&text), Ok(key));
        assert!(c.decode_slot(&c.encode(Id::<User>::new(42))).is_err());
    }

    #[test]
    fn byte_payloads_round_trip() {
        let c = codec();
        let text = c.encode_bytes::<kind::Slot>(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(c.decode_bytes::<kind::Slot>(&text).unwrap().len(), 14);
    }
}
