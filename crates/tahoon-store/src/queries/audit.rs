//! The audit log: an append-only hash chain.

use super::DbStore;
use crate::backend::common::{corrupt, instant};
use crate::error::StoreError;
use crate::models::AuditQuery;
use crate::store::AuditStore;
use const_format::formatcp;
use tahoon_domain::audit::{AuditContent, AuditEntry, GENESIS_HASH, Outcome};
use tahoon_domain::ids::{Id, OrganizationId};

/// The audit columns, in `AuditRow` order.
const COLUMNS: &str =
    "seq, occurred_at, organization_id, actor, action, outcome, request_id, source_ip, details, prev_hash, hash";

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    occurred_at: i64,
    organization_id: Option<i64>,
    actor: String,
    action: String,
    outcome: String,
    request_id: Option<String>,
    source_ip: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            seq: r.seq,
            content: AuditContent {
                occurred_at: instant(r.occurred_at)?,
                organization_id: r.organization_id.map(Id::new),
                actor: r.actor,
                action: r.action,
                outcome: Outcome::parse(&r.outcome).ok_or_else(|| corrupt("audit outcome", &r.outcome))?,
                request_id: r.request_id,
                source_ip: r.source_ip,
                details: r.details,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

/// Appends to the chain inside the caller's write transaction, so the entry commits (or not) with
/// the change it records. Call it last in the transaction: on PostgreSQL it takes the lock that
/// serializes appends until the commit.
pub(super) async fn append_in(
    tx: &mut sqlx::Transaction<'static, super::Db>,
    content: AuditContent,
) -> Result<AuditEntry, StoreError> {
    DbStore::serialize_audit_appends(tx).await?;
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let hash = content.chain_hash(seq, &prev_hash);
    sqlx::query(formatcp!("INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(seq)
        .bind(content.occurred_at.as_microsecond())
        .bind(content.organization_id.map(OrganizationId::get))
        .bind(&content.actor)
        .bind(&content.action)
        .bind(content.outcome.as_str())
        .bind(&content.request_id)
        .bind(&content.source_ip)
        .bind(&content.details)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(AuditEntry { seq, content, prev_hash, hash })
}

#[async_trait::async_trait]
impl AuditStore for DbStore {
    async fn append_audit(&self, content: AuditContent) -> Result<AuditEntry, StoreError> {
        let mut tx = self.begin_write().await?;
        let entry = append_in(&mut tx, content).await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn audit_search(&self, query: &AuditQuery) -> Result<(Vec<AuditEntry>, i64), StoreError> {
        // Each filter applies when given; `organization_id, seq` is indexed.
        const WHERE: &str = "WHERE seq > $1 AND ($2 IS NULL OR organization_id = $2) \
             AND ($3 IS NULL OR occurred_at >= $3) AND ($4 IS NULL OR occurred_at < $4) \
             AND ($5 IS NULL OR action = $5)";
        let organization = query.organization_id.map(OrganizationId::get);
        let from = query.from.map(|t| t.as_microsecond());
        let to = query.to.map(|t| t.as_microsecond());
        let rows: Vec<AuditRow> =
            sqlx::query_as(formatcp!("SELECT {COLUMNS} FROM audit_log {WHERE} ORDER BY seq LIMIT $6 OFFSET $7"))
                .bind(query.after_seq)
                .bind(organization)
                .bind(from)
                .bind(to)
                .bind(&query.action)
                .bind(query.limit)
                .bind(query.offset)
                .fetch_all(&self.pool)
                .await?;
        let (total,): (i64,) = sqlx::query_as(formatcp!("SELECT COUNT(*) FROM audit_log {WHERE}"))
            .bind(query.after_seq)
            .bind(organization)
            .bind(from)
            .bind(to)
            .bind(&query.action)
            .fetch_one(&self.pool)
            .await?;
        let entries = rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
        Ok((entries, total))
    }
}
