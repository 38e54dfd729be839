//! One delivery pass (docs/webhooks.md, "Delivery"): fan new outbox events out to the endpoints
//! that want them, then attempt every due delivery, several at once, each under a lease.
//!
//! A claim counts the attempt and leases the delivery for longer than one attempt can take; a
//! worker that dies leaves the lease to expire and another claims the delivery again, and a late
//! finish from the first changes nothing (finishes are fenced by the attempt's number). On
//! PostgreSQL, instances claim with `FOR UPDATE SKIP LOCKED` and never hold one delivery at once.

use super::payload;
use crate::services::audit::AuditEvent;
use crate::services::error::{ServiceError, ServiceResult};
use crate::state::AppState;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use tahoon_domain::webhooks::WebhookSecret;
use tahoon_domain::webhooks::schedule::{ATTEMPTS, DISABLE_AFTER_FAILING, retry_delay};
use tahoon_domain::webhooks::signature::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header};
use tahoon_integrations::webhook::{OutgoingWebhook, WebhookOutcome};
use tahoon_store::{
    AttemptOutcome, ClaimWebhooks, ClaimedDelivery, DeliveryEnd, EndpointHealth, EnqueueWebhooks, FinishDelivery,
    WebhookAttempt,
};
use tokio::task::JoinSet;

/// Events created longer ago than this have committed: the webhooks cursor passes them (newer
/// ones are looked at again on every pass; see `push::SETTLE`).
const SETTLE: SignedDuration = SignedDuration::from_mins(2);

/// Deliveries attempted at once by one worker.
const CONCURRENCY: i64 = 16;

/// At most this many batches per pass; the rest wait for the next pass.
const BATCHES_PER_PASS: usize = 8;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub enqueued: u64,
    pub succeeded: usize,
    pub retried: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Endpoints disabled (410, or failing for five days).
    pub disabled: usize,
    /// Attempts whose lease had been taken over by another worker.
    pub lost: usize,
}

impl Report {
    pub fn is_idle(&self) -> bool {
        *self == Report::default()
    }
}

/// Longer than one attempt can take (the send's timeout) with a wide margin.
fn lease() -> SignedDuration {
    SignedDuration::try_from(super::timeout()).unwrap_or(SignedDuration::from_secs(15)) + SignedDuration::from_secs(45)
}

fn later(at: Timestamp, by: SignedDuration) -> Timestamp {
    at.checked_add(by).unwrap_or(Timestamp::MAX)
}

/// One pass. `stopping` is checked between batches: a shutdown finishes the batch under way.
pub async fn deliver_due(state: &AppState, stopping: &(dyn Fn() -> bool + Sync)) -> ServiceResult<Report> {
    let now = state.clock.now();
    let settled_before = now.checked_sub(SETTLE).unwrap_or(Timestamp::MIN);
    let mut report = Report {
        enqueued: state.store.enqueue_webhook_deliveries(EnqueueWebhooks { now, settled_before }).await?,
        ..Report::default()
    };
    for _ in 0..BATCHES_PER_PASS {
        if stopping() {
            break;
        }
        let now = state.clock.now();
        let claim = ClaimWebhooks { now, lease_until: later(now, lease()), limit: CONCURRENCY };
        let claimed = state.store.claim_webhook_deliveries(claim).await?;
        if claimed.is_empty() {
            break;
        }
        let mut attempts = JoinSet::new();
        for delivery in claimed {
            let state = state.clone();
            attempts.spawn(async move { attempt(&state, delivery).await });
        }
        while let Some(done) = attempts.join_next().await {
            let (end, health, kept) =
                done.map_err(|e| ServiceError::internal(format!("a webhook attempt panicked: {e}")))??;
            match end {
                DeliveryEnd::Succeeded => report.succeeded += 1,
                DeliveryEnd::Retry { .. } => report.retried += 1,
                DeliveryEnd::Failed => report.failed += 1,
                DeliveryEnd::Cancelled => report.cancelled += 1,
            }
            report.disabled += usize::from(health);
            report.lost += usize::from(!kept);
        }
    }
    Ok(report)
}

