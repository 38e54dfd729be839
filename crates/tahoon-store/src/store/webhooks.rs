//! `WebhookStore`: webhook endpoints and their deliveries.

use crate::error::StoreError;
use crate::models::*;
use async_trait::async_trait;
use jiff::Timestamp;
use tahoon_domain::audit::AuditContent;
use tahoon_domain::ids::{OrganizationId, WebhookDeliveryId, WebhookEndpointId};

/// Webhook endpoints, managed by their organization, and the deliveries of outbox events to them.
/// Webhooks are a consumer of the outbox beside push, with their own cursor and delivery rows.
/// Every method that names an endpoint or a delivery takes the organization too: another
/// organization's ids are not found.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates an endpoint (with its audit entry), unless the organization has `limit` already.
    async fn create_webhook_endpoint(&self, new: NewWebhookEndpoint) -> Result<CreateEndpointOutcome, StoreError>;
    /// The organization's endpoints (not deleted), oldest first.
    async fn webhook_endpoints(&self, organization_id: OrganizationId) -> Result<Vec<WebhookEndpoint>, StoreError>;
    async fn webhook_endpoint(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// Deletes an endpoint (kept for its deliveries' sake, never shown again) and cancels its
    /// pending deliveries, with its audit entry. `false` when there is no such endpoint.
    async fn delete_webhook_endpoint(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
        audit: AuditContent,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Replaces the secret; the current one keeps signing until `previous_until`.
    async fn rotate_webhook_secret(&self, rotate: RotateWebhookSecret) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// Creates a pending delivery for every new event after the webhooks cursor and every enabled
    /// endpoint of its organization that subscribes to it and existed when it was written; moves
    /// the cursor over the settled events. Idempotent, also across instances.
    async fn enqueue_webhook_deliveries(&self, enqueue: EnqueueWebhooks) -> Result<u64, StoreError>;
    /// Writes a `webhook.test` event and its delivery to one endpoint, in one transaction.
    async fn send_test_webhook(&self, test: TestWebhook) -> Result<Option<WebhookDelivery>, StoreError>;
    /// Claims up to `limit` due deliveries (see `PushStore::claim_push_jobs`).
    async fn claim_webhook_deliveries(&self, claim: ClaimWebhooks) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Records an attempt and how the delivery continues, and what it says of the endpoint, in
    /// one transaction. `false`, with nothing changed, when the attempt no longer holds it.
    async fn finish_webhook_delivery(&self, finish: FinishDelivery) -> Result<bool, StoreError>;
    /// An endpoint's deliveries, newest first, and how many there are; `None`: no such endpoint.
    async fn webhook_deliveries(
        &self,
        organization_id: OrganizationId,
        endpoint_id: WebhookEndpointId,
        offset: i64,
        limit: i64,
    ) -> Result<Option<(Vec<WebhookDelivery>, i64)>, StoreError>;
    /// One delivery and its attempts, oldest first.
    async fn webhook_delivery(
        &self,
        organization_id: OrganizationId,
        delivery_id: WebhookDeliveryId,
    ) -> Result<Option<(WebhookDelivery, Vec<WebhookAttempt>)>, StoreError>;
    /// Makes a delivery due now with a fresh schedule (the same event, the same `webhook-id`).
    async fn redeliver_webhook(
        &self,
        organization_id: OrganizationId,
        delivery_id: WebhookDeliveryId,
        now: Timestamp,
    ) -> Result<RedeliverOutcome, StoreError>;
}
