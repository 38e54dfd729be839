//! The SSRF guard: a refused address, by name or literal, means nothing is sent.

use super::*;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use tahoon_integrations::testing::webhook_receiver::WebhookReceiver;
use tahoon_integrations::webhook::{BoxFuture, SystemResolver, TargetRefused, WebhookOutcome};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn evil(address: &str) -> StaticResolver {
    StaticResolver::new([("evil.example", ip(address))])
}

fn blocked(outcome: &WebhookOutcome) -> &TargetRefused {
    match outcome {
        WebhookOutcome::Blocked(refused) => refused,
        other => panic!("not blocked: {other:?}"),
    }
}

/// `http://<host>:<the receiver's port>/hook`.
fn url_at(host: &str, receiver: &WebhookReceiver) -> Url {
    Url::parse(&format!("http://{host}:{}/hook", receiver.port())).unwrap()
}

#[tokio::test]
async fn a_name_resolving_to_a_refused_address_is_blocked_and_nothing_is_sent() {
    let receiver = WebhookReceiver::start().await;
    let sender = sender_with(no_loopback(), evil("127.0.0.1"), Duration::from_secs(5));
    let report = post(&sender, &url_at("evil.example", &receiver)).await;
    let refused = blocked(&report.outcome);
    assert_eq!(refused.address, Some(ip("127.0.0.1")));
    assert_eq!(refused.to_string(), "127.0.0.1 is refused: a loopback address");
    assert!(!receiver.wait_for(1, QUIET).await, "a blocked webhook was sent");
}

#[tokio::test]
async fn the_same_name_is_delivered_when_the_check_allows_its_address() {
    let receiver = WebhookReceiver::start().await;
    let sender = sender_with(allow_all(), evil("127.0.0.1"), Duration::from_secs(5));
    let report = post(&sender, &url_at("evil.example", &receiver)).await;
    assert_eq!(report.outcome, WebhookOutcome::Delivered { status: 200, excerpt: "ok".into() });
    let host = format!("evil.example:{}", receiver.port());
    assert_eq!(receiver.requests()[0].header("host"), Some(host.as_str()));
}

#[tokio::test]
async fn ip_literals_are_checked_without_a_resolver() {
    let receiver = WebhookReceiver::start().await;
    let sender = sender_with(no_loopback(), StaticResolver::default(), Duration::from_secs(5));
    for host in ["127.0.0.1", "[::ffff:127.0.0.1]", "[::1]", "2130706433"] {
        let report = post(&sender, &url_at(host, &receiver)).await;
        assert!(blocked(&report.outcome).address.is_some(), "{host}");
    }
    assert!(!receiver.wait_for(1, QUIET).await, "a blocked webhook was sent");
}

#[tokio::test]
async fn a_mapped_ipv6_address_is_checked_as_its_ipv4_even_by_a_naive_check() {
    let receiver = WebhookReceiver::start().await;
    let naive: AddressCheck = Arc::new(|ip: IpAddr| if ip.is_loopback() { Err("loopback".into()) } else { Ok(()) });
    let sender = sender_with(naive.clone(), StaticResolver::default(), Duration::from_secs(5));
    let report = post(&sender, &url_at("[::ffff:127.0.0.1]", &receiver)).await;
    assert_eq!(blocked(&report.outcome).address, Some(ip("::ffff:127.0.0.1")));
    let sender = sender_with(naive, evil("::ffff:127.0.0.1"), Duration::from_secs(5));
    let report = post(&sender, &url_at("evil.example", &receiver)).await;
    assert_eq!(blocked(&report.outcome).address, Some(ip("::ffff:127.0.0.1")));
    assert!(!receiver.wait_for(1, QUIET).await, "a blocked webhook was sent");
}

#[tokio::test]
async fn a_name_with_one_refused_address_among_allowed_ones_is_blocked() {
    let receiver = WebhookReceiver::start().await;
    // 127.0.0.1 (where the receiver is) stands for a public address; 127.0.0.2 for an internal one.
    let internal: AddressCheck =
        Arc::new(|ip: IpAddr| if ip == IpAddr::from([127, 0, 0, 2]) { Err("internal".into()) } else { Ok(()) });
    for order in [["127.0.0.1", "127.0.0.2"], ["127.0.0.2", "127.0.0.1"]] {
        let resolver = StaticResolver::new(order.map(|a| ("mixed.example", ip(a))));
        let sender = sender_with(internal.clone(), resolver, Duration::from_secs(5));
        let report = post(&sender, &url_at("mixed.example", &receiver)).await;
        assert_eq!(blocked(&report.outcome).address, Some(ip("127.0.0.2")), "{order:?}");
    }
    assert!(!receiver.wait_for(1, QUIET).await, "a blocked webhook was sent");
}

