//! An organization's webhook endpoints: create (the secret shown once), list, delete, rotate the
//! secret, read deliveries, redeliver, send a test event. Every id is the organization's own:
//! another organization's is not found.

use super::MAX_ENDPOINTS;
use crate::services::audit::AuditEvent;
use crate::services::error::{Refusal, ServiceResult};
use crate::state::AppState;
use jiff::Timestamp;
use serde_json::json;
use tahoon_domain::anti_xss::FreeText;
use tahoon_domain::ids::{OrganizationId, WebhookDeliveryId, WebhookEndpointId, kind};
use tahoon_domain::paging::PageRequest;
use tahoon_domain::reason::Reason;
use tahoon_domain::webhooks::schedule::OLD_SECRET_GRACE;
use tahoon_domain::webhooks::{EventFilter, WebhookSecret, WebhookUrl};
use tahoon_store::{
    CreateEndpointOutcome, NewEvent, NewWebhookEndpoint, RedeliverOutcome, RotateWebhookSecret, TestWebhook,
    WEBHOOK_TEST_EVENT, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
};

/// How long registration waits for the target's name to resolve.
const REGISTRATION_LOOKUP: std::time::Duration = std::time::Duration::from_secs(5);

/// The longest description kept.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// Who acts for an organization, as audit entries name it.
fn actor(organization_id: OrganizationId) -> String {
    format!("org:{}", organization_id.get())
}

/// A request to create an endpoint, as sent.
#[derive(Debug, Clone)]
pub struct EndpointRequest {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// A new endpoint and its secret (returned this once, never again).
pub struct CreatedEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: WebhookSecret,
}

fn not_found(field: &str, what: &str) -> Refusal {
    Refusal::field(Reason::NotFound, field, format!("no such {what} in this organization"))
}

pub fn endpoint_id(state: &AppState, text: &str) -> ServiceResult<WebhookEndpointId> {
    Ok(state
        .ids
        .decode::<kind::WebhookEndpoint>(text.trim())
        .map_err(|_| not_found("endpointId", "webhook endpoint"))?)
}

pub fn delivery_id(state: &AppState, text: &str) -> ServiceResult<WebhookDeliveryId> {
    Ok(state
        .ids
        .decode::<kind::WebhookDelivery>(text.trim())
        .map_err(|_| not_found("deliveryId", "webhook delivery"))?)
}

/// Checks a target at registration: its form, and every address its name resolves to now (the
/// same check runs again at every send, on the addresses then connected to).
async fn target(state: &AppState, url: &str) -> ServiceResult<WebhookUrl> {
    let url = WebhookUrl::parse(url, state.webhooks.policy).map_err(|e| Refusal::validation("url", e.to_string()))?;
    // A name that does not resolve (yet, or within the wait) is accepted: its deliveries retry,
    // and every send checks again. One that resolves to a refused address is not.
    let checked = tokio::time::timeout(REGISTRATION_LOOKUP, state.webhooks.sender.check_target(url.as_url())).await;
    if let Ok(Err(refused)) = checked
        && refused.address.is_some()
    {
        return Err(Refusal::validation("url", refused.to_string()).into());
    }
    Ok(url)
}

fn events(names: &[String]) -> ServiceResult<EventFilter> {
    EventFilter::parse(names).map_err(|e| {
        let text = e.to_string();
        match text.split_once(": ") {
            Some((field, detail)) => Refusal::validation(field, detail),
            None => Refusal::validation("events", text),
        }
        .into()
    })
}

fn description(text: Option<String>) -> ServiceResult<String> {
    let text = text.unwrap_or_default();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(
            Refusal::validation("description", format!("must be at most {MAX_DESCRIPTION_CHARS} characters")).into()
        );
    }
    Ok(FreeText::parse(text).map_err(|e| Refusal::validation("description", e.to_string()))?.into_inner())
}

pub async fn create(
    state: &AppState,
    organization_id: OrganizationId,
    request: EndpointRequest,
) -> ServiceResult<CreatedEndpoint> {
    let url = target(state, &request.url).await?;
    let events = events(&request.events)?;
    let description = description(request.description)?;
    let secret = WebhookSecret::generate(&mut rand::rng());
    let audit = state.audit.content(
        AuditEvent::success("webhook.endpoint_created", Some(organization_id), actor(organization_id))
            // The host only: a path or query may carry the receiver's own token.
            .details(json!({ "host": url.as_url().host_str(), "events": events.names() })),
    );
    let outcome = state
        .store
        .create_webhook_endpoint(NewWebhookEndpoint {
            organization_id,
            url: url.as_str().to_owned(),
            description,
            events: events.names(),
            secret_sealed: state.config.secrets.master_key.seal(&secret.expose()),
            limit: MAX_ENDPOINTS,
            audit,
            now: state.clock.now(),
        })
        .await?;
    match outcome {
        CreateEndpointOutcome::Created(endpoint) => Ok(CreatedEndpoint { endpoint, secret }),
        CreateEndpointOutcome::LimitReached { limit } => Err(Refusal::new(Reason::WebhookEndpointLimitReached)
            .with_detail(format!("at most {limit} endpoints; delete one first"))
            .into()),
    }
}

