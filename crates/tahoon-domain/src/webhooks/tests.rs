//! Tests of the webhook rules, one file per module.

mod events;
mod schedule;
mod secret;
mod signature;
mod target;
