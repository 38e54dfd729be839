//! Use cases. Each takes parsed domain inputs and talks to the store.

pub mod audit;
pub mod booking;
pub mod directory;
pub mod error;
pub mod favorites;
pub mod health;
pub mod organizations;
pub mod providers;
pub mod push;
pub mod rate_limits;
pub mod reference_ids;
pub mod reminders;
pub mod screening;
pub mod settings;
pub mod tokens;
pub mod users;
pub mod video;
pub mod webhooks;
pub mod worker;