pub async fn list(state: &AppState, organization_id: OrganizationId) -> ServiceResult<Vec<WebhookEndpoint>> {
    Ok(state.store.webhook_endpoints(organization_id).await?)
}

pub async fn delete(state: &AppState, organization_id: OrganizationId, id: WebhookEndpointId) -> ServiceResult<()> {
    let audit = state.audit.content(
        AuditEvent::success("webhook.endpoint_deleted", Some(organization_id), actor(organization_id))
            .details(json!({ "endpoint": id.get() })),
    );
    if state.store.delete_webhook_endpoint(organization_id, id, audit, state.clock.now()).await? {
        Ok(())
    } else {
        Err(not_found("endpointId", "webhook endpoint").into())
    }
}

/// A new secret; the current one keeps signing beside it for `OLD_SECRET_GRACE` (24 h).
pub async fn rotate(
    state: &AppState,
    organization_id: OrganizationId,
    id: WebhookEndpointId,
) -> ServiceResult<(WebhookEndpoint, WebhookSecret)> {
    let secret = WebhookSecret::generate(&mut rand::rng());
    let now = state.clock.now();
    let audit = state.audit.content(
        AuditEvent::success("webhook.secret_rotated", Some(organization_id), actor(organization_id))
            .details(json!({ "endpoint": id.get() })),
    );
    let rotated = state
        .store
        .rotate_webhook_secret(RotateWebhookSecret {
            organization_id,
            endpoint_id: id,
            secret_sealed: state.config.secrets.master_key.seal(&secret.expose()),
            previous_until: now.checked_add(OLD_SECRET_GRACE).unwrap_or(Timestamp::MAX),
            audit,
            now,
        })
        .await?
        .ok_or_else(|| not_found("endpointId", "webhook endpoint"))?;
    Ok((rotated, secret))
}

pub async fn deliveries(
    state: &AppState,
    organization_id: OrganizationId,
    id: WebhookEndpointId,
    page: PageRequest,
) -> ServiceResult<(Vec<WebhookDelivery>, i64)> {
    Ok(state
        .store
        .webhook_deliveries(organization_id, id, page.offset(), page.limit())
        .await?
        .ok_or_else(|| not_found("endpointId", "webhook endpoint"))?)
}

pub async fn delivery(
    state: &AppState,
    organization_id: OrganizationId,
    id: WebhookDeliveryId,
) -> ServiceResult<(WebhookDelivery, Vec<WebhookAttempt>)> {
    Ok(state
        .store
        .webhook_delivery(organization_id, id)
        .await?
        .ok_or_else(|| not_found("deliveryId", "webhook delivery"))?)
}

/// The same event again (the same `webhook-id`), due now, with a fresh retry schedule.
pub async fn redeliver(
    state: &AppState,
    organization_id: OrganizationId,
    id: WebhookDeliveryId,
) -> ServiceResult<WebhookDelivery> {
    match state.store.redeliver_webhook(organization_id, id, state.clock.now()).await? {
        RedeliverOutcome::Scheduled(delivery) => Ok(delivery),
        RedeliverOutcome::NotFound => Err(not_found("deliveryId", "webhook delivery").into()),
        RedeliverOutcome::InFlight => Err(Refusal::new(Reason::WebhookDeliveryInFlight).into()),
        RedeliverOutcome::EndpointDisabled => Err(Refusal::new(Reason::WebhookEndpointDisabled)
            .with_detail("the endpoint is disabled; create a new endpoint")
            .into()),
    }
}

/// A `webhook.test` event to this endpoint alone.
pub async fn send_test(
    state: &AppState,
    organization_id: OrganizationId,
    id: WebhookEndpointId,
) -> ServiceResult<WebhookDelivery> {
    let endpoint = state
        .store
        .webhook_endpoint(organization_id, id)
        .await?
        .ok_or_else(|| not_found("endpointId", "webhook endpoint"))?;
    if !endpoint.enabled {
        return Err(Refusal::new(Reason::WebhookEndpointDisabled).into());
    }
    let event = NewEvent {
        organization_id: Some(organization_id),
        event_type: WEBHOOK_TEST_EVENT.into(),
        payload: json!({ "endpointId": state.ids.encode(id) }),
    };
    let test = TestWebhook { organization_id, endpoint_id: id, event, now: state.clock.now() };
    Ok(state.store.send_test_webhook(test).await?.ok_or_else(|| not_found("endpointId", "webhook endpoint"))?)
}
