//! The SQL of every `Store` method: one file per resource, each written once for both backends.
//!
//! This directory is not a module of the crate root. `backend/sqlite.rs` and `backend/postgres.rs`
//! each include it (`#[path = "../queries/mod.rs"] mod queries;`) after naming `Db` (sqlx's
//! database type), `DbStore` (their store type) and `BACKEND`, so every file here is ordinary Rust,
//! formatted and linted like any other, compiled twice: once for SQLite, once for PostgreSQL. The
//! text suits both: numbered `$n` parameters (which SQLite also understands), instants as integer
//! microseconds, `ON CONFLICT` and `RETURNING`. Constant fragments (column lists, the active
//! statuses) are joined at compile time with `const_format`, so every statement stays a
//! `&'static str`. (Functions generic over `sqlx::Database` would need a bound for every bound or
//! decoded type and for the executor at each of them; this costs only a second compilation.)
//!
//! What differs between the backends stays in each backend's file, reached as methods of
//! `DbStore`: `begin_write` (SQLite: `BEGIN IMMEDIATE`), `begin_read` (a read-only snapshot for a
//! read of several queries), `lock_calendars`, `serialize_audit_appends`, `is_overlap`, and
//! `refresh_statistics` (PostgreSQL's `ANALYZE` after a bulk import), `notify_settings_changed` with `settings_watch` (PostgreSQL's `NOTIFY` and `LISTEN`; nothing
//! on SQLite), and `SKIP_LOCKED` (PostgreSQL's `FOR UPDATE SKIP LOCKED` on claimed jobs; nothing
//! on SQLite, whose write lock already serializes claims).
//!
//! | trait | file |
//! |---|---|
//! | `OrganizationStore` | `organizations.rs` |
//! | `TokenStore` | `tokens.rs` |
//! | `CatalogueStore` | `catalogue.rs` |
//! | `ProviderStore` | `providers.rs` (rows and their assembly: `provider_rows.rs`) |
//! | `UserStore` | `users.rs` |
//! | `ScreeningStore` | `screening.rs` |
//! | `BookingStore` | `bookings.rs` (rows: `booking_rows.rs`) |
//! | `BookingImportStore` | `booking_import.rs` |
//! | `FavoriteStore` | `favorites.rs` |
//! | `IdempotencyStore` | `idempotency.rs` |
//! | `OutboxStore` | `outbox.rs` |
//! | `PushStore` | `push.rs` |
//! | `WebhookStore` | `webhooks.rs` (deliveries: `webhook_deliveries.rs`, rows: `webhook_rows.rs`) |
//! | `ReminderStore` | `reminders.rs` |
//! | `DirectoryStore` | `directory.rs` (provider rows: `provider_rows.rs`, through `providers.rs`) |
//! | `AuditStore` | `audit.rs` |
//! | `SettingStore` | `settings.rs` |
//! | `ReferenceAliasStore` | `reference_aliases.rs` |
//! | `ConsoleSessionStore` | `console_sessions.rs` |

mod audit;
mod booking_import;
mod booking_rows;
mod bookings;
mod catalogue;
mod console_sessions;
mod directory;
mod favorites;
mod idempotency;
mod organizations;
mod outbox;
mod provider_rows;
mod providers;
mod push;
mod reference_aliases;
mod reminders;
mod screening;
mod settings;
mod tokens;
mod users;
mod webhook_deliveries;
mod webhook_rows;
mod webhooks;

use super::{BACKEND, Db, DbStore};
use crate::error::StoreError;
use crate::store::{Backend, Store};

/// A connection of this backend; helpers that run inside a caller's transaction take one
/// (`&mut tx` coerces to it).
type Connection = <Db as sqlx::Database>::Connection;

#[async_trait::async_trait]
impl Store for DbStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn applied_migrations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&self.pool)
            .await?)
    }
}
