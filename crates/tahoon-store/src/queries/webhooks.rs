//! Webhook endpoints, managed by their organization (`WebhookStore`); their deliveries are in
//! `webhook_deliveries.rs`.

use super::DbStore;
use super::audit::append_in;
use super::webhook_deliveries as deliveries;
use super::webhook_rows::{ENDPOINT_COLUMNS, EndpointRow, endpoint_in, event_types};
use crate::error::StoreError;
use crate::models::*;
use crate::store::WebhookStore;
use const_format::formatcp;
use jiff::Timestamp;
use tahoon_domain::audit::AuditContent;
use tahoon_domain::ids::{OrganizationId, WebhookDeliveryId, WebhookEndpointId};

#[async_trait::async_trait]
impl WebhookStore for DbStore {
    async fn create_webhook_endpoint(&self, new: NewWebhookEndpoint) -> Result<CreateEndpointOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        // Concurrent creations for one organization count one after the other.
        sqlx::query("UPDATE organizations SET updated_at = updated_at WHERE id = $1")
            .bind(new.organization_id.get())
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_endpoints WHERE organization_id = $1 AND deleted_at IS NULL",
        )
        .bind(new.organization_id.get())
        .fetch_one(&mut *tx)
        .await?;
        if count >= new.limit {
            return Ok(CreateEndpointOutcome::LimitReached { limit: new.limit });
        }
        let now = new.now.as_microsecond();
        let row: EndpointRow = sqlx::query_as(formatcp!(
            "INSERT INTO webhook_endpoints (organization_id, url, description, secret_sealed, status, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, 'enabled', $5, $5) RETURNING {ENDPOINT_COLUMNS}"
        ))
        .bind(new.organization_id.get())
        .bind(&new.url)
        .bind(&new.description)
        .bind(&new.secret_sealed)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for event in &new.events {
            sqlx::query("INSERT INTO webhook_endpoint_events (endpoint_id, event_type) VALUES ($1, $2)")
                .bind(row.id)
                .bind(event)
                .execute(&mut *tx)
                .await?;
        }
        let id = row.id;
        let endpoint = row.into_endpoint(event_types(&mut tx, id).await?)?;
        append_in(&mut tx, new.audit).await?;
        tx.commit().await?;
        Ok(CreateEndpointOutcome::Created(endpoint))
    }

    async fn webhook_endpoints(&self, organization_id: OrganizationId) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let mut tx = self.begin_read().await?;
        let rows: Vec<EndpointRow> = sqlx::query_as(formatcp!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organization_id = $1 AND deleted_at IS NULL \
             ORDER BY id"
        ))
        .bind(organization_id.get())
        .fetch_all(&mut *tx)
        .await?;
        let mut endpoints = Vec::with_capacity(rows.len());
        for row in rows {
            let events = event_types(&mut tx, row.id).await?;
            endpoints.push(row.into_endpoint(events)?);
        }
        tx.commit().await?;
        Ok(endpoints)
    }

    async fn webhook_endpoint(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let mut tx = self.begin_read().await?;
        let found = endpoint_in(&mut tx, organization_id, endpoint_id, false).await?;
        tx.commit().await?;
        Ok(found.map(|(endpoint, _)| endpoint))
    }

    async fn delete_webhook_endpoint(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
        audit: AuditContent,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query(
            "UPDATE webhook_endpoints SET deleted_at = $3, updated_at = $3 \
             WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL",
        )
        .bind(endpoint_id.get())
        .bind(organization_id.get())
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        // An attempt under way finishes as cancelled (its claim sees the endpoint deleted).
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'endpoint deleted', updated_at = $2 \
             WHERE endpoint_id = $1 AND status = 'pending'",
        )
        .bind(endpoint_id.get())
        .bind(now.as_microsecond())
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn rotate_webhook_secret(&self, rotate: RotateWebhookSecret) -> Result<Option<WebhookEndpoint>, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = $3, \
             secret_sealed = $4, updated_at = $5 WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL",
        )
        .bind(rotate.endpoint_id.get())
        .bind(rotate.organization_id.get())
        .bind(rotate.previous_until.as_microsecond())
        .bind(&rotate.secret_sealed)
        .bind(rotate.now.as_microsecond())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        let found = endpoint_in(&mut tx, rotate.organization_id, rotate.endpoint_id, false).await?;
        append_in(&mut tx, rotate.audit).await?;
        tx.commit().await?;
        Ok(found.map(|(endpoint, _)| endpoint))
    }

    async fn enqueue_webhook_deliveries(&self, enqueue: EnqueueWebhooks) -> Result<u64, StoreError> {
        deliveries::enqueue(self, enqueue).await
    }

    async fn send_test_webhook(&self, test: TestWebhook) -> Result<Option<WebhookDelivery>, StoreError> {
        deliveries::send_test(self, test).await
    }

    async fn claim_webhook_deliveries(&self, claim: ClaimWebhooks) -> Result<Vec<ClaimedDelivery>, StoreError> {
        deliveries::claim(self, claim).await
    }

    async fn finish_webhook_delivery(&self, finish: FinishDelivery) -> Result<bool, StoreError> {
        deliveries::finish(self, finish).await
    }

    async fn webhook_deliveries(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
        offset: i64,
        limit: i64,
    ) -> Result<Option<(Vec<WebhookDelivery>, i64)>, StoreError> {
        deliveries::page(self, organization_id, endpoint_id, offset, limit).await
    }

    async fn webhook_delivery(
        &self,
        organization_id: OrganizationId,
        delivery_id: WebhookDeliveryId,
    ) -> Result<Option<(WebhookDelivery, Vec<WebhookAttempt>)>, StoreError> {
        deliveries::one(self, organization_id, delivery_id).await
    }

    async fn redeliver_webhook(
        &self,
        organization_id: OrganizationId,
        delivery_id: WebhookDeliveryId,
        now: Timestamp,
    ) -> Result<RedeliverOutcome, StoreError> {
        deliveries::redeliver(self, organization_id, delivery_id, now).await
    }
}
