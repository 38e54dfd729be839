//! Middleware applied to every route.

pub mod legacy;
pub mod request_context;
