//! Storage: one `Store` interface, returning domain models, with a SQLite and a PostgreSQL
//! implementation chosen from the database URL at start-up.
//!
//! Both implementations share their query text (numbered `$n` parameters, integer instants) through
//! one macro in `backend/queries.rs`; what differs (how a write transaction starts, how the audit
//! chain is serialized, migrations) lives in the backend's own file.

mod backend;
mod error;
mod models;
mod store;
pub mod testing;

pub use backend::postgres::PostgresStore;
pub use backend::sqlite::SqliteStore;
pub use error::StoreError;
pub use models::*;
pub use store::{Backend, Store};

use std::sync::Arc;

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and applies pending
/// migrations, so any command works on a new, empty database.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    match Backend::from_url(url)? {
        Backend::Sqlite => Ok(Arc::new(SqliteStore::open(url).await?)),
        Backend::Postgres => Ok(Arc::new(PostgresStore::open(url).await?)),
    }
}
