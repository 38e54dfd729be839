//! SQLite: the zero-set-up default. WAL, a busy timeout, and `BEGIN IMMEDIATE` for every write
//! transaction (a deferred one that upgrades gets SQLITE_BUSY without waiting).
//!
//! Write transactions take turns on one connection of their own (`writer`): SQLite admits one
//! writer at a time anyway, and a writer waiting in the pool's queue starts the moment the one
//! before commits, where one waiting in SQLite's busy handler sleeps for milliseconds at a time.
//! Reads use the other pool and never wait for writers (WAL). Other processes (the CLI) still
//! meet this one's writes through the busy timeout.

use crate::error::StoreError;
use crate::models::SettingsWatch;
use crate::store::Backend;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tahoon_domain::ids::{CareProviderId, UserId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

// The shared SQL in `src/queries/`, compiled for SQLite.
type Db = Sqlite;
type DbStore = SqliteStore;
const BACKEND: Backend = Backend::Sqlite;
#[allow(clippy::duplicate_mod, reason = "each backend compiles the shared SQL: see queries/mod.rs")]
#[path = "../queries/mod.rs"]
mod queries;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection write transactions take turns on.
    writer: SqlitePool,
}

impl SqliteStore {
    /// What follows a claim's `SELECT` of due jobs: nothing, as `BEGIN IMMEDIATE` already holds the
    /// database's single write lock, so claims are serialized.
    const SKIP_LOCKED: &str = "";

    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(15));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options.clone()).await?;
        MIGRATOR.run(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool, writer })
    }

    /// The pool, for tests and tools that need raw access (such as tampering with the audit log).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A read of several queries: a deferred transaction, whose first read takes a WAL snapshot
    /// that its later reads see too, without blocking writers.
    async fn begin_read(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        super::common::timed_begin("sqlite", "read", self.pool.begin()).await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        super::common::timed_begin("sqlite", "write", self.writer.begin_with("BEGIN IMMEDIATE")).await
    }

    /// `BEGIN IMMEDIATE` already holds the database's single write lock.
    async fn lock_calendars(
        _tx: &mut Transaction<'static, Sqlite>,
        _user_id: UserId,
        _provider_id: CareProviderId,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// `BEGIN IMMEDIATE` already holds the database's single write lock.
    async fn serialize_audit_appends(_tx: &mut Transaction<'static, Sqlite>) -> Result<(), StoreError> {
        Ok(())
    }

    /// An overlap refused by the database: the unique backstop indexes on active bookings' starts
    /// (`bookings_provider_active_start`, `bookings_user_active_start`).
    fn is_overlap(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
    }

    /// SQLite cannot tell other processes; they look at the settings' change counter.
    /// SQLite plans the overlap check on its indexes without statistics.
    async fn refresh_statistics(&self, _table: &'static str) -> Result<(), StoreError> {
        Ok(())
    }

    async fn notify_settings_changed(_tx: &mut Transaction<'static, Sqlite>, _version: i64) -> Result<(), StoreError> {
        Ok(())
    }

    /// SQLite cannot report other processes' changes: readers look at the change counter.
    async fn settings_watch(&self) -> Result<Option<Box<dyn SettingsWatch>>, StoreError> {
        Ok(None)
    }
}
