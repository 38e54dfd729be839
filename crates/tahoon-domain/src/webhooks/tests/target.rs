use crate::webhooks::target::*;
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr};
use url::Host;

const STRICT: TargetPolicy = TargetPolicy { allow_loopback: false };
const LOCAL: TargetPolicy = TargetPolicy { allow_loopback: true };

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|_| panic!("{text} is an address"))
}

/// Addresses for every reason, IPv4 and the IPv6 forms that reach IPv4.
const BLOCKED: &[(&str, BlockReason)] = {
    use BlockReason::*;
    &[
        ("127.0.0.1", Loopback),
        ("127.255.255.254", Loopback),
        ("::1", Loopback),
        ("::ffff:127.0.0.1", Loopback),
        ("::127.0.0.1", Loopback),
        ("64:ff9b::7f00:1", Loopback),
        ("2002:7f00:1::", Loopback),
        ("10.0.0.1", Private),
        ("172.16.0.1", Private),
        ("172.31.255.255", Private),
        ("192.168.1.1", Private),
        ("::ffff:10.0.0.1", Private),
        ("::ffff:192.168.0.10", Private),
        ("64:ff9b::a00:1", Private),
        ("2002:c0a8:101::1", Private),
        ("64:ff9b:1::8.8.8.8", Private),
        ("fc00::1", UniqueLocal),
        ("fdff:ffff::1", UniqueLocal),
        ("169.254.0.1", LinkLocal),
        ("::ffff:169.254.1.1", LinkLocal),
        ("fe80::1", LinkLocal),
        ("febf::1", LinkLocal),
        ("100.64.0.1", SharedAddressSpace),
        ("100.127.255.255", SharedAddressSpace),
        ("::ffff:100.64.0.1", SharedAddressSpace),
        ("224.0.0.1", Multicast),
        ("239.255.255.250", Multicast),
        ("::ffff:224.0.0.251", Multicast),
        ("ff02::1", Multicast),
        ("ff05::1:3", Multicast),
        ("0.0.0.0", Unspecified),
        ("::", Unspecified),
        ("::ffff:0.0.0.0", Unspecified),
        ("255.255.255.255", Broadcast),
        ("::ffff:255.255.255.255", Broadcast),
        ("169.254.169.254", CloudMetadata),
        ("169.254.170.2", CloudMetadata),
        ("100.100.100.200", CloudMetadata),
        ("192.0.0.192", CloudMetadata),
        ("fd00:ec2::254", CloudMetadata),
        ("::ffff:169.254.169.254", CloudMetadata),
        ("::169.254.169.254", CloudMetadata),
        ("64:ff9b::a9fe:a9fe", CloudMetadata),
        ("2002:a9fe:a9fe::", CloudMetadata),
        ("0.1.2.3", Reserved),
        ("192.0.0.8", Reserved),
        ("192.0.2.1", Reserved),
        ("198.18.0.1", Reserved),
        ("198.19.255.255", Reserved),
        ("198.51.100.7", Reserved),
        ("203.0.113.9", Reserved),
        ("192.88.99.1", Reserved),
        ("240.0.0.1", Reserved),
        ("255.255.255.254", Reserved),
        ("::ffff:203.0.113.9", Reserved),
        ("2001:db8::1", Reserved),
        ("3fff::1", Reserved),
        ("100::1", Reserved),
        ("fec0::1", Reserved),
        ("2001::1", Reserved),
        ("2001:2::1", Reserved),
        ("::8.8.8.8", Reserved),
        ("::ffff:0:8.8.8.8", Reserved),
        ("::ffff:0:10.0.0.1", Private),
        ("4000::1", Reserved),
        ("::2", Reserved),
    ]
};

const PUBLIC: &[&str] = &[
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "172.32.0.1",
    "100.128.0.1",
    "169.255.0.1",
    "192.0.3.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
];

#[test]
fn every_reason_is_classified() {
    for (text, reason) in BLOCKED {
        assert_eq!(classify(ip(text)), Some(*reason), "{text}");
        assert_eq!(check_address(ip(text), STRICT), Err(*reason), "{text}");
    }
    for text in PUBLIC {
        assert_eq!(classify(ip(text)), None, "{text}");
        assert_eq!(check_address(ip(text), STRICT), Ok(()), "{text}");
    }
}

