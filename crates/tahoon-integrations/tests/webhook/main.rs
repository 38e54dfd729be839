//! The webhook sender over real HTTP against local receivers (axum on `127.0.0.1:0`): what each
//! answer becomes, what arrives, and the SSRF guard refusing targets before anything is sent.
//! Every address contacted is on loopback; names are mapped to addresses by a static resolver.

mod delivery;
mod guard;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tahoon_integrations::webhook::{
    AddressCheck, NameResolver, OutgoingWebhook, SendReport, SenderConfig, StaticResolver, WebhookSender,
};
use url::Url;

pub const USER_AGENT: &str = "tahoon-test/1";

/// The check the domain would plug in, reduced to loopback.
pub fn no_loopback() -> AddressCheck {
    Arc::new(|ip: IpAddr| {
        if ip.is_loopback() || ip.to_canonical().is_loopback() { Err("a loopback address".into()) } else { Ok(()) }
    })
}

pub fn allow_all() -> AddressCheck {
    Arc::new(|_| Ok(()))
}

pub fn sender_with(check: AddressCheck, resolver: impl NameResolver, timeout: Duration) -> WebhookSender {
    let mut config = SenderConfig::new(check);
    config.resolver = Arc::new(resolver);
    config.timeout = timeout;
    config.user_agent = USER_AGENT.into();
    WebhookSender::new(config).expect("a sender")
}

/// A sender that may contact loopback and knows no name.
pub fn loopback_sender() -> WebhookSender {
    sender_with(allow_all(), StaticResolver::default(), Duration::from_secs(5))
}

pub fn signed_headers() -> Vec<(String, String)> {
    vec![
        ("webhook-id".into(), "msg_2Lb0Zq8d".into()),
        ("webhook-timestamp".into(), "1946127600".into()),
        ("webhook-signature".into(), "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=".into()),
    ]
}

pub const BODY: &[u8] = br#"{"type":"booking.confirmed","data":{"booking_id":"bkg_01"}}"#;

pub async fn post(sender: &WebhookSender, url: &Url) -> SendReport {
    let headers = signed_headers();
    sender.send(&OutgoingWebhook { url, headers: &headers, body: BODY }).await
}

/// A local URL where nothing listens.
pub async fn closed_port() -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    Url::parse(&format!("http://{address}/hook")).unwrap()
}

/// How long a test waits to be sure that nothing arrives.
pub const QUIET: Duration = Duration::from_millis(150);
