//! Tahoon's domain: the rules, with no I/O and no async.
//!
//! Everything here is deterministic given its inputs (randomness is only used where a secret is
//! generated, and the caller can supply the generator), so it is unit- and property-tested alone.

pub mod anti_xss;
pub mod audit;
pub mod availability;
pub mod booking;
pub mod catalogue;
pub mod client_address;
pub mod console;
pub mod directory;
pub mod ids;
pub mod organization;
pub mod paging;
pub mod provider;
pub mod public_id;
pub mod rate_limit;
pub mod reason;
pub mod reminders;
pub mod screening;
pub mod secrets;
pub mod settings;
pub mod signing;
pub mod texts;
pub mod time_zone;
pub mod user;
pub mod webhooks;
