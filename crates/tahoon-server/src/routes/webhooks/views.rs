//! What the webhook routes answer, and their path parameters.

use crate::openapi::{
    AttemptOutcomeName, DeliveryStatusName, EventId, WebhookDeliveryId, WebhookEndpointId, WebhookEventName,
    WebhookEventType,
};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use tahoon_store::{WebhookAttempt, WebhookDelivery, WebhookEndpoint};
use utoipa::{IntoParams, ToSchema};

/// The `{endpointId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct EndpointPath {
    #[param(value_type = WebhookEndpointId)]
    pub endpoint_id: String,
}

/// The `{deliveryId}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPath {
    #[param(value_type = WebhookDeliveryId)]
    pub delivery_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    #[schema(value_type = WebhookEndpointId)]
    pub endpoint_id: String,
    pub url: String,
    /// The event types it receives, sorted; `["*"]` for all.
    #[schema(value_type = Vec<WebhookEventName>)]
    pub events: Vec<String>,
    pub description: String,
    /// `false` once disabled: it answered 410 Gone, or every attempt failed for five days.
    pub enabled: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// The first failed attempt since the last success, if failing.
    #[schema(format = DateTime)]
    pub failing_since: Option<String>,
    /// Until when the secret before the last rotation still signs beside the current one.
    #[schema(format = DateTime)]
    pub previous_secret_expires_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn endpoint_view(state: &AppState, e: &WebhookEndpoint) -> EndpointView {
    let now = state.clock.now();
    EndpointView {
        endpoint_id: state.ids.encode(e.id),
        url: e.url.clone(),
        events: e.events.clone(),
        description: e.description.clone(),
        enabled: e.enabled,
        disabled_reason: e.disabled_reason.clone(),
        failing_since: e.failing_since.map(|t| t.to_string()),
        previous_secret_expires_at: e.previous_secret_until.filter(|until| *until > now).map(|t| t.to_string()),
        created_at: e.created_at.to_string(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    #[schema(value_type = WebhookDeliveryId)]
    pub delivery_id: String,
    #[schema(value_type = WebhookEndpointId)]
    pub endpoint_id: String,
    /// The event's id: every attempt's `webhook-id` header.
    #[schema(value_type = EventId)]
    pub event_id: String,
    #[schema(value_type = WebhookEventType)]
    pub event_type: String,
    #[schema(value_type = DeliveryStatusName)]
    pub status: String,
    /// Attempts made so far (redeliveries included).
    pub attempt_count: i64,
    /// The HTTP status of the last answer, if there was one.
    pub last_response_code: Option<i64>,
    /// The first bytes (at most 1024) of the last answer's body.
    pub last_response_body: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (`pending` only).
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn delivery_view(state: &AppState, d: &WebhookDelivery) -> DeliveryView {
    let pending = d.status == tahoon_store::DeliveryStatus::Pending;
    DeliveryView {
        delivery_id: state.ids.encode(d.id),
        endpoint_id: state.ids.encode(d.endpoint_id),
        event_id: state.ids.encode(d.event.id),
        event_type: d.event.event_type.clone(),
        status: d.status.as_str().into(),
        attempt_count: d.attempts,
        last_response_code: d.last_status_code,
        last_response_body: d.last_response.clone(),
        last_error: d.last_error.clone(),
        next_attempt_at: pending.then(|| d.next_attempt_at.to_string()),
        delivered_at: d.delivered_at.map(|t| t.to_string()),
        created_at: d.created_at.to_string(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    /// 1 for the first attempt.
    pub attempt: i64,
    #[schema(value_type = AttemptOutcomeName)]
    pub outcome: String,
    pub response_code: Option<i64>,
    /// The first bytes (at most 1024) of the answer's body.
    pub response_body: Option<String>,
    pub error: Option<String>,
    #[schema(format = DateTime)]
    pub started_at: String,
    pub duration_ms: i64,
}

pub fn attempt_view(a: &WebhookAttempt) -> AttemptView {
    AttemptView {
        attempt: a.attempt,
        outcome: a.outcome.as_str().into(),
        response_code: a.status_code,
        response_body: a.response_excerpt.clone(),
        error: a.error.clone(),
        started_at: a.started_at.to_string(),
        duration_ms: a.duration_ms,
    }
}
