//! Middleware applied to every route.

pub mod hardening;
pub mod idempotency;
pub mod legacy;
pub mod rate_limit;
pub mod reference_answers;
pub mod request_context;
