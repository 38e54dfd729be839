//! PostgreSQL: the production backend.

use crate::error::StoreError;
use crate::store::Backend;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;
use tahoon_domain::ids::UserId;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

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
        Ok(self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Serializes concurrent holds of one user (the cap on active bookings counts them).
    async fn lock_user(tx: &mut Transaction<'static, Postgres>, user_id: UserId) -> Result<(), StoreError> {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user_id.get()).execute(&mut **tx).await?;
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
}
