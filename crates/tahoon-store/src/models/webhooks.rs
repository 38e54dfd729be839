//! Webhook endpoints and their deliveries (`WebhookStore`).

use super::{NewEvent, OutboxEvent};
use jiff::Timestamp;
use tahoon_domain::audit::AuditContent;
use tahoon_domain::ids::{OrganizationId, WebhookDeliveryId, WebhookEndpointId};

/// The longest `last_response` / attempt excerpt kept (longer ones are cut).
pub const WEBHOOK_EXCERPT_MAX_CHARS: usize = 1024;

/// The longest `last_error` kept (longer ones are cut).
pub const WEBHOOK_ERROR_MAX_CHARS: usize = 200;

/// The events delivered to webhooks (the domain's `EventType::ALL_SUBSCRIBABLE`; a test in the
/// server keeps the two lists equal). An event of another type is never fanned out, even to `*`.
pub const WEBHOOK_EVENT_TYPES: [&str; 11] = [
    "booking.confirmed",
    "booking.failed",
    "booking.cancelled",
    "booking.rescheduled",
    "booking.completed",
    "booking.no_show",
    "booking.reminder",
    "user.registered",
    "user.erased",
    "assessment.submitted",
    "assessment.risk_flagged",
];

/// The event delivered only to the endpoint it was sent to (`POST …/test`); never fanned out.
pub const WEBHOOK_TEST_EVENT: &str = "webhook.test";

/// An organization's endpoint, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    pub organization_id: OrganizationId,
    pub url: String,
    pub description: String,
    /// The event types it receives, sorted; `["*"]` for all.
    pub events: Vec<String>,
    pub secret_sealed: String,
    /// The secret before the last rotation, signing beside the new one until `previous_secret_until`.
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<Timestamp>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewWebhookEndpoint {
    pub organization_id: OrganizationId,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub secret_sealed: String,
    /// The most endpoints an organization may have (not counting deleted ones).
    pub limit: i64,
    pub audit: AuditContent,
    pub now: Timestamp,
}

// Returned once per call, never stored in bulk: boxing would only cost an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum CreateEndpointOutcome {
    Created(WebhookEndpoint),
    LimitReached { limit: i64 },
}

/// A new secret for an endpoint; the current one becomes the previous one until `previous_until`.
#[derive(Debug, Clone)]
pub struct RotateWebhookSecret {
    pub organization_id: OrganizationId,
    pub endpoint_id: WebhookEndpointId,
    pub secret_sealed: String,
    pub previous_until: Timestamp,
    pub audit: AuditContent,
    pub now: Timestamp,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Pending,
    Sending,
    Succeeded,
    Failed,
    /// The endpoint was deleted before the delivery succeeded.
    Cancelled,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 5] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sending,
        DeliveryStatus::Succeeded,
        DeliveryStatus::Failed,
        DeliveryStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub event: OutboxEvent,
    pub status: DeliveryStatus,
    /// Attempts begun (a claim counts one): the claimed attempt's number, which fences its finish.
    pub attempts: i64,
    /// `attempts` when the delivery was last (re)started: the schedule counts failures since.
    pub schedule_from: i64,
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    pub last_status_code: Option<i64>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// How one attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx in time.
    Delivered,
    /// Another status (redirects included).
    Refused,
    /// 410: the endpoint is disabled.
    Gone,
    /// The target is (or resolved to) an address that is refused: nothing was sent.
    Blocked,
    /// No answer: DNS, connection, TLS or timeout.
    Unreachable,
    /// Not attempted: the endpoint was deleted or disabled.
    Cancelled,
}

impl AttemptOutcome {
    pub const ALL: [AttemptOutcome; 6] = [
        AttemptOutcome::Delivered,
        AttemptOutcome::Refused,
        AttemptOutcome::Gone,
        AttemptOutcome::Blocked,
        AttemptOutcome::Unreachable,
        AttemptOutcome::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Refused => "refused",
            AttemptOutcome::Gone => "gone",
            AttemptOutcome::Blocked => "blocked",
            AttemptOutcome::Unreachable => "unreachable",
            AttemptOutcome::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptOutcome> {
        AttemptOutcome::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One recorded attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttempt {
    pub attempt: i64,
    pub outcome: AttemptOutcome,
    pub status_code: Option<i64>,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub duration_ms: i64,
}

/// A delivery claimed for an attempt, with what it needs: its endpoint and the exact payload.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub delivery: WebhookDelivery,
    pub endpoint: WebhookEndpoint,
    /// Whether the endpoint was deleted (the attempt cancels the delivery).
    pub endpoint_deleted: bool,
}

/// Creating the deliveries of new events (see `EnqueuePush`: the same cursor rules).
#[derive(Debug, Clone, Copy)]
pub struct EnqueueWebhooks {
    pub now: Timestamp,
    pub settled_before: Timestamp,
}

/// Claiming due deliveries (see `ClaimPush`).
#[derive(Debug, Clone, Copy)]
pub struct ClaimWebhooks {
    pub now: Timestamp,
    pub lease_until: Timestamp,
    pub limit: i64,
}

/// How a claimed delivery continues after its attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEnd {
    Succeeded,
    Retry { at: Timestamp },
    Failed,
    Cancelled,
}

/// What the attempt says of its endpoint.
#[derive(Debug, Clone)]
pub enum EndpointHealth {
    /// A success: `failing_since` is cleared.
    Healthy,
    /// A failure: `failing_since` is set when it was not.
    Failing,
    /// Disabled now (410, or failing too long), its other pending deliveries failed, audited.
    Disable { reason: String, audit: AuditContent },
    /// Nothing to record (a cancelled attempt).
    Unchanged,
}

/// The end of attempt `attempt` of delivery `id`.
#[derive(Debug, Clone)]
pub struct FinishDelivery {
    pub id: WebhookDeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub attempt: i64,
    pub record: WebhookAttempt,
    pub end: DeliveryEnd,
    pub health: EndpointHealth,
    pub now: Timestamp,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum RedeliverOutcome {
    Scheduled(WebhookDelivery),
    NotFound,
    /// An attempt is under way.
    InFlight,
    /// The endpoint is disabled or deleted.
    EndpointDisabled,
}

/// A `webhook.test` event written and addressed to one endpoint.
#[derive(Debug, Clone)]
pub struct TestWebhook {
    pub organization_id: OrganizationId,
    pub endpoint_id: WebhookEndpointId,
    pub event: NewEvent,
    pub now: Timestamp,
}
