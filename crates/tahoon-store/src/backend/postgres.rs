//! PostgreSQL: the production backend.

use crate::error::StoreError;
use crate::models::{SettingsNotice, SettingsWatch};
use crate::store::Backend;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;
use tahoon_domain::ids::{CareProviderId, UserId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel on which every settings change is announced (its payload: the new version).
pub const SETTINGS_CHANNEL: &str = "settings_changed";

/// Key of the transaction-scoped advisory lock that serializes audit appends.
const AUDIT_APPEND_LOCK: i64 = 0x7461_686f_6f6e_0001;

// The shared SQL in `src/queries/`, compiled for PostgreSQL.
type Db = Postgres;
type DbStore = PostgresStore;
const BACKEND: Backend = Backend::Postgres;
#[allow(clippy::duplicate_mod, reason = "each backend compiles the shared SQL: see queries/mod.rs")]
#[path = "../queries/mod.rs"]
mod queries;

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// What follows a claim's `SELECT` of due jobs: each row is locked for the claiming
    /// transaction, and rows another transaction holds are passed over, so concurrent claimers
    /// never get the same job and never wait for each other.
    const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// The pool, for tests and tools that need raw access (such as tampering with the audit log).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A read of several queries: one snapshot for all of them. A read-only repeatable-read
    /// transaction never fails to serialize and never blocks writers.
    async fn begin_read(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let begin = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        super::common::timed_begin("postgres", "read", begin).await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        super::common::timed_begin("postgres", "write", self.pool.begin()).await
    }

    /// Serializes the holds and moves that could conflict: the user's (the cap on active bookings
    /// counts them) and the provider's. Without it two overlapping inserts can each wait for the
    /// other under the exclusion constraints, and PostgreSQL aborts one as a deadlock (64 racers
    /// for one slot did). Always the user first, then the provider, so no two wait in a cycle.
    async fn lock_calendars(
        tx: &mut Transaction<'static, Postgres>,
        user_id: UserId,
        provider_id: CareProviderId,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user_id.get()).execute(&mut **tx).await?;
        sqlx::query("SELECT id FROM care_providers WHERE id = $1 FOR NO KEY UPDATE")
            .bind(provider_id.get())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn serialize_audit_appends(tx: &mut Transaction<'static, Postgres>) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_APPEND_LOCK).execute(&mut **tx).await?;
        Ok(())
    }

    /// An overlap refused by the database: an exclusion constraint (`bookings_provider_no_overlap`,
    /// `bookings_user_no_overlap`) violated, SQLSTATE 23P01.
    fn is_overlap(e: &sqlx::Error) -> bool {
        matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("23P01"))
    }

    /// Announces a settings change on `SETTINGS_CHANNEL`; PostgreSQL delivers it at commit, and
    /// not at all if the transaction rolls back.
    /// After a bulk import: the planner's statistics still describe the table before it, and with
    /// them PostgreSQL plans the overlap check through the exclusion constraint's whole partial
    /// index (11 ms a check at 70,000 bookings instead of 0.2 ms); ANALYZE refreshes them.
    async fn refresh_statistics(&self, table: &'static str) -> Result<(), StoreError> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {table}"))).execute(&self.pool).await?;
        Ok(())
    }

    async fn notify_settings_changed(tx: &mut Transaction<'static, Postgres>, version: i64) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(SETTINGS_CHANNEL)
            .bind(version.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// `LISTEN settings_changed` on a connection of the pool held for the purpose.
    async fn settings_watch(&self) -> Result<Option<Box<dyn SettingsWatch>>, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(SETTINGS_CHANNEL).await?;
        Ok(Some(Box::new(SettingsListener { listener })))
    }
}

/// Settings changes as PostgreSQL notifies them.
struct SettingsListener {
    listener: PgListener,
}

#[async_trait::async_trait]
impl SettingsWatch for SettingsListener {
    async fn next(&mut self) -> Result<SettingsNotice, StoreError> {
        // `None`: the connection was lost and made again (listening again), so notifications
        // may have been missed in between.
        Ok(match self.listener.try_recv().await? {
            Some(_) => SettingsNotice::Changed,
            None => SettingsNotice::Reconnected,
        })
    }
}
