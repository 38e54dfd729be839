//! Settings held in the database, and the counter every change bumps.

use super::DbStore;
use super::audit::append_in;
use crate::backend::common::instant;
use crate::error::StoreError;
use crate::models::*;
use crate::store::SettingStore;
use const_format::formatcp;
use tahoon_domain::audit::AuditContent;

/// The setting columns, in `SettingRow` order.
const COLUMNS: &str = "key, value, sealed, updated_at, updated_by";

const VERSION: &str = "SELECT version FROM settings_version WHERE id = 1";

#[derive(sqlx::FromRow)]
struct SettingRow {
    key: String,
    value: String,
    sealed: bool,
    updated_at: i64,
    updated_by: String,
}

impl TryFrom<SettingRow> for StoredSetting {
    type Error = StoreError;
    fn try_from(r: SettingRow) -> Result<Self, StoreError> {
        Ok(StoredSetting {
            updated_at: instant(r.updated_at)?,
            key: r.key,
            value: r.value,
            sealed: r.sealed,
            updated_by: r.updated_by,
        })
    }
}

/// Bumps the counter inside the caller's write transaction and tells other processes (PostgreSQL:
/// `NOTIFY`, delivered at commit). Returns the new version.
async fn bump(tx: &mut sqlx::Transaction<'static, super::Db>) -> Result<i64, StoreError> {
    let version: i64 =
        sqlx::query_scalar("UPDATE settings_version SET version = version + 1 WHERE id = 1 RETURNING version")
            .fetch_one(&mut **tx)
            .await?;
    DbStore::notify_settings_changed(tx, version).await?;
    Ok(version)
}

#[async_trait::async_trait]
impl SettingStore for DbStore {
    async fn settings(&self) -> Result<StoredSettings, StoreError> {
        let mut tx = self.begin_read().await?;
        let version: i64 = sqlx::query_scalar(VERSION).fetch_one(&mut *tx).await?;
        let rows: Vec<SettingRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM settings ORDER BY key")).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let settings = rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
        Ok(StoredSettings { version, settings })
    }

    async fn settings_version(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(VERSION).fetch_one(&self.pool).await?)
    }

    async fn set_setting(&self, change: SettingChange) -> Result<i64, StoreError> {
        let s = change.setting;
        let mut tx = self.begin_write().await?;
        sqlx::query(formatcp!(
            "INSERT INTO settings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET \
             value = excluded.value, sealed = excluded.sealed, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by"
        ))
        .bind(&s.key)
        .bind(&s.value)
        .bind(s.sealed)
        .bind(s.updated_at.as_microsecond())
        .bind(&s.updated_by)
        .execute(&mut *tx)
        .await?;
        let version = bump(&mut tx).await?;
        append_in(&mut tx, change.audit).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn delete_setting(&self, key: &str, audit: AuditContent) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(&mut *tx).await?;
        if deleted.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let version = bump(&mut tx).await?;
        append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    async fn watch_settings(&self) -> Result<Option<Box<dyn SettingsWatch>>, StoreError> {
        self.settings_watch().await
    }
}
