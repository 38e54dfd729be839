//! Webhook endpoints and their deliveries, managed by the organization (docs/webhooks.md).

pub mod deliveries;
pub mod endpoints;
pub mod views;
