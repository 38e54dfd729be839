//! Which targets a webhook may call: the defence against server-side request forgery, in which a
//! tenant points an endpoint at the service's own network (a loopback admin port, a private
//! database, the cloud's metadata service) and reads the answer back in delivery logs.
//!
//! Pure: `WebhookUrl::parse` refuses what the URL alone shows (scheme, credentials, IP literals,
//! internal names); names are resolved by the caller, which checks every resolved address with
//! `check_address` at registration and again at each send (a name's answers can change between the
//! two: DNS rebinding), then connects to the address it checked.

mod classify;
mod webhook_url;

use std::fmt;
use std::net::IpAddr;

pub use classify::classify;
pub use webhook_url::{MAX_URL_CHARS, TargetError, WebhookUrl};

/// Why an address is not a webhook target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockReason {
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; and the local-use NAT64 prefix 64:ff9b:1::/48.
    Private,
    /// fc00::/7.
    UniqueLocal,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedAddressSpace,
    /// 224.0.0.0/4, ff00::/8.
    Multicast,
    /// 0.0.0.0, ::.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// The clouds' instance metadata services, which hand out credentials.
    CloudMetadata,
    /// Special-purpose, documentation, benchmarking and future-use ranges, and IPv6 outside global
    /// unicast (2000::/3).
    Reserved,
}

impl BlockReason {
    /// A short code for logs and API error details.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Loopback => "loopback",
            BlockReason::Private => "private",
            BlockReason::UniqueLocal => "unique_local",
            BlockReason::LinkLocal => "link_local",
            BlockReason::SharedAddressSpace => "shared_address_space",
            BlockReason::Multicast => "multicast",
            BlockReason::Unspecified => "unspecified",
            BlockReason::Broadcast => "broadcast",
            BlockReason::CloudMetadata => "cloud_metadata",
            BlockReason::Reserved => "reserved",
        }
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockReason::Loopback => "a loopback address",
            BlockReason::Private => "a private address (RFC 1918)",
            BlockReason::UniqueLocal => "a unique local address (fc00::/7)",
            BlockReason::LinkLocal => "a link-local address",
            BlockReason::SharedAddressSpace => "a carrier-grade NAT address (100.64.0.0/10)",
            BlockReason::Multicast => "a multicast address",
            BlockReason::Unspecified => "the unspecified address",
            BlockReason::Broadcast => "the broadcast address",
            BlockReason::CloudMetadata => "a cloud metadata service address",
            BlockReason::Reserved => "a reserved or special-purpose address",
        })
    }
}

/// What a deployment allows beyond public addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Local development and tests: plain `http`, `localhost` and the loopback addresses
    /// (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) are accepted. Nothing else blocked becomes allowed.
    pub allow_loopback: bool,
}

/// Whether a webhook may connect to this address.
pub fn check_address(ip: IpAddr, policy: TargetPolicy) -> Result<(), BlockReason> {
    match classify(ip) {
        None => Ok(()),
        Some(BlockReason::Loopback) if policy.allow_loopback && is_plain_loopback(ip) => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// A loopback address itself or its IPv4-mapped form; not the translated forms (NAT64, 6to4),
/// which never reach this host's loopback interface.
fn is_plain_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}
