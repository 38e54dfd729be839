//! The SSRF guard: resolve a host, check every address, and hand the HTTP client exactly the
//! addresses that passed.
//!
//! [`CheckedResolver`] is the HTTP client's only DNS resolver, so the lookup whose answer is
//! checked is the very lookup the connection uses: there is no second lookup between the check
//! and the connect for a rebinding DNS server to answer differently. The client resolves only
//! names; an IP-literal host is never given to a resolver, so [`literal_refusal`] checks those
//! before anything is sent.

use super::{AddressCheck, NameResolver, TargetRefused};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// Why a host yielded no address that may be contacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// An address was refused by the check.
    Refused(TargetRefused),
    /// The name did not resolve, or to no address.
    Failed(String),
}

/// A name that did not resolve (as the error the HTTP client carries back from the resolver).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DnsFailure(pub(crate) String);

/// Runs `check` on `ip` and, for an IPv4-mapped IPv6 address, on the IPv4 address it stands for,
/// so that a check written for IPv4 ranges is not bypassed by `::ffff:a.b.c.d`.
pub(crate) fn check_address(check: &AddressCheck, ip: IpAddr) -> Result<(), TargetRefused> {
    let refused = |reason| TargetRefused { address: Some(ip), reason };
    check(ip).map_err(refused)?;
    let canonical = ip.to_canonical();
    if canonical != ip {
        check(canonical).map_err(refused)?;
    }
    Ok(())
}

/// The refusal of `url`'s host when it is an IP literal (IPv6 ones included); `None` when the
/// host is a name or the literal passes.
pub(crate) fn literal_refusal(check: &AddressCheck, url: &Url) -> Option<TargetRefused> {
    let ip = match url.host()? {
        Host::Ipv4(ip) => IpAddr::V4(ip),
        Host::Ipv6(ip) => IpAddr::V6(ip),
        Host::Domain(_) => return None,
    };
    check_address(check, ip).err()
}

/// The addresses of `host`, every one of them checked; the first refusal refuses them all.
/// An IP literal is checked as it is, without a lookup.
pub(crate) async fn resolve_checked(
    resolver: &dyn NameResolver,
    check: &AddressCheck,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, Unresolved> {
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        check_address(check, ip).map_err(Unresolved::Refused)?;
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addresses = resolver
        .resolve(host, port)
        .await
        .map_err(|e| Unresolved::Failed(format!("the name does not resolve ({e})")))?;
    if addresses.is_empty() {
        return Err(Unresolved::Failed("the name resolves to no address".into()));
    }
    for address in &addresses {
        check_address(check, address.ip()).map_err(Unresolved::Refused)?;
    }
    Ok(addresses)
}

/// The HTTP client's resolver: [`resolve_checked`], failing the connection with the
/// [`TargetRefused`] or [`DnsFailure`] that the sender finds again in the client's error.
pub(crate) struct CheckedResolver {
    pub(crate) resolver: Arc<dyn NameResolver>,
    pub(crate) check: AddressCheck,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.resolver.clone();
        let check = self.check.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match resolve_checked(resolver.as_ref(), &check, &host, 0).await {
                // Port 0: the client puts in the URL's port (or the scheme's).
                Ok(addresses) => {
                    let addresses: Addrs = Box::new(addresses.into_iter().map(|a| SocketAddr::new(a.ip(), 0)));
                    Ok(addresses)
                }
                Err(Unresolved::Refused(refused)) => Err(refused.into()),
                Err(Unresolved::Failed(reason)) => Err(DnsFailure(reason).into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::StaticResolver;

    fn no_loopback() -> AddressCheck {
        Arc::new(|ip: IpAddr| if ip.is_loopback() { Err("a loopback address".into()) } else { Ok(()) })
    }

    #[test]
    fn a_mapped_address_is_checked_as_the_ipv4_it_stands_for() {
        let refused = check_address(&no_loopback(), "::ffff:127.0.0.1".parse().unwrap()).unwrap_err();
        assert_eq!(refused.to_string(), "::ffff:127.0.0.1 is refused: a loopback address");
        assert!(check_address(&no_loopback(), "::ffff:192.0.2.1".parse().unwrap()).is_ok());
    }

    #[test]
    fn literal_hosts_are_checked_and_names_are_left_to_the_resolver() {
        let check = no_loopback();
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(literal_refusal(&check, &url("http://127.0.0.1:9/")).is_some());
        assert!(literal_refusal(&check, &url("http://[::1]/")).is_some());
        assert!(literal_refusal(&check, &url("http://[::ffff:127.0.0.1]/")).is_some());
        // WHATWG parsing makes these IPv4 literals too.
        assert!(literal_refusal(&check, &url("http://2130706433/")).is_some());
        assert!(literal_refusal(&check, &url("http://0x7f.1/")).is_some());
        assert!(literal_refusal(&check, &url("http://localhost/")).is_none());
        assert!(literal_refusal(&check, &url("http://192.0.2.1/")).is_none());
    }

    #[tokio::test]
    async fn one_refused_address_refuses_the_name() {
        let resolver = StaticResolver::new([
            ("mixed.example", "192.0.2.1".parse().unwrap()),
            ("mixed.example", "127.0.0.1".parse().unwrap()),
        ])
        .with_name("empty.example", []);
        let check = no_loopback();
        let refused = resolve_checked(&resolver, &check, "mixed.example", 443).await.unwrap_err();
        let Unresolved::Refused(refused) = refused else { panic!("{refused:?}") };
        assert_eq!(refused.address, Some("127.0.0.1".parse().unwrap()));
        assert!(matches!(resolve_checked(&resolver, &check, "empty.example", 443).await, Err(Unresolved::Failed(_))));
        assert!(matches!(resolve_checked(&resolver, &check, "unknown.example", 443).await, Err(Unresolved::Failed(_))));
        assert!(matches!(resolve_checked(&resolver, &check, "[::1]", 443).await, Err(Unresolved::Refused(_))));
    }
}
