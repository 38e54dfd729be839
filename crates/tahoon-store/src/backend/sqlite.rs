//! SQLite: the zero-set-up default. WAL, a busy timeout, and `BEGIN IMMEDIATE` for every write
//! transaction (a deferred one that upgrades gets SQLITE_BUSY without waiting).

use super::rows::*;
use crate::error::StoreError;
use crate::models::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tahoon_domain::audit::{AuditContent, AuditEntry};
use tahoon_domain::availability::{BookingPolicy, DatedException, WeeklyRule};
use tahoon_domain::catalogue::CatalogueItem;
use tahoon_domain::provider::CareProvider;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(15));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The pool, for tests and tools that need raw access (such as tampering with the audit log).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// `BEGIN IMMEDIATE` already holds the database's single write lock.
    async fn lock_user(_tx: &mut Transaction<'static, Sqlite>, _user_id: i64) -> Result<(), StoreError> {
        Ok(())
    }

    /// `BEGIN IMMEDIATE` already holds the database's single write lock.
    async fn serialize_audit_appends(_tx: &mut Transaction<'static, Sqlite>) -> Result<(), StoreError> {
        Ok(())
    }
}

impl_store_queries!(SqliteStore, crate::store::Backend::Sqlite);
