//! Request signing: the reference's `secureHash` body form and the `X-Tahoon-Signature` header.
//!
//! Body form: every top-level field except `secureHash` whose value is a string, number or
//! boolean, sorted by name (byte order); in names and values `%` becomes `%25`, `&` becomes `%26`
//! and `=` becomes `%3D` (so no value can pose as another field); joined as `name=value` with `&`;
//! strings otherwise as they are, numbers as JSON writes them (integers in decimal), booleans
//! `true`/`false`. The signature is the lowercase hex HMAC-SHA256 of that string keyed with the
//! organization's shared key (UTF-8). An empty canonical string signs nothing and never verifies.
//!
//! Header form: `X-Tahoon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<signed>">`,
//! where `<signed>` is the raw body, or `<METHOD> <path?query>` for a route without a body;
//! accepted within ±300 s of the server's clock, each signature once (the caller keeps the replay
//! record of the value `SignatureHeader::verify` returns).

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

pub const SECURE_HASH_FIELD: &str = "secureHash";
pub const SIGNATURE_HEADER: &str = "x-tahoon-signature";
/// How far the header's timestamp may be from the server's clock, in seconds.
pub const HEADER_TOLERANCE_SECS: i64 = 300;

fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

fn equal_hex(expected: &str, provided: &str) -> bool {
    // Lowercase hex is the contract, but an uppercase signature is the same bytes.
    let provided = provided.to_ascii_lowercase();
    expected.len() == provided.len() && bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

/// `%`, `&` and `=` written as `%25`, `%26`, `%3D`; everything else as it is.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['%', '&', '=']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The string the body form signs.
pub fn canonical_string(body: &Map<String, Value>) -> String {
    let mut fields: Vec<(&String, String)> = body
        .iter()
        .filter(|(name, _)| name.as_str() != SECURE_HASH_FIELD)
        .filter_map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null | Value::Array(_) | Value::Object(_) => return None,
            };
            Some((name, text))
        })
        .collect();
    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    fields.iter().map(|(name, value)| format!("{}={}", escape(name), escape(value))).collect::<Vec<_>>().join("&")
}

/// The `secureHash` of a JSON object body.
pub fn secure_hash(shared_key: &str, body: &Map<String, Value>) -> String {
    hmac_hex(shared_key, &[canonical_string(body).as_bytes()])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecureHashError {
    /// No field of the body is signed (only arrays, objects or nulls): one fixed hash would sign
    /// every such body, so it is never accepted.
    #[error("secureHash signs nothing in this body (no string, number or boolean field); use X-Tahoon-Signature")]
    NothingSigned,
    #[error("secureHash does not match the body")]
    Mismatch,
}

/// Checks a `secureHash` in constant time; an empty canonical string never verifies.
pub fn verify_secure_hash(shared_key: &str, body: &Map<String, Value>, provided: &str) -> Result<(), SecureHashError> {
    let canonical = canonical_string(body);
    if canonical.is_empty() {
        return Err(SecureHashError::NothingSigned);
    }
    let expected = hmac_hex(shared_key, &[canonical.as_bytes()]);
    if equal_hex(&expected, provided) { Ok(()) } else { Err(SecureHashError::Mismatch) }
}

/// The `v1` value of the header form.
pub fn header_signature(shared_key: &str, timestamp: i64, raw_body: &[u8]) -> String {
    hmac_hex(shared_key, &[timestamp.to_string().as_bytes(), b".", raw_body])
}

/// A complete `X-Tahoon-Signature` header value.
pub fn header_value(shared_key: &str, timestamp: i64, raw_body: &[u8]) -> String {
    format!("t={timestamp},v1={}", header_signature(shared_key, timestamp, raw_body))
}

/// A parsed `X-Tahoon-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    /// One or more `v1` values (several allow a client to sign with two keys during rotation).
    pub signatures: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the X-Tahoon-Signature header must look like t=<unix seconds>,v1=<hex>")]
    Malformed,
    #[error("the X-Tahoon-Signature timestamp is more than 300 seconds from the server's clock")]
    OutsideTolerance,
    #[error("the X-Tahoon-Signature does not match the body")]
    Mismatch,
}

