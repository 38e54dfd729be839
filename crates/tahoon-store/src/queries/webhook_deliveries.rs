//! Webhook deliveries: fanned out from the outbox behind the webhooks cursor, claimed under a
//! lease, finished by the attempt that holds them (the same rules as `push.rs`).

use super::DbStore;
use super::audit::append_in;
use super::outbox::{DUE, enqueue_behind_cursor, insert_event, lease_due};
use super::webhook_rows::{AttemptRow, DELIVERY_COLUMNS, DeliveryRow, cut, endpoint_in};
use crate::error::StoreError;
use crate::models::*;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::ids::{Id, OrganizationId, WebhookDeliveryId, WebhookEndpointId};

/// This consumer's row in `outbox_consumers`.
const CONSUMER: &str = "webhooks";

const SELECT_DELIVERY: &str = formatcp!(
    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events o ON o.id = d.event_id WHERE d.id = $1"
);

/// One delivery of one organization (through its endpoint).
const SELECT_OWNED: &str = formatcp!(
    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events o ON o.id = d.event_id \
     JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1 AND e.organization_id = $2"
);

/// `WEBHOOK_EVENT_TYPES` as an SQL list.
const EVENT_TYPES: &str = formatcp!(
    "'{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'",
    WEBHOOK_EVENT_TYPES[0],
    WEBHOOK_EVENT_TYPES[1],
    WEBHOOK_EVENT_TYPES[2],
    WEBHOOK_EVENT_TYPES[3],
    WEBHOOK_EVENT_TYPES[4],
    WEBHOOK_EVENT_TYPES[5],
    WEBHOOK_EVENT_TYPES[6],
    WEBHOOK_EVENT_TYPES[7],
    WEBHOOK_EVENT_TYPES[8],
    WEBHOOK_EVENT_TYPES[9],
    WEBHOOK_EVENT_TYPES[10]
);

/// A delivery of every event after the cursor (`$1`), due now (`$2`), to every enabled endpoint of
/// its organization that wants it and existed when it was written; only the catalogue's types
/// (`webhook.test` events are addressed by `send_test` alone). Inserted in event order: deliveries
/// are claimed by id, so each endpoint gets its events in the order they were written, the
/// endpoints taking turns (without the ORDER BY, PostgreSQL's DISTINCT over many rows hashes them
/// into any order).
const ENQUEUE: &str = formatcp!(
    "INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, schedule_from, next_attempt_at, \
     created_at, updated_at) \
     SELECT DISTINCT e.id, o.id, 'pending', 0, 0, $2, $2, $2 FROM outbox_events o \
     JOIN webhook_endpoints e ON e.organization_id = o.organization_id \
     JOIN webhook_endpoint_events f ON f.endpoint_id = e.id AND (f.event_type = '*' OR f.event_type = o.event_type) \
     WHERE o.id > $1 AND o.event_type IN ({EVENT_TYPES}) AND e.status = 'enabled' \
     AND e.deleted_at IS NULL AND e.created_at <= o.created_at \
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries x WHERE x.endpoint_id = e.id AND x.event_id = o.id) \
     ORDER BY o.id, e.id \
     ON CONFLICT (endpoint_id, event_id) DO NOTHING"
);

const SKIP_LOCKED: &str = DbStore::SKIP_LOCKED;

/// `lease_due`'s queries for deliveries.
const SELECT_DUE: &str =
    formatcp!("SELECT id FROM webhook_deliveries WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $2{SKIP_LOCKED}");
const TAKE: &str = "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, locked_until = $2, \
     updated_at = $3 WHERE id = $1";

pub(super) async fn enqueue(store: &DbStore, enqueue: EnqueueWebhooks) -> Result<u64, StoreError> {
    enqueue_behind_cursor(store, CONSUMER, ENQUEUE, enqueue.settled_before, enqueue.now).await
}

pub(super) async fn send_test(store: &DbStore, test: TestWebhook) -> Result<Option<WebhookDelivery>, StoreError> {
    let mut tx = store.begin_write().await?;
    let Some((endpoint, _)) = endpoint_in(&mut tx, test.organization_id, test.endpoint_id, false).await? else {
        return Ok(None);
    };
    let now = test.now.as_microsecond();
    let event_id = insert_event(&mut tx, &test.event, test.now).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, schedule_from, next_attempt_at, \
         created_at, updated_at) VALUES ($1, $2, 'pending', 0, 0, $3, $3, $3) RETURNING id",
    )
    .bind(endpoint.id.get())
    .bind(event_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let row: DeliveryRow = sqlx::query_as(SELECT_DELIVERY).bind(id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(row.try_into()?))
}

pub(super) async fn claim(store: &DbStore, claim: ClaimWebhooks) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let mut tx = store.begin_write().await?;
    let leased = lease_due(&mut tx, SELECT_DUE, TAKE, claim.now, claim.lease_until, claim.limit).await?;
    let mut claimed = Vec::with_capacity(leased.len());
    for id in leased {
        let row: DeliveryRow = sqlx::query_as(SELECT_DELIVERY).bind(id).fetch_one(&mut *tx).await?;
        let delivery: WebhookDelivery = row.try_into()?;
        let organization_id: i64 = sqlx::query_scalar("SELECT organization_id FROM webhook_endpoints WHERE id = $1")
            .bind(delivery.endpoint_id.get())
            .fetch_one(&mut *tx)
            .await?;
        let (endpoint, endpoint_deleted) = endpoint_in(&mut tx, Id::new(organization_id), delivery.endpoint_id, true)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("webhook delivery {id} without its endpoint")))?;
        claimed.push(ClaimedDelivery { delivery, endpoint, endpoint_deleted });
    }
    tx.commit().await?;
    Ok(claimed)
}

