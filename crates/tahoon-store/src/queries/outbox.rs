//! The outbox: events written in the transaction of the change they describe, read for delivery.

use super::{Connection, DbStore};
use crate::backend::common::instant;
use crate::error::StoreError;
use crate::models::*;
use crate::store::OutboxStore;
use jiff::Timestamp;
use tahoon_domain::ids::{Id, OrganizationId};

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    created_at: i64,
}

impl TryFrom<OutboxRow> for OutboxEvent {
    type Error = StoreError;
    fn try_from(r: OutboxRow) -> Result<Self, StoreError> {
        Ok(OutboxEvent {
            id: Id::new(r.id),
            organization_id: r.organization_id.map(Id::new),
            event_type: r.event_type,
            payload: r.payload,
            created_at: instant(r.created_at)?,
        })
    }
}

/// Writes one event inside the caller's transaction; returns its row id.
pub(super) async fn insert_event(conn: &mut Connection, event: &NewEvent, now: Timestamp) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox_events (organization_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(event.organization_id.map(OrganizationId::get))
    .bind(&event.event_type)
    .bind(event.payload.to_string())
    .bind(now.as_microsecond())
    .fetch_one(conn)
    .await?)
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
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