/// The secrets that sign now: the current one, and the previous one during its grace period.
fn secrets(state: &AppState, claimed: &ClaimedDelivery, now: Timestamp) -> Result<Vec<WebhookSecret>, String> {
    let key = &state.config.secrets.master_key;
    let unseal = |sealed: &str| {
        key.unseal(sealed)
            .ok()
            .and_then(|text| WebhookSecret::parse(&text).ok())
            .ok_or_else(|| "the endpoint's secret cannot be unsealed with this master key".to_string())
    };
    let endpoint = &claimed.endpoint;
    let mut secrets = vec![unseal(&endpoint.secret_sealed)?];
    if let (Some(previous), Some(until)) = (&endpoint.previous_secret_sealed, endpoint.previous_secret_until)
        && until > now
    {
        secrets.push(unseal(previous)?);
    }
    Ok(secrets)
}

/// Attempts one claimed delivery and records how it went: the end, whether the endpoint was
/// disabled by it, and whether the attempt still held the delivery.
async fn attempt(state: &AppState, claimed: ClaimedDelivery) -> ServiceResult<(DeliveryEnd, bool, bool)> {
    let started_at = state.clock.now();
    let delivery = &claimed.delivery;
    let endpoint = &claimed.endpoint;
    let record =
        |outcome, status_code: Option<u16>, excerpt: Option<String>, error: Option<String>, ms: i64| WebhookAttempt {
            attempt: delivery.attempts,
            outcome,
            status_code: status_code.map(i64::from),
            response_excerpt: excerpt,
            error,
            started_at,
            duration_ms: ms,
        };
    let (end, health, record) = if claimed.endpoint_deleted || !endpoint.enabled {
        let why = if claimed.endpoint_deleted { "endpoint deleted" } else { "endpoint disabled" };
        let end = if claimed.endpoint_deleted { DeliveryEnd::Cancelled } else { DeliveryEnd::Failed };
        (end, EndpointHealth::Unchanged, record(AttemptOutcome::Cancelled, None, None, Some(why.into()), 0))
    } else if delivery.attempts - delivery.schedule_from > i64::from(ATTEMPTS) {
        // Claimed again and again by workers that never finished (each claim counts).
        let error = format!("gave up after {} attempts", delivery.attempts - 1);
        (DeliveryEnd::Failed, EndpointHealth::Unchanged, record(AttemptOutcome::Cancelled, None, None, Some(error), 0))
    } else {
        send(state, &claimed, started_at, &record).await
    };
    crate::telemetry::outbox_lag("webhooks", delivery.next_attempt_at, started_at);
    metrics::counter!("tahoon_webhook_deliveries_total", "outcome" => record.outcome.as_str()).increment(1);
    let disabled = matches!(health, EndpointHealth::Disable { .. });
    let finish = FinishDelivery {
        id: delivery.id,
        endpoint_id: endpoint.id,
        attempt: delivery.attempts,
        record,
        end: end.clone(),
        health,
        now: state.clock.now(),
    };
    let kept = state.store.finish_webhook_delivery(finish).await?;
    if !kept {
        tracing::warn!(delivery = delivery.id.get(), "a webhook attempt outlived its lease; another worker has it");
    }
    Ok((end, disabled && kept, kept))
}

type Record<'a> =
    dyn Fn(AttemptOutcome, Option<u16>, Option<String>, Option<String>, i64) -> WebhookAttempt + Send + Sync + 'a;

