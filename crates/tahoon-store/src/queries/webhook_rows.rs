//! Rows of the webhook tables, their reading back into models, and reading one endpoint (shared
//! by the endpoint and delivery queries).

use super::Connection;
use super::outbox::event_of;
use crate::backend::common::{corrupt, instant};
use crate::error::StoreError;
use crate::models::*;
use const_format::formatcp;
use tahoon_domain::ids::{Id, OrganizationId, WebhookEndpointId};

/// An endpoint's columns, in `EndpointRow` order (its event types are read apart).
pub(super) const ENDPOINT_COLUMNS: &str = "id, organization_id, url, description, secret_sealed, \
     previous_secret_sealed, previous_secret_until, status, disabled_reason, failing_since, created_at, updated_at, \
     deleted_at";

/// A delivery and its event, in `DeliveryRow` order (`d`: `webhook_deliveries`, `o`: `outbox_events`).
pub(super) const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, d.event_id, o.organization_id, o.event_type, \
     o.payload, o.created_at AS event_created_at, d.status, d.attempts, d.schedule_from, d.next_attempt_at, \
     d.locked_until, d.last_status_code, d.last_response, d.last_error, d.delivered_at, d.created_at, d.updated_at";

#[derive(sqlx::FromRow)]
pub(super) struct EndpointRow {
    pub id: i64,
    organization_id: i64,
    url: String,
    description: String,
    secret_sealed: String,
    previous_secret_sealed: Option<String>,
    previous_secret_until: Option<i64>,
    status: String,
    disabled_reason: Option<String>,
    failing_since: Option<i64>,
    created_at: i64,
    updated_at: i64,
    pub deleted_at: Option<i64>,
}

impl EndpointRow {
    pub fn into_endpoint(self, events: Vec<String>) -> Result<WebhookEndpoint, StoreError> {
        let enabled = match self.status.as_str() {
            "enabled" => true,
            "disabled" => false,
            other => return Err(corrupt("webhook endpoint status", other)),
        };
        Ok(WebhookEndpoint {
            id: Id::new(self.id),
            organization_id: Id::new(self.organization_id),
            url: self.url,
            description: self.description,
            events,
            secret_sealed: self.secret_sealed,
            previous_secret_sealed: self.previous_secret_sealed,
            previous_secret_until: self.previous_secret_until.map(instant).transpose()?,
            enabled,
            disabled_reason: self.disabled_reason,
            failing_since: self.failing_since.map(instant).transpose()?,
            created_at: instant(self.created_at)?,
            updated_at: instant(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
    id: i64,
    endpoint_id: i64,
    event_id: i64,
    organization_id: Option<i64>,
    event_type: String,
    payload: String,
    event_created_at: i64,
    status: String,
    attempts: i64,
    schedule_from: i64,
    next_attempt_at: i64,
    locked_until: Option<i64>,
    last_status_code: Option<i64>,
    last_response: Option<String>,
    last_error: Option<String>,
    delivered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DeliveryRow> for WebhookDelivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(WebhookDelivery {
            id: Id::new(r.id),
            endpoint_id: Id::new(r.endpoint_id),
            event: event_of(r.event_id, r.organization_id, r.event_type, r.payload, r.event_created_at)?,
            status: DeliveryStatus::parse(&r.status).ok_or_else(|| corrupt("webhook delivery status", &r.status))?,
            attempts: r.attempts,
            schedule_from: r.schedule_from,
            next_attempt_at: instant(r.next_attempt_at)?,
            locked_until: r.locked_until.map(instant).transpose()?,
            last_status_code: r.last_status_code,
            last_response: r.last_response,
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(instant).transpose()?,
            created_at: instant(r.created_at)?,
            updated_at: instant(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AttemptRow {
    attempt: i64,
    outcome: String,
    status_code: Option<i64>,
    response_excerpt: Option<String>,
    error: Option<String>,
    started_at: i64,
    duration_ms: i64,
}

impl TryFrom<AttemptRow> for WebhookAttempt {
    type Error = StoreError;
    fn try_from(r: AttemptRow) -> Result<Self, StoreError> {
        Ok(WebhookAttempt {
            attempt: r.attempt,
            outcome: AttemptOutcome::parse(&r.outcome).ok_or_else(|| corrupt("webhook attempt outcome", &r.outcome))?,
            status_code: r.status_code,
            response_excerpt: r.response_excerpt,
            error: r.error,
            started_at: instant(r.started_at)?,
            duration_ms: r.duration_ms,
        })
    }
}

/// At most `max` characters of `text`.
pub(super) fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// One endpoint of one organization, deleted or not.
const SELECT_ENDPOINT: &str =
    formatcp!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND organization_id = $2");

pub(super) async fn event_types(conn: &mut Connection, endpoint_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT event_type FROM webhook_endpoint_events WHERE endpoint_id = $1 ORDER BY event_type")
        .bind(endpoint_id)
        .fetch_all(conn)
        .await?)
}

/// The endpoint with its event types; `None` when it does not exist here (or was deleted, unless
/// `deleted_too`).
pub(super) async fn endpoint_in(
    conn: &mut Connection,
    organization_id: OrganizationId,
    endpoint_id: WebhookEndpointId,
    deleted_too: bool,
) -> Result<Option<(WebhookEndpoint, bool)>, StoreError> {
    let row: Option<EndpointRow> = sqlx::query_as(SELECT_ENDPOINT)
        .bind(endpoint_id.get())
        .bind(organization_id.get())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let deleted = row.deleted_at.is_some();
    if deleted && !deleted_too {
        return Ok(None);
    }
    let events = event_types(conn, row.id).await?;
    Ok(Some((row.into_endpoint(events)?, deleted)))
}
