//! Push jobs: enqueued from the outbox behind push's own cursor, claimed under a lease, finished
//! by the attempt that holds them.

use super::DbStore;
use super::outbox::{DUE, enqueue_behind_cursor, event_of, lease_due};
use crate::backend::common::{corrupt, instant};
use crate::error::StoreError;
use crate::models::*;
use crate::store::PushStore;
use const_format::formatcp;
use tahoon_domain::ids::Id;

/// This consumer's row in `outbox_consumers`.
const CONSUMER: &str = "push";

/// `PUSH_EVENT_TYPES` as an SQL list.
const EVENT_TYPES: &str = formatcp!(
    "'{}', '{}', '{}', '{}'",
    PUSH_EVENT_TYPES[0],
    PUSH_EVENT_TYPES[1],
    PUSH_EVENT_TYPES[2],
    PUSH_EVENT_TYPES[3]
);

/// A job and its event, in `JobRow` order (`j`: `push_jobs`, `o`: `outbox_events`).
const COLUMNS: &str = "j.id, j.event_id, o.organization_id, o.event_type, o.payload, \
     o.created_at AS event_created_at, j.status, j.attempts, j.sent_parts, j.next_attempt_at, \
     j.locked_until, j.last_error, j.sent_at, j.created_at, j.updated_at";

const SELECT_JOB: &str =
    formatcp!("SELECT {COLUMNS} FROM push_jobs j JOIN outbox_events o ON o.id = j.event_id WHERE j.id = $1");

/// A job for every pushed event after the cursor (`$1`) that has none, due now (`$2`). NOT EXISTS
/// spares the rows already enqueued (and, on PostgreSQL, sequence numbers); ON CONFLICT settles a
/// race with another instance inserting the same event.
const ENQUEUE: &str = formatcp!(
    "INSERT INTO push_jobs (event_id, status, attempts, sent_parts, next_attempt_at, created_at, updated_at) \
     SELECT o.id, 'pending', 0, 0, $2, $2, $2 FROM outbox_events o \
     WHERE o.id > $1 AND o.event_type IN ({EVENT_TYPES}) \
     AND NOT EXISTS (SELECT 1 FROM push_jobs j WHERE j.event_id = o.id) \
     ORDER BY o.id \
     ON CONFLICT (event_id) DO NOTHING"
);

const SKIP_LOCKED: &str = DbStore::SKIP_LOCKED;

/// `lease_due`'s queries for push jobs.
const SELECT_DUE: &str =
    formatcp!("SELECT id FROM push_jobs WHERE {DUE} ORDER BY next_attempt_at, id LIMIT $2{SKIP_LOCKED}");
const TAKE: &str = "UPDATE push_jobs SET status = 'sending', attempts = attempts + 1, locked_until = $2, updated_at = $3 WHERE id = $1";

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    event_id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    event_created_at: i64,
    status: String,
    attempts: i64,
    sent_parts: i64,
    next_attempt_at: i64,
    locked_until: Option<i64>,
    last_error: Option<String>,
    sent_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<JobRow> for PushJob {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(PushJob {
            id: Id::new(r.id),
            event: event_of(r.event_id, r.organization_id, r.event_type, r.payload, r.event_created_at)?,
            status: PushStatus::parse(&r.status).ok_or_else(|| corrupt("push job status", &r.status))?,
            attempts: r.attempts,
            sent_parts: PushParts::from_bits(r.sent_parts)
                .ok_or_else(|| corrupt("push job parts", &r.sent_parts.to_string()))?,
            next_attempt_at: instant(r.next_attempt_at)?,
            locked_until: r.locked_until.map(instant).transpose()?,
            last_error: r.last_error,
            sent_at: r.sent_at.map(instant).transpose()?,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}

/// At most `PUSH_ERROR_MAX_CHARS` characters of `text`.
fn short(text: &str) -> String {
    text.chars().take(PUSH_ERROR_MAX_CHARS).collect()
}

#[async_trait::async_trait]
impl PushStore for DbStore {
    async fn enqueue_push_jobs(&self, enqueue: EnqueuePush) -> Result<u64, StoreError> {
        enqueue_behind_cursor(self, CONSUMER, ENQUEUE, enqueue.settled_before, enqueue.now).await
    }

    async fn claim_push_jobs(&self, claim: ClaimPush) -> Result<Vec<PushJob>, StoreError> {
        let mut tx = self.begin_write().await?;
        let leased = lease_due(&mut tx, SELECT_DUE, TAKE, claim.now, claim.lease_until, claim.limit).await?;
        let mut claimed = Vec::with_capacity(leased.len());
        for id in leased {
            let row: JobRow = sqlx::query_as(SELECT_JOB).bind(id).fetch_one(&mut *tx).await?;
            claimed.push(row.try_into()?);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish_push_job(&self, finish: FinishPush) -> Result<bool, StoreError> {
        let now = finish.now.as_microsecond();
        let (status, next_attempt_at, error, sent_at) = match &finish.end {
            PushEnd::Sent => (PushStatus::Sent, None, None, Some(now)),
            PushEnd::Skipped { reason } => (PushStatus::Skipped, None, Some(short(reason)), None),
            PushEnd::Failed { error } => (PushStatus::Failed, None, Some(short(error)), None),
            PushEnd::Retry { at, error } => (PushStatus::Pending, Some(at.as_microsecond()), Some(short(error)), None),
        };
        let updated = sqlx::query(
            "UPDATE push_jobs SET status = $3, sent_parts = $4, next_attempt_at = COALESCE($5, next_attempt_at), \
             last_error = $6, sent_at = $7, locked_until = NULL, updated_at = $8 \
             WHERE id = $1 AND attempts = $2 AND status = 'sending'",
        )
        .bind(finish.id.get())
        .bind(finish.attempt)
        .bind(status.as_str())
        .bind(finish.sent_parts.bits())
        .bind(next_attempt_at)
        .bind(error)
        .bind(sent_at)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    async fn push_jobs(&self, status: Option<PushStatus>, limit: i64) -> Result<Vec<PushJob>, StoreError> {
        let rows: Vec<JobRow> = sqlx::query_as(formatcp!(
            "SELECT {COLUMNS} FROM push_jobs j JOIN outbox_events o ON o.id = j.event_id \
             WHERE ($1 IS NULL OR j.status = $1) ORDER BY j.id DESC LIMIT $2"
        ))
        .bind(status.map(PushStatus::as_str))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