impl SignatureHeader {
    pub fn parse(value: &str) -> Result<SignatureHeader, HeaderError> {
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for item in value.split(',') {
            let (key, val) = item.trim().split_once('=').ok_or(HeaderError::Malformed)?;
            match key {
                "t" => timestamp = Some(val.parse::<i64>().map_err(|_| HeaderError::Malformed)?),
                "v1" if val.len() == 64 && val.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    signatures.push(val.to_ascii_lowercase())
                }
                "v1" => return Err(HeaderError::Malformed),
                _ => {} // Unknown schemes are ignored so that new ones can be added.
            }
        }
        match timestamp {
            Some(timestamp) if !signatures.is_empty() => Ok(SignatureHeader { timestamp, signatures }),
            _ => Err(HeaderError::Malformed),
        }
    }

    /// Checks time and signature; on success returns the matching `v1` value, which the caller
    /// records so that the same signature is never accepted twice.
    pub fn verify(&self, shared_key: &str, raw_body: &[u8], now_unix: i64) -> Result<&str, HeaderError> {
        // `abs_diff`: a timestamp at i64's edges must not overflow the subtraction.
        if now_unix.abs_diff(self.timestamp) > HEADER_TOLERANCE_SECS.unsigned_abs() {
            return Err(HeaderError::OutsideTolerance);
        }
        let expected = header_signature(shared_key, self.timestamp, raw_body);
        self.signatures
            .iter()
            .find(|provided| equal_hex(&expected, provided))
            .map(String::as_str)
            .ok_or(HeaderError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    // Vectors computed independently with:
    //   printf '%s' "$canonical" | openssl dgst -sha256 -hmac "$key"
    // and recorded in docs/signing.md so partners can check their own client.
    const KEY: &str = "thn_sk_test_0123456789abcdef";

    #[test]
    fn canonical_string_follows_the_rules() {
        let body = obj(json!({
            "referenceId": "ORG-USER-123",
            "name": "John Doe",
            "dob": "1990-05-15",
            "genderType": 1,
            "isBookingFromMobile": false,
            "answers": [{"questionId": 1}],
            "filterCriteriaObject": {"genderType": 0},
            "userId": null,
            "secureHash": "ignored"
        }));
        assert_eq!(
            canonical_string(&body),
            "dob=1990-05-15&genderType=1&isBookingFromMobile=false&name=John Doe&referenceId=ORG-USER-123"
        );
    }

    #[test]
    fn byte_order_sorting_puts_uppercase_first() {
        let body = obj(json!({"b": "1", "B": "2", "a": "3", "Z": "4"}));
        assert_eq!(canonical_string(&body), "B=2&Z=4&a=3&b=1");
    }

    #[test]
    fn secure_hash_fixed_vector() {
        let body = obj(json!({
            "referenceId": "ORG-USER-123",
            "name": "John Doe",
            "dob": "1990-05-15",
            "genderType": 1
        }));
        assert_eq!(secure_hash(KEY, &body), "519c38ded486ad4cebfded0f45a2cacafffdb24dd51f77e77fb38a36ca35f3ee");
    }

    #[test]
    fn header_fixed_vector() {
        let body = br#"{"referenceId":"ORG-USER-123","genderType":1}"#;
        assert_eq!(
            header_signature(KEY, 1764000000, body),
            "f01fffa22fc1971ba2a9e7095a94b532b76fb62560ef6600ac415e13ec6d172f"
        );
    }

    #[test]
    fn changed_field_fails() {
        let mut body = obj(json!({"name": "John Doe", "genderType": 1}));
        let hash = secure_hash(KEY, &body);
        assert_eq!(verify_secure_hash(KEY, &body, &hash), Ok(()));
        assert_eq!(verify_secure_hash(KEY, &body, &hash.to_uppercase()), Ok(()));
        body.insert("genderType".into(), json!(0));
        assert_eq!(verify_secure_hash(KEY, &body, &hash), Err(SecureHashError::Mismatch));
        let original = obj(json!({"name": "John Doe", "genderType": 1}));
        assert_eq!(verify_secure_hash("other", &original, &hash), Err(SecureHashError::Mismatch));
    }

    #[test]
    fn an_empty_canonical_string_never_verifies() {
        // A body of only arrays, objects and nulls (bulk booking's `{"bookings": [...]}`) signs
        // nothing: the HMAC of "" would sign every such body forever.
        let empty_hash = hmac_hex(KEY, &[b""]);
        for body in [json!({}), json!({"bookings": [{"a": 1}]}), json!({"x": null, "y": {"z": 1}})] {
            let body = obj(body);
            assert_eq!(canonical_string(&body), "");
            assert_eq!(verify_secure_hash(KEY, &body, &empty_hash), Err(SecureHashError::NothingSigned));
        }
    }

    #[test]
    fn escaping_keeps_fields_apart() {
        // Without escaping, one value could pose as two fields.
        let two = obj(json!({"referenceId": "R-ORIG", "timeZone": "Asia/Riyadh"}));
        let one = obj(json!({"referenceId": "R-ORIG&timeZone=Asia/Riyadh"}));
        assert_eq!(canonical_string(&two), "referenceId=R-ORIG&timeZone=Asia/Riyadh");
        assert_eq!(canonical_string(&one), "referenceId=R-ORIG%26timeZone%3DAsia/Riyadh");
        assert_ne!(secure_hash(KEY, &two), secure_hash(KEY, &one));
        // A literal "%26" is escaped too, so it cannot pose as an escaped "&".
        let percent = obj(json!({"name": "50%26", "a&b": "c=d"}));
        assert_eq!(canonical_string(&percent), "a%26b=c%3Dd&name=50%2526");
    }

    #[test]
    fn escaped_fixed_vector() {
        // printf '%s' 'name=Tom %26 Jerry&note=100%25 %3D sure' | openssl dgst -sha256 -hmac "$KEY"
        let body = obj(json!({"name": "Tom & Jerry", "note": "100% = sure"}));
        assert_eq!(canonical_string(&body), "name=Tom %26 Jerry&note=100%25 %3D sure");
        assert_eq!(secure_hash(KEY, &body), "9918e5418b9bdd8966e4d4f46908c0a57cea45151e76434d9be8c9594adabb2a");
    }

    #[test]
    fn a_number_and_its_string_sign_alike() {
        // The reference's canonical string does not say which JSON type a value had; the route's
        // typed schema refuses a string where it declares a number (tested over HTTP).
        let number = obj(json!({"genderType": 1}));
        let string = obj(json!({"genderType": "1"}));
        assert_eq!(canonical_string(&number), canonical_string(&string));
    }

    #[test]
    fn header_parse_and_verify() {
        let body = b"{\"a\":1}";
        let value = header_value(KEY, 1_000, body);
        let header = SignatureHeader::parse(&value).unwrap();
        assert_eq!(header.timestamp, 1_000);
        assert!(header.verify(KEY, body, 1_000 + 300).is_ok());
        assert!(header.verify(KEY, body, 1_000 - 300).is_ok());
        assert_eq!(header.verify(KEY, body, 1_301), Err(HeaderError::OutsideTolerance));
        assert_eq!(header.verify(KEY, b"{\"a\":2}", 1_000), Err(HeaderError::Mismatch));
        assert_eq!(header.verify("other", body, 1_000), Err(HeaderError::Mismatch));
    }

    #[test]
    fn timestamps_at_the_edges_of_i64_are_outside_the_window() {
        for t in [i64::MIN, i64::MIN + 1, i64::MAX, -1] {
            let header = SignatureHeader { timestamp: t, signatures: vec!["0".repeat(64)] };
            assert_eq!(header.verify(KEY, b"{}", 1_764_000_000), Err(HeaderError::OutsideTolerance), "{t}");
        }
        let header = SignatureHeader { timestamp: 0, signatures: vec!["0".repeat(64)] };
        assert_eq!(header.verify(KEY, b"{}", i64::MIN), Err(HeaderError::OutsideTolerance));
    }

    #[test]
    fn malformed_headers() {
        for v in ["", "t=1", "v1=00", "t=x,v1=".to_string().as_str(), "t=1,v1=zz", "garbage"] {
            assert_eq!(SignatureHeader::parse(v), Err(HeaderError::Malformed), "{v}");
        }
        let ok = format!("t=5,v0=abc,v1={}", "a".repeat(64));
        assert!(SignatureHeader::parse(&ok).is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[ -~]{0,12}".prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ]
    }

    fn body() -> impl Strategy<Value = Map<String, Value>> {
        proptest::collection::btree_map("[A-Za-z]{1,8}", scalar(), 1..8)
            .prop_map(|m| m.into_iter().filter(|(k, _)| k != SECURE_HASH_FIELD).collect())
    }

    proptest! {
        #[test]
        fn field_order_does_not_matter(fields in body()) {
            let mut reversed = Map::new();
            for (k, v) in fields.iter().rev() {
                reversed.insert(k.clone(), v.clone());
            }
            prop_assert_eq!(secure_hash("k", &fields), secure_hash("k", &reversed));
        }

        #[test]
        fn changing_any_signed_value_changes_the_hash(fields in body(), pick in any::<prop::sample::Index>()) {
            let key = pick.get(&fields.keys().cloned().collect::<Vec<_>>()).clone();
            let mut changed = fields.clone();
            let new_value = match &fields[&key] {
                Value::String(s) => Value::from(format!("{s}x")),
                Value::Number(n) => Value::from(n.as_i64().unwrap().wrapping_add(1)),
                Value::Bool(b) => Value::from(!b),
                other => other.clone(),
            };
            changed.insert(key, new_value);
            prop_assert_ne!(secure_hash("k", &fields), secure_hash("k", &changed));
        }

        #[test]
        fn unsigned_values_do_not_matter(fields in body()) {
            let mut extended = fields.clone();
            extended.insert("zzArray".into(), json!([1, 2]));
            extended.insert("zzObject".into(), json!({"a": 1}));
            extended.insert("zzNull".into(), Value::Null);
            extended.insert(SECURE_HASH_FIELD.into(), json!("whatever"));
            prop_assert_eq!(secure_hash("k", &fields), secure_hash("k", &extended));
        }

        /// Joining two fields into one value (`a=x&b=y` as the value of `a`) never keeps the hash.
        #[test]
        fn one_value_cannot_pose_as_several_fields(a in "[ -~]{0,12}", b in "[ -~]{0,12}") {
            let two = Map::from_iter([("a".to_string(), json!(a.clone())), ("b".to_string(), json!(b.clone()))]);
            let one = Map::from_iter([("a".to_string(), json!(format!("{a}&b={b}")))]);
            prop_assert_ne!(canonical_string(&two), canonical_string(&one));
        }

        /// Any pair of instants, however far apart, is judged without overflow.
        #[test]
        fn any_timestamp_is_judged(t in any::<i64>(), now in any::<i64>()) {
            let header = SignatureHeader { timestamp: t, signatures: vec![header_signature("k", t, b"")] };
            let inside = (i128::from(now) - i128::from(t)).abs() <= 300;
            prop_assert_eq!(header.verify("k", b"", now).is_ok(), inside);
        }

        #[test]
        fn header_signature_binds_body_and_time(body in proptest::collection::vec(any::<u8>(), 0..64), t in 0i64..4_000_000_000) {
            let header = SignatureHeader::parse(&header_value("k", t, &body)).unwrap();
            prop_assert!(header.verify("k", &body, t).is_ok());
            let mut other = body.clone();
            other.push(b' ');
            prop_assert_eq!(header.verify("k", &other, t), Err(HeaderError::Mismatch));
            let shifted = SignatureHeader { timestamp: t + 1, signatures: header.signatures.clone() };
            prop_assert_eq!(shifted.verify("k", &body, t), Err(HeaderError::Mismatch));
        }
    }
}
