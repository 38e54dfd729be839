//! Tahoon's outbound clients: the real clients of the vendors' HTTP APIs, each with a configurable
//! base URL so tests run them against local fakes that speak the same protocol.
//!
//! - [`video`]: video rooms for sessions (VideoSDK, Jitsi, LiveKit) behind one trait.
//! - [`push`]: push to care providers through Firebase Cloud Messaging (HTTP v1).
//! - [`webhook`]: signed webhooks to tenants' endpoints, every address checked against SSRF.
//!
//! Configuration arrives as plain typed structs (the settings layer builds them); nothing here
//! reads the environment or files. Every outbound call has a connect and a total timeout, follows
//! no redirect, reads at most a bounded answer and checks its shape. Secrets are held in types
//! whose `Debug` hides them, and never appear in errors or logs.

pub mod http;
pub mod push;
pub mod secret;
/// Only with the `testing` feature, which the test suites turn on.
#[cfg(feature = "testing")]
pub mod testing;
pub mod video;
pub mod webhook;

pub use secret::Secret;
