//! The availability index's reads and the change sequence (migration 0012's triggers write it).

use super::booking_rows::BusyRow;
use super::providers::load_providers;
use super::{Connection, DbStore};
use crate::backend::common::ACTIVE_STATUSES;
use crate::error::StoreError;
use crate::models::{BusyInterval, ChangeScope, DirectoryChange, DirectoryLoad};
use crate::store::DirectoryStore;
use const_format::formatcp;
use futures_util::TryStreamExt;
use jiff::Timestamp;
use jiff::civil::Date;
use tahoon_domain::ids::{CareProviderId, Id};
use tahoon_domain::provider::CareProvider;

/// Exceptions are read up to the last date there is.
const LAST_DATE: &str = "9999-12-31";

const BUSY: &str = formatcp!(
    "SELECT provider_id, user_id, starts_at, ends_at, blocks_until FROM bookings \
     WHERE {ACTIVE_STATUSES} AND blocks_until > $1 AND provider_id BETWEEN $2 AND $3"
);

async fn busy_of(
    conn: &mut Connection,
    (lo, hi): (i64, i64),
    since: Timestamp,
) -> Result<Vec<BusyInterval>, StoreError> {
    // Streamed: half a million rows at 20,000 providers are never held twice.
    let mut rows = sqlx::query_as::<_, BusyRow>(BUSY).bind(since.as_microsecond()).bind(lo).bind(hi).fetch(conn);
    let mut busy = Vec::new();
    while let Some(row) = rows.try_next().await? {
        busy.push(row.try_into()?);
    }
    Ok(busy)
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    seq: i64,
    provider_id: i64,
    scope: i64,
}

#[async_trait::async_trait]
impl DirectoryStore for DbStore {
    async fn directory(&self, from: Date, since: Timestamp) -> Result<DirectoryLoad, StoreError> {
        let mut tx = self.begin_read().await?;
        // Read first: whatever commits after it is applied again from the sequence.
        let (head,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM directory_changes").fetch_one(&mut *tx).await?;
        let all = (i64::MIN, i64::MAX);
        let providers = load_providers(&mut tx, all, (&from.to_string(), LAST_DATE)).await?.assemble()?;
        let busy = busy_of(&mut tx, all, since).await?;
        tx.commit().await?;
        Ok(DirectoryLoad { head, providers, busy })
    }

    async fn directory_providers(&self, ids: &[CareProviderId], from: Date) -> Result<Vec<CareProvider>, StoreError> {
        let from = from.to_string();
        let mut tx = self.begin_read().await?;
        let mut providers = Vec::with_capacity(ids.len());
        for id in ids {
            let one = (id.get(), id.get());
            providers.extend(load_providers(&mut tx, one, (&from, LAST_DATE)).await?.assemble()?);
        }
        tx.commit().await?;
        Ok(providers)
    }

    async fn directory_bookings(
        &self,
        ids: &[CareProviderId],
        since: Timestamp,
    ) -> Result<Vec<BusyInterval>, StoreError> {
        let mut tx = self.begin_read().await?;
        let mut busy = Vec::new();
        for id in ids {
            busy.extend(busy_of(&mut tx, (id.get(), id.get()), since).await?);
        }
        tx.commit().await?;
        Ok(busy)
    }

    async fn directory_changes(&self, after: i64, limit: i64) -> Result<Vec<DirectoryChange>, StoreError> {
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT seq, provider_id, scope FROM directory_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let scope = ChangeScope::from_code(r.scope)
                    .ok_or_else(|| crate::backend::common::corrupt("directory change scope", &r.scope.to_string()))?;
                Ok(DirectoryChange { seq: r.seq, provider_id: Id::new(r.provider_id), scope })
            })
            .collect()
    }

    async fn prune_directory_changes(&self, keep_secs: i64) -> Result<u64, StoreError> {
        let now: (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(changed_at), 0) FROM directory_changes").fetch_one(&self.pool).await?;
        // The newest row's clock stands for the database's: both backends agree on it, and a
        // quiet table keeps its last rows.
        let before = now.0.saturating_sub(keep_secs.saturating_mul(1_000_000));
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM directory_changes WHERE changed_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(done)
    }
}