async fn send(
    state: &AppState,
    claimed: &ClaimedDelivery,
    started_at: Timestamp,
    record: &Record<'_>,
) -> (DeliveryEnd, EndpointHealth, WebhookAttempt) {
    let delivery = &claimed.delivery;
    let endpoint = &claimed.endpoint;
    let prepared =
        payload::body(state, &delivery.event).and_then(|body| Ok((body, secrets(state, claimed, started_at)?)));
    let (body, secrets) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            tracing::error!(delivery = delivery.id.get(), error, "a webhook cannot be built");
            return (
                DeliveryEnd::Failed,
                EndpointHealth::Unchanged,
                record(AttemptOutcome::Cancelled, None, None, Some(error), 0),
            );
        }
    };
    let url = match url::Url::parse(&endpoint.url) {
        Ok(url) => url,
        Err(_) => {
            let error = "the stored URL does not parse".to_string();
            return (
                DeliveryEnd::Failed,
                EndpointHealth::Unchanged,
                record(AttemptOutcome::Cancelled, None, None, Some(error), 0),
            );
        }
    };
    let message_id = state.ids.encode(delivery.event.id);
    let timestamp = started_at.as_second();
    let signing: Vec<&WebhookSecret> = secrets.iter().collect();
    let headers = vec![
        (ID_HEADER.to_string(), message_id.clone()),
        (TIMESTAMP_HEADER.to_string(), timestamp.to_string()),
        (SIGNATURE_HEADER.to_string(), signature_header(&signing, &message_id, timestamp, &body)),
    ];
    let report = state.webhooks.sender.send(&OutgoingWebhook { url: &url, headers: &headers, body: &body }).await;
    let ms = i64::try_from(report.elapsed.as_millis()).unwrap_or(i64::MAX);
    let outcome = match &report.outcome {
        WebhookOutcome::Delivered { .. } => "ok",
        WebhookOutcome::Gone { .. } | WebhookOutcome::Refused { .. } => "refused",
        WebhookOutcome::Blocked(_) => "blocked",
        WebhookOutcome::Unreachable { .. } => "unreachable",
    };
    metrics::histogram!(
        "tahoon_vendor_call_duration_seconds",
        "vendor" => "webhook",
        "operation" => "deliver",
        "outcome" => outcome,
    )
    .record(report.elapsed.as_secs_f64());
    let now = state.clock.now();
    let status = report.outcome.status();
    let (outcome, excerpt, error) = match report.outcome {
        WebhookOutcome::Delivered { excerpt, .. } => {
            return (
                DeliveryEnd::Succeeded,
                EndpointHealth::Healthy,
                record(AttemptOutcome::Delivered, status, Some(excerpt), None, ms),
            );
        }
        WebhookOutcome::Gone { excerpt } => {
            let reason = "the endpoint answered 410 Gone".to_string();
            let health = disable(state, claimed, &reason);
            return (
                DeliveryEnd::Failed,
                health,
                record(AttemptOutcome::Gone, status, Some(excerpt), Some(reason), ms),
            );
        }
        WebhookOutcome::Refused { status, excerpt } => {
            (AttemptOutcome::Refused, Some(excerpt), Some(format!("HTTP {status}")))
        }
        WebhookOutcome::Blocked(refused) => (AttemptOutcome::Blocked, None, Some(refused.to_string())),
        WebhookOutcome::Unreachable { error } => (AttemptOutcome::Unreachable, None, Some(error)),
    };
    let failing_too_long =
        endpoint.failing_since.is_some_and(|since| now.duration_since(since) >= DISABLE_AFTER_FAILING);
    let health = if failing_too_long {
        disable(state, claimed, "every attempt has failed for five days")
    } else {
        EndpointHealth::Failing
    };
    let failures = u32::try_from(delivery.attempts - delivery.schedule_from).unwrap_or(u32::MAX);
    let end = if failing_too_long {
        DeliveryEnd::Failed
    } else {
        match retry_delay(failures, rand::random::<f64>()) {
            Some(delay) => DeliveryEnd::Retry { at: later(now, delay) },
            None => DeliveryEnd::Failed,
        }
    };
    (end, health, record(outcome, status, excerpt, error, ms))
}

/// Disables the endpoint with the failing attempt, and audits it for its organization.
fn disable(state: &AppState, claimed: &ClaimedDelivery, reason: &str) -> EndpointHealth {
    let endpoint = &claimed.endpoint;
    let audit = state.audit.content(
        AuditEvent::success("endpoint.disabled", Some(endpoint.organization_id), "webhooks")
            .details(json!({ "endpoint": endpoint.id.get(), "reason": reason })),
    );
    tracing::warn!(endpoint = endpoint.id.get(), reason, "webhook endpoint disabled");
    EndpointHealth::Disable { reason: reason.into(), audit }
}
