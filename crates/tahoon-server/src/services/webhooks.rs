//! Webhooks (docs/webhooks.md): endpoints managed by their organization (`endpoints`), and the
//! delivery of outbox events to them, signed per Standard Webhooks (`delivery`, `payload`).

mod delivery;
pub mod endpoints;
mod payload;

pub use delivery::{Report, deliver_due};

use std::sync::Arc;
use std::time::Duration;
use tahoon_domain::webhooks::schedule::SUCCESS_WITHIN;
use tahoon_domain::webhooks::target::{TargetPolicy, check_address};
use tahoon_integrations::webhook::{AddressCheck, NameResolver, SenderConfig, SystemResolver, WebhookSender};

/// The most endpoints one organization may have.
pub const MAX_ENDPOINTS: i64 = 20;

/// What the webhook routes and the worker share: the sender (its one HTTP client and its address
/// check) and the target policy.
#[derive(Clone)]
pub struct Webhooks {
    pub sender: Arc<WebhookSender>,
    pub policy: TargetPolicy,
}

impl Webhooks {
    /// With the system's resolver (`tahoon serve`).
    pub fn new(policy: TargetPolicy) -> Webhooks {
        Webhooks::with_resolver(policy, Arc::new(SystemResolver), timeout())
    }

    /// With another resolver and timeout (tests map names to addresses of their choosing).
    pub fn with_resolver(policy: TargetPolicy, resolver: Arc<dyn NameResolver>, timeout: Duration) -> Webhooks {
        let check: AddressCheck = Arc::new(move |ip| check_address(ip, policy).map_err(|reason| reason.to_string()));
        let mut config = SenderConfig::new(check);
        config.resolver = resolver;
        config.timeout = timeout;
        let sender = WebhookSender::new(config).expect("a non-zero timeout builds the webhook client");
        Webhooks { sender: Arc::new(sender), policy }
    }
}

/// A 2xx within this is a success (`SUCCESS_WITHIN`, 15 s).
pub fn timeout() -> Duration {
    Duration::try_from(SUCCESS_WITHIN).unwrap_or(Duration::from_secs(15))
}

#[cfg(test)]
mod tests {
    use tahoon_domain::webhooks::EventType;
    use tahoon_store::WEBHOOK_EVENT_TYPES;

    #[test]
    fn the_store_fans_out_exactly_the_catalogue() {
        let catalogue: Vec<&str> = EventType::ALL_SUBSCRIBABLE.iter().map(|e| e.name()).collect();
        assert_eq!(catalogue, WEBHOOK_EVENT_TYPES);
    }
}