#[test]
fn the_local_policy_allows_loopback_and_nothing_else() {
    for text in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
        assert_eq!(check_address(ip(text), LOCAL), Ok(()), "{text}");
    }
    // Translated forms never reach this host's loopback interface.
    for text in ["::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"] {
        assert_eq!(check_address(ip(text), LOCAL), Err(BlockReason::Loopback), "{text}");
    }
    for (text, reason) in BLOCKED.iter().filter(|(_, r)| *r != BlockReason::Loopback) {
        assert_eq!(check_address(ip(text), LOCAL), Err(*reason), "{text}");
    }
}

#[test]
fn reasons_have_codes_and_sentences() {
    assert_eq!(BlockReason::SharedAddressSpace.as_str(), "shared_address_space");
    assert_eq!(BlockReason::CloudMetadata.as_str(), "cloud_metadata");
    assert_eq!(BlockReason::Private.to_string(), "a private address (RFC 1918)");
    let error = TargetError::Blocked { address: ip("127.0.0.1"), reason: BlockReason::Loopback };
    assert_eq!(error.to_string(), "127.0.0.1 is a loopback address; webhook targets must be public");
}

fn refused(text: &str, policy: TargetPolicy) -> TargetError {
    match WebhookUrl::parse(text, policy) {
        Ok(url) => panic!("{text:?} was accepted as {url}"),
        Err(e) => e,
    }
}

fn blocked(address: &str, reason: BlockReason) -> TargetError {
    TargetError::Blocked { address: ip(address), reason }
}

#[test]
fn urls_refused() {
    use BlockReason::*;
    use TargetError::*;
    let cases: &[(&str, TargetError)] = &[
        ("http://example.com/hook", NotHttps),
        ("ftp://example.com/hook", NotHttps),
        ("mailto:ops@example.com", NotHttps),
        ("https://user:pw@example.com/", Credentials),
        ("https://user@example.com/", Credentials),
        ("https://:pw@example.com/", Credentials),
        ("https://example.com/hook#part", Fragment),
        ("https://example.com/hook#", Fragment),
        ("https://example.com:0/hook", PortZero),
        ("https://", MissingHost),
        ("https://:8443/hook", MissingHost),
        // WHATWG parsing skips the extra slash: the host is `hook`, a single label.
        ("https:///hook", InternalName("hook".into())),
        ("https://[::ffff:127.0.0.1]/", blocked("::ffff:127.0.0.1", Loopback)),
        ("https://0x7f000001/", blocked("127.0.0.1", Loopback)),
        ("https://2130706433/", blocked("127.0.0.1", Loopback)),
        ("https://127.1/", blocked("127.0.0.1", Loopback)),
        ("https://0177.0.0.1/", blocked("127.0.0.1", Loopback)),
        ("https://127.0.0.1:8443/hook", blocked("127.0.0.1", Loopback)),
        ("https://[::1]/", blocked("::1", Loopback)),
        ("https://10.1.2.3/", blocked("10.1.2.3", Private)),
        ("https://169.254.169.254/latest/meta-data/", blocked("169.254.169.254", CloudMetadata)),
        ("https://[fd00:ec2::254]/", blocked("fd00:ec2::254", CloudMetadata)),
        ("https://[64:ff9b::a9fe:a9fe]/", blocked("64:ff9b::a9fe:a9fe", CloudMetadata)),
        ("https://0.0.0.0/", blocked("0.0.0.0", Unspecified)),
        ("https://localhost/", blocked("127.0.0.1", Loopback)),
        ("https://LOCALHOST./", blocked("127.0.0.1", Loopback)),
        ("https://api.localhost/", blocked("127.0.0.1", Loopback)),
        ("https://metadata.google.internal/computeMetadata/v1/", InternalName("metadata.google.internal".into())),
        ("https://printer.local/", InternalName("printer.local".into())),
        ("https://nas.home.arpa/", InternalName("nas.home.arpa".into())),
        ("https://metadata/", InternalName("metadata".into())),
        ("https://example.com/\thook", Invalid("it must not contain control characters".into())),
        ("https://exam\nple.com/", Invalid("it must not contain control characters".into())),
        ("https://example.com/\u{7f}", Invalid("it must not contain control characters".into())),
        ("https://example.com/a\u{85}b", Invalid("it must not contain control characters".into())),
        ("/relative/hook", Invalid("relative URL without a base".into())),
        ("", Invalid("relative URL without a base".into())),
        ("https://exa mple.com/", Invalid("invalid international domain name".into())),
        ("https://example.com:99999/", Invalid("invalid port number".into())),
    ];
    for (text, expected) in cases {
        assert_eq!(&refused(text, STRICT), expected, "{text:?}");
    }
    let long = format!("https://example.com/{}", "a".repeat(2048));
    assert_eq!(refused(&long, STRICT), TooLong);
    // Within 2048 characters as written, beyond it once percent-encoded.
    let encoded = format!("https://example.com/{}", "é".repeat(1000));
    assert_eq!(refused(&encoded, STRICT), TooLong);
}

