//! Where a webhook host's addresses come from: the system's resolver in production, a fixed map
//! in tests and local development (so a test can make a name resolve to loopback).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;

/// A boxed future that can cross threads (the same type as `futures::future::BoxFuture`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Resolves a webhook's host to the addresses that are then checked and connected to.
pub trait NameResolver: Send + Sync + 'static {
    /// The addresses of `host` (a DNS name, never an IP literal). `port` is the URL's port, or 0
    /// when the caller does not know it; the port of the addresses returned is not used.
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>>;
}

/// The system's resolver (`getaddrinfo`, through [`tokio::net::lookup_host`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl NameResolver for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        let host = host.to_owned();
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), port)).await?.collect()) })
    }
}

/// Answers from a fixed map of names to addresses; any other name does not resolve. Names are
/// matched without regard to case or a trailing dot.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    names: HashMap<String, Vec<IpAddr>>,
}

impl StaticResolver {
    /// From `(name, address)` pairs; a name given more than once resolves to all its addresses,
    /// in order: `StaticResolver::new([("evil.example", "127.0.0.1".parse().unwrap())])`.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, IpAddr)>) -> StaticResolver {
        let mut resolver = StaticResolver::default();
        for (name, address) in entries {
            resolver.names.entry(normalized(name)).or_default().push(address);
        }
        resolver
    }

    /// `name` resolves to exactly `addresses` (none: the name exists but has no address).
    pub fn with_name(mut self, name: &str, addresses: impl IntoIterator<Item = IpAddr>) -> StaticResolver {
        self.names.insert(normalized(name), addresses.into_iter().collect());
        self
    }
}

impl NameResolver for StaticResolver {
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> {
        let answer = match self.names.get(&normalized(host)) {
            Some(addresses) => Ok(addresses.iter().map(|ip| SocketAddr::new(*ip, port)).collect()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "not a name this resolver knows")),
        };
        Box::pin(std::future::ready(answer))
    }
}

fn normalized(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_names_resolve_to_all_their_addresses_whatever_the_case() {
        let resolver = StaticResolver::new([
            ("Mixed.Example", "127.0.0.1".parse().unwrap()),
            ("mixed.example", "::1".parse().unwrap()),
        ])
        .with_name("empty.example", []);
        let addresses = resolver.resolve("mixed.example.", 8080).await.unwrap();
        let expected: Vec<SocketAddr> = vec!["127.0.0.1:8080".parse().unwrap(), "[::1]:8080".parse().unwrap()];
        assert_eq!(addresses, expected);
        assert!(resolver.resolve("empty.example", 80).await.unwrap().is_empty());
        assert_eq!(resolver.resolve("other.example", 80).await.unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
