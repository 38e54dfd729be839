//! OAuth 2.0 token routes. These answer with OAuth bodies (RFC 6749 §5), not the envelope.

pub mod oauth;
pub mod refresh;
pub mod revoke;
pub mod token;
