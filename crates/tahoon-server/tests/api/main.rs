//! API tests over real HTTP, each on SQLite and (when configured) PostgreSQL.

mod admin;
mod auth;
mod booking_races;
mod booking_rules;
mod bulk_and_usage;
mod careprovider;
mod careprovider_admin;
mod directory_index;
mod docs;
mod envelope;
mod free_text;
mod helpers;
mod holds;
mod idempotency;
mod input_edges;
mod instruments;
mod push;
mod push_fakes;
mod rate_limits;
mod sessionbooking;
mod settings;
mod signing;
mod user;
mod user_data_rights;
mod video;
mod webhooks;
