use crate::webhooks::secret::*;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn parses_the_specification_secret_padded_or_not() {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(secret.as_bytes().len(), 24);
    assert_eq!(secret.expose(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    // 32 bytes: the padded text has one `=`, which may be left out.
    let padded = WebhookSecret::from_bytes(vec![0xab; 32]).unwrap().expose();
    assert!(padded.ends_with('='), "{padded}");
    let unpadded = WebhookSecret::parse(padded.trim_end_matches('=')).unwrap();
    assert_eq!(unpadded.expose(), padded);
}

#[test]
fn errors_name_what_is_wrong() {
    assert_eq!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), SecretError::MissingPrefix);
    assert_eq!(WebhookSecret::parse("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), SecretError::MissingPrefix);
    // No trimming: the secret is taken exactly as given.
    assert_eq!(
        WebhookSecret::parse(" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
        SecretError::MissingPrefix
    );
    assert_eq!(WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ").unwrap_err(), SecretError::NotBase64);
    assert_eq!(WebhookSecret::parse("whsec_not base64!").unwrap_err(), SecretError::NotBase64);
    // base64url is not the standard alphabet.
    assert_eq!(WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS_").unwrap_err(), SecretError::NotBase64);
    assert_eq!(WebhookSecret::parse("whsec_").unwrap_err(), SecretError::TooShort(0));
    assert_eq!(WebhookSecret::from_bytes(vec![1; 23]).unwrap_err(), SecretError::TooShort(23));
    assert_eq!(WebhookSecret::from_bytes(vec![1; 65]).unwrap_err(), SecretError::TooLong(65));
    assert!(WebhookSecret::from_bytes(vec![1; 24]).is_ok());
    assert!(WebhookSecret::from_bytes(vec![1; 64]).is_ok());
    assert_eq!(
        SecretError::TooShort(16).to_string(),
        "a webhook secret must hold at least 24 bytes; this one holds 16"
    );
}

#[test]
fn debug_never_shows_the_secret() {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let shown = format!("{secret:?} {:?}", Some(&secret));
    assert!(!shown.contains("MfKQ"), "{shown}");
    assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
}

#[test]
fn generated_secrets_are_32_random_bytes() {
    let mut rng = StdRng::seed_from_u64(7);
    let a = WebhookSecret::generate(&mut rng);
    let b = WebhookSecret::generate(&mut rng);
    assert_eq!(a.as_bytes().len(), 32);
    assert_ne!(a, b);
    assert_eq!(WebhookSecret::generate(&mut StdRng::seed_from_u64(7)), a);
    assert_eq!(WebhookSecret::parse(&a.expose()).unwrap(), a);
    // The thread generator is what the server passes.
    assert_eq!(WebhookSecret::generate(&mut rand::rng()).as_bytes().len(), 32);
}

proptest! {
    #[test]
    fn expose_and_parse_round_trip(bytes in proptest::collection::vec(any::<u8>(), 24..=64)) {
        let secret = WebhookSecret::from_bytes(bytes.clone()).unwrap();
        let text = secret.expose();
        prop_assert!(text.starts_with("whsec_"));
        let parsed = WebhookSecret::parse(&text).unwrap();
        prop_assert_eq!(parsed.as_bytes(), &bytes[..]);
        prop_assert_eq!(WebhookSecret::parse(text.trim_end_matches('=')).unwrap(), parsed);
    }

    #[test]
    fn lengths_outside_24_to_64_are_refused(len in 0usize..200) {
        let result = WebhookSecret::from_bytes(vec![9; len]);
        prop_assert_eq!(result.is_ok(), (24..=64).contains(&len));
    }
}
