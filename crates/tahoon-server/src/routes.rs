//! Routes, one file per resource action.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod careprovider;
pub mod diagnostics;
pub mod fallback;
pub mod health;
pub mod metrics;
pub mod organization;
pub mod sessionbooking;
pub mod user;
pub mod webhooks;
