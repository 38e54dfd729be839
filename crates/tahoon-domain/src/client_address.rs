//! Which client address the rate limits and the audit see. Behind a proxy the TCP peer is the
//! proxy; the client is in `X-Forwarded-For`, which anyone can also send. So the header counts
//! only when the peer is a proxy the operator trusts, and then only as far as trusted proxies
//! appended it: the address is the rightmost one that is not a trusted proxy (a client's own
//! `X-Forwarded-For` entries, to the left, are never believed).

use std::net::IpAddr;
use std::str::FromStr;

/// An address range, `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for AddressRange {
    type Err = String;
    fn from_str(text: &str) -> Result<AddressRange, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| format!("{text:?} is not an address or a range"))?;
        let most = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => {
                p.parse::<u8>().ok().filter(|p| *p <= most).ok_or_else(|| format!("{text:?}: prefix 0–{most}"))?
            }
            None => most,
        };
        Ok(AddressRange { network, prefix })
    }
}

impl AddressRange {
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (canonical(self.network), address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as dual-stack sockets report IPv4 peers) as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(address),
        v4 => v4,
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the rightmost
/// `X-Forwarded-For` entry (over every such header, in order) that is not a trusted proxy. An
/// entry that is not an address stops the walk there (what a trusted proxy wrote is always an
/// address), and the last trusted hop is the answer.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[AddressRange]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|range| range.contains(address));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let mut client = canonical(peer);
    let hops = forwarded_for.iter().flat_map(|header| header.split(',')).map(str::trim).collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else { break };
        client = canonical(address);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<AddressRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    #[test]
    fn ranges_parse_and_match() {
        let private = ranges(&["10.0.0.0/8", "fd00::/8", "192.0.2.7"]);
        assert!(private[0].contains(ip("10.200.1.1")) && !private[0].contains(ip("11.0.0.1")));
        assert!(private[0].contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        assert!(private[1].contains(ip("fd12::1")) && !private[1].contains(ip("fe80::1")));
        assert!(private[2].contains(ip("192.0.2.7")) && !private[2].contains(ip("192.0.2.8")));
        assert!("0.0.0.0/0".parse::<AddressRange>().unwrap().contains(ip("203.0.113.1")));
        for bad in ["", "10.0.0.0/33", "fd00::/129", "proxy", "10.0.0.0/x", "10.0.0/8"] {
            assert!(bad.parse::<AddressRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_counts_only_through_trusted_proxies() {
        let trusted = ranges(&["10.0.0.0/8"]);
        // Straight from the internet: the header is the client's own claim.
        assert_eq!(client_address(ip("203.0.113.9"), &["198.51.100.1"], &trusted), ip("203.0.113.9"));
        // Through the proxy: the address it appended.
        assert_eq!(client_address(ip("10.0.0.2"), &["203.0.113.9"], &trusted), ip("203.0.113.9"));
        // A forged entry to the left of what the proxy appended is not believed.
        assert_eq!(client_address(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.9"], &trusted), ip("203.0.113.9"));
        // Through two proxies; several headers read in order.
        assert_eq!(client_address(ip("10.0.0.2"), &["203.0.113.9", "10.0.0.3"], &trusted), ip("203.0.113.9"));
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), &["unknown"], &trusted), ip("10.0.0.2"));
        // Nothing trusted (the default): always the peer.
        assert_eq!(client_address(ip("10.0.0.2"), &["203.0.113.9"], &[]), ip("10.0.0.2"));
    }

    proptest! {
        /// Whatever a client sends, behind trusted proxies it is identified by an address no
        /// trusted proxy holds, unless every hop is trusted; and never by a forged entry to the
        /// left of the first untrusted one from the right.
        #[test]
        fn forged_entries_never_win(forged in proptest::collection::vec(any::<[u8; 4]>(), 0..5), real in any::<[u8; 4]>()) {
            let trusted = ranges(&["10.0.0.0/8"]);
            let real = IpAddr::from(real);
            prop_assume!(!trusted[0].contains(real));
            let mut header: Vec<String> = forged.iter().map(|o| IpAddr::from(*o).to_string()).collect();
            header.push(real.to_string());
            let header = header.join(", ");
            prop_assert_eq!(client_address(ip("10.0.0.2"), &[header.as_str()], &trusted), real);
        }
    }
}
