//! PostgreSQL: the production backend.

use super::rows::*;
use crate::error::StoreError;
use crate::models::*;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};
use std::time::Duration;
use tahoon_domain::audit::{AuditContent, AuditEntry};
use tahoon_domain::availability::{BookingPolicy, DatedException, WeeklyRule};
use tahoon_domain::catalogue::CatalogueItem;
use tahoon_domain::provider::CareProvider;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Key of the transaction-scoped advisory lock that serializes audit appends.
const AUDIT_APPEND_LOCK: i64 = 0x7461_686f_6f6e_0001;

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

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Serializes concurrent holds of one user (the cap on active bookings counts them).
    async fn lock_user(tx: &mut Transaction<'static, Postgres>, user_id: i64) -> Result<(), StoreError> {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut **tx).await?;
        Ok(())
    }

    async fn serialize_audit_appends(tx: &mut Transaction<'static, Postgres>) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_APPEND_LOCK).execute(&mut **tx).await?;
        Ok(())
    }
}

impl_store_queries!(PostgresStore, crate::store::Backend::Postgres);
