//! OAuth 2.0 token routes. These answer with OAuth bodies (RFC 6749 §5), not the envelope, except
//! a rate-limit refusal (429 reason 106, as everywhere).

pub mod limits;
pub mod oauth;
pub mod refresh;
pub mod revoke;
pub mod token;
