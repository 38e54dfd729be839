//! Idempotency keys: a mutating request's first answer, replayed to its retries.

use super::DbStore;
use crate::backend::common::corrupt;
use crate::error::StoreError;
use crate::models::*;
use crate::store::IdempotencyStore;
use jiff::Timestamp;
use tahoon_domain::ids::OrganizationId;

/// A key's `state`: claimed by a request still running.
const IN_FLIGHT: i64 = 0;
/// A key's `state`: its request finished and its answer is stored.
const COMPLETED: i64 = 1;

#[async_trait::async_trait]
impl IdempotencyStore for DbStore {
    async fn claim_idempotency_key(
        &self,
        organization_id: OrganizationId,
        key: &str,
        request_hash: &str,
        now: Timestamp,
        expired_before: Timestamp,
    ) -> Result<IdempotencyClaim, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(expired_before.as_microsecond())
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (organization_id, idempotency_key, request_hash, state, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, idempotency_key) DO NOTHING",
        )
        .bind(organization_id.get())
        .bind(key)
        .bind(request_hash)
        .bind(IN_FLIGHT)
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let claim = if inserted == 1 {
            IdempotencyClaim::New
        } else {
            let (hash, state, status, body): (String, i64, Option<i64>, Option<String>) = sqlx::query_as(
                "SELECT request_hash, state, status_code, response_body FROM idempotency_keys \
                 WHERE organization_id = $1 AND idempotency_key = $2",
            )
            .bind(organization_id.get())
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            match (hash == request_hash, state, status, body) {
                (false, _, _, _) => IdempotencyClaim::Mismatch,
                (true, COMPLETED, Some(status), Some(body)) => {
                    let status_code = u16::try_from(status).map_err(|_| corrupt("status code", &status.to_string()))?;
                    IdempotencyClaim::Replay { status_code, body }
                }
                _ => IdempotencyClaim::InFlight,
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn complete_idempotency_key(
        &self,
        organization_id: OrganizationId,
        key: &str,
        status_code: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = $3, status_code = $4, response_body = $5 \
             WHERE organization_id = $1 AND idempotency_key = $2",
        )
        .bind(organization_id.get())
        .bind(key)
        .bind(COMPLETED)
        .bind(i64::from(status_code))
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, organization_id: OrganizationId, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = $1 AND idempotency_key = $2 AND state = $3")
            .bind(organization_id.get())
            .bind(key)
            .bind(IN_FLIGHT)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
