//! Writes the audit trail. Every entry takes the request id and client address from the request
//! context. No secrets and no personal data go in `details`.

use crate::clock::Clock;
use crate::context::RequestContext;
use serde_json::Value;
use std::sync::Arc;
use tahoon_domain::audit::{AuditContent, Outcome};
use tahoon_domain::ids::OrganizationId;
use tahoon_store::{Store, StoreError};

/// One event to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub organization_id: Option<OrganizationId>,
    pub actor: String,
    pub action: &'static str,
    pub outcome: Outcome,
    pub details: Value,
}

impl AuditEvent {
    pub fn success(
        action: &'static str,
        organization_id: Option<OrganizationId>,
        actor: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent { organization_id, actor: actor.into(), action, outcome: Outcome::Success, details: Value::Null }
    }

    pub fn failure(
        action: &'static str,
        organization_id: Option<OrganizationId>,
        actor: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent { outcome: Outcome::Failure, ..AuditEvent::success(action, organization_id, actor) }
    }

    pub fn details(mut self, details: Value) -> AuditEvent {
        self.details = details;
        self
    }
}

#[derive(Clone)]
pub struct Auditor {
    store: Arc<dyn Store>,
    clock: Clock,
}

impl Auditor {
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Auditor {
        Auditor { store, clock }
    }

    /// The entry for `event`, stamped with the request's id and address, for a store method that
    /// appends it in the same transaction as the change it records.
    pub fn content(&self, event: AuditEvent) -> AuditContent {
        let context = RequestContext::current();
        let details = match event.details {
            Value::Null => "{}".to_string(),
            other => other.to_string(),
        };
        AuditContent {
            occurred_at: self.clock.now(),
            organization_id: event.organization_id,
            actor: event.actor,
            action: event.action.to_string(),
            outcome: event.outcome,
            request_id: Some(context.request_id).filter(|id| !id.is_empty()),
            source_ip: context.source_ip.map(|ip| ip.to_string()),
            details,
        }
    }

    /// Appends the event on its own; the caller decides whether a failure to audit fails the request.
    pub async fn record(&self, event: AuditEvent) -> Result<(), StoreError> {
        self.store.append_audit(self.content(event)).await.map(|_| ())
    }

    /// For failure paths, where the request is refused anyway: an audit error is logged, not
    /// returned, so the client still gets the refusal it caused.
    pub async fn record_failure(&self, event: AuditEvent) {
        if let Err(e) = self.record(event).await {
            tracing::error!(request_id = %RequestContext::current().request_id, error = %e, "audit append failed");
        }
    }
}
