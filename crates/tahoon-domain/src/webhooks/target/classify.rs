//! Address classification, after the IANA special-purpose address registries.

use super::BlockReason;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Instance metadata services: AWS, GCP and Azure (169.254.169.254), AWS ECS task metadata
/// (169.254.170.2), Alibaba Cloud (100.100.100.200), Oracle Cloud (192.0.0.192). Each also lies in
/// a range blocked for another reason; they are named for what they are.
const METADATA_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
];

/// AWS's IPv6 metadata endpoint (Nitro instances).
const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)];

/// Why this address may not be a webhook target; `None` when it is public.
///
/// An IPv6 address that embeds an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, the deprecated
/// IPv4-compatible `::a.b.c.d` and IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
/// `2002::/16`) is judged by the IPv4 address when that is blocked: such an address may reach it.
pub fn classify(ip: IpAddr) -> Option<BlockReason> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether `ip` lies in `base/len`.
fn in_v4(ip: Ipv4Addr, base: [u8; 4], len: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask == u32::from_be_bytes(base) & mask
}

fn in_v6(ip: Ipv6Addr, base: [u16; 8], len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    let [a, b, c, d, e, f, g, h] = base;
    u128::from(ip) & mask == u128::from(Ipv6Addr::new(a, b, c, d, e, f, g, h)) & mask
}

fn classify_v4(ip: Ipv4Addr) -> Option<BlockReason> {
    use BlockReason::*;
    if METADATA_V4.contains(&ip) {
        return Some(CloudMetadata);
    }
    const RANGES: &[([u8; 4], u32, BlockReason)] = &[
        ([0, 0, 0, 0], 32, Unspecified),
        ([255, 255, 255, 255], 32, Broadcast),
        ([127, 0, 0, 0], 8, Loopback),
        ([10, 0, 0, 0], 8, Private),
        ([172, 16, 0, 0], 12, Private),
        ([192, 168, 0, 0], 16, Private),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([100, 64, 0, 0], 10, SharedAddressSpace),
        ([224, 0, 0, 0], 4, Multicast),
        // "This network", IETF protocol assignments, the three documentation networks,
        // benchmarking, the deprecated 6to4 relay anycast, and the former class E.
        ([0, 0, 0, 0], 8, Reserved),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Reserved),
        ([198, 51, 100, 0], 24, Reserved),
        ([203, 0, 113, 0], 24, Reserved),
        ([198, 18, 0, 0], 15, Reserved),
        ([192, 88, 99, 0], 24, Reserved),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    RANGES.iter().find(|(base, len, _)| in_v4(ip, *base, *len)).map(|(_, _, reason)| *reason)
}

/// The IPv4 address in the last 32 bits.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from(u128::from(ip) as u32)
}

fn classify_v6(ip: Ipv6Addr) -> Option<BlockReason> {
    use BlockReason::*;
    if METADATA_V6.contains(&ip) {
        return Some(CloudMetadata);
    }
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    // IPv4-mapped: the socket reaches the IPv4 address itself, so it is judged exactly as that.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    // IPv4-compatible (::/96) and IPv4-translated (::ffff:0:0/96): not routed on the internet.
    if in_v6(ip, [0; 8], 96) || in_v6(ip, [0, 0, 0, 0, 0xffff, 0, 0, 0], 96) {
        return Some(classify_v4(low_v4(ip)).unwrap_or(Reserved));
    }
    // NAT64 and 6to4 translate to the embedded IPv4 address, public or not.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return classify_v4(low_v4(ip));
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        return classify_v4(Ipv4Addr::from((u128::from(ip) >> 80) as u32));
    }
    const RANGES: &[([u16; 8], u32, BlockReason)] = &[
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, Private),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, UniqueLocal),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, LinkLocal),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Multicast),
        // Site-local (deprecated), discard-only, IETF protocol assignments (Teredo, benchmarking,
        // ORCHID), the documentation prefixes.
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Reserved),
        ([0x0100, 0, 0, 0, 0, 0, 0, 0], 64, Reserved),
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, Reserved),
        ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, Reserved),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Reserved),
    ];
    if let Some((_, _, reason)) = RANGES.iter().find(|(base, len, _)| in_v6(ip, *base, *len)) {
        return Some(*reason);
    }
    // Everything outside global unicast (2000::/3) is unassigned or reserved by the IETF.
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return Some(Reserved);
    }
    None
}
