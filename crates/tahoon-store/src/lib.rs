//! Storage: one `Store` interface, returning domain models, with a SQLite and a PostgreSQL
//! implementation chosen from the database URL at start-up.
//!
//! The models the rules speak about (`Organization`, `AccessKey`, `User`, `Booking`,
//! `StatusChange`, `CareProvider`, …) belong to `tahoon_domain` and are imported from there; this
//! crate's own types (`models.rs`) are what its methods take and the outcomes they report. Ids are
//! typed (`tahoon_domain::ids::Id<K>`) and instants are `jiff::Timestamp`s everywhere in them; the
//! SQL converts them to the integers and microseconds stored, where values are bound and where
//! rows are read (`backend/common.rs::instant`: a stored instant out of range is
//! `StoreError::Corrupt`).
//!
//! `store.rs` declares the interface: one small trait per resource (`BookingStore`, …) and
//! `Store`, which requires them all. Each resource's SQL is one file in `src/queries/`
//! (`queries/bookings.rs` books a session), written once and compiled into both backends; what
//! differs between them (connecting, migrations, how transactions start, locks) lives in the
//! backend's own file under `backend/`.

mod backend;
mod error;
mod models;
mod store;
/// Test support (fresh databases, the two-backend test macro, tampering as an attacker would):
/// only with the `testing` feature, which the test suites turn on.
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::postgres::PostgresStore;
pub use backend::sqlite::SqliteStore;
pub use error::StoreError;
pub use models::*;
pub use store::{
    AuditStore, Backend, BookingImportStore, BookingStore, CatalogueStore, ConsoleSessionStore, DirectoryStore,
    FavoriteStore, IdempotencyStore, OrganizationStore, OutboxStore, ProviderStore, PushStore, ReminderStore,
    ScreeningStore, SettingStore, Store, TokenStore, UserStore, WebhookStore,
};

use std::sync::Arc;

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and applies pending
/// migrations, so any command works on a new, empty database.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    match Backend::from_url(url)? {
        Backend::Sqlite => Ok(Arc::new(SqliteStore::open(url).await?)),
        Backend::Postgres => Ok(Arc::new(PostgresStore::open(url).await?)),
    }
}
