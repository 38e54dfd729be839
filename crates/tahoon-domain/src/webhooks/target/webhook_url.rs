//! An endpoint's URL, checked as far as the URL alone shows.

use super::{BlockReason, TargetPolicy, check_address};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use url::{Host, Url};

/// The longest URL accepted, in characters of the text given and of its serialized form (which
/// percent-encodes what the text had unencoded).
pub const MAX_URL_CHARS: usize = 2048;

/// Names that only a local resolver answers (RFC 6761 `localhost`, RFC 6762 `local`, ICANN's
/// `internal`, RFC 8375 `home.arpa`, the `localdomain` of /etc/hosts): never the public internet.
const INTERNAL_SUFFIXES: [&str; 4] = ["local", "internal", "home.arpa", "localdomain"];

/// Why a URL is not a webhook target. The messages are written to be returned to an API client
/// as the reason its field `url` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("must be an absolute URL: {0}")]
    Invalid(String),
    #[error("must be at most 2048 characters")]
    TooLong,
    #[error("must use https")]
    NotHttps,
    #[error("must not contain a user name or password")]
    Credentials,
    #[error("must not contain a fragment (#...)")]
    Fragment,
    #[error("must name a host")]
    MissingHost,
    #[error("must not use port 0")]
    PortZero,
    #[error("{0} is an internal name; webhook targets must be public")]
    InternalName(String),
    #[error("{address} is {reason}; webhook targets must be public")]
    Blocked { address: IpAddr, reason: BlockReason },
}

/// An `https` URL whose host is a public IP address or a name that is not internal. Its name's
/// addresses are still to be checked (`check_address`) by whoever resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    /// Checks a URL given by a client. Surrounding whitespace is trimmed; control characters
    /// anywhere else are refused (the URL parser would silently drop tabs and line breaks).
    pub fn parse(text: &str, policy: TargetPolicy) -> Result<WebhookUrl, TargetError> {
        let text = text.trim();
        if text.chars().count() > MAX_URL_CHARS {
            return Err(TargetError::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(TargetError::Invalid("it must not contain control characters".into()));
        }
        let url = Url::parse(text).map_err(|e| match e {
            url::ParseError::EmptyHost => TargetError::MissingHost,
            e => TargetError::Invalid(e.to_string()),
        })?;
        if url.as_str().chars().count() > MAX_URL_CHARS {
            return Err(TargetError::TooLong);
        }
        match url.scheme() {
            "https" => {}
            "http" if policy.allow_loopback => {}
            _ => return Err(TargetError::NotHttps),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::Credentials);
        }
        if url.fragment().is_some() {
            return Err(TargetError::Fragment);
        }
        if url.port() == Some(0) {
            return Err(TargetError::PortZero);
        }
        match url.host() {
            None => return Err(TargetError::MissingHost),
            Some(Host::Ipv4(v4)) => check_ip(IpAddr::V4(v4), policy)?,
            Some(Host::Ipv6(v6)) => check_ip(IpAddr::V6(v6), policy)?,
            Some(Host::Domain(name)) => check_name(name, policy)?,
        }
        Ok(WebhookUrl(url))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The serialized URL: the form stored and called.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host to resolve (a name) or connect to (an address).
    pub fn host(&self) -> Host<&str> {
        self.0.host().expect("a WebhookUrl has a host")
    }

    /// The port to connect to: the URL's, or 443 (80 for `http`).
    pub fn port_or_default(&self) -> u16 {
        self.0.port_or_known_default().expect("http and https have default ports")
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn check_ip(address: IpAddr, policy: TargetPolicy) -> Result<(), TargetError> {
    check_address(address, policy).map_err(|reason| TargetError::Blocked { address, reason })
}

/// Refuses the names that are internal whatever they resolve to. The URL parser has lowercased
/// the name and written international names in punycode.
fn check_name(name: &str, policy: TargetPolicy) -> Result<(), TargetError> {
    // `localhost.` is `localhost`: the trailing dot only makes the name absolute.
    let bare = name.strip_suffix('.').unwrap_or(name);
    let is_under = |suffix: &str| bare == suffix || bare.strip_suffix(suffix).is_some_and(|rest| rest.ends_with('.'));
    if is_under("localhost") {
        // Reported as the address a localhost name always stands for (RFC 6761).
        return if policy.allow_loopback {
            Ok(())
        } else {
            Err(TargetError::Blocked { address: IpAddr::V4(Ipv4Addr::LOCALHOST), reason: BlockReason::Loopback })
        };
    }
    // A single label (`metadata`, `intranet`) is completed by the resolver's search domains: on
    // GCP, `metadata` is the metadata service.
    if !bare.contains('.') || INTERNAL_SUFFIXES.iter().any(|suffix| is_under(suffix)) {
        return Err(TargetError::InternalName(name.to_string()));
    }
    Ok(())
}
