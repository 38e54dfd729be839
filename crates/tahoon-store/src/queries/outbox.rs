//! The outbox: events written in the transaction of the change they describe, read for delivery.

use super::{Connection, DbStore};
use crate::error::StoreError;
use crate::models::*;
use crate::store::OutboxStore;

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    created_at: i64,
}

impl From<OutboxRow> for OutboxEvent {
    fn from(r: OutboxRow) -> Self {
        OutboxEvent {
            id: r.id,
            organization_id: r.organization_id,
            event_type: r.event_type,
            payload: r.payload,
            created_at_us: r.created_at,
        }
    }
}

/// Writes one event inside the caller's transaction.
pub(super) async fn insert_event(conn: &mut Connection, event: &NewEvent, now_us: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO outbox_events (organization_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4)")
        .bind(event.organization_id)
        .bind(&event.event_type)
        .bind(event.payload.to_string())
        .bind(now_us)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl OutboxStore for DbStore {
    async fn pending_events(&self, limit: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, organization_id, event_type, payload, created_at FROM outbox_events \
             WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
