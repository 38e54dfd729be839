//! Outgoing webhooks, the pure rules: signing secrets, Standard Webhooks signatures, the retry
//! schedule, which targets may be called (SSRF defence before any DNS), and the event catalogue
//! an endpoint subscribes to.
//!
//! The format is the Standard Webhooks specification (<https://www.standardwebhooks.com>), as
//! Svix and others send it, so that a consumer's existing library verifies what Tahoon sends.
//! Sending, resolving names and storing deliveries are the server's and the store's.

pub mod events;
pub mod schedule;
pub mod secret;
pub mod signature;
pub mod target;

#[cfg(test)]
mod tests;

pub use events::{EventFilter, EventFilterError, EventType};
pub use secret::{SecretError, WebhookSecret};
pub use target::{BlockReason, TargetError, TargetPolicy, WebhookUrl};