/// A DNS server that rebinds: its first answer is 127.0.0.1, every later one 127.0.0.2.
#[derive(Clone, Default)]
struct Rebinding {
    lookups: Arc<AtomicUsize>,
}

impl NameResolver for Rebinding {
    fn resolve(&self, _host: &str, port: u16) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
        let first = self.lookups.fetch_add(1, Ordering::SeqCst) == 0;
        let address = if first { ip("127.0.0.1") } else { ip("127.0.0.2") };
        Box::pin(async move { Ok(vec![SocketAddr::new(address, port)]) })
    }
}

#[tokio::test]
async fn the_checked_lookup_is_the_one_connected_to() {
    let receiver = WebhookReceiver::start().await;
    let internal: AddressCheck =
        Arc::new(|ip: IpAddr| if ip == IpAddr::from([127, 0, 0, 2]) { Err("internal".into()) } else { Ok(()) });
    let rebinding = Rebinding::default();
    let sender = sender_with(internal, rebinding.clone(), Duration::from_secs(5));
    let report = post(&sender, &url_at("rebind.example", &receiver)).await;
    // A second lookup for the connection would have gone to 127.0.0.2, where nothing listens.
    assert_eq!(report.outcome, WebhookOutcome::Delivered { status: 200, excerpt: "ok".into() });
    assert_eq!(rebinding.lookups.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_unreachable() {
    let receiver = WebhookReceiver::start().await;
    let resolver = StaticResolver::default().with_name("empty.example", []);
    let sender = sender_with(allow_all(), resolver, Duration::from_secs(5));
    for host in ["empty.example", "unknown.example"] {
        let report = post(&sender, &url_at(host, &receiver)).await;
        let WebhookOutcome::Unreachable { error } = &report.outcome else { panic!("{host}: {:?}", report.outcome) };
        assert!(error.contains("resolve"), "{error}");
    }
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn the_system_resolver_is_checked_too() {
    let receiver = WebhookReceiver::start().await;
    let sender = sender_with(no_loopback(), SystemResolver, Duration::from_secs(5));
    let report = post(&sender, &url_at("localhost", &receiver)).await;
    assert!(blocked(&report.outcome).address.is_some_and(|a| a.is_loopback()));
    assert!(!receiver.wait_for(1, QUIET).await, "a blocked webhook was sent");
}

#[tokio::test]
async fn check_target_resolves_and_checks_without_sending() {
    let no_private: AddressCheck = Arc::new(|ip: IpAddr| match ip.to_canonical() {
        IpAddr::V4(v4) if v4.is_loopback() || v4.is_private() => Err("an internal address".into()),
        IpAddr::V6(v6) if v6.is_loopback() => Err("an internal address".into()),
        _ => Ok(()),
    });
    // Documentation addresses: nothing is ever connected to here.
    let resolver = StaticResolver::new([
        ("public.example", ip("192.0.2.10")),
        ("public.example", ip("2001:db8::10")),
        ("public.example", ip("192.0.2.10")),
        ("mixed.example", ip("192.0.2.10")),
        ("mixed.example", ip("10.0.0.5")),
    ]);
    let sender = sender_with(no_private, resolver, Duration::from_secs(5));
    let url = |s: &str| Url::parse(s).unwrap();
    assert_eq!(
        sender.check_target(&url("https://public.example/hook")).await,
        Ok(vec![ip("192.0.2.10"), ip("2001:db8::10")])
    );
    let refused = sender.check_target(&url("https://mixed.example/hook")).await.unwrap_err();
    assert_eq!(refused, TargetRefused { address: Some(ip("10.0.0.5")), reason: "an internal address".into() });
    assert_eq!(sender.check_target(&url("https://192.0.2.10/")).await, Ok(vec![ip("192.0.2.10")]));
    let refused = sender.check_target(&url("https://[::ffff:10.1.2.3]/")).await.unwrap_err();
    assert_eq!(refused.address, Some(ip("::ffff:10.1.2.3")));
    let unknown = sender.check_target(&url("https://unknown.example/")).await.unwrap_err();
    assert_eq!(unknown.address, None);
    assert!(unknown.to_string().contains("does not resolve"), "{unknown}");
}
