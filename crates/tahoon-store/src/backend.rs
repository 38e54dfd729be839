//! The two backends. Each backend's file holds only what differs between them: connecting,
//! migrations, how read and write transactions start, how audit appends and a user's holds are
//! serialized, and how an overlap refused by the database is recognized. The SQL of every `Store`
//! method is in `src/queries/`, written once and compiled into each backend (see
//! `queries/mod.rs`); what the backends share besides query text is in `common.rs`.

pub(crate) mod common;
pub mod postgres;
pub mod sqlite;
