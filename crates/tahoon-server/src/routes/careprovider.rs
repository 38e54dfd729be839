//! Care-provider discovery: catalogue, search with slots, one provider's schedule, profiles.

pub mod catalogue;
pub mod profile;
pub mod schedule;
pub mod search;
pub mod views;
