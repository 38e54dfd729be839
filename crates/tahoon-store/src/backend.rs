//! The two backends. Shared query text is in `queries.rs`; each backend file holds only what
//! differs: connecting, migrations, how a write transaction starts and how audit appends are
//! serialized.

#[macro_use]
mod queries;
pub mod postgres;
mod rows;
pub mod sqlite;
