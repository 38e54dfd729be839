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
        event_of(r.id, r.organization_id, r.event_type, r.payload, r.created_at)
    }
}

/// An event from its stored columns (also read beside a consumer's job or delivery).
pub(super) fn event_of(
    id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    created_at: i64,
) -> Result<OutboxEvent, StoreError> {
    Ok(OutboxEvent {
        id: Id::new(id),
        organization_id: organization_id.map(Id::new),
        event_type,
        payload,
        created_at: instant(created_at)?,
    })
}

/// Due work of an outbox consumer (its job or delivery table, unqualified): pending and its time
/// has come (`$1`: now), or sending and its lease has expired (its worker died).
pub(super) const DUE: &str =
    "(status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND locked_until <= $1)";

/// Leases due rows of a consumer's table inside the caller's transaction: `select_due` (`$1`: now,
/// `$2`: limit) picks their ids (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent claimers never
/// get the same row; SQLite: under its write lock), and `take` (`$1`: id, `$2`: lease until, `$3`:
/// now) marks each `sending`, counting the attempt. Returns the ids leased, due order.
pub(super) async fn lease_due(
    conn: &mut Connection,
    select_due: &'static str,
    take: &'static str,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let due: Vec<i64> =
        sqlx::query_scalar(select_due).bind(now.as_microsecond()).bind(limit).fetch_all(&mut *conn).await?;
    for id in &due {
        sqlx::query(take)
            .bind(id)
            .bind(lease_until.as_microsecond())
            .bind(now.as_microsecond())
            .execute(&mut *conn)
            .await?;
    }
    Ok(due)
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

/// One pass of an outbox consumer (push, webhooks), in one transaction: `insert` (`$1`: the
/// consumer's cursor, `$2`: now) creates the consumer's rows for the events after the cursor that
/// have none, then the cursor moves over the events created before `settled_before`. Returns how
/// many rows `insert` created.
///
/// The cursor trails the newest event by a settling time and each pass rescans behind it, because
/// PostgreSQL numbers events when they are inserted, not when they commit: an event that commits
/// after a later one is still found. Where the cursor may go is read before the insert, so every
/// event it passes is one the insert saw.
pub(super) async fn enqueue_behind_cursor(
    store: &DbStore,
    consumer: &str,
    insert: &'static str,
    settled_before: Timestamp,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let cursor: i64 = sqlx::query_scalar("SELECT enqueued_through FROM outbox_consumers WHERE consumer = $1")
        .bind(consumer)
        .fetch_one(&mut *tx)
        .await?;
    let settled: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM outbox_events WHERE id > $1 AND created_at < $2")
            .bind(cursor)
            .bind(settled_before.as_microsecond())
            .fetch_one(&mut *tx)
            .await?;
    let created = sqlx::query(insert).bind(cursor).bind(now.as_microsecond()).execute(&mut *tx).await?.rows_affected();
    if let Some(settled) = settled {
        sqlx::query("UPDATE outbox_consumers SET enqueued_through = $2 WHERE consumer = $1 AND enqueued_through < $2")
            .bind(consumer)
            .bind(settled)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(created)
}