pub(super) async fn finish(store: &DbStore, finish: FinishDelivery) -> Result<bool, StoreError> {
    let now = finish.now.as_microsecond();
    let (status, next_attempt_at, delivered_at) = match &finish.end {
        DeliveryEnd::Succeeded => (DeliveryStatus::Succeeded, None, Some(now)),
        DeliveryEnd::Retry { at } => (DeliveryStatus::Pending, Some(at.as_microsecond()), None),
        DeliveryEnd::Failed => (DeliveryStatus::Failed, None, None),
        DeliveryEnd::Cancelled => (DeliveryStatus::Cancelled, None, None),
    };
    let record = &finish.record;
    let excerpt = record.response_excerpt.as_deref().map(|t| cut(t, WEBHOOK_EXCERPT_MAX_CHARS));
    let error = record.error.as_deref().map(|t| cut(t, WEBHOOK_ERROR_MAX_CHARS));
    let mut tx = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE webhook_deliveries SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
         locked_until = NULL, last_status_code = $5, last_response = $6, last_error = $7, \
         delivered_at = COALESCE($8, delivered_at), updated_at = $9 \
         WHERE id = $1 AND attempts = $2 AND status = 'sending'",
    )
    .bind(finish.id.get())
    .bind(finish.attempt)
    .bind(status.as_str())
    .bind(next_attempt_at)
    .bind(record.status_code)
    .bind(&excerpt)
    .bind(&error)
    .bind(delivered_at)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, outcome, status_code, response_excerpt, error, \
         started_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id, attempt) DO NOTHING",
    )
    .bind(finish.id.get())
    .bind(finish.attempt)
    .bind(record.outcome.as_str())
    .bind(record.status_code)
    .bind(&excerpt)
    .bind(&error)
    .bind(record.started_at.as_microsecond())
    .bind(record.duration_ms.max(0))
    .execute(&mut *tx)
    .await?;
    let endpoint_id = finish.endpoint_id.get();
    match finish.health {
        EndpointHealth::Healthy => {
            sqlx::query(
                "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL",
            )
            .bind(endpoint_id)
            .execute(&mut *tx)
            .await?;
        }
        EndpointHealth::Failing => {
            sqlx::query("UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since IS NULL")
                .bind(endpoint_id)
                .bind(record.started_at.as_microsecond())
                .execute(&mut *tx)
                .await?;
        }
        EndpointHealth::Disable { reason, audit } => {
            let disabled = sqlx::query(
                "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, updated_at = $3 \
                 WHERE id = $1 AND status = 'enabled'",
            )
            .bind(endpoint_id)
            .bind(cut(&reason, WEBHOOK_ERROR_MAX_CHARS))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint disabled', updated_at = $2 \
                 WHERE endpoint_id = $1 AND status = 'pending'",
            )
            .bind(endpoint_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if disabled == 1 {
                append_in(&mut tx, audit).await?;
            }
        }
        EndpointHealth::Unchanged => {}
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn page(
    store: &DbStore,
    organization_id: OrganizationId,
    endpoint_id: WebhookEndpointId,
    offset: i64,
    limit: i64,
) -> Result<Option<(Vec<WebhookDelivery>, i64)>, StoreError> {
    let mut tx = store.begin_read().await?;
    if endpoint_in(&mut tx, organization_id, endpoint_id, false).await?.is_none() {
        return Ok(None);
    }
    let rows: Vec<DeliveryRow> = sqlx::query_as(formatcp!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events o ON o.id = d.event_id \
         WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(endpoint_id.get())
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *tx)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = $1")
        .bind(endpoint_id.get())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let deliveries = rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
    Ok(Some((deliveries, total)))
}

pub(super) async fn one(
    store: &DbStore,
    organization_id: OrganizationId,
    delivery_id: WebhookDeliveryId,
) -> Result<Option<(WebhookDelivery, Vec<WebhookAttempt>)>, StoreError> {
    let mut tx = store.begin_read().await?;
    let row: Option<DeliveryRow> = sqlx::query_as(formatcp!("{SELECT_OWNED} AND e.deleted_at IS NULL"))
        .bind(delivery_id.get())
        .bind(organization_id.get())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT attempt, outcome, status_code, response_excerpt, error, started_at, duration_ms \
         FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt",
    )
    .bind(delivery_id.get())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let attempts = attempts.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
    Ok(Some((row.try_into()?, attempts)))
}

pub(super) async fn redeliver(
    store: &DbStore,
    organization_id: OrganizationId,
    delivery_id: WebhookDeliveryId,
    now: Timestamp,
) -> Result<RedeliverOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    let found: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT d.status, e.status, e.deleted_at FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1 AND e.organization_id = $2",
    )
    .bind(delivery_id.get())
    .bind(organization_id.get())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, endpoint_status, deleted_at)) = found else { return Ok(RedeliverOutcome::NotFound) };
    if deleted_at.is_some() {
        return Ok(RedeliverOutcome::NotFound);
    }
    if endpoint_status != "enabled" {
        return Ok(RedeliverOutcome::EndpointDisabled);
    }
    if status == DeliveryStatus::Sending.as_str() {
        return Ok(RedeliverOutcome::InFlight);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, schedule_from = attempts, \
         updated_at = $2 WHERE id = $1",
    )
    .bind(delivery_id.get())
    .bind(now.as_microsecond())
    .execute(&mut *tx)
    .await?;
    let row: DeliveryRow = sqlx::query_as(SELECT_DELIVERY).bind(delivery_id.get()).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(RedeliverOutcome::Scheduled(row.try_into()?))
}
