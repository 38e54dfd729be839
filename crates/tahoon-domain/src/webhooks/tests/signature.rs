use crate::webhooks::secret::WebhookSecret;
use crate::webhooks::signature::*;
use proptest::prelude::*;

fn secret() -> impl Strategy<Value = WebhookSecret> {
    proptest::collection::vec(any::<u8>(), 24..=64).prop_map(|bytes| WebhookSecret::from_bytes(bytes).unwrap())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..128)
}

#[test]
fn the_header_holds_one_signature_per_secret_in_order() {
    let new = WebhookSecret::from_bytes(vec![1; 32]).unwrap();
    let old = WebhookSecret::from_bytes(vec![2; 32]).unwrap();
    let header = signature_header(&[&new, &old], "msg_1", 5, b"{}");
    assert_eq!(header, format!("{} {}", sign(&new, "msg_1", 5, b"{}"), sign(&old, "msg_1", 5, b"{}")));
    assert_eq!(signature_header(&[], "msg_1", 5, b"{}"), "");
    let other = WebhookSecret::from_bytes(vec![3; 32]).unwrap();
    assert!(!verify(&other, "msg_1", 5, b"{}", &header));
}

#[test]
fn negative_and_large_timestamps_are_signed_in_decimal() {
    let secret = WebhookSecret::from_bytes(vec![1; 32]).unwrap();
    for t in [i64::MIN, -1, 0, i64::MAX] {
        let signature = sign(&secret, "m", t, b"");
        assert!(verify(&secret, "m", t, b"", &signature));
        assert!(!verify(&secret, "m", t.wrapping_add(1), b"", &signature));
    }
}

proptest! {
    #[test]
    fn sign_then_verify(secret in secret(), id in "[ -~]{0,40}", t in any::<i64>(), body in body()) {
        let signature = sign(&secret, &id, t, &body);
        prop_assert!(signature.starts_with("v1,"));
        prop_assert!(verify(&secret, &id, t, &body, &signature));
    }

    #[test]
    fn changing_one_byte_of_the_body_fails(
        secret in secret(), t in any::<i64>(), body in proptest::collection::vec(any::<u8>(), 1..128),
        pick in any::<prop::sample::Index>(), flip in 1u8..=255,
    ) {
        let signature = sign(&secret, "msg_1", t, &body);
        let mut changed = body.clone();
        changed[pick.index(body.len())] ^= flip;
        prop_assert!(!verify(&secret, "msg_1", t, &changed, &signature));
    }

    #[test]
    fn changing_one_character_of_the_id_fails(
        secret in secret(), t in any::<i64>(), body in body(), id in "[!-~]{1,40}",
        pick in any::<prop::sample::Index>(), replacement in proptest::char::range('!', '~'),
    ) {
        let mut chars: Vec<char> = id.chars().collect();
        let i = pick.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let changed: String = chars.into_iter().collect();
        let signature = sign(&secret, &id, t, &body);
        prop_assert!(!verify(&secret, &changed, t, &body, &signature));
    }

    #[test]
    fn changing_the_timestamp_fails(secret in secret(), t in any::<i64>(), other in any::<i64>(), body in body()) {
        prop_assume!(t != other);
        let signature = sign(&secret, "msg_1", t, &body);
        prop_assert!(!verify(&secret, "msg_1", other, &body, &signature));
    }

    #[test]
    fn a_rotation_header_verifies_with_either_secret(new in secret(), old in secret(), t in any::<i64>(), body in body()) {
        prop_assume!(new != old);
        let header = signature_header(&[&new, &old], "msg_1", t, &body);
        prop_assert_eq!(header.split(' ').count(), 2);
        prop_assert!(verify(&new, "msg_1", t, &body, &header));
        prop_assert!(verify(&old, "msg_1", t, &body, &header));
    }

    #[test]
    fn a_wrong_secret_fails(a in secret(), b in secret(), body in body()) {
        prop_assume!(a != b);
        prop_assert!(!verify(&b, "msg_1", 1, &body, &sign(&a, "msg_1", 1, &body)));
    }
}