#[test]
fn urls_accepted() {
    let url = WebhookUrl::parse("  https://Example.com/hook?x=1  ", STRICT).unwrap();
    assert_eq!(url.as_str(), "https://example.com/hook?x=1");
    assert_eq!(url.host(), Host::Domain("example.com"));
    assert_eq!(url.port_or_default(), 443);
    assert_eq!(url.as_url().path(), "/hook");
    assert_eq!(url.to_string(), url.as_str());
    for text in [
        "https://example.com",
        "https://hooks.example.co.uk:8443/a/b",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://example.com./hook",
        "https://xn--bcher-kva.example/",
        "https://bücher.example/",
        "https://localhost.example.com/",
        "https://internal.example.com/",
        "https://local.example.com/",
    ] {
        assert!(WebhookUrl::parse(text, STRICT).is_ok(), "{text}");
    }
    let longest = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(longest.len(), 2048);
    assert!(WebhookUrl::parse(&longest, STRICT).is_ok());
}

#[test]
fn the_local_policy_accepts_http_and_loopback_only() {
    for text in ["http://127.0.0.1:9000/hook", "http://localhost:8080/", "https://[::1]/", "http://app.localhost/"] {
        let url = WebhookUrl::parse(text, LOCAL).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(url.port_or_default() > 0);
    }
    assert_eq!(WebhookUrl::parse("http://example.com/", LOCAL).unwrap().port_or_default(), 80);
    assert_eq!(WebhookUrl::parse("http://127.0.0.1/", LOCAL).unwrap().host(), Host::<&str>::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!(refused("http://10.0.0.1/", LOCAL), blocked("10.0.0.1", BlockReason::Private));
    assert_eq!(refused("http://169.254.169.254/", LOCAL), blocked("169.254.169.254", BlockReason::CloudMetadata));
    assert_eq!(refused("ftp://127.0.0.1/", LOCAL), TargetError::NotHttps);
    assert_eq!(refused("http://host.internal/", LOCAL), TargetError::InternalName("host.internal".into()));
}

#[test]
fn error_messages_read_as_reasons_for_the_field() {
    assert_eq!(TargetError::NotHttps.to_string(), "must use https");
    assert_eq!(TargetError::TooLong.to_string(), "must be at most 2048 characters");
    assert_eq!(
        TargetError::InternalName("metadata.google.internal".into()).to_string(),
        "metadata.google.internal is an internal name; webhook targets must be public"
    );
    assert_eq!(
        blocked("::ffff:169.254.169.254", BlockReason::CloudMetadata).to_string(),
        "::ffff:169.254.169.254 is a cloud metadata service address; webhook targets must be public"
    );
}

proptest! {
    #[test]
    fn a_mapped_address_is_classified_as_its_ipv4(bits in any::<u32>()) {
        let v4 = Ipv4Addr::from(bits);
        prop_assert_eq!(classify(IpAddr::V6(v4.to_ipv6_mapped())), classify(IpAddr::V4(v4)));
        prop_assert_eq!(
            check_address(IpAddr::V6(v4.to_ipv6_mapped()), LOCAL),
            check_address(IpAddr::V4(v4), LOCAL)
        );
    }

    #[test]
    fn a_blocked_ipv4_is_blocked_in_every_embedding(bits in any::<u32>()) {
        let v4 = Ipv4Addr::from(bits);
        if let Some(reason) = classify(IpAddr::V4(v4)) {
            let nat64 = (0x0064_ff9b_u128 << 96) | u128::from(bits);
            let six_to_four = (0x2002_u128 << 112) | (u128::from(bits) << 80);
            for embedded in [nat64, six_to_four] {
                prop_assert_eq!(classify(IpAddr::V6(embedded.into())), Some(reason));
            }
        }
    }

    /// A URL naming an IPv4 address is refused exactly when the address is.
    #[test]
    fn an_ip_literal_url_follows_check_address(bits in any::<u32>()) {
        let v4 = Ipv4Addr::from(bits);
        let parsed = WebhookUrl::parse(&format!("https://{v4}/hook"), STRICT);
        match check_address(IpAddr::V4(v4), STRICT) {
            Ok(()) => prop_assert!(parsed.is_ok()),
            Err(reason) => prop_assert_eq!(parsed.unwrap_err(), TargetError::Blocked { address: IpAddr::V4(v4), reason }),
        }
    }
}
