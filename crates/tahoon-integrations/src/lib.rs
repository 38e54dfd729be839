//! Outbound clients: each speaks a vendor's real HTTP API at a configurable base URL, with connect
//! and total timeouts, and reports what happened without secrets or personal data.

/// Push to care providers through Firebase Cloud Messaging (HTTP v1).
pub mod push;
